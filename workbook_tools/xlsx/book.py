"""What a command's edit sees: the sheets it may change, cell by cell, and the sheets it generates.

An edit is `edit(book) -> list[Change]`.  `book.table(name)` is a schema sheet located by its
header (as the reader found it); its `set`/`clear`/`append` calls only record cell operations.
`book.generate(name, build)` builds a whole generated sheet with openpyxl and grafts it in.
Nothing reaches the package until the writer commits the book: then each touched worksheet is
patched once, row by row, and every other part stays as it was.
"""
from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import SupportsFloat, cast

import pandas as pd
from openpyxl.worksheet.worksheet import Worksheet

from workbook_tools.core import schema
from workbook_tools.core.a1 import MAX_ROW, cell_ref
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import LedgerError
from workbook_tools.core.schema import Column, Kind
from workbook_tools.core.values import is_empty
from workbook_tools.read.parse import find_header
from workbook_tools.read.reader import read_raw
from workbook_tools.xlsx import cells
from workbook_tools.xlsx.graft import Grafter, build_scratch
from workbook_tools.xlsx.newbook import SheetMap, add_validations, style_header
from workbook_tools.xlsx.notes import SheetNotes
from workbook_tools.xlsx.package import Package
from workbook_tools.xlsx.sheetpatch import apply_patch
from workbook_tools.xlsx.sheetxml import CellOp, Overwritten, SheetPatch, SheetXml, attr, cell_parts, formula_of
from workbook_tools.xlsx.styles import StyleBook
from workbook_tools.xlsx.tables import resize_tables
from workbook_tools.xlsx.workbookxml import WorkbookXml

Rows = list[list[object]]
_HASHABLE = (str, int, float, type(None), dt.date, dt.datetime, pd.Timestamp)
SERIAL = "序号"
_FMT = {Kind.MONEY: "money", Kind.ID: "id", Kind.VERSION: "id"}


_blank = is_empty


def typed_text(value: object) -> str:
    """A raw cell value (as read, before coercion) in words: text unchanged, a number without a
    spurious `.0`, a date as ISO."""
    if _blank(value):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        return cells.number_text(float(value)) if math.isfinite(float(value)) else str(value)
    return str(value)


_TYPED: dict[tuple[object, ...], tuple[object, str | None]] = {}


def typed(column: Column, value: object) -> tuple[object, str | None]:
    """(value as it is stored, format policy) for a typed value in a column of that kind (cached)."""
    kind = type(value)
    if kind in (str, float, int, pd.Timestamp, dt.date, dt.datetime) or value is None:
        key = (column.kind, column.header == SERIAL, kind, value)
        found = _TYPED.get(key)
        if found is None:
            found = _typed(column, value)
            if len(_TYPED) < 200_000:
                _TYPED[key] = found
        return found
    return _typed(column, value)


def _typed(column: Column, value: object) -> tuple[object, str | None]:
    if _blank(value):
        return None, None
    kind = column.kind
    if kind in (Kind.DATE, Kind.DATETIME):
        stamp = pd.Timestamp(value) if not isinstance(value, str) else None
        if stamp is None or pd.isna(stamp):
            return str(value), None
        return (stamp.to_pydatetime() if kind is Kind.DATETIME else stamp.date()), None
    if kind in (Kind.MONEY, Kind.COUNT):
        return float(cast(SupportsFloat, value)), _FMT.get(kind)
    if column.header == SERIAL and str(value).strip().isdigit():
        return int(str(value).strip()), None   # a serial number is a number, not text Excel flags
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value), _FMT.get(kind)


@dataclass
class TableEdit:
    """Cell operations on one sheet whose header row and columns are known."""

    book: Book
    name: str
    part: str
    spec: schema.Sheet
    header_row: int
    cols: dict[str, int]                       # header -> 1-based column
    data_rows: list[int]                       # rows holding data before the edit
    patch: SheetPatch = field(default_factory=SheetPatch)
    appended: list[int] = field(default_factory=list)
    rows_before: list[int] = field(default_factory=list)   # <row> numbers of the part before the patch

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        if self.appended:
            return self.appended[-1]
        return max(max(self.data_rows, default=self.header_row), self.header_row)

    def where(self, row: int, col: int) -> str:
        return f"工作表「{self.name}」单元格 {cell_ref(row, col)} "

    def _encoded(self, row: int, col: int, stored: object) -> cells.Encoded:
        try:
            return cells.encode(stored, date1904=self.book.date1904)
        except LedgerError as exc:
            raise LedgerError(self.where(row, col) + exc.message, exc.exit_code) from None

    def column(self, header: str) -> int:
        if header not in self.cols:
            self.cols[header] = self.book.add_header(self, header)
        return self.cols[header]

    def set(self, row: int, header: str, value: object) -> None:
        col = self.cols.get(header) or self.column(header)
        stored, fmt = typed(self.spec.column(header), value)
        if header == SERIAL and type(stored) is int and self._serials_are_text(col):
            stored = str(stored)
        op = self.patch.op(row, col)
        op.value, op.fmt, op.raw, op.expect = self._encoded(row, col, stored), fmt, None, stored
        op.quote = type(stored) is str and stored.startswith(cells.FORMULA_LEAD)

    def set_kind(self, row: int, header: str, value: object, kind: Kind) -> None:
        """Set a cell of a column whose values have no one kind (设置.值): `value` is stored as `kind`."""
        col = self.cols.get(header) or self.column(header)
        stored, fmt = typed(schema.Column(header, kind), value)
        op = self.patch.op(row, col)
        op.value, op.fmt, op.raw, op.expect = self._encoded(row, col, stored), fmt, None, stored
        op.quote = type(stored) is str and stored.startswith(cells.FORMULA_LEAD)

    def blank_at(self, row: int, col: int) -> None:
        """Empty the cell at (row, col) of any column, known or the user's own."""
        op = self.patch.op(row, col)
        op.value, op.raw = cells.BLANK, None

    def _serials_are_text(self, col: int) -> bool:
        """Whether the column's recent 序号 are mostly text (then new ones are text too, like the rest);
        the last 20 filled cells decide, so that a huge log costs nothing."""
        if not hasattr(self, "_serial_text"):
            xml, text, number = self.book.sheet_xml(self), 0, 0
            for row in sorted(self.data_rows)[-20:]:
                el = xml.cells(row).get(col)
                if el is None or (b"<v" not in el and b"<is" not in el):
                    continue
                if attr(el[: el.find(b">") + 1], "t") in (b"s", b"str", b"inlineStr"):
                    text += 1
                else:
                    number += 1
            self._serial_text = text > number
        return self._serial_text

    def clear(self, row: int, header: str) -> None:
        self.set(row, header, None)

    def as_typed(self, row: int, header: str) -> str:
        """The cell before this write exactly as the clerk typed it (for 变更记录): text as the text,
        a number as the number, a formula as its formula text — never the value the reader coerced."""
        col = self.cols.get(header)
        if col is None:
            return ""
        formula = self._formula(row, col)
        if formula is not None:
            return formula
        rows = self.book.raw(self.name)
        first_row, first_col = self.book.origin(self.name)
        values = rows[row - first_row] if 0 <= row - first_row < len(rows) else []
        return typed_text(values[col - 1 - first_col] if 0 <= col - 1 - first_col < len(values) else None)

    def _formula(self, row: int, col: int) -> str | None:
        xml = self.book.sheet_xml(self)
        if not xml.has_formulas:
            return None
        el = xml.cells(row).get(col)
        found = formula_of(xml.g, cell_parts(xml.g, el)[1]) if el is not None else None
        return "=" + html.unescape(found[1].decode()) if found and found[1] else None

    def set_row(self, row: int, values: Mapping[str, object]) -> None:
        for header, value in values.items():
            self.set(row, header, value)

    def set_frame(self, rows: list[int], frame: pd.DataFrame, headers: Iterable[str]) -> None:
        """Many whole rows at once (the roll-up's 附件8): `frame`'s i-th row goes to worksheet row rows[i].

        Column by column, each distinct value is typed and encoded once and its operation shared by
        every cell that holds it.
        """
        headers = list(headers)
        cols = [self.cols.get(h) or self.column(h) for h in headers]
        per_column = [self._column_ops(rows, frame.get(h), len(rows), h, c)
                      for h, c in zip(headers, cols)]
        ops, plain = self.patch.ops, self.patch.plain
        for row, row_ops in zip(rows, zip(*per_column)) if per_column else ():
            if row not in ops:
                plain.add(row)
            ops.setdefault(row, {}).update(zip(cols, row_ops))

    def _column_ops(self, rows: list[int], values: pd.Series | None, n: int, header: str, col: int) -> list[CellOp]:
        column = self.spec.column(header)
        if values is None:
            return [self._shared_op(rows[0] if rows else 0, col, column, None)] * n
        codes, uniques = pd.factorize(values, use_na_sentinel=True)   # typed columns stay typed: no per-cell boxing
        uniques = list(uniques.astype(object)) if hasattr(uniques, "astype") else list(uniques)
        made = [self._shared_op(rows[0], col, column, u) for u in uniques] + [self._shared_op(0, col, column, None)]
        return [made[c] for c in codes.tolist()]

    def _shared_op(self, row: int, col: int, column: Column, value: object) -> CellOp:
        stored, fmt = typed(column, value)
        return CellOp(self._encoded(row, col, stored), fmt, None, None,
                      type(stored) is str and stored.startswith(cells.FORMULA_LEAD), stored, True)

    def append(self, values: Mapping[str, object]) -> int:
        row = self.last_row + 1
        if row > MAX_ROW:
            raise LedgerError(f"工作表「{self.name}」已写到 Excel 的最后一行（第 {MAX_ROW} 行），不能再追加；"
                              "请检查表中最下方是否有误填的单元格", 1)
        if not self.appended and self.patch.template_row is None:
            self.patch.template_row = self.last_row if self.last_row > self.header_row else None
        self.appended.append(row)
        self.set_row(row, values)
        return row

    def append_rows(self, rows: Iterable[Mapping[str, object]]) -> list[int]:
        return [self.append(values) for values in rows]

    def copy_cell(self, source_row: int, target_row: int, col: int) -> None:
        """Put the cell at (source_row, col) — value, formula, style — at (target_row, col)."""
        el = self.book.sheet_xml(self).cells(source_row).get(col)
        op = self.patch.op(target_row, col)
        if el is None:
            op.value, op.raw = cells.BLANK, None
        else:
            op.value, op.raw = None, el

    def restyle(self, row: int, col: int, change: Callable[[int], int]) -> None:
        self.patch.op(row, col).restyle = change

    def style_at(self, row: int, col: int) -> int:
        """The format id a cell shows: its own, else its column's."""
        xml = self.book.sheet_xml(self)
        el = xml.cells(row).get(col)
        if el is None:
            return xml.col_styles().get(col, 0)
        s = attr(cell_parts(xml.g, el)[0], "s")
        return int(s) if s else 0

    def merged(self) -> list[tuple[int, int, int, int]]:
        return self.book.sheet_xml(self).merged()


class Book:
    """One write's view of the package; see the module doc."""

    def __init__(self, pkg: Package, ledger: Ledger | None):
        self.pkg, self.ledger = pkg, ledger
        self.workbook = WorkbookXml(pkg)
        self.date1904 = self.workbook.date1904   # dates are written in the workbook's own date system
        self.styles = StyleBook.load(pkg, self.workbook.part)
        self.tables: dict[str, TableEdit] = {}
        self.generated: list[str] = []
        self.notes: dict[str, SheetNotes] = {}
        self._xml: dict[str, SheetXml] = {}
        self._raw: dict[str, tuple[Rows, int, int]] = {}
        self._reading: dict[str, Future[tuple[Rows, int, int]]] = {}
        self.formulas: list[tuple[str, Overwritten]] = []

    @property
    def path(self) -> Path:
        return self.pkg.path

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.workbook.sheets()]

    def has(self, name: str) -> bool:
        return name in self.sheet_names

    # --- reading what the edit needs -------------------------------------------------------

    def raw(self, name: str) -> Rows:
        """The values of a sheet as they were before the write (one python-calamine read)."""
        return self._read(name)[0]

    def prefetch(self, name: str) -> None:
        """Start reading sheet `name` for a later `raw(name)` in a worker thread: python-calamine releases the GIL
        while it unzips and parses, so the read overlaps the edit's own work instead of following it."""
        if name not in self._raw and name not in self._reading:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-prefetch")
            self._reading[name] = pool.submit(self._fetch, name)
            pool.shutdown(wait=False)      # the read goes on; the pool ends with it

    def _fetch(self, name: str) -> tuple[Rows, int, int]:
        found = read_raw(self.path, only={name})[0].get(name)
        return ([list(r) for r in found[0]], found[1], found[2]) if found else ([], 1, 0)

    def _read(self, name: str) -> tuple[Rows, int, int]:
        if name not in self._raw:
            reading = self._reading.pop(name, None)
            self._raw[name] = reading.result() if reading is not None else self._fetch(name)
        return self._raw[name]

    def sheet_xml(self, table: TableEdit) -> SheetXml:
        if table.part not in self._xml:
            self._xml[table.part] = SheetXml(self.pkg.read(table.part))
        return self._xml[table.part]

    # --- sheets ----------------------------------------------------------------------------

    def table(self, name: str, create: bool = False, spec: schema.Sheet | None = None) -> TableEdit:
        spec = spec or schema.sheet(name)
        name = spec.name
        if name in self.tables:
            return self.tables[name]
        entry = self.workbook.entry(name)
        if entry is None:
            if not create:
                raise LedgerError(f"工作簿缺少工作表「{name}」")
            self.generate(name, lambda ws: new_table_sheet(ws, spec))
            entry = self.workbook.entry(name)
            assert entry is not None  # generated just now
            table = TableEdit(self, name, entry.part, spec, 1,
                              {c.header: j for j, c in enumerate(spec.columns, start=1)}, [])
        else:
            table = self._located(name, entry.part, spec)
        self.tables[name] = table
        return table

    def _located(self, name: str, part: str, spec: schema.Sheet) -> TableEdit:
        known = self.ledger.tables.get(name) if self.ledger is not None else None
        if known is not None and known.present:
            rows = [int(r) for r in known.df[ROW]]
            return TableEdit(self, name, part, spec, known.header_row, {h: c + 1 for h, c in known.columns.items()}, rows)
        if name == schema.SETTINGS and self.ledger is not None and self.ledger.settings_table is not None:
            known = self.ledger.settings_table
            return TableEdit(self, name, part, spec, known.header_row, {h: c + 1 for h, c in known.columns.items()},
                             [int(r) for r in known.df[ROW]])
        return self._located_by_read(name, part, spec)

    def _located_by_read(self, name: str, part: str, spec: schema.Sheet) -> TableEdit:
        rows = self.raw(name)
        found = find_header(rows, spec)
        if found is None:
            raise LedgerError(f"工作表「{name}」找不到表头（应有：{'、'.join(spec.headers)}）")
        index, mapping = found
        first_row, first_col = self.origin(name)
        cols = {h: first_col + j + 1 for h, j in mapping.items()}
        data = [first_row + i for i in range(index + 1, len(rows))
                if any(not _blank(rows[i][j]) for j in mapping.values() if j < len(rows[i]))]
        return TableEdit(self, name, part, spec, first_row + index, cols, data)

    def origin(self, name: str) -> tuple[int, int]:
        return self._read(name)[1:]

    def values(self, name: str, spec: schema.Sheet) -> tuple[TableEdit, list[tuple[int, dict[str, object]]]]:
        """A table and its data rows as (worksheet row, header -> raw value)."""
        table = self.table(name, spec=spec)
        rows = self.raw(name)
        first_row, first_col = self.origin(name)
        out = []
        for row in table.data_rows:
            values = rows[row - first_row] if 0 <= row - first_row < len(rows) else []
            out.append((row, {h: values[c - 1 - first_col] if c - 1 - first_col < len(values) else None
                              for h, c in table.cols.items()}))
        return table, out

    def generate(self, name: str, build: Callable[[Worksheet], None], after: str | None = None,
                 index: int | None = None) -> None:
        """Replace (or add) sheet `name` by one built with openpyxl; placed where it stood, else after `after`."""
        names = self.sheet_names
        if index is None:
            index = names.index(after) + 1 if after in names else len(names)
        Grafter(self.pkg, self.workbook, self.styles).graft(name, build_scratch(name, build, self.date1904), index)
        self.generated.append(name)
        self._raw.pop(name, None)
        self._reading.pop(name, None)

    def add_header(self, table: TableEdit, header: str) -> int:
        """A schema column the sheet lacks: a header cell right of its last one (styled like it)."""
        xml = self.sheet_xml(table)
        filled = [c for c, el in xml.cells(table.header_row).items() if b"<v" in el or b"<is" in el or b":v" in el]
        pending = [c for c, op in table.patch.ops.get(table.header_row, {}).items() if op.value is not None]
        col = max([*filled, *pending, *table.cols.values()], default=0) + 1
        base = table.style_at(table.header_row, max(filled)) if filled else 0
        op = table.patch.op(table.header_row, col)
        op.value = cells.encode(header)
        op.restyle = lambda _s, base=base: base
        return col

    def sheet_notes(self, table: TableEdit) -> SheetNotes:
        if table.part not in self.notes:
            self.notes[table.part] = SheetNotes.load(self.pkg, table.part)
        return self.notes[table.part]

    # --- committing ------------------------------------------------------------------------

    def apply(self, names: Iterable[str]) -> None:
        """Patch the named tables' worksheet parts."""
        for name in names:
            table = self.tables[name]
            if not table.patch and table.part not in self.notes:
                continue
            xml = self.sheet_xml(table)
            table.rows_before = list(xml.index.numbers)
            if table.appended:
                table.patch.extend = (max([*table.data_rows, table.header_row]), table.last_row)
            data, report = apply_patch(xml, table.patch, self.styles, f"工作表「{name}」")
            self.formulas += [(name, f) for f in report.formulas]
            notes = self.notes.get(table.part)
            if notes is not None:
                data = notes.save(data)
            self.pkg.set(table.part, data)
            self._xml.pop(table.part, None)
            if table.patch.extend:
                resize_tables(self.pkg, table.part, *table.patch.extend)

    def finish(self) -> None:
        if self.formulas:
            self.workbook.drop_calc_chain()
        self.workbook.full_calc_on_load()
        self.workbook.save()
        self.styles.save()


def new_table_sheet(ws: Worksheet, spec: schema.Sheet) -> None:
    """An empty sheet of `spec`: styled header, widths, frozen header, our dropdowns."""
    for j, column in enumerate(spec.columns, start=1):
        style_header(ws.cell(1, j, column.header))
        ws.column_dimensions[ws.cell(1, j).column_letter].width = column.width or max(8, len(column.header) * 2.2 + 2)
    ws.freeze_panes = "A2"
    add_validations(ws, SheetMap(spec, 1, {c.header: j for j, c in enumerate(spec.columns, start=1)}))
