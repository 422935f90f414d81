"""The Calc extension's generated parts and `ledger lo build` (the .oxt).

The buttons come from the one action registry (`workbook_tools.tasks.registry`) that the Excel ribbon, the WPS add-in and the
page show: Addons.xcu puts one URL `vnd.workbooktools.ledger:<tag>` per button on a 「正版化台账」 toolbar
and menu of Calc, in the registry's groups and order (separators between groups), and registry.json
carries tags, labels, groups and descriptions to the code that runs in LibreOffice.  The generated files
are committed in lo/ and a test checks them against this module; after changing the registry run
``python -m workbook_tools.dist.lo.build``.
"""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from pydantic import BaseModel

from workbook_tools.core.model import LedgerError
from workbook_tools.dist import common
from workbook_tools.dist.lo import IDENTIFIER, OXT_NAME, PROTOCOL, VERSION
from workbook_tools.dist.wps.build import sources_dir as wps_sources
from workbook_tools.dist.wps.ribbon import registry
from workbook_tools.files.errors import os_reason
from workbook_tools.tasks.registry import REGISTRY, Entry, Group

TITLE = "正版化台账"
CALC = "com.sun.star.sheet.SpreadsheetDocument"
SEPARATOR = "private:separator"
HEADER = ("<!-- Generated from the action registry by `python -m workbook_tools.dist.lo.build`: "
          "edit the registry, not this file. -->")
SOURCES = ("META-INF/manifest.xml", "ProtocolHandler.xcu", "CalcWindowState.xcu", "ledger_dispatch.py", "pythonpath/workbook_tools_lo")
FIXED_TIME = (2020, 1, 1, 0, 0, 0)   # zip entries' time: the same sources give the same .oxt bytes


def url(action: Entry) -> str:
    return PROTOCOL + action.tag


def grouped() -> list[list[Entry]]:
    return [[a for a in REGISTRY.values() if a.group is g] for g in Group if any(a.group is g for a in REGISTRY.values())]


def _prop(name: str, value: str, kind: str = "xs:string") -> str:
    return f'<prop oor:name="{name}" oor:type="{kind}"><value>{escape(value)}</value></prop>'


def _item(node: str, action: Entry | None, indent: str) -> list[str]:
    """One menu or toolbar entry (a separator where `action` is None)."""
    props = [_prop("URL", SEPARATOR)] if action is None else [
        _prop("URL", url(action)), _prop("Title", action.label), _prop("Target", "_self"), _prop("Context", CALC)]
    return [f'{indent}<node oor:name="{node}" oor:op="replace">', *(f"{indent}  {p}" for p in props), f"{indent}</node>"]


def _entries(indent: str) -> list[str]:
    lines, n = [], 0
    for i, actions in enumerate(grouped()):
        if i:
            n += 1
            lines += _item(f"n{n:02d}", None, indent)
        for action in actions:
            n += 1
            lines += _item(f"n{n:02d}", action, indent)
    return lines


def _image(action: Entry, indent: str) -> list[str]:
    return [f'{indent}<node oor:name="{action.tag}" oor:op="replace">', f"{indent}  {_prop('URL', url(action))}",
            f'{indent}  <node oor:name="UserDefinedImages">',
            f"{indent}    {_prop('ImageSmallURL', f'%origin%/images/{action.image}.svg')}",
            f"{indent}    {_prop('ImageBigURL', f'%origin%/images/{action.image}.svg')}",
            f"{indent}  </node>", f"{indent}</node>"]


def addons_xcu() -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', HEADER,
             '<oor:component-data xmlns:oor="http://openoffice.org/2001/registry" '
             'xmlns:xs="http://www.w3.org/2001/XMLSchema" oor:name="Addons" oor:package="org.openoffice.Office">',
             '  <node oor:name="AddonUI">',
             '    <node oor:name="OfficeMenuBar">',
             f'      <node oor:name="{IDENTIFIER}.menu" oor:op="replace">',
             f"        {_prop('Title', TITLE)}", f"        {_prop('Target', '_self')}", f"        {_prop('Context', CALC)}",
             '        <node oor:name="Submenu">', *_entries("          "), "        </node>",
             "      </node>", "    </node>",
             '    <node oor:name="OfficeToolBar">',
             f'      <node oor:name="{IDENTIFIER}.toolbar" oor:op="replace">', *_entries("        "), "      </node>",
             "    </node>",
             '    <node oor:name="Images">']
    for action in REGISTRY.values():
        lines += _image(action, "      ")
    lines += ["    </node>", "  </node>", "</oor:component-data>"]
    return "\n".join(lines) + "\n"


def description_xml() -> str:
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>', HEADER,
        '<description xmlns="http://openoffice.org/extensions/description/2006"',
        '             xmlns:d="http://openoffice.org/extensions/description/2006"',
        '             xmlns:l="http://libreoffice.org/extensions/description/2011"',
        '             xmlns:xlink="http://www.w3.org/1999/xlink">',
        f"  <identifier value={quoteattr(IDENTIFIER)}/>",
        f"  <version value={quoteattr(VERSION)}/>",
        "  <dependencies>",
        '    <l:LibreOffice-minimal-version value="6.0" d:name="LibreOffice 6.0"/>',
        "  </dependencies>",
        "  <platform value=\"all\"/>",
        f'  <display-name><name lang="zh-CN">{TITLE}（workbook_tools）</name></display-name>',
        "</description>", ""])


def registry_json() -> str:
    return json.dumps(registry(), ensure_ascii=False, indent=2) + "\n"


GENERATED = {"Addons.xcu": addons_xcu, "description.xml": description_xml,
             "pythonpath/workbook_tools_lo/registry.json": registry_json}


def sources_dir() -> Path:
    """lo/: inside the installed package (workbook_tools/dist/lo/extension) or at the root of a source checkout."""
    return common.find_sources(__file__, "extension", "lo", SOURCES, "找不到 LibreOffice 扩展的源文件（lo/ledger_dispatch.py 等）："
                               "请从完整的 workbook_tools 安装包重新安装")


def icons_dir() -> Path:
    return wps_sources() / "images"


def write_generated(folder: Path) -> list[Path]:
    return common.write_generated(folder, GENERATED)


class BuildReport(BaseModel):
    path: Path
    files: int
    buttons: int


def members() -> dict[str, bytes]:
    """Name in the .oxt -> bytes: the sources of lo/, the generated parts, the buttons' icons."""
    source = sources_dir()
    files: dict[str, bytes] = {}
    for name in SOURCES:
        path = source / name
        for file in sorted(path.rglob("*") if path.is_dir() else [path]):
            if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".pyc":
                files[file.relative_to(source).as_posix()] = file.read_bytes()
    for name, make in GENERATED.items():
        files[name] = make().encode("utf-8")
    for action in REGISTRY.values():
        files[f"images/{action.image}.svg"] = (icons_dir() / f"{action.image}.svg").read_bytes()
    return files


def build_oxt(target: Path, force: bool = False) -> BuildReport:
    """The extension at `target` (written beside it and renamed into place, so a half file is never left)."""
    target = Path(os.path.abspath(target))
    if target.is_dir():
        target = target / OXT_NAME
    if target.exists() and not force:
        raise LedgerError(f"{target} 已存在：加 --force 覆盖以前生成的扩展", 2)
    if target.suffix.lower() != ".oxt":
        raise LedgerError(f"扩展文件名应以 .oxt 结尾：{target.name}", 2)
    files = members()
    staging = target.with_name(f".{target.name}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(staging, "w", zipfile.ZIP_DEFLATED) as oxt:
            for name in sorted(files, key=lambda n: (n != "META-INF/manifest.xml", n)):
                oxt.writestr(zipfile.ZipInfo(name, FIXED_TIME), files[name], zipfile.ZIP_DEFLATED)
        os.replace(staging, target)
    except OSError as exc:
        staging.unlink(missing_ok=True)
        raise LedgerError(f"无法生成扩展 {target}：{os_reason(exc)}", 2) from None
    return BuildReport(path=target, files=len(files), buttons=len(REGISTRY))


if __name__ == "__main__":
    for path in write_generated(sources_dir()):
        print(path)
