"""`ledger scan-apply`: the proposals confirmed in 扫描建议 become ordinary 附件9 events.

Each confirmed, unapplied row is checked against the ledger first (registered computer and
number, a date, and a log that still allows it: the shared replay of 附件9 with the new
events added must not gain an orphan 卸载 or a double 安装); rows that pass are appended to
附件9 with 计算机品牌/使用人/使用部门 from 计算机 and 备注 naming the scan, and marked
已应用 = 是 with their 附件9 row; the others are marked 跳过 with the reason in 备注.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
from pydantic import BaseModel, Field

from workbook_tools.core import events, schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.read.coerce import clean_text
from workbook_tools.scan.context import COMPUTER, NUMBER
from workbook_tools.scan.propose import (
    APPLIED,
    APPLIED_SKIPPED,
    APPLIED_YES,
    CONFIRM,
    EVENT_ROW,
    REMARK,
    SUGGESTIONS,
    proposal_date,
    suggestion_sheet,
)

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book

ACTION = "扫描建议应用"
ORPHAN = "按附件9 的记录，此时这台计算机上没有安装该软件，不能登记卸载"
DOUBLE = "按附件9 的记录，此时该软件已安装在这台计算机上"


class Confirmed(BaseModel):
    row: int                                # worksheet row in 扫描建议
    values: dict
    event: dict | None = None               # the 附件9 row to append
    skip: str | None = None                 # why it cannot be applied


class ApplyOutcome(BaseModel):
    applied: list[Confirmed] = Field(default_factory=list)
    skipped: list[Confirmed] = Field(default_factory=list)


def _text(values: dict, header: str) -> str | None:
    return clean_text(values.get(header))


def _remark(values: dict) -> str:
    source = _text(values, "扫描文件") or "扫描文件"
    line = _text(values, "扫描行")
    where = f"{source} 第 {line} 行" if line else source
    name = _text(values, "扫描名称")
    found = f"「{name}」" if name else (" 中未发现" if _text(values, "操作") == events.UNINSTALL else "")
    return f"扫描核对：{where}{found}"


def _event(ledger: Ledger, values: dict, serial: int, handler: str | None) -> dict:
    pcs = ledger.df(schema.COMPUTERS).drop_duplicates(COMPUTER).set_index(COMPUTER)
    pc = pcs.loc[_text(values, COMPUTER)]
    return {"序号": str(serial), NUMBER: _text(values, NUMBER), "操作": _text(values, "操作"),
            COMPUTER: _text(values, COMPUTER), "计算机品牌": clean_text(pc["计算机品牌"]),
            "使用人": clean_text(pc["使用人"]), "使用部门": clean_text(pc["使用部门"]), "版本": _text(values, "版本"),
            "日期": proposal_date(values.get("日期")),
            "安装数量": 1.0, "统一部署": "否", "经办人": handler, "备注": _remark(values)}


def _basic_problem(ledger: Ledger, values: dict) -> str | None:
    if _text(values, COMPUTER) not in set(ledger.df(schema.COMPUTERS)[COMPUTER].dropna()):
        return f"计算机编号 {_text(values, COMPUTER)} 不在「计算机」中"
    if _text(values, NUMBER) not in set(ledger.df(schema.A7)[NUMBER].dropna()):
        return f"软件编号 {_text(values, NUMBER)} 不在附件7 中"
    if _text(values, "操作") not in schema.OPERATIONS:
        return "「操作」应为 安装 或 卸载"
    if proposal_date(values.get("日期")) is None:
        return "「日期」无法识别"
    return None


def _replay_problems(log: pd.DataFrame, new: list[dict]) -> dict[int, str]:
    """Index in `new` -> why the log with it added gains an orphan 卸载 or a double 安装.

    A new problem on an existing row (a backdated event clashing with a later one) is charged
    to every new event of the same (计算机编号, 软件编号).
    """
    start = int(log[ROW].max()) + 1 if len(log) else 2
    added = pd.DataFrame([{**e, ROW: start + i} for i, e in enumerate(new)], columns=list(log.columns))
    added[events.DATE] = pd.to_datetime(added[events.DATE])
    added[events.COUNT] = added[events.COUNT].astype(float)
    before = events.replay(log)
    after = events.replay(pd.concat([log, added], ignore_index=True) if len(log) else added)
    pair_of = dict(zip(log[ROW], zip(log[COMPUTER], log[NUMBER])))
    out: dict[int, str] = {}
    for rows, reason in ((set(after.orphan_rows) - set(before.orphan_rows), ORPHAN),
                         (set(after.double_rows) - set(before.double_rows), DOUBLE)):
        for row in rows:
            if row >= start:
                out[row - start] = reason
                continue
            for i, e in enumerate(new):
                if (e[COMPUTER], e[NUMBER]) == pair_of.get(row):
                    out.setdefault(i, f"与附件9 第 {row} 行的记录冲突，请核对日期")
    return out


def plan_apply(ledger: Ledger, rows: list[tuple[int, dict]], handler: str | None,
               today: dt.date) -> tuple[list[Confirmed], list[Confirmed]]:
    """(to apply with their events, to skip with a reason) among the confirmed unapplied rows."""
    confirmed = [Confirmed(row=r, values=v) for r, v in rows
                 if _text(v, CONFIRM) == "是" and not _text(v, APPLIED)]
    serials = [int(s) for s in ledger.df(schema.A9)["序号"].dropna() if str(s).isdigit()]
    serial = max(serials + [len(ledger.df(schema.A9))]) + 1
    for c in confirmed:
        c.skip = _basic_problem(ledger, c.values)
        if c.skip is None and (day := proposal_date(c.values.get("日期"))) is not None and day > today:
            c.skip = "「日期」晚于今天"
        if c.skip is None:
            c.event, serial = _event(ledger, c.values, serial, handler), serial + 1
    ready = [c for c in confirmed if c.skip is None]
    for i, reason in _replay_problems(ledger.df(schema.A9), [c.event for c in ready if c.event is not None]).items():
        ready[i].skip, ready[i].event = reason, None
    return [c for c in confirmed if c.skip is None], [c for c in confirmed if c.skip is not None]


def apply_edit(ledger: Ledger, handler: str | None, today: dt.date, outcome: ApplyOutcome):
    def edit(book: Book) -> list[Change]:
        found = suggestion_sheet(book, create=False)
        if found is None:
            raise LedgerError(f"工作簿中没有「{SUGGESTIONS}」表：请先执行 ledger scan --propose", 1)
        table, rows = found
        outcome.applied, outcome.skipped = plan_apply(ledger, rows, handler, today)
        logged = [c.event for c in outcome.applied if c.event is not None]   # every applied one has its event
        written = book.table(schema.A9).append_rows(logged)
        changes = []
        for c, event, row9 in zip(outcome.applied, logged, written):
            table.set_row(c.row, {APPLIED: APPLIED_YES, EVENT_ROW: row9})
            changes.append(Change(action=ACTION, sheet=schema.A9, row=row9, content=(
                f"{event['操作']} {event[NUMBER]}（{event[COMPUTER]}，{event['日期'].isoformat()}），"
                f"来自扫描建议第 {c.row} 行")))
        for c in outcome.skipped:
            table.set_row(c.row, {APPLIED: APPLIED_SKIPPED, REMARK: c.skip})
            changes.append(Change(action=ACTION, sheet=SUGGESTIONS, row=c.row, content=f"跳过：{c.skip}"))
        return changes
    return edit
