"""An xlsx package (zip) edited part by part: untouched members are copied byte for byte.

The container itself (raw copies, CRC checks, what is refused) is xlsx/zip.py; this module
holds the parts, their relationships and content types, and what a write changes.
"""
from __future__ import annotations

import hashlib
import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from workbook_tools.core.model import LedgerError
from workbook_tools.read.sniff import ZIP_ERRORS, container_problem
from workbook_tools.xlsx.zip import ZipRefused, ZipWriter, central_records, chunks, data_span

CT_PART = "[Content_Types].xml"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"          # SpreadsheetML
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"   # r:id attributes
# A parser that never resolves entities or reaches the network (the sniffer refused DTDs already).
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


def q(tag: str) -> str:
    """A SpreadsheetML element name in lxml's {namespace}tag form."""
    return f"{{{MAIN_NS}}}{tag}"


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, XML_PARSER)


def to_xml(root: etree._Element) -> bytes:
    """A part's XML as Excel writes it: UTF-8, every character as itself (never `&#NNNNN;`)."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def utf8_xml(data: bytes) -> bytes:
    """An XML part whose non-ASCII characters were written as character references (openpyxl writes
    every CJK character as `&#NNNNN;`, ~2.7x the UTF-8 size), written again in UTF-8.  Parts without
    references, or that do not parse, are returned as they are."""
    if b"&#" not in data:
        return data
    try:
        return to_xml(parse_xml(data))
    except etree.XMLSyntaxError:
        return data


def utf8_package(path: Path) -> None:
    """Rewrite a package this tool has just built (openpyxl output, no user byte in it) with its XML
    parts in UTF-8; member order, names and times are kept."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    if not any(info.filename.endswith((".xml", ".rels")) and b"&#" in data for info, data in members):
        return
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename.endswith((".xml", ".rels")):
                data = utf8_xml(data)
            out.writestr(zipfile.ZipInfo(info.filename, date_time=info.date_time), data, zipfile.ZIP_DEFLATED)


@dataclass
class Member:
    """One zip member as it will be written: raw bytes of the source, or new content."""

    name: str
    info: zipfile.ZipInfo | None = None     # source member (raw copy) when data is None
    data: bytes | None = None               # new content (compressed on write)


@dataclass
class Relationship:
    id: str
    type: str
    target: str
    external: bool = False

    @property
    def kind(self) -> str:
        return self.type.rsplit("/", 1)[-1]


@dataclass
class Package:
    """The parts of one xlsx file; `set`/`remove` record what the write will change."""

    path: Path
    zf: zipfile.ZipFile
    members: dict[str, Member] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    _cache: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def open(cls, path: Path) -> Package:
        try:
            zf = zipfile.ZipFile(path)
        except ZIP_ERRORS:
            raise LedgerError(f"{path.name} 已损坏或不完整（无法作为 xlsx 打开）") from None
        pkg = cls(path, zf)
        problem = container_problem(zf.infolist(), path.name)
        if problem:
            zf.close()
            raise ZipRefused(problem)
        for info in zf.infolist():
            pkg.members[info.filename] = Member(info.filename, info=info)
        return pkg

    def close(self) -> None:
        self.zf.close()

    # --- reading ---------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self.members and name not in self.removed

    def names(self) -> list[str]:
        return [n for n in self.members if n not in self.removed]

    def read(self, name: str) -> bytes:
        member = self.members.get(name)
        if member is None or name in self.removed:
            raise KeyError(name)
        if member.data is not None:
            return member.data
        assert member.info is not None  # a member without new data is a source member
        if name not in self._cache:
            try:
                self._cache[name] = self.zf.read(member.info)
            except ZIP_ERRORS:
                raise LedgerError(f"{self.path.name} 已损坏或不完整（{name} 无法解压）") from None
        return self._cache[name]

    def xml(self, name: str) -> etree._Element:
        try:
            return parse_xml(self.read(name))
        except etree.XMLSyntaxError:
            raise LedgerError(f"{self.path.name} 的 {name} 不是有效的 XML，无法写入") from None

    def changed(self) -> list[str]:
        """Members whose content this write replaces or adds."""
        return [n for n, m in self.members.items() if m.data is not None and n not in self.removed]

    def untouched(self) -> list[str]:
        return [n for n, m in self.members.items() if m.data is None and n not in self.removed]

    # --- changing ---------------------------------------------------------------------------

    def set(self, name: str, data: bytes) -> None:
        member = self.members.get(name)
        if member is None:
            self.members[name] = Member(name, data=data)
        else:
            member.data = data
        self.removed.discard(name)
        self._cache.pop(name, None)

    def remove(self, name: str) -> None:
        if name in self.members:
            self.removed.add(name)

    def free_name(self, pattern: str) -> str:
        """The first unused part name for a pattern such as 'xl/worksheets/sheet{}.xml'."""
        taken = {n.lower() for n in self.members}
        i = 1
        while pattern.format(i).lower() in taken:
            i += 1
        return pattern.format(i)

    # --- relationships and content types ----------------------------------------------------

    def rels(self, part: str) -> list[Relationship]:
        name = rels_name(part)
        if not self.has(name):
            return []
        out = []
        for el in self.xml(name):
            if el.tag == f"{{{REL_NS}}}Relationship":
                external = el.get("TargetMode") == "External"
                out.append(Relationship(el.get("Id", ""), el.get("Type", ""), el.get("Target", ""), external))
        return out

    def target(self, part: str, rel: Relationship) -> str:
        return resolve(part, rel.target)

    def add_rel(self, part: str, rel_type: str, target_part: str) -> str:
        """Add a relationship from `part` to `target_part`; returns its new id."""
        name = rels_name(part)
        # lxml-stubs lack the None key (the default namespace) that lxml accepts
        root = self.xml(name) if self.has(name) else etree.Element(f"{{{REL_NS}}}Relationships", nsmap={None: REL_NS})  # type: ignore[dict-item]
        ids = {el.get("Id") for el in root}
        i = 1
        while f"rId{i}" in ids:
            i += 1
        el = etree.SubElement(root, f"{{{REL_NS}}}Relationship")
        el.set("Id", f"rId{i}")
        el.set("Type", rel_type)
        el.set("Target", relative(part, target_part))
        self.set(name, to_xml(root))
        return f"rId{i}"

    def remove_rel(self, part: str, rel_id: str) -> None:
        name = rels_name(part)
        if not self.has(name):
            return
        root = self.xml(name)
        for el in list(root):
            if el.get("Id") == rel_id:
                root.remove(el)
        self.set(name, to_xml(root))

    def set_override(self, part: str, content_type: str | None) -> None:
        """Declare (or, with None, drop) the content type of `part` in [Content_Types].xml."""
        root = self.xml(CT_PART)
        target = "/" + part
        for el in list(root):
            if el.tag == f"{{{CT_NS}}}Override" and el.get("PartName", "").lower() == target.lower():
                root.remove(el)
        if content_type is not None:
            el = etree.SubElement(root, f"{{{CT_NS}}}Override")
            el.set("PartName", target)
            el.set("ContentType", content_type)
        self.set(CT_PART, to_xml(root))

    def content_type(self, part: str) -> str | None:
        root = self.xml(CT_PART)
        ext = part.rsplit(".", 1)[-1].lower()
        default = None
        for el in root:
            if el.tag == f"{{{CT_NS}}}Override" and el.get("PartName", "").lower() == "/" + part.lower():
                return el.get("ContentType")
            if el.tag == f"{{{CT_NS}}}Default" and el.get("Extension", "").lower() == ext:
                default = el.get("ContentType")
        return default

    def ensure_default(self, extension: str, content_type: str) -> None:
        root = self.xml(CT_PART)
        if any(el.tag == f"{{{CT_NS}}}Default" and el.get("Extension", "").lower() == extension for el in root):
            return
        el = etree.Element(f"{{{CT_NS}}}Default")
        el.set("Extension", extension)
        el.set("ContentType", content_type)
        root.insert(0, el)
        self.set(CT_PART, to_xml(root))

    # --- writing ----------------------------------------------------------------------------

    def write_to(self, out: BinaryIO) -> None:
        """The package as a zip: raw copies of untouched members (CRC-checked), new members deflated."""
        infos = self.zf.infolist()
        with self.path.open("rb") as src:
            central = dict(zip((i.filename for i in infos), central_records(src, infos, self.zf.start_dir)))
            writer = ZipWriter(out, self.path.name, self.zf.comment)
            for name, member in self.members.items():
                if name in self.removed:
                    continue
                if member.data is None:
                    assert member.info is not None  # a member without new data is a source member
                    writer.copy(src, member.info, central[name])
                else:
                    writer.add(name, member.data, member.info)
            writer.finish()


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def resolve(part: str, target: str) -> str:
    """The part name a relationship target of `part` points to."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def relative(part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(part) or ".")


def raw_digest(path: Path, info: zipfile.ZipInfo) -> str:
    """SHA-256 of a member's stored (compressed) bytes."""
    with path.open("rb") as fh:
        start, size = data_span(fh, info)
        fh.seek(start)
        return _digest(fh, size)


def _digest(fh: BinaryIO, size: int) -> str:
    h = hashlib.sha256()
    for chunk in chunks(fh, size):
        h.update(chunk)
    return h.hexdigest()
