"""Renewing a subscription or term licence (台账管理规定 一.3): a new 附件7 number, every installation moved to it.

`plan_renewal(ledger, request, today)` is pure: it refuses (LedgerError, exit 1, one Chinese line)
or returns an `OperationPlan` whose edits are, in order, the renewal's 附件7 row (unless the clerk
typed it already), one 卸载 OLD + 安装 NEW pair in 附件9 per computer that has OLD installed at the
renewal date (统一部署, 备注 “续订：OLD→NEW”), and the renewal's `采购资料` row when a contract or
certificate number is given.  The old number stays in 附件7 with no installation left.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from pydantic import BaseModel, Field, field_validator

from workbook_tools.core import events, schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.licence import NEVER, term_end, unlimited_seats, version_covered
from workbook_tools.core.values import is_missing as blank
from workbook_tools.core.values import show_exact as show
from workbook_tools.ops.numbering import format_number, highest, used_texts
from workbook_tools.ops.operations import (
    COMMERCIAL,
    NUMBER,
    OperationPlan,
    Record,
    RowEdit,
    Visit,
    check_date,
    event_note,
    event_row,
    log_of,
    narrow_id,
    next_serial,
    refuse,
    simulate,
    software_of,
)
from workbook_tools.ops.rollup import seats

A7, A9 = schema.A7, schema.A9
# 附件7 fields a renewal keeps from the old row (the product and its licence terms); the rest is the new purchase's
KEPT = ("软件名称", "软件版本", "软件类型", "许可类型", "许可数量", "可使用版本", "许可期限", "序列号", "软件类别", "产地")


class Renewal(BaseModel):
    _ids = field_validator("old", "new", mode="before")(narrow_id)

    old: str
    new: str | None = None           # None: the next free number of 商业软件 (§4)
    date: dt.date                    # 续订日期 = 采购时间 of the new row and date of the moves
    term: str | None = None          # 许可期限 of the new row (default: the old row's, when it is a span)
    count: float | None = Field(default=None, gt=0)    # 许可数量 (default: the old row's)
    amount: float | None = Field(default=None, ge=0)   # 采购金额
    version: str | None = None       # 软件版本 (default: the old row's)
    serial: str | None = None        # 序列号 (default: the old row's)
    contract: str | None = None      # 采购资料: 合同编号
    certificate: str | None = None   # 采购资料: 授权证书编号
    supplier: str | None = None      # 采购资料: 供应商
    handler: str | None = None       # 经办人 of the moves


def _next_number(ledger: Ledger) -> str:
    prefix = ledger.prefix(COMMERCIAL)
    return format_number(prefix, highest(prefix, used_texts(ledger)) + 1)


def _end(row: Record) -> dt.date | None:
    bought = row.get("采购时间")
    return term_end(row.get("许可期限"), None if blank(bought) else pd.Timestamp(bought).date())


def _new_row(ledger: Ledger, old: Record, req: Renewal, number: str) -> Record:
    if blank(req.amount):
        refuse("新增续订记录须用 --amount 填写采购金额（台账管理规定 一.3：采购时间、采购金额不同即为新的软件编号）")
    term = req.term or old.get("许可期限")
    fixed = term_end(term, None)          # a date of its own (not a span counted from the purchase)
    if req.term is None and isinstance(fixed, dt.date) and fixed != NEVER:
        refuse(f"「{req.old}」的许可期限「{show(term)}」是到期日，请用 --term 写明续订后的许可期限（如 1年 或 2027-12-31）")
    serials = [int(s) for s in ledger.df(A7)["序号"].dropna() if str(s).isdigit()]
    row = {k: old.get(k) for k in KEPT}
    row.update({"序号": str(max(serials + [len(ledger.df(A7))]) + 1), NUMBER: number, "采购时间": req.date,
                "采购金额": req.amount, "许可期限": term, "获取方式": "采购", "状态": "在用", "安装数量": 0.0,
                "备注": f"续订「{req.old}」"})
    for key, value in (("许可数量", req.count), ("软件版本", req.version), ("序列号", req.serial)):
        if value is not None:
            row[key] = value
    return row


def _target(ledger: Ledger, old: Record, req: Renewal) -> tuple[str, Record, RowEdit | None]:
    """The new number, its 附件7 record, and the row to append when the clerk has not typed it."""
    number = req.new or _next_number(ledger)
    if number == req.old:
        refuse("续订后的软件编号不能与原编号相同（台账管理规定 一.3）")
    typed = ledger.df(A7)[ledger.df(A7)[NUMBER] == number]
    if len(typed):
        row = typed.iloc[0].to_dict()
        if row.get("软件类型") != COMMERCIAL or row.get("软件名称") != old.get("软件名称"):
            refuse(f"附件7 中已有的「{number}」（{show(row.get('软件名称'))}）不是「{show(old.get('软件名称'))}」的商业软件，"
                   "不能作为续订记录")
        return number, row, None
    row = _new_row(ledger, old, req, number)
    return number, row, RowEdit(sheet=A7, values=row, note=f"附件7 新增续订记录「{number}」（{show(row['软件名称'])}，"
                                                         f"采购时间 {req.date.isoformat()}，许可期限 {show(row['许可期限'])}）")


def _moves(ledger: Ledger, req: Renewal) -> pd.DataFrame:
    log = log_of(ledger, NUMBER, req.old)
    later = log[log[events.DATE] > pd.Timestamp(req.date)]
    if len(later):
        refuse(f"「{req.old}」在续订日期 {req.date.isoformat()} 之后还有安装维护记录（附件9 第 {int(later[ROW].min())} 行），"
               "请把续订日期定在其后")
    return events.replay(log, req.date).live.sort_values(events.COMPUTER)


def _refuse_short(ledger: Ledger, new: Record, number: str, moving: float) -> None:
    if unlimited_seats(new.get("许可类型")) or blank(new.get("许可数量")):
        return
    already = events.replay(log_of(ledger, NUMBER, number)).count_by_software().get(number, 0.0)
    if already + moving > new["许可数量"]:
        refuse(f"续订的「{number}」许可数量 {seats(new['许可数量'])} 套，不足以容纳「{number}」现有 {seats(already)} 套"
               f"和需转移的 {seats(moving)} 套安装，未作任何修改（配置管理规定 一.1）")


def _pairs(ledger: Ledger, req: Renewal, number: str, new: Record, live: pd.DataFrame) -> list[Record]:
    pcs = ledger.df(schema.COMPUTERS).drop_duplicates(events.COMPUTER).set_index(events.COMPUTER)
    visit = Visit(computer="", date=req.date, unified=True, handler=req.handler)
    note, serial = f"{events.RENEWAL_REMARK}{req.old}→{number}", next_serial(ledger)
    rows: list[Record] = []
    for pc_id, version, count in zip(live[events.COMPUTER], live[events.VERSION], live[events.COUNT]):
        pc = {events.COMPUTER: pc_id, **(pcs.loc[pc_id].to_dict() if pc_id in pcs.index else {})}
        kept = version if version_covered(version, new.get("软件版本"), new.get("可使用版本")) else new.get("软件版本")
        rows.append(event_row(serial + len(rows), events.UNINSTALL, req.old, pc, visit, None, version, count, note))
        rows.append(event_row(serial + len(rows), events.INSTALL, number, pc, visit, None, kept, count, note))
    return rows


def _proof(req: Renewal, number: str, new: Record) -> RowEdit | None:
    if not (req.contract or req.certificate):
        return None
    values = {NUMBER: number, "合同编号": req.contract, "合同日期": req.date, "供应商": req.supplier,
              "授权方式": new.get("许可类型"), "许可数量": new.get("许可数量"), "使用年限": new.get("许可期限"),
              "授权证书编号": req.certificate}
    return RowEdit(sheet=schema.PROOFS, values=values, note=f"采购资料登记「{number}」（合同编号 {show(req.contract)}，"
                                                             f"授权证书编号 {show(req.certificate)}）")


def plan_renewal(ledger: Ledger, req: Renewal, today: dt.date) -> OperationPlan:
    check_date(req.date, today)
    old = software_of(ledger, req.old)
    if old.get("软件类型") != COMMERCIAL:
        refuse(f"「{req.old}」是{show(old.get('软件类型'))}，续订只适用于商业软件")
    if old.get("状态") == "已报废":
        refuse(f"「{req.old}」已报废，不能续订")
    number, new, added = _target(ledger, old, req)
    end = _end({**new, "采购时间": new.get("采购时间") if not blank(new.get("采购时间")) else req.date})
    if isinstance(end, dt.date) and end != NEVER and end < req.date:
        refuse(f"续订的「{number}」许可期限「{show(new.get('许可期限'))}」在 {end.isoformat()} 已到期，请核对 --term")
    live = _moves(ledger, req)
    _refuse_short(ledger, new, number, float(live[events.COUNT].sum()))
    rows = _pairs(ledger, req, number, new, live)
    before = events.replay(ledger.df(A9))
    after, _ = simulate(ledger.df(A9), rows)
    clashes = (set(after.double_rows) - set(before.double_rows)) | (set(after.orphan_rows) - set(before.orphan_rows))
    if clashes:
        clash = min(clashes)
        refuse(f"续订会使附件9 第 {clash} 行的安装卸载记录前后矛盾（如「{number}」已安装在同一台计算机上），未作任何修改")
    edits = ([added] if added else []) + [RowEdit(sheet=A9, values=r, note=event_note(r)) for r in rows]
    proof = _proof(req, number, new)
    return OperationPlan(action="续订", edits=edits + ([proof] if proof else []))


# --- renewals the clerk typed: a 附件7 row whose 备注 says 续订 OLD -----------------------------------

PENDING = re.compile(r"续订\s*[「“\"'（(]?\s*([A-Za-z]+-?\d+)")


def pending_renewals(ledger: Ledger, today: dt.date) -> list[Renewal]:
    """Renewals to carry out: a commercial 附件7 row whose 备注 names 续订 OLD while OLD is still installed.

    The date is the new row's 采购时间 (today when blank); rows dated after today wait.  This is what
    the 续订 button of the ribbons and the page does: the clerk types the renewal's row, the tool moves
    the installations.
    """
    a7 = ledger.df(A7)
    rows = a7[(a7["软件类型"] == COMMERCIAL) & a7[NUMBER].notna() & a7["备注"].notna()]
    live = events.replay(ledger.df(A9), today).count_by_software()
    out = []
    for number, remark, bought in zip(rows[NUMBER], rows["备注"], rows["采购时间"]):
        match = PENDING.search(str(remark))
        day = today if blank(bought) else pd.Timestamp(bought).date()
        if match and match[1] != number and live.get(match[1], 0) > 0 and day <= today:
            out.append(Renewal(old=match[1], new=number, date=day))
    return out
