"""Writing the generated rows into a new workbook, one pass per sheet."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from workbook_tools.core import schema
from workbook_tools.core.schema import Kind
from workbook_tools.xlsx.newbook import DATE_FORMAT, TEXT_FORMAT, append_rows, cell_value, sheet_map, write_cell


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


# openpyxl data type of each kind of value the generator produces.
DATA_TYPES = {str: "s", int: "n", float: "n", dt.datetime: "d"}


class CellMaker:
    """Typed cells for one worksheet, made without openpyxl's per-value checks.

    The rows come from this package's generator (plain str/int/float/datetime drawn from
    fixed word lists, no control characters), so `Cell.value`'s type sniffing and
    illegal-character scan are skipped for them: that takes about a third off filling a
    150,000-row log.  Anything else goes through the public setter.
    """

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.styles: dict[str, object] = {}

    def style(self, fmt: str) -> object:
        if fmt not in self.styles:
            probe = Cell(self.ws)
            probe.number_format = fmt
            self.styles[fmt] = probe._style
        return self.styles[fmt]

    def __call__(self, value: object, fmt: str | None) -> Cell:
        data_type = DATA_TYPES.get(type(value))
        if data_type is None:
            cell = Cell(self.ws, value=value)
            if fmt:
                cell.number_format = fmt
            return cell
        cell = Cell(self.ws, style_array=self.style(fmt) if fmt else None)
        cell._value, cell.data_type = value, data_type
        return cell


def typed_row(make: CellMaker, converters: list, row: Sequence[object]) -> list[Cell | None]:
    """Cells typed as the schema wants them (dates, text IDs with format '@', numbers)."""
    return [None if value is None else make(*convert(value)) for convert, value in zip(converters, row)]


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
    make = CellMaker(ws)
    for row in rows:
        ws.append(typed_row(make, converters, row))


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


def has_rows(wb: Workbook, name: str) -> bool:
    """Whether a schema sheet already holds data below its header (e.g. from `init --preset`)."""
    ws = wb[schema.sheet(name).name]
    return any(v not in (None, "") for row in ws.iter_rows(min_row=2, values_only=True) for v in row)


def number_prefixes(wb: Workbook) -> dict[str, str]:
    """软件类型 -> the number prefix configured in 设置 (empty keys keep the default)."""
    ws, smap = sheet_map(wb, schema.SETTINGS)
    key_col, value_col = smap.cols["项目"], smap.cols["值"]
    rows = range(smap.first_data_row, ws.max_row + 1)
    values = {ws.cell(r, key_col).value: ws.cell(r, value_col).value for r in rows}
    keys = {"商业软件": "商业软件编号前缀", "OEM软件": "OEM软件编号前缀", "免费软件": "免费软件编号前缀"}
    return {kind: str(values[key]).strip() for kind, key in keys.items() if str(values.get(key) or "").strip()}
