"""`ledger wps install | uninstall | doctor | open`: the add-in for the current user, and the service at login.

install (no WPS needs to run, no administrator rights):

1. the add-in's key `<state>/wps-key` (random, readable by the user only; kept across installs) and a fixed
   port for the service (a free one, kept across installs);
2. our entry — an online add-in whose url is the add-in served by the service, http://127.0.0.1:PORT/wps/KEY/
   — in every list this WPS may read: `<jsaddons>/publish.xml`, `<jsaddons>/jsplugins.xml`, and the local
   list oem.ini's JSPluginsServer names when the user may write it (created, or merged keeping the other
   add-ins' entries); an add-in folder a previous version copied into jsaddons is removed;
3. the login launcher of `ledger serve --no-browser --port PORT --wps-key-file <state>/wps-key <folder>`
   (Windows Startup folder .vbs, Linux ~/.config/autostart .desktop);
4. the record of what it did, `<state>/wps-install.json`, which uninstall reads to undo exactly that.

When this WPS cannot show the buttons (`probe.Found.blocked_reason`), install says so in one Chinese line and
the browser page is the way in (`ledger wps open`).  Paths come from the environment (APPDATA/LOCALAPPDATA,
ProgramFiles on Windows; HOME, XDG_CONFIG_HOME, XDG_STATE_HOME elsewhere), so tests install into a fake home.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import webbrowser
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel

from workbook_tools.core.model import LedgerError
from workbook_tools.dist import common
from workbook_tools.dist.wps import ADDIN_NAME, ADDIN_VERSION, KEY_FILE, KEY_FORM, autostart, plugins, probe
from workbook_tools.dist.wps.build import is_addin
from workbook_tools.files.errors import os_reason

RECORD = "wps-install.json"
STARTUP = ("Microsoft", "Windows", "Start Menu", "Programs", "Startup")


class Layout(BaseModel):
    """Where the pieces go for the current user on one platform."""

    platform: str
    jsaddons: Path
    autostart: Path       # the folder of the login launcher
    state: Path           # the folder of the install record and key (beside the service's default serve.json)

    @property
    def launcher(self) -> Path:
        return self.autostart / autostart.launcher_name(self.platform)

    @property
    def record(self) -> Path:
        return self.state / RECORD

    @property
    def key_file(self) -> Path:
        return self.state / KEY_FILE


class Record(BaseModel):
    """What install did (wps-install.json)."""

    version: str
    port: int = 0
    url: str = ""                     # the add-in's url in the lists (holds the key: the record is the user's only)
    addin: Path | None = None         # an add-in folder copied into jsaddons (versions before the online add-in)
    lists: dict[str, bool]            # list file -> created by install (so uninstall deletes it when left empty)
    launcher: Path
    folder: Path
    command: list[str]
    installed_at: str
    blocked: str | None = None        # why the buttons cannot appear on this PC, as install found it


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
    return common.read_record(place.record, Record)


def key(place: Layout) -> str:
    """The add-in's key: the one of an earlier install (the lists keep naming it), else a new random one."""
    try:
        text = place.key_file.read_text(encoding="utf-8").strip()
        if KEY_FORM.fullmatch(text):
            return text
    except OSError:
        pass
    text = secrets.token_urlsafe(32)
    common.write_bytes(place.key_file, text.encode("ascii"), private=True)
    return text


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def addin_url(port: int, key_text: str) -> str:
    return f"http://127.0.0.1:{port}/wps/{key_text}/"


def _list_path(place: Layout, name: str) -> Path:
    path = Path(name)
    return path if path.is_absolute() else place.jsaddons / name


def install(folder: Path | None = None, python: Path | None = None, origins: tuple[str, ...] = (),
            platform: str = sys.platform, env: Mapping[str, str] | None = None, port: int | None = None,
            root: Path = Path("/")) -> Record:
    env = os.environ if env is None else env
    place = layout(platform, env)
    home = Path(env.get("USERPROFILE") or env.get("HOME") or Path.home())
    served = served_folder(folder, platform, env, home)
    previous = read_record(place)
    found = probe.probe(platform, env, root)
    try:
        key_text = key(place)
        chosen = port or (previous.port if previous and previous.port else free_port())
        url = addin_url(chosen, key_text)
        if previous is not None and previous.addin is not None and is_addin(previous.addin):
            shutil.rmtree(previous.addin)     # the add-in folder of an older (offline) version
        lists: dict[str, bool] = {}
        for path in probe.targets(found):
            lists[str(path)] = plugins.add(path, plugins.entry(path.name if path.parent == place.jsaddons
                                                                else "jsplugins.xml", url))
        if previous is not None:   # created by the first install: still ours to delete at uninstall
            for name, created in previous.lists.items():
                full = str(_list_path(place, name))
                if full in lists:
                    lists[full] = lists[full] or created
        argv = autostart.serve_argv(Path(python or sys.executable), served, chosen, place.key_file, origins)
        common.write_bytes(place.launcher, autostart.launcher(platform, argv))
        record = Record(version=ADDIN_VERSION, port=chosen, url=url, lists=lists, launcher=place.launcher,
                        folder=served, command=argv, blocked=found.blocked_reason(),
                        installed_at=dt.datetime.now().replace(microsecond=0).isoformat())
        common.write_bytes(place.record, record.model_dump_json(indent=2).encode("utf-8"), private=True)
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
        if record.addin is not None and is_addin(record.addin):
            shutil.rmtree(record.addin)
            removed.append(record.addin)
        for name, created in record.lists.items():
            path = _list_path(place, name)
            if plugins.remove(path, delete_if_empty=created):
                (kept if path.exists() else removed).append(path)
        for path in (record.launcher, place.key_file, place.record):
            if path.exists():
                path.unlink()
                removed.append(path)
    except OSError as exc:
        raise LedgerError(f"卸载 WPS 加载项失败：{os_reason(exc)}", 2) from None
    return Removed(removed=removed, kept=kept)


def command_line(argv: list[str], platform: str = sys.platform) -> str:
    return subprocess.list2cmdline(argv) if platform == "win32" else shlex.join(argv)


def describe(record: Record, platform: str = sys.platform) -> list[str]:
    lines = [f"已安装 WPS 加载项「正版化台账」{record.version}（在线加载项，由本机服务提供）：{record.url.rsplit('/', 2)[0]}/…",
             f"已登记在 {'、'.join(record.lists)}（名称 {ADDIN_NAME}）",
             f"登录时自动启动本机服务（端口 {record.port}）：{record.launcher}",
             f"本机服务使用的台账文件夹：{record.folder}（换文件夹：ledger wps install --folder 文件夹）"]
    if record.blocked:
        lines.append(f"注意：本机 WPS 的按钮不会出现——{record.blocked}；请改用浏览器中的台账网页（ledger wps open）。")
    else:
        lines.append("请重新登录（或立即运行下面的命令）后启动 WPS 表格，功能区会出现「正版化台账」选项卡"
                     "（首次出现信任提示时选信任，然后重启 WPS 表格）：")
    lines.append("  " + command_line(record.command, platform))
    return lines


def service_up(record: Record, timeout: float = 1.0) -> bool:
    """Whether the service started for the add-in answers with the add-in (its port and key)."""
    try:
        with urllib.request.urlopen(record.url + "manifest.xml", timeout=timeout) as answer:
            return answer.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


def start_service(record: Record, wait: float = 30.0) -> bool:
    """The login launcher's command, started now in the background (detached); True once it answers."""
    flags = {"creationflags": 0x00000008 | 0x00000200} if sys.platform == "win32" else {"start_new_session": True}
    subprocess.Popen(record.command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     **flags)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if service_up(record, 0.5):
            return True
        time.sleep(0.2)
    return False


def open_page(platform: str = sys.platform, env: Mapping[str, str] | None = None, opener=None) -> str:
    """The page of the service in the browser (the way in when the WPS buttons cannot appear)."""
    place = layout(platform, env)
    record = read_record(place)
    if record is None or not record.url:
        raise LedgerError("本机没有用 ledger wps install 安装过加载项：请先安装，或直接运行 ledger serve 台账文件夹", 1)
    if not service_up(record) and not start_service(record):
        raise LedgerError(f"本机服务没有启动起来（端口 {record.port} 可能被占用）：请运行 ledger wps doctor 查看", 2)
    url = record.url + "open"
    (opener or webbrowser.open)(url)
    return url


def doctor(platform: str = sys.platform, env: Mapping[str, str] | None = None, root: Path = Path("/")) -> list[str]:
    """What `ledger wps doctor` prints: this PC's WPS, the install, the service."""
    env = os.environ if env is None else env
    found = probe.probe(platform, env, root)
    lines = probe.describe(found)
    place = layout(platform, env)
    record = read_record(place)
    if record is None:
        lines.append("本加载项：未安装（ledger wps install）")
        return lines
    lines.append(f"本加载项：{record.version}，登记在 {'、'.join(record.lists)}，服务端口 {record.port}")
    for name in record.lists:
        path = _list_path(place, name)
        entries = plugins.entries(path) if path.is_file() else []
        if not any(e.get("name") == ADDIN_NAME for e in entries):
            lines.append(f"登记缺失：{path} 中没有本加载项（WPS 或他人改过该文件）：请重新执行 ledger wps install")
    up = service_up(record)
    lines.append(f"本机服务：{'正在运行' if up else '未运行'}（http://127.0.0.1:{record.port}/）"
                 + ("" if up else "；重新登录，或运行 ledger wps open 立即启动并打开网页"))
    return lines
