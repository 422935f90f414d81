"""The zip container of an xlsx: a raw copy of every member the write does not own.

Python's zipfile cannot copy a member without inflating and deflating it again, so the writing
side is a small zip writer of our own.  Reading the directory uses zipfile's parsing of the
central directory; this module adds what a byte-faithful copy needs:

- a copied member keeps its local header (name bytes, flags, version, method, time, CRC, sizes,
  local extra fields), its compressed bytes and its data descriptor exactly; its central record
  (central extra fields and comment included) is copied too, with only the offset of its local
  header changed.  A name stored without the UTF-8 flag (GBK names from older Chinese tools) thus
  keeps its bytes and its flag.
- each copied member is inflated on the way and its CRC-32 and size compared with the directory
  (`ZipCorrupt` names the part); a corrupted member is never passed on.
- a member written anew (a part the write owns) keeps the original's name bytes and UTF-8 flag;
  it carries no extra fields and no data descriptor.
- what cannot be copied faithfully is refused (`ZipRefused`): compression methods other than
  stored/deflate, zip64 members whose header offset lives in the zip64 extra field, split archives.
  Encrypted members and duplicate names are refused earlier, when the file is read
  (read/sniff.container_problem).  The archive comment is kept; the output is never zip64 (the
  sniffer caps an input at 1 GiB uncompressed).

The CRC check inflates every copied member once: about 430 MB of XML a second on one core
(16 ms for the 6.9 MB of the demo ledger).
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from workbook_tools.core.model import LedgerError

LOCAL = struct.Struct("<4sHHHHHIIIHH")
CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
END = struct.Struct("<4sHHHHIIH")
LOCAL_SIG, CENTRAL_SIG, END_SIG, DESCRIPTOR_SIG = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06", b"PK\x07\x08"
UTF8_FLAG = 0x800
DESCRIPTOR_FLAG = 0x8
STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
ZIP64_EXTRA = 0x0001
_CENTRAL_OFFSET_AT = 42          # byte offset of "relative offset of local header" in a central record
_MAX32 = 0xFFFFFFFF
CHUNK = 1 << 20
DEFLATE_LEVEL = 6
LARGE_PART, LARGE_LEVEL = 4 << 20, 3


class ZipRefused(LedgerError):
    """A container this writer cannot copy faithfully (exit 2)."""

    def __init__(self, message: str):
        super().__init__(message, 2)


class ZipCorrupt(LedgerError):
    """A member whose stored bytes do not match its CRC-32 or size."""

    def __init__(self, name: str, file: str = ""):
        where = f"{file} 的" if file else ""
        super().__init__(f"{where}部件 {name} 已损坏（校验和 CRC-32 与内容不符），已取消写入，原文件未改动；"
                         "请用 Excel/WPS 打开修复后另存再试", 2)


def raw_name(info: zipfile.ZipInfo) -> bytes:
    """The name bytes as stored in the directory (zipfile decodes them as UTF-8 or cp437)."""
    return info.orig_filename.encode("utf-8" if info.flag_bits & UTF8_FLAG else "cp437")


def extra_fields(extra: bytes) -> Iterator[tuple[int, bytes]]:
    """(header id, data) of each field of an extra block; a truncated tail is ignored."""
    i = 0
    while i + 4 <= len(extra):
        kind, size = struct.unpack_from("<HH", extra, i)
        yield kind, extra[i + 4:i + 4 + size]
        i += 4 + size


def _has_zip64(extra: bytes) -> bool:
    return any(kind == ZIP64_EXTRA for kind, _ in extra_fields(extra))


def write_refusal(info: zipfile.ZipInfo, central: bytes, file: str) -> str | None:
    """Why one member cannot be copied byte for byte into a rewritten package, else None."""
    if info.compress_type not in (STORED, DEFLATED):
        return (f"{file} 的部件 {info.orig_filename} 使用了不支持的压缩方式（{info.compress_type}），无法写入；"
                "请在 Excel/WPS 中另存为 .xlsx 再试")
    fields = CENTRAL.unpack(central[:CENTRAL.size])
    if fields[16] == _MAX32 or fields[13] == 0xFFFF:
        # the offset (or disk number) lives in the zip64 extra field, which a copy would have to rewrite
        return (f"{file} 是 ZIP64 格式，部件 {info.orig_filename} 的位置只记在 ZIP64 扩展字段中，无法原样写入；"
                "请在 Excel/WPS 中另存为普通 .xlsx 再试")
    if fields[13] != 0:
        return f"{file} 是分卷压缩包，无法写入"
    return None


def dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    y = min(max(y, 1980), 2107)
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def read_local(fh: BinaryIO, info: zipfile.ZipInfo) -> tuple[bytes, int, int]:
    """(local header with name and extra, offset of the data, its size) of a member."""
    fh.seek(info.header_offset)
    head = fh.read(LOCAL.size)
    if len(head) != LOCAL.size or head[:4] != LOCAL_SIG:
        raise LedgerError(f"压缩包成员 {info.orig_filename} 的本地文件头已损坏")
    fields = LOCAL.unpack(head)
    tail = fh.read(fields[9] + fields[10])
    if len(tail) != fields[9] + fields[10]:
        raise LedgerError(f"压缩包成员 {info.orig_filename} 的本地文件头已损坏")
    return head + tail, info.header_offset + LOCAL.size + len(tail), info.compress_size


def data_span(fh: BinaryIO, info: zipfile.ZipInfo) -> tuple[int, int]:
    """(offset, size) of a member's compressed data, from its local header."""
    _, start, size = read_local(fh, info)
    return start, size


def chunks(fh: BinaryIO, size: int) -> Iterator[bytes]:
    while size > 0:
        chunk = fh.read(min(size, CHUNK))
        if not chunk:
            raise LedgerError("压缩包成员不完整，无法复制")
        size -= len(chunk)
        yield chunk


def _descriptor(fh: BinaryIO, local: bytes, info: zipfile.ZipInfo) -> bytes:
    """The data descriptor after a member's data (flag bit 3), read as stored."""
    name_len, extra_len = LOCAL.unpack(local[:LOCAL.size])[9:11]
    zip64 = _has_zip64(local[LOCAL.size + name_len:LOCAL.size + name_len + extra_len])
    head = fh.read(4)
    size = (4 if head == DESCRIPTOR_SIG else 0) + 4 + (16 if zip64 else 8)
    rest = fh.read(size - 4)
    if len(head) + len(rest) != size:
        raise LedgerError(f"压缩包成员 {info.orig_filename} 的数据描述符不完整")
    return head + rest


class _Check:
    """CRC-32 and size of a member's content, computed from its compressed bytes as they pass."""

    def __init__(self, info: zipfile.ZipInfo):
        self.info = info
        self.crc = 0
        self.size = 0
        self.inflate = zlib.decompressobj(-15) if info.compress_type == DEFLATED else None

    def feed(self, chunk: bytes) -> None:
        if self.inflate is not None:
            try:
                while chunk:
                    out = self.inflate.decompress(chunk, CHUNK)
                    self.crc = zlib.crc32(out, self.crc)
                    self.size += len(out)
                    chunk = self.inflate.unconsumed_tail
            except zlib.error:
                self.size = -1
                return
        else:
            self.crc = zlib.crc32(chunk, self.crc)
            self.size += len(chunk)

    def ok(self) -> bool:
        if self.inflate is not None and self.size >= 0:
            try:
                out = self.inflate.flush()
            except zlib.error:
                return False
            self.crc = zlib.crc32(out, self.crc)
            self.size += len(out)
            if not self.inflate.eof:
                return False
        return self.size == self.info.file_size and self.crc == self.info.CRC


class ZipWriter:
    """Writes members one after the other, then the central directory."""

    def __init__(self, out: BinaryIO, file: str = "", comment: bytes = b""):
        self.out = out
        self.file = file
        self.comment = comment
        self.central: list[bytes] = []
        self.offset = 0

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.offset += len(data)

    def copy(self, src: BinaryIO, info: zipfile.ZipInfo, central: bytes) -> None:
        """A member exactly as stored in `src` (local header, data, descriptor); `central` is its
        central directory record, written again with the new offset.  ZipCorrupt when the data do
        not inflate to the CRC-32 and size of the directory."""
        problem = write_refusal(info, central, self.file)
        if problem:
            raise ZipRefused(problem)
        local, start, size = read_local(src, info)
        if self.offset >= _MAX32:
            raise ZipRefused(f"{self.file} 写入后将超过 4 GB，无法写入")
        self.central.append(central[:_CENTRAL_OFFSET_AT] + struct.pack("<I", self.offset)
                            + central[_CENTRAL_OFFSET_AT + 4:])
        self._write(local)
        check = _Check(info)
        src.seek(start)
        for chunk in chunks(src, size):
            check.feed(chunk)
            self._write(chunk)
        if not check.ok():
            raise ZipCorrupt(info.orig_filename, self.file)
        if info.flag_bits & DESCRIPTOR_FLAG:
            self._write(_descriptor(src, local, info))

    def add(self, part: str, data: bytes, like: zipfile.ZipInfo | None = None) -> None:
        """New content, deflated; a part that replaces `like` keeps its name bytes, UTF-8 flag and time."""
        # A large part (a big sheet) is deflated faster at a slightly lower ratio.
        comp = zlib.compressobj(DEFLATE_LEVEL if len(data) < LARGE_PART else LARGE_LEVEL, zlib.DEFLATED, -15)
        packed = comp.compress(data) + comp.flush()
        if like is not None:
            name, flags = raw_name(like), like.flag_bits & UTF8_FLAG
        else:
            name, flags = encode_name(part)
        stamp = dos_time(like.date_time if like is not None else (1980, 1, 1, 0, 0, 0))
        crc, csize, usize = zlib.crc32(data), len(packed), len(data)
        if self.offset >= _MAX32:
            raise ZipRefused(f"{self.file} 写入后将超过 4 GB，无法写入")
        self.central.append(CENTRAL.pack(CENTRAL_SIG, 20, 20, flags, DEFLATED, stamp[0], stamp[1], crc, csize,
                                         usize, len(name), 0, 0, 0, 0, 0, self.offset) + name)
        self._write(LOCAL.pack(LOCAL_SIG, 20, flags, DEFLATED, stamp[0], stamp[1], crc, csize, usize, len(name), 0)
                    + name)
        self._write(packed)

    def finish(self) -> None:
        start = self.offset
        for record in self.central:
            self._write(record)
        size = self.offset - start
        count = len(self.central)
        if count > 0xFFFF or start >= _MAX32:
            raise ZipRefused(f"{self.file} 写入后超出普通 ZIP 的容量（成员过多或过大），无法写入")
        self._write(END.pack(END_SIG, 0, 0, count, count, size, start, len(self.comment)) + self.comment)


def encode_name(name: str) -> tuple[bytes, int]:
    """Bytes and UTF-8 flag for a new member's name: ASCII as is, anything else UTF-8 with the flag."""
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), UTF8_FLAG


def central_records(fh: BinaryIO, infos: list[zipfile.ZipInfo], directory_offset: int) -> list[bytes]:
    """The central directory record of each member, as stored (in directory order)."""
    fh.seek(directory_offset)
    out = []
    for info in infos:
        head = fh.read(CENTRAL.size)
        if len(head) != CENTRAL.size or head[:4] != CENTRAL_SIG:
            raise LedgerError(f"压缩包的中央目录已损坏（{info.orig_filename}）")
        fields = CENTRAL.unpack(head)
        tail = fh.read(fields[10] + fields[11] + fields[12])
        out.append(head + tail)
    return out
