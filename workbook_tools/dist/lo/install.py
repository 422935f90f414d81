"""`ledger lo install | uninstall`: the Calc extension for the current user, and `ledger serve` at login.

install (LibreOffice need not run; no administrator rights):

1. the extension built (a temporary .oxt) and added with `unopkg add --force` for the current user (another
   LibreOffice profile with `-env:UserInstallation`, e.g. a portable LibreOffice, through `profile`);
2. the login launcher of `ledger serve --no-browser <folder>` (Windows Startup folder .vbs, Linux
   ~/.config/autostart .desktop), whose discovery file serve.json the extension reads;
3. the record of what it did, `<state>/lo-install.json`, which uninstall reads to undo exactly that
   (`unopkg remove org.workbooktools.ledger`, the launcher, the record).
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from workbook_tools.core.model import LedgerError
from workbook_tools.dist import common
from workbook_tools.dist.lo import IDENTIFIER, OXT_NAME, VERSION
from workbook_tools.dist.lo.build import build_oxt
from workbook_tools.dist.wps import autostart
from workbook_tools.dist.wps.install import command_line, served_folder
from workbook_tools.files.errors import os_reason

RECORD = "lo-install.json"
LAUNCHER = "workbook-tools-lo-serve"
COMMENT = "LibreOffice 扩展「正版化台账」使用的本机服务（ledger lo install 生成，ledger lo uninstall 删除）"
STARTUP = ("Microsoft", "Windows", "Start Menu", "Programs", "Startup")
UNOPKG_SECONDS = 180      # a first run of unopkg creates the LibreOffice profile: give it time, not forever


class Layout(BaseModel):
    platform: str
    autostart: Path | None     # the folder of the login launcher (none on macOS: the service is started by hand)
    state: Path

    @property
    def launcher(self) -> Path | None:
        return self.autostart / autostart.launcher_name(self.platform, LAUNCHER) if self.autostart else None

    @property
    def record(self) -> Path:
        return self.state / RECORD


class Record(BaseModel):
    version: str
    identifier: str
    unopkg: list[str]          # the unopkg command (with the profile option) that added the extension
    launcher: Path | None
    folder: Path
    command: list[str]
    installed_at: str


def layout(platform: str = sys.platform, env: Mapping[str, str] | None = None) -> Layout:
    env = os.environ if env is None else env
    if platform == "win32":
        appdata = Path(env.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        local = Path(env["LOCALAPPDATA"]) if env.get("LOCALAPPDATA") else appdata.parent / "Local"
        return Layout(platform=platform, autostart=appdata.joinpath(*STARTUP), state=local / "workbook_tools")
    home = Path(env.get("HOME") or Path.home())
    state = Path(env.get("XDG_STATE_HOME") or home / ".local" / "state") / "workbook_tools"
    if platform == "darwin":
        return Layout(platform=platform, autostart=None, state=state)
    return Layout(platform=platform, autostart=Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "autostart",
                  state=state)


def find_unopkg(given: Path | None = None, platform: str = sys.platform, env: Mapping[str, str] | None = None) -> Path:
    """unopkg: `given`, else on PATH, else where LibreOffice installs it."""
    env = os.environ if env is None else env
    if given is not None:
        if not Path(given).is_file():
            raise LedgerError(f"找不到 unopkg：{given}", 2)
        return Path(given)
    found = shutil.which("unopkg", path=env.get("PATH"))
    if found:
        return Path(found)
    candidates = {
        "win32": [Path(env.get(v, "")) / "LibreOffice" / "program" / "unopkg.com"
                  for v in ("ProgramFiles", "ProgramFiles(x86)") if env.get(v)],
        "darwin": [Path("/Applications/LibreOffice.app/Contents/MacOS/unopkg")],
    }.get(platform, [Path("/usr/lib/libreoffice/program/unopkg"), Path("/opt/libreoffice/program/unopkg")])
    for path in candidates:
        if path.is_file():
            return path
    raise LedgerError("找不到 LibreOffice 的 unopkg：请先安装 LibreOffice（Linux：apt install libreoffice-calc），"
                      "或用 --unopkg 指定 unopkg 的位置", 2)


def unopkg_command(unopkg: Path, profile: Path | None) -> list[str]:
    command = [str(unopkg)]
    if profile is not None:
        command.append(f"-env:UserInstallation={Path(os.path.abspath(profile)).as_uri()}")
    return command


def run_unopkg(command: list[str], args: list[str], what: str) -> str:
    try:
        done = subprocess.run([*command[:1], *args, *command[1:]], capture_output=True, text=True,
                              timeout=UNOPKG_SECONDS, stdin=subprocess.DEVNULL, errors="replace")
    except subprocess.TimeoutExpired:
        raise LedgerError(f"unopkg {UNOPKG_SECONDS} 秒内没有完成{what}：请先退出 LibreOffice 后重试", 2) from None
    except OSError as exc:
        raise LedgerError(f"无法运行 unopkg：{os_reason(exc)}", 2) from None
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        if "as root" in output:
            raise LedgerError("unopkg 不允许以 root 身份为单个用户安装扩展：请用普通用户登录后再执行", 2, detail=output)
        raise LedgerError(f"unopkg 未能{what}（退出码 {done.returncode}）：请先退出 LibreOffice 后重试；"
                          "加 --debug 查看 unopkg 的输出", 2, detail=output)
    return output


def serve_argv(python: Path, folder: Path) -> list[str]:
    """The service on `folder` with its default discovery file (serve.json in the state folder)."""
    return [str(python), "-m", "workbook_tools", "serve", "--no-browser", str(folder)]


def install(folder: Path | None = None, python: Path | None = None, unopkg: Path | None = None,
            profile: Path | None = None, platform: str = sys.platform, env: Mapping[str, str] | None = None) -> Record:
    env = os.environ if env is None else env
    place = layout(platform, env)
    home = Path(env.get("USERPROFILE") or env.get("HOME") or Path.home())
    served = served_folder(folder, platform, env, home)
    command = unopkg_command(find_unopkg(unopkg, platform, env), profile)
    with tempfile.TemporaryDirectory(prefix="workbook-tools-lo-") as temp:
        oxt = build_oxt(Path(temp) / OXT_NAME).path
        os.chmod(temp, 0o755)      # unopkg may run as another user (a wrapper); it only reads the file
        run_unopkg(command, ["add", "--force", "--suppress-license", str(oxt)], "安装扩展")
    argv = serve_argv(Path(python or sys.executable), served)
    try:
        if place.launcher is not None:
            common.write_bytes(place.launcher, autostart.launcher(platform, argv, COMMENT))
        record = Record(version=VERSION, identifier=IDENTIFIER, unopkg=command, launcher=place.launcher,
                        folder=served, command=argv, installed_at=dt.datetime.now().replace(microsecond=0).isoformat())
        common.write_bytes(place.record, record.model_dump_json(indent=2).encode("utf-8"))
    except OSError as exc:
        raise LedgerError(f"安装 LibreOffice 扩展失败：{os_reason(exc)}", 2) from None
    return record


def read_record(place: Layout) -> Record | None:
    return common.read_record(place.record, Record)


def uninstall(platform: str = sys.platform, env: Mapping[str, str] | None = None) -> list[Path]:
    """unopkg remove, then the launcher and the record; what was deleted."""
    place = layout(platform, env)
    record = read_record(place)
    if record is None:
        raise LedgerError(f"没有找到 LibreOffice 扩展的安装记录（{place.record}）：本机没有用 ledger lo install 安装过，未作改动", 1)
    run_unopkg(record.unopkg, ["remove", record.identifier], "卸载扩展")
    removed = []
    try:
        for path in (record.launcher, place.record):
            if path is not None and path.exists():
                path.unlink()
                removed.append(path)
    except OSError as exc:
        raise LedgerError(f"卸载 LibreOffice 扩展失败：{os_reason(exc)}", 2) from None
    return removed


def describe(record: Record, platform: str = sys.platform) -> list[str]:
    lines = [f"已为当前用户安装 LibreOffice 扩展「正版化台账」{record.version}（{record.identifier}，unopkg add）",
             f"本机服务使用的台账文件夹：{record.folder}（换文件夹：ledger lo install --folder 文件夹）"]
    if record.launcher is not None:
        lines.append(f"登录时自动启动本机服务：{record.launcher}")
    lines += ["重新启动 LibreOffice Calc 并打开台账，出现「正版化台账」工具栏和菜单。本机服务尚未运行时，先运行：",
              "  " + command_line(record.command, platform)]
    return lines
