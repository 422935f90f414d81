"""Register buttons: 登记安装, 登记卸载, 登记升级 from the approved 附件10 requests selected in Excel.

The selected 附件10 rows go to `tasks.requests` (the same function `ledger serve` calls), inside
one save/close/reopen (see onfile.py).  A row that cannot be registered is named in the answer
and nothing is written for it.
"""
from __future__ import annotations

from collections.abc import Callable

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.faces.excel.context import Context, Outcome
from workbook_tools.faces.excel.onfile import Button, on_saved_file
from workbook_tools.faces.excel.printing import selected_rows
from workbook_tools.tasks.requests import (  # noqa: F401 - re-exported for the tests of the buttons
    APPROVED,
    FORCE_ELSEWHERE,
    RowRequest,
    apply_requests,
    build_request,
    build_requests,
    software_number,
)

A10 = schema.A10
EXCEL_FORCE_HINT = FORCE_ELSEWHERE


def register(kind: str) -> Callable[[Context], Outcome]:
    """The button of one 申请类型: selection → requests → one save/close/apply/reopen."""
    def run(ctx: Context) -> Outcome:
        sheet, rows = selected_rows(ctx.book, "登记")
        if sheet != A10:
            raise LedgerError(f"请在「{A10}」中选中已批准的{kind}申请行后再点按钮", 1)
        requests, refused = build_requests(ctx.ledger(), rows, kind, ctx.today)
        if not requests:
            raise LedgerError("\n".join(["选中的申请都不能登记，工作簿未改动：", *refused]), 1)
        question = f"将为附件10 中选中的 {len(requests)} 条已批准的{kind}申请在附件9 登记{kind}记录（日期为今天）。"
        outcome = on_saved_file(ctx, question,
                                lambda path, c: apply_requests(path, requests, refused, c.today).lines)
        return Outcome(message=outcome.message, ok=outcome.ok and not refused)
    run.__name__ = {"安装": "install", "卸载": "uninstall", "升级": "upgrade"}[kind]
    return run


install: Button = register("安装")
uninstall: Button = register("卸载")
upgrade: Button = register("升级")
