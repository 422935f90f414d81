"""`ledger check`, `ledger number`, `ledger fix-blanks` (LEDGER_SPEC §3, §4, §6)."""
from __future__ import annotations

import sys
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import typer

from workbook_tools.core.model import SEVERITY_TEXT, Finding, LedgerError
from workbook_tools.faces.cli.app import LedgerPath, app, today

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


TODAY_HELP = "把“今天”固定为该日期（YYYY-MM-DD），使结果可重复"


class Format(str, Enum):
    text = "text"
    json = "json"


def _codes(value: str | None) -> list[str] | None:
    return [c for c in value.replace("，", ",").split(",") if c.strip()] if value else None


SHOWN_PER_SHEET = 50


def _console() -> Console:
    from rich.console import Console  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = 140
    return console


def _sheet_table(findings: list[Finding], limit: int | None) -> Table:
    from rich.table import Table  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    table = Table(show_header=True, header_style="bold", expand=False)
    for header in ("单元格", "级别", "规则", "说明"):
        table.add_column(header, overflow="fold")
    for f in findings[:limit]:
        style = "red" if f.severity.value == "error" else "yellow"
        place = f.cell or (f"第 {f.row} 行" if f.row else "")
        table.add_row(place, f"[{style}]{SEVERITY_TEXT[f.severity]}[/{style}]", f.rule, f.message)
    return table


def print_text(result, console, show_all: bool = False) -> None:
    """Findings grouped by sheet, each group a table (the first SHOWN_PER_SHEET unless show_all), then totals."""
    limit = None if show_all else SHOWN_PER_SHEET
    for sheet, findings in result.by_sheet().items():
        errors = sum(f.severity.value == "error" for f in findings)
        console.print(f"\n[bold]{sheet or '（全局）'}[/bold]：{errors} 个错误，{len(findings) - errors} 个警告")
        console.print(_sheet_table(findings, limit))
        if limit is not None and len(findings) > limit:
            console.print(f"……另有 {len(findings) - limit} 条未显示（加 --all 显示全部，或加 --annotate 写入「校验结果」表）")
    counts = result.counts
    if not result.findings:
        console.print("未发现问题。")
    console.print(f"\n共 {counts['error']} 个错误，{counts['warning']} 个警告（今天按 {result.today.isoformat()} 计）。")


@app.command("check", help="按规范 §3 的全部规则校验台账；有错误时退出码为 1。")
def check_command(
    path: LedgerPath,
    format: Annotated[Format, typer.Option("--format", help="输出格式：text（表格）或 json（规范 §6）")] = Format.text,
    today_: Annotated[str | None, typer.Option("--today", help=TODAY_HELP)] = None,
    annotate: Annotated[bool, typer.Option("--annotate", help="把结果写入「校验结果」表，并标记有问题的单元格")] = False,
    rules: Annotated[str | None, typer.Option("--rules", help="只执行这些规则代码（逗号分隔，可用 EVENT-* 这样的前缀）")] = None,
    skip: Annotated[str | None, typer.Option("--skip", help="不执行这些规则代码（逗号分隔）")] = None,
    show_all: Annotated[bool, typer.Option("--all", help=f"文本输出显示全部问题（默认每张表最多 {SHOWN_PER_SHEET} 条）")] = False,
) -> None:
    from workbook_tools.tasks import sheets  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    result, ledger = sheets.check(path, today(today_), _codes(rules), _codes(skip), note_open=not annotate)
    if format is Format.json:
        print(sheets.check_json(result, path))
    else:
        print_text(result, _console(), show_all)
    if annotate:
        line = sheets.annotate_result(path, result, ledger)
        print(line, file=sys.stderr if format is Format.json else sys.stdout)
    raise typer.Exit(1 if result.has_errors else 0)


@app.command("number", help="为附件7 中没有软件编号的行自动分配编号（规范 §4）。")
def number_command(
    path: LedgerPath,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将分配的编号，不写入")] = False,
) -> None:
    from workbook_tools.tasks import sheets  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    plan, ledger = sheets.number_preview(path)
    for s in plan.skipped:
        print(f"附件7第 {s.row} 行（{s.name or ''}）未编号：{s.reason}")
    if not plan.assigned:
        print("没有需要分配编号的行。")
        raise typer.Exit(1 if plan.skipped else 0)
    for a in plan.assigned:
        print(f"附件7第 {a.row} 行：{sheets.describe(a)}")
    if dry_run:
        print("（--dry-run：未写入）")
        return
    written = sheets.apply_numbers(path, plan, ledger=ledger)
    print(f"已分配 {len(plan.assigned)} 个编号，需合并 {len(plan.merges)} 行；原文件备份在 {written.backup}")


def _confirm(count: int, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise LedgerError("清除前需要确认：请在终端中执行，或加 --yes", 1)
    if not typer.confirm(f"确定清除以上 {count} 个单元格吗？（原值会记入「变更记录」）", default=False):
        print("已取消，工作簿未改动。")
        raise typer.Exit(1)


@app.command("fix-blanks", help="清除 OEM软件、免费软件、受赠/调剂商业软件不应填写的栏目（原值记入变更记录）。")
def fix_blanks_command(
    path: LedgerPath,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不询问，直接清除")] = False,
) -> None:
    from workbook_tools.tasks import sheets  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    clears, ledger = sheets.blanks_preview(path)
    if not clears:
        print("没有需要清除的栏目。")
        return
    print(f"将清除附件7 中以下 {len(clears)} 个单元格：")
    for c in clears:
        print(f"  {c.cell}  第 {c.row} 行「{c.name or ''}」{c.column}：{c.old}（{c.rule}）")
    _confirm(len(clears), yes)
    written = sheets.apply_blanks(path, clears, ledger=ledger)
    print(f"已清除 {len(written.changes)} 个单元格，原值已记入「变更记录」；原文件备份在 {written.backup}")
