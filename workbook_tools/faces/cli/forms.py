"""`ledger print` (附件1–附件11 as A4 forms) and `ledger slip` (附件11 确认单 workflow)."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workbook_tools.core.model import LedgerError
from workbook_tools.faces.cli.app import LedgerPath, TodayOption, app, parse_day, today
from workbook_tools.faces.cli.progress import progress_bar

if TYPE_CHECKING:
    from workbook_tools.tasks.printing import FormSpec, PrintResult


FormArg = Annotated[str, typer.Argument(help="表单：附件1 … 附件11（或 1 … 11），或 考核评议", show_default=False)]
OutputOpt = Annotated[Path | None, typer.Option(
    "-o", "--output", help="输出文件或文件夹（默认：台账所在文件夹，文件名为 台账名_附件N.pdf）", show_default=False)]
HtmlOpt = Annotated[bool, typer.Option("--html", hidden=True, help="已停用：表单只生成 PDF")]
ForceOpt = Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖（台账和其他工作簿永远不会被覆盖）")]
IdsOpt = Annotated[list[str] | None, typer.Option(
    "--id", help="只打印指定的一份或几份（可重复）：附件2 姓名；附件3、附件10 申请编号；附件4 依据申请编号；"
                 "附件6、附件7、附件9 软件编号；附件8 部门；附件11 确认单号", show_default=False)]

NO_HTML = "--html 已停用：表单在 Windows、Linux、macOS 上都直接生成 PDF（文字可搜索、可复制），请去掉 --html 后重新执行"


def check_options(spec: FormSpec, used: dict[str, bool], year: int | None, html: bool) -> None:
    from workbook_tools.tasks.printing import FORM_OPTIONS  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    if html:
        raise LedgerError(NO_HTML, 2)
    for flag, given in used.items():
        if given and spec.number not in FORM_OPTIONS[flag]:
            forms = "、".join(f"附件{n}" if n else "考核评议" for n in FORM_OPTIONS[flag])
            raise LedgerError(f"{flag} 只用于{forms}", 2)
    if year is not None and not 1990 <= year <= 2100:
        raise LedgerError("--year 的年份应在 1990–2100 之间", 2)


def report(result: PrintResult, spec: FormSpec) -> None:
    """The file's path on stdout (for scripts); what it holds on stderr."""
    what = f"（{result.note}）" if result.note else ""
    print(f"已生成{spec.label} {spec.title}{what}：{result.items} 份，{result.pages} 页", file=sys.stderr)
    print(result.path)


@app.command("print", help="打印表单：把附件1–附件11 或考核评议生成可打印的 A4 PDF（全部份数在一个文件中）并显示其路径。")
def print_command(
    form: FormArg,
    path: LedgerPath,
    output: OutputOpt = None,
    ids: IdsOpt = None,
    html: HtmlOpt = False,
    year: Annotated[int | None, typer.Option(
        "--year", help="附件5：统计年度（默认今年）；考核评议：评议年度（默认今年）；"
                       "附件4：计划年度（默认同 ledger plan：附件3 最新申请的年份）",
        show_default=False)] = None,
    unsigned: Annotated[bool, typer.Option("--unsigned", help="附件2：只打印尚未签署承诺书的在职人员")] = False,
    show_serials: Annotated[bool, typer.Option("--show-serials", help="附件7：显示完整序列号（默认只显示首段和末四位）")] = False,
    in_use: Annotated[bool, typer.Option("--in-use", help="附件7：不列出已报废的软件（默认列出并在许可数量栏注明“已报废”）")] = False,
    filled: Annotated[bool, typer.Option(
        "--filled", help="附件3、附件10：印上工作表中已登记的审核人和审核日期（默认留空，由审核人签字）")] = False,
    today_text: Annotated[str | None, typer.Option("--today", help="打印日期 YYYY-MM-DD（默认今天）：填表日期、附件5 截至日",
                                                   show_default=False)] = None,
    force: ForceOpt = False,
) -> None:
    from workbook_tools.tasks import printing  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
    from workbook_tools.tasks.printing import (
        PrintOptions,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
        form_spec,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
    )

    spec = form_spec(form)
    check_options(spec, {"--year": year is not None, "--unsigned": unsigned, "--show-serials": show_serials,
                         "--in-use": in_use, "--filled": filled}, year, html)
    options = PrintOptions(ids=ids or [], year=year, unsigned=unsigned, show_serials=show_serials, in_use=in_use,
                           filled=filled, today=today(today_text))
    with progress_bar("打印") as progress:
        result = printing.print_file(path, spec, options, output=output, force=force, progress=progress)
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
    force: ForceOpt = False,
    today_: TodayOption = None,
) -> None:
    if html:
        raise LedgerError(NO_HTML, 2)
    if (computer is None) == (signed is None):
        raise LedgerError("请给出 --computer（编确认单并打印）或 --signed（登记签字交回）二者之一", 2)
    day = parse_day(date) or today(today_)
    if signed is not None:
        record_signed(path, signed.strip(), day)
    elif computer is not None:
        new_slip(path, computer.strip(), day, output, force)


def record_signed(path: Path, number: str, day: dt.date) -> None:
    from workbook_tools.tasks import printing  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    print("\n".join(printing.signed(path, number, day).lines))


def new_slip(path: Path, computer: str, day: dt.date, output: Path | None, force: bool = False) -> None:
    from workbook_tools.tasks import printing  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    with progress_bar("打印确认单") as progress:
        done, pdf = printing.slip(path, computer, day, output, force, progress)
    for line in done.lines[:-1]:
        print(line)
    print(done.lines[-1].removesuffix("（PDF）"), file=sys.stderr)
    print(pdf.path)
