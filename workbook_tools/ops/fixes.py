"""`ledger fix-blanks`: clear what BLANK-OEM / BLANK-FREE / BLANK-DONATED forbid, logging every old value."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import BaseModel

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import Change
from workbook_tools.rules.context import show
from workbook_tools.rules.fields import BLANK_TEXT, blank_violations

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book

ACTION = "清除应空栏目"


class BlankClear(BaseModel):
    rule: str
    sheet: str
    row: int
    column: str
    cell: str | None
    old: str           # the value as read (shown to the user before confirming)
    name: str | None = None


def plan_blanks(ledger: Ledger) -> list[BlankClear]:
    """Every cell a BLANK-* rule wants empty, in worksheet order."""
    table = ledger[schema.A7]
    out = []
    for code, rows, field in blank_violations(table.df):
        for row, value, name in zip(rows[ROW], rows[field], rows["软件名称"]):
            out.append(BlankClear(rule=code, sheet=table.name, row=int(row), column=field,
                                  cell=table.cell(int(row), field), old=show(value), name=show(name) or None))
    return sorted(out, key=lambda c: (c.row, table.columns.get(c.column, 0)))


def blanks_edit(clears: list[BlankClear]) -> Callable[[Book], list[Change]]:
    def edit(book: Book) -> list[Change]:
        table = book.table(schema.A7)
        changes = []
        for c in clears:
            old = table.as_typed(c.row, c.column)     # what was typed, not the coerced value
            table.clear(c.row, c.column)
            clause = BLANK_TEXT[c.rule][1]
            changes.append(Change(action=ACTION, sheet=schema.A7, row=c.row, content=(
                f"{c.cell}「{c.column}」原值「{old}」已清除（{c.rule}，{clause}；软件「{c.name or ''}」）")))
        return changes
    return edit
