"""附件6 可使用免费软件清单 and 附件7 kept together: one free software, one number, both sheets.

A name that already has a 免费软件 number keeps it (台账管理规定 一.7–一.8: versions share the
number); then only what is missing is added.  A new name takes the next free number
(LEDGER_SPEC §4, from `workbook_tools.ops.numbering`: prefix from 设置 + "-" + 4 digits, never
reusing one that exists or existed).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
from pydantic import BaseModel, Field

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.ops.numbering import format_number, highest, used_texts
from workbook_tools.rules.context import norm_key

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book, TableEdit

FREE = "免费软件"
A6_DETAILS = ("软件版本", "软件来源", "软件厂商名称", "软件厂商客服联系方式", "使用部门", "使用原因")


class FreeSoftware(BaseModel):
    """What the clerk tells about a free software (options of `ledger add-free`)."""

    软件名称: str
    软件版本: str | None = None
    软件来源: str | None = None
    软件厂商名称: str | None = None
    软件厂商客服联系方式: str | None = None
    使用部门: str | None = None
    使用原因: str | None = None
    软件类别: str | None = None
    产地: str | None = None


class FreeOutcome(BaseModel):
    number: str
    name: str                          # the spelling already in the ledger, else the one given
    reused: bool                       # the name already had this number
    add_a7: bool
    add_a6: bool
    fill_a6: dict[str, str] = Field(default_factory=dict)  # blank cells of the existing 附件6 row to fill
    a6_row: int | None = None

    @property
    def needed(self) -> bool:
        return self.add_a7 or self.add_a6 or bool(self.fill_a6)


def name_key(name: object) -> str:
    return norm_key(name) or ""


def next_number(ledger: Ledger, software_type: str = FREE) -> str:
    """The auto-numbering's next number for the type (above every number that exists or existed)."""
    prefix = ledger.prefix(software_type)
    return format_number(prefix, highest(prefix, used_texts(ledger)) + 1)


def _same_name(df: pd.DataFrame, name: str) -> pd.DataFrame:
    return df[df["软件名称"].map(name_key) == name_key(name)]


def _number_for(ledger: Ledger, sw: FreeSoftware, free7: pd.DataFrame, a6: pd.DataFrame) -> tuple[str, bool]:
    for rows in (free7, a6):
        numbers = rows["软件编号"].dropna()
        if len(numbers):
            return str(numbers.iloc[0]), True
    return next_number(ledger), False


def _refuse_conflicts(ledger: Ledger, sw: FreeSoftware, number: str) -> None:
    a7 = ledger.df(schema.A7)
    other = _same_name(a7, sw.软件名称)
    other = other[other["软件类型"].ne(FREE) & other["软件类型"].notna()]
    if len(other):
        first = other.iloc[0]
        raise LedgerError(f"「{sw.软件名称}」已在附件7 登记为{first['软件类型']}（{first['软件编号']}），不能再作为免费软件登记", 1)
    holder = a7[a7["软件编号"].eq(number) & a7["软件名称"].map(name_key).ne(name_key(sw.软件名称))]
    if len(holder):
        raise LedgerError(f"附件6 中「{sw.软件名称}」的编号 {number} 在附件7 中属于「{holder.iloc[0]['软件名称']}」，请先改正", 1)


def plan_free(ledger: Ledger, sw: FreeSoftware) -> FreeOutcome:
    """What adding `sw` takes: which number, and which rows or cells are missing."""
    a7 = ledger.df(schema.A7)
    free7 = _same_name(a7[a7["软件类型"].eq(FREE)], sw.软件名称)
    a6 = _same_name(ledger.df(schema.A6), sw.软件名称)
    number, reused = _number_for(ledger, sw, free7, a6)
    _refuse_conflicts(ledger, sw, number)
    known = pd.concat([free7["软件名称"], a6["软件名称"]]).dropna()
    name = str(known.iloc[0]) if len(known) else sw.软件名称.strip()
    outcome = FreeOutcome(number=number, name=name, reused=reused, add_a7=free7.empty, add_a6=a6.empty)
    if not a6.empty:
        row = a6.iloc[0]
        outcome.a6_row = int(row[ROW])
        wanted = sw.model_dump() | {"软件编号": number}
        outcome.fill_a6 = {h: wanted[h] for h in ("软件编号", *A6_DETAILS)
                           if wanted.get(h) and (row[h] is None or pd.isna(row[h]))}
    return outcome


def _serial(book: Book, table: TableEdit) -> int:
    """Next 序号: after the largest one, and never below the number of rows already there."""
    values = [str(v).strip() for v in book.ledger.df(table.name)["序号"].dropna()] if book.ledger else []
    return max([int(v) for v in values if v.isdigit()] + [table.last_row - table.header_row]) + 1


def a7_values(sw: FreeSoftware, number: str) -> dict[str, object]:
    """附件7 row of a free software: version and licence fields stay blank (台账管理规定 一.9)."""
    return {"软件编号": number, "软件名称": sw.软件名称, "软件类型": FREE, "获取方式": "免费获取",
            "软件类别": sw.软件类别, "产地": sw.产地, "状态": "在用"}


def add_free_edit(sw: FreeSoftware, outcome: FreeOutcome) -> Callable[[Book], list[Change]]:
    def edit(book: Book) -> list[Change]:
        changes = []
        if outcome.add_a7:
            a7 = book.table(schema.A7)
            values = a7_values(sw, outcome.number) | {"软件名称": outcome.name, "序号": str(_serial(book, a7))}
            row = a7.append(values)
            changes.append(Change(action="免费软件", sheet=schema.A7, row=row,
                                  content=f"登记免费软件 {outcome.number} {outcome.name}"))
        a6 = book.table(schema.A6)
        if outcome.add_a6:
            values = {h: getattr(sw, h) for h in A6_DETAILS} | {"软件编号": outcome.number, "软件名称": outcome.name}
            row = a6.append(values | {"序号": str(_serial(book, a6))})
            changes.append(Change(action="免费软件", sheet=schema.A6, row=row,
                                  content=f"列入可使用免费软件清单 {outcome.number} {outcome.name}"))
        for header, value in outcome.fill_a6.items():
            assert outcome.a6_row is not None  # the row whose blanks are filled
            a6.set(outcome.a6_row, header, value)
            changes.append(Change(action="免费软件", sheet=schema.A6, row=outcome.a6_row,
                                  content=f"补填「{header}」：{value}"))
        return changes

    return edit
