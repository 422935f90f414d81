"""`ledger print` (附件1–附件11 as A4 forms) and `ledger slip` (附件11 确认单 workflow)."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from workbook_tools.cli.app import LedgerPath, TodayOption, app, parse_day, today
from workbook_tools.model import LedgerError

FormArg = Annotated[str, typer.Argument(help="表单：附件1 … 附件11（或 1 … 11）", show_default=False)]
OutputOpt = Annotated[Path | None, typer.Option(
    "-o", "--output", help="输出文件或文件夹（默认：台账所在文件夹，文件名为 台账名_附件N.pdf）", show_default=False)]
HtmlOpt = Annotated[bool, typer.Option("--html", help="生成 HTML 而不是 PDF（可在浏览器中打印）")]
ForceOpt = Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖（台账和其他工作簿永远不会被覆盖）")]
IdsOpt = Annotated[list[str] | None, typer.Option(
    "--id", help="只打印指定的一份或几份（可重复）：附件2 姓名；附件3、附件10 申请编号；附件4 依据申请编号；"
                 "附件6、附件7、附件9 软件编号；附件8 部门；附件11 确认单号", show_default=False)]

FALLBACK = ("未能加载 PDF 组件 WeasyPrint（Windows 上需要另装 GTK/Pango 运行库，见 docs/forms.md），"
            "已改为生成 HTML：{path}\n请在浏览器中打开它，用“打印”（Ctrl+P）选择 A4 纸打印或另存为 PDF。")


def output_path(output: Path | None, ledger_path: Path, spec, options, as_html: bool, force: bool = False) -> Path:
    """Where the form goes, checked (io/outputs.py): never the ledger, a workbook or, without --force, another file."""
    from workbook_tools.forms import default_output
    from workbook_tools.io.outputs import Output, check_output

    suffix = ".html" if as_html else ".pdf"
    if output is None:
        target = default_output(ledger_path, spec, options, suffix)
    elif output.is_dir():
        target = default_output(output / ledger_path.name, spec, options, suffix)
    else:
        target = output if output.suffix else output.with_suffix(suffix)
    return check_output(target, Output.HTML if as_html else Output.PDF, ledgers=[ledger_path], force=force,
                        reprint=output is None or output.is_dir())


def check_options(spec, year: int | None, unsigned: bool, show_serials: bool) -> None:
    for flag, used, number in (("--year", year is not None, 5), ("--unsigned", unsigned, 2),
                               ("--show-serials", show_serials, 7)):
        if used and spec.number != number:
            raise LedgerError(f"{flag} 只用于附件{number}", 2)
    if year is not None and not 1990 <= year <= 2100:
        raise LedgerError("--year 的年份应在 1990–2100 之间", 2)


def report(result, spec) -> None:
    """The file's path on stdout (for scripts); what it holds on stderr."""
    from workbook_tools.forms.render import open_in_browser

    if result.fallback:
        print(FALLBACK.format(path=result.path), file=sys.stderr)
        open_in_browser(result.path)
    else:
        pages = f"，{result.pages} 页" if result.pages is not None else ""
        print(f"已生成{spec.label} {spec.title}：{result.items} 份{pages}", file=sys.stderr)
    print(result.path)


@app.command("print", help="打印表单：把附件1–附件11 生成可打印的 A4 PDF（全部份数在一个文件中）并显示其路径。")
def print_command(
    form: FormArg,
    path: LedgerPath,
    output: OutputOpt = None,
    ids: IdsOpt = None,
    html: HtmlOpt = False,
    year: Annotated[int | None, typer.Option("--year", help="附件5：统计年度（默认今年）", show_default=False)] = None,
    unsigned: Annotated[bool, typer.Option("--unsigned", help="附件2：只打印尚未签署承诺书的在职人员")] = False,
    show_serials: Annotated[bool, typer.Option("--show-serials", help="附件7：显示完整序列号（默认只显示首段和末四位）")] = False,
    force: ForceOpt = False,
) -> None:
    from workbook_tools.forms import form_spec, print_form
    from workbook_tools.forms.common import PrintOptions
    from workbook_tools.io.reader import load_ledger

    spec = form_spec(form)
    check_options(spec, year, unsigned, show_serials)
    options = PrintOptions(ids=ids or [], year=year, unsigned=unsigned, show_serials=show_serials)
    target = output_path(output, path, spec, options, html, force)
    ledger = load_ledger(path)
    result = print_form(spec, ledger, options, target, as_html=html)
    report(result, spec)


@app.command("slip", help="安装维护确认单（附件11）：为某台计算机某天的安装维护记录编确认单号、登记并打印；"
                          "或用 --signed 登记使用人签字交回的确认单。")
def slip_command(
    path: LedgerPath,
    computer: Annotated[str | None, typer.Option("--computer", help="计算机编号（与 --date 一起：这次上门的记录）",
                                                 show_default=False)] = None,
    date: Annotated[str | None, typer.Option("--date", help="日期 YYYY-MM-DD：上门日期，或 --signed 时的交回日期（默认今天）",
                                             show_default=False)] = None,
    signed: Annotated[str | None, typer.Option("--signed", help="已签字交回的确认单号", show_default=False)] = None,
    output: OutputOpt = None,
    html: HtmlOpt = False,
    today_: TodayOption = None,
    force: ForceOpt = False,
) -> None:
    if (computer is None) == (signed is None):
        raise LedgerError("请给出 --computer（编确认单并打印）或 --signed（登记签字交回）二者之一", 2)
    day = parse_day(date) or today(today_)
    if signed is not None:
        record_signed(path, signed.strip(), day)
    else:
        new_slip(path, computer.strip(), day, output, html, force)


def record_signed(path: Path, number: str, day) -> None:
    from workbook_tools.forms.slips import mark_signed

    plan, result = mark_signed(path, number, day)
    if result is None:
        print(f"确认单 {number} 已登记为已签字，未作改动")
        return
    print(f"已登记确认单 {number} 签字交回（{day.isoformat()}），附件11 已签字 = 是；备份：{result.backup}")


def new_slip(path: Path, computer: str, day, output: Path | None, html: bool, force: bool = False) -> None:
    from workbook_tools.forms import FORMS, print_form
    from workbook_tools.forms.common import PrintOptions
    from workbook_tools.forms.slips import stamp_visit
    from workbook_tools.io.reader import load_ledger

    if output is not None and not output.is_dir():  # refuse a bad target before the ledger is changed
        output_path(output, path, FORMS[11], PrintOptions(), html, force)
    plan, result = stamp_visit(path, computer, day)
    if plan.rows:
        print(f"已为计算机 {computer} 在 {day.isoformat()} 的 {len(plan.rows)} 条安装维护记录编确认单号 {plan.number}")
    for values in plan.entries:
        print(f"已在附件11 登记确认单 {values['确认单号']}（已签字 = 否）")
    if result.written:
        print(f"共 {len(result.changes)} 处改动，已记入变更记录；备份：{result.backup}")
    spec = FORMS[11]
    options = PrintOptions(ids=plan.slips)
    report(print_form(spec, load_ledger(path), options, output_path(output, path, spec, options, html, force), html), spec)
