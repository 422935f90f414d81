"""The signed confirmation-slip workflow (安装维护管理规定 一.4, 二.5).

After a visit the 附件9 rows of that computer and day get one 确认单号 (QR-YYYYMMDD-NNN),
the slip is registered in 附件11 with 已签字 = 否 and printed; when the user's signed slip
comes back, 已签字 = 是 is recorded.  Plans are worked out here on the typed ledger; tasks/printing.py
reads the file and writes them through `write_workbook`.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

import pandas as pd
from pydantic import BaseModel, Field

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.forms.common import computer_info, first_text, joined, text

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book

PREFIX = "QR"
ACTION = "确认单"
SIGNED_NOTE = "签字交回"


class VisitPlan(BaseModel):
    """What `ledger slip --computer --date` changes."""

    computer: str
    day: dt.date
    number: str | None = None                                    # given to the visit's unnumbered rows
    rows: list[int] = Field(default_factory=list)                # 附件9 worksheet rows to stamp
    entries: list[dict[str, object]] = Field(default_factory=list)   # new 附件11 rows
    slips: list[str] = Field(default_factory=list)               # every slip of the visit, to print


def next_number(ledger: Ledger, day: dt.date) -> str:
    """QR-YYYYMMDD-NNN with the next free NNN of that day (slips in 附件9 and 附件11 both count)."""
    prefix = f"{PREFIX}-{day:%Y%m%d}-"
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    used = [*ledger.df(schema.A9)["确认单号"], *ledger.df(schema.A11)["确认单号"]]
    taken = [int(m.group(1)) for m in (pattern.match(text(v)) for v in used) if m]
    return f"{prefix}{max(taken, default=0) + 1:03d}"


def visit_rows(ledger: Ledger, computer: str, day: dt.date) -> pd.DataFrame:
    events = ledger.df(schema.A9)
    same = events["计算机编号"].map(text).eq(computer) & events["日期"].eq(pd.Timestamp(day))
    rows = events[same]
    if rows.empty:
        raise LedgerError(f"附件9 中没有计算机 {computer} 在 {day.isoformat()} 的安装维护记录", 1)
    return rows


def register_row(ledger: Ledger, number: str, rows: pd.DataFrame, day: dt.date, signed: bool) -> dict[str, object]:
    computer = first_text(rows["计算机编号"])
    known = computer_info(ledger).get(computer, {})
    return {"确认单号": number, "日期": day, "计算机编号": computer,
            **{h: first_text(rows[h]) or known.get(h, "") for h in ("计算机品牌", "使用人", "使用部门")},
            "安装维护人": joined(rows["经办人"], "、") or ledger.setting("填表人") or None,
            "已签字": "是" if signed else "否"}


def plan_visit(ledger: Ledger, computer: str, day: dt.date) -> VisitPlan:
    rows = visit_rows(ledger, computer, day)
    numbers = rows["确认单号"].map(text)
    existing = [n for n in dict.fromkeys(numbers) if n]
    plan = VisitPlan(computer=computer, day=day)
    if (numbers == "").any():
        plan.number = existing[0] if len(existing) == 1 else next_number(ledger, day)
        plan.rows = [int(r) for r in rows.loc[numbers == "", ROW]]
    plan.slips = sorted(set(existing) | ({plan.number} if plan.number else set()))
    registered = set(ledger.df(schema.A11)["确认单号"].map(text))
    for number in (n for n in plan.slips if n not in registered):
        mine = numbers.eq(number) | (numbers.eq("") & (number == plan.number))
        plan.entries.append(register_row(ledger, number, rows[mine], day, signed=False))
    return plan


def apply_visit(book: Book, plan: VisitPlan) -> list[Change]:
    table = book.table(schema.A9)
    changes = []
    for row in plan.rows:
        table.set(row, "确认单号", plan.number)
        changes.append(Change(action=ACTION, sheet=schema.A9, row=row,
                              content=f"确认单号 {plan.number}（计算机 {plan.computer}，{plan.day.isoformat()}）"))
    if plan.entries:
        register = book.table(schema.A11)
        for row, values in zip(register.append_rows(plan.entries), plan.entries):
            changes.append(Change(action=ACTION, sheet=schema.A11, row=row,
                                  content=f"登记确认单 {values['确认单号']}（计算机 {values['计算机编号']}，未签字）"))
    return changes


class SignedPlan(BaseModel):
    number: str
    day: dt.date
    row: int | None = None                       # 附件11 row to mark (None: see `entry`)
    note: str = ""                               # its 备注 after the change
    entry: dict[str, object] | None = None     # new 附件11 row when the slip was never registered
    already: bool = False


def plan_signed(ledger: Ledger, number: str, day: dt.date) -> SignedPlan:
    register = ledger.df(schema.A11)
    mine = register[register["确认单号"].map(text).eq(number)]
    plan = SignedPlan(number=number, day=day)
    if len(mine):
        record = mine.iloc[0]
        plan.already = text(record["已签字"]) == "是"
        plan.row = int(record[ROW])
        plan.note = "；".join(p for p in (text(record["备注"]), f"{SIGNED_NOTE} {day.isoformat()}") if p)
        return plan
    events = ledger.df(schema.A9)
    rows = events[events["确认单号"].map(text).eq(number)]
    if rows.empty:
        raise LedgerError(f"附件9 和附件11 中都没有确认单号 {number}", 1)
    plan.entry = register_row(ledger, number, rows, rows["日期"].min().date(), signed=True)
    plan.entry["备注"] = f"{SIGNED_NOTE} {day.isoformat()}"
    return plan


def apply_signed(book: Book, plan: SignedPlan) -> list[Change]:
    table = book.table(schema.A11)
    if plan.entry is not None:
        row = table.append(plan.entry)
        return [Change(action=ACTION, sheet=schema.A11, row=row, content=f"登记确认单 {plan.number}（已签字交回）")]
    assert plan.row is not None  # a slip already in 附件11
    table.set_row(plan.row, {"已签字": "是", "备注": plan.note})
    return [Change(action=ACTION, sheet=schema.A11, row=plan.row,
                   content=f"确认单 {plan.number} 已签字交回（{plan.day.isoformat()}）")]
