"""Cell notes (legacy comments) of one sheet: our own added and removed, the user's kept.

A note lives in two parts: the comments part (text, author) and the VML drawing (the yellow
box Excel shows).  Both are appended to in place; only notes whose author is the tool are ever
removed.  Excel's VML is not always well-formed XML (`<br>`), so it is edited as text, shape by
shape.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from lxml import etree

from workbook_tools.core.a1 import parse_ref
from workbook_tools.core.model import LedgerError, Note
from workbook_tools.xlsx.cells import openpyxl_text
from workbook_tools.xlsx.package import MAIN_NS, R_NS, Package, parse_xml, q, rels_name, to_xml

COMMENTS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
VML_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_SHAPE = re.compile(rb"<v:shape\s.*?</v:shape>", re.S)
_ROW = re.compile(rb"<(?:\w+:)?Row>\s*(\d+)\s*</(?:\w+:)?Row>")
_COL = re.compile(rb"<(?:\w+:)?Column>\s*(\d+)\s*</(?:\w+:)?Column>")
_SHAPE_ID = re.compile(rb'id="_x0000_s(\d+)"')
_AFTER_LEGACY = (b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls", b"webPublishItems",
                 b"tableParts", b"extLst")
_NEW_VML = (b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            b'xmlns:x="urn:schemas-microsoft-com:office:excel">\n<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
            b'data="1"/></o:shapelayout>\n</xml>')
_NOTE_TYPE = (b'<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
              b'<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>\n')


@dataclass
class SheetNotes:
    pkg: Package
    sheet_part: str
    comments_part: str | None = None
    vml_part: str | None = None
    comments: etree._Element | None = None
    vml: bytes | None = None
    added: list[Note] = field(default_factory=list)
    changed: bool = False

    @classmethod
    def load(cls, pkg: Package, sheet_part: str) -> SheetNotes:
        notes = cls(pkg, sheet_part)
        for rel in pkg.rels(sheet_part):
            target = pkg.target(sheet_part, rel)
            if rel.type == COMMENTS_TYPE and pkg.has(target):
                notes.comments_part, notes.comments = target, pkg.xml(target)
            elif rel.type == VML_TYPE and pkg.has(target):
                notes.vml_part, notes.vml = target, pkg.read(target)
        return notes

    def refs(self) -> set[str]:
        if self.comments is None:
            return set()
        return {el.get("ref", "") for el in self.comments.iter(q("comment"))}

    def remove_by(self, author: str) -> set[str]:
        """Remove the notes of `author`; returns their cells."""
        if self.comments is None:
            return set()
        authors = [a.text or "" for a in self.comments.iter(q("author"))]
        ours = {str(i) for i, a in enumerate(authors) if a == author}
        gone = set()
        for el in list(self.comments.iter(q("comment"))):
            if el.get("authorId") in ours:
                gone.add(el.get("ref", ""))
                parent = el.getparent()
                assert parent is not None  # a comment in commentList
                parent.remove(el)
        if gone:
            self.changed = True
            self._drop_shapes(gone)
        return gone

    def _drop_shapes(self, refs: set[str]) -> None:
        cells = {(r - 1, c - 1) for r, c in (parse_ref(ref) for ref in refs)}

        def keep(m: re.Match[bytes]) -> bytes:
            shape = m.group(0)
            row, col = _ROW.search(shape), _COL.search(shape)
            if b'ObjectType="Note"' in shape and row and col and (int(row.group(1)), int(col.group(1))) in cells:
                return b""
            return shape
        if self.vml is not None:
            self.vml = _SHAPE.sub(keep, self.vml)

    def add(self, note: Note, author: str) -> None:
        if self.comments is None:
            self.comments = parse_xml(f'<comments xmlns="{MAIN_NS}"><authors/><commentList/></comments>'.encode())
        authors, comment_list = self.comments.find(q("authors")), self.comments.find(q("commentList"))
        if authors is None or comment_list is None:
            raise LedgerError("批注部件缺少 authors 或 commentList 元素，无法写入")
        names = [a.text for a in authors]
        if author not in names:
            etree.SubElement(authors, q("author")).text = author
            names.append(author)
        el = etree.SubElement(comment_list, q("comment"))
        el.set("ref", note.ref)
        el.set("authorId", str(names.index(author)))
        r = etree.SubElement(etree.SubElement(el, q("text")), q("r"))
        t = etree.SubElement(r, q("t"))
        t.text = openpyxl_text(note.text)
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        self.added.append(note)
        self.changed = True

    def _vml_with_shapes(self) -> bytes:
        vml = self.vml if self.vml is not None else _NEW_VML
        if b'id="_x0000_t202"' not in vml:
            vml = _insert_before_end(vml, _NOTE_TYPE)
        next_id = max([1024, *(int(i) for i in _SHAPE_ID.findall(vml))]) + 1
        shapes = b"".join(_shape(note, next_id + i) for i, note in enumerate(self.added))
        return _insert_before_end(vml, shapes)

    def save(self, sheet_xml: bytes) -> bytes:
        """Write the parts back; returns the sheet XML (with a legacyDrawing element if it had none)."""
        if not self.changed:
            return sheet_xml
        if self.comments_part is None:
            self.comments_part = self.pkg.free_name("xl/comments{}.xml")
            self.pkg.add_rel(self.sheet_part, COMMENTS_TYPE, self.comments_part)
            self.pkg.set_override(self.comments_part, COMMENTS_CT)
        assert self.comments is not None  # notes were added or removed
        self.pkg.set(self.comments_part, to_xml(self.comments))
        if self.added or self.vml is not None:
            vml = self._vml_with_shapes()
            if self.vml_part is None:
                self.vml_part = self.pkg.free_name("xl/drawings/vmlDrawing{}.vml")
                rid = self.pkg.add_rel(self.sheet_part, VML_TYPE, self.vml_part)
                self.pkg.ensure_default("vml", VML_CT)
                sheet_xml = add_legacy_drawing(sheet_xml, rid)
            self.pkg.set(self.vml_part, vml)
        return sheet_xml


def _insert_before_end(vml: bytes, block: bytes) -> bytes:
    end = vml.rfind(b"</xml>")
    return vml[:end] + block + vml[end:] if end >= 0 else vml + block


def _shape(note: Note, shape_id: int) -> bytes:
    row, col = parse_ref(note.ref)
    anchor = f"{col}, 15, {max(row - 2, 0)}, 10, {col + 2}, 15, {max(row - 2, 0) + 4 + note.height // 60}, 4"
    style = (f"position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:{note.width * 0.75:g}pt;"
             f"height:{note.height * 0.75:g}pt;z-index:{shape_id - 1024};visibility:hidden")
    return (f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="{style}" fillcolor="#ffffe1" '
            'o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left">'
            '</div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{html.escape(anchor)}</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row>"
            f"<x:Column>{col - 1}</x:Column></x:ClientData></v:shape>\n").encode()


def add_legacy_drawing(sheet_xml: bytes, rid: str) -> bytes:
    """Insert <legacyDrawing r:id=…/> where CT_Worksheet wants it."""
    root = re.search(rb"<([\w.-]+:)?worksheet[\s>]", sheet_xml)
    if root is None:
        raise LedgerError("工作表部件缺少 worksheet 元素，无法写入")
    prefix = root.group(1) or b""
    r_prefix = re.search(rb'xmlns:([\w.-]+)="' + re.escape(R_NS.encode()) + b'"', sheet_xml[:root.end() + 4096])
    if r_prefix:
        el = b"<" + prefix + b'legacyDrawing ' + r_prefix.group(1) + b':id="' + rid.encode() + b'"/>'
    else:
        el = b"<" + prefix + b'legacyDrawing xmlns:r="' + R_NS.encode() + b'" r:id="' + rid.encode() + b'"/>'
    tail_start = sheet_xml.find(b"</" + prefix + b"sheetData>")
    positions = [sheet_xml.find(b"<" + prefix + tag, tail_start) for tag in _AFTER_LEGACY]
    positions = [p for p in positions if p >= 0]
    at = min(positions) if positions else sheet_xml.rfind(b"</" + prefix + b"worksheet>")
    return sheet_xml[:at] + el + sheet_xml[at:]


__all__ = ["Note", "SheetNotes", "add_legacy_drawing", "rels_name"]
