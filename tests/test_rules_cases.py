"""Every LEDGER_SPEC §3 code: one small ledger that triggers it at the expected place, one near miss that does not."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from builders import clean_unit, make_ledger

from workbook_tools.read.reader import load_ledger
from workbook_tools.rules import CODES, run_check

TODAY = dt.date(2026, 3, 1)
d = dt.date
Unit = dict


def check(tmp_path, unit: Unit, today: dt.date = TODAY):
    return run_check(load_ledger(make_ledger(tmp_path, **unit)), today)


def places(result, code: str) -> set[tuple[str, int | None, str | None]]:
    return {(f.sheet.split(" ")[0] if f.sheet else None, f.row, f.cell) for f in result.findings if f.rule == code}


def a7(unit: Unit, i: int) -> dict:
    return unit["附件7"][i]


def event(number: str, op: str, pc: str, day: dt.date, **extra) -> dict:
    base = {"软件编号": number, "操作": op, "计算机编号": pc, "日期": day, "统一部署": "是", "安装数量": 1}
    return {**base, **extra}


def setting_row(key: str) -> int:
    from workbook_tools.core import schema

    return 2 + list(schema.ALL_SETTING_KEYS).index(key)


def add(sheet: str, *rows: dict) -> Callable[[Unit], None]:
    return lambda u: u.setdefault(sheet, []).extend(rows)


def setv(sheet: str, i: int, **values) -> Callable[[Unit], None]:
    return lambda u: u[sheet][i].update(values)


def both(*fns: Callable[[Unit], None]) -> Callable[[Unit], None]:
    def run(u: Unit) -> None:
        for fn in fns:
            fn(u)
    return run


SY_COPY = {k: v for k, v in clean_unit()["附件7"][0].items() if k not in ("序号", "安装数量")}
OLD_ROLLUP = lambda u: u["设置"].update({"上次半年更新日期": d(2025, 8, 1)})  # noqa: E731

# code -> (mutation, places that must be reported)
TRIGGERS: dict[str, tuple[Callable[[Unit], None], set]] = {
    "NUM-MISSING": (setv("附件7", 2, 软件编号=None), {("附件7", 4, "B4")}),
    "NUM-DUPLICATE": (add("附件7", {"软件编号": "SY-0001", "软件名称": "Foxit", "软件版本": "9", "软件类型": "OEM软件"}),
                      {("附件7", 5, "B5")}),
    "NUM-COMMERCIAL-SPLIT": (add("附件7", {**SY_COPY, "软件编号": "SY-0002"}), {("附件7", 5, "B5")}),
    "NUM-OEM-SPLIT": (add("附件7", {"软件编号": "OEM-0002", "软件名称": "windows", "软件版本": "10", "软件类型": "OEM软件"}),
                      {("附件7", 5, "B5")}),
    "NUM-FREE-SPLIT": (add("附件7", {"软件编号": "MF-0002", "软件名称": "7-Zip", "软件类型": "免费软件"}),
                       {("附件7", 5, "B5")}),
    "NUM-FORMAT": (add("附件7", {"软件编号": "X-0009", "软件名称": "Foo", "软件类型": "免费软件"}), {("附件7", 5, "B5")}),
    "BLANK-OEM": (setv("附件7", 1, 采购金额=100, 序列号="OEM-KEY"), {("附件7", 3, "G3"), ("附件7", 3, "L3")}),
    "BLANK-FREE": (setv("附件7", 2, 软件版本="23.01"), {("附件7", 4, "D4")}),
    "BLANK-DONATED": (setv("附件7", 0, 获取方式="受赠"), {("附件7", 2, "F2"), ("附件7", 2, "G2")}),
    "REQ-FIELD": (both(setv("附件7", 0, 许可数量=None), setv("附件9", 1, 日期=None)),
                  {("附件7", 2, "I2"), ("附件9", 3, "I3")}),
    "TYPE-ENUM": (both(setv("附件7", 0, 软件类型="商业"), setv("附件9", 2, 操作="装"), setv("附件7", 1, 报废原因="4")),
                  {("附件7", 2, "E2"), ("附件9", 4, "C4"), ("附件7", 3, "S3")}),
    "TYPE-DATE": (both(setv("附件9", 1, 日期="2025-13-45"), setv("附件7", 0, 许可期限="一年半左右")),
                  {("附件9", 3, "I3"), ("附件7", 2, "K2")}),
    "TYPE-NUMBER": (setv("附件7", 0, 许可数量="五个"), {("附件7", 2, "I2")}),
    "ID-WIDTH": (setv("附件9", 2, 计算机编号="ＰＣ－００２"), {("附件9", 4, "D4")}),
    "REF-SOFTWARE": (setv("附件9", 1, 软件编号="SY-0099"), {("附件9", 3, "B3")}),
    "REF-COMPUTER": (setv("附件9", 2, 计算机编号="PC-099"), {("附件9", 4, "D4")}),
    "REF-PERSON": (both(setv("计算机", 1, 使用人="王五"), setv("计算机", 0, 使用部门="网络平台处")),
                   {("计算机", 3, "D3"), ("计算机", 2, "E2")}),
    "REF-DEPT": (setv("人员", 0, 部门="财务处"), {("人员", 2, "A2")}),
    "MISMATCH-DERIVED": (both(setv("附件8", 0, 软件名称="WPS"), setv("附件9", 1, 计算机品牌="华为")),
                         {("附件8", 2, "G2"), ("附件9", 3, "E3")}),
    "FREE-NOT-LISTED": (both(lambda u: u["附件6"].clear(), add("附件6", {"软件编号": "SY-0001", "软件名称": "WPS"})),
                        {("附件7", 4, "B4"), ("附件6", 2, "B2")}),
    "VERSION-NOT-LICENSED": (both(setv("附件9", 1, 版本="2013"), setv("附件8", 0, 软件版本="2013")),
                             {("附件9", 3, "H3"), ("附件8", 2, "H2")}),
    "EVENT-UNINSTALL-ORPHAN": (add("附件9", event("SY-0001", "卸载", "PC-002", d(2025, 6, 1))), {("附件9", 5, "C5")}),
    "EVENT-DOUBLE-INSTALL": (add("附件9", event("SY-0001", "安装", "PC-001", d(2025, 6, 1))), {("附件9", 5, "C5")}),
    "EVENT-FUTURE": (add("附件9", event("SY-0001", "安装", "PC-002", d(2026, 3, 2))), {("附件9", 5, "I5")}),
    "EVENT-UPGRADE-HALF": (both(add("附件7", {**SY_COPY, "软件编号": "SY-0002", "软件版本": "2023", "可使用版本": None}),
                                add("附件9", event("SY-0002", "安装", "PC-001", d(2025, 6, 1)))),
                           {("附件9", 5, "B5")}),
    "EVENT-NO-REQUEST": (setv("附件9", 2, 申请编号=None), {("附件9", 4, "L4")}),
    "EVENT-NO-SLIP": (setv("附件11", 1, 已签字="否"), {("附件9", 3, "M3")}),
    "EVENT-DEAD-TARGET": (both(setv("计算机", 1, 状态="报废", 报废日期=d(2025, 1, 15)),
                               setv("附件7", 0, 状态="已报废", 报废日期=d(2024, 12, 1), 报废原因="1")),
                          {("附件9", 4, "D4"), ("附件9", 3, "B3")}),
    "LIC-OVERUSE": (setv("附件9", 1, 安装数量=6), {("附件7", 2, "I2")}),
    "LIC-EXPIRED": (setv("附件7", 0, 许可期限="2025-12-31"), {("附件7", 2, "K2")}),
    "LIC-EXPIRING": (setv("附件7", 0, 许可期限="2026-05-01"), {("附件7", 2, "K2")}),
    "SCRAP-INSTALLED": (both(setv("附件7", 0, 状态="已报废", 报废日期=d(2026, 2, 1), 报废原因="1"),
                             setv("附件7", 1, 报废原因="4")),
                        {("附件7", 2, "Q2"), ("附件7", 3, "S3")}),
    "ROLLUP-STALE": (both(OLD_ROLLUP, setv("附件7", 0, 安装数量=2),
                          add("附件8", {"计算机编号": "PC-002", "软件编号": "SY-0001", "软件名称": "WPS Office"})),
                     {("设置", setting_row("上次半年更新日期"), f"B{setting_row('上次半年更新日期')}"),
                      ("附件7", 2, "M2"), ("附件8", 5, "F5")}),
    "STAFF-NO-PLEDGE": (setv("人员", 0, 承诺书签署日期=None), {("人员", 2, "E2")}),
    "HEADER-COUNTS": (lambda u: u["设置"].update({"附件7.总人数": 5}),
                      {("设置", setting_row("附件7.总人数"), f"B{setting_row('附件7.总人数')}")}),
    # LEDGER_SPEC §11: a purchase without proof, a proof row without its certificate number
    "PROOF-MISSING": (both(add("附件7", {**SY_COPY, "软件编号": "SY-0002", "序列号": "SN-2", "采购时间": d(2025, 6, 1)}),
                           setv("采购资料", 0, 授权证书编号=None)),
                      {("附件7", 5, "B5"), ("采购资料", 2, "H2")}),
    "PROOF-MISMATCH": (setv("采购资料", 0, 许可数量=3, 授权方式="场地许可"), {("采购资料", 2, "F2"), ("采购资料", 2, "E2")}),
    # last year's training and this year's website notice do not make this year's training
    "CYCLE-NO-TRAINING": (add("培训宣传", {"日期": d(2025, 6, 1), "形式": "培训", "主题": "正版化培训"},
                              {"日期": d(2026, 6, 1), "形式": "网站", "主题": "正版化宣传"}),
                          {("培训宣传", None, None)}),
    "CYCLE-NO-INSPECTION": (add("检查记录", {"检查日期": d(2025, 10, 1), "范围": "全面检查", "发现问题数": 0},
                                {"检查日期": d(2026, 10, 1), "范围": "抽查", "发现问题数": 0}),
                            {("检查记录", None, None)}),
    # December's inspection not put right 60 days on; February's not reported yet
    "CYCLE-NOT-REPORTED": (add("检查记录", {"检查日期": d(2025, 12, 1), "范围": "全面检查", "发现问题数": 2,
                                            "通报日期": d(2025, 12, 10)},
                               {"检查日期": d(2026, 2, 1), "范围": "全面检查", "发现问题数": 1}),
                           {("检查记录", 2, "F2"), ("检查记录", 3, "G3")}),
}
# codes judged "by 12-01": their cases are checked on that day
DAYS = {"CYCLE-NO-TRAINING": d(2026, 12, 1), "CYCLE-NO-INSPECTION": d(2026, 12, 1)}

# code -> a mutation close to the trigger that must not report the code
NEAR_MISSES: dict[str, Callable[[Unit], None]] = {
    "NUM-MISSING": setv("附件7", 2, 软件编号="  MF-0001 "),
    "NUM-DUPLICATE": add("附件7", {"软件编号": "MF-0001", "软件名称": "7-Zip", "软件类型": "免费软件"}),
    "NUM-COMMERCIAL-SPLIT": add("附件7", {**SY_COPY, "软件编号": "SY-0002", "序列号": "SN-2"}),
    "NUM-OEM-SPLIT": add("附件7", {"软件编号": "OEM-0002", "软件名称": "Windows", "软件版本": "11", "软件类型": "OEM软件"}),
    # free software installed at two versions under one number
    "NUM-FREE-SPLIT": add("附件9", event("MF-0001", "安装", "PC-001", d(2025, 3, 1), 版本="24.05")),
    "NUM-FORMAT": add("附件7", {"软件编号": "MF0009", "软件名称": "Foo", "软件类型": "免费软件"}),
    "BLANK-OEM": setv("附件7", 1, 备注="随机预装"),
    "BLANK-FREE": setv("附件8", 2, 软件版本="24.05"),
    "BLANK-DONATED": setv("附件7", 0, 获取方式="受赠", 采购时间=None, 采购金额=None),
    "REQ-FIELD": setv("附件7", 0, 获取方式="调剂", 采购时间=None, 采购金额=None),
    "TYPE-ENUM": both(setv("附件7", 0, 软件类型=" 商业软件 "), setv("附件7", 1, 报废原因="（1）")),
    "TYPE-DATE": both(setv("附件9", 1, 日期="2025年1月5日"), setv("附件7", 0, 许可期限="3年")),
    "TYPE-NUMBER": setv("附件7", 0, 采购金额="¥1,200"),
    "ID-WIDTH": setv("附件9", 2, 计算机编号="\u3000PC-002 "),   # only spaces around it
    "REF-SOFTWARE": setv("附件9", 1, 软件编号=" SY-0001 "),
    "REF-COMPUTER": setv("附件10", 0, 计算机编号="PC-001"),
    # an old event records the department the person had then
    "REF-PERSON": add("附件9", event("SY-0001", "安装", "PC-002", d(2024, 1, 1), 使用人="李四", 使用部门="办公室"),
                      event("SY-0001", "卸载", "PC-002", d(2024, 6, 1), 使用人="李四", 使用部门="办公室")),
    "REF-DEPT": setv("人员", 0, 部门=" 办公室 "),
    "MISMATCH-DERIVED": setv("附件8", 0, 计算机品牌=None),
    "FREE-NOT-LISTED": add("附件7", {"软件编号": "MF-0002", "软件名称": "Foo", "软件类型": "免费软件"}),
    "VERSION-NOT-LICENSED": setv("附件9", 1, 版本="2016"),
    "EVENT-UNINSTALL-ORPHAN": add("附件9", event("SY-0001", "卸载", "PC-001", d(2025, 6, 1))),
    "EVENT-DOUBLE-INSTALL": add("附件9", event("SY-0001", "卸载", "PC-001", d(2025, 6, 1)),
                                event("SY-0001", "安装", "PC-001", d(2025, 7, 1))),
    "EVENT-FUTURE": add("附件9", event("SY-0001", "安装", "PC-002", TODAY)),
    "EVENT-UPGRADE-HALF": both(add("附件7", {**SY_COPY, "软件编号": "SY-0002", "软件版本": "2023"}),
                               add("附件9", event("SY-0001", "卸载", "PC-001", d(2025, 6, 1)),
                                   event("SY-0002", "安装", "PC-001", d(2025, 6, 1)))),
    "EVENT-NO-REQUEST": setv("附件9", 1, 申请编号=None, 统一部署="是"),
    "EVENT-NO-SLIP": setv("附件11", 0, 备注="已签字存档"),
    "EVENT-DEAD-TARGET": setv("计算机", 1, 状态="报废", 报废日期=d(2025, 2, 1)),
    # a site licence with 500 installations
    "LIC-OVERUSE": both(setv("附件7", 0, 许可类型="场地许可"), setv("附件9", 1, 安装数量=500)),
    "LIC-EXPIRED": setv("附件7", 0, 许可期限="长期"),
    "LIC-EXPIRING": setv("附件7", 0, 许可期限="2026-06-30"),
    "SCRAP-INSTALLED": both(setv("附件7", 1, 状态="已报废", 报废日期=d(2026, 2, 1), 报废原因="（3）"),
                            add("附件9", event("OEM-0001", "卸载", "PC-001", d(2026, 1, 31)))),
    "ROLLUP-STALE": lambda u: u["设置"].update({"上次半年更新日期": d(2025, 9, 1)}),
    "STAFF-NO-PLEDGE": add("人员", {"部门": "办公室", "姓名": "赵六", "使用计算机": "否", "状态": "调离"}),
    "HEADER-COUNTS": lambda u: u["设置"].update({"附件7.总人数": 2, "附件7.便携机数": "1"}),
    # donated software needs no purchase contract
    "PROOF-MISSING": add("附件7", {**SY_COPY, "软件编号": "SY-0002", "序列号": "SN-2", "获取方式": "受赠", "采购时间": None,
                                   "采购金额": None}),
    # spacing and width do not make a different licence type; an empty count is not a disagreement
    "PROOF-MISMATCH": setv("采购资料", 0, 授权方式="单机 许可", 许可数量=None),
    "CYCLE-NO-TRAINING": add("培训宣传", {"日期": d(2026, 6, 1), "形式": "培训", "主题": "正版化培训"}),
    "CYCLE-NO-INSPECTION": add("检查记录", {"检查日期": d(2026, 10, 1), "范围": "全面检查", "发现问题数": 0}),
    # reported, and 60 days have not yet passed; a spot check is not the yearly inspection
    "CYCLE-NOT-REPORTED": add("检查记录", {"检查日期": d(2026, 2, 1), "范围": "全面检查", "发现问题数": 1,
                                           "通报日期": d(2026, 2, 5)},
                              {"检查日期": d(2025, 11, 1), "范围": "抽查", "发现问题数": 3}),
}


# Cells openpyxl cannot write (control characters, over 32,767 characters): see test_input_limits.py.
ELSEWHERE = {"RULE-CRASH", "TYPE-TEXT"}


def test_every_code_has_a_case():
    assert set(TRIGGERS) | ELSEWHERE == set(CODES)
    assert set(NEAR_MISSES) | ELSEWHERE == set(CODES)


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_trigger(tmp_path, code):
    mutate, expected = TRIGGERS[code]
    unit = clean_unit()
    mutate(unit)
    result = check(tmp_path, unit, DAYS.get(code, TODAY))
    assert expected <= places(result, code)
    assert not places(result, "RULE-CRASH")
    assert all(f.severity.value == ("warning" if code in WARNINGS else "error")
               for f in result.findings if f.rule == code)


@pytest.mark.parametrize("code", sorted(NEAR_MISSES))
def test_near_miss(tmp_path, code):
    unit = clean_unit()
    NEAR_MISSES[code](unit)
    result = check(tmp_path, unit, DAYS.get(code, TODAY))
    assert places(result, code) == set()
    assert not places(result, "RULE-CRASH")


def test_clean_unit_is_clean(tmp_path):
    assert check(tmp_path, clean_unit()).findings == []


WARNINGS = {"NUM-FORMAT", "REF-PERSON", "REF-DEPT", "MISMATCH-DERIVED", "EVENT-DOUBLE-INSTALL", "EVENT-UPGRADE-HALF",
            "EVENT-NO-REQUEST", "EVENT-NO-SLIP", "LIC-EXPIRING", "ROLLUP-STALE", "STAFF-NO-PLEDGE", "HEADER-COUNTS",
            "ID-WIDTH", "PROOF-MISSING", "PROOF-MISMATCH", "CYCLE-NO-TRAINING", "CYCLE-NO-INSPECTION",
            "CYCLE-NOT-REPORTED"}
