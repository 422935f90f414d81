"""`ledger number` (LEDGER_SPEC §4): next free number per type, identity reuse, never a number that existed."""
from __future__ import annotations

import datetime as dt

import openpyxl
from builders import clean_unit, make_ledger, run_cli

from workbook_tools.core import schema
from workbook_tools.ops.numbering import plan_numbers
from workbook_tools.read.reader import file_sha256, load_ledger
from workbook_tools.rules import run_check


def plan_for(tmp_path, *rows, **extra):
    unit = clean_unit()
    unit["附件7"].extend(rows)
    unit.update(extra)
    return plan_numbers(load_ledger(make_ledger(tmp_path, **unit)))


def assigned(plan) -> dict[int, tuple[str, int | None]]:
    return {a.row: (a.number, a.same_as_row) for a in plan.assigned}


def test_next_number_of_each_type(tmp_path):
    plan = plan_for(tmp_path,
                    {"软件名称": "Foxit", "软件版本": "12", "软件类型": "商业软件"},
                    {"软件名称": "麒麟", "软件版本": "V10", "软件类型": "OEM软件"},
                    {"软件名称": "Notepad++", "软件类型": "免费软件"})
    assert assigned(plan) == {5: ("SY-0002", None), 6: ("OEM-0002", None), 7: ("MF-0002", None)}


def test_numbers_that_existed_are_not_reused(tmp_path):
    unit = clean_unit()
    unit["附件9"].append({"软件编号": "SY-0005", "操作": "安装", "计算机编号": "PC-001", "日期": dt.date(2020, 1, 1)})
    unit["变更记录"] = [{"时间": dt.datetime(2025, 1, 1), "操作": "删除", "表": "附件7", "内容": "删除 MF-0007（旧软件）"}]
    unit["附件7"] += [{"软件名称": "Foxit", "软件版本": "12", "软件类型": "商业软件"},
                     {"软件名称": "Notepad++", "软件类型": "免费软件"}]
    plan = plan_numbers(load_ledger(make_ledger(tmp_path, **unit)))
    assert assigned(plan) == {5: ("SY-0006", None), 6: ("MF-0008", None)}


def test_same_software_takes_the_existing_number(tmp_path):
    sy = {k: v for k, v in clean_unit()["附件7"][0].items() if k not in ("软件编号", "序号")}
    plan = plan_for(tmp_path, {"软件名称": "7-zip", "软件类型": "免费软件"},
                    {"软件名称": "Windows", "软件版本": "10", "软件类型": "OEM软件"}, sy)
    assert assigned(plan) == {5: ("MF-0001", 4), 6: ("OEM-0001", 3), 7: ("SY-0001", 2)}
    assert len(plan.merges) == 3


def test_two_new_rows_of_one_software_share_a_number(tmp_path):
    plan = plan_for(tmp_path, {"软件名称": "Foo", "软件类型": "免费软件"}, {"软件名称": "Foo", "软件类型": "免费软件"})
    assert assigned(plan) == {5: ("MF-0002", None), 6: ("MF-0002", 5)}


def test_prefix_from_settings_and_rows_without_type(tmp_path):
    plan = plan_for(tmp_path, {"软件名称": "Foxit", "软件版本": "12", "软件类型": "商业软件"},
                    {"软件名称": "不明软件"}, 设置={"商业软件编号前缀": "ZF"})
    assert assigned(plan) == {5: ("ZF-0001", None)}
    assert [s.row for s in plan.skipped] == [6]


def run(capsys, *args) -> tuple[int, str]:
    code, out, _ = run_cli(capsys, *args)
    return code, out


def test_cli_number_writes_and_logs(capsys, tmp_path):
    unit = clean_unit()
    unit["附件7"] += [{"软件名称": "Notepad++", "软件类型": "免费软件"}, {"软件名称": "7-Zip", "软件类型": "免费软件"}]
    path = make_ledger(tmp_path, **unit)
    before = file_sha256(path)
    code, out = run(capsys, "number", path, "--dry-run")
    assert code == 0 and "MF-0002" in out and "第 4 行" in out and file_sha256(path) == before
    code, out = run(capsys, "number", path)
    assert code == 0 and "合并 1 行" in out
    wb = openpyxl.load_workbook(path)
    assert wb[schema.A7]["B5"].value == "MF-0002" and wb[schema.A7]["B6"].value == "MF-0001"
    log = [r for r in wb[schema.CHANGES].iter_rows(min_row=2, values_only=True)]
    assert [(r[1], r[3]) for r in log] == [("自动编号", 5), ("自动编号", 6)]
    result = run_check(load_ledger(path), dt.date(2026, 3, 1))
    assert not [f for f in result.findings if f.rule.startswith("NUM-")]
    code, out = run(capsys, "number", path)
    assert code == 0 and "没有需要分配编号的行" in out
