"""The commands of this area on the command line: exit codes, what is written, what is refused."""
from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
import test_plan as plan_case
from builders import make_ledger, run_cli

from workbook_tools.core import schema
from workbook_tools.read.reader import load_ledger
from workbook_tools.rules import run_check

run = run_cli


@pytest.fixture
def path(tmp_path):
    return make_ledger(tmp_path, **{"设置": {"单位名称": "测试局"}, "附件7": plan_case.SOFTWARE,
                                    "附件9": plan_case.EVENTS, "附件3": plan_case.REQUESTS,
                                    "人员": [{"部门": "办公室", "姓名": "王芳", "状态": "在职"}]})


def test_stats_rebuilds_the_sheet_of_one_ledger(capsys, path):
    code, _, _ = run(capsys, "stats", path, "--year", "2025", "--today", "2026-03-01")
    assert code == 0
    assert openpyxl.load_workbook(path)[schema.A5]["A1"].value == "软件正版化工作信息统计表"


def test_stats_of_several_needs_an_output_and_lists_failures(capsys, path, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("x")
    code, _, err = run(capsys, "stats", path, bad, "--year", "2025")
    assert code == 2 and err
    out_file = tmp_path / "汇总.xlsx"
    code, out, _ = run(capsys, "stats", path, bad, "--year", "2025", "-o", out_file)
    assert code == 0 and "bad.xlsx" in out
    assert openpyxl.load_workbook(out_file).sheetnames[1:] == ["分单位明细", "未能读取的单位"]
    code, _, _ = run(capsys, "stats", path, "--year", "2025", "-o", out_file)
    assert code == 2                                     # exists: --force needed


def test_plan_previews_then_writes_with_yes(capsys, path):
    before = path.read_bytes()
    code, out, _ = run(capsys, "plan", path, "--today", "2026-03-01")
    assert code == 0 and "R7" in out and path.read_bytes() == before
    code, _, _ = run(capsys, "plan", path, "--today", "2026-03-01", "--yes")
    assert code == 0
    ledger = load_ledger(path)
    assert ledger.df(schema.A4)["序号"].tolist() == ["1", "2", "3", "共计"]
    result = run_check(ledger, dt.date(2026, 3, 1))
    assert not [f for f in result.findings if f.rule == "RULE-CRASH" or f.sheet == schema.A4]


def test_add_free_and_its_refusals(capsys, path):
    code, out, _ = run(capsys, "add-free", path, "--name", "Notepad++", "--category", "其他软件", "--origin", "国外")
    assert code == 0 and "MF-0002" in out
    code, _, _ = run(capsys, "add-free", path, "--name", "Notepad++")
    assert code == 0                                       # already complete: nothing written
    code, _, err = run(capsys, "add-free", path, "--name", "WPS Office")
    assert code == 1 and err
    code, _, _ = run(capsys, "add-free", path, "--name", "X", "--origin", "火星")
    assert code == 2


def test_stats_year_defaults_to_this_year_like_print_annex5(capsys, path, tmp_path):
    explicit = tmp_path / "explicit.xlsx"
    explicit.write_bytes(path.read_bytes())
    assert run(capsys, "stats", path, "--today", "2025-06-30")[0] == 0
    assert run(capsys, "stats", explicit, "--year", "2025", "--today", "2025-06-30")[0] == 0
    other = tmp_path / "other.xlsx"
    other.write_bytes(explicit.read_bytes())
    assert run(capsys, "stats", other, "--year", "2024", "--today", "2025-06-30")[0] == 0

    def sheet(p):
        return list(openpyxl.load_workbook(p)[schema.A5].iter_rows(values_only=True))
    assert sheet(path) == sheet(explicit) != sheet(other)


def test_pledge_list_when_everyone_has_signed(capsys, tmp_path):
    path = make_ledger(tmp_path, **{"人员": [{"部门": "办公室", "姓名": "李强", "状态": "在职",
                                             "承诺书签署日期": dt.date(2025, 1, 5)}]})
    code, out, _ = run(capsys, "pledge", path, "--list")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 1 and "1" in lines[0]      # one line: everyone (1 person) has signed
    assert "附件2" not in out and "┏" not in out and "━" not in out


def test_pledge_list_and_sign(capsys, path):
    code, out, _ = run(capsys, "pledge", path, "--list")
    assert code == 0 and "王芳" in out and f"ledger print 附件2 {path} --unsigned" in out
    code, _, _ = run(capsys, "pledge", path, "--signed", "王芳", "--date", "2026-02-01", "--today", "2026-03-01")
    assert code == 0
    assert load_ledger(path).df(schema.STAFF)["承诺书签署日期"].iloc[0] == dt.datetime(2026, 2, 1)
    code, _, _ = run(capsys, "pledge", path, "--signed", "王芳", "--date", "2026-02-02", "--today", "2026-03-01")
    assert code == 1
    code, _, _ = run(capsys, "pledge", path, "--signed", "王芳")
    assert code == 2


def test_overview_without_results_says_so(capsys, path):
    wb = openpyxl.load_workbook(path)
    del wb[schema.RESULTS]
    wb.save(path)
    code, out, _ = run(capsys, "overview", path, "--today", "2026-03-01")
    assert code == 0 and "校验结果" in out
    with zipfile.ZipFile(path) as zf:
        assert len([n for n in zf.namelist() if n.startswith("xl/charts/chart")]) == 3
