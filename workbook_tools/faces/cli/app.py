"""The shared Typer application; command modules in this package register on it."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from workbook_tools.core.model import LedgerError
from workbook_tools.faces.cli.chinese import LedgerTyper

app = LedgerTyper(
    name="ledger",
    help="软件正版化台账工具：校验、编号、半年更新、统计、打印表单。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)



@app.callback()
def _root() -> None:
    """软件正版化台账工具。"""
    # Runs before any command (not for `ledger --help`): the writer's remarks (a stale lock taken over,
    # leftovers cleaned) go to stderr.  Lazy, as every import of the library in this package (docs/ARCHITECTURE.md).
    from workbook_tools.tasks import set_notice  # noqa: PLC0415

    set_notice(lambda line: print(f"提示：{line}", file=sys.stderr))


# Shared argument/option types (sqlite-utils style: declared once, reused by every command).
LedgerPath = Annotated[Path, typer.Argument(help="台账工作簿路径（.xlsx）", show_default=False)]
TODAY_HELP = "把“今天”固定为该日期（YYYY-MM-DD），使结果可重复"
TodayOption = Annotated[str | None, typer.Option("--today", help=TODAY_HELP, show_default=False)]


def parse_day(value: str | None, option: str = "--date") -> dt.date | None:
    """YYYY-MM-DD (or any accepted date text) -> date; a clear error otherwise."""
    if value is None:
        return None
    # Lazy: this module is imported before main()'s guard, the library only behind it (docs/ARCHITECTURE.md)
    from workbook_tools.tasks.reading import parse_date_text  # noqa: PLC0415

    day = parse_date_text(value)
    if day is None:
        raise LedgerError(f"{option} 的日期「{value}」无法识别，应写作 YYYY-MM-DD")
    return day


def today(value: str | None) -> dt.date:
    return parse_day(value, "--today") or dt.date.today()
