"""`ledger print 附件5` and `ledger stats` show the same figures: both come from `compute_stats`.

The ledger holds the cases where a second computation would drift: a site licence counted by
its seats, a licence whose term ended, 其他软件, a row without 产地, a blank 状态, a computer
scrapped after the year's end, an OEM installation.
"""
from __future__ import annotations

import datetime as dt
import html
import re

import openpyxl
import pytest
from builders import clean_unit, make_ledger
from pypdf import PdfReader

from workbook_tools import schema
from workbook_tools.cli import main
from workbook_tools.forms import FORMS, print_form
from workbook_tools.forms.common import PrintOptions
from workbook_tools.io.reader import load_ledger

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
    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, _ = capsys.readouterr()
    assert (exc.value.code or 0) == 0
    return out


def cell_value(text: str) -> object:
    text = html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
    return float(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else text


def printed_figures(page: str) -> list[list[object]]:
    """Blocks 二–五 of the printed form: its value rows after 一."""
    rows = re.findall(r'<tr class="blank">(.*?)</tr>', page, re.S)
    return [[cell_value(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows[1:]]


def sheet_figures(path) -> list[list[object]]:
    """Blocks 二–五 of the sheet `ledger stats` wrote: its rows holding a number, spans read once."""
    ws = openpyxl.load_workbook(path)[schema.A5]
    rows = [[v for v in row if v is not None] for row in ws.iter_rows(values_only=True)]
    figures = [row for row in rows if any(isinstance(v, (int, float)) for v in row)]
    return [[float(v) if isinstance(v, (int, float)) else v for v in row] for row in figures]


def test_print_and_stats_show_the_same_figures(capsys, tmp_path):
    path = make_ledger(tmp_path, **unit())
    out = run(capsys, "print", "附件5", path, "--year", YEAR, "--html", "-o", tmp_path / "a5.html")
    page = (tmp_path / "a5.html").read_text(encoding="utf-8")
    run(capsys, "stats", path, "--year", YEAR, "--today", dt.date.today().isoformat())
    printed, stored = printed_figures(page), sheet_figures(path)
    assert out.strip().endswith("a5.html") and len(printed) == 8
    assert printed == stored
    assert printed[0] == [3.0, 3.0]                       # 王五 (blank 状态) counts as 在职
    assert printed[1] == [1.0, 1.0, 1.0, 3.0]             # SRV-01 was still in use on 2025-12-31
    assert printed[2][1:] == [0.0, 0.0, 0.0, 0.0, 2.0, 0.8, 4.0, 0.85]       # 四 国内: site seats; CAD only in 总计
    assert printed[3][1:] == [0.0, 0.0, 3.0, 0.1235, 0.0, 0.0, 3.0, 0.1235]   # 四 国外: 1234.56 元 in 万元
    assert printed[5][1:] == [0.0, 5.0, 2.0, 9.0]                             # 五 国内: 金山词霸's term ended
    assert printed[6][1:] == [1.0, 3.0, 0.0, 4.0]                             # 五 国外: one OEM seat
    assert "SY-0005" in page                                                  # the row without 产地 is named


def test_rows_left_out_are_noted_on_the_one_page(tmp_path):
    path = make_ledger(tmp_path, **unit())
    result = print_form(FORMS[5], load_ledger(path), PrintOptions(year=YEAR), tmp_path / "a5.pdf")
    reader = PdfReader(result.path)
    assert result.pages == len(reader.pages) == 1
    assert "SY-0005" in reader.pages[0].extract_text()
