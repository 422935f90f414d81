"""Reading for a face: a ledger from a file (`load_ledger`) or from the raw values of a live workbook
(`parse_workbook`, what the Excel buttons read through xlwings), dates as users type them, 变更记录."""
from __future__ import annotations

from pathlib import Path

from workbook_tools.core import schema
from workbook_tools.core.values import parse_date_text
from workbook_tools.read.coerce import to_number
from workbook_tools.read.parse import Rows, parse_workbook
from workbook_tools.read.reader import load_ledger

__all__ = ["Rows", "changes", "load_ledger", "parse_date_text", "parse_workbook", "to_number"]


def changes(path: Path, limit: int) -> list[dict[str, str | None]]:
    """The last `limit` rows of the ledger's 变更记录 (newest last), every value as text."""
    ledger = load_ledger(path)
    df = ledger.df(schema.CHANGES) if schema.CHANGES in ledger.tables else None
    if df is None:
        return []
    rows = df.drop(columns=["_row"], errors="ignore").tail(limit).astype(object)
    return [{k: (None if v != v else str(v)) for k, v in r.items()} for r in rows.to_dict("records")]
