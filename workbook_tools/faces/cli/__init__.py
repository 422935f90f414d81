"""`ledger` command line. Every module of this package registers its commands on `app`.

`main` is the last guard before the user's terminal: whatever happens, one Chinese line on stderr
and exit 1 or 2 (130 after Ctrl-C); no traceback, no English library text, no "Exception ignored"
at exit.  `--debug` shows the details instead.
"""
from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import warnings

import typer

from workbook_tools.core.model import LedgerError
from workbook_tools.faces.cli.app import app
from workbook_tools.faces.cli.chinese import click_errors, file_message, usage_message

_LOADED = False
INTERRUPTED = 130


def load_commands() -> None:
    global _LOADED
    if _LOADED:
        return
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name not in ("app", "chinese", "progress"):
            importlib.import_module(f"{__name__}.{info.name}")
    _LOADED = True


def _fail(message: str, code: int) -> None:
    print(f"错误：{message}", file=sys.stderr)
    sys.exit(code)


def _quiet(unraisable) -> None:
    """Errors Python can only report as "Exception ignored in …" (a file closed at exit): the command's own
    outcome has been said already."""


def _run(args: list[str]) -> int:
    errors = click_errors
    try:
        result = app(args=args, prog_name="ledger", standalone_mode=False)
    except errors.NoArgsIsHelpError as exc:  # `ledger` alone: its help page (exit 2, as Click does)
        print(exc.format_message(), file=sys.stderr)
        return 2
    except errors.UsageError as exc:
        _fail(usage_message(exc, args, typer.main.get_command(app)), 2)
    except errors.FileError as exc:
        _fail(file_message(exc), 2)
    except (typer.Abort, getattr(errors, "Abort", typer.Abort)):
        _fail("已取消", 1)
    return result if isinstance(result, int) else 0


def _guarded(args: list[str], debug: bool) -> int:
    try:
        load_commands()
        code = _run(args)
    except LedgerError as exc:
        if debug and exc.detail:
            print(f"详细信息：{exc.detail}", file=sys.stderr)
        _fail(exc.message, exc.exit_code)
    except KeyboardInterrupt:
        code = INTERRUPTED
    except MemoryError:
        _fail("内存不足，无法完成；请关闭其他程序后再试", 2)
    except OSError as exc:
        if debug:
            raise
        # Lazy: the library is imported only once a command runs (`ledger --help` stays quick; docs/ARCHITECTURE.md)
        from workbook_tools.tasks import os_reason  # noqa: PLC0415

        _fail(os_reason(exc), 2)
    except Exception as exc:  # noqa: BLE001 - the last guard before the user's terminal
        if debug:
            raise
        _fail(f"内部错误（{type(exc).__name__}）；加 --debug 查看详情", 2)
    if code == INTERRUPTED:
        _fail("已中断（Ctrl-C），未完成的写入不会改动原文件", INTERRUPTED)
    return code


def _flush_or_quiet() -> None:
    """stdout closed early (`ledger check … | head`): say nothing more, as any Unix tool."""
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line Chinese errors, exit 1 or 2 (130 on Ctrl-C); `--debug` shows the traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if debug:
        args.remove("--debug")
    else:
        warnings.simplefilter("ignore")          # library warnings are English and not the user's business
        sys.unraisablehook = _quiet
    try:
        code = _guarded(args, debug)
    except BrokenPipeError:
        code = 1
    _flush_or_quiet()
    sys.exit(code)
