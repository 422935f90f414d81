"""Print buttons: the forms of `ledger print`, from the open workbook, written next to it and opened.

打印确认单 prints 附件11 for the 确认单号 of the 附件9 rows selected in Excel;
打印表单 prints the annex of the active sheet.  The ledger is read live (one call
per sheet), so unsaved edits are printed as shown; the workbook is not changed.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.faces.excel import live
from workbook_tools.faces.excel.context import Context, Outcome
from workbook_tools.tasks.printing import (
    FORMS,
    SLIP_FORM,
    FormSpec,
    PrintOptions,
    PrintResult,
    form_spec,
    print_file,
    printed,
    slip_numbers,
)


def open_file(path: Path) -> None:
    """Show the file in the system's viewer (Windows, macOS; elsewhere the path is only reported)."""
    if sys.platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined]
    elif sys.platform == "darwin":
        subprocess.run(["open", str(path)], check=False)


def selected_rows(book: Any, purpose: str = "打印") -> tuple[str, set[int]]:
    """(sheet name, worksheet rows) of the selection, taken from the selection's address in one call."""
    selection = book.selection
    if selection is None:
        raise LedgerError(f"请先在工作表中选中要{purpose}的行")
    rows: set[int] = set()
    for area in str(selection.address).replace("$", "").split(","):
        numbers = [int(n) for n in re.findall(r"\d+", area)]
        if not numbers:
            raise LedgerError("请选中具体的行（不要整列选择）")
        rows.update(range(min(numbers), max(numbers) + 1))
    return selection.sheet.name, rows


def _where(book: live.BookLike) -> Path:
    fullname = getattr(book, "fullname", "") or ""
    if "://" in fullname or not Path(fullname).parent.is_dir():
        raise LedgerError("台账还没有保存为本机文件：请先保存，表单会生成在台账所在的文件夹中")
    return Path(fullname)


def _print(ctx: Context, spec: FormSpec, options: PrintOptions) -> Outcome:
    """The form as PDF next to the workbook (the engine is inside the typst wheel: no other install)."""
    result: PrintResult = print_file(_where(ctx.book), spec, options, ledger=ctx.ledger())
    open_file(result.path)
    return Outcome(message=f"{printed(result, spec)}\n{result.path}")


def print_slip(ctx: Context) -> Outcome:
    """打印确认单: 附件11 for the selected 附件9 rows."""
    sheet, rows = selected_rows(ctx.book)
    if sheet != schema.A9:
        raise LedgerError(f"请在「{schema.A9}」中选中要打印确认单的安装维护记录行")
    return _print(ctx, FORMS[SLIP_FORM], PrintOptions(ids=slip_numbers(ctx.ledger(), rows)))


def print_sheet_form(ctx: Context) -> Outcome:
    """打印表单: the annex the active sheet holds (附件N from its name)."""
    name = ctx.book.sheets.active.name
    match = re.match(r"\s*附件\s*(\d+)", name)
    if match is None:
        raise LedgerError(f"当前工作表「{name}」不是附件表：请切换到要打印的「附件N …」工作表")
    return _print(ctx, form_spec(match.group(1)), PrintOptions())
