"""Installing the ribbon add-in for the current user: copy into Excel's start-up folder, write the settings file.

No Excel is started: the add-in is copied straight into the user's XLSTART folder
(``%APPDATA%\\Microsoft\\Excel\\XLSTART`` on Windows).  Asking Excel for that folder
through the ``Excel.Application`` COM name (as xlwings' own ``addin install`` does)
starts a hidden Excel, twice when Excel is closed; where WPS owns that name the call
fails ("Member not found"), and a first-run dialog of the hidden Excel can hang it.

The settings file is what the xlwings VBA (PROJECT_NAME=ledger) reads with
``Input #``: on Windows in the ANSI code page of the system (cp936 on a Chinese
Windows), whatever Python's own default encoding is.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from workbook_tools.core.model import LedgerError
from workbook_tools.dist.excel.addin import ADDIN_NAME, PROJECT_NAME, build_addin, read_source

# Excel 2016+ for Mac loads add-ins from this folder of the Office group container.
MAC_STARTUP = ("Library", "Group Containers", "UBF8T346G9.Office", "User Content.localized",
               "Startup.localized", "Excel")


class InstallReport(BaseModel):
    addin: Path
    config: Path
    interpreter: Path


def config_path(platform: str = sys.platform, home: Path | None = None) -> Path:
    """Where the xlwings VBA (PROJECT_NAME=ledger) looks for the user's settings file."""
    home = home or Path.home()
    if platform == "darwin":  # Excel is sandboxed: its $HOME is the container
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / f"{PROJECT_NAME}.conf"
    return home / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"


def xlstart_dir(platform: str = sys.platform, env: Mapping[str, str] | None = None,
                home: Path | None = None) -> Path:
    """The current user's Excel start-up folder (Excel opens every workbook in it when it starts)."""
    if platform == "darwin":
        return (home or Path.home()).joinpath(*MAC_STARTUP)
    appdata = (env if env is not None else os.environ).get("APPDATA", "")
    if not appdata:
        raise LedgerError("环境变量 APPDATA 为空，找不到 Excel 启动文件夹 XLSTART：请用普通 Windows 用户登录后再安装", 2)
    return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"


def config_lines(interpreter: Path, platform: str = sys.platform) -> list[str]:
    """The settings the add-in needs: the interpreter, and never the workbook's folder on sys.path."""
    key = "MAC" if platform == "darwin" else "WIN"
    template = read_source(f"{PROJECT_NAME}.conf")
    return [line.format(platform=key, interpreter=interpreter) for line in template.splitlines() if line.strip()]


def ansi_encoding() -> str:
    """The Windows ANSI code page (what VBA's `Input #` decodes with), also under Python's UTF-8 mode."""
    import ctypes  # noqa: PLC0415

    return f"cp{ctypes.windll.kernel32.GetACP()}"  # type: ignore[attr-defined]


def config_encoding(platform: str = sys.platform) -> str:
    return "utf-8" if platform == "darwin" else ansi_encoding()


def write_config(interpreter: Path, path: Path, platform: str = sys.platform) -> Path:
    """Set our settings in the file, keeping any other setting the user made; CRLF as VBA writes it."""
    lines = config_lines(interpreter, platform)
    keys = {line.split(",", 1)[0].strip().upper() for line in lines}
    encoding = config_encoding(platform)
    kept: list[str] = []
    if path.is_file():
        kept = [x for x in path.read_text(encoding=encoding, errors="replace").splitlines()
                if x.strip() and x.split(",", 1)[0].strip().upper() not in keys]
    try:
        data = "".join(f"{x}\r\n" for x in [*kept, *lines]).encode(encoding)
    except UnicodeEncodeError:
        raise LedgerError(f"Python 路径「{interpreter}」含有本机代码页（{encoding}）无法表示的字符，"
                          "Excel 读不出这个路径：请把 Python 装到纯英文路径", 2) from None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def copy_addin(built: Path, folder: Path) -> Path:
    """Put the add-in into `folder`, replacing an older copy; refuses while Excel holds it open."""
    target = folder / ADDIN_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staged = folder / f"{ADDIN_NAME}.tmp"
        shutil.copyfile(built, staged)
        os.replace(staged, target)
    except OSError as exc:
        raise LedgerError(f"无法把加载项复制到 {folder}：{exc.strerror or exc}。请先退出所有 Excel 窗口再安装", 2) from None
    return target


def install_addin(interpreter: Path | None = None, platform: str = sys.platform,
                  built: Path | None = None) -> InstallReport:
    """Copy the add-in (`built`, else built now from this machine's xlwings) into XLSTART; write the settings file."""
    if platform not in ("win32", "darwin"):
        raise LedgerError("ledger addin install 只能在装有 Microsoft Excel 的 Windows 或 macOS 上运行；"
                          "本机没有 Excel。WPS 用户请用 ledger wps install 安装 WPS 加载项。", 2)
    interpreter = Path(interpreter or sys.executable)
    if not interpreter.is_file():
        raise LedgerError(f"找不到 Python：{interpreter}", 2)
    if built is not None and (built.suffix.lower() != ".xlam" or not built.is_file()):
        raise LedgerError(f"找不到加载项文件：{built}", 2)
    with tempfile.TemporaryDirectory(prefix="ledger-addin-") as tmp:
        source = built or build_addin(Path(tmp) / ADDIN_NAME).path
        target = copy_addin(source, xlstart_dir(platform))
    config = write_config(interpreter, config_path(platform), platform)
    return InstallReport(addin=target, config=config, interpreter=interpreter)
