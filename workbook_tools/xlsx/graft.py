"""Generated sheets (校验结果, 附件5, 概览, 扫描建议 …) built with openpyxl in a scratch package and grafted in.

openpyxl is good at making a new sheet — styles, merges, widths, page setup, native charts —
and only bad at keeping someone else's file.  So a generated sheet is built in an empty
scratch workbook of its own; its worksheet part (and drawing and chart parts) are copied into
the ledger's package with the formats appended to the ledger's styles.xml (append-only) and
every string made an inline string.  The ledger's other parts are not touched.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import openpyxl
from lxml import etree
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.worksheet.worksheet import Worksheet

from workbook_tools.core.model import LedgerError
from workbook_tools.xlsx.cells import FORMULA_LEAD
from workbook_tools.xlsx.newbook import put
from workbook_tools.xlsx.package import (
    CT_NS,
    Member,
    Package,
    parse_xml,
    q,
    relative,
    rels_name,
    resolve,
    to_xml,
    utf8_xml,
)
from workbook_tools.xlsx.styles import StyleBook
from workbook_tools.xlsx.workbookxml import WorkbookXml

Build = Callable[[Worksheet], None]
# Relationship targets that belong to one sheet only and go with it when it is replaced.
OWN_KINDS = ("drawing", "vmlDrawing", "comments", "printerSettings", "table", "chart", "chartUserShapes",
             "chartStyle", "chartColorStyle", "image", "threadedComment")


def neutralise(ws: Worksheet) -> None:
    """No cell of a generated sheet is a formula: a text that looks like one stays text."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def build_scratch(name: str, build: Build, date1904: bool = False) -> bytes:
    wb = openpyxl.Workbook()
    if date1904:
        wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = name
    build(ws)
    neutralise(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class Scratch:
    zf: zipfile.ZipFile
    styles: StyleBook
    strings: list[str]

    def read(self, name: str) -> bytes:
        return self.zf.read(name)

    def rels(self, part: str) -> list[tuple[str, str, str]]:
        name = rels_name(part)
        if name not in self.zf.namelist():
            return []
        root = parse_xml(self.zf.read(name))
        return [(el.get("Id", ""), el.get("Type", ""), el.get("Target", "")) for el in root]

    def content_type(self, part: str) -> str | None:
        root = parse_xml(self.zf.read("[Content_Types].xml"))
        for el in root:
            if el.tag == f"{{{CT_NS}}}Override" and el.get("PartName") == "/" + part:
                return el.get("ContentType")
        return None


def open_scratch(data: bytes) -> Scratch:
    zf = zipfile.ZipFile(io.BytesIO(data))
    pkg = Package(path=None, zf=zf)  # type: ignore[arg-type]  # read-only use
    for info in zf.infolist():
        pkg.members[info.filename] = Member(info.filename, info=info)
    styles = StyleBook(pkg, "xl/styles.xml", parse_xml(zf.read("xl/styles.xml")))
    strings: list[str] = []
    if "xl/sharedStrings.xml" in zf.namelist():
        root = parse_xml(zf.read("xl/sharedStrings.xml"))
        strings = ["".join(str(t) for t in si.itertext()) for si in root.iter(q("si"))]
    return Scratch(zf, styles, strings)


def _restyle(sheet: etree._Element, scratch: Scratch, target: StyleBook) -> None:
    for el in sheet.iter(q("c"), q("row")):
        s = el.get("s")
        if s is not None and s.isdigit() and int(s) > 0:
            el.set("s", str(target.import_xf(scratch.styles, int(s))))
    for el in sheet.iter(q("col")):
        s = el.get("style")
        if s is not None and s.isdigit() and int(s) > 0:
            el.set("style", str(target.import_xf(scratch.styles, int(s))))
    for el in sheet.iter(q("cfRule")):
        dxf = el.get("dxfId")
        if dxf is not None and dxf.isdigit():
            el.set("dxfId", str(target.import_dxf(scratch.styles, int(dxf))))


def _inline_strings(sheet: etree._Element, scratch: Scratch) -> None:
    for c in sheet.iter(q("c")):
        if c.get("t") != "s":
            continue
        v = c.find(q("v"))
        text = scratch.strings[int(v.text)] if v is not None and v.text and v.text.isdigit() else ""
        if v is not None:
            c.remove(v)
        c.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(c, q("is")), q("t"))
        t.text = text
        if text != text.strip():
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _check_inert(sheet: etree._Element, name: str) -> None:
    if next(sheet.iter(q("f")), None) is not None:
        raise LedgerError(f"内部检查：生成的工作表「{name}」含有公式，已取消写入", 2)


def _numbered(base: str) -> str:
    """'chart1.xml' -> 'chart{}.xml' (a pattern for Package.free_name); 'image.png' -> 'image{}.png'."""
    stem, dot, ext = base.rpartition(".")
    stem = re.sub(r"\d+$", "", stem) if dot else base
    return f"{stem}{{}}.{ext}" if dot else f"{stem}{{}}"


class Grafter:
    """Copies one generated sheet and the parts it refers to into `pkg`."""

    def __init__(self, pkg: Package, book: WorkbookXml, styles: StyleBook):
        self.pkg, self.book, self.styles = pkg, book, styles

    def graft(self, name: str, data: bytes, index: int) -> str:
        scratch = open_scratch(data)
        sheet = parse_xml(scratch.read("xl/worksheets/sheet1.xml"))
        _check_inert(sheet, name)
        _restyle(sheet, scratch, self.styles)
        _inline_strings(sheet, scratch)
        entry = self.book.entry(name)
        if entry is not None:
            part = entry.part
            self._drop_related(part)
        else:
            part = self.book.add_sheet(name, index, b"")
        self._copy_related(scratch, "xl/worksheets/sheet1.xml", part, sheet)
        self.pkg.set(part, to_xml(sheet))
        return part

    def _copy_related(self, scratch: Scratch, source: str, part: str, root: etree._Element | None) -> None:
        """Copy `source`'s relationship targets under new names; ids in `root` are kept as they are."""
        rels = scratch.rels(source)
        if not rels:
            return
        out = etree.Element("{http://schemas.openxmlformats.org/package/2006/relationships}Relationships",
                            # lxml-stubs lack the None key (the default namespace) that lxml accepts
                            nsmap={None: "http://schemas.openxmlformats.org/package/2006/relationships"})  # type: ignore[dict-item]
        for rid, rel_type, target in rels:
            resolved = resolve(source, target)
            folder, base = resolved.rsplit("/", 1)
            new = self.pkg.free_name(folder + "/" + _numbered(base))
            data = scratch.read(resolved)
            self.pkg.set(new, utf8_xml(data) if resolved.endswith((".xml", ".rels")) else data)
            content_type = scratch.content_type(resolved)
            if content_type:
                self.pkg.set_override(new, content_type)
            self._copy_related(scratch, resolved, new, None)
            el = etree.SubElement(out, "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship")
            el.set("Id", rid)
            el.set("Type", rel_type)
            el.set("Target", relative(part, new))
        self.pkg.set(rels_name(part), to_xml(out))

    def _drop_related(self, part: str) -> None:
        """Remove the parts only the old generated sheet used (its drawing, charts, notes …)."""
        for rel in self.pkg.rels(part):
            if rel.external or rel.kind not in OWN_KINDS:
                continue
            target = self.pkg.target(part, rel)
            if self.pkg.has(target) and not self._used_elsewhere(target, part):
                self._drop_related(target)
                self.pkg.remove(target)
                self.pkg.set_override(target, None)
        self.pkg.remove(rels_name(part))

    def _used_elsewhere(self, target: str, owner: str) -> bool:
        for name in self.pkg.names():
            if not name.endswith(".rels") or name == rels_name(owner):
                continue
            source = _source_of(name)
            if any(not r.external and self.pkg.target(source, r) == target for r in self.pkg.rels(source)):
                return True
        return False


def _source_of(rels_part: str) -> str:
    folder, base = rels_part.rsplit("/_rels/", 1) if "/_rels/" in rels_part else ("", rels_part.split("/", 1)[-1])
    base = base[: -len(".rels")]
    return f"{folder}/{base}" if folder else base


__all__ = ["FORMULA_LEAD", "Grafter", "build_scratch", "neutralise", "put"]
