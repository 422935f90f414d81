"""`ledger` command line. Every module of this package registers its commands on `app`."""
from __future__ import annotations

import importlib
import pkgutil
import sys

from workbook_tools.cli.app import app
from workbook_tools.cli.chinese import click_errors, file_message, usage_message
from workbook_tools.model import LedgerError

_LOADED = False


def load_commands() -> None:
    global _LOADED
    if _LOADED:
        return
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name != "app":
            importlib.import_module(f"{__name__}.{info.name}")
    _LOADED = True


def main(argv: list[str] | None = None) -> None:
    """Entry point: one-line Chinese errors, exit 2; `--debug` shows the traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    if debug:
        args.remove("--debug")
    load_commands()
    try:
        code = app(args=args, prog_name="ledger", standalone_mode=False)
    except LedgerError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except click_errors.NoArgsIsHelpError as exc:   # `ledger` alone: its help page (exit 2, as Click does)
        print(exc.format_message(), file=sys.stderr)
        sys.exit(exc.exit_code)
    except click_errors.UsageError as exc:
        print(f"错误：{usage_message(exc, args)}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except click_errors.FileError as exc:
        print(f"错误：{file_message(exc)}", file=sys.stderr)
        sys.exit(2)
    except click_errors.Abort:
        print("已取消。", file=sys.stderr)
        sys.exit(1)
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - the last guard before the user's terminal
        if debug:
            raise
        print(f"错误：内部错误（{type(exc).__name__}: {exc}）；加 --debug 查看详情", file=sys.stderr)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
