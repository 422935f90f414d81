"""`ledger print 附件5` and `ledger stats` show the same figures: both come from `compute_stats`.

The ledger holds the cases where a second computation would drift: a site licence counted by
its seats, a licence whose term ended, 其他软件, a row without 产地, a blank 状态, a computer
scrapped after the year's end, an OEM installation.
"""
from __future__ import annotations

import datetime as dt

import openpyxl
from builders import clean_unit, make_ledger, run_cli
from pypdf import PdfReader

from workbook_tools.core import schema
from workbook_tools.forms import FORMS, print_form
from workbook_tools.forms.annex5 import COLUMNS, ORIGINS
from workbook_tools.forms.common import PrintOptions
from workbook_tools.read.reader import load_ledger

D = dt.date
YEAR = 2025


def bought(number: str, name: str, category: str, origin: str | None, day: dt.date, yuan: float, **kw) -> dict:
    return {"软件编号": number, "软件名称": name, "软件版本": "1", "软件类型": "商业软件", "获取方式": "采购",
            "采购时间": day, "采购金额": yuan, "许可类型": "单机许可", "许可期限": "永久", "软件类别": category,
            "产地": origin, "状态": "在用", **kw}


def install(number: str, computer: str, day: dt.date) -> dict:
    return {"软件编号": number, "操作": "安装", "计算机编号": computer, "日期": day, "安装数量": 1, "统一部署": "是"}


def unit() -> dict:
    sheets = clean_unit()
    sheets["人员"].append({"部门": "办公室", "姓名": "王五", "使用计算机": "是"})               # blank 状态
    sheets["计算机"].append({"计算机编号": "SRV-01", "计算机品牌": "华为", "设备类型": "服务器", "状态": "报废",
                            "启用日期": D(2020, 1, 1), "报废日期": D(2026, 2, 1)})
    sheets["附件7"] += [
        bought("SY-0002", "Adobe Acrobat", "办公软件", "国外", D(2025, 3, 1), 1234.56, 许可数量=3),
        bought("SY-0003", "火绒终端安全", "杀毒软件", "国内", D(2025, 6, 1), 8000, 许可类型="场地授权"),
        bought("SY-0004", "CAD", "其他软件", "国内", D(2025, 7, 1), 500, 许可数量=2),
        bought("SY-0005", "麒麟操作系统", "操作系统", None, D(2025, 8, 1), 900, 许可数量=1),
        bought("SY-0006", "金山词霸", "办公软件", "国内", D(2024, 1, 1), 300, 许可数量=4, 许可期限="1年"),
    ]
    sheets["附件9"] += [install("SY-0003", "PC-001", D(2025, 6, 2)), install("SY-0003", "PC-002", D(2025, 6, 2))]
    return sheets


def run(capsys, *args) -> str:
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    return out


def printed_figures(path) -> list[list[object]]:
    """Blocks 二–五 of the form as printed: one list per value row (block 四 alternates 许可数, 万元)."""
    [form] = FORMS[5].build(load_ledger(path), PrintOptions(year=YEAR))
    rows = [[form.people[k] for k in ("总人数", "使用计算机人数")],
            [form.computers[k] for k in ("服务器数", "台式机数", "便携机数", "合计")]]
    rows += [[o, *(v for c in COLUMNS for v in form.purchases[o][c].values())] for o in ORIGINS]
    rows += [[o, *(form.holdings[o][c] for c in COLUMNS)] for o in ORIGINS]
    return [[float(v) if v[:1].isdigit() else v for v in row] for row in rows]


def sheet_figures(path) -> list[list[object]]:
    """Blocks 二–五 of the sheet `ledger stats` wrote: its rows holding a number, spans read once; amounts
    in 万元 as the form prints them (two decimals)."""
    ws = openpyxl.load_workbook(path)[schema.A5]
    rows = [[v for v in row if v is not None] for row in ws.iter_rows(values_only=True)]
    figures = [row for row in rows if any(isinstance(v, (int, float)) for v in row)]
    return [[round(float(v), 2) if isinstance(v, (int, float)) else v for v in row] for row in figures]


def test_print_and_stats_show_the_same_figures(capsys, tmp_path):
    path = make_ledger(tmp_path, **unit())
    out = run(capsys, "print", "附件5", path, "--year", YEAR, "-o", tmp_path / "a5.pdf")
    page = PdfReader(tmp_path / "a5.pdf").pages[0].extract_text()
    printed = printed_figures(path)
    run(capsys, "stats", path, "--year", YEAR, "--today", dt.date.today().isoformat())
    stored = sheet_figures(path)
    assert out.strip().endswith("a5.pdf") and len(printed) == 8
    assert printed == stored
    assert printed[0] == [3.0, 3.0]                       # 王五 (blank 状态) counts as 在职
    assert printed[1] == [1.0, 1.0, 1.0, 3.0]             # SRV-01 was still in use on 2025-12-31
    assert printed[2][1:] == [0.0, 0.0, 0.0, 0.0, 2.0, 0.8, 4.0, 0.85]       # 四 国内: site seats; CAD only in 总计
    assert printed[3][1:] == [0.0, 0.0, 3.0, 0.12, 0.0, 0.0, 3.0, 0.12]       # 四 国外: 1234.56 元 = 0.12 万元
    assert "0.85" in page and "0.12" in page and "0.1235" not in page
    assert printed[5][1:] == [0.0, 5.0, 2.0, 9.0]                             # 五 国内: 金山词霸's term ended
    assert printed[6][1:] == [1.0, 3.0, 0.0, 4.0]                             # 五 国外: one OEM seat
    assert "SY-0005" in page                                                  # the row without 产地 is named


def test_amounts_print_with_two_decimals():
    from workbook_tools.forms.annex5 import wan_text
    from workbook_tools.ops.stats import Figure

    shown = [wan_text(Figure(yuan=y)) for y in (40000, 41600, 4920, 212520, 1234.56, 125, 0)]
    assert shown == ["4.00", "4.16", "0.49", "21.25", "0.12", "0.01", "0.00"]


def test_rows_left_out_are_noted_on_the_one_page(tmp_path):
    path = make_ledger(tmp_path, **unit())
    result = print_form(FORMS[5], load_ledger(path), PrintOptions(year=YEAR), tmp_path / "a5.pdf")
    reader = PdfReader(result.path)
    assert result.pages == len(reader.pages) == 1
    assert "SY-0005" in reader.pages[0].extract_text()
