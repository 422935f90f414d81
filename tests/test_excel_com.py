"""The real xlwings Windows engine against a fake Excel COM object model (tests/fake_com.py).

Each case runs in its own Python process, which fakes pywin32 and sets sys.platform to
"win32" before importing xlwings; the ribbon dispatcher is called as the add-in's VBA
calls it (`--wb=… --from_xl=1 --hwnd=…`), so `xw.Book.caller()` attaches to the fake Excel.
"""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from builders import make_ledger
from python_calamine import CalamineWorkbook

from workbook_tools.read.reader import read_raw

FAKE = Path(__file__).resolve().parent / "fake_com.py"
AUTOMATIC, MANUAL = -4105, -4135


@pytest.fixture()
def ledger(tmp_path: Path) -> Path:
    return make_ledger(tmp_path, **{
        "附件7": [{"软件编号": "SY-0001", "软件名称": "WPS Office", "软件版本": "2019", "软件类型": "商业软件",
                  "采购时间": dt.date(2024, 3, 5), "采购金额": 1200, "许可类型": "单机", "许可数量": 10}],
        "计算机": [{"计算机编号": "PC-001", "计算机品牌": "联想", "设备类型": "台式机"}],
    })


def run(path: Path, tag: str, calculation: int = AUTOMATIC) -> dict:
    done = subprocess.run([sys.executable, str(FAKE), str(path), tag, str(calculation)], cwd=path.parent,
                          capture_output=True, text=True, encoding="utf-8", timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]) | {"stderr": done.stderr}


@pytest.mark.parametrize("mode", [AUTOMATIC, MANUAL])
def test_file_button_restores_calculation_then_saves_closes_writes_reopens(ledger: Path, mode: int) -> None:
    result = run(ledger, "overview", mode)
    assert result["outcome"]["ok"], result["outcome"]
    events = result["events"]
    kinds = [e[0] for e in events]
    assert kinds == ["open", "calculation", "alert", "calculation", "save", "close", "open", "calculation", "alert"]
    assert events[1] == ["calculation", MANUAL]           # the button's fast mode
    assert events[3] == ["calculation", mode]             # the user's mode again, before Excel saves
    assert events[4][1] == mode                           # what Excel writes into the file as calcMode
    save_sha, close_sha, reopen_sha = events[4][2], events[5][1], events[6][2]
    assert save_sha == close_sha != reopen_sha            # written after the close, before the reopen
    assert "概览" in CalamineWorkbook.from_path(str(ledger)).sheet_names


def test_live_read_is_bounded_per_sheet_whatever_the_used_range(ledger: Path) -> None:
    result = run(ledger, "about")  # reads every data sheet live; each has a formatted cell at row 1,048,576
    assert result["outcome"]["ok"], result["outcome"]
    raw, _ = read_raw(ledger)
    filled = sum(max((len(r) for r in rows), default=0) * len(rows) for rows, _, _ in raw.values())
    assert 0 < result["cells_read"] <= filled              # not a million rows per sheet
    assert sum(result["calls"].values()) <= 30 * result["sheets"]
    assert [e[0] for e in result["events"]] == ["open", "calculation", "calculation", "alert"]


def test_a_workbook_xlwings_cannot_find_is_reported_with_its_cause(ledger: Path) -> None:
    renamed = ledger.with_name("台账=2026.xlsx")
    ledger.rename(renamed)
    result = run(renamed, "about")
    assert result["outcome"] == {"ok": False, "exit": 1}
    assert "「=」" in result["stderr"] and "Traceback" not in result["stderr"]  # xlwings cut the name at "="
    assert result["events"] == [["open", renamed.name, result["events"][0][2]]]  # nothing else happened
