"""Hostile scans: a catastrophic regex, unreadable scan files among good ones, control characters and
text that looks like a formula in scan fields."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import openpyxl
import pytest
from builders import make_ledger, run_cli
from test_extent import ROOT
from test_scan_data import DAY, PS_SAMPLE, scan_unit

from workbook_tools.read.reader import load_ledger
from workbook_tools.scan import reconcile
from workbook_tools.scan.files import COLLECTOR_HEADERS
from workbook_tools.scan.propose import SUGGESTIONS
from workbook_tools.tasks.scanning import read_scans

HEADER = ",".join(f'"{h}"' for h in COLLECTOR_HEADERS)


def scan_csv(folder, name: str, rows: list[tuple[str, ...]], encoding: str = "utf-8-sig"):
    folder.mkdir(exist_ok=True)
    lines = [HEADER] + [",".join(f'"{v}"' for v in row) for row in rows]
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def with_rule(pattern: str, order: int = 5) -> dict:
    unit = scan_unit()
    unit["软件名称对照"].insert(0, {"顺序": order, "匹配字段": "DisplayName", "匹配方式": "正则", "匹配内容": pattern,
                                  "动作": "忽略"})
    return unit


def test_a_catastrophic_regex_finishes(tmp_path):
    """`^(\\w+\\s?)+$` against 36 letters and a "!" backtracks 2^36 times in Python's re; RE2 is linear."""
    path = make_ledger(tmp_path, "台账.xlsx", **with_rule(r"^(\w+\s?)+$"))
    scan_csv(tmp_path / "扫描", "WIN-ZHANGSAN.csv", [("WIN-ZHANGSAN", "a" * 36 + "!", "1.0", "x", "", "HKLM"),
                                                    ("WIN-ZHANGSAN", "Foxit Reader 中文版", "1.0", "x", "", "HKLM")])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "workbook_tools", "scan", path, tmp_path / "扫描", "--date",
                           DAY.isoformat(), "--format", "json"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    unmapped = {f["message"].split("」")[0] for f in json.loads(proc.stdout)["findings"] if f["rule"] == "SCAN-UNMAPPED"}
    assert any("a" * 36 + "!" in m for m in unmapped)                  # no match: still reported
    assert not any("Foxit Reader 中文版" in m for m in unmapped)          # \w covers Chinese as in Python


@pytest.mark.parametrize("pattern", [r"^Foxit(?= Reader)", r"(a)\1", "^Foxit (Reader"])
def test_a_rule_re2_cannot_run_is_rule_invalid(tmp_path, pattern):
    ledger = load_ledger(make_ledger(tmp_path, **with_rule(pattern, order=171)))
    result, _ = reconcile(ledger, read_scans([PS_SAMPLE]), DAY)
    rows = [(f.row, f.column) for f in result.findings if f.rule == "SCAN-RULE-INVALID"]
    assert (ledger["软件名称对照"].last_row(), "匹配内容") in rows
    assert all(all(ord(ch) < 0x2000 or "\u4e00" <= ch <= "\u9fff" or ch in "「」（）；：，、…" for ch in f.message)
               for f in result.findings if f.rule == "SCAN-RULE-INVALID")


BAD_FILES = {
    "invalid UTF-8": (HEADER.encode("utf-8") + b'\r\n"PC-X","\xff\xfe\xfd\x80","1","x","","HKLM"\r\n', 2),
    "a field over 128 KB": ((HEADER + '\r\n"PC-X","' + "长" * 140_000 + '","1","x","","HKLM"\r\n').encode("utf-8"), 2),
    "a field over 32,767 characters": ((HEADER + '\r\n"PC-X","ok","1","x","","HKLM"\r\n"PC-X","'
                                        + "长" * 40_000 + '","1","x","","HKLM"\r\n').encode("utf-8"), 3),
    "garbage": (bytes(range(256)) * 8, 2),     # the first byte no encoding reads is on line 2
}


def test_a_batch_with_unreadable_files_reports_the_good_ones(tmp_path):
    folder = tmp_path / "扫描"
    folder.mkdir()
    shutil.copy(PS_SAMPLE, folder)
    for i, (data, _) in enumerate(BAD_FILES.values()):
        (folder / f"PC-00{i}-bad.csv").write_bytes(data)
    ledger = load_ledger(make_ledger(tmp_path, **scan_unit()))
    result, _ = reconcile(ledger, read_scans([folder]), DAY)
    bad = {(f.scan_file.rsplit(os.sep, 1)[-1], f.scan_line) for f in result.findings if f.rule == "SCAN-FILE-UNREADABLE"}
    assert bad == {(f"PC-00{i}-bad.csv", line) for i, (_, line) in enumerate(BAD_FILES.values())}
    assert {("PC-001", "SY-0002"), ("PC-001", "MF-0001")} <= {
        (i.computer, i.software) for i in result.issues if i.finding.rule == "SCAN-UNREGISTERED"}
    assert not any(i.computer == "PC-X" for i in result.issues)


def test_nul_and_other_control_characters_are_removed(tmp_path):
    path = scan_csv(tmp_path / "扫描", "WIN-ZHANGSAN.csv", [("WIN-ZHANGSAN", "7-Zip\x00 23.01\x1f", "23.01\x01", "", "", "")])
    entries = read_scans([path]).entries
    assert entries[["name", "version"]].values.tolist() == [["7-Zip 23.01", "23.01"]]


def test_control_characters_and_formulas_in_scan_fields(capsys, tmp_path):
    path = make_ledger(tmp_path, "台账.xlsx", **scan_unit())
    folder = tmp_path / "扫描"
    scan_csv(folder, "WIN-ZHANGSAN.csv", [("WIN-ZHANGSAN", "7-Zip 23.01 (x64)", "23.01\x01", "Igor\x02", "", "HKLM"),
                                          ("WIN-ZHANGSAN", '=HYPERLINK("http://x","点我")', "1", "@SUM(A1)", "", "HKLM"),
                                          ("WIN-ZHANGSAN", "+cmd|' /C calc'!A0", "-1", "x", "", "HKLM")])
    report = tmp_path / "报告.xlsx"
    code, _, err = run_cli(capsys, "scan", path, folder, "--date", DAY.isoformat(), "--propose", "--report", report)
    assert code in (0, 1) and "内部错误" not in err, err
    with zipfile.ZipFile(report) as zf:
        xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"\x01" not in xml and b"\x02" not in xml
    texts = [c.value for ws in openpyxl.load_workbook(report) for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert any(t.startswith("=HYPERLINK") for t in texts) or any("HYPERLINK" in t for t in texts)
    wb = openpyxl.load_workbook(path)
    values = [c.value for row in wb[SUGGESTIONS].iter_rows() for c in row if isinstance(c.value, str)]
    assert not any("\x01" in v or "\x02" in v for v in values)
