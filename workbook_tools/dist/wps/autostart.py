"""`ledger serve` started at login: a hidden .vbs launcher in the Windows Startup folder, an XDG autostart entry on Linux.

The service the add-in talks to must run whenever WPS does.  A real Windows shortcut (.lnk) cannot be
written portably, so the Startup folder gets a small VBScript that runs the command with a hidden
window (a .cmd would leave a console window open all day).  Kylin (UKUI), UOS (DDE), GNOME, KDE and
Xfce all start the `.desktop` entries of ~/.config/autostart at login.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

LAUNCHER = "workbook-tools-serve"          # file name (ASCII) of the .vbs / .desktop launcher
SHOWN_NAME = "正版化台账本机服务"
DESKTOP_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def serve_argv(python: Path, folder: Path, port: int, key_file: Path, origins: tuple[str, ...] = ()) -> list[str]:
    """The command the launcher runs: the service on `folder` at the add-in's fixed port, serving the add-in
    (its key read from `key_file`; the key never stands on a command line other users can list)."""
    allow = [part for origin in origins for part in ("--allow-origin", origin)]
    return [str(python), "-m", "workbook_tools", "serve", "--no-browser", "--port", str(port),
            "--wps-key-file", str(key_file), *allow, str(folder)]


def _desktop_arg(arg: str) -> str:
    """One argument of an Exec key (Desktop Entry Specification 1.5, «The Exec key»)."""
    quoted = arg
    if not arg or DESKTOP_RESERVED & set(arg):
        quoted = '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'
    return quoted.replace("\\", "\\\\").replace("%", "%%")   # the string escape, then field codes


WPS_COMMENT = "WPS 加载项「正版化台账」使用的本机服务（ledger wps install 生成，ledger wps uninstall 删除）"


def desktop_entry(argv: list[str], comment: str = WPS_COMMENT) -> str:
    return "\n".join([
        "[Desktop Entry]", "Type=Application", f"Name={SHOWN_NAME}",
        f"Comment={comment}",
        "Exec=" + " ".join(_desktop_arg(a) for a in argv), "Terminal=false", "NoDisplay=true",
        "X-GNOME-Autostart-enabled=true", ""])


def vbs_launcher(argv: list[str], comment: str = WPS_COMMENT) -> bytes:
    """VBScript running the command hidden; UTF-16 with a BOM, so Windows Script Host reads Chinese paths."""
    command = subprocess.list2cmdline(argv).replace('"', '""')
    text = "\r\n".join([
        f"' {SHOWN_NAME}：登录时在后台启动 ledger serve。", f"' {comment}",
        'Set shell = CreateObject("WScript.Shell")',
        f'shell.Run "{command}", 0, False', ""])
    return "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")


def launcher(platform: str, argv: list[str], comment: str = WPS_COMMENT) -> bytes:
    if platform == "win32":
        return vbs_launcher(argv, comment)
    return desktop_entry(argv, comment).encode("utf-8")


def launcher_name(platform: str, stem: str = LAUNCHER) -> str:
    return f"{stem}.vbs" if platform == "win32" else f"{stem}.desktop"
