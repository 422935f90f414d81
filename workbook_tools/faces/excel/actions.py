"""The ribbon's actions: the registry of `workbook_tools.tasks.registry`, each entry with its button adapter.

A button's `tag` is the key of `ACTIONS`; the VBA callback passes it to
`workbook_tools.faces.excel.dispatch`.  An adapter is thin: it takes a `Context`
(the clicked workbook, read live on demand) and returns an `Outcome` (a Chinese
message); the work itself is a `tasks` function, shared with the `ledger`
command line and `ledger serve`.  Labels, groups, icons and descriptions are the
registry's (tests/test_addin_ribbon.py checks them against macros/customUI14.xml).
"""
from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable

from workbook_tools import __version__
from workbook_tools.core import schema
from workbook_tools.faces.excel import marks, onfile, printing, register
from workbook_tools.faces.excel.context import MAX_LINES, Context, Outcome, clip
from workbook_tools.tasks.registry import GROUP_IDS, REGISTRY, Entry, Group, help_lines
from workbook_tools.tasks.sheets import check_ledger, finding_line

__all__ = ["ACTIONS", "GROUP_IDS", "MAX_LINES", "Action", "Context", "Group", "Outcome", "clip"]


class Action(Entry):
    """One ribbon button: its registry entry and the adapter it runs."""

    run: Callable[[Context], Outcome]


def show_help(ctx: Context) -> Outcome:
    return Outcome(message=clip(help_lines(__version__), limit=MAX_LINES * 2))


def _versions() -> list[str]:
    try:
        import xlwings  # noqa: PLC0415 - lazy: Excel's side only (docs/ARCHITECTURE.md, Lazy imports)

        xlwings_version = xlwings.__version__
    except ImportError:
        xlwings_version = "未安装"
    return [f"workbook_tools {__version__} · xlwings {xlwings_version} · Python {platform.python_version()}",
            f"Python 路径：{sys.executable}"]


def show_environment(ctx: Context) -> Outcome:
    lines = [*_versions(), f"工作簿：{getattr(ctx.book, 'fullname', '') or ctx.book.name}"]
    if not ctx.is_ledger:
        lines.append(f"当前工作簿不是台账（没有工作表「{schema.A7}」），未读取。")
        return Outcome(message=clip(lines))
    start = time.perf_counter()
    ledger = ctx.ledger()
    seconds = time.perf_counter() - start
    present = [t for t in ledger.tables.values() if t.present]
    lines.append(f"读取台账：{len(present)} 张表，用时 {seconds:.2f} 秒")
    lines += [f"  {t.spec.short}：{len(t)} 行" for t in present]
    unreadable = [f for f in ledger.findings if f.rule.startswith("TYPE-")]
    if unreadable:
        lines.append(f"无法识别的日期或数字：{len(unreadable)} 处（如 {unreadable[0].cell}）")
    return Outcome(message=clip(lines))


def run_validation(ctx: Context) -> Outcome:
    """LEDGER_SPEC §3 on the open workbook (the same check as `ledger check`); nothing is written."""
    result = check_ledger(ctx.ledger(), ctx.today)
    counts = result.counts
    head = f"校验完成（今天按 {result.today.isoformat()} 计）：{counts['error']} 个错误，{counts['warning']} 个警告。"
    if not result.findings:
        return Outcome(message=f"{head}\n未发现问题。")
    lines = [head, *(finding_line(f) for f in result.findings)]
    tail = "全部结果：保存并关闭后运行 ledger check 文件名 --annotate，写入「校验结果」表并标记单元格。"
    return Outcome(ok=not result.has_errors, message=f"{clip(lines)}\n\n{tail}")


ADAPTERS: dict[str, Callable[[Context], Outcome]] = {
    "check": run_validation, "validate": marks.validate, "number": onfile.number, "fix_blanks": onfile.fix_blanks,
    "rollup": onfile.rollup, "install": register.install, "uninstall": register.uninstall,
    "upgrade": register.upgrade, "renew": onfile.renew, "print_slip": printing.print_slip, "print_form": printing.print_sheet_form,
    "stats": onfile.stats, "plan": onfile.plan, "overview": onfile.overview, "review": onfile.review,
    "scan": onfile.scan,
    "help": show_help, "about": show_environment,
}

ACTIONS: dict[str, Action] = {tag: Action(**entry.model_dump(), run=ADAPTERS[tag]) for tag, entry in REGISTRY.items()}
