"""openpyxl helpers for building NEW workbooks (`ledger init`, the demo, test ledgers, generated sheets).

Existing ledgers are never edited through openpyxl: see io/book.py.  Nothing here saves a file.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, SupportsFloat, cast

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.workbook import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from workbook_tools.core import schema
from workbook_tools.core.a1 import MAX_ROW, col_letters
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.core.schema import Column, Kind
from workbook_tools.core.values import is_empty
from workbook_tools.read.parse import HEADER_SEARCH_ROWS, find_header
from workbook_tools.xlsx.cells import openpyxl_text

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FONT = Font(bold=True)


@dataclass
class SheetMap:
    """Where a schema sheet's header and columns are in a worksheet (1-based)."""

    spec: schema.Sheet
    header_row: int
    cols: dict[str, int]

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1


def locate(ws: Worksheet, spec: schema.Sheet) -> SheetMap:
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS)]
    found = find_header(rows, spec)
    if found is None:
        raise LedgerError(f"工作表「{spec.name}」找不到表头")
    index, mapping = found
    return SheetMap(spec, index + 1, {h: j + 1 for h, j in mapping.items()})


def ensure_columns(ws: Worksheet, smap: SheetMap) -> None:
    """Append schema columns the sheet lacks, right of its last header cell."""
    last = max(smap.cols.values(), default=0)
    while ws.cell(smap.header_row, last + 1).value not in (None, ""):
        last += 1
    for column in smap.spec.columns:
        if column.header not in smap.cols:
            last += 1
            style_header(ws.cell(smap.header_row, last, column.header))
            smap.cols[column.header] = last


def sheet_map(wb: Workbook, name: str, create: bool = False) -> tuple[Worksheet, SheetMap]:
    spec = schema.sheet(name)
    if spec.name not in wb.sheetnames:
        if not create:
            raise LedgerError(f"工作簿缺少工作表「{spec.name}」")
        ws = wb.create_sheet(spec.name)
        for j, header in enumerate(spec.headers, start=1):
            style_header(ws.cell(1, j, header))
        ws.freeze_panes = "A2"
    ws = wb[spec.name]
    smap = locate(ws, spec)
    ensure_columns(ws, smap)
    return ws, smap


def style_header(cell: Any) -> None:  # an openpyxl Cell
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def put(ws: Worksheet, row: int, col: int, value: object = None) -> Any:  # an openpyxl Cell
    """ws.cell(row, col, value) for generated sheets: text stays text (never a formula) and characters
    openpyxl refuses are written in Excel's _xHHHH_ form."""
    cell = ws.cell(row, col)
    cell.value = openpyxl_text(value) if isinstance(value, str) else value
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


_blank = is_empty


def cell_value(column: Column, value: object) -> tuple[object, str | None]:
    """(value to store, number format) for a typed value in a column of that kind."""
    if _blank(value):
        return None, None
    kind = column.kind
    if kind in (Kind.DATE,):
        if isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        return value, DATE_FORMAT
    if kind is Kind.DATETIME:
        return value, DATETIME_FORMAT
    if kind in (Kind.MONEY, Kind.COUNT):
        number = float(cast(SupportsFloat, value))   # a MONEY/COUNT value is a number
        stored = int(number) if number.is_integer() else number
        return stored, MONEY_FORMAT if kind is Kind.MONEY else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value), TEXT_FORMAT if kind in (Kind.ID, Kind.VERSION) else None


def write_cell(ws: Worksheet, row: int, col: int, column: Column, value: object) -> None:
    stored, fmt = cell_value(column, value)
    cell = ws.cell(row, col)
    cell.value = openpyxl_text(stored) if isinstance(stored, str) else stored
    if cell.data_type == "f":   # a text that looks like a formula stays text
        cell.data_type = "s"
    if fmt and cell.number_format != fmt:
        cell.number_format = fmt


def write_row(ws: Worksheet, smap: SheetMap, row: int, values: Mapping[str, object]) -> None:
    for header, value in values.items():
        write_cell(ws, row, smap.cols[header], smap.spec.column(header), value)


def last_data_row(ws: Worksheet, smap: SheetMap) -> int:
    """Last row with a value in any schema column (header row when there is none)."""
    cols = list(smap.cols.values())
    for row in range(ws.max_row, smap.header_row, -1):
        if any(ws.cell(row, c).value not in (None, "") for c in cols):
            return row
    return smap.header_row


def append_rows(ws: Worksheet, smap: SheetMap, rows: Iterable[Mapping[str, object]]) -> list[int]:
    start = last_data_row(ws, smap) + 1
    written = []
    for offset, values in enumerate(rows):
        write_row(ws, smap, start + offset, values)
        written.append(start + offset)
    return written


def replace_rows(ws: Worksheet, smap: SheetMap, rows: list[Mapping[str, object]]) -> None:
    """Rewrite the schema columns of all data rows; the user's extra columns stay where they are."""
    old_last = last_data_row(ws, smap)
    first = smap.first_data_row
    for offset, values in enumerate(rows):
        full = {h: values.get(h) for h in smap.spec.headers}
        write_row(ws, smap, first + offset, full)
    for row in range(first + len(rows), old_last + 1):
        for col in smap.cols.values():
            ws.cell(row, col).value = None


def append_changes(wb: Workbook, changes: list[Change], action: str) -> None:
    ws, smap = sheet_map(wb, schema.CHANGES, create=True)
    now = dt.datetime.now().replace(microsecond=0)
    append_rows(ws, smap, ({"时间": now, "操作": c.action or action, "表": schema.short(c.sheet),
                            "行": c.row, "内容": c.content} for c in changes))


# --- dropdowns ---------------------------------------------------------------------------

def _enum_validation(column: Column) -> DataValidation:
    dv = DataValidation(type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True,
                        showErrorMessage=True)
    dv.error = f"「{column.header}」只能填写：{'、'.join(column.choices)}"
    dv.errorTitle = "取值不在列表中"
    return dv


def _ref_validation(column: Column) -> DataValidation:
    # OOXML stores formulas without the "=" Excel shows; Excel calls a file with one damaged.
    dv = DataValidation(type="list", formula1=column.ref, allow_blank=True, showErrorMessage=True)
    dv.errorStyle = "warning"  # a new value may still be typed; the check reports unknown references
    dv.error = f"「{column.header}」不在登记表中，请先在对应登记表中添加"
    dv.errorTitle = "未登记的取值"
    return dv


def wanted_validations(smap: SheetMap) -> list[tuple[str, DataValidation]]:
    out = []
    for column in smap.spec.columns:
        if column.header not in smap.cols or not (column.choices or column.ref):
            continue
        letter = col_letters(smap.cols[column.header])
        sqref = f"{letter}{smap.first_data_row}:{letter}{MAX_ROW}"
        dv = _enum_validation(column) if column.choices else _ref_validation(column)
        out.append((sqref, dv))
    return out


def add_validations(ws: Worksheet, smap: SheetMap) -> int:
    """Add our dropdowns that the sheet lacks; returns how many were added."""
    for dv in ws.data_validations.dataValidation:  # repair "=名称" written by earlier versions
        if dv.formula1 and dv.formula1.startswith("=") and dv.formula1[1:] in schema.REF_SOURCES:
            dv.formula1 = dv.formula1[1:]
    have = {(str(dv.sqref), dv.formula1) for dv in ws.data_validations.dataValidation}
    added = 0
    for sqref, dv in wanted_validations(smap):
        if (sqref, dv.formula1) in have:
            continue
        dv.add(sqref)
        ws.add_data_validation(dv)
        added += 1
    return added


def ensure_defined_names(wb: Workbook) -> None:
    for name, (sheet_name, header) in schema.REF_SOURCES.items():
        if sheet_name not in wb.sheetnames:
            continue
        ws = wb[sheet_name]
        try:
            smap = locate(ws, schema.BY_NAME[sheet_name])
        except LedgerError:
            continue
        if header not in smap.cols:
            continue
        letter = col_letters(smap.cols[header])
        ref = f"{quote_sheetname(sheet_name)}!${letter}${smap.first_data_row}:${letter}${MAX_ROW}"
        current = wb.defined_names.get(name)
        if current is None or current.attr_text != ref:
            wb.defined_names[name] = DefinedName(name, attr_text=ref)


def restore_validations(wb: Workbook) -> None:
    """Put back our dropdowns and their defined names wherever they went missing."""
    ensure_defined_names(wb)
    for spec in schema.SHEETS:
        if spec.name in wb.sheetnames and spec.columns:
            ws = wb[spec.name]
            try:
                add_validations(ws, locate(ws, spec))
            except LedgerError:
                continue
