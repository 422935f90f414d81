"""The regulation's yearly cycle (LEDGER_SPEC §11): the record sheets, 考核评议, 续订."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook_tools.core import schema
from workbook_tools.core.model import Change
from workbook_tools.files.create import add_missing_sheets
from workbook_tools.files.writer import write_workbook
from workbook_tools.ops.operations import operation_edit
from workbook_tools.ops.renew import Renewal, pending_renewals, plan_renewal
from workbook_tools.ops.review import build_review, review_edit, review_lines
from workbook_tools.read.stored import stored_findings
from workbook_tools.tasks import Done, written
from workbook_tools.tasks.sheets import load_ledger

__all__ = ["Renewal", "add_sheets", "renew", "renew_pending", "review"]


def add_sheets(path: Path) -> Done:
    """Add 采购资料, 培训宣传, 检查记录 to a ledger made before they existed; nothing else changes."""
    ledger = load_ledger(path, skip=frozenset({schema.A8, schema.A9}))
    missing = [n for n in schema.CYCLE_SHEETS if n not in ledger.sheet_names]
    if not missing:
        return Done.of([f"工作簿已有「{'」「'.join(schema.CYCLE_SHEETS)}」，未改动。"])
    result = write_workbook(path, lambda book: add_missing_sheets(book, missing), "新增工作表", ledger=ledger)
    return Done.of([f"已新增工作表「{'」「'.join(missing)}」；{written(result)}"], result)


def review(path: Path, year: int, today: dt.date, write: bool = True) -> Done:
    """考核评议 of `year`: the lines for the terminal and, unless `write` is False, the sheet 考核评议."""
    ledger = load_ledger(path)
    result_review = build_review(ledger, year, today, stored_findings(path))
    lines = review_lines(result_review)
    data = {"review": result_review.model_dump(mode="json")}
    if not write:
        return Done(lines=lines, data=data)
    sheet = review_edit(result_review)
    result = write_workbook(path, lambda book: add_missing_sheets(book) + sheet(book), "考核评议", ledger=ledger)
    return Done.of([*lines, "", f"已重建工作表「{schema.REVIEW}」；{written(result)}"], result, **data)


def _renewal_edit(plan):
    inner = operation_edit(plan)

    def edit(book) -> list[Change]:
        wanted = [n for n in schema.CYCLE_SHEETS if any(e.sheet == n for e in plan.edits)]
        return add_missing_sheets(book, wanted) + inner(book)
    return edit


def renew(path: Path, request, today: dt.date) -> Done:
    """续订 (台账管理规定 一.3): the new 附件7 row and every installation moved to it, in one save."""
    ledger = load_ledger(path, skip=frozenset({schema.A8}))
    plan = plan_renewal(ledger, request, today)
    for sheet in {e.sheet for e in plan.appended}:
        ledger[sheet].ensure_room(sum(e.sheet == sheet for e in plan.appended))
    result = write_workbook(path, _renewal_edit(plan), plan.action, ledger=ledger)
    moved = sum(1 for e in plan.edits if e.sheet == schema.A9) // 2
    tail = "请执行半年更新（ledger rollup）使附件7 安装数量和附件8 反映续订。" if moved else ""
    return Done.of([*plan.summary(), f"共转移 {moved} 台计算机的安装；{written(result)}", *([tail] if tail else [])],
                   result)


def renew_pending(path: Path, today: dt.date) -> Done:
    """The 续订 button: every renewal the clerk typed in 附件7 (备注 “续订 OLD”), one save each."""
    todo = pending_renewals(load_ledger(path, skip=frozenset({schema.A8})), today)
    if not todo:
        return Done.of(["附件7 中没有待办的续订：请先在附件7 登记续订的新行（新的软件编号、采购时间、采购金额、许可期限），"
                        "并在其备注写“续订 原软件编号”，再点“续订”。"])
    lines, last = [], None
    for request in todo:
        last = renew(path, request, today)
        lines += [f"续订 {request.old} → {request.new}：", *last.lines]
    assert last is not None  # `todo` is not empty
    return Done(lines=lines, changes=last.changes, backup=last.backup, notes=last.notes)
