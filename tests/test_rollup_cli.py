"""The commands of the roll-up and the operations through `ledger` itself: output, exit codes, file untouched."""
from __future__ import annotations

import datetime as dt
import shutil

import pytest
from test_rollup import EXPECTED, a8_rows, sha

from workbook_tools.core import schema
from workbook_tools.faces.cli import main
from workbook_tools.read.reader import load_ledger


def ledger(*args: str) -> int:
    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    return done.value.code or 0


@pytest.fixture
def path(history, tmp_path):
    target = tmp_path / "台账.xlsx"
    shutil.copy(history, target)
    return target


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    from test_rollup import HISTORY, TODAY, base_ledger

    from workbook_tools.tasks.operations import apply_operation

    path = base_ledger(tmp_path_factory.mktemp("cli"))
    for planner, request in HISTORY:
        apply_operation(path, planner, request, TODAY)
    return path


def test_rollup_prints_the_changes_then_nothing_on_a_second_run(path, capsys):
    assert ledger("rollup", path, "--date", "2025-06-30") == 0
    out = capsys.readouterr().out
    assert "SY-0001" in out and "附件8" in out
    assert a8_rows(path) == EXPECTED[dt.date(2025, 6, 30)]
    before = sha(path)
    assert ledger("rollup", path, "--date", "2025-06-30") == 0
    assert "未作任何修改" in capsys.readouterr().out
    assert sha(path) == before


def test_rollup_refusal_lists_the_findings_and_exits_1(path, capsys):
    import openpyxl
    from builders import fill

    wb = openpyxl.load_workbook(path)
    fill(wb, {"附件9": [{"序号": "99", "软件编号": "SY-0404", "操作": "安装", "计算机编号": "PC-001", "日期": "2025-06-01"}]})
    wb.save(path)
    before = sha(path)
    assert ledger("rollup", path, "--date", "2025-06-30") == 1
    captured = capsys.readouterr()
    assert "REF-SOFTWARE" in captured.out
    assert len(captured.err.strip().splitlines()) == 1
    assert sha(path) == before


def test_install_then_refusal_of_the_same_install(path, capsys):
    args = ["install", path, "--computer", "SRV-01", "--software", "OEM-0001", "--date", "2025-12-01", "--unified",
            "--slip", "auto", "--handler", "小刘"]
    assert ledger(*args) == 0
    assert "QR-20251201-001" in capsys.readouterr().out
    before = sha(path)
    assert ledger(*args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("错误：")
    assert sha(path) == before
    assert ledger("install", path, "--computer", "SRV-01", "--software", "OEM-0001", "--count", "0") == 1


def test_scrap_and_upgrade_commands(path, capsys):
    assert ledger("upgrade", path, "--computer", "PC-002", "--from", "MF-0001", "--to", "MF-0001",
                  "--version", "24", "--date", "2025-12-02") == 0
    assert ledger("scrap-computer", path, "PC-002", "--date", "2025-12-03") == 0
    assert ledger("scrap-software", path, "SY-0002", "--reason", "4") == 2   # not one of 1/2/3: a usage error
    df = load_ledger(path).df(schema.A9)
    assert df["操作"].iloc[-3:].tolist() == ["卸载", "安装", "卸载"]


def test_scrap_takes_the_id_as_argument_or_option(path, tmp_path, capsys):
    other = tmp_path / "副本.xlsx"
    shutil.copy(path, other)
    assert ledger("scrap-computer", path, "PC-002", "--date", "2025-12-03") == 0
    assert ledger("scrap-computer", other, "--computer", "PC-002", "--date", "2025-12-03") == 0
    assert load_ledger(path).df(schema.A9).drop(columns="_row", errors="ignore").equals(
        load_ledger(other).df(schema.A9).drop(columns="_row", errors="ignore"))
    assert ledger("scrap-computer", other, "PC-001", "--computer", "PC-003") == 2      # two different computers
    assert ledger("scrap-computer", other) == 2                                     # none
    assert ledger("scrap-software", other, "--software", "SY-0002", "--reason", "1", "--date", "2025-12-04") in (0, 1)


def test_install_help_shows_the_count_default_as_a_whole_number(capsys):
    assert ledger("install", "--help") == 0
    [line] = [ln for ln in capsys.readouterr().out.splitlines() if "--count" in ln]
    assert line.rstrip().endswith("[默认：1]"), line


def test_unreadable_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "坏.xlsx"
    bad.write_text("不是工作簿")
    for args in (["rollup", bad], ["install", bad, "--computer", "PC-1", "--software", "SY-0001"],
                 ["baseline", bad, "--date", "2025-01-01"]):
        assert ledger(*args) == 2
    assert bad.read_text() == "不是工作簿"


def test_rollup_refreshes_an_existing_overview_and_stays_idempotent(path, capsys):
    import openpyxl

    from workbook_tools.ops import overview

    assert ledger("overview", path) == 0
    assert ledger("rollup", path, "--date", "2025-06-30") == 0
    changes = load_ledger(path).df(schema.CHANGES)
    assert (changes["操作"] == "概览").sum() == 2          # once by `overview`, once by the roll-up
    assert overview.SHEET in openpyxl.load_workbook(path).sheetnames
    before = sha(path)
    assert ledger("rollup", path, "--date", "2025-06-30") == 0
    assert sha(path) == before


def test_rollup_log_keeps_the_old_count_as_typed(tmp_path):
    """The old 安装数量 is logged as the clerk typed it (full-width text here), not as the number read."""
    import openpyxl
    from builders import clean_unit, make_ledger

    unit = clean_unit()
    unit["附件7"][0].update(安装数量="０台")      # SY-0001 is installed once; the cell holds text
    unit["设置"]["上次半年更新日期"] = "2026年1月1日"
    unit["附件8"][0].update(安装日期="2025/1/4")   # the event says 2025-01-05
    path = make_ledger(tmp_path, **unit)
    assert ledger("rollup", path, "--date", "2026-03-01") == 0
    log = [r[4] for r in openpyxl.load_workbook(path)[schema.CHANGES].iter_rows(min_row=2, values_only=True)]
    assert "SY-0001 安装数量：０台 → 1" in log
    assert "上次半年更新日期：2026年1月1日 → 2026-03-01" in log
    assert any(line.startswith("更新（计算机 PC-001、软件编号 SY-0001）") and line.endswith("安装日期：2025/1/4→2025-01-05")
               for line in log), log
