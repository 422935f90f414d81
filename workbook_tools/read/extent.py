"""How far a worksheet's data really reaches, found before python-calamine reads it.

python-calamine turns a sheet into one dense rectangle from its first to its last cell holding a
value: a single value at XFD1048576 next to a table at A1 asks for 17 billion cells (hundreds of
GiB) and the process aborts inside Rust, beyond the reach of any `except`.  So every sheet's XML is
scanned first, streaming, and a sheet whose rectangle would exceed `MAX_CELLS` (or reach beyond
Excel's grid) is refused with a message naming the sheet and the far cell.  The sheet's
`<dimension>` claim is never trusted.

The scan has three stages, each exact enough to decide what the cheaper one could not:

1. one regular-expression search per chunk: when every cell is written `<c r="B123">` with a single
   column letter and a row below 600,000 (what Excel, WPS, LibreOffice and openpyxl write for any
   sheet of this tool), the rectangle is at most 26 x 599,999 cells and nothing more is needed;
2. otherwise, when every cell still carries a plain `r="…"`, the bounding box of all cells;
3. otherwise (or when that box is too large), the cells calamine would keep — those holding a
   value, positioned the way calamine positions them (namespace prefixes, cells and rows without
   `r`) — the exact rectangle, and the far cells to name.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any
from xml.etree.ElementTree import Element

import re2
from defusedxml import ElementTree

from workbook_tools.core.a1 import MAX_COL, MAX_ROW, col_index, index_ref
from workbook_tools.core.model import LedgerError
from workbook_tools.read.sniff import ZIP_ERRORS

MAX_CELLS = 1 << 24                 # 16,777,216 cells per sheet rectangle (~0.8 GB while read)
CHUNK = 1 << 22

def _bytes_re2(pattern: bytes) -> Any:  # a compiled RE2 pattern (google-re2 has no type information)
    """A linear-time byte pattern (RE2, Latin-1: every byte is one character, whatever the text)."""
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    options.never_capture = True
    return re2.compile(pattern, options)


# Also irregular: a namespace-prefixed cell tag, or an `r` after another attribute of a cell (the
# last `r` is the one calamine uses).
_ODD = rb'|<[A-Za-z_][\w.\-]*:c[\s/>]|<c r="[^"]*"(?:(?:[^>"\']|"[^"]*"|\'[^\']*\')*[\s"\'])?r\s*='
# A value python-calamine cannot turn into a date (it panics inside Rust when the cell has a date format):
# -inf, or a negative number of 12 digits or more.
_HUGE_NEGATIVE = rb'-\s*(?:[iI]|[0-9]{12}|[0-9.]*[eE]\+?0*(?:1[1-9]|[2-9][0-9]|[0-9]{3}))'
_ODD += rb'|<v[^>]*>\s*' + _HUGE_NEGATIVE
_BAD_VALUE = re.compile(rb'<(?:[A-Za-z_][\w.\-]*:)?v(?:\s[^>]*)?>\s*(' + _HUGE_NEGATIVE + rb'[^<]*)')
_CELL_TAG = re.compile(rb'<(?:[A-Za-z_][\w.\-]*:)?c(\s[^>]*)?>')
_ATTR = {name: re.compile(rb'\s' + name + rb'\s*=\s*["\']([^"\']*)') for name in (b"r", b"s")}
DATE_FORMAT_IDS = frozenset({*range(14, 23), 45, 46, 47})
_DATE_CODE = re.compile(r"[dmyhsDMYHS]")
# Stage 1: a cell tag that is anything but `<c r="X1"` .. `<c r="X599999"` (one letter, row < 600,000).
_IRREGULAR = _bytes_re2(
    rb'<c[\t\n\r/>]|<c [^r]|<c r[^=]|<c r=[^"]|<c r="[^A-Za-z]|<c r="[A-Za-z][^0-9]'
    rb'|<c r="[A-Za-z][0-9]{1,5}[^0-9"]|<c r="[A-Za-z][6-9][0-9]{5}|<c r="[A-Za-z][0-9]{7}' + _ODD)
STAGE1_AREA = 26 * 599_999
# Stage 2: a cell tag that is not `<c r="LETTERS DIGITS"`.
_NOT_PLAIN = _bytes_re2(
    rb'<c[\t\n\r/>]|<c [^r]|<c r[^=]|<c r=[^"]|<c r="[^A-Za-z]|<c r="[A-Za-z]+[^A-Za-z0-9]'
    rb'|<c r="[A-Za-z]+[0-9]+[^0-9"]' + _ODD)
_PLAIN_REF = re.compile(rb'<c r="([A-Za-z]+)([0-9]+)"')
# Stage 3: the tags calamine's cell reader looks at, attribute values quoted either way.
_TAG = re.compile(rb'<(/?)(?:[A-Za-z_][\w.\-]*:)?(row|c|v|is|sheetData)(?=[\s/>])((?:[^>"\']|"[^"]*"|\'[^\']*\')*)>')
_R_ATTR = re.compile(rb'(?:^|\s)r\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_REF = re.compile(rb'([A-Za-z]*)([0-9]+)')

WORKBOOK_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@dataclass
class Extent:
    """The rectangle (0-based, inclusive) calamine would allocate, and the cells that set its far edges."""

    top: int = -1
    left: int = -1
    bottom: int = -1
    right: int = -1
    far_row: tuple[int, int] | None = None   # (row, col) of a cell on the bottom edge
    far_col: tuple[int, int] | None = None   # (row, col) of a cell on the right edge

    @property
    def area(self) -> int:
        return 0 if self.bottom < 0 else (self.bottom - self.top + 1) * (self.right - self.left + 1)

    @property
    def beyond_grid(self) -> bool:
        return self.bottom >= MAX_ROW or self.right >= MAX_COL

    @property
    def too_large(self) -> bool:
        return self.beyond_grid or self.area > MAX_CELLS

    def add(self, row: int, col: int) -> None:
        if self.bottom < 0:
            self.top, self.bottom, self.left, self.right = row, row, col, col
            self.far_row = self.far_col = (row, col)
            return
        self.top, self.left = min(self.top, row), min(self.left, col)
        if row > self.bottom:
            self.bottom, self.far_row = row, (row, col)
        if col > self.right:
            self.right, self.far_col = col, (row, col)

    def far_cells(self) -> list[str]:
        """The cells that stretch the rectangle: on its bottom edge (when it is taller than one row) and on its
        right edge (when wider than one column); beyond Excel's grid, only those outside it."""
        cells = set()
        if self.far_row is not None and self.bottom > self.top and (not self.beyond_grid or self.bottom >= MAX_ROW):
            cells.add(self.far_row)
        if self.far_col is not None and self.right > self.left and (not self.beyond_grid or self.right >= MAX_COL):
            cells.add(self.far_col)
        return [index_ref(r, c) for r, c in sorted(cells)]


# --- where each sheet's XML is ---------------------------------------------------------------

def _xml(zf: zipfile.ZipFile, names: dict[str, str], part: str) -> Element | None:
    real = names.get(part.lower())
    return None if real is None else ElementTree.fromstring(zf.read(real))


def _office_dir(zf: zipfile.ZipFile, names: dict[str, str]) -> str:
    rels = _xml(zf, names, "_rels/.rels")
    for rel in rels if rels is not None else []:
        if rel.get("Type", "").endswith("/relationships/officeDocument"):
            target = rel.get("Target", "").lstrip("/")
            return target[: target.rfind("/") + 1]
    return "xl/"


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """sheet name -> zip member holding its XML, resolved as calamine resolves it."""
    names = {n.replace("\\", "/").lower(): n for n in zf.namelist()}
    base = _office_dir(zf, names)
    workbook, rels = _xml(zf, names, f"{base}workbook.xml"), _xml(zf, names, f"{base}_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts: dict[str, str] = {}
    for el in workbook.iter(f"{{{WORKBOOK_NS}}}sheet"):
        rid = next((v for k, v in el.attrib.items() if k.endswith("}id") or k == "id"), None)
        target = targets.get(rid, "")
        path = target[1:] if target.startswith("/") else f"{base}{target}"
        real = names.get(path.lower()) or names.get(str(PurePosixPath(path)).lower())
        if real is not None:
            parts[el.get("name", "")] = real
    return parts


# --- scanning one sheet's XML ----------------------------------------------------------------

def _pieces(zf: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The member's bytes in chunks that each end just before a `<`: no tag is ever split."""
    carry = b""
    with zf.open(member) as fh:
        while chunk := fh.read(CHUNK):
            data = carry + chunk
            cut = data.rfind(b"<")
            if cut <= 0:
                carry = data
                continue
            carry = data[cut:]
            yield data[:cut]
    if carry:
        yield carry


def _stage1(zf: zipfile.ZipFile, member: str) -> bool:
    """True when every cell is a plain one-letter reference below row 600,000."""
    return not any(_IRREGULAR.search(piece) for piece in _pieces(zf, member))


def _stage2(zf: zipfile.ZipFile, member: str) -> int | None:
    """Area of the bounding box of every cell (holding a value or not) when all are plain; None otherwise."""
    rows: set[int] = set()
    cols: set[int] = set()
    for piece in _pieces(zf, member):
        if _NOT_PLAIN.search(piece):
            return None
        refs = _PLAIN_REF.findall(piece)
        cols.update(col_index(letters) for letters in {letters for letters, _ in refs})
        found = {int(digits) for digits in {digits for _, digits in refs}}
        if found:
            rows.update((min(found), max(found)))
            rows = {min(rows), max(rows)}
    if not rows:
        return 0
    return (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1) if max(rows) <= MAX_ROW and max(cols) < MAX_COL \
        else MAX_CELLS + 1


class _CellWalk:
    """Stage 3: calamine's cell positions (a cell without `r` follows the previous one; a row without
    `r` follows the previous row) and which cells hold a value (a non-empty `<v>` or an `<is>`)."""

    def __init__(self) -> None:
        self.extent = Extent()
        self.row = 0
        self.col = 0
        self.cell: tuple[int, int] | None = None   # the open cell's position
        self.valued = False

    def _ref(self, attrs: bytes) -> tuple[int, int | None] | None:
        found = _R_ATTR.findall(attrs)
        if not found:
            return None
        double, single = found[-1]               # the last `r` is the one calamine uses
        ref = _REF.fullmatch(double or single)
        if ref is None or int(ref[2]) == 0:
            return None                          # calamine refuses the sheet itself
        return int(ref[2]) - 1, col_index(ref[1]) if ref[1] else None

    def _open_cell(self, attrs: bytes, closed: bool) -> None:
        ref = self._ref(attrs)
        if ref is not None and ref[1] is not None:
            self.col = ref[1]
            pos = (ref[0], ref[1])
        else:
            pos = (self.row, self.col)
        self.col += 1
        self.cell, self.valued = (None, False) if closed else (pos, False)

    def _close_cell(self) -> None:
        if self.cell is not None and self.valued:
            self.extent.add(*self.cell)
        self.cell = None

    def _row(self, attrs: bytes, closed: bool) -> None:
        ref = self._ref(attrs)
        if ref is not None:
            self.row = ref[0]
        if closed:
            self._end_row()

    def _end_row(self) -> None:
        self.row += 1
        self.col = 0

    def feed(self, piece: bytes) -> bool:
        """Walk one piece; False once </sheetData> is reached."""
        for m in _TAG.finditer(piece):
            end, name, attrs = m[1], m[2], m[3]
            closed = attrs.endswith(b"/")
            if name == b"c":
                self._close_cell() if end else self._open_cell(attrs, closed)
            elif name == b"row" and not end:
                self._row(attrs, closed)
            elif name == b"row":
                self._end_row()
            elif self.cell is not None and not end and not closed:
                self.valued = self.valued or name == b"is" or piece[m.end():m.end() + 2] != b"</"
            elif name == b"is" and self.cell is not None:
                self.valued = True
            elif name == b"sheetData" and end:
                return False
            if self.extent.too_large:
                return False
        return True


def _stage3(zf: zipfile.ZipFile, member: str) -> Extent:
    walk = _CellWalk()
    for piece in _pieces(zf, member):
        if not walk.feed(piece):
            break
    return walk.extent


def date_styles(zf: zipfile.ZipFile) -> frozenset[int]:
    """Indexes of the cell styles calamine reads as dates or durations (a loose superset)."""
    names = {n.replace("\\", "/").lower(): n for n in zf.namelist()}
    root = _xml(zf, names, f"{_office_dir(zf, names)}styles.xml")
    if root is None:
        return frozenset()
    codes = {el.get("numFmtId"): el.get("formatCode", "") for el in root.iter(f"{{{WORKBOOK_NS}}}numFmt")}
    xfs = next(root.iter(f"{{{WORKBOOK_NS}}}cellXfs"), None)
    out = set()
    for i, xf in enumerate(xfs if xfs is not None else []):
        fmt = xf.get("numFmtId", "0")
        if (fmt.isdigit() and int(fmt) in DATE_FORMAT_IDS) or _DATE_CODE.search(codes.get(fmt, "")):
            out.add(i)
    return frozenset(out)


def _attr(attrs: bytes, name: bytes) -> str:
    found = _ATTR[name].search(attrs)
    return found[1].decode("ascii", "replace") if found else ""


def bad_value(zf: zipfile.ZipFile, member: str, dates: frozenset[int]) -> tuple[str, str] | None:
    """(cell, value) of the first value in a date-formatted cell that calamine could not turn into a date."""
    for piece in _pieces(zf, member):
        for found in _BAD_VALUE.finditer(piece):
            tags = _CELL_TAG.findall(piece, 0, found.start())
            attrs = tags[-1] if tags else b" s=\"\""
            style = _attr(attrs, b"s")
            if not tags or (style.isdigit() and int(style) in dates):
                return _attr(attrs, b"r"), found[1].decode("utf-8", "replace").strip()
    return None


class BadValue(Exception):
    """A value calamine cannot read (see _HUGE_NEGATIVE): its cell and text."""

    def __init__(self, cell: str, value: str):
        super().__init__(cell, value)
        self.cell, self.value = cell, value


def sheet_extent(zf: zipfile.ZipFile, member: str, dates: frozenset[int] = frozenset()) -> Extent | None:
    """None when the sheet is certainly small; else the exact extent of the cells holding values.

    Raises BadValue for a value python-calamine would panic on (`dates`: the date cell styles).
    """
    if _stage1(zf, member):
        return None
    found = bad_value(zf, member, dates)
    if found is not None:
        raise BadValue(*found)
    area = _stage2(zf, member)
    if area is not None and area <= MAX_CELLS:
        return None
    return _stage3(zf, member)


# --- the guard the reader calls before calamine touches a sheet ------------------------------

@dataclass
class SheetGuard:
    """Opened once per file (and per reading thread): `check(name)` refuses a sheet too large to read."""

    zf: zipfile.ZipFile
    parts: dict[str, str] = field(default_factory=dict)
    filename: str = ""
    _dates: frozenset[int] | None = None

    @property
    def dates(self) -> frozenset[int]:
        if self._dates is None:
            try:
                self._dates = date_styles(self.zf)
            except (*ZIP_ERRORS, ElementTree.ParseError):
                self._dates = frozenset()   # calamine refuses the broken styles part itself
        return self._dates

    @classmethod
    def open(cls, path: Path | IO[bytes]) -> SheetGuard:
        try:
            zf = zipfile.ZipFile(path)
            return cls(zf, sheet_parts(zf), getattr(path, "name", str(path)))
        except (*ZIP_ERRORS, KeyError, ElementTree.ParseError):
            raise LedgerError(f"{getattr(path, 'name', path)} 已损坏或不完整（无法作为 xlsx 打开）") from None

    def close(self) -> None:
        self.zf.close()

    def _members(self, name: str) -> list[str]:
        """The sheet's XML; when it cannot be located, every worksheet-like part no other sheet claims."""
        if name in self.parts:
            return [self.parts[name]]
        claimed = set(self.parts.values())
        return [n for n in self.zf.namelist() if n.lower().endswith(".xml") and n not in claimed]

    def extent(self, name: str) -> Extent | None:
        try:
            found = [e for m in self._members(name) if (e := sheet_extent(self.zf, m, self.dates)) is not None]
        except ZIP_ERRORS:
            raise LedgerError(f"{self.filename} 已损坏或不完整（工作表「{name}」无法解压）") from None
        return max(found, key=lambda e: (e.beyond_grid, e.area), default=None)

    def check(self, name: str) -> None:
        try:
            extent = self.extent(name)
        except BadValue as bad:
            cell = f"单元格 {bad.cell} 的" if bad.cell else ""
            raise LedgerError(f"工作表「{name}」{cell}值「{bad.value}」超出了 Excel 数字和日期的范围，"
                              "请在 Excel 中改正或清除后保存再试") from None
        if extent is not None and extent.too_large:
            raise LedgerError(too_large_message(name, extent))


def too_large_message(name: str, extent: Extent) -> str:
    cells = "、".join(extent.far_cells())
    if extent.beyond_grid:
        return (f"工作表「{name}」的单元格 {cells} 超出了 Excel 的最大范围 XFD{MAX_ROW}，"
                "文件不是 Excel 保存的正常工作簿，请在 Excel 中删除这些内容后另存")
    rows, cols = extent.bottom - extent.top + 1, extent.right - extent.left + 1
    corner = index_ref(extent.top, extent.left)
    return (f"工作表「{name}」中远处的单元格 {cells} 有内容，使数据范围（自 {corner} 起）达到 {rows:,} 行 × {cols:,} 列，"
            f"超过每张表 {MAX_CELLS:,} 个单元格的读取上限；请删除这些单元格中的内容（或多余的行、列）后保存再试")
