"""`ledger add-free` (附件6 + 附件7) and `ledger pledge` (附件2 承诺书 of the staff) on a file."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.files.writer import WriteResult, write_workbook
from workbook_tools.ops import pledges
from workbook_tools.ops.freelist import FreeSoftware, add_free_edit, plan_free
from workbook_tools.ops.pledges import Person
from workbook_tools.read import reader
from workbook_tools.tasks import Done

__all__ = ["FreeSoftware", "Person", "add_free", "choice", "sign_pledge", "unsigned", "unsigned_lines"]


def backup_tail(result: WriteResult) -> str:
    return f"；原文件备份在 {result.backup}" if result.backup else ""


def choice(value: str | None, choices: tuple[str, ...], option: str) -> str | None:
    """`value` when it is one of `choices` (or not given); a refusal naming `option` otherwise."""
    if value is not None and value not in choices:
        raise LedgerError(f"{option} 只能是：{'、'.join(choices)}")
    return value


def add_free(path: Path, sw: FreeSoftware) -> Done:
    """One free program registered in 附件6 and 附件7 under one number (reused when it has one)."""
    ledger = reader.load_ledger(path)
    outcome = plan_free(ledger, sw)
    if not outcome.needed:
        return Done.of([f"「{outcome.name}」已登记为 {outcome.number}，附件6 与附件7 均已有记录，未改动。"])
    for sheet, adds in ((schema.A7, outcome.add_a7), (schema.A6, outcome.add_a6)):
        if adds:
            ledger[sheet].ensure_room()
    result = write_workbook(path, add_free_edit(sw, outcome), "免费软件", ledger=ledger)
    how = "沿用已有编号" if outcome.reused else "新编号"
    lines = [f"{change.sheet.split(' ')[0]} 第 {change.row} 行：{change.content}" for change in result.changes]
    return Done.of([*lines, f"「{outcome.name}」软件编号 {outcome.number}（{how}）{backup_tail(result)}"], result)


def unsigned(path: Path) -> list[Person]:
    """The staff in service without a signed 承诺书."""
    return pledges.unsigned_staff(reader.load_ledger(path))


def unsigned_lines(path: Path) -> tuple[list[str], list[Person]]:
    """`ledger pledge --list`: its headline and hint lines, and the people to list."""
    return pledges.list_lines(reader.load_ledger(path), str(path))


def sign_pledge(path: Path, name: str, dept: str | None, day: dt.date, today: dt.date, force: bool = False) -> Done:
    """The 承诺书 of `name` (of `dept` when names repeat) recorded as signed on `day`."""
    ledger = reader.load_ledger(path)
    person = pledges.find_person(ledger, name, dept)
    if not pledges.check_signature(person, day, today, force):
        return Done.of([f"「{person.姓名}」（{person.部门 or ''}）已登记 {day} 签署，未改动。"])
    result = write_workbook(path, pledges.sign_edit(person, day), "承诺书", ledger=ledger)
    return Done.of([f"已登记：人员 第 {person.row} 行 {person.部门 or ''} {person.姓名} 于 {day} 签署承诺书"
                    f"{backup_tail(result)}"], result)
