"""Reading and writing the open workbook through xlwings — whole sheets and blocks, never cells.

Every sheet is read with ONE call (`used_range` → `.options(ndim=2).value`) and
handed, with the position of its first cell, to `workbook_tools.io.parse`, the
same parser the file reader uses, so findings name the cells Excel shows.
A changed region is written back with ONE call per sheet.

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

from workbook_tools import schema
from workbook_tools.io.parse import Rows, parse_workbook
from workbook_tools.ledger import Ledger

Block = list[list[object]]


class RangeLike(Protocol):
    row: int      # 1-based worksheet row of the first cell
    column: int   # 1-based worksheet column of the first cell
    value: Any

    def options(self, **kwargs: Any) -> RangeLike: ...


class SheetLike(Protocol):
    name: str

    @property
    def used_range(self) -> RangeLike: ...

    def range(self, cell: tuple[int, int]) -> RangeLike: ...


class SheetsLike(Protocol):
    def __iter__(self) -> Iterator[SheetLike]: ...

    def __getitem__(self, name: str) -> SheetLike: ...


class AppLike(Protocol):
    def properties(self, **kwargs: Any) -> AbstractContextManager[Any]: ...

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok",
              mode: str | None = None, callback: str | None = None) -> str | None: ...


class BookLike(Protocol):
    name: str
    fullname: str
    app: AppLike

    @property
    def sheets(self) -> SheetsLike: ...


def sheet_names(book: BookLike) -> list[str]:
    return [sheet.name for sheet in book.sheets]


def is_ledger(book: BookLike) -> bool:
    """A workbook is a ledger when it has the 附件7 sheet (the ledger's key table)."""
    return schema.A7 in sheet_names(book)


def read_sheet(sheet: SheetLike) -> tuple[Block, int, int]:
    """(rows, first_row 1-based, first_col 0-based) of a sheet's used range, values read in one call."""
    used = sheet.used_range
    values = used.options(ndim=2).value
    rows = [list(r) for r in values] if values else []
    return rows, used.row, used.column - 1


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


def write_block(sheet: SheetLike, first_row: int, first_col: int,
                old: Sequence[Sequence[object]], new: Sequence[Sequence[object]]) -> int:
    """Write the changed part of `new` over `old` in one call; returns the number of calls made (0 or 1).

    `first_row` (1-based) and `first_col` (0-based) locate old[0][0]/new[0][0] on the sheet,
    as `read_sheet` returns them.
    """
    box = changed_box(old, new)
    if box is None:
        return 0
    top, bottom, left, right = box
    block = [[to_cell(_at(new, i, j)) for j in range(left, right + 1)] for i in range(top, bottom + 1)]
    sheet.range((first_row + top, first_col + left + 1)).value = block
    return 1
