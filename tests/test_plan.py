"""附件3 → 附件4: shortage, price of the latest purchase, totals, and rows a clerk edited."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from builders import make_ledger

from workbook_tools.core import schema
from workbook_tools.files.writer import write_workbook
from workbook_tools.ops import plan as pl
from workbook_tools.read.reader import load_ledger

D = dt.date
TODAY = D(2026, 3, 1)


def sw(number, name, version, kind="商业软件", **kw):
    return {"软件编号": number, "软件名称": name, "软件版本": version, "软件类型": kind, "许可期限": "永久",
            "状态": "在用", **kw}


SOFTWARE = [
    sw("SY-0001", "WPS Office", "2019", 获取方式="采购", 采购时间=D(2024, 1, 1), 采购金额=1000, 许可类型="单机",
       许可数量=10, 软件类别="办公软件", 产地="国内"),
    sw("SY-0002", "WPS Office", "2019", 获取方式="采购", 采购时间=D(2025, 6, 1), 采购金额=1500, 许可类型="单机",
       许可数量=10, 软件类别="办公软件", 产地="国内"),                       # latest price: 150
    sw("SY-0003", "Photoshop", "2023", 获取方式="采购", 采购时间=D(2025, 1, 1), 采购金额=6000, 许可类型="单机",
       许可数量=2, 软件类别="其他软件", 产地="国外"),
    sw("SY-0004", "360杀毒", "13", 获取方式="采购", 采购时间=D(2025, 1, 1), 采购金额=9000, 许可类型="场地授权",
       软件类别="杀毒软件", 产地="国内"),
    sw("SY-0005", "AutoCAD", "2024", 获取方式="受赠", 许可类型="单机", 许可数量=1, 软件类别="其他软件", 产地="国外"),
    {"软件编号": "MF-0001", "软件名称": "7-Zip", "软件类型": "免费软件", "获取方式": "免费获取"},
]


def installs(number, computers):
    return [{"软件编号": number, "操作": "安装", "计算机编号": c, "日期": D(2025, 7, 1), "安装数量": 1} for c in computers]


EVENTS = (installs("SY-0001", [f"PC{i}" for i in range(1, 10)]) + installs("SY-0003", ["PC1", "PC2", "PC3"])
          + installs("SY-0005", ["PC1"]))


def req(number, cat, count, chosen=None):
    return {"申请编号": number, "申请部门": "办公室", "软件类别": cat, "申请许可数": count, "选定软件编号": chosen,
            "填表日期": D(2026, 1, 10)}


REQUESTS = [req("R1", "办公软件", 4, "SY-0001"), req("R2", "办公软件", 3, "SY-0001"), req("R3", "其他软件", 1, "SY-0003"),
            req("R4", "杀毒软件", 50, "SY-0004"), req("R5", "其他软件", 2, "SY-0005"), req("R6", "其他软件", 1, "MF-0001"),
            req("R7", "办公软件", 2)]


@pytest.fixture
def path(tmp_path):
    return make_ledger(tmp_path, **{"附件7": SOFTWARE, "附件9": EVENTS, "附件3": REQUESTS})


def run(path):
    ledger = load_ledger(path)
    result = pl.compute_plan(ledger, TODAY)
    write_workbook(path, pl.apply_plan(ledger, result), "采购计划", ledger=ledger)
    return result


def a4_rows(path):
    ws = openpyxl.load_workbook(path)[schema.A4]
    return [[c.value for c in row[:10]] for row in ws.iter_rows(min_row=2) if any(c.value for c in row[:10])]


def test_gaps(path):
    gaps = {g.软件编号: g for g in pl.compute_plan(load_ledger(path), TODAY).gaps}
    wps = gaps["SY-0001"]
    assert (wps.requested, wps.held, wps.installed, wps.free, wps.shortage) == (7, 10, 9, 1, 6)
    assert wps.requests == ["R1", "R2"]
    ps = gaps["SY-0003"]                      # over-used by one: the shortage covers it too
    assert (ps.free, ps.shortage) == (-1, 2)
    assert gaps["SY-0004"].held is None and gaps["SY-0004"].shortage == 0
    assert gaps["MF-0001"].shortage == 0 and not gaps["MF-0001"].purchasable
    assert (gaps["SY-0005"].free, gaps["SY-0005"].shortage) == (0, 2)


def test_pending_requests(path):
    assert [(p.申请编号, p.row) for p in pl.compute_plan(load_ledger(path), TODAY).pending] == [("R7", 8)]


def test_proposals_prices_and_total(path):
    result = run(path)
    assert [(p.软件编号, p.单价, p.许可数, p.合计) for p in result.proposals] == [
        ("SY-0001", 150, 6, 900), ("SY-0003", 3000, 2, 6000), ("SY-0005", None, 2, None)]
    rows = a4_rows(path)
    assert rows[0][:9] == [1, "WPS Office", "2019", 150, 6, 900, "办公软件", "国内", "R1,R2"]
    assert rows[2][3:6] == [None, 2, None]
    assert rows[3][0] == "共计" and rows[3][4:6] == [10, 6900]
    assert len(rows) == 4


def test_reader_and_rules_skip_the_total_row(path):
    run(path)
    a4 = load_ledger(path).df(schema.A4)
    assert len(a4) == 4 and len(pl.plan_rows(a4)) == 3
    assert pl.is_total_row(a4.iloc[-1])


def test_second_run_without_changes_writes_nothing(path):
    run(path)
    before = path.read_bytes()
    run(path)
    assert path.read_bytes() == before


def test_hand_edited_rows_are_kept(path):
    run(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.A4]
    ws["D4"], ws["F4"] = 5000, 10000                     # the clerk prices the AutoCAD row
    ws.append(["4", "Visio", "2021", 2000, 1, 2000])     # and adds a row of their own after 共计
    wb[schema.A3]["I3"] = 5                              # R2 now asks for 5: WPS shortage 8
    wb.save(path)
    result = run(path)
    assert sorted((k.row, k.软件名称) for k in result.kept) == [(4, "AutoCAD"), (6, "Visio")]
    assert result.covered_by_hand == ["SY-0005"]
    rows = a4_rows(path)
    assert [r[1] for r in rows] == ["AutoCAD", "Visio", "WPS Office", "Photoshop", "共计"]
    assert rows[0][3:6] == [5000, 2, 10000]
    assert rows[2][0] == 5 and rows[2][4:6] == [8, 1200]
    assert rows[4][0] == "共计" and rows[4][4:6] == [13, 19200]


def test_year_filter_drops_old_requests(path):
    old = load_ledger(path)
    old.df(schema.A3).loc[0, "填表日期"] = dt.datetime(2024, 5, 1)
    gaps = {g.软件编号: g for g in pl.compute_plan(old, TODAY, year=2026).gaps}
    assert gaps["SY-0001"].requests == ["R2"]


def test_a_hand_row_for_other_requests_does_not_hide_a_new_need(tmp_path):
    old = {"序号": "1", "软件名称": "Photoshop", "软件版本": "2023", "单价": 3000, "许可数": 2, "合计": 6000,
           "依据申请编号": "R2024-9", "备注": "2024 年采购"}
    uncited = {"序号": "2", "软件名称": "WPS Office", "软件版本": "2019", "单价": 150, "许可数": 6, "合计": 900}
    path = make_ledger(tmp_path, **{"附件7": SOFTWARE, "附件9": EVENTS, "附件3": REQUESTS, "附件4": [old, uncited]})
    result = pl.compute_plan(load_ledger(path), TODAY)
    assert result.covered_by_hand == ["SY-0001"]           # no 依据申请编号: same name and version covers it
    assert [p.软件编号 for p in result.proposals] == ["SY-0003", "SY-0005"]  # last year's row cites other requests


def test_default_year_is_the_newest_requests_and_met_or_scrapped_requests_do_not_count(tmp_path):
    software = [*SOFTWARE, sw("SY-0006", "Visio", "2021", 获取方式="采购", 采购时间=D(2021, 3, 1), 采购金额=100,
                              许可类型="单机", 许可数量=1, 软件类别="其他软件", 产地="国外", 状态="已报废",
                              报废日期=D(2023, 1, 1), 报废原因="1")]
    requests = [{**req("OLD-1", "办公软件", 30, "SY-0002"), "填表日期": D(2025, 3, 1)},   # met: bought 2025-06-01
                {**req("OLD-2", "其他软件", 5, "SY-0006"), "填表日期": D(2025, 3, 1)},    # scrapped software
                {**req("NEW-1", "办公软件", 3, "SY-0002"), "填表日期": D(2026, 1, 10)},
                {**req("NEW-2", "其他软件", 4, "SY-0006"), "填表日期": D(2026, 1, 10)},
                {**req("NEW-3", "办公软件", 30, "SY-0002"), "填表日期": D(2025, 5, 1)}]  # 2025: met too
    path = make_ledger(tmp_path, **{"附件7": software, "附件9": EVENTS, "附件3": requests})
    ledger = load_ledger(path)
    assert pl.default_plan_year(ledger, TODAY) == 2026
    plan = pl.compute_plan(ledger, TODAY)
    assert plan.year == 2026
    assert [(g.软件编号, g.requested, g.requests) for g in plan.gaps] == [("SY-0002", 3, ["NEW-1"])]
    assert [(s.申请编号, s.软件编号) for s in plan.skipped] == [("NEW-2", "SY-0006")]
    old = pl.compute_plan(ledger, TODAY, year=2025)
    assert old.gaps == [] and sorted(s.申请编号 for s in old.skipped) == ["NEW-3", "OLD-1", "OLD-2"]


def test_without_dated_requests_the_plan_year_is_this_year(tmp_path):
    path = make_ledger(tmp_path, **{"附件7": SOFTWARE, "附件3": [{**req("R1", "办公软件", 1, "SY-0001"), "填表日期": None}]})
    assert pl.default_plan_year(load_ledger(path), TODAY) == 2026
