"""`ledger wps install | uninstall`: the add-in for the current user, its list entries and the service at login.

install (no WPS needs to run, no administrator rights):

1. the add-in folder `<jsaddons>/workbook-tools_<version>/` (built anew, an older version's folder removed);
2. our entry in `<jsaddons>/jsplugins.xml` and `<jsaddons>/publish.xml` (created, or merged keeping the
   other add-ins' entries);
3. the login launcher of `ledger serve --no-browser --info-file <add-in>/serve-info.js <folder>`
   (Windows Startup folder .vbs, Linux ~/.config/autostart .desktop); the service writes the add-in's
   token file there at each start, readable by the user only;
4. the record of what it did, `<state>/wps-install.json`, which uninstall reads to undo exactly that.

Paths come from the environment (APPDATA/LOCALAPPDATA on Windows; HOME, XDG_CONFIG_HOME, XDG_STATE_HOME
elsewhere), so tests install into a temporary home.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from workbook_tools.files.errors import os_reason
from workbook_tools.core.model import LedgerError
from workbook_tools.dist.wps import ADDIN_FOLDER, ADDIN_NAME, ADDIN_VERSION, INFO_FILE, autostart, plugins
from workbook_tools.dist.wps.build import build_addin, is_addin

RECORD = "wps-install.json"
STARTUP = ("Microsoft", "Windows", "Start Menu", "Programs", "Startup")


class Layout(BaseModel):
    """Where the pieces go for the current user on one platform."""

    platform: str
    jsaddons: Path
    autostart: Path       # the folder of the login launcher
    state: Path           # the folder of the install record (beside the service's default serve.json)

    @property
    def addin(self) -> Path:
        return self.jsaddons / ADDIN_FOLDER

    @property
    def launcher(self) -> Path:
        return self.autostart / autostart.launcher_name(self.platform)

    @property
    def record(self) -> Path:
        return self.state / RECORD


class Record(BaseModel):
    """What install did (wps-install.json)."""

    version: str
    addin: Path
    lists: dict[str, bool]            # list file -> created by install (so uninstall deletes it when left empty)
    launcher: Path
    folder: Path
    command: list[str]
    installed_at: str


def _env_dir(env: Mapping[str, str], name: str) -> Path:
    value = env.get(name, "")
    if not value:
        raise LedgerError(f"环境变量 {name} 为空，找不到 WPS 加载项文件夹：请用普通 Windows 用户登录后再安装", 2)
    return Path(value)


def layout(platform: str = sys.platform, env: Mapping[str, str] | None = None, home: Path | None = None) -> Layout:
    env = os.environ if env is None else env
    if platform == "win32":
        appdata = _env_dir(env, "APPDATA")
        local = Path(env["LOCALAPPDATA"]) if env.get("LOCALAPPDATA") else appdata.parent / "Local"
        return Layout(platform=platform, jsaddons=appdata / "kingsoft" / "wps" / "jsaddons",
                      autostart=appdata.joinpath(*STARTUP), state=local / "workbook_tools")
    if platform == "darwin":
        raise LedgerError("ledger wps install 支持 Windows 和 Linux（麒麟、统信等）上的 WPS；macOS 请使用网页（ledger serve）", 2)
    home = Path(env.get("HOME") or home or Path.home())
    config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    state = Path(env.get("XDG_STATE_HOME") or home / ".local" / "state")
    return Layout(platform=platform, jsaddons=home / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons",
                  autostart=config / "autostart", state=state / "workbook_tools")


def documents(home: Path, platform: str, env: Mapping[str, str]) -> Path:
    """The user's documents folder (Windows: %USERPROFILE%\\Documents; Linux: XDG_DOCUMENTS_DIR, 文档 or Documents)."""
    if platform == "win32":
        return Path(env.get("USERPROFILE") or home) / "Documents"
    dirs = Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "user-dirs.dirs"
    if dirs.is_file():
        for line in dirs.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("XDG_DOCUMENTS_DIR="):
                return Path(line.split("=", 1)[1].strip().strip('"').replace("$HOME", str(home)))
    return next((home / n for n in ("文档", "Documents") if (home / n).is_dir()), home / "Documents")


def served_folder(folder: Path | None, platform: str, env: Mapping[str, str], home: Path) -> Path:
    """The folder the service opens: --folder, else the current folder (the documents folder when that is home)."""
    chosen = folder or Path.cwd()
    if folder is None and Path(os.path.realpath(chosen)) in (Path(os.path.realpath(home)), Path(chosen.anchor)):
        chosen = documents(home, platform, env)
    chosen = Path(os.path.realpath(os.path.abspath(chosen)))
    if not chosen.is_dir():
        raise LedgerError(f"文件夹 {chosen} 不存在：请用 --folder 指定存放台账的文件夹", 2)
    return chosen


def read_record(place: Layout) -> Record | None:
    try:
        return Record.model_validate_json(place.record.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise LedgerError(f"安装记录 {place.record} 无法读取：请删除它后重新执行", 2) from None


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)


def _put_addin(place: Layout, previous: Record | None) -> None:
    """The add-in folder built anew; the token file of a service already running is kept (mode and all)."""
    running = place.addin / INFO_FILE
    kept = running.read_bytes() if running.is_file() else None
    if previous is not None and previous.addin != place.addin and is_addin(previous.addin):
        shutil.rmtree(previous.addin)          # the older version's folder, replaced by this one
    build_addin(place.addin, force=True)
    if kept is not None:
        fd = os.open(running, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(kept)


def install(folder: Path | None = None, python: Path | None = None, origins: tuple[str, ...] = (),
            platform: str = sys.platform, env: Mapping[str, str] | None = None) -> Record:
    env = os.environ if env is None else env
    place = layout(platform, env)
    home = Path(env.get("USERPROFILE") or env.get("HOME") or Path.home())
    served = served_folder(folder, platform, env, home)
    previous = read_record(place)
    try:
        _put_addin(place, previous)
        url = place.addin.as_uri() + "/"
        lists = {name: plugins.add(place.jsaddons / name, plugins.entry(name, url)) for name in plugins.LISTS}
        if previous is not None:   # created by the first install: still ours to delete at uninstall
            lists = {name: created or previous.lists.get(name, False) for name, created in lists.items()}
        argv = autostart.serve_argv(Path(python or sys.executable), served, place.addin / INFO_FILE, origins)
        _write_bytes(place.launcher, autostart.launcher(platform, argv))
        record = Record(version=ADDIN_VERSION, addin=place.addin, lists=lists,
                        launcher=place.launcher, folder=served, command=argv,
                        installed_at=dt.datetime.now().replace(microsecond=0).isoformat())
        _write_bytes(place.record, record.model_dump_json(indent=2).encode("utf-8"))
    except OSError as exc:
        raise LedgerError(f"安装 WPS 加载项失败：{os_reason(exc)}", 2) from None
    return record


class Removed(BaseModel):
    removed: list[Path]
    kept: list[Path]          # lists that hold other add-ins' entries: only our entry was taken out


def uninstall(platform: str = sys.platform, env: Mapping[str, str] | None = None) -> Removed:
    place = layout(platform, env)
    record = read_record(place)
    if record is None:
        raise LedgerError(f"没有找到 WPS 加载项的安装记录（{place.record}）：本机没有用 ledger wps install 安装过，未作改动", 1)
    removed: list[Path] = []
    kept: list[Path] = []
    try:
        if is_addin(record.addin):
            shutil.rmtree(record.addin)
            removed.append(record.addin)
        for name, created in record.lists.items():
            path = place.jsaddons / name
            if plugins.remove(path, delete_if_empty=created):
                (kept if path.exists() else removed).append(path)
        for path in (record.launcher, place.record):
            if path.exists():
                path.unlink()
                removed.append(path)
    except OSError as exc:
        raise LedgerError(f"卸载 WPS 加载项失败：{os_reason(exc)}", 2) from None
    return Removed(removed=removed, kept=kept)


def command_line(argv: list[str], platform: str = sys.platform) -> str:
    import shlex
    import subprocess

    return subprocess.list2cmdline(argv) if platform == "win32" else shlex.join(argv)


def describe(record: Record, platform: str = sys.platform) -> list[str]:
    return [f"已安装 WPS 加载项「正版化台账」{record.version}：{record.addin}",
             f"已登记在 {'、'.join(str(record.addin.parent / n) for n in record.lists)}（名称 {ADDIN_NAME}）",
             f"登录时自动启动本机服务：{record.launcher}",
             f"本机服务使用的台账文件夹：{record.folder}（换文件夹：ledger wps install --folder 文件夹）",
             "请重新登录（或立即运行下面的命令）后启动 WPS 表格，功能区会出现「正版化台账」选项卡：",
             "  " + command_line(record.command, platform)]
