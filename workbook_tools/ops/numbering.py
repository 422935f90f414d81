"""`ledger number` (LEDGER_SPEC §4): give every 附件7 row without a 软件编号 its number.

A row that the identity rule (台账管理规定 一.3/一.5/一.8) says is software already
numbered takes that number and is reported for merging; any other row gets the next
number of its type, prefix from 设置 + '-' + 4 digits, above every number that exists
or existed (附件3/6/7/8/9, 软件名称对照 and the text of 变更记录).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import pandas as pd
from pydantic import BaseModel

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import Change
from workbook_tools.rules.numbering import identity_keys

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book

ACTION = "自动编号"
NUMBER = "软件编号"
DIGITS = 4
# sheet -> columns that hold software numbers
NUMBER_COLUMNS = ((schema.A3, "选定软件编号"), (schema.A6, NUMBER), (schema.A7, NUMBER), (schema.A8, NUMBER),
                  (schema.A9, NUMBER), (schema.NAME_MAP, NUMBER))


class Assignment(BaseModel):
    row: int
    number: str
    name: str | None = None
    software_type: str
    same_as_row: int | None = None   # an earlier row of the same software: merge the two


class Skipped(BaseModel):
    row: int
    name: str | None = None
    reason: str


class NumberPlan(BaseModel):
    assigned: list[Assignment] = []
    skipped: list[Skipped] = []

    @property
    def merges(self) -> list[Assignment]:
        return [a for a in self.assigned if a.same_as_row is not None]


def used_texts(ledger: Ledger) -> list[str]:
    """Every text in which a number may stand that exists or existed."""
    texts: list[str] = []
    for sheet, column in NUMBER_COLUMNS:
        table = ledger.tables.get(sheet)
        if table is not None and column in table.df:
            texts.extend(str(v) for v in table.df[column].dropna().unique())
    changes = ledger.tables.get(schema.CHANGES)
    if changes is not None:
        texts.extend(str(v) for v in changes.df["内容"].dropna())
    return texts


def highest(prefix: str, texts: Iterable[str]) -> int:
    pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(prefix)}-?(\d+)(?!\d)")
    return max((int(m) for text in texts for m in pattern.findall(text)), default=0)


def format_number(prefix: str, n: int) -> str:
    return f"{prefix}-{n:0{DIGITS}d}"


def _next_numbers(ledger: Ledger) -> dict[str, int]:
    texts = used_texts(ledger)
    return {t: highest(ledger.prefix(t), texts) for t in schema.SOFTWARE_TYPES}


def plan_numbers(ledger: Ledger) -> NumberPlan:
    """Which number each unnumbered 附件7 row gets (pure: nothing is written)."""
    a7 = ledger.df(schema.A7)
    keys = identity_keys(a7)
    known: dict[tuple[object, ...], tuple[str, int]] = {}
    for key, number, row in zip(keys, a7[NUMBER], a7[ROW]):
        if key is not None and not pd.isna(number) and key not in known:
            known[key] = (number, int(row))
    last = _next_numbers(ledger)
    plan = NumberPlan()
    for key, number, row, name, kind in zip(keys, a7[NUMBER], a7[ROW], a7["软件名称"], a7["软件类型"]):
        if not pd.isna(number):
            continue
        name = None if pd.isna(name) else str(name)
        if key is None:
            plan.skipped.append(Skipped(row=int(row), name=name, reason="软件类型为空或不是商业软件/OEM软件/免费软件"))
            continue
        if key in known:
            same, first_row = known[key]
            plan.assigned.append(Assignment(row=int(row), number=same, name=name, software_type=kind,
                                            same_as_row=first_row))
            continue
        last[kind] += 1
        new = format_number(ledger.prefix(kind), last[kind])
        known[key] = (new, int(row))
        plan.assigned.append(Assignment(row=int(row), number=new, name=name, software_type=kind))
    return plan


def describe(a: Assignment) -> str:
    text = f"软件编号 {a.number}（{a.name or ''}，{a.software_type}）"
    if a.same_as_row is not None:
        text += f"，与第 {a.same_as_row} 行为同一软件，应合并为一行（台账管理规定 一.3、一.5、一.8）"
    return text


def number_edit(plan: NumberPlan) -> Callable[[Book], list[Change]]:
    def edit(book: Book) -> list[Change]:
        table = book.table(schema.A7)
        changes = []
        for a in plan.assigned:
            table.set(a.row, NUMBER, a.number)
            changes.append(Change(action=ACTION, sheet=schema.A7, row=a.row, content=describe(a)))
        return changes
    return edit
