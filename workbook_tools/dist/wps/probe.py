"""What this PC's WPS is, and which add-in lists it reads (`ledger wps doctor`, and the choices of install).

Looked at, never changed here (paths from the environment, so tests build a fake WPS in a temp home):

* the WPS installation: `office6` under `%LOCALAPPDATA%`/`%ProgramFiles(x86)%`/`%ProgramFiles%`
  `\\Kingsoft\\WPS Office\\<version>\\` on Windows, `/opt/kingsoft/wps-office/office6` on Linux; the version is
  the `<version>` folder, or `[Setup] BUILD_VERSION` of `office6/cfgs/oem.ini`;
* `oem.ini`: `[Support] JsApiPlugin` (JS add-ins switched on or off by the unit's IT) and `JSPluginsServer`
  (the managed add-in list of 政务版/企业版 builds: a local file or an http URL);
* the user's `jsaddons` folder: `publish.xml`, `jsplugins.xml`, `jsaddinblockhost.ini` (written by WPS 12.1
  personal builds that block third-party add-ins), `authaddin.json` (WPS's trust record per application);
* `%APPDATA%\\kingsoft\\wps\\addons\\listV3` + `pool` (the add-in store of current Windows builds, which
  does not load add-ins copied into it).
"""
from __future__ import annotations

import configparser
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlparse

from pydantic import BaseModel

from workbook_tools.dist.wps import ADDIN_NAME

VERSION = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
PERSONAL_LIST_CUTOFF = (12, 1, 0, 16910)   # personal builds from here ignore oem.ini/jsplugins.xml (public reports)
LINUX_ROOTS = ("opt/kingsoft/wps-office/office6", "opt/apps/cn.wps.wps-office-pro/files/kingsoft/wps-office/office6")


class Found(BaseModel):
    """What `probe` saw."""

    platform: str
    office6: Path | None = None          # the installation's office6 folder
    version: str | None = None
    oem_ini: Path | None = None
    jsapi: bool | None = None            # [Support] JsApiPlugin (None: not said)
    plugins_server: str | None = None    # JSPluginsServer, as written
    jsaddons: Path
    lists: list[str] = []                # list files present in jsaddons
    blockhost: Path | None = None        # jsaddinblockhost.ini
    blocked_text: str = ""
    listv3: Path | None = None           # addons/listV3 (current Windows builds)
    trust: dict | None = None            # our entry of authaddin.json

    @property
    def managed_list(self) -> Path | None:
        """The local file JSPluginsServer names (None when it names an http URL or nothing)."""
        text = (self.plugins_server or "").strip()
        if not text or re.match(r"^https?://", text, re.I):
            return None
        if text.lower().startswith("file:"):
            parsed = urlparse(text)
            text = unquote(parsed.path)
            if re.match(r"^/[A-Za-z]:", text):
                text = text[1:]
        return Path(text)

    @property
    def remote_list(self) -> bool:
        return bool(re.match(r"^https?://", (self.plugins_server or "").strip(), re.I))

    def version_tuple(self) -> tuple[int, ...] | None:
        return tuple(int(p) for p in self.version.split(".")) if self.version and VERSION.match(self.version) else None

    def blocked_reason(self) -> str | None:
        """Why the add-in's buttons cannot appear on this PC (None: they can, as far as can be seen)."""
        if self.platform == "darwin":
            return "macOS 版 WPS 不支持本加载项"
        if self.jsapi is False:
            return f"单位的 WPS 配置关闭了 JS 加载项（{self.oem_ini} 中 JsApiPlugin=false）"
        if self.blockhost is not None:
            return f"本机 WPS 阻止了第三方加载项（WPS 写入了 {self.blockhost}）"
        if self.remote_list:
            return f"单位的 WPS 只从信息化部门的加载项列表 {self.plugins_server} 读取加载项，本加载项须由他们登记"
        if self.managed_list is not None and not _writable(self.managed_list):
            return f"单位的 WPS 只从加载项列表 {self.managed_list} 读取加载项，本用户无权写入，须由信息化部门登记"
        return None


def _writable(path: Path) -> bool:
    if path.exists():
        return os.access(path, os.W_OK)
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    return os.access(parent, os.W_OK)


def jsaddons_dir(platform: str, env: Mapping[str, str]) -> Path:
    if platform == "win32":
        return Path(env.get("APPDATA", "")) / "kingsoft" / "wps" / "jsaddons"
    home = Path(env.get("HOME") or Path.home())
    return home / ".local" / "share" / "Kingsoft" / "wps" / "jsaddons"


def installations(platform: str, env: Mapping[str, str], root: Path = Path("/")) -> list[Path]:
    """office6 folders of the WPS installations found (newest version first on Windows)."""
    if platform == "win32":
        found = []
        for var in ("LOCALAPPDATA", "ProgramFiles(x86)", "ProgramFiles"):
            if not env.get(var):
                continue
            for brand in (Path(env[var]) / "Kingsoft" / "WPS Office", Path(env[var]) / "WPS Office"):
                if brand.is_dir():
                    found += [d / "office6" for d in brand.iterdir() if VERSION.match(d.name) and (d / "office6").is_dir()]
        return sorted(found, key=lambda p: tuple(int(x) for x in p.parent.name.split(".")), reverse=True)
    return [root / r for r in LINUX_ROOTS if (root / r).is_dir()]


def _ini(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";", "##"))
    # keeping the keys' case as configparser's documentation shows; typeshed declares optionxform a method
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    for encoding in ("utf-8-sig", "gbk", "latin-1"):
        try:
            parser.read_string(path.read_text(encoding=encoding))
            return parser
        except (UnicodeDecodeError, configparser.Error):
            parser = configparser.ConfigParser(strict=False, interpolation=None)
            parser.optionxform = str  # type: ignore[assignment, method-assign]
        except OSError:
            break
    return parser


def _value(parser: configparser.ConfigParser, key: str) -> str | None:
    """A key of oem.ini in whichever section it stands ([Server] in the public examples, [Support] or [wps] too)."""
    for section in parser.sections():
        for name, value in parser.items(section):
            if name.strip().lower() == key.lower():
                return value.strip()
    return None


def probe(platform: str, env: Mapping[str, str], root: Path = Path("/")) -> Found:
    jsaddons = jsaddons_dir(platform, env)
    found = Found(platform=platform, jsaddons=jsaddons)
    if platform == "darwin":
        return found
    places = installations(platform, env, root)
    if places:
        found.office6 = places[0]
        if VERSION.match(places[0].parent.name):
            found.version = places[0].parent.name
        oem = places[0] / "cfgs" / "oem.ini"
        if oem.is_file():
            parser = _ini(oem)
            found.oem_ini = oem
            found.version = found.version or _value(parser, "BUILD_VERSION")
            switch = _value(parser, "JsApiPlugin")
            found.jsapi = None if switch is None else switch.lower() in ("true", "1", "yes")
            found.plugins_server = _value(parser, "JSPluginsServer") or None
    found.lists = [n for n in ("publish.xml", "jsplugins.xml") if (jsaddons / n).is_file()]
    block = jsaddons / "jsaddinblockhost.ini"
    if block.is_file():
        found.blockhost = block
        found.blocked_text = block.read_text(encoding="utf-8", errors="replace")[:500]
    if platform == "win32":
        listv3 = Path(env.get("APPDATA", "")) / "kingsoft" / "wps" / "addons" / "listV3"
        found.listv3 = listv3 if listv3.is_dir() else None
    auth = jsaddons / "authaddin.json"
    if auth.is_file():
        try:
            data = json.loads(auth.read_text(encoding="utf-8"))
            found.trust = data.get(ADDIN_NAME) if isinstance(data, dict) else None
        except (OSError, ValueError):
            found.trust = None
    return found


def targets(found: Found) -> list[Path]:
    """The add-in lists install writes our entry into, for this WPS."""
    out = [found.jsaddons / "publish.xml", found.jsaddons / "jsplugins.xml"]
    managed = found.managed_list
    if managed is not None and _writable(managed) and managed not in out:
        out.append(managed)
    return out


def describe(found: Found) -> list[str]:
    """What was found, in Chinese lines (`ledger wps doctor`)."""
    lines = []
    if found.office6 is None:
        lines.append("WPS 安装位置：未找到（本机可能没有安装 WPS，或装在非默认位置）")
    else:
        lines.append(f"WPS 安装位置：{found.office6}" + (f"（版本 {found.version}）" if found.version else "（版本未知）"))
    if found.oem_ini:
        switch = {True: "开启", False: "关闭", None: "未设置"}[found.jsapi]
        lines.append(f"单位配置 oem.ini：{found.oem_ini}；JS 加载项 JsApiPlugin：{switch}；"
                     f"加载项列表 JSPluginsServer：{found.plugins_server or '未设置'}")
    lines.append(f"用户的加载项文件夹：{found.jsaddons}（已有列表：{'、'.join(found.lists) or '无'}）")
    if found.listv3:
        lines.append(f"插件池：{found.listv3}（当前 Windows 版 WPS 的内置插件列表；第三方加载项用 publish.xml 在线登记）")
    version = found.version_tuple()
    if version and version >= PERSONAL_LIST_CUTOFF and not found.plugins_server:
        lines.append("该版本（12.1.0.16910 及以后的个人版）不再读取 jsplugins.xml，加载项以 publish.xml 登记")
    if found.trust is not None:
        lines.append(f"WPS 的信任记录 authaddin.json 中本加载项：{json.dumps(found.trust, ensure_ascii=False)}")
    reason = found.blocked_reason()
    lines.append(f"结论：按钮不会出现——{reason}" if reason else "结论：没有发现阻止加载项的设置")
    return lines
