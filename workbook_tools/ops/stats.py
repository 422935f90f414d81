"""附件5 软件正版化工作信息统计表: the figures of one year, and their sheet in the form's layout.

`compute_stats(ledger, year, today)` is pure; `write_stats_sheet(wb, stats)` rebuilds the
generated sheet inside a `write_workbook` edit.  The meaning of every figure is written in
docs/stats.md (统计口径); the helpers below each carry one of those decisions.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pandas as pd
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, Field

from workbook_tools.core import schema
from workbook_tools.core.events import COUNT, replay
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.licence import term_end, unlimited_seats
from workbook_tools.core.model import Change
from workbook_tools.core.registers import computers_in_use, staff_counts
from workbook_tools.xlsx.newbook import put

_V = TypeVar("_V")
_A = TypeVar("_A")

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book

OS, OFFICE, ANTIVIRUS, OTHER = schema.SOFTWARE_CATEGORIES
FORM_CATEGORIES = (OS, OFFICE, ANTIVIRUS)   # the form's columns; 其他软件 only enters 总计
TOTAL, SUM = "总计", "合计"
DOMESTIC, FOREIGN = schema.ORIGINS
COMMERCIAL, OEM, FREE = schema.SOFTWARE_TYPES
YUAN_PER_WAN = 10000.0


class Figure(BaseModel):
    """One cell pair of block 四: licences and amount (yuan inside, 万元 on the form)."""

    licences: float = 0.0
    yuan: float = 0.0

    @property
    def wan(self) -> float:
        return round(self.yuan / YUAN_PER_WAN, 4)

    def plus(self, other: Figure) -> Figure:
        return Figure(licences=self.licences + other.licences, yuan=self.yuan + other.yuan)


def _grid(value_type: Callable[[], _V]) -> dict[str, dict[str, _V]]:
    return {c: {o: value_type() for o in (DOMESTIC, FOREIGN, SUM)} for c in (*FORM_CATEGORIES, TOTAL)}


class Header(BaseModel):
    单位名称: str = ""
    填表人: str = ""
    联系电话: str = ""
    填表日期: dt.date | None = None


class Department(BaseModel):
    部门名称: str = ""
    部门负责人姓名: str = ""
    部门负责人电话: str = ""
    部门传真: str = ""


class Unclassified(BaseModel):
    """A 附件7 row left out of blocks 四/五 because its 软件类别 or 产地 is missing."""

    软件编号: str | None
    row: int
    reason: str


class Stats(BaseModel):
    """The five blocks of 附件5 for one year."""

    year: int
    as_of: dt.date                                     # year end, or today within the current year
    header: Header = Field(default_factory=Header)
    department: Department = Field(default_factory=Department)
    总人数: int = 0
    使用计算机人数: int = 0
    computers: dict[str, int] = Field(default_factory=lambda: {t: 0 for t in schema.DEVICE_TYPES})
    purchases: dict[str, dict[str, Figure]] = Field(default_factory=lambda: _grid(Figure))
    holdings: dict[str, dict[str, float]] = Field(default_factory=lambda: _grid(float))
    unclassified: list[Unclassified] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def 计算机合计(self) -> int:  # noqa: N802 - the form's field name
        return sum(self.computers.values())


# --- licence terms ---------------------------------------------------------------------------

def is_site_licence(licence_type: object) -> bool:
    """场地/不限 licences have no seat limit (LEDGER_SPEC §3 LIC-OVERUSE)."""
    return unlimited_seats(licence_type)


def licence_ended(term: object, start: object, day: dt.date) -> bool:
    """The 许可期限 ended before `day` (unknown or 永久 terms never end here)."""
    end = term_end(term, None if start is None or pd.isna(start) else pd.Timestamp(start).date())
    return end is not None and end < day


# --- reading the ledger ---------------------------------------------------------------------

def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def software_gone(a7: pd.DataFrame, day: dt.date) -> pd.Series:
    """附件7 rows no longer held on `day`: 报废日期 on or before it, or 已报废 without a date."""
    return (a7["报废日期"] <= _ts(day)) | (a7["状态"].eq("已报废") & a7["报废日期"].isna())


def seats_by_software(ledger: Ledger, day: dt.date) -> pd.Series:
    """Live seats per 软件编号 on `day`, leaving out computers scrapped by then."""
    live = replay(ledger.df(schema.A9), day).live
    if live.empty:
        return pd.Series(dtype=float)
    registered = set(ledger.df(schema.COMPUTERS)["计算机编号"].dropna())
    gone = registered - set(computers_in_use(ledger, day)["计算机编号"])
    live = live[~live["计算机编号"].isin(gone)]
    return live.groupby("软件编号")[COUNT].sum()


def commercial_licences(row: pd.Series, seats: pd.Series) -> float:
    """许可数量; a site/unlimited licence without one counts its live seats."""
    count = row["许可数量"]
    if not pd.isna(count):
        return float(count)
    if is_site_licence(row["许可类型"]):
        return float(seats.get(row["软件编号"], 0.0))
    return 0.0


def is_purchase(a7: pd.DataFrame) -> pd.Series:
    """商业软件 bought: 获取方式 采购, or left blank while a 采购时间 is given."""
    bought = a7["获取方式"].eq("采购") | (a7["获取方式"].isna() & a7["采购时间"].notna())
    return a7["软件类型"].eq(COMMERCIAL) & bought


def _first_rows(a7: pd.DataFrame) -> pd.Series:
    """True on the first row of each 软件编号, so that seats are never counted twice."""
    return ~a7["软件编号"].duplicated() | a7["软件编号"].isna()


# --- the blocks ------------------------------------------------------------------------------

def _classify(stats: Stats, row: pd.Series) -> tuple[str, str] | None:
    category, origin = row["软件类别"], row["产地"]
    missing = [h for h, v in (("软件类别", category), ("产地", origin)) if v is None or pd.isna(v)]
    if missing:
        if any(u.row == int(row[ROW]) for u in stats.unclassified):
            return None
        stats.unclassified.append(Unclassified(软件编号=row["软件编号"], row=int(row[ROW]),
                                               reason="未填" + "、".join(missing)))
        return None
    return category, origin


def _add(grid: dict[str, dict[str, _V]], category: str, origin: str, value: _A, plus: Callable[[_V, _A], _V]) -> None:
    for cat in {category, TOTAL} & set(grid):
        for org in (origin, SUM):
            grid[cat][org] = plus(grid[cat][org], value)


def fill_purchases(stats: Stats, ledger: Ledger, seats: pd.Series) -> None:
    a7 = ledger.df(schema.A7)
    rows = a7[is_purchase(a7) & (a7["采购时间"].dt.year == stats.year)]
    for _, row in rows.iterrows():
        where = _classify(stats, row)
        if where is None:
            continue
        yuan = 0.0 if pd.isna(row["采购金额"]) else float(row["采购金额"])
        figure = Figure(licences=commercial_licences(row, seats), yuan=yuan)
        _add(stats.purchases, *where, figure, Figure.plus)


def held_rows(ledger: Ledger, day: dt.date) -> pd.DataFrame:
    """商业软件 rows whose licence is held on `day`: acquired, not scrapped, term not ended."""
    a7 = ledger.df(schema.A7)
    acquired = a7["采购时间"].isna() | (a7["采购时间"] <= _ts(day))
    rows = a7[a7["软件类型"].eq(COMMERCIAL) & acquired & ~software_gone(a7, day)]
    ended = [licence_ended(t, s, day) for t, s in zip(rows["许可期限"], rows["采购时间"])]
    return rows[[not e for e in ended]]


def fill_holdings(stats: Stats, ledger: Ledger, seats: pd.Series) -> None:
    for _, row in held_rows(ledger, stats.as_of).iterrows():
        where = _classify(stats, row)
        if where is not None:
            _add(stats.holdings, *where, commercial_licences(row, seats), float.__add__)
    a7 = ledger.df(schema.A7)
    oem = a7[a7["软件类型"].eq(OEM) & ~software_gone(a7, stats.as_of) & _first_rows(a7)]
    for _, row in oem.iterrows():
        count = float(seats.get(row["软件编号"], 0.0))
        if count and (where := _classify(stats, row)) is not None:
            _add(stats.holdings, *where, count, float.__add__)


def fill_registers(stats: Stats, ledger: Ledger) -> None:
    stats.总人数, stats.使用计算机人数 = staff_counts(ledger)
    in_use = computers_in_use(ledger, stats.as_of)
    for kind in schema.DEVICE_TYPES:
        stats.computers[kind] = int(in_use["设备类型"].eq(kind).sum())
    untyped = int((~in_use["设备类型"].isin(schema.DEVICE_TYPES)).sum())
    if untyped:
        stats.notes.append(f"{untyped} 台在用计算机未填设备类型，未计入计算机情况")


def fill_settings(stats: Stats, ledger: Ledger, today: dt.date) -> None:
    s = ledger.setting
    stats.header = Header(单位名称=s("单位名称"), 填表人=s("填表人"), 联系电话=s("联系电话"), 填表日期=today)
    stats.department = Department(部门名称=s("负责部门"), 部门负责人姓名=s("负责部门负责人"),
                                  部门负责人电话=s("负责部门电话"), 部门传真=s("负责部门传真"))


def compute_stats(ledger: Ledger, year: int, today: dt.date | None = None) -> Stats:
    """The figures of 附件5 for `year` (see docs/stats.md for what each one counts)."""
    today = today or dt.date.today()
    as_of = min(dt.date(year, 12, 31), max(today, dt.date(year, 1, 1)))
    stats = Stats(year=year, as_of=as_of)
    fill_settings(stats, ledger, today)
    fill_registers(stats, ledger)
    seats = seats_by_software(ledger, as_of)
    fill_purchases(stats, ledger, seats)
    fill_holdings(stats, ledger, seats)
    return stats


# --- the sheet, in the form's layout ----------------------------------------------------------

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WAN_FORMAT = "0.0000"
WIDTH = 9  # columns A:I — block 四 needs 1 + 4 × 2
Item = tuple[object, int]  # (value, columns spanned)


def number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 4)


def put_row(ws: Worksheet, row: int, items: Sequence[Item], bold: bool = False, fmt: str | None = None,
            boxed: bool = True) -> None:
    col = 1
    for value, span in items:
        cell = put(ws, row, col, value)
        cell.alignment = CENTER if boxed else Alignment(vertical="center")
        cell.font = Font(bold=bold)
        if fmt and isinstance(value, float):
            cell.number_format = fmt
        if span > 1:
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + span - 1)
        for c in range(col, col + span):
            if boxed:
                ws.cell(row, c).border = BOX
        col += span


def title_row(ws: Worksheet, row: int, text: str, size: int = 11) -> None:
    put(ws, row, 1, text).font = Font(bold=True, size=size)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)


def _date_text(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "    年  月  日"


def write_head(ws: Worksheet, stats: Stats) -> None:
    title_row(ws, 1, "软件正版化工作信息统计表", 16)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    h, d = stats.header, stats.department
    put_row(ws, 2, [(f"单位名称（盖章）：{h.单位名称}", 3), (f"填表人：{h.填表人}", 2),
                    (f"联系电话：{h.联系电话}", 2), (f"填表日期：{_date_text(h.填表日期)}", 2)], boxed=False)
    title_row(ws, 3, "一、负责软件正版化工作部门情况")
    put_row(ws, 4, [("部门名称", 2), ("部门负责人姓名", 2), ("部门负责人电话", 2), ("部门传真", 3)], bold=True)
    put_row(ws, 5, [(d.部门名称, 2), (d.部门负责人姓名, 2), (d.部门负责人电话, 2), (d.部门传真, 3)])
    title_row(ws, 6, "二、人员情况")
    put_row(ws, 7, [("总人数", 4), ("使用计算机人数", 5)], bold=True)
    put_row(ws, 8, [(stats.总人数, 4), (stats.使用计算机人数, 5)])
    title_row(ws, 9, "三、计算机情况")
    put_row(ws, 10, [("服务器数", 2), ("台式机数", 2), ("便携机数", 2), ("合计", 3)], bold=True)
    c = stats.computers
    put_row(ws, 11, [(c["服务器"], 2), (c["台式机"], 2), (c["便携机"], 2), (stats.计算机合计, 3)])


def write_purchases(ws: Worksheet, stats: Stats, top: int) -> int:
    title_row(ws, top, f"四、本年度软件采购情况（{stats.year}年）")
    heads = ["操作系统软件\n(不含预装操作系统)", "办公软件", "杀毒软件", "总计"]
    put_row(ws, top + 1, [("软件\n属性", 1)] + [(h, 2) for h in heads], bold=True)
    put_row(ws, top + 2, [(None, 1)] + [("许可数（个）", 1), ("金额\n（万元）", 1)] * 4, bold=True)
    ws.merge_cells(start_row=top + 1, start_column=1, end_row=top + 2, end_column=1)
    for i, origin in enumerate((DOMESTIC, FOREIGN, SUM)):
        items: list[Item] = [(origin, 1)]
        for cat in (*FORM_CATEGORIES, TOTAL):
            f = stats.purchases[cat][origin]
            items += [(number(f.licences), 1), (float(f.wan), 1)]
        put_row(ws, top + 3 + i, items, fmt=WAN_FORMAT)
    return top + 6


def write_holdings(ws: Worksheet, stats: Stats, top: int) -> int:
    title_row(ws, top, f"五、累计拥有软件许可情况（截至{_date_text(stats.as_of)}）")
    heads = ["操作系统软件\n(含预装操作系统)\n许可数（个）", "办公软件\n许可数（个）", "杀毒软件\n许可数（个）", "总计"]
    put_row(ws, top + 1, [("软件\n属性", 1)] + [(h, 2) for h in heads], bold=True)
    for i, origin in enumerate((DOMESTIC, FOREIGN, SUM)):
        items = [(origin, 1)] + [(number(stats.holdings[c][origin]), 2) for c in (*FORM_CATEGORIES, TOTAL)]
        put_row(ws, top + 2 + i, items)
    return top + 5


def note_lines(stats: Stats) -> list[str]:
    lines = ["说明：本表由 ledger stats 根据台账生成，请勿手工修改；统计口径见 docs/stats.md。",
             "「总计」含其他软件；金额单位万元，保留 4 位小数。"]
    lines += [f"附件7 第 {u.row} 行（{u.软件编号 or '无编号'}）{u.reason}，未计入四、五" for u in stats.unclassified]
    return lines + stats.notes


def layout(ws: Worksheet, stats: Stats) -> None:
    write_head(ws, stats)
    row = write_holdings(ws, stats, write_purchases(ws, stats, 12))
    for i, line in enumerate(note_lines(stats)):
        put(ws, row + 1 + i, 1, line).alignment = Alignment(vertical="top")
    ws.column_dimensions["A"].width = 9
    for col in "BCDEFGHI":
        ws.column_dimensions[col].width = 12
    for r in range(2, row):
        ws.row_dimensions[r].height = 44 if r in (13, 14, 19) else 20
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0


def write_stats_sheet(book: Book, stats: Stats) -> list[Change]:
    """Rebuild 附件5 (inside a write_workbook edit): a generated sheet where the old one stood, else after 附件4."""
    book.generate(schema.A5, lambda ws: layout(ws, stats), after=schema.A4)
    return [Change(action="统计", sheet=schema.A5, content=f"按 {stats.year} 年重建附件5 信息统计表")]


# --- many units: one consolidated 附件5 ----------------------------------------------------------

class UnitResult(BaseModel):
    """One unit's ledger in a consolidation: its figures, or why it could not be read."""

    path: str
    name: str
    stats: Stats | None = None
    error: str | None = None
    sha256: str | None = None       # of the file as read, to find the same ledger given twice


class Consolidation(BaseModel):
    total: Stats
    units: list[UnitResult]

    @property
    def failures(self) -> list[UnitResult]:
        return [u for u in self.units if u.stats is None]


def sum_stats(parts: list[Stats], year: int, today: dt.date, name: str) -> Stats:
    as_of = min(dt.date(year, 12, 31), max(today, dt.date(year, 1, 1)))
    total = Stats(year=year, as_of=as_of, header=Header(单位名称=name, 填表日期=today))
    for part in parts:
        total.总人数 += part.总人数
        total.使用计算机人数 += part.使用计算机人数
        for kind, n in part.computers.items():
            total.computers[kind] += n
        for cat, row in part.purchases.items():
            for origin, figure in row.items():
                total.purchases[cat][origin] = total.purchases[cat][origin].plus(figure)
        for cat, held in part.holdings.items():
            for origin, value in held.items():
                total.holdings[cat][origin] += value
    return total


def breakdown_columns() -> list[str]:
    cols = ["单位名称", "文件", "总人数", "使用计算机人数", "服务器数", "台式机数", "便携机数", "计算机合计"]
    for cat in (*FORM_CATEGORIES, TOTAL):
        for origin in (DOMESTIC, FOREIGN, SUM):
            cols += [f"采购·{cat}·{origin}·许可数", f"采购·{cat}·{origin}·金额（万元）"]
    cols += [f"拥有·{cat}·{origin}·许可数" for cat in (*FORM_CATEGORIES, TOTAL) for origin in (DOMESTIC, FOREIGN, SUM)]
    return cols


def breakdown_row(name: str, file: str, s: Stats) -> list[object]:
    row: list[object] = [name, file, s.总人数, s.使用计算机人数, *(s.computers[k] for k in schema.DEVICE_TYPES),
                         s.计算机合计]
    for cat in (*FORM_CATEGORIES, TOTAL):
        for origin in (DOMESTIC, FOREIGN, SUM):
            row += [number(s.purchases[cat][origin].licences), s.purchases[cat][origin].wan]
    return row + [number(s.holdings[cat][origin]) for cat in (*FORM_CATEGORIES, TOTAL) for origin in (DOMESTIC, FOREIGN, SUM)]


BREAKDOWN, FAILURES = "分单位明细", "未能读取的单位"


def consolidation_workbook(cons: Consolidation) -> Workbook:
    """附件5 of the whole, the per-unit figures, and the units that could not be read."""
    wb = Workbook()
    wb.remove(wb.active)
    layout(wb.create_sheet(schema.A5), cons.total)
    ws = wb.create_sheet(BREAKDOWN)
    ws.append(breakdown_columns())
    for u in cons.units:
        if u.stats is not None:
            ws.append(breakdown_row(u.name, Path(u.path).name, u.stats))
    ws.append(breakdown_row("合计", "", cons.total))
    for cell in ws[1]:
        cell.font, cell.alignment = Font(bold=True), CENTER
    ws.freeze_panes = "C2"
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 24, 24
    failed = wb.create_sheet(FAILURES)
    failed.append(["文件", "原因"])
    for u in cons.failures:
        failed.append([u.path, u.error])
    failed.column_dimensions["A"].width, failed.column_dimensions["B"].width = 50, 80
    return wb
