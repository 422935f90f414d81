"""Finding the workbook whose ribbon button started Python, and saying plainly why that failed.

The xlwings VBA starts ``python -c "…" --wb="<name>" --from_xl=1 --app=… --hwnd=…``;
`xlwings.Book.caller()` reads those arguments and attaches to that Excel window.
Only when they are absent was Python not started by a button; any other failure
(pywin32 cannot load its DLLs, the window or the workbook is not found, a workbook
name containing "=", which xlwings cuts at the "=") is shown with its cause.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence

from workbook_tools.faces.excel import live

NOT_FROM_EXCEL = ("只能通过 Excel 功能区「正版化台账」的按钮调用（需要 Windows 或 macOS 上的 Microsoft Excel；"
                  "WPS 请用 ledger wps install 安装的 WPS 加载项）")


def argument(argv: Sequence[str], name: str) -> str | None:
    """The value of `--name=value` as the VBA passes it (quotes already removed by the shell)."""
    prefix = f"--{name}="
    return next((a[len(prefix):] for a in argv if a.startswith(prefix)), None)


def started_by_excel(argv: Sequence[str]) -> bool:
    return argument(argv, "from_xl") == "1"


def pywin32_problem() -> str | None:
    """Why pywin32 cannot be imported on Windows (the usual cause: its DLLs not found), else None."""
    if sys.platform != "win32":
        return None
    try:
        import pywintypes  # noqa: F401, PLC0415
        import win32api  # noqa: F401, PLC0415
    except ImportError as exc:
        return str(exc)
    return None


def failure_message(exc: BaseException, argv: Sequence[str]) -> str:
    """One Chinese paragraph: which workbook, the cause, and what to do."""
    name = argument(argv, "wb") or ""
    head = f"无法连接到调用按钮的 Excel 工作簿「{name}」"
    dll = pywin32_problem()
    if dll is not None:
        return (f"{head}：pywin32 无法加载（{dll}）。请用离线安装包重新运行「安装.cmd」，"
                f"或在命令提示符执行 \"{sys.executable}\" -m pip install --force-reinstall pywin32")
    if "=" in name:
        return f"{head}：工作簿名称含「=」，xlwings 无法按名称找到它。请把文件改名（去掉「=」），重新打开后再点按钮"
    return (f"{head}（{type(exc).__name__}: {exc}）。请确认该工作簿仍在这个 Excel 窗口中打开；"
            "若问题重复出现，请把本提示告诉维护人员")


def calling_book() -> live.BookLike:
    import xlwings as xw  # noqa: PLC0415 - only when called from Excel

    # xlwings annotates its classes more narrowly than the protocols of live.py (which the tests' fake also meets)
    return xw.Book.caller()  # type: ignore[return-value]


def connect(argv: Sequence[str]) -> tuple[live.BookLike | None, str]:
    """(the calling workbook, "") or (None, the message to show on stderr)."""
    if not started_by_excel(argv):
        return None, NOT_FROM_EXCEL
    try:
        return calling_book(), ""
    except Exception as exc:  # noqa: BLE001 - every cause is shown, none hidden
        return None, failure_message(exc, argv)
