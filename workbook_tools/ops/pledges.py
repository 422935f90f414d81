"""使用正版软件承诺书 (责任制度 三, 附件2): who has not signed, and recording a signature in 人员.

The letters themselves are printed by the forms (`ledger print 附件2 --unsigned`).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
from pydantic import BaseModel

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.core.registers import active_staff

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book

SIGNED = "承诺书签署日期"


class Person(BaseModel):
    row: int
    部门: str | None
    姓名: str
    职务: str | None = None
    状态: str | None = None
    signed: dt.date | None = None


def _person(r: pd.Series) -> Person:
    signed = None if pd.isna(r[SIGNED]) else pd.Timestamp(r[SIGNED]).date()
    return Person(row=int(r[ROW]), 部门=r["部门"], 姓名=r["姓名"], 职务=r["职务"], 状态=r["状态"], signed=signed)


def active(df: pd.DataFrame) -> pd.Series:
    """On the staff (registers.active_staff: 在职, or 状态 left blank)."""
    return active_staff(df)


def unsigned_staff(ledger: Ledger) -> list[Person]:
    """在职 staff without 承诺书签署日期 (rule STAFF-NO-PLEDGE), in register order."""
    df = ledger.df(schema.STAFF)
    rows = df[active(df) & df[SIGNED].isna() & df["姓名"].notna()]
    return [_person(r) for _, r in rows.iterrows()]


def list_lines(ledger: Ledger, path: str) -> tuple[list[str], list[Person]]:
    """What `pledge --list` says: a headline, and how to print the letters (the ledger named); the
    people to list (none: the headline says so and nothing else is printed)."""
    people = unsigned_staff(ledger)
    if not people:
        df = ledger.df(schema.STAFF)
        count = int((active(df) & df["姓名"].notna()).sum())
        return [f"在职人员 {count} 人都已登记承诺书签署日期，没有未签署的人员，无需打印承诺书。"], []
    target = f'"{path}"' if any(ch.isspace() for ch in path) else path
    return [f"未签署承诺书的在职人员：{len(people)} 人",
            f"打印这些人的承诺书（一个 PDF）：ledger print 附件2 {target} --unsigned"], people


def find_person(ledger: Ledger, name: str, dept: str | None = None) -> Person:
    """The one register row of `name` (in `dept`); 在职 rows win over 调离 ones."""
    df = ledger.df(schema.STAFF)
    rows = df[df["姓名"].eq(name.strip())]
    if dept:
        rows = rows[rows["部门"].eq(dept.strip())]
    if len(rows) > 1 and active(rows).any():
        rows = rows[active(rows)]
    if rows.empty:
        where = f"「{dept}」" if dept else ""
        raise LedgerError(f"人员表{where}中没有「{name}」", 1)
    if len(rows) > 1:
        depts = "、".join(str(d) for d in rows["部门"].fillna("未填部门"))
        raise LedgerError(f"人员表中有 {len(rows)} 位「{name}」（{depts}），请用 --dept 指明部门", 1)
    return _person(rows.iloc[0])


def check_signature(person: Person, day: dt.date, today: dt.date, force: bool = False) -> bool:
    """Whether recording `day` changes anything; refuses dates to come and silent overwrites."""
    if day > today:
        raise LedgerError(f"签署日期 {day} 晚于今天（{today}）", 1)
    if person.signed == day:
        return False
    if person.signed is not None and not force:
        raise LedgerError(f"「{person.姓名}」已于 {person.signed} 签署承诺书；如需改为 {day} 请加 --force", 1)
    return True


def sign_edit(person: Person, day: dt.date) -> Callable[[Book], list[Change]]:
    def edit(book: Book) -> list[Change]:
        table = book.table(schema.STAFF)
        typed = table.as_typed(person.row, SIGNED)      # as the clerk typed it, not as read
        table.set(person.row, SIGNED, day)
        before = f"（原为 {typed}）" if typed else ""
        return [Change(action="承诺书", sheet=schema.STAFF, row=person.row,
                       content=f"{person.部门 or ''} {person.姓名} 承诺书签署日期 {day}{before}")]

    return edit
