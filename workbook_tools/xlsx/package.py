"""An xlsx package (zip) edited part by part: untouched members are copied byte for byte.

Python's zipfile cannot copy a member without inflating and deflating it again, so the
writing side is a small zip writer of our own: a member we do not own keeps its compressed
bytes, CRC, method and time exactly; only owned members are compressed anew.  Reading uses
zipfile's parsing of the central directory (zip64 included).
"""
from __future__ import annotations

import hashlib
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from workbook_tools.read.sniff import ZIP_ERRORS
from workbook_tools.core.model import LedgerError

CT_PART = "[Content_Types].xml"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"          # SpreadsheetML
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"   # r:id attributes
DEFLATE_LEVEL = 6
LARGE_PART, LARGE_LEVEL = 4 << 20, 3
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")
_UTF8_FLAG = 0x800
# A parser that never resolves entities or reaches the network (the sniffer refused DTDs already).
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


def q(tag: str) -> str:
    """A SpreadsheetML element name in lxml's {namespace}tag form."""
    return f"{{{MAIN_NS}}}{tag}"


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, XML_PARSER)


def to_xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


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
        for info in zf.infolist():
            if info.flag_bits & 0x1:
                zf.close()
                raise LedgerError(f"{path.name} 的压缩包成员已加密，无法写入")
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
        """The package as a zip: raw copies of untouched members, new members deflated."""
        with self.path.open("rb") as src:
            writer = _ZipWriter(out)
            for name, member in self.members.items():
                if name in self.removed:
                    continue
                if member.data is None:
                    assert member.info is not None  # a member without new data is a source member
                    writer.copy(src, member.info)
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
    for chunk in _chunks(fh, size):
        h.update(chunk)
    return h.hexdigest()


def _chunks(fh: BinaryIO, size: int) -> Iterator[bytes]:
    while size > 0:
        chunk = fh.read(min(size, 1 << 20))
        if not chunk:
            raise LedgerError("压缩包成员不完整，无法复制")
        size -= len(chunk)
        yield chunk


def data_span(fh: BinaryIO, info: zipfile.ZipInfo) -> tuple[int, int]:
    """(offset, size) of a member's compressed data, from its local header."""
    fh.seek(info.header_offset)
    head = fh.read(_LOCAL.size)
    if len(head) != _LOCAL.size or head[:4] != b"PK\x03\x04":
        raise LedgerError(f"压缩包成员 {info.filename} 的本地文件头已损坏")
    fields = _LOCAL.unpack(head)
    return info.header_offset + _LOCAL.size + fields[9] + fields[10], info.compress_size


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    y = min(max(y, 1980), 2107)
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


class _ZipWriter:
    """Just enough of the zip format for an Office package (no zip64: the sniffer caps sizes)."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.central: list[bytes] = []
        self.offset = 0

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.offset += len(data)

    def _entry(self, name: bytes, flags: int, method: int, dostime: tuple[int, int], crc: int, csize: int,
               usize: int) -> None:
        local = _LOCAL.pack(b"PK\x03\x04", 20, flags, method, dostime[0], dostime[1], crc, csize, usize, len(name), 0)
        self.central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 20, flags, method, dostime[0], dostime[1], crc, csize,
                                          usize, len(name), 0, 0, 0, 0, 0, self.offset) + name)
        self._write(local + name)

    @staticmethod
    def _name(name: str) -> tuple[bytes, int]:
        try:
            return name.encode("ascii"), 0
        except UnicodeEncodeError:
            return name.encode("utf-8"), _UTF8_FLAG

    def copy(self, src: BinaryIO, info: zipfile.ZipInfo) -> None:
        start, size = data_span(src, info)
        name, flag = self._name(info.filename)
        flags = (info.flag_bits & ~0x8 & ~_UTF8_FLAG) | flag   # sizes go in the header, no data descriptor
        self._entry(name, flags, info.compress_type, _dos_time(info.date_time), info.CRC, size, info.file_size)
        src.seek(start)
        for chunk in _chunks(src, size):
            self._write(chunk)

    def add(self, part: str, data: bytes, like: zipfile.ZipInfo | None) -> None:
        # A large part (a big sheet) is deflated faster at a slightly lower ratio.
        comp = zlib.compressobj(DEFLATE_LEVEL if len(data) < LARGE_PART else LARGE_LEVEL, zlib.DEFLATED, -15)
        packed = comp.compress(data) + comp.flush()
        name, flag = self._name(part)
        stamp = like.date_time if like is not None else (1980, 1, 1, 0, 0, 0)
        self._entry(name, flag, zipfile.ZIP_DEFLATED, _dos_time(stamp), zlib.crc32(data), len(packed), len(data))
        self._write(packed)

    def finish(self) -> None:
        start = self.offset
        for record in self.central:
            self._write(record)
        size = self.offset - start
        count = len(self.central)
        self._write(_END.pack(b"PK\x05\x06", 0, 0, count, count, size, start, 0))
