"""`ledger scan` and `ledger scan-apply`: inspection by endpoint scans (LEDGER_SPEC §9)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workbook_tools.faces.cli.app import LedgerPath, app, parse_day, today
from workbook_tools.faces.cli.check import TODAY_HELP, Format
from workbook_tools.faces.cli.progress import progress_bar

if TYPE_CHECKING:
    from rich.console import Console

    from workbook_tools.tasks.scanning import ScanContext, ScanResult


ScanFiles = Annotated[list[Path], typer.Argument(help="扫描文件（CSV）或存放扫描文件的文件夹，可写多个", show_default=False)]
Column = Annotated[str | None, typer.Option(help="扫描文件中该栏目的列名（导出格式的表头不是默认名称时使用）")]


def _console() -> Console:
    from rich.console import Console  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    return Console(highlight=False, soft_wrap=False)


def print_scan_text(result: ScanResult, ctx: ScanContext, console: Console) -> None:
    """Findings by kind (errors first) then computer, unscanned computers on one line, the summary by 处室."""
    from workbook_tools.tasks.scanning import text_report  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    for line in text_report(result, ctx):
        console.print(line, markup=False, soft_wrap=True)


def _write(path: Path, result: ScanResult, ctx: ScanContext, annotate: bool, propose: bool, quiet: bool) -> None:
    """--annotate and --propose in one safe write; messages go to stderr when stdout carries JSON."""
    from workbook_tools.tasks import scanning  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    written = scanning.write_scan(path, result, ctx, annotate, propose)
    proposed = sum(c.sheet == "扫描建议" for c in written.changes)
    out = sys.stderr if quiet else sys.stdout
    if not written.written:
        print("没有新的内容需要写入，工作簿未改动", file=out)
        return
    if propose:
        print(f"已在「扫描建议」中新增 {proposed} 条建议；请在「确认」栏填写 是/否 后执行 ledger scan-apply", file=out)
    if annotate:
        print("已把扫描核对结果写入「校验结果」并标记单元格", file=out)
    print(f"原文件备份在 {written.backup}", file=out)


@app.command("scan", help="用终端扫描结果核对台账（规范 §9、§9a）：软件识别库自动辨认；私自安装、盗版激活、个人版、"
                          "未列入附件6 的免费软件、与工作无关的软件、已卸载未登记、版本、许可、未扫描的计算机；有错误时退出码为 1。")
def scan_command(
    path: LedgerPath,
    scan_files: ScanFiles,
    date: Annotated[str | None, typer.Option("--date", help="台账安装情况的截止日期（扫描日期），默认今天")] = None,
    today_: Annotated[str | None, typer.Option("--today", help=TODAY_HELP)] = None,
    format: Annotated[Format, typer.Option(
        "--format", help="输出格式：text（按问题类别分组）或 json（规范 §6，另含 scan_file、scan_line）")] = Format.text,
    annotate: Annotated[bool, typer.Option("--annotate", help="把结果写入「校验结果」表，并标记有问题的单元格")] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help="另存按部门汇总的检查通报：.xlsx 为工作簿，.pdf 为可打印的通报（A4）")] = None,
    propose: Annotated[bool, typer.Option("--propose", help="把使台账与扫描一致所需的安装/卸载写入「扫描建议」表，供确认")] = False,
    force: Annotated[bool, typer.Option("--force", help="--report 的报告文件已存在时覆盖（台账永远不会被覆盖）")] = False,
    computer_column: Column = None,
    name_column: Column = None,
    version_column: Column = None,
    publisher_column: Column = None,
) -> None:
    from workbook_tools.tasks import scanning  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
    from workbook_tools.tasks.scanning import ColumnMap  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    day = parse_day(date) or today(today_)
    if report is not None:
        scanning.check_report_path(report, path, force)
    columns = ColumnMap(host=computer_column, name=name_column, version=version_column, publisher=publisher_column)
    with progress_bar("读取扫描文件") as progress:
        result, ctx = scanning.reconciled(path, scan_files, day, columns, progress)
    if format is Format.json:
        print(json.dumps(result.as_json(workbook=path.name), ensure_ascii=False))
    else:
        print_scan_text(result, ctx, _console())
    if report is not None:
        scanning.write_report(result, ctx, report, path, force)
        print(f"检查通报已保存到 {report}", file=sys.stderr if format is Format.json else sys.stdout)
    if annotate or propose:
        _write(path, result, ctx, annotate, propose, quiet=format is Format.json)
    raise typer.Exit(1 if result.has_errors else 0)


@app.command("scan-apply", help="把「扫描建议」中确认为“是”的安装/卸载登记到附件9，并标记为已应用。")
def scan_apply_command(
    path: LedgerPath,
    handler: Annotated[str | None, typer.Option("--by", help="经办人（写入附件9「经办人」）")] = None,
    today_: Annotated[str | None, typer.Option("--today", help=TODAY_HELP)] = None,
) -> None:
    from workbook_tools.tasks import scanning  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    print("\n".join(scanning.scan_apply(path, handler, today(today_)).lines))
