"""Building and installing the ribbon add-in `ledger.xlam` from text sources.

The add-in is xlwings' own BSD-licensed ribbon template (`quickstart_addin_ribbon.xlam`
of the installed xlwings, so its VBA matches the Python side) with:

* the template's ribbon replaced by macros/customUI14.xml (Office 2010+ ribbon part),
* its callback module `RibbonMyAddin` replaced by macros/LedgerRibbon.bas,
* the xlwings module's PROJECT_NAME set to `ledger`, so the add-in reads its
  settings from ~/.ledger/ledger.conf (Windows) and not from another add-in's file,
* the template's settings sheet `_myaddin.conf` made the add-in's own active
  `ledger.conf` sheet holding one setting, ADD_WORKBOOK_TO_PYTHONPATH=False: the
  xlwings VBA would otherwise put the ledger's folder before the standard library
  on sys.path, and a `typing.py` or `openpyxl.py` there would hijack every button,
* the VBA project renamed from the template's `MyAddin` to `LedgerAddin`, and its
  unused Microsoft Forms reference removed.

VBA modules are edited with pyopenvba (pure Python); the package parts are
rewritten with zipfile.  openpyxl is never used here: it drops the ribbon
relationship of macro files on save.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import defusedxml.ElementTree as SafeET
from pydantic import BaseModel

from workbook_tools.core.model import LedgerError
from workbook_tools.dist import common
from workbook_tools.files.errors import os_reason
from workbook_tools.files.outputs import Output, check_output

PROJECT_NAME = "ledger"
ADDIN_NAME = f"{PROJECT_NAME}.xlam"
RIBBON_MODULE = "LedgerRibbon"
RIBBON_PART = "customUI/customUI14.xml"
# Office 2010+ ribbon part; the 2006 type is the Office 2007 customUI.xml part.
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_RELS = {RIBBON_REL, "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"}
PKG_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CUSTOMUI_NS = "http://schemas.microsoft.com/office/2009/07/customui"

TEMPLATE_NAME = "quickstart_addin_ribbon.xlam"
TEMPLATE_MODULE = "RibbonMyAddin"
TEMPLATE_PROJECT_LINE = 'Public Const PROJECT_NAME As String = "myaddin"'
TEMPLATE_CONF_SHEET = 'name="_myaddin.conf"'
CONF_SHEET_PART = "xl/worksheets/sheet1.xml"
TEMPLATE_PROJECT_ID, PROJECT_ID = "MyAddin", "LedgerAddin"   # the VBA project's own name
PROJECTNAME_RECORD = 0x0004                                  # [MS-OVBA] 2.3.4.2.1.6
ADDIN_SETTINGS = (("ADD_WORKBOOK_TO_PYTHONPATH", "False"),)   # read by the xlwings VBA before the user's file
XLWINGS_VERIFIED = ((0, 33), (0, 38))  # template layout checked for 0.33.0 and 0.37.8

SOURCE_FILES = ("customUI14.xml", f"{RIBBON_MODULE}.bas", f"{PROJECT_NAME}.conf")


class BuildReport(BaseModel):
    path: Path
    xlwings_version: str
    modules: list[str]
    buttons: int


def sources_dir() -> Path:
    """macros/: inside the installed package (wheel) or at the root of a source checkout."""
    return common.find_sources(__file__, "macros", "macros", SOURCE_FILES,
                               "找不到加载项源文件（macros/customUI14.xml 等）：请从完整的 workbook_tools 安装包重新安装")


def read_source(name: str) -> str:
    return (sources_dir() / name).read_text(encoding="utf-8")


def vba_source() -> str:
    """LedgerRibbon.bas with CRLF line ends, as the VBA editor stores it; refuses non-ASCII text."""
    text = read_source(f"{RIBBON_MODULE}.bas")
    if not text.isascii():
        raise LedgerError(f"{RIBBON_MODULE}.bas 含非 ASCII 字符：VBA 工程使用代码页 1252，中文请放在功能区 XML 或 Python 中")
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def ribbon_source() -> bytes:
    data = read_source("customUI14.xml").encode("utf-8")
    try:
        root = SafeET.fromstring(data)
    except SafeET.ParseError as exc:
        raise LedgerError("customUI14.xml 不是有效的 XML", detail=str(exc)) from None
    if root.tag != f"{{{CUSTOMUI_NS}}}customUI":
        raise LedgerError(f"customUI14.xml 的根元素应为 {CUSTOMUI_NS} 命名空间的 customUI")
    return data


def xlwings_template() -> tuple[Path, str]:
    """The ribbon add-in template shipped with the installed xlwings, and its version."""
    try:
        import xlwings  # noqa: PLC0415
    except ImportError:
        raise LedgerError("没有安装 xlwings：请运行 pip install workbook_tools 重新安装依赖") from None
    version = xlwings.__version__
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    low, high = XLWINGS_VERIFIED
    if not low <= parts < high:
        raise LedgerError(f"xlwings {version} 未经验证（支持 {low[0]}.{low[1]} 至 {high[0]}.{high[1]} 以下）："
                          "请安装 pyproject.toml 中指定的版本")
    template = Path(xlwings.__file__).parent / TEMPLATE_NAME
    if not template.is_file():
        raise LedgerError(f"xlwings {version} 中没有加载项模板 {TEMPLATE_NAME}")
    return template, version


def _edit_vba(template: Path, staged: Path) -> list[str]:
    """Copy of the template with our callback module and project name; returns the module names."""
    from pyopenvba import ExcelFile  # noqa: PLC0415
    from pyopenvba.exceptions import PyOpenVBAError  # noqa: PLC0415

    work = staged.with_name("template.xlam")
    shutil.copyfile(template, work)
    try:
        with ExcelFile(str(work)) as book:
            names = book.module_names()
            if TEMPLATE_MODULE not in names or "xlwings" not in names:
                raise LedgerError(f"xlwings 模板的 VBA 模块与预期不同（{', '.join(names)}）")
            main = book.get_module("xlwings")
            if main.count(TEMPLATE_PROJECT_LINE) != 1:
                raise LedgerError("xlwings 模板中找不到 PROJECT_NAME 常量，无法改名为 ledger")
            book.set_module("xlwings", main.replace(TEMPLATE_PROJECT_LINE, TEMPLATE_PROJECT_LINE.replace(
                '"myaddin"', f'"{PROJECT_NAME}"')))
            project = book.vba_project()
            book.remove_reference("MSForms")
            _rename_project(project)
            project.delete_module(TEMPLATE_MODULE)
            project.add_module(RIBBON_MODULE, vba_source())
            with _project_stream_named(PROJECT_ID):
                book.save(str(staged))
    except PyOpenVBAError as exc:
        raise LedgerError("无法修改加载项的 VBA 工程（模板文件不完整或版本不受支持）", detail=str(exc)) from None
    with ExcelFile(str(staged)) as book:
        problems = book.validate()
        if problems:
            raise LedgerError(f"生成的 VBA 工程不一致：{'；'.join(problems)}")
        return book.module_names()


def _rename_project(project: Any) -> None:
    """Rename the project in the dir stream (the PROJECTNAME record before the module records)."""
    raw, offset, at = project.dir_raw, project.dir_modules_offset, 0
    while at + 6 <= offset:
        record, size = struct.unpack_from("<HI", raw, at)
        if record == PROJECTNAME_RECORD:
            if raw[at + 6:at + 6 + size] != TEMPLATE_PROJECT_ID.encode("ascii"):
                raise LedgerError(f"xlwings 模板的 VBA 工程名不是 {TEMPLATE_PROJECT_ID}")
            name = PROJECT_ID.encode("ascii")
            project.dir_raw = raw[:at] + struct.pack("<HI", record, len(name)) + name + raw[at + 6 + size:]
            project.dir_modules_offset = offset + len(name) - size
            project.name = PROJECT_ID
            return
        at += 6 + size
    raise LedgerError("xlwings 模板的 VBA 工程中找不到工程名记录")


@contextlib.contextmanager
def _project_stream_named(name: str) -> Iterator[None]:
    """While saving, write `Name="<name>"` into the PROJECT stream (pyopenvba keeps that line as read)."""
    from pyopenvba import _host  # noqa: PLC0415

    original = _host.serialize_project_stream
    old_line = f'Name="{TEMPLATE_PROJECT_ID}"'.encode("ascii")

    def renamed(raw: bytes, *args: Any, **kwargs: Any) -> bytes:
        if raw.count(old_line) != 1:
            raise LedgerError(f"xlwings 模板的 PROJECT 流中找不到 {old_line.decode()}")
        return original(raw.replace(old_line, f'Name="{name}"'.encode("ascii")), *args, **kwargs)

    _host.serialize_project_stream = renamed
    try:
        yield
    finally:
        _host.serialize_project_stream = original


def _ribbon_rels(data: bytes) -> bytes:
    """Package relationships with exactly one ribbon relationship, to customUI14.xml."""
    ET.register_namespace("", PKG_RELS_NS)
    root = SafeET.fromstring(data)
    for rel in list(root):
        if rel.get("Type") in RIBBON_RELS:
            root.remove(rel)
    used = {rel.get("Id") for rel in root}
    rid = next(f"rId{n}" for n in range(1, len(used) + 2) if f"rId{n}" not in used)
    ET.SubElement(root, f"{{{PKG_RELS_NS}}}Relationship", Id=rid, Type=RIBBON_REL, Target=RIBBON_PART)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _rename_conf_sheet(data: bytes) -> bytes:
    """The template's only sheet becomes `ledger.conf`, which the xlwings VBA reads as the add-in's settings."""
    text = data.decode("utf-8")
    if text.count(TEMPLATE_CONF_SHEET) != 1 or text.count("<sheet ") != 1:
        raise LedgerError("xlwings 模板中找不到配置工作表 _myaddin.conf")
    return text.replace(TEMPLATE_CONF_SHEET, f'name="{PROJECT_NAME}.conf"').encode("utf-8")


def settings_sheet(template_sheet: bytes) -> bytes:
    """The template's settings sheet with ADDIN_SETTINGS only (key in A, value in B, inline strings)."""
    text = template_sheet.decode("utf-8")
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{key}</t></is></c>'
        f'<c r="B{i}" t="inlineStr"><is><t>{value}</t></is></c></row>'
        for i, (key, value) in enumerate(ADDIN_SETTINGS, start=1))
    text, n_data = re.subn(r"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>", text, flags=re.S)
    text, n_dim = re.subn(r'<dimension ref="[^"]*" ?/>', f'<dimension ref="A1:B{len(ADDIN_SETTINGS)}"/>', text)
    if (n_data, n_dim) != (1, 1) or 'codeName="Sheet2"' not in text:
        raise LedgerError("xlwings 模板的配置工作表与预期不同")
    return text.encode("utf-8")


def _repackage(staged: Path, target: Path, ribbon: bytes) -> None:
    """Rewrite the zip: new ribbon part and relationship, the add-in's own settings sheet."""
    with zipfile.ZipFile(staged) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        stamp = zin.getinfo("[Content_Types].xml").date_time
        for info in zin.infolist():
            if info.filename.startswith("customUI/"):
                continue
            data = zin.read(info)
            if info.filename == "_rels/.rels":
                data = _ribbon_rels(data)
            elif info.filename == "xl/workbook.xml":
                data = _rename_conf_sheet(data)
            elif info.filename == CONF_SHEET_PART:
                data = settings_sheet(data)
            zout.writestr(zipfile.ZipInfo(info.filename, date_time=info.date_time), data, zipfile.ZIP_DEFLATED)
        zout.writestr(zipfile.ZipInfo(RIBBON_PART, date_time=stamp), ribbon, zipfile.ZIP_DEFLATED)


def count_buttons(ribbon: bytes) -> int:
    return len(SafeET.fromstring(ribbon).findall(f".//{{{CUSTOMUI_NS}}}button"))


def build_addin(output: Path, template: Path | None = None) -> BuildReport:
    """Build ledger.xlam at `output` (written atomically) from macros/ and the xlwings template."""
    if output.suffix.lower() != ".xlam":
        raise LedgerError(f"加载项文件名应以 .xlam 结尾：{output}")
    found, version = xlwings_template()
    ribbon = ribbon_source()
    output = output.resolve()
    if not output.parent.is_dir():
        raise LedgerError(f"目标文件夹不存在：{output.parent}")
    with tempfile.TemporaryDirectory(prefix="ledger-addin-") as tmp:
        staged = Path(tmp) / "staged.xlam"
        modules = _edit_vba(template or found, staged)
        partial = Path(tmp) / ADDIN_NAME
        _repackage(staged, partial, ribbon)
        try:
            shutil.copyfile(partial, output.with_name(output.name + ".tmp"))
            os.replace(output.with_name(output.name + ".tmp"), output)
        except OSError as exc:
            raise LedgerError(f"无法写入 {output}：{os_reason(exc)}（文件是否正被 Excel 打开？）", detail=str(exc)) from None
    return BuildReport(path=output, xlwings_version=version, modules=modules, buttons=count_buttons(ribbon))


def build_checked(output: Path, force: bool = False) -> BuildReport:
    """`ledger addin build`: the output checked first (never a ledger or, without --force, another file)."""
    check_output(output, Output.ADDIN, force=force)
    return build_addin(output)
