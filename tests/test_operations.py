"""install / uninstall / upgrade / scrap / baseline: the rows they write and what they refuse."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from builders import fill
from test_rollup import TODAY, assert_user_content_kept, base_ledger, error_keys, sha

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.ops.operations import (
    Install,
    ScrapSoftware,
    Uninstall,
    Upgrade,
    Visit,
    plan_baseline,
    plan_install,
    plan_scrap_computer,
    plan_scrap_software,
    plan_uninstall,
    plan_upgrade,
)
from workbook_tools.read.reader import load_ledger
from workbook_tools.tasks.operations import apply_operation
from workbook_tools.tasks.sheets import apply_rollup

D = dt.date
A7, A8, A9, A11 = schema.A7, schema.A8, schema.A9, schema.A11
EVENTS = [
    {"序号": "1", "软件编号": "SY-0001", "操作": "安装", "计算机编号": "PC-001", "计算机品牌": "联想", "使用人": "张三",
     "使用部门": "办公室", "版本": "2016", "日期": D(2025, 1, 10), "安装数量": 1, "统一部署": "是"},
    {"序号": "2", "软件编号": "SY-0001", "操作": "安装", "计算机编号": "PC-002", "计算机品牌": "华为", "使用人": "李四",
     "使用部门": "网络平台处", "版本": "2016", "日期": D(2025, 2, 1), "安装数量": 1, "统一部署": "是"},
    {"序号": "3", "软件编号": "MF-0001", "操作": "安装", "计算机编号": "PC-002", "计算机品牌": "华为", "使用人": "李四",
     "使用部门": "网络平台处", "版本": "23", "日期": D(2025, 2, 1), "安装数量": 1, "统一部署": "是"},
]
MORE_SOFTWARE = [
    {"序号": "5", "软件编号": "SY-0003", "软件名称": "旧版绘图", "软件版本": "5", "软件类型": "商业软件", "采购时间": D(2023, 1, 1),
     "采购金额": 800, "许可类型": "单机", "许可数量": 10, "许可期限": "2024-12-31", "获取方式": "采购", "状态": "在用"},
    {"序号": "6", "软件编号": "MF-0002", "软件名称": "未列入清单的工具", "软件类型": "免费软件", "获取方式": "免费获取", "状态": "在用"},
    {"序号": "7", "软件编号": "SY-0004", "软件名称": "报废的软件", "软件版本": "1", "软件类型": "商业软件", "采购时间": D(2020, 1, 1),
     "采购金额": 500, "许可类型": "单机", "许可数量": 2, "许可期限": "永久", "获取方式": "采购", "状态": "已报废",
     "报废日期": D(2024, 6, 1), "报废原因": "1"},
]


@pytest.fixture
def unit(tmp_path) -> Path:
    path = base_ledger(tmp_path)
    wb = openpyxl.load_workbook(path)
    fill(wb, {"附件9": EVENTS, "附件7": MORE_SOFTWARE,
              "附件11": [{"确认单号": "QR-SIGNED", "日期": D(2025, 3, 3), "计算机编号": "PC-001", "已签字": "是"}]})
    wb.save(path)
    return path


def events_of(path: Path) -> pd.DataFrame:
    return load_ledger(path).df(A9)


def run(path: Path, planner, request):
    return apply_operation(path, planner, request, TODAY)


def at(pc: str, day: D, **kw) -> dict:
    return {"computer": pc, "date": day, **kw}


def test_install_appends_one_event_with_the_register_fields(unit):
    run(unit, plan_install, Install(software="SY-0002", request="SQ-001", handler="小刘", **at("PC-001", D(2025, 8, 1))))
    last = events_of(unit).iloc[-1]
    assert last[["序号", "软件编号", "操作", "计算机编号", "计算机品牌", "使用人", "使用部门", "版本", "安装数量", "统一部署",
                 "申请编号", "经办人"]].tolist() == \
        ["4", "SY-0002", "安装", "PC-001", "联想", "张三", "办公室", "2019", 1.0, "否", "SQ-001", "小刘"]
    assert last["日期"] == pd.Timestamp(2025, 8, 1)
    log = load_ledger(unit).df(schema.CHANGES)
    assert log[["操作", "表", "行"]].iloc[-1].tolist() == ["安装", "附件9", 5.0]
    assert_user_content_kept(unit)


REFUSED = {
    "unknown number": (plan_install, Install(software="SY-9999", **at("PC-001", D(2025, 8, 1)))),
    "unknown computer": (plan_install, Install(software="SY-0002", **at("PC-404", D(2025, 8, 1)))),
    "scrapped software": (plan_install, Install(software="SY-0004", **at("PC-001", D(2025, 8, 1)))),
    "already installed": (plan_install, Install(software="SY-0001", **at("PC-001", D(2025, 8, 1)))),
    "backdated double": (plan_install, Install(software="SY-0001", **at("PC-001", D(2025, 1, 1)))),
    "over-used": (plan_install, Install(software="SY-0001", count=2, **at("PC-003", D(2025, 8, 1)))),
    "expired": (plan_install, Install(software="SY-0003", **at("PC-001", D(2025, 8, 1)))),
    "version not licensed": (plan_install, Install(software="SY-0001", version="2019", **at("PC-003", D(2025, 8, 1)))),
    "free not listed": (plan_install, Install(software="MF-0002", **at("PC-001", D(2025, 8, 1)))),
    "future date": (plan_install, Install(software="SY-0002", **at("PC-001", D(2026, 1, 1)))),
    "uninstall not installed": (plan_uninstall, Uninstall(software="SY-0002", **at("PC-001", D(2025, 8, 1)))),
    "uninstall before install": (plan_uninstall, Uninstall(software="SY-0001", **at("PC-001", D(2025, 1, 9)))),
    "upgrade of what is not there": (plan_upgrade, Upgrade(old="SY-0002", new="SY-0001", **at("PC-003", D(2025, 8, 1)))),
    "upgrade to the same": (plan_upgrade, Upgrade(old="SY-0001", new="SY-0001", **at("PC-001", D(2025, 8, 1)))),
    "scrap software installed": (plan_scrap_software, ScrapSoftware(software="SY-0001", date=D(2025, 8, 1), reason="1")),
    "scrap software twice": (plan_scrap_software, ScrapSoftware(software="SY-0004", date=D(2025, 8, 1), reason="1")),
    "scrap computer before its events": (plan_scrap_computer, Visit(**at("PC-002", D(2025, 1, 31)))),
    "slip of another visit": (plan_install, Install(software="SY-0002", slip="QR-SIGNED", **at("PC-002", D(2025, 3, 3)))),
    "signed slip": (plan_install, Install(software="SY-0002", slip="QR-SIGNED", **at("PC-001", D(2025, 3, 3)))),
    "force without reason": (plan_install, Install(software="SY-0001", force=True, **at("PC-001", D(2025, 8, 1)))),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_bad_requests_are_refused_and_leave_the_file_unchanged(unit, case):
    planner, request = REFUSED[case]
    before = sha(unit)
    with pytest.raises(LedgerError) as refused:
        run(unit, planner, request)
    assert refused.value.exit_code == 1
    assert "\n" not in refused.value.message and refused.value.message
    assert sha(unit) == before


def test_scrapped_computer_takes_no_install(unit):
    run(unit, plan_scrap_computer, Visit(**at("PC-003", D(2025, 4, 1))))
    with pytest.raises(LedgerError):
        plan_install(load_ledger(unit), Install(software="SY-0002", **at("PC-003", D(2025, 8, 1))), TODAY)


def test_force_records_the_reason(unit):
    request = Install(software="SY-0001", count=2, force=True, reason="新许可已采购，合同待登记",
                      **at("PC-003", D(2025, 8, 1)))
    outcome = run(unit, plan_install, request)
    assert len(outcome.plan.forced) == 1
    assert "新许可已采购" in events_of(unit)["备注"].iloc[-1]


def test_uninstall_takes_version_and_count_of_the_live_installation(unit):
    run(unit, plan_uninstall, Uninstall(software="MF-0001", **at("PC-002", D(2025, 8, 1))))
    last = events_of(unit).iloc[-1]
    assert last[["操作", "软件编号", "版本", "安装数量"]].tolist() == ["卸载", "MF-0001", "23", 1.0]
    assert error_keys(unit) == set()


def test_upgrade_writes_the_uninstall_and_the_install_linked(unit):
    request = Upgrade(old="SY-0001", new="SY-0002", request="SQ-001", slip="auto", **at("PC-001", D(2025, 8, 1)))
    run(unit, plan_upgrade, request)
    rows = events_of(unit).iloc[-2:]
    assert rows["操作"].tolist() == ["卸载", "安装"]
    assert rows["软件编号"].tolist() == ["SY-0001", "SY-0002"]
    assert rows["版本"].tolist() == ["2016", "2019"]
    assert set(rows["日期"]) == {pd.Timestamp(2025, 8, 1)}
    assert set(rows["申请编号"]) == {"SQ-001"} and set(rows["确认单号"]) == {"QR-20250801-001"}
    assert set(rows["备注"]) == {"升级：SY-0001→SY-0002"}
    assert error_keys(unit) == set()


def test_free_software_upgrades_under_its_one_number(unit):
    run(unit, plan_upgrade, Upgrade(old="MF-0001", new="MF-0001", version="24", **at("PC-002", D(2025, 8, 1))))
    apply_rollup(unit, D(2025, 8, 31), today=TODAY)
    a8 = load_ledger(unit).df(A8)
    assert a8.loc[a8["计算机编号"] == "PC-002", ["软件编号", "软件版本"]].values.tolist() == \
        [["MF-0001", "24"], ["SY-0001", "2016"]]
    assert load_ledger(unit).df(A7).set_index("软件编号").loc["MF-0001", "安装数量"] == 1


def test_scrap_computer_uninstalls_everything_still_on_it(unit):
    run(unit, plan_scrap_computer, Visit(slip="auto", handler="小刘", **at("PC-002", D(2025, 9, 1))))
    rows = events_of(unit).iloc[-2:]
    assert rows[["操作", "软件编号", "计算机编号"]].values.tolist() == [["卸载", "MF-0001", "PC-002"], ["卸载", "SY-0001", "PC-002"]]
    assert set(rows["确认单号"]) == {"QR-20250901-001"}
    pcs = load_ledger(unit).df(schema.COMPUTERS).set_index("计算机编号")
    assert pcs.loc["PC-002", "状态"] == "报废" and pcs.loc["PC-002", "报废日期"] == pd.Timestamp(2025, 9, 1)
    assert error_keys(unit) == set()
    with pytest.raises(LedgerError):
        run(unit, plan_scrap_computer, Visit(**at("PC-002", D(2025, 9, 2))))


def test_scrap_software_once_nothing_is_installed(unit):
    for pc in ("PC-001", "PC-002"):
        run(unit, plan_uninstall, Uninstall(software="SY-0001", **at(pc, D(2025, 6, 1))))
    run(unit, plan_scrap_software, ScrapSoftware(software="SY-0001", date=D(2025, 7, 1), reason="3"))
    row = load_ledger(unit).df(A7).set_index("软件编号").loc["SY-0001"]
    assert [row["状态"], row["报废日期"], row["报废原因"]] == ["已报废", pd.Timestamp(2025, 7, 1), "3"]
    assert error_keys(unit) == set()
    assert_user_content_kept(unit)


def test_one_visit_shares_one_slip_and_one_slip_row(unit):
    run(unit, plan_install, Install(software="SY-0002", slip="auto", handler="小刘", **at("PC-003", D(2025, 8, 1))))
    run(unit, plan_install, Install(software="MF-0001", slip="QR-20250801-001", **at("PC-003", D(2025, 8, 1))))
    run(unit, plan_install, Install(software="SY-0002", slip="auto", **at("SRV-01", D(2025, 8, 1))))
    assert events_of(unit)["确认单号"].iloc[-3:].tolist() == ["QR-20250801-001", "QR-20250801-001", "QR-20250801-002"]
    slips = load_ledger(unit).df(A11)
    assert slips["确认单号"].tolist() == ["QR-SIGNED", "QR-20250801-001", "QR-20250801-002"]
    assert slips[["计算机编号", "使用人", "安装维护人", "已签字"]].iloc[1].tolist() == ["PC-003", "王五", "小刘", "否"]
    with pytest.raises(LedgerError):
        run(unit, plan_install, Install(software="MF-0001", slip="QR-20250801-001", **at("SRV-01", D(2025, 8, 1))))


def test_baseline_turns_an_inventory_into_events(tmp_path):
    path = base_ledger(tmp_path)
    wb = openpyxl.load_workbook(path)
    inventory = [
        {"序号": "1", "部门": "办公室", "姓名": "张三", "计算机编号": "PC-001", "软件编号": "SY-0001", "软件版本": "2016"},
        {"序号": "2", "部门": "网络平台处", "姓名": "李四", "计算机编号": "PC-002", "软件编号": "MF-0001", "软件版本": "9.2"},
        {"序号": "3", "部门": "网络平台处", "姓名": "李四", "计算机编号": "PC-002", "软件编号": "OEM-0001", "软件版本": "专业版"},
    ]
    fill(wb, {"附件8": inventory})
    wb.save(path)
    with pytest.raises(LedgerError):
        apply_rollup(path, D(2025, 1, 1), today=TODAY)   # rows no event explains
    run(path, plan_baseline, D(2025, 1, 1))
    log = events_of(path)
    assert log[["计算机编号", "软件编号", "版本", "统一部署", "备注", "使用人"]].values.tolist() == [
        ["PC-001", "SY-0001", "2016", "是", "初始登记", "张三"], ["PC-002", "MF-0001", "9.2", "是", "初始登记", "李四"],
        ["PC-002", "OEM-0001", "专业版", "是", "初始登记", "李四"]]
    assert set(log["日期"]) == {pd.Timestamp(2025, 1, 1)}
    outcome = apply_rollup(path, D(2025, 1, 1), today=TODAY)
    assert outcome.plan.unexplained == [] and not [c for c in outcome.plan.a8_changes if c.kind != "更新"]
    assert error_keys(path) == set()
    assert_user_content_kept(path)
    before = sha(path)
    with pytest.raises(LedgerError):
        run(path, plan_baseline, D(2025, 1, 1))
    assert sha(path) == before


def test_the_file_before_the_baseline_is_a_backup_rotation_keeps(tmp_path, monkeypatch):
    from workbook_tools.files import safety
    from workbook_tools.ops.operations import BASELINE_BACKUP

    path = base_ledger(tmp_path)
    wb = openpyxl.load_workbook(path)
    fill(wb, {"附件8": [{"序号": "1", "部门": "办公室", "姓名": "张三", "计算机编号": "PC-001", "软件编号": "SY-0001",
                        "软件版本": "2016"}]})
    wb.save(path)
    original = path.read_bytes()
    run(path, plan_baseline, D(2025, 1, 1))
    monkeypatch.setattr(safety, "MAX_BACKUPS", 2)
    for day in (D(2025, 3, 31), D(2025, 6, 30), D(2025, 12, 31)):
        apply_rollup(path, day, today=TODAY, force=True)
    kept = [p for p in (path.parent / safety.BACKUP_DIR).iterdir() if BASELINE_BACKUP in p.name]
    assert [p.read_bytes() for p in kept] == [original]
    assert len(safety.backups_of(path)) == 2


def test_baseline_refuses_unknown_computers(tmp_path):
    path = base_ledger(tmp_path)
    wb = openpyxl.load_workbook(path)
    fill(wb, {"附件8": [{"序号": "1", "计算机编号": "PC-404", "软件编号": "SY-0001"}]})
    wb.save(path)
    with pytest.raises(LedgerError):
        run(path, plan_baseline, D(2025, 1, 1))


def test_refusal_lists_every_problem_force_would_override(unit):
    """Already installed there, over the licence count and an unlicensed version: all three said at once."""
    request = dict(software="SY-0001", version="2019", count=9, **at("PC-001", D(2025, 8, 1)))
    with pytest.raises(LedgerError) as refused:
        plan_install(load_ledger(unit), Install(**request), TODAY)
    forced = plan_install(load_ledger(unit), Install(**request, force=True, reason="测试"), TODAY).forced
    assert len(forced) == 3
    assert all(problem in refused.value.message for problem in forced), refused.value.message
    assert "\n" not in refused.value.message


@pytest.mark.parametrize("computer, software, meant", [("pc-001", "SY-0002", "PC-001"), ("PC-001", "sy-0002", "SY-0002")])
def test_an_id_typed_in_another_case_or_width_suggests_the_registered_one(unit, computer, software, meant):
    with pytest.raises(LedgerError) as refused:
        plan_install(load_ledger(unit), Install(software=software, **at(computer, D(2025, 8, 1))), TODAY)
    assert refused.value.exit_code == 1 and f"是否指 {meant}？" in refused.value.message


@pytest.mark.parametrize("as_text", [True, False])
def test_a_new_serial_has_the_type_of_the_column(tmp_path, as_text):
    path = base_ledger(tmp_path)
    wb = openpyxl.load_workbook(path)
    fill(wb, {"附件9": EVENTS})
    for r in range(2, 2 + len(EVENTS)):
        cell = wb[A9].cell(r, 1)
        cell.value = str(r - 1) if as_text else r - 1
    wb.save(path)
    run(path, plan_install, Install(software="SY-0002", request="SQ-001", **at("PC-001", D(2025, 8, 1))))
    ws = openpyxl.load_workbook(path)[A9]
    serials = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value]
    assert serials[-1] == ("4" if as_text else 4), serials
    assert len({type(s) for s in serials}) == 1, serials


def test_a_slip_without_handler_names_the_clerk_as_maintainer(unit, tmp_path):
    """install --slip auto without --handler: 附件11 and the printed slip name 设置's 填表人 as 安装维护人."""
    from pypdf import PdfReader

    from workbook_tools.forms import FORMS, print_form
    from workbook_tools.forms.common import PrintOptions
    wb = openpyxl.load_workbook(unit)
    fill(wb, {"设置": {"填表人": "周文"}})
    wb.save(unit)
    run(unit, plan_install, Install(software="SY-0002", slip="auto", **at("PC-003", D(2025, 8, 1))))
    ledger = load_ledger(unit)
    assert ledger.df(A11)["安装维护人"].iloc[-1] == "周文"
    assert pd.isna(ledger.df(A9)["经办人"].iloc[-1])          # the log keeps what was given: no handler
    out = tmp_path / "slip.pdf"
    print_form(FORMS[11], ledger, PrintOptions(ids=["QR-20250801-001"], today=TODAY), out)
    assert "安装维护人：周文" in PdfReader(out).pages[0].extract_text()
