"""概览: headline figures and three native Excel charts on one generated sheet.

The figures (`compute_overview`) are pure; `rebuild_overview(wb, ledger, today)` rewrites the
sheet inside a `write_workbook` edit — the roll-up calls it too.  The charts read their data
from cells of the same sheet, so they stay true to the numbers beside them.  The sheet always
carries exactly three charts: the safe writer refuses a save that has fewer charts than before.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, Field

from workbook_tools.core import schema
from workbook_tools.core.events import replay
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.licence import NEVER, term_end, unlimited_seats
from workbook_tools.core.model import Change
from workbook_tools.ops.stats import COMMERCIAL, software_gone
from workbook_tools.read.parse import find_header
from workbook_tools.rules import run_check
from workbook_tools.xlsx.newbook import put

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book

SHEET = "概览"
EXPIRING_DAYS = 90
NO_DEPT, UNSET = "未分部门（全单位）", "未填"
DEPT_COLUMNS = {schema.STAFF: "部门", schema.COMPUTERS: "使用部门", schema.A3: "申请部门", schema.A6: "使用部门",
                schema.A8: "部门", schema.A9: "使用部门", schema.A10: "申请部门", schema.A11: "使用部门"}
ERROR_WORDS, WARNING_WORDS = ("error", "错误"), ("warning", "警告")


class SoftwareUse(BaseModel):
    软件编号: str
    软件名称: str | None
    licences: float | None            # None: 场地/不限 without a 许可数量
    unlimited: bool = False
    installed: float
    over: bool = False
    expired: bool = False
    expiring: bool = False


class DeptFindings(BaseModel):
    部门: str
    error: int = 0
    warning: int = 0


class Overview(BaseModel):
    today: dt.date
    software: list[SoftwareUse]
    findings: list[DeptFindings] | None = None     # None: no check result at all
    checked_now: bool = False                      # findings come from a check run for this overview
    categories: dict[str, dict[str, int]] = Field(default_factory=dict)  # 软件类别 -> 产地 -> numbers

    @property
    def compliant(self) -> int:
        return sum(not (s.over or s.expired) for s in self.software)

    @property
    def rate(self) -> float | None:
        return self.compliant / len(self.software) if self.software else None

    def numbers(self, flag: str) -> list[str]:
        return [s.软件编号 for s in self.software if getattr(s, flag)]


# --- figures -------------------------------------------------------------------------------------

def _end(term: object, bought: object) -> dt.date | None:
    return term_end(term, None if pd.isna(bought) else pd.Timestamp(bought).date())


def software_use(ledger: Ledger, today: dt.date) -> list[SoftwareUse]:
    """商业软件 numbers in use: licences against installations, as LIC-OVERUSE/EXPIRED/EXPIRING see them."""
    a7 = ledger.df(schema.A7)
    rows = a7[a7["软件类型"].eq(COMMERCIAL) & a7["软件编号"].notna() & ~software_gone(a7, today)]
    seats = replay(ledger.df(schema.A9), today).count_by_software()
    horizon = today + dt.timedelta(days=EXPIRING_DAYS)
    out = []
    for _, r in rows.drop_duplicates("软件编号").iterrows():
        installed = float(seats.get(r["软件编号"], 0.0))
        unlimited = unlimited_seats(r["许可类型"])
        licences = (None if unlimited else 0.0) if pd.isna(r["许可数量"]) else float(r["许可数量"])
        end = _end(r["许可期限"], r["采购时间"])
        ends = end is not None and end != NEVER and installed > 0
        out.append(SoftwareUse(
            软件编号=r["软件编号"], 软件名称=r["软件名称"], licences=licences, installed=installed, unlimited=unlimited,
            over=not unlimited and not pd.isna(r["许可数量"]) and installed > r["许可数量"],
            expired=ends and end is not None and end < today,
            expiring=ends and end is not None and today <= end <= horizon))
    return out


def categories(ledger: Ledger, today: dt.date) -> dict[str, dict[str, int]]:
    """附件7 numbers in use (all 软件类型) by 软件类别 and 产地."""
    a7 = ledger.df(schema.A7)
    rows = a7[a7["软件编号"].notna() & ~software_gone(a7, today)].drop_duplicates("软件编号")
    cats = [*schema.SOFTWARE_CATEGORIES, UNSET]
    grid = {c: {o: 0 for o in (*schema.ORIGINS, UNSET)} for c in cats}
    for cat, origin in zip(rows["软件类别"], rows["产地"]):
        grid[cat if cat in grid else UNSET][origin if origin in schema.ORIGINS else UNSET] += 1
    return grid


def _cell_row(cell: object) -> int | None:
    m = re.search(r"(\d+)$", str(cell or "").strip())
    return int(m[1]) if m else None


def finding_department(ledger: Ledger, sheet: object, row: int | None) -> str:
    """The department a finding is about: the row's own department column, or its computer's."""
    try:
        spec = schema.sheet(str(sheet or "").strip())
    except KeyError:
        return NO_DEPT
    column = DEPT_COLUMNS.get(spec.name)
    if column is None or row is None:
        return NO_DEPT
    df = ledger.df(spec.name)
    hit = df[df[ROW] == row]
    if hit.empty:
        return NO_DEPT
    dept = hit.iloc[0][column]
    if (dept is None or pd.isna(dept)) and "计算机编号" in df.columns:
        computers = ledger.df(schema.COMPUTERS)
        owner = computers[computers["计算机编号"].eq(hit.iloc[0]["计算机编号"])]["使用部门"].dropna()
        dept = owner.iloc[0] if len(owner) else None
    return NO_DEPT if dept is None or pd.isna(dept) else str(dept)


def read_results(book: Book) -> list[dict[str, object]] | None:
    """Rows of 校验结果 as {header: value}; None when the sheet or its header is missing."""
    if not book.has(schema.RESULTS):
        return None
    rows = book.raw(schema.RESULTS)
    found = find_header(rows, schema.BY_NAME[schema.RESULTS])
    if found is None:
        return None
    headers = [str(h).strip() if h is not None else "" for h in rows[found[0]]]
    body = rows[found[0] + 1:]
    return [dict(zip(headers, r)) for r in body if any(v not in (None, "") for v in r)]


def findings_by_department(ledger: Ledger, results: list[dict[str, object]]) -> list[DeptFindings]:
    counts: dict[str, DeptFindings] = {}
    for r in results:
        dept = r.get("部门") or r.get("处室")
        if not dept:
            given = r.get("行")
            row = given if isinstance(given, int) else _cell_row(r.get("单元格"))
            dept = finding_department(ledger, r.get("表"), row)
        entry = counts.setdefault(str(dept), DeptFindings(部门=str(dept)))
        level = str(r.get("级别") or "").strip().lower()
        if level in ERROR_WORDS:
            entry.error += 1
        elif level in WARNING_WORDS:
            entry.warning += 1
    return sorted(counts.values(), key=lambda d: (-(d.error + d.warning), d.部门))


def check_rows(ledger: Ledger, today: dt.date) -> list[dict[str, object]]:
    """The findings of a check run now, in the shape of 校验结果 rows."""
    return [{"表": f.sheet, "行": f.row, "单元格": f.cell, "级别": f.severity.value}
            for f in run_check(ledger, today).findings]


def compute_overview(ledger: Ledger, today: dt.date, results: list[dict[str, object]] | None = None) -> Overview:
    """The figures; `results` are the rows of a saved 校验结果.

    An empty or missing 校验结果 does not mean "no problem": a new workbook has an empty one.  Then the
    check is run for the overview and the sheet says so.
    """
    checked_now = not results
    rows = results if results else check_rows(ledger, today)
    return Overview(today=today, software=software_use(ledger, today), findings=findings_by_department(ledger, rows),
                    checked_now=checked_now, categories=categories(ledger, today))


# --- the sheet -----------------------------------------------------------------------------------

ROW_CM = 0.53          # default row height (15 pt) in centimetres, to keep charts off each other
CHART_COL = "G"
Edit = Callable[["Book"], list[Change]]


def _bold_row(ws: Worksheet, row: int, values: list[object]) -> None:
    for j, value in enumerate(values, start=1):
        cell = put(ws, row, j, value)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _chart(title: str, kind: str, stacked: bool, height: float) -> BarChart:
    chart = BarChart()
    chart.type, chart.title, chart.style = kind, title, 10
    chart.height, chart.width = height, 18
    chart.x_axis.delete = chart.y_axis.delete = False   # otherwise newer Excel hides the axes
    if stacked:
        chart.grouping, chart.overlap = "stacked", 100
    if kind == "bar":
        chart.x_axis.scaling.orientation = "maxMin"     # first row at the top
    return chart


def _place(ws: Worksheet, chart: BarChart, top: int, header: int, last: int, first_col: int, last_col: int) -> int:
    """Add `chart` over the block header..last (series from the header row); returns the first free row."""
    values = [ws.cell(r, c).value for r in range(header + 1, last + 1) for c in range(first_col, last_col + 1)]
    peak = max((float(v) for v in values if isinstance(v, (int, float))), default=0.0)
    if peak <= 10:   # counts: no 0.5 ticks on small axes
        chart.y_axis.majorUnit = 1
    chart.add_data(Reference(ws, min_col=first_col, max_col=last_col, min_row=header, max_row=last),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
    ws.add_chart(chart, f"{CHART_COL}{top}")
    return max(last, top + int(chart.height / ROW_CM) + 1) + 2


def write_headline(ws: Worksheet, ov: Overview) -> None:
    ws["A1"] = "软件正版化概览"
    ws["A1"].font = Font(bold=True, size=16)
    ws["A2"] = f"生成日期：{ov.today.isoformat()}（由 ledger overview 生成，整表重建，请勿手工修改）"
    lines = [("商业软件编号数（在用）", len(ov.software), ""),
             ("合规编号数（未超装、未过期）", ov.compliant, ""),
             ("合规率", "—" if ov.rate is None else round(ov.rate, 4), ""),
             ("超装编号数", len(ov.numbers("over")), "、".join(ov.numbers("over"))),
             ("已过期仍安装编号数", len(ov.numbers("expired")), "、".join(ov.numbers("expired"))),
             (f"{EXPIRING_DAYS} 天内到期编号数", len(ov.numbers("expiring")), "、".join(ov.numbers("expiring")))]
    for i, (label, value, detail) in enumerate(lines, start=4):
        put(ws, i, 1, label).font = Font(bold=True)
        put(ws, i, 2, value)
        put(ws, i, 3, detail or None)
    if ov.rate is not None:
        ws["B6"].number_format = "0.0%"


def _state(s: SoftwareUse) -> str:
    words = [w for w, on in (("超装", s.over), ("已过期", s.expired), ("即将到期", s.expiring)) if on]
    return "、".join(words) or ("场地/不限许可" if s.unlimited else "正常")


def write_usage(ws: Worksheet, ov: Overview, top: int) -> int:
    put(ws, top, 1, "一、各商业软件的许可数量与安装数量").font = Font(bold=True, size=12)
    _bold_row(ws, top + 1, ["软件编号", "软件名称", "许可数量", "安装数量", "情况"])
    rows: list[list[Any]] = [[s.软件编号, s.软件名称, s.licences, s.installed, _state(s)] for s in ov.software]
    for i, values in enumerate(rows or [["（无商业软件）", None, 0, 0, None]], start=top + 2):
        for j, value in enumerate(values, start=1):
            put(ws, i, j, value)
    last = top + 1 + max(1, len(rows))
    height = max(7.5, 0.6 * max(1, len(rows)) + 2.5)
    return _place(ws, _chart("许可数量与安装数量", "bar", False, height), top, top + 1, last, 3, 4)


def write_findings(ws: Worksheet, ov: Overview, top: int) -> int:
    title = (f"二、校验发现的问题（按部门；工作簿中没有保存的校验结果，按 {ov.today.isoformat()} 校验）" if ov.checked_now
             else "二、上次校验发现的问题（按部门，取自「校验结果」）")
    put(ws, top, 1, title).font = Font(bold=True, size=12)
    _bold_row(ws, top + 1, ["部门", "错误", "警告"])
    if ov.findings is None:
        rows = [["尚无校验结果：请先执行 ledger check --annotate", 0, 0]]
    else:
        clean = f"{ov.today.isoformat()} 校验未发现问题" if ov.checked_now else "上次校验未发现问题"
        rows = [[d.部门, d.error, d.warning] for d in ov.findings] or [[clean, 0, 0]]
    for i, values in enumerate(rows, start=top + 2):
        for j, value in enumerate(values, start=1):
            put(ws, i, j, value)
    last = top + 1 + len(rows)
    height = max(7.5, 0.6 * len(rows) + 2.5)
    return _place(ws, _chart("各部门问题数", "bar", True, height), top, top + 1, last, 2, 3)


def write_categories(ws: Worksheet, ov: Overview, top: int) -> int:
    put(ws, top, 1, "三、软件编号按类别与产地（在用，含 OEM 与免费软件）").font = Font(bold=True, size=12)
    origins = [*schema.ORIGINS, UNSET]
    _bold_row(ws, top + 1, ["软件类别", *origins])
    for i, (cat, row) in enumerate(ov.categories.items(), start=top + 2):
        put(ws, i, 1, cat)
        for j, origin in enumerate(origins, start=2):
            put(ws, i, j, row[origin])
    last = top + 1 + len(ov.categories)
    return _place(ws, _chart("软件类别与产地", "col", True, 7.5), top, top + 1, last, 2, 1 + len(origins))


def write_overview_sheet(book: Book, ov: Overview) -> list[Change]:
    book.generate(SHEET, lambda ws: build_overview(ws, ov), after=schema.GUIDE)
    rate = "—" if ov.rate is None else f"{ov.rate:.1%}"
    return [Change(action="概览", sheet=SHEET, content=f"重建概览：商业软件 {len(ov.software)} 个，合规率 {rate}")]


def build_overview(ws: Worksheet, ov: Overview) -> None:
    write_headline(ws, ov)
    write_categories(ws, ov, write_findings(ws, ov, write_usage(ws, ov, 11)))
    for col, width in zip("ABCDE", (30, 26, 12, 12, 16)):
        ws.column_dimensions[col].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0


def rebuild_overview(book: Book, ledger: Ledger, today: dt.date) -> list[Change]:
    """Rebuild 概览 inside any write_workbook edit (the roll-up calls this after its own changes)."""
    return write_overview_sheet(book, compute_overview(ledger, today, read_results(book)))


def overview_edit(ledger: Ledger, today: dt.date, keep: list[Overview] | None = None) -> Edit:
    """The edit of `ledger overview`; the figures it drew are appended to `keep`."""
    def edit(book: Book) -> list[Change]:
        ov = compute_overview(ledger, today, read_results(book))
        if keep is not None:
            keep.append(ov)
        return write_overview_sheet(book, ov)

    return edit
