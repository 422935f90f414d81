"""Build small ledgers inline for tests.

    path = make_ledger(tmp_path, **{"附件7": [{"软件编号": "SY-0001", "软件名称": "WPS", ...}],
                                    "设置": {"上次半年更新日期": "2026-06-30"}})

Sheet keys may be full names, short names (附件7) or numbers ("7"). Rows are dicts of
header -> typed value (str, number, datetime.date); 设置 takes a dict of key -> value.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl.workbook import Workbook

from workbook_tools import schema
from workbook_tools.create import build_workbook
from workbook_tools.io.sheets import append_rows, sheet_map, write_cell

SettingValue = str | float | int | dt.date | None


def set_settings(wb: Workbook, values: Mapping[str, SettingValue]) -> None:
    """Overwrite (or append) keys of 设置."""
    ws, smap = sheet_map(wb, schema.SETTINGS)
    key_col, value_col = smap.cols["项目"], smap.cols["值"]
    column = smap.spec.column("值")
    rows = {ws.cell(r, key_col).value: r for r in range(smap.first_data_row, ws.max_row + 1)}
    for key, value in values.items():
        row = rows.get(key)
        if row is None:
            row = append_rows(ws, smap, [{"项目": key}])[0]
        if isinstance(value, dt.date):
            ws.cell(row, value_col).value = value
            ws.cell(row, value_col).number_format = "yyyy-mm-dd"
        else:
            write_cell(ws, row, value_col, column, value)


def fill(wb: Workbook, sheets: Mapping[str, Sequence[Mapping[str, object]] | Mapping[str, SettingValue]]) -> None:
    for key, rows in sheets.items():
        name = schema.sheet(key).name
        if name == schema.SETTINGS:
            set_settings(wb, rows)  # type: ignore[arg-type]
            continue
        ws, smap = sheet_map(wb, name)
        append_rows(ws, smap, rows)  # type: ignore[arg-type]


def make_ledger(tmp_path: Path, filename: str = "ledger.xlsx", **sheets) -> Path:
    """A new ledger (every sheet of the schema) with the given rows, saved under tmp_path."""
    wb = build_workbook()
    fill(wb, sheets)
    path = Path(tmp_path) / filename
    wb.save(path)
    return path
