"""Half-yearly roll-up (LEDGER_SPEC §5) on a small unit whose history is written by the operations."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from builders import fill, make_ledger
from openpyxl.styles import PatternFill

from workbook_tools.core import schema
from workbook_tools.files.create import build_workbook
from workbook_tools.ops.operations import (
    Install,
    ScrapSoftware,
    Uninstall,
    Upgrade,
    Visit,
    plan_install,
    plan_scrap_computer,
    plan_scrap_software,
    plan_uninstall,
    plan_upgrade,
)
from workbook_tools.ops.rollup import RollupRefused, compute_rollup
from workbook_tools.read.reader import load_ledger
from workbook_tools.rules import run_check
from workbook_tools.tasks.operations import apply_operation
from workbook_tools.tasks.sheets import apply_rollup

D = dt.date
TODAY = D(2025, 12, 31)
A7, A8, A9 = schema.A7, schema.A8, schema.A9
USER_SHEET = "我的备注"
RED = "FFFF0000"

STAFF = [
    {"部门": "办公室", "姓名": "张三", "职务": "科员", "使用计算机": "是", "承诺书签署日期": D(2024, 1, 5), "状态": "在职"},
    {"部门": "网络平台处", "姓名": "李四", "职务": "处长", "使用计算机": "是", "承诺书签署日期": D(2024, 1, 5), "状态": "在职"},
    {"部门": "办公室", "姓名": "王五", "职务": "科员", "使用计算机": "是", "承诺书签署日期": D(2024, 1, 5), "状态": "调离"},
    {"部门": "网络平台处", "姓名": "赵六", "职务": "科员", "使用计算机": "否", "承诺书签署日期": D(2024, 1, 5), "状态": "在职"},
]
COMPUTERS = [
    {"计算机编号": "PC-001", "计算机品牌": "联想", "设备类型": "台式机", "使用人": "张三", "使用部门": "办公室", "状态": "在用"},
    {"计算机编号": "PC-002", "计算机品牌": "华为", "设备类型": "便携机", "使用人": "李四", "使用部门": "网络平台处", "状态": "在用"},
    {"计算机编号": "PC-003", "计算机品牌": "戴尔", "设备类型": "台式机", "使用人": "王五", "使用部门": "办公室", "状态": "在用"},
    {"计算机编号": "SRV-01", "计算机品牌": "浪潮", "设备类型": "服务器", "使用人": "李四", "使用部门": "网络平台处", "状态": "在用"},
]
COMMERCIAL = {"软件类型": "商业软件", "采购时间": D(2024, 3, 1), "采购金额": 3000, "许可类型": "单机",
              "获取方式": "采购", "软件类别": "办公软件", "产地": "国内", "状态": "在用"}
SOFTWARE = [
    {"序号": "1", "软件编号": "SY-0001", "软件名称": "WPS Office", "软件版本": "2016", "许可数量": 3,
     "许可期限": "永久", **COMMERCIAL},
    {"序号": "2", "软件编号": "SY-0002", "软件名称": "WPS Office", "软件版本": "2019", "许可数量": 5,
     "许可期限": "2030-12-31", **COMMERCIAL},
    {"序号": "3", "软件编号": "OEM-0001", "软件名称": "Windows 10", "软件版本": "专业版", "软件类型": "OEM软件",
     "获取方式": "随机预装", "软件类别": "操作系统", "产地": "国外", "状态": "在用"},
    {"序号": "4", "软件编号": "MF-0001", "软件名称": "7-Zip", "软件类型": "免费软件", "获取方式": "免费获取",
     "软件类别": "其他软件", "产地": "国外", "状态": "在用"},
]
SHEETS = {
    "部门": [{"部门名称": "办公室", "部门类型": "处室"}, {"部门名称": "网络平台处", "部门类型": "处室"}],
    "人员": STAFF, "计算机": COMPUTERS, "附件7": SOFTWARE,
    "附件6": [{"序号": "1", "软件编号": "MF-0001", "软件名称": "7-Zip", "软件来源": "官网"}],
    "附件10": [{"申请编号": "SQ-001", "申请部门": "办公室", "申请人": "张三", "申请时间": D(2025, 7, 20),
               "计算机编号": "PC-001", "申请类型": "升级", "状态": "已完成"}],
}


def base_ledger(tmp_path: Path, name: str = "台账.xlsx") -> Path:
    """Registers and 附件7 of a small unit, plus what a user adds: a sheet, a column, cell colours."""
    wb = build_workbook()
    fill(wb, SHEETS)
    ws = wb[A7]
    col = ws.max_column + 1
    ws.cell(1, col, "资产标签")
    for row in range(2, 2 + len(SOFTWARE)):
        ws.cell(row, col, f"ZC-{row:03d}")
    ws["C2"].fill = PatternFill("solid", fgColor=RED)
    wb[A8]["A1"].fill = PatternFill("solid", fgColor=RED)
    wb.create_sheet(USER_SHEET)["A1"] = "用户自己的内容"
    path = tmp_path / name
    wb.save(path)
    return path


def visit(pc: str, day: D, **kw) -> dict:
    return {"computer": pc, "date": day, "unified": True, **kw}


HISTORY = [
    (plan_install, Install(software="SY-0001", slip="auto", **visit("PC-001", D(2025, 1, 10)))),
    (plan_install, Install(software="MF-0001", version="22", slip="QR-20250110-001", **visit("PC-001", D(2025, 1, 10)))),
    (plan_install, Install(software="OEM-0001", **visit("PC-001", D(2025, 1, 10)))),
    (plan_install, Install(software="SY-0001", **visit("PC-002", D(2025, 2, 1)))),
    (plan_install, Install(software="MF-0001", version="23", **visit("PC-002", D(2025, 2, 1)))),
    (plan_install, Install(software="SY-0001", **visit("PC-003", D(2025, 3, 1)))),
    (plan_install, Install(software="OEM-0001", **visit("PC-003", D(2025, 3, 1)))),
    (plan_uninstall, Uninstall(software="MF-0001", **visit("PC-001", D(2025, 4, 15)))),
    (plan_scrap_computer, Visit(slip="auto", **visit("PC-003", D(2025, 5, 20)))),
    (plan_upgrade, Upgrade(old="SY-0001", new="SY-0002", request="SQ-001", slip="auto",
                           **visit("PC-001", D(2025, 8, 1), unified=False))),
    (plan_install, Install(software="MF-0001", version="24", **visit("PC-001", D(2025, 9, 1)))),
    (plan_uninstall, Uninstall(software="SY-0001", **visit("PC-002", D(2025, 10, 1)))),
    (plan_scrap_software, ScrapSoftware(software="SY-0001", date=D(2025, 11, 1), reason="2")),
]

OFFICE = ("办公室", "张三", "PC-001", "联想")
NETWORK = ("网络平台处", "李四", "PC-002", "华为")
RETIRED = ("办公室", "王五", "PC-003", "戴尔")
WPS16 = ("SY-0001", "WPS Office", "2016", "永久", "商业软件")
WPS19 = ("SY-0002", "WPS Office", "2019", "2030-12-31", "商业软件")
WIN = ("OEM-0001", "Windows 10", "专业版", None, "OEM软件")


def zip7(version: str) -> tuple:
    return ("MF-0001", "7-Zip", version, None, "免费软件")


EXPECTED = {
    D(2025, 6, 30): [
        (*OFFICE, *WIN, D(2025, 1, 10)), (*OFFICE, *WPS16, D(2025, 1, 10)),
        (*NETWORK, *zip7("23"), D(2025, 2, 1)), (*NETWORK, *WPS16, D(2025, 2, 1)),
    ],
    D(2025, 12, 31): [
        (*OFFICE, *zip7("24"), D(2025, 9, 1)), (*OFFICE, *WIN, D(2025, 1, 10)), (*OFFICE, *WPS19, D(2025, 8, 1)),
        (*NETWORK, *zip7("23"), D(2025, 2, 1)),
    ],
    D(2025, 3, 31): [
        (*OFFICE, *zip7("22"), D(2025, 1, 10)), (*OFFICE, *WIN, D(2025, 1, 10)), (*OFFICE, *WPS16, D(2025, 1, 10)),
        (*RETIRED, *WIN, D(2025, 3, 1)), (*RETIRED, *WPS16, D(2025, 3, 1)),
        (*NETWORK, *zip7("23"), D(2025, 2, 1)), (*NETWORK, *WPS16, D(2025, 2, 1)),
    ],
}
COUNTS = {
    D(2025, 6, 30): {"SY-0001": 2, "SY-0002": 0, "OEM-0001": 1, "MF-0001": 1},
    D(2025, 12, 31): {"SY-0001": 0, "SY-0002": 1, "OEM-0001": 1, "MF-0001": 2},
    D(2025, 3, 31): {"SY-0001": 3, "SY-0002": 0, "OEM-0001": 2, "MF-0001": 2},
}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def error_keys(path: Path) -> set[tuple]:
    result = run_check(load_ledger(path), TODAY)
    return {(f.rule, f.sheet, f.row, f.column) for f in result.errors}


def assert_user_content_kept(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    assert wb[USER_SHEET]["A1"].value == "用户自己的内容"
    ws = wb[A7]
    col = next(c.column for c in ws[1] if c.value == "资产标签")
    assert [ws.cell(r, col).value for r in range(2, 2 + len(SOFTWARE))] == [f"ZC-{r:03d}" for r in range(2, 6)]
    assert ws["C2"].fill.fgColor.rgb == RED
    assert wb[A8]["A1"].fill.fgColor.rgb == RED


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """The unit after every operation of HISTORY, each checked to add no error and keep the user's content."""
    folder = tmp_path_factory.mktemp("history")
    path = base_ledger(folder)
    assert error_keys(path) == set()
    for planner, request in HISTORY:
        apply_operation(path, planner, request, TODAY)
        assert error_keys(path) == set(), planner.__name__
        assert_user_content_kept(path)
    return path


@pytest.fixture
def ledger_copy(history, tmp_path) -> Path:
    target = tmp_path / "台账.xlsx"
    shutil.copy(history, target)
    return target


def a8_rows(path: Path) -> list[tuple]:
    df = load_ledger(path).df(A8)
    headers = [h for h in schema.BY_NAME[A8].headers if h != "序号"]
    out = []
    for values in df[headers].astype(object).itertuples(index=False):
        out.append(tuple(None if v is None or (not isinstance(v, str) and v != v) else
                         (v.date() if hasattr(v, "date") else v) for v in values))
    assert df["序号"].tolist() == [str(i) for i in range(1, len(df) + 1)]
    return out


def a7_counts(path: Path) -> dict[str, float]:
    df = load_ledger(path).df(A7)
    return dict(zip(df["软件编号"], df["安装数量"]))


@pytest.mark.parametrize("order", [(D(2025, 6, 30), D(2025, 12, 31)), (D(2025, 12, 31), D(2025, 3, 31), D(2025, 6, 30))])
def test_rollup_at_several_dates_gives_exactly_the_expected_rows(ledger_copy, order):
    for before, day in zip((None, *order), order):
        back = before is not None and day < before   # going back to an earlier date must be forced
        outcome = apply_rollup(ledger_copy, day, force=back, today=TODAY)
        assert outcome.written
        assert a8_rows(ledger_copy) == EXPECTED[day]
        assert a7_counts(ledger_copy) == COUNTS[day]
        assert error_keys(ledger_copy) == set()
        assert_user_content_kept(ledger_copy)


def test_a_second_run_with_the_same_date_writes_nothing(ledger_copy):
    apply_rollup(ledger_copy, D(2025, 6, 30), today=TODAY)
    before = sha(ledger_copy)
    backups = sorted((ledger_copy.parent / "备份").iterdir())
    again = apply_rollup(ledger_copy, D(2025, 6, 30), today=TODAY)
    assert not again.written and not again.plan.changed
    assert sha(ledger_copy) == before
    assert sorted((ledger_copy.parent / "备份").iterdir()) == backups


def test_settings_get_the_header_counts_and_the_stamp(ledger_copy):
    apply_rollup(ledger_copy, D(2025, 12, 31), today=TODAY)
    wb = openpyxl.load_workbook(ledger_copy)
    values = {r[0].value: r[1].value for r in wb[schema.SETTINGS].iter_rows(min_row=2) if r[0].value}
    # PC-003 was scrapped; 王五 has left; 赵六 does not use a computer
    assert {k: values[f"附件7.{k}"] for k in schema.HEADER_COUNT_KEYS} == \
        {"总人数": 3, "使用计算机人数": 2, "服务器数": 1, "台式机数": 1, "便携机数": 1}
    assert values["上次半年更新日期"] == dt.datetime(2025, 12, 31)
    assert values["上次半年更新期间"] == "2025年下半年"
    plan = compute_rollup(load_ledger(ledger_copy), D(2026, 3, 1))
    assert plan.period == "2026年上半年"
    assert [c.key for c in plan.setting_changes] == ["上次半年更新日期", "上次半年更新期间"]


def test_a_missing_header_count_key_is_added(ledger_copy):
    wb = openpyxl.load_workbook(ledger_copy)
    ws = wb[schema.SETTINGS]
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "附件7.服务器数")
    ws.delete_rows(row)
    wb.save(ledger_copy)
    apply_rollup(ledger_copy, D(2025, 12, 31), today=TODAY)
    assert load_ledger(ledger_copy).settings["附件7.服务器数"] == "1"


def test_change_log_has_one_line_per_changed_row(ledger_copy):
    apply_rollup(ledger_copy, D(2025, 6, 30), today=TODAY)
    log_before = len(load_ledger(ledger_copy).df(schema.CHANGES))
    apply_rollup(ledger_copy, D(2025, 12, 31), today=TODAY)
    log = load_ledger(ledger_copy).df(schema.CHANGES).iloc[log_before:]
    lines = list(zip(log["表"], log["内容"]))
    a8 = [c for s, c in lines if s == "附件8"]
    # 06-30 -> 12-31: +MF(PC-001) +SY-0002(PC-001); -SY-0001(PC-001) -SY-0001(PC-002)
    assert sorted(c[:2] for c in a8) == ["删除", "删除", "新增", "新增"]
    assert all("计算机 " in c and "软件编号 " in c for c in a8)
    assert sum(s == "附件7" for s, _ in lines) == 3   # SY-0001 2→0, SY-0002 0→1, MF-0001 1→2
    assert sum(s == "设置" for s, _ in lines) == 2    # the stamp; header counts unchanged


def test_refused_while_the_log_has_errors_and_forced_on_request(ledger_copy):
    wb = openpyxl.load_workbook(ledger_copy)
    fill(wb, {"附件9": [{"序号": "99", "软件编号": "SY-0002", "操作": "卸载", "计算机编号": "PC-002",
                         "日期": D(2025, 6, 1), "统一部署": "是"}]})
    wb.save(ledger_copy)
    before = sha(ledger_copy)
    with pytest.raises(RollupRefused) as refused:
        apply_rollup(ledger_copy, D(2025, 12, 31), today=TODAY)
    assert refused.value.exit_code == 1
    assert {f.rule for f in refused.value.findings} == {"EVENT-UNINSTALL-ORPHAN"}
    assert sha(ledger_copy) == before
    outcome = apply_rollup(ledger_copy, D(2025, 12, 31), force=True, today=TODAY)
    assert outcome.written and [f.rule for f in outcome.ignored] == ["EVENT-UNINSTALL-ORPHAN"]
    assert a8_rows(ledger_copy) == EXPECTED[D(2025, 12, 31)]


def test_rows_no_event_explains_are_listed_and_kept_in_the_change_log_when_forced(ledger_copy):
    apply_rollup(ledger_copy, D(2025, 12, 31), today=TODAY)
    wb = openpyxl.load_workbook(ledger_copy)
    fill(wb, {"附件8": [{"序号": "9", "部门": "网络平台处", "姓名": "李四", "计算机编号": "SRV-01", "软件编号": "OEM-0001",
                         "软件名称": "Windows 10", "软件版本": "专业版", "软件类型": "OEM软件", "安装日期": D(2020, 5, 1)}]})
    wb.save(ledger_copy)
    before = sha(ledger_copy)
    with pytest.raises(RollupRefused) as refused:
        apply_rollup(ledger_copy, D(2025, 12, 31), today=TODAY)
    assert [(f.rule, f.sheet, f.row) for f in refused.value.findings] == [("ROLLUP-STALE", A8, 6)]
    assert sha(ledger_copy) == before
    outcome = apply_rollup(ledger_copy, D(2025, 12, 31), force=True, today=TODAY)
    assert [c.row for c in outcome.plan.a8_changes if c.unexplained] == [6]
    assert a8_rows(ledger_copy) == EXPECTED[D(2025, 12, 31)]
    removed = [c for c in load_ledger(ledger_copy).df(schema.CHANGES)["内容"] if "SRV-01" in str(c)]
    assert len(removed) == 1 and all(v in removed[0] for v in ("OEM-0001", "李四", "2020-05-01", "专业版"))


def test_extra_columns_of_a8_follow_their_rows(ledger_copy):
    apply_rollup(ledger_copy, D(2025, 6, 30), today=TODAY)
    wb = openpyxl.load_workbook(ledger_copy)
    ws = wb[A8]
    ws.cell(1, 13, "资产位置")
    notes = {"PC-001/SY-0001": "三楼", "PC-002/MF-0001": "五楼", "PC-002/SY-0001": "机房"}
    for row in range(2, ws.max_row + 1):
        key = f"{ws.cell(row, 4).value}/{ws.cell(row, 6).value}"
        ws.cell(row, 13, notes.get(key))
    wb.save(ledger_copy)
    apply_rollup(ledger_copy, D(2025, 12, 31), today=TODAY)
    ws = openpyxl.load_workbook(ledger_copy)[A8]
    kept = {f"{ws.cell(r, 4).value}/{ws.cell(r, 6).value}": ws.cell(r, 13).value for r in range(2, ws.max_row + 1)
            if ws.cell(r, 4).value}
    assert kept == {"PC-001/MF-0001": None, "PC-001/OEM-0001": None, "PC-001/SY-0002": None, "PC-002/MF-0001": "五楼"}
    changes = load_ledger(ledger_copy).df(schema.CHANGES)["内容"].astype(str)
    assert changes.str.contains("资产位置=三楼").any() and changes.str.contains("资产位置=机房").any()


def test_a_future_date_is_refused(ledger_copy):
    before = sha(ledger_copy)
    with pytest.raises(Exception) as refused:
        apply_rollup(ledger_copy, D(2026, 1, 1), today=TODAY)
    assert getattr(refused.value, "exit_code", None) == 1
    assert sha(ledger_copy) == before


def test_rollup_of_an_empty_unit(tmp_path):
    path = make_ledger(tmp_path, **{"人员": STAFF[:1]})
    outcome = apply_rollup(path, D(2025, 6, 30), today=TODAY)
    assert outcome.written and outcome.plan.rows == []
    assert outcome.plan.header["总人数"] == 1


def test_user_text_below_the_table_is_logged_when_rows_grow_over_it(ledger_copy):
    apply_rollup(ledger_copy, D(2025, 6, 30), today=TODAY)
    wb = openpyxl.load_workbook(ledger_copy)
    wb[A8].cell(1, 13, "说明")
    wb[A8].cell(7, 13, "以上为本处室自查结果")
    wb.save(ledger_copy)
    apply_rollup(ledger_copy, D(2025, 3, 31), force=True, today=TODAY)
    assert a8_rows(ledger_copy) == EXPECTED[D(2025, 3, 31)]
    changes = load_ledger(ledger_copy).df(schema.CHANGES)
    assert changes["内容"].astype(str).str.contains("以上为本处室自查结果").sum() == 1


def test_title_rows_above_the_headers_are_respected(tmp_path):
    path = base_ledger(tmp_path)
    wb = openpyxl.load_workbook(path)
    for name in (A8, A9, A7):
        wb[name].insert_rows(1, 2)
        wb[name]["A1"] = f"{name}（单位自制标题）"
    wb.save(path)
    for planner, request in HISTORY:
        apply_operation(path, planner, request, TODAY)
    apply_rollup(path, D(2025, 6, 30), today=TODAY)
    assert a8_rows(path) == EXPECTED[D(2025, 6, 30)]
    assert a7_counts(path) == COUNTS[D(2025, 6, 30)]
    ws = openpyxl.load_workbook(path)[A8]
    assert ws["A1"].value == f"{A8}（单位自制标题）" and ws["A4"].value == 1
    assert error_keys(path) == set()
