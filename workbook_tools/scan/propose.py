"""Events that would make the ledger match the scans: proposed in 扫描建议, applied on confirmation.

`ledger scan --propose` turns SCAN-UNREGISTERED into a proposed 安装 and SCAN-MISSING into a
proposed 卸载, appended to the review sheet 扫描建议 (an addition to the contract; never
straight into 附件9).  A proposal whose (计算机编号, 软件编号, 操作) already waits there
unapplied is not proposed again, so importing the same scans twice proposes nothing new.
The clerk fills 确认 (是/否); `ledger scan-apply` appends the rows confirmed 是 to 附件9 as
ordinary events and marks them applied (已应用 = 是, 附件9行), or 跳过 with the reason in 备注
when the log no longer allows them.  All writes go through io.writer.write_workbook.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel

from workbook_tools.core import events, schema
from workbook_tools.core.model import Change
from workbook_tools.core.schema import C, Kind, Sheet, SheetKind
from workbook_tools.read.coerce import clean_text, to_date
from workbook_tools.scan import codes
from workbook_tools.scan.context import COMPUTER, NUMBER, ScanContext, show
from workbook_tools.scan.result import ScanResult

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book, TableEdit

SUGGESTIONS = "扫描建议"
ACTION = "扫描建议"
CONFIRM, APPLIED, EVENT_ROW, REMARK = "确认", "已应用", "附件9行", "备注"
APPLIED_YES, APPLIED_SKIPPED = "是", "跳过"
SUGGESTION_SHEET = Sheet(SUGGESTIONS, SheetKind.TABLE, (
    C("序号", Kind.ID), C(COMPUTER, Kind.ID, required=True), C(NUMBER, Kind.ID, required=True),
    C("软件名称", width=24), C("操作", choices=schema.OPERATIONS, required=True), C("版本", Kind.VERSION),
    C("日期", Kind.DATE), C("依据", width=20), C("扫描文件", width=30), C("扫描行", Kind.COUNT),
    C("扫描名称", width=30), C(CONFIRM, choices=schema.YES_NO), C(APPLIED), C(EVENT_ROW, Kind.COUNT),
    C(REMARK, width=30),
), required=False)
KEY = (COMPUTER, NUMBER, "操作")


class Proposal(BaseModel):
    computer: str
    software: str
    name: str | None = None
    operation: str
    version: str | None = None
    date: dt.date
    basis: str
    scan_file: str | None = None
    scan_line: int | None = None
    scanned_name: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.computer, self.software, self.operation)

    def row(self) -> dict:
        return {COMPUTER: self.computer, NUMBER: self.software, "软件名称": self.name, "操作": self.operation,
                "版本": self.version, "日期": self.date, "依据": self.basis, "扫描文件": self.scan_file,
                "扫描行": self.scan_line, "扫描名称": self.scanned_name}


def proposals(result: ScanResult, ctx: ScanContext) -> list[Proposal]:
    """安装 for every SCAN-UNREGISTERED, 卸载 for every SCAN-MISSING, dated the reconciliation day."""
    live = {(c, n): v for c, n, v in zip(ctx.live[COMPUTER], ctx.live[NUMBER], ctx.live[events.VERSION])}
    out = []
    for issue in result.issues:
        f = issue.finding
        if f.rule not in (codes.UNREGISTERED, codes.MISSING) or not issue.computer or not issue.software:
            continue
        install = f.rule == codes.UNREGISTERED
        name = show(ctx.software.loc[issue.software, "软件名称"]) if issue.software in ctx.software.index else None
        version = issue.scanned_version if install else live.get((issue.computer, issue.software))
        out.append(Proposal(computer=issue.computer, software=issue.software, name=name or None,
                            operation=events.INSTALL if install else events.UNINSTALL,
                            version=show(version) or None, date=result.date, basis=f.rule, scan_file=f.scan_file,
                            scan_line=f.scan_line, scanned_name=issue.scanned_name))
    return out


# --- the sheet ---------------------------------------------------------------------------------

def suggestion_sheet(book: Book, create: bool) -> tuple[TableEdit, list[tuple[int, dict]]] | None:
    """The review sheet and its data rows as (worksheet row, header -> raw value); None when absent."""
    if not book.has(SUGGESTIONS):
        if not create:
            return None
        return book.table(SUGGESTIONS, create=True, spec=SUGGESTION_SHEET), []
    table, rows = book.values(SUGGESTIONS, SUGGESTION_SHEET)
    return table, [(r, v) for r, v in rows if any(clean_text(x) for x in v.values())]


def pending_keys(rows: list[tuple[int, dict]]) -> set[tuple[str, ...]]:
    """Keys of proposals not applied yet (whatever 确认 says: a rejected one is not proposed again)."""
    return {tuple(clean_text(v.get(k)) or "" for k in KEY) for _, v in rows if not clean_text(v.get(APPLIED))}


def _next_serial(rows: list[tuple[int, dict]]) -> int:
    serials = [int(s) for _, v in rows if (s := clean_text(v.get("序号"))) and s.isdigit()]
    return max(serials, default=0) + 1


def propose_edit(items: list[Proposal]):
    """The edit appending the new proposals to 扫描建议 (creating the sheet if needed)."""
    def edit(book: Book) -> list[Change]:
        found = suggestion_sheet(book, create=True)
        assert found is not None  # created when absent
        table, existing = found
        waiting = pending_keys(existing)
        new = [p for p in dict((p.key, p) for p in items).values() if p.key not in waiting]
        serial = _next_serial(existing)
        written = table.append_rows({"序号": str(serial + i), **p.row()} for i, p in enumerate(new))
        return [Change(action=ACTION, sheet=SUGGESTIONS, row=r,
                       content=f"建议{p.operation} {p.software}（{p.computer}），依据 {p.basis}")
                for r, p in zip(written, new)]
    return edit


def proposal_date(value: object) -> dt.date | None:
    day = to_date(value)
    return day if isinstance(day, dt.date) else None
