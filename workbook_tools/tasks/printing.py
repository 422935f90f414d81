"""Forms as PDF files next to the ledger (`ledger print`, `ledger slip`, 打印确认单, 打印表单)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import LedgerError
from workbook_tools.core.progress import Progress
from workbook_tools.files.outputs import Output, check_output
from workbook_tools.files.writer import WriteResult, note_if_open, write_workbook
from workbook_tools.forms import FORMS, FormSpec, PrintResult, default_output, form_spec, print_form
from workbook_tools.forms.common import PrintOptions
from workbook_tools.forms.slips import ACTION as SLIP_ACTION
from workbook_tools.forms.slips import SignedPlan, VisitPlan, apply_signed, apply_visit, plan_signed, plan_visit
from workbook_tools.read import reader
from workbook_tools.read.stored import stored_findings
from workbook_tools.tasks import Done

__all__ = [
    "FORMS",
    "FORM_OPTIONS",
    "SLIP_FORM",
    "FormSpec",
    "PrintOptions",
    "PrintResult",
    "form_spec",
    "load_for",
    "mark_signed",
    "print_file",
    "printed",
    "signed",
    "slip",
    "slip_numbers",
    "stamp_visit",
]

SLIP_FORM = 11
# option -> the forms it applies to
FORM_OPTIONS = {"--year": (0, 4, 5), "--unsigned": (2,), "--show-serials": (7,), "--in-use": (7,), "--filled": (3, 10)}


def output_path(output: Path | None, ledger_path: Path, spec: FormSpec, options: PrintOptions,
                force: bool = False) -> Path:
    """Where the form goes, checked (io/outputs.py): never the ledger, a workbook or, without force, another file."""
    if output is None:
        target = default_output(ledger_path, spec, options)
    elif output.is_dir():
        target = default_output(output / ledger_path.name, spec, options)
    elif output.suffix.lower() not in ("", ".pdf"):
        raise LedgerError(f"输出文件 {output.name} 应为 .pdf 文件", 2)
    else:
        target = output.with_suffix(".pdf")
    return check_output(target, Output.PDF, ledgers=[ledger_path], force=force,
                        reprint=output is None or output.is_dir())


def print_file(path: Path, spec: FormSpec, options: PrintOptions, ledger: Ledger | None = None,
               output: Path | None = None, force: bool = False, progress: Progress | None = None) -> PrintResult:
    """The form `spec` of the ledger at `path` (or of `ledger`, read live) as one PDF, by default next to it."""
    target = output_path(output, path, spec, options, force)
    if ledger is None:
        note_if_open(path)
    # a reader, not a ledger: print_form frees it before rendering (see there)
    return print_form(spec, ledger if ledger is not None else (lambda: load_for(spec, path)), options, target, progress)


def load_for(spec: FormSpec, path: Path) -> Ledger:
    """The ledger with only the sheets this form prints from (a large 附件9 is not read for a slip list)."""
    ledger = reader.load_ledger(path, skip=spec.unread)
    if spec.stored:   # the form also prints from 校验结果 (the last scan's findings)
        ledger.stored = stored_findings(path)
    return ledger


def slip_numbers(ledger: Ledger, rows: set[int]) -> list[str]:
    """The 确认单号 of the 附件9 worksheet rows `rows` (打印确认单 of a selection), in order, each once."""
    df = ledger[schema.A9].df
    numbers = df.loc[df["_row"].isin(rows), "确认单号"].dropna().astype(str).str.strip()
    found = [n for n in dict.fromkeys(numbers) if n]
    if not found:
        raise LedgerError("选中的行没有确认单号：请先用 ledger slip --computer … 为这次上门编确认单号")
    return found


def printed(result: PrintResult, spec: FormSpec) -> str:
    what = f"（{result.note}）" if result.note else ""
    return f"已生成{spec.label} {spec.title}{what}：{result.items} 份，{result.pages} 页（PDF）"


def stamp_visit(path: Path, computer: str, day: dt.date) -> tuple[VisitPlan, WriteResult]:
    """Give a visit's 附件9 rows their 确认单号 and register the slip (forms/slips.py)."""
    ledger = reader.load_ledger(path)
    plan = plan_visit(ledger, computer, day)
    if not plan.rows and not plan.entries:
        return plan, WriteResult(path)  # already numbered and registered: only reprint (even while open in Excel)
    if plan.entries:
        ledger[schema.A11].ensure_room(len(plan.entries))
    result = write_workbook(path, lambda book: apply_visit(book, plan), SLIP_ACTION, ledger=ledger)
    return plan, result


def mark_signed(path: Path, number: str, day: dt.date) -> tuple[SignedPlan, WriteResult | None]:
    """Record that the signed slip `number` came back; nothing is written when it already was."""
    ledger = reader.load_ledger(path)
    plan = plan_signed(ledger, number, day)
    if plan.already:
        return plan, None
    if plan.entry is not None:
        ledger[schema.A11].ensure_room()
    result = write_workbook(path, lambda book: apply_signed(book, plan), SLIP_ACTION, ledger=ledger)
    return plan, result


def slip(path: Path, computer: str, day: dt.date, output: Path | None = None, force: bool = False,
         progress: Progress | None = None) -> tuple[Done, PrintResult]:
    """A visit's 附件9 rows get their 确认单号, the slip is registered in 附件11 and printed."""
    spec = FORMS[SLIP_FORM]
    if output is not None and not output.is_dir():  # refuse a bad target before the ledger is changed
        output_path(output, path, spec, PrintOptions(), force)
    plan, result = stamp_visit(path, computer, day)
    lines = []
    if plan.rows:
        lines.append(f"已为计算机 {computer} 在 {day.isoformat()} 的 {len(plan.rows)} 条安装维护记录编确认单号 {plan.number}")
    lines += [f"已在附件11 登记确认单 {values['确认单号']}（已签字 = 否）" for values in plan.entries]
    if result.written:
        lines.append(f"共 {len(result.changes)} 处改动，已记入变更记录；备份：{result.backup}")
    pdf = print_file(path, spec, PrintOptions(ids=plan.slips), output=output, force=force, progress=progress)
    return Done.of([*lines, printed(pdf, spec)], result, pdf=str(pdf.path)), pdf


def signed(path: Path, number: str, day: dt.date) -> Done:
    """A signed slip came back: 附件11 已签字 = 是, 备注 签字交回 <day>."""
    _, result = mark_signed(path, number, day)
    if result is None:
        return Done.of([f"确认单 {number} 已登记为已签字，未作改动"])
    return Done.of([f"已登记确认单 {number} 签字交回（{day.isoformat()}），附件11 已签字 = 是；备份：{result.backup}"], result)
