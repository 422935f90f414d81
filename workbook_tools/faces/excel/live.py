"""Reading and writing the open workbook through xlwings — whole sheets and blocks, never cells.

Every sheet's values are read with ONE call and handed, with the position of its
first cell, to `workbook_tools.read.parse`, the same parser the file reader uses, so
findings name the cells Excel shows.  The block read ends at the last cell holding
a value or formula (two `Find` calls on Windows), not at the end of the used range:
one formatted cell near row 1,048,576 would make the used range millions of cells.
A changed region is written back in a bounded number of calls (see `write_block`).

Only the handful of xlwings calls declared in the protocols below are used, so a
small in-memory fake can stand in for Excel in tests.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import LedgerError
from workbook_tools.tasks.reading import Rows, parse_workbook

Block = list[list[object]]


class RangeLike(Protocol):
    row: int      # 1-based worksheet row of the first cell
    column: int   # 1-based worksheet column of the first cell
    value: Any

    formula: Any  # the formulas of the range: "=..." for a formula cell, else the constant as text
    color: Any    # the fill of every cell: an (r, g, b) tuple, None for no fill

    def options(self, **kwargs: Any) -> RangeLike: ...


class SheetLike(Protocol):
    name: str
    api: Any      # the native sheet object (COM on Windows)

    @property
    def used_range(self) -> RangeLike: ...

    def range(self, cell1: Any, cell2: Any = None) -> RangeLike: ...

    def clear_contents(self) -> None: ...


class SheetsLike(Protocol):
    def __iter__(self) -> Iterator[SheetLike]: ...

    def __getitem__(self, name: str) -> SheetLike: ...

    @property
    def active(self) -> SheetLike: ...

    def add(self, name: str | None = None, before: Any = None, after: Any = None) -> SheetLike: ...


class AppLike(Protocol):
    calculation: str   # "automatic" | "manual" | "semiautomatic"
    books: Any         # the open workbooks (books.open(path))

    def properties(self, **kwargs: Any) -> AbstractContextManager[Any]: ...

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok",
              mode: str | None = None, callback: str | None = None) -> str | None: ...


class BookLike(Protocol):
    name: str
    fullname: str
    app: AppLike

    @property
    def sheets(self) -> SheetsLike: ...

    def save(self, path: str | None = None) -> None: ...

    def close(self) -> None: ...


def sheet_names(book: BookLike) -> list[str]:
    return [sheet.name for sheet in book.sheets]


def is_ledger(book: BookLike) -> bool:
    """A workbook is a ledger when it has the 附件7 sheet (the ledger's key table)."""
    return schema.A7 in sheet_names(book)


# Excel constants of Range.Find
XL_FORMULAS, XL_PART, XL_BY_ROWS, XL_BY_COLUMNS, XL_PREVIOUS = -4123, 2, 1, 2, 2
UNKNOWN = (0, 0)  # the platform offers no Find (macOS): the used range is read as it is


def _find_last(cells: Any, order: int) -> Any:
    return cells.Find(What="*", LookIn=XL_FORMULAS, LookAt=XL_PART, SearchOrder=order,
                      SearchDirection=XL_PREVIOUS, MatchCase=False)


def last_cell(sheet: SheetLike) -> tuple[int, int] | None:
    """(row, column), 1-based, of the last row and column holding a value or formula; None: empty sheet.

    Formats alone do not count (unlike the used range).  `Find` searching backwards from A1
    wraps to the end, the usual VBA idiom; LookIn=formulas also finds cells in hidden rows.
    """
    try:
        cells = sheet.api.Cells
    except Exception:  # noqa: BLE001 - no COM object model here (macOS): say so, the caller falls back
        return UNKNOWN
    by_rows = _find_last(cells, XL_BY_ROWS)
    if by_rows is None:
        return None
    return int(by_rows.Row), int(_find_last(cells, XL_BY_COLUMNS).Column)


def read_sheet(sheet: SheetLike) -> tuple[Block, int, int]:
    """(rows, first_row 1-based, first_col 0-based) of a sheet's values up to its last filled cell, in one read."""
    used = sheet.used_range
    first_row, first_col = used.row, used.column
    last = last_cell(sheet)
    if last is None:
        return [], first_row, first_col - 1
    block = used if last == UNKNOWN else sheet.range((first_row, first_col), last)
    values = block.options(ndim=2).value
    rows = [list(r) for r in values] if values else []
    return rows, first_row, first_col - 1


def read_raw(book: BookLike, only: set[str] | None = None) -> tuple[dict[str, tuple[Rows, int, int]], list[str]]:
    """The raw blocks of the sheets named in `only` (all when None) and every sheet name, in order."""
    names = sheet_names(book)
    raw: dict[str, tuple[Rows, int, int]] = {}
    for name in names:
        if only is None or name in only:
            raw[name] = read_sheet(book.sheets[name])
    return raw, names


def read_ledger(book: BookLike) -> Ledger:
    """The open workbook as a typed Ledger: one read call per data sheet present."""
    wanted = {s.name for s in schema.data_sheets()}
    raw, names = read_raw(book, only=wanted)
    ledger = parse_workbook(raw, names)
    fullname = getattr(book, "fullname", "") or ""
    ledger.path = Path(fullname) if fullname and "://" not in fullname else None
    return ledger


def to_cell(value: object) -> object:
    """A Python/pandas/numpy value as Excel takes it: NaN/NaT/NA → empty, Timestamp → datetime."""
    if isinstance(value, str) or value is None:
        return value
    if pd.api.types.is_scalar(value) and pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _at(rows: Sequence[Sequence[object]], i: int, j: int) -> object:
    return rows[i][j] if i < len(rows) and j < len(rows[i]) else None


def changed_box(old: Sequence[Sequence[object]], new: Sequence[Sequence[object]]) -> tuple[int, int, int, int] | None:
    """Bounding box (top, bottom, left, right; inclusive, 0-based) of the cells that differ, None if none."""
    height = max(len(old), len(new))
    width = max((len(r) for r in (*old, *new)), default=0)
    changed = [(i, j) for i in range(height) for j in range(width)
               if to_cell(_at(old, i, j)) != to_cell(_at(new, i, j))]
    if not changed:
        return None
    rows = [i for i, _ in changed]
    cols = [j for _, j in changed]
    return min(rows), max(rows), min(cols), max(cols)


def _grid(value: Any, height: int, width: int) -> list[list[object]]:
    """A range's value or formula as rows, also when Excel returned a single cell's scalar."""
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if value and not isinstance(value[0], (list, tuple)):  # one row or one column, flattened
        return [list(value)] if height == 1 else [[v] for v in value]
    return [list(r) for r in value]


def refuse_formulas(formulas: list[list[object]], sheet: SheetLike, top: int, left: int) -> None:
    """A block write replaces every cell of the box: never a formula the user wrote."""
    for i, row in enumerate(formulas):
        for j, text in enumerate(row):
            if isinstance(text, str) and text.startswith("="):
                cell = f"{get_column_letter(left + j)}{top + i}"
                raise LedgerError(f"工作表「{sheet.name}」的 {cell} 是公式，按钮不会覆盖公式：请把公式移出该区域，"
                                  "或保存关闭后用 ledger 命令行处理", 1)


def as_typed(value: object) -> object:
    """What Excel stores as typed: a string gets the text prefix (') so it is never read as a number,
    a date or a formula ("001", "1.10", "2024-01", "=1+1" stay text)."""
    return f"'{value}" if isinstance(value, str) and value else value


def write_block(sheet: SheetLike, first_row: int, first_col: int,
                old: Sequence[Sequence[object]], new: Sequence[Sequence[object]]) -> int:
    """Write the changed box of `new` over `old`; returns the calls made (0, or 3–4 whatever the size).

    `first_row` (1-based) and `first_col` (0-based) locate old[0][0]/new[0][0] on the sheet, as
    `read_sheet` returns them.  Calls: the box's formulas (refused if any), the values with every
    string text-prefixed, a read back; a cell formatted as Text keeps the prefix as a character,
    so where the read back shows it, the box is written once more with those strings plain.
    """
    box = changed_box(old, new)
    if box is None:
        return 0
    top, bottom, left, right = box
    row, col = first_row + top, first_col + left + 1
    height, width = bottom - top + 1, right - left + 1
    target = sheet.range((row, col), (row + height - 1, col + width - 1))
    refuse_formulas(_grid(target.formula, height, width), sheet, row, col)
    block = [[to_cell(_at(new, i, j)) for j in range(left, right + 1)] for i in range(top, bottom + 1)]
    target.value = [[as_typed(v) for v in r] for r in block]
    back = _grid(target.options(ndim=2).value, height, width)
    literal = {(i, j) for i, r in enumerate(block) for j, v in enumerate(r)
               if isinstance(v, str) and v and back[i][j] == as_typed(v)}
    if not literal:
        return 3
    target.value = [[v if (i, j) in literal else as_typed(v) for j, v in enumerate(r)] for i, r in enumerate(block)]
    return 4
