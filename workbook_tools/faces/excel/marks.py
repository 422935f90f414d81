"""校验 on the open workbook: `rules.run_check` on the live ledger, results written in bounded COM calls.

The file command (`ledger check --annotate`, workbook_tools/ops/annotate.py) fills and
notes every flagged cell one by one through openpyxl.  Through Excel each cell
would be one COM round trip, so the live version stays bounded:

* 校验结果 is rewritten with ONE value write: the CLI's columns (原填充 included)
  plus a 跳转 column of HYPERLINK formulas to the flagged cells;
* flagged cells are coloured by sheet and severity through union ranges
  (``sheet.range("A1,B7,...").color``), each chunk within Excel's 255-character
  address limit;
* the previous marks listed in 校验结果 are uncoloured the same way;
* no cell notes are added (the message is in 校验结果, one click away);
* 原填充 of a newly marked cell is written as 无 (reading each cell's fill would
  be one COM call per cell), so the next 校验 or `ledger check --annotate`
  returns it to no fill.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator

from workbook_tools.core import schema
from workbook_tools.faces.excel import live
from workbook_tools.faces.excel.context import Context, Outcome, clip
from workbook_tools.tasks.marking import (  # noqa: F401 - LINK, LIVE_HEADERS, result_rows, worst_by_cell: for the tests
    ACTION,
    COLORS,
    LINK,
    LIVE_HEADERS,
    NO_FILL,
    ORIGINAL_FILL,
    plan_marks,
    result_rows,
    worst_by_cell,
)

ADDRESS_LIMIT = 255   # Excel refuses a Range address longer than this


def chunks(addresses: Iterable[str], limit: int = ADDRESS_LIMIT) -> Iterator[str]:
    """Comma-joined address lists, each at most `limit` characters."""
    current: list[str] = []
    size = 0
    for address in addresses:
        if current and size + 1 + len(address) > limit:
            yield ",".join(current)
            current, size = [], 0
        size += len(address) + (1 if current else 0)
        current.append(address)
    if current:
        yield ",".join(current)


def paint(sheet: live.SheetLike, addresses: Iterable[str], color: tuple[int, int, int] | None) -> int:
    """Colour the cells (None = no fill) through union ranges; returns the number of calls."""
    calls = 0
    for union in chunks(sorted(set(addresses))):
        sheet.range(union).color = color
        calls += 1
    return calls


def previous_marks(book: live.BookLike) -> list[tuple[str, str, str | None]]:
    """(sheet, cell, 原填充) rows of the current 校验结果, read in one call."""
    if schema.RESULTS not in live.sheet_names(book):
        return []
    rows, _, _ = live.read_sheet(book.sheets[schema.RESULTS])
    if not rows or not {"表", "单元格"} <= set(rows[0]):
        return []
    header = list(rows[0])
    s, c = header.index("表"), header.index("单元格")
    o = header.index(ORIGINAL_FILL) if ORIGINAL_FILL in header else None
    return [(str(r[s]), str(r[c]), None if o is None or r[o] is None else str(r[o])) for r in rows[1:]
            if len(r) > max(s, c) and r[s] and r[c]]


def _restored_color(original: str | None) -> tuple[int, int, int] | bool | None:
    """The colour to give back (None = no fill), or False when it cannot be restored as a plain colour."""
    if original in (None, ""):
        return False
    if original == NO_FILL:
        return None
    try:
        rgb = str(json.loads(original)["fg"]["rgb"])[-6:]
        return tuple(int(rgb[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]
    except (ValueError, KeyError, TypeError):
        return False


def unmark(book: live.BookLike, marks: list[tuple[str, str, str | None]], sheets: set[str]) -> int:
    """Give the previously marked cells their colour back, one union range per sheet and colour."""
    groups: dict[tuple[str, tuple[int, int, int] | None], list[str]] = {}
    for sheet, cell, original in marks:
        color = _restored_color(original)
        if sheet in sheets and sheet != schema.RESULTS and color is not False:
            groups.setdefault((sheet, color), []).append(cell)  # type: ignore[arg-type]
    for (sheet, color), cells in groups.items():
        paint(book.sheets[sheet], cells, color)
    return sum(len(set(c)) for c in groups.values())


def write_results(book: live.BookLike, rows: list[list[object]]) -> None:
    """Replace the content of 校验结果 (created at the end when missing) with `rows`, in one write."""
    if schema.RESULTS in live.sheet_names(book):
        sheet = book.sheets[schema.RESULTS]
        sheet.clear_contents()
    else:
        last = list(book.sheets)[-1]
        sheet = book.sheets.add(schema.RESULTS, after=last)
    sheet.range((1, 1)).value = rows


def log_change(book: live.BookLike, content: str) -> None:
    """Append one row to 变更记录 (as the file writer does for every write): one read, one write."""
    if schema.CHANGES not in live.sheet_names(book):
        return
    sheet = book.sheets[schema.CHANGES]
    rows, first_row, first_col = live.read_sheet(sheet)
    header = next((r for r in rows if "时间" in r and "操作" in r), None)
    if header is None:
        return
    values = {"时间": dt.datetime.now().replace(microsecond=0), "操作": ACTION,
              "表": schema.short(schema.RESULTS), "行": None, "内容": content}
    sheet.range((first_row + len(rows), first_col + 1)).value = [[values.get(str(h)) for h in header]]


def validate(ctx: Context) -> Outcome:
    """校验: the rules of `ledger check`, marks and 校验结果 written into the open workbook."""
    sheets = set(live.sheet_names(ctx.book))
    plan = plan_marks(ctx.ledger(), ctx.today, sheets)
    cleared = unmark(ctx.book, previous_marks(ctx.book), sheets)
    for sheet, cells in plan.marks.items():
        for severity, color in COLORS.items():
            paint(ctx.book.sheets[sheet], [c for c, s in cells.items() if s is severity], color)
    write_results(ctx.book, plan.rows)
    log_change(ctx.book, plan.change_line(cleared))
    return Outcome(message=clip(plan.lines(ctx.today)), ok=True)
