"""Writing the generated rows into a new workbook, one pass per sheet."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from workbook_tools import schema
from workbook_tools.io.sheets import DATE_FORMAT, TEXT_FORMAT, append_rows, cell_value, sheet_map, write_cell
from workbook_tools.schema import Kind


def converter(column: schema.Column) -> Callable[[object], tuple[object, str | None]]:
    """Fast typing of values we generated ourselves (never NaN): (value, number format)."""
    kind = column.kind
    if kind is Kind.DATE:
        def to_date(v: object) -> tuple[object, str | None]:
            if isinstance(v, pd.Timestamp):
                v = v.to_pydatetime()
            elif isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                v = dt.datetime(v.year, v.month, v.day)
            return v, DATE_FORMAT
        return to_date
    if kind in (Kind.MONEY, Kind.COUNT):
        return lambda v: cell_value(column, v)
    fmt = TEXT_FORMAT if kind in (Kind.ID, Kind.VERSION) else None
    return lambda v: (v if isinstance(v, str) else str(v), fmt)


def typed_row(ws: Worksheet, converters: list, row: Sequence[object]) -> list[object]:
    """Cells typed as the schema wants them (dates, text IDs with format '@', numbers)."""
    out: list[object] = []
    for convert, value in zip(converters, row):
        if value is None:
            out.append(None)
            continue
        stored, fmt = convert(value)
        if fmt is None:
            out.append(stored)
            continue
        cell = Cell(ws, value=stored)
        cell.number_format = fmt
        out.append(cell)
    return out


def fresh(ws: Worksheet, spec: schema.Sheet) -> bool:
    """True for a sheet holding only its header, columns A, B, C… in schema order (as `ledger init` makes it)."""
    if ws.max_row != 1:
        return False
    return [ws.cell(1, j).value for j in range(1, len(spec.headers) + 1)] == list(spec.headers)


def write_table(wb: Workbook, name: str, rows: Sequence[Sequence[object]]) -> None:
    """Append rows (values in the schema's header order) below the header of a schema sheet."""
    spec = schema.sheet(name)
    ws = wb[spec.name] if spec.name in wb.sheetnames else None
    if ws is None or not fresh(ws, spec):
        ws, smap = sheet_map(wb, name, create=True)
        append_rows(ws, smap, (dict(zip(spec.headers, r)) for r in rows))
        return
    converters = [converter(c) for c in spec.columns]
    for row in rows:
        ws.append(typed_row(ws, converters, row))


def write_settings(wb: Workbook, values: Mapping[str, object]) -> None:
    """Set keys of 设置 (appending missing ones); dates as real dates."""
    ws, smap = sheet_map(wb, schema.SETTINGS)
    key_col, value_col = smap.cols["项目"], smap.cols["值"]
    column = smap.spec.column("值")
    rows = {ws.cell(r, key_col).value: r for r in range(smap.first_data_row, ws.max_row + 1)}
    for key, value in values.items():
        row = rows.get(key) or append_rows(ws, smap, [{"项目": key}])[0]
        if isinstance(value, dt.date):
            cell = ws.cell(row, value_col)
            cell.value = dt.datetime(value.year, value.month, value.day)
            cell.number_format = DATE_FORMAT
        else:
            write_cell(ws, row, value_col, column, value)
