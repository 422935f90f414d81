"""附件5: every block against figures worked out by hand (see the comments next to each row)."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from builders import make_ledger

from workbook_tools.core import schema
from workbook_tools.files.writer import write_workbook
from workbook_tools.ops import stats as st
from workbook_tools.read.reader import load_ledger

D = dt.date
SETTINGS = {"单位名称": "测试局", "填表人": "张三", "联系电话": "0412-1234567", "负责部门": "网络平台处",
            "负责部门负责人": "崔鹏翱", "负责部门电话": "0412-7654321", "负责部门传真": "0412-7654322"}
STAFF = [
    {"部门": "办公室", "姓名": "甲", "使用计算机": "是", "状态": "在职"},
    {"部门": "办公室", "姓名": "乙", "使用计算机": "否", "状态": "在职"},
    {"部门": "办公室", "姓名": "丙", "使用计算机": "是", "状态": "调离"},   # left: not counted
    {"部门": "办公室", "姓名": "丁", "使用计算机": "是"},                   # blank 状态 = 在职
]
COMPUTERS = [
    {"计算机编号": "PC1", "设备类型": "台式机", "状态": "在用", "启用日期": D(2020, 1, 1)},
    {"计算机编号": "PC2", "设备类型": "台式机", "状态": "报废", "报废日期": D(2025, 6, 1)},   # gone by year end
    {"计算机编号": "PC3", "设备类型": "台式机", "状态": "报废", "报废日期": D(2026, 2, 1)},   # still in use at year end
    {"计算机编号": "PC4", "设备类型": "便携机", "状态": "在用", "启用日期": D(2026, 1, 10)},  # not yet
    {"计算机编号": "SRV1", "设备类型": "服务器", "状态": "在用"},
    {"计算机编号": "LT1", "设备类型": "便携机", "状态": "在用"},
]


def sw(number, name, kind="商业软件", how="采购", bought=None, yuan=None, seats=None, cat=None, origin=None, **kw):
    return {"软件编号": number, "软件名称": name, "软件版本": "1", "软件类型": kind, "获取方式": how,
            "采购时间": bought, "采购金额": yuan, "许可数量": seats, "软件类别": cat, "产地": origin,
            "许可类型": kw.pop("licence", "单机授权" if kind == "商业软件" else None),
            "许可期限": kw.pop("term", "永久" if kind == "商业软件" else None), "状态": "在用", **kw}


SOFTWARE = [
    sw("SY-0001", "Windows 11", bought=D(2025, 3, 1), yuan=12000, seats=10, cat="操作系统", origin="国外"),
    sw("SY-0002", "WPS Office", bought=D(2025, 5, 10), yuan=3456.78, seats=5, cat="办公软件", origin="国内"),
    sw("SY-0003", "麒麟", bought=D(2024, 7, 1), yuan=8000, seats=4, cat="操作系统", origin="国内"),
    sw("SY-0004", "360杀毒", bought=D(2025, 1, 15), yuan=5000, cat="杀毒软件", origin="国内",
       licence="场地授权", term="1年"),                                   # ends 2026-01-14; 3 live seats
    sw("SY-0005", "Photoshop", bought=D(2025, 8, 1), yuan=20000, seats=2, cat="其他软件", origin="国外"),
    sw("SY-0006", "Office 2016", how="受赠", seats=3, cat="办公软件", origin="国外"),
    sw("SY-0007", "卡巴斯基", bought=D(2023, 1, 1), yuan=3000, seats=5, cat="杀毒软件", origin="国外",
       term="1年"),                                                      # ended 2023-12-31
    sw("SY-0008", "旧办公", bought=D(2020, 1, 1), yuan=1000, seats=2, cat="办公软件", origin="国内",
       状态="已报废", 报废日期=D(2025, 6, 30), 报废原因="1"),
    sw("OEM-0001", "Windows 10 家庭版", kind="OEM软件", how="随机预装", cat="操作系统", origin="国外"),
    sw("MF-0001", "7-Zip", kind="免费软件", how="免费获取", cat="其他软件", origin="国外"),
    sw("SY-0009", "无产地", bought=D(2025, 4, 1), yuan=2000, seats=1, cat="办公软件"),  # unclassified
    sw("SY-0010", "已报废其他", bought=D(2025, 2, 1), yuan=1000, seats=1, cat="其他软件", origin="国内",
       状态="已报废", 报废日期=D(2025, 10, 1), 报废原因="2"),
]


def ev(number, op, computer, day):
    return {"软件编号": number, "操作": op, "计算机编号": computer, "日期": day, "安装数量": 1, "统一部署": "是"}


EVENTS = [
    ev("SY-0004", "安装", "PC1", D(2025, 2, 1)), ev("SY-0004", "安装", "PC3", D(2025, 2, 1)),
    ev("SY-0004", "安装", "LT1", D(2025, 2, 1)), ev("SY-0004", "安装", "SRV1", D(2026, 1, 5)),
    ev("OEM-0001", "安装", "PC1", D(2020, 1, 1)), ev("OEM-0001", "安装", "PC2", D(2020, 1, 1)),
    ev("OEM-0001", "安装", "LT1", D(2021, 1, 1)), ev("OEM-0001", "安装", "SRV1", D(2021, 1, 1)),
    ev("OEM-0001", "卸载", "SRV1", D(2022, 1, 1)), ev("MF-0001", "安装", "PC1", D(2022, 1, 1)),
]


@pytest.fixture
def ledger_path(tmp_path):
    return make_ledger(tmp_path, **{"设置": SETTINGS, "人员": STAFF, "计算机": COMPUTERS,
                                    "附件7": SOFTWARE, "附件9": EVENTS})


@pytest.fixture
def result(ledger_path):
    return st.compute_stats(load_ledger(ledger_path), 2025, today=D(2026, 3, 1))


def test_header_and_department_come_from_settings(result):
    assert result.header.model_dump() == {"单位名称": "测试局", "填表人": "张三", "联系电话": "0412-1234567",
                                          "填表日期": D(2026, 3, 1)}
    assert result.department.model_dump() == {"部门名称": "网络平台处", "部门负责人姓名": "崔鹏翱",
                                              "部门负责人电话": "0412-7654321", "部门传真": "0412-7654322"}
    assert result.as_of == D(2025, 12, 31)


def test_people(result):
    assert (result.总人数, result.使用计算机人数) == (3, 2)


def test_computers_in_use_at_year_end(result):
    # PC1 + PC3 desktops; LT1 laptop (PC4 starts 2026); SRV1 server; PC2 scrapped mid-year
    assert result.computers == {"服务器": 1, "台式机": 2, "便携机": 1}
    assert result.计算机合计 == 4


def test_purchases_of_the_year(result):
    p = result.purchases
    assert (p["操作系统"]["国外"].licences, p["操作系统"]["国外"].wan) == (10, 1.2)
    assert (p["操作系统"]["国内"].licences, p["操作系统"]["合计"].licences) == (0, 10)
    assert (p["办公软件"]["国内"].licences, p["办公软件"]["国内"].wan) == (5, 0.3457)   # 3456.78 元
    assert p["办公软件"]["国外"].licences == 0                                           # 受赠 is no purchase
    assert (p["杀毒软件"]["国内"].licences, p["杀毒软件"]["国内"].wan) == (3, 0.5)        # site: 3 live seats
    # 总计 also holds 其他软件 (Photoshop 2 / 2万; SY-0010 1 / 0.1万, scrapped later but bought this year)
    assert (p["总计"]["国内"].licences, p["总计"]["国内"].wan) == (9, 0.9457)
    assert (p["总计"]["国外"].licences, p["总计"]["国外"].wan) == (12, 3.2)
    assert (p["总计"]["合计"].licences, p["总计"]["合计"].wan) == (21, 4.1457)


def test_holdings_at_year_end(result):
    h = result.holdings
    # OS: 麒麟 4 domestic; Windows 11 10 + two live OEM installs (PC2 scrapped, SRV1 uninstalled) abroad
    assert h["操作系统"] == {"国内": 4, "国外": 12, "合计": 16}
    assert h["办公软件"] == {"国内": 5, "国外": 3, "合计": 8}        # 旧办公 scrapped mid-year
    assert h["杀毒软件"] == {"国内": 3, "国外": 0, "合计": 3}        # 卡巴斯基 expired in 2023
    assert h["总计"] == {"国内": 12, "国外": 17, "合计": 29}         # + Photoshop 2


def test_unclassified_rows_are_listed_once(result):
    assert [(u.软件编号, u.row) for u in result.unclassified] == [("SY-0009", 12)]


def test_current_year_counts_up_to_today(ledger_path):
    mid = st.compute_stats(load_ledger(ledger_path), 2026, today=D(2026, 1, 20))
    assert mid.as_of == D(2026, 1, 20)
    # 360杀毒 ended 2026-01-14; PC3 still in use (scrapped 2026-02-01), PC4 started
    assert mid.holdings["杀毒软件"]["合计"] == 0
    assert mid.computers == {"服务器": 1, "台式机": 2, "便携机": 2}


@pytest.mark.parametrize(("term", "start", "ended"), [
    ("永久", None, False), ("2025-12-30", None, True), ("2025-12-31", None, False),
    ("1年", D(2025, 1, 1), False), ("1年", D(2024, 12, 31), True), ("1年", None, False),
])
def test_licence_ended_at_year_end(term, start, ended):
    assert st.licence_ended(term, start, D(2025, 12, 31)) is ended


def test_sheet_in_the_form_layout(ledger_path, result):
    ledger = load_ledger(ledger_path)
    write_workbook(ledger_path, lambda wb: st.write_stats_sheet(wb, result), "统计", ledger=ledger)
    wb = openpyxl.load_workbook(ledger_path)
    assert wb.sheetnames.index(schema.A5) == wb.sheetnames.index(schema.A4) + 1
    ws = wb[schema.A5]
    assert ws["A5"].value == "网络平台处" and ws["G5"].value == "0412-7654322"
    assert (ws["A8"].value, ws["E8"].value) == (3, 2)
    assert [ws[c].value for c in ("A11", "C11", "E11", "G11")] == [1, 2, 1, 4]
    assert [ws.cell(15, c).value for c in range(1, 10)] == ["国内", 0, 0, 5, 0.3457, 3, 0.5, 9, 0.9457]
    assert [ws.cell(17, c).value for c in range(1, 10)] == ["合计", 10, 1.2, 5, 0.3457, 3, 0.5, 21, 4.1457]
    assert [ws.cell(21, c).value for c in (1, 2, 4, 6, 8)] == ["国外", 12, 3, 0, 17]
    assert ws["C15"].number_format == st.WAN_FORMAT
    # a second rebuild replaces the sheet rather than adding one
    write_workbook(ledger_path, lambda wb: st.write_stats_sheet(wb, result), "统计")
    assert openpyxl.load_workbook(ledger_path).sheetnames.count(schema.A5) == 1
