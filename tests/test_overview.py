"""概览: headline figures, findings by department, and charts that survive later writes."""
from __future__ import annotations

import datetime as dt
import zipfile

import openpyxl
import pytest
from builders import make_ledger

from workbook_tools.core import schema
from workbook_tools.files.writer import write_workbook
from workbook_tools.ops import overview as ov
from workbook_tools.ops import pledges
from workbook_tools.read.reader import load_ledger

D = dt.date
TODAY = D(2026, 3, 1)


def sw(number, name, seats=None, licence="单机", term="永久", kind="商业软件", **kw):
    return {"软件编号": number, "软件名称": name, "软件版本": "1", "软件类型": kind, "许可类型": licence,
            "许可数量": seats, "许可期限": term, "采购时间": D(2025, 1, 1), "状态": "在用", **kw}


SOFTWARE = [
    sw("SY-0001", "WPS", 10, 软件类别="办公软件", 产地="国内"),                          # 12 installed: over
    sw("SY-0002", "Office", 5, term="2026-01-31", 软件类别="办公软件", 产地="国外"),     # expired, installed
    sw("SY-0003", "360杀毒", licence="场地授权", 软件类别="杀毒软件", 产地="国内"),
    sw("SY-0004", "Photoshop", 2, term="2026-04-15", 软件类别="其他软件", 产地="国外"),  # expiring in 45 days
    sw("SY-0005", "旧软件", 1, 状态="已报废", 报废日期=D(2025, 6, 1), 软件类别="办公软件", 产地="国内"),
    {"软件编号": "OEM-0001", "软件名称": "Windows 10", "软件版本": "10", "软件类型": "OEM软件", "软件类别": "操作系统",
     "产地": "国外"},
    {"软件编号": "MF-0001", "软件名称": "7-Zip", "软件类型": "免费软件"},
]


def ev(number, computer, dept=None):
    return {"软件编号": number, "操作": "安装", "计算机编号": computer, "日期": D(2025, 2, 1), "安装数量": 1,
            "使用部门": dept}


EVENTS = ([ev("SY-0002", "PC1", "办公室"), ev("SY-0002", "PC2", "办公室"), ev("SY-0002", "PC2")][1:]
          + [ev("SY-0001", f"PC{i}") for i in range(1, 13)] + [ev("SY-0003", f"PC{i}") for i in (1, 2, 3)]
          + [ev("SY-0004", "PC1"), ev("SY-0002", "PC1")])
COMPUTERS = [{"计算机编号": "PC2", "使用部门": "财务处", "设备类型": "台式机", "状态": "在用"}]
STAFF = [{"部门": "办公室", "姓名": "王芳", "状态": "在职"}]
RESULTS = [
    {"规则": "LIC-OVERUSE", "级别": "error", "表": schema.A7, "单元格": "I2", "说明": "超装"},
    {"规则": "REF-PERSON", "级别": "warning", "表": "附件9", "单元格": "F2", "说明": "使用人不在人员表"},
    {"规则": "EVENT-NO-SLIP", "级别": "warning", "表": schema.A9, "单元格": "M3", "说明": "无确认单"},
    {"规则": "STAFF-NO-PLEDGE", "级别": "warning", "表": "人员", "单元格": "E2", "说明": "未签承诺书"},
]


@pytest.fixture
def path(tmp_path):
    return make_ledger(tmp_path, **{"附件7": SOFTWARE, "附件9": EVENTS, "计算机": COMPUTERS, "人员": STAFF,
                                    "校验结果": RESULTS})


def build(path):
    ledger = load_ledger(path)
    keep: list[ov.Overview] = []
    write_workbook(path, ov.overview_edit(ledger, TODAY, keep), "概览", ledger=ledger)
    return keep[0]


def charts(path):
    with zipfile.ZipFile(path) as zf:
        return sorted(n for n in zf.namelist() if n.startswith("xl/charts/chart"))


def test_headline_figures(path):
    result = build(path)
    assert [(s.软件编号, s.licences, s.installed) for s in result.software] == [
        ("SY-0001", 10, 12), ("SY-0002", 5, 2), ("SY-0003", None, 3), ("SY-0004", 2, 1)]
    assert (result.compliant, result.rate) == (2, 0.5)
    assert (result.numbers("over"), result.numbers("expired"), result.numbers("expiring")) == (
        ["SY-0001"], ["SY-0002"], ["SY-0004"])
    ws = openpyxl.load_workbook(path)[ov.SHEET]
    assert [ws.cell(r, 2).value for r in range(4, 10)] == [4, 2, 0.5, 1, 1, 1]
    assert ws["C7"].value == "SY-0001"


def test_findings_by_department(path):
    result = build(path)
    assert [(d.部门, d.error, d.warning) for d in result.findings] == [
        ("办公室", 0, 2), (ov.NO_DEPT, 1, 0), ("财务处", 0, 1)]


def test_categories_count_numbers_in_use(path):
    grid = build(path).categories
    assert grid["办公软件"] == {"国内": 1, "国外": 1, "未填": 0}     # 旧软件 scrapped
    assert grid["操作系统"]["国外"] == 1 and grid["未填"]["未填"] == 1  # 7-Zip has neither


def test_chart_data_lives_in_cells(path):
    build(path)
    ws = openpyxl.load_workbook(path)[ov.SHEET]
    assert [[c.value for c in row] for row in ws["A12:D14"]] == [
        ["软件编号", "软件名称", "许可数量", "安装数量"], ["SY-0001", "WPS", 10, 12], ["SY-0002", "Office", 5, 2]]
    refs = [s.val.numRef.f for chart in ws._charts for s in chart.series]
    assert refs[:2] == ["'概览'!$C$13:$C$16", "'概览'!$D$13:$D$16"]
    assert len(ws._charts) == 3


def test_charts_survive_a_later_write(path):
    build(path)
    first = charts(path)
    assert len(first) == 3
    ledger = load_ledger(path)
    person = pledges.find_person(ledger, "王芳")
    write_workbook(path, pledges.sign_edit(person, D(2026, 2, 1)), "承诺书", ledger=ledger)
    assert charts(path) == first
    assert len(openpyxl.load_workbook(path)[ov.SHEET]._charts) == 3


@pytest.mark.parametrize("emptied", ["removed", "emptied by init"])
def test_without_a_saved_result_the_overview_runs_the_check(path, emptied):
    wb = openpyxl.load_workbook(path)
    if emptied == "removed":
        del wb[schema.RESULTS]
    else:
        wb[schema.RESULTS].delete_rows(2, wb[schema.RESULTS].max_row)   # as `ledger init` leaves it: headers only
    wb.save(path)
    result = build(path)
    from workbook_tools.rules import run_check

    ledger = load_ledger(path)
    expected = ov.findings_by_department(ledger, ov.check_rows(ledger, TODAY))
    assert result.checked_now and result.findings == expected
    assert sum(d.error for d in result.findings) == run_check(ledger, TODAY).counts["error"] > 0
    ws = openpyxl.load_workbook(path)[ov.SHEET]
    texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert not any("未发现问题" in t for t in texts)
    assert len(charts(path)) == 3
