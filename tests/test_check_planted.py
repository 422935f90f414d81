"""One ledger with one planted violation of each kind: each reported at its cell, no error anywhere else."""
from __future__ import annotations

import datetime as dt

from builders import clean_unit, make_ledger

from workbook_tools.read.reader import load_ledger
from workbook_tools.rules import run_check

TODAY = dt.date(2026, 3, 1)
d = dt.date


def sw(number, name, version="1", kind="商业软件", **extra) -> dict:
    base = {"软件编号": number, "软件名称": name, "软件版本": version, "软件类型": kind}
    if kind == "商业软件":
        base.update(采购时间=d(2024, 1, 1), 采购金额=100, 许可类型="单机许可", 许可数量=5, 许可期限="永久", 获取方式="采购")
    if kind == "免费软件":
        base.pop("软件版本")
    return {**base, **extra}


def ev(number, op, pc, day, **extra) -> dict:
    return {"软件编号": number, "操作": op, "计算机编号": pc, "日期": day, "安装数量": 1, "统一部署": "是",
            "确认单号": "QR-001", **extra}


def planted_unit() -> dict:
    u = clean_unit()
    u["附件7"] += [
        {**{k: v for k, v in u["附件7"][0].items() if k != "安装数量"}, "软件编号": "SY-0002"},   # 5 commercial split
        sw("OEM-0002", "Windows", "10", "OEM软件"),                                        # 6 OEM split
        sw("MF-0002", "7-Zip", kind="免费软件"),                                           # 7 free split
        sw(None, "Foo", kind="免费软件"),                                                  # 8 missing number
        sw("X-1", "Bar", kind="免费软件"),                                                 # 9 number format
        sw("OEM-0003", "Kylin", "V10", "OEM软件", 采购金额=99),                            # 10 BLANK-OEM
        sw("MF-0003", "Baz", kind="免费软件", 软件版本="1.0"),                             # 11 BLANK-FREE
        sw("SY-0003", "Foxit", 获取方式="受赠", 采购时间=None, 采购金额=500),               # 12 BLANK-DONATED
        sw("SY-0004", "CAD", 许可期限=None),                                               # 13 REQ-FIELD
        sw("SY-0005", "PS", 产地="美国"),                                                  # 14 TYPE-ENUM
        sw("SY-0006", "Office", 许可数量="很多"),                                          # 15 TYPE-NUMBER
        sw("SY-0007", "Acrobat", 采购时间="去年"),                                         # 16 TYPE-DATE
        sw("SY-0008", "Visio", 许可数量=1, 许可期限="2025-12-31"),                          # 17 overuse, expired
        sw("SY-0009", "Project", 许可期限="2026-04-15"),                                   # 18 expiring
        sw("SY-0010", "Old", 状态="已报废", 报废日期=d(2025, 6, 1), 报废原因="1"),           # 19 scrapped, installed
        sw("SY-0011", "WPS Office", "2023"),                                               # 20 upgrade target
    ]
    u["附件9"] += [
        ev("SY-0008", "安装", "PC-001", d(2025, 3, 1)),                   # 5
        ev("SY-0008", "安装", "PC-002", d(2025, 3, 1)),                   # 6
        ev("SY-0009", "安装", "PC-002", d(2025, 3, 1)),                   # 7
        ev("SY-0010", "安装", "PC-001", d(2025, 1, 1)),                   # 8
        ev("SY-0011", "安装", "PC-001", d(2025, 4, 1), 版本="2023"),      # 9 upgrade without the 卸载
        ev("SY-0010", "安装", "PC-002", d(2025, 7, 1)),                   # 10 after the software was scrapped
        ev("SY-0001", "卸载", "PC-002", d(2025, 5, 1)),                   # 11 orphan
        ev("MF-0001", "安装", "PC-002", d(2025, 5, 1)),                   # 12 double
        ev("SY-0001", "安装", "PC-002", d(2026, 4, 1)),                   # 13 future
        ev("SY-9999", "安装", "PC-001", d(2025, 5, 1)),                   # 14 unknown number
        ev("SY-0001", "安装", "PC-999", d(2025, 5, 1)),                   # 15 unknown computer
        ev("SY-0001", "安装", "PC-002", d(2025, 5, 2), 版本="2010"),      # 16 unlicensed version
        ev("MF-0001", "安装", "PC-001", d(2025, 5, 3), 统一部署="否"),     # 17 no request
        ev("OEM-0001", "安装", "PC-002", d(2025, 5, 4), 确认单号=None),   # 18 no slip
    ]
    u["附件8"][0]["计算机品牌"] = "华为"
    u["附件10"][0].update(申请人="王五", 申请部门="财务处")
    u["附件6"].append({"软件编号": "SY-0001", "软件名称": "WPS Office"})
    u["人员"].append({"部门": "办公室", "姓名": "赵六", "使用计算机": "否", "状态": "在职"})
    u["设置"]["附件7.台式机数"] = 9
    return u


PLANTED = {
    ("NUM-COMMERCIAL-SPLIT", "附件7", "B5"), ("NUM-OEM-SPLIT", "附件7", "B6"), ("NUM-FREE-SPLIT", "附件7", "B7"),
    ("NUM-MISSING", "附件7", "B8"), ("NUM-FORMAT", "附件7", "B9"), ("BLANK-OEM", "附件7", "G10"),
    ("BLANK-FREE", "附件7", "D11"), ("BLANK-DONATED", "附件7", "G12"), ("REQ-FIELD", "附件7", "K13"),
    ("TYPE-ENUM", "附件7", "P14"), ("TYPE-NUMBER", "附件7", "I15"), ("TYPE-DATE", "附件7", "F16"),
    ("LIC-OVERUSE", "附件7", "I17"), ("LIC-EXPIRED", "附件7", "K17"), ("LIC-EXPIRING", "附件7", "K18"),
    ("SCRAP-INSTALLED", "附件7", "Q19"), ("EVENT-UPGRADE-HALF", "附件9", "B9"), ("EVENT-DEAD-TARGET", "附件9", "B10"),
    ("EVENT-UNINSTALL-ORPHAN", "附件9", "C11"), ("EVENT-DOUBLE-INSTALL", "附件9", "C12"),
    ("EVENT-FUTURE", "附件9", "I13"), ("REF-SOFTWARE", "附件9", "B14"), ("REF-COMPUTER", "附件9", "D15"),
    ("VERSION-NOT-LICENSED", "附件9", "H16"), ("EVENT-NO-REQUEST", "附件9", "L17"), ("EVENT-NO-SLIP", "附件9", "M18"),
    ("MISMATCH-DERIVED", "附件8", "E2"), ("REF-PERSON", "附件10", "C2"), ("REF-DEPT", "附件10", "B2"),
    ("FREE-NOT-LISTED", "附件6", "B3"), ("STAFF-NO-PLEDGE", "人员", "E4"), ("HEADER-COUNTS", "设置", "B17"),
    ("ROLLUP-STALE", "附件7", "M17"),
}


def test_each_planted_violation_is_reported_at_its_cell(tmp_path):
    result = run_check(load_ledger(make_ledger(tmp_path, **planted_unit())), TODAY)
    found = {(f.rule, f.sheet.split(" ")[0], f.cell) for f in result.findings}
    assert found >= PLANTED
    assert "RULE-CRASH" not in {f.rule for f in result.findings}


def test_no_error_outside_the_planted_rows(tmp_path):
    result = run_check(load_ledger(make_ledger(tmp_path, **planted_unit())), TODAY)
    planted_rows = {(sheet, int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))) for _, sheet, cell in PLANTED}
    error_rows = {(f.sheet.split(" ")[0], f.row) for f in result.errors}
    assert error_rows <= planted_rows
