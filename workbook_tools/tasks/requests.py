"""登记安装 / 登记卸载 / 登记升级 from approved 附件10 requests.

Each chosen 附件10 row becomes the request object of `ledger install | uninstall | upgrade`
(计算机编号, 申请编号, today's date; the 软件编号 is looked up in 附件7 by 软件名称 and
软件版本, by name only for 免费软件) and runs through the same planner with `apply_operation`,
one row after another.  A row that cannot be registered is named in the answer and nothing is
written for it.  Used by the ribbon buttons (rows selected in Excel) and by `ledger serve`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.core.values import show_exact as show
from workbook_tools.ops.operations import (
    FORCE_HINT,
    FREE,
    NUMBER,
    Install,
    Uninstall,
    Upgrade,
    Visit,
    plan_install,
    plan_uninstall,
    plan_upgrade,
)
from workbook_tools.read import reader
from workbook_tools.tasks import Done
from workbook_tools.tasks.operations import apply_operation

A7, A9, A10 = schema.A7, schema.A9, schema.A10
APPROVED = "已批准"
KINDS = ("安装", "卸载", "升级")
FORCE_ELSEWHERE = "；如确需执行，请保存并关闭工作簿后用 ledger 命令行加 --force 和 --reason 登记"
Planner = Callable[[Ledger, Any, dt.date], Any]


@dataclass(frozen=True)
class RowRequest:
    """One chosen 附件10 row, ready for `apply_operation`."""

    row: int
    planner: Planner
    request: Visit


def text(value: object) -> str:
    return show(value).strip()


def refuse(row: int, message: str) -> None:
    raise LedgerError(f"附件10 第 {row} 行：{message}", 1)


def software_number(a7: pd.DataFrame, name: str, version: str, row: int) -> str:
    """The one 附件7 软件编号 of this name and version (any version for 免费软件)."""
    if not name:
        refuse(row, "没有填写软件名称")
    same = a7[a7["软件名称"].map(text) == name]
    hit = same[(same["软件类型"] == FREE) | (same["软件版本"].map(text) == version)]
    numbers = sorted({text(n) for n in hit[NUMBER]} - {""})
    what = f"软件名称「{name}」、软件版本「{version or '（空）'}」"
    if not numbers:
        refuse(row, f"附件7 中没有{what}的已编号软件，请先在附件7 登记并编号")
    if len(numbers) > 1:
        refuse(row, f"附件7 中{what}对应多个软件编号（{'、'.join(numbers)}），请用 ledger 命令行指定软件编号")
    return numbers[0]


def _visit(rec: dict, row: int, today: dt.date) -> dict:
    computer = text(rec.get("计算机编号"))
    if not computer:
        refuse(row, "没有填写计算机编号")
    return {"computer": computer, "date": today, "request": text(rec.get("申请编号")) or None}


def build_request(a7: pd.DataFrame, rec: dict, kind: str, today: dt.date) -> RowRequest:
    """The request of one 附件10 row for `kind` (安装/卸载/升级), or a refusal naming the row."""
    row = int(rec[ROW])
    found, state = text(rec.get("申请类型")), text(rec.get("状态"))
    if found != kind:
        refuse(row, f"申请类型是「{found or '（空）'}」，不是「{kind}」")
    if state != APPROVED:
        refuse(row, f"状态是「{state or '（空）'}」，只有「{APPROVED}」的申请才能登记")
    name, version = text(rec.get("软件名称")), text(rec.get("软件版本"))
    visit = _visit(rec, row, today)
    if kind == "卸载":
        return RowRequest(row, plan_uninstall, Uninstall(software=software_number(a7, name, version, row), **visit))
    if kind == "安装":
        number = software_number(a7, name, version, row)
        return RowRequest(row, plan_install, Install(software=number, version=version or None, **visit))
    new_name, new_version = text(rec.get("升级后软件名称")) or name, text(rec.get("升级后软件版本"))
    old, new = software_number(a7, name, version, row), software_number(a7, new_name, new_version, row)
    return RowRequest(row, plan_upgrade, Upgrade(old=old, new=new, version=new_version or None, **visit))


def build_requests(ledger: Ledger, rows: set[int], kind: str, today: dt.date) -> tuple[list[RowRequest], list[str]]:
    """Requests of the chosen data rows, and one refusal line per row that cannot be registered."""
    a10 = ledger.df(A10)
    chosen = a10[a10[ROW].isin(rows)].sort_values(ROW)
    if chosen.empty:
        raise LedgerError(f"请在「{A10}」中选中要登记的申请行（表头下方的数据行）", 1)
    a7, built, refused = ledger.df(A7), [], []
    for rec in chosen.to_dict("records"):
        try:
            built.append(build_request(a7, rec, kind, today))
        except LedgerError as exc:
            refused.append(exc.message)
    return built, refused


def apply_requests(path: Path, requests: list[RowRequest], refused: list[str], today: dt.date,
                   hint: str = FORCE_ELSEWHERE) -> Done:
    """Each request in row order through `apply_operation`; a refused one leaves the file as it was."""
    done: list[str] = []
    changes: list[Change] = []
    registered, backup = 0, None
    for item in requests:
        try:
            outcome = apply_operation(path, item.planner, item.request, today)
        except LedgerError as exc:
            refused.append(f"附件10 第 {item.row} 行：{exc.message.replace(FORCE_HINT, hint)}")
            continue
        registered, backup = registered + 1, backup or outcome.backup
        changes += outcome.changes
        done += [f"附件10 第 {item.row} 行：{line}" for line in outcome.plan.summary()]
    lines = [f"已登记 {registered} 条申请，拒绝 {len(refused)} 条。", *done]
    if refused:
        lines += ["", "未登记（工作簿中未写入这些行的记录）：", *refused]
    if backup:
        lines.append(f"原文件备份在 {backup}")
    return Done(lines=lines, ok=not refused, changes=changes, backup=backup)


def register(path: Path, rows: set[int], kind: str, today: dt.date, ledger: Ledger | None = None,
             hint: str = FORCE_ELSEWHERE) -> Done:
    """The chosen 附件10 rows of `kind` registered in 附件9; refusals are listed, not written."""
    requests, refused = build_requests(ledger or reader.load_ledger(path), rows, kind, today)
    if not requests:
        raise LedgerError("\n".join(["选中的申请都不能登记，工作簿未改动：", *refused]), 1)
    return apply_requests(path, requests, refused, today, hint)


def approved(ledger: Ledger, kind: str) -> list[dict[str, object]]:
    """The 附件10 requests of `kind` that are 已批准, each with whether 附件9 already names its 申请编号."""
    a10, a9 = ledger.df(A10), ledger.df(A9)
    logged = {text(n) for n in a9["申请编号"]} - {""} if "申请编号" in a9 else set()
    out = []
    for rec in a10.to_dict("records"):
        if text(rec.get("申请类型")) == kind and text(rec.get("状态")) == APPROVED:
            number = text(rec.get("申请编号"))
            out.append({"row": int(rec[ROW]), "申请编号": number, "计算机编号": text(rec.get("计算机编号")),
                        "软件名称": text(rec.get("软件名称")), "软件版本": text(rec.get("软件版本")),
                        "申请人": text(rec.get("申请人")), "registered": bool(number) and number in logged})
    return out


def approved_in(path: Path, kind: str) -> list[dict[str, object]]:
    """`approved` of the ledger at `path` (what `ledger serve` offers to 登记安装/卸载/升级)."""
    return approved(reader.load_ledger(path), kind)
