"""One worksheet part patched row by row: only the rows the write touches are rewritten.

The sheet XML is split at its `<row>` elements by a byte scan (rows never nest, and cell text
cannot hold a raw `<`); rows the patch does not name are copied as the bytes they were, and so
is everything outside `<sheetData>` except the `<dimension>` and the ranges of validations and
conditional formats that end at the table's last row (extended over appended rows).  Inside a
touched row only the named cells change; every other cell keeps its bytes, formula and
cached value.  A part that a byte scan cannot split safely (comments or CDATA inside the data,
rows without numbers, another encoding) is first normalised by a full XML parse.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from workbook_tools.core.a1 import MAX_COL, cell_ref, col_number, parse_ref
from workbook_tools.core.model import LedgerError
from workbook_tools.xlsx.cells import Encoded
from workbook_tools.xlsx.package import MAIN_NS

_REF = re.compile(rb"([A-Z]{1,3})(\d+)")

_ATTR = {name: re.compile(rb'\s' + name.encode() + rb'="([^"]*)"') for name in ("r", "s", "t", "spans", "ref", "si")}


def attr(tag: bytes, name: str) -> bytes | None:
    m = _ATTR[name].search(tag)
    return m.group(1) if m else None


def set_attr(tag: bytes, name: str, value: str | None) -> bytes:
    """`tag` (an element's start tag) with attribute `name` set, or removed when value is None."""
    pattern = _ATTR[name]
    if value is None:
        return pattern.sub(b"", tag, count=1)
    new = f' {name}="{value}"'.encode()
    if pattern.search(tag):
        return pattern.sub(new.replace(b"\\", b"\\\\"), tag, count=1)
    end = len(tag) - (2 if tag.endswith(b"/>") else 1)
    return tag[:end] + new + tag[end:]


@dataclass(slots=True)
class CellOp:
    """What the write does to one cell: a new value (and format policy), a new style, or a copy."""

    value: Encoded | None = None              # None: keep the cell's value
    fmt: str | None = None                    # format policy of the value (see Resolver)
    restyle: Callable[[int], int] | None = None   # base style id -> new style id
    raw: bytes | None = None                  # a whole <c> element copied from another cell
    quote: bool = False                       # text Excel would take for a formula: quote prefix
    expect: object = None                     # the value a reader must find there afterwards
    shared: bool = False                      # one instance stands for many cells: copy before changing


@dataclass
class SheetPatch:
    ops: dict[int, dict[int, CellOp]] = field(default_factory=dict)
    template_row: int | None = None           # the row whose formats new rows take, column by column
    extend: tuple[int, int] | None = None     # (old last row, new last row) for validation ranges
    plain: set[int] = field(default_factory=set)   # rows whose every operation is a plain value

    def op(self, row: int, col: int) -> CellOp:
        """The cell's operation, to be changed in place."""
        cells = self.ops.setdefault(row, {})
        self.plain.discard(row)
        op = cells.get(col)
        if op is None or op.shared:
            op = cells[col] = CellOp() if op is None else CellOp(op.value, op.fmt, op.restyle, op.raw, op.quote,
                                                                  op.expect)
        return op

    def __bool__(self) -> bool:
        return bool(self.ops)


@dataclass
class Overwritten:
    """A user formula the write replaced by a value (kept in 变更记录)."""

    ref: str
    formula: str


@dataclass
class PatchReport:
    formulas: list[Overwritten] = field(default_factory=list)
    max_row: int = 0
    max_col: int = 0


class Grammar:
    """Regexes for one part's prefix of the main namespace ('' or e.g. 'x:')."""

    def __init__(self, prefix: bytes):
        p = re.escape(prefix)
        self.prefix = prefix
        self.row_start = re.compile(rb"<" + p + rb"row(?=[\s/>])[^>]*>")
        self.cell = re.compile(rb"<" + p + rb"c(?=[\s/>])[^>]*?(?:/>|>.*?</" + p + rb"c>)", re.S)
        self.row_end = b"</" + prefix + b"row>"
        self.formula = re.compile(rb"<" + p + rb"f(?=[\s/>])[^>]*?(?:/>|>(.*?)</" + p + rb"f>)", re.S)
        self.sheet_data = re.compile(rb"<" + p + rb"sheetData(?=[\s/>])[^>]*?(/?)>")
        self.sheet_data_end = b"</" + prefix + b"sheetData>"
        self.dimension = re.compile(rb"<" + p + rb"dimension\s[^>]*?/>")
        self.col = re.compile(rb"<" + p + rb"col\s[^>]*?/?>")
        self.merge = re.compile(rb"<" + p + rb'mergeCell\s[^>]*?ref="([^"]+)"')


_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")
_UNSAFE = (b"<!--", b"<![CDATA[", b"<?")


def _prefix(data: bytes) -> bytes:
    m = _ROOT.search(data, 0, 4096)
    if m is None:
        raise LedgerError("工作表部件不是有效的 worksheet XML，无法写入")
    return m.group(1) or b""


def normalise(data: bytes) -> bytes:
    """A full parse and serialisation: explicit row and cell numbers, UTF-8, no comments or CDATA."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, strip_cdata=True,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError:
        raise LedgerError("工作表部件不是有效的 XML，无法写入") from None
    data_el = root.find(f"{{{MAIN_NS}}}sheetData")
    row_no = 0
    for row in data_el if data_el is not None else ():
        if row.tag != f"{{{MAIN_NS}}}row":
            continue
        row_no = int(row.get("r") or row_no + 1)
        row.set("r", str(row_no))
        col = 0
        for c in row:
            if c.tag == f"{{{MAIN_NS}}}c":
                ref = c.get("r")
                col = parse_ref(ref)[1] if ref else col + 1
                c.set("r", cell_ref(row_no, col))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


@dataclass
class RowIndex:
    numbers: list[int]
    starts: list[int]
    ends: list[int]


class SheetXml:
    _col_styles: dict[int, int]   # set by col_styles() on first use
    """A worksheet part split into head, rows and tail."""

    def __init__(self, data: bytes):
        if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:3] == b"\xef\xbb\xbf":
            data = normalise(data)
        if not self._load(data) and not self._load(normalise(data)):
            raise LedgerError("工作表部件的行无法识别，无法写入")

    def _load(self, data: bytes) -> bool:
        """Split `data`; False when only a normalised copy can be split safely."""
        self.g = Grammar(_prefix(data))
        found = self.g.sheet_data.search(data)
        if found is None:
            raise LedgerError("工作表部件缺少 sheetData，无法写入")
        if found.group(1):   # <sheetData/>
            tag = found.group(0)[:-2] + b">"
            data = data[:found.start()] + tag + self.g.sheet_data_end + data[found.end():]
            found = self.g.sheet_data.search(data)
            assert found is not None  # the same sheetData, now open
        start = found.end()
        end = data.find(self.g.sheet_data_end, start)
        if end < 0:
            raise LedgerError("工作表部件不完整（sheetData 未结束），无法写入")
        if any(data.find(marker, start, end) >= 0 for marker in _UNSAFE):
            return False
        self.data, self.start, self.end = data, start, end
        index = self._index()
        if index is None:
            return False
        self.index = index
        return True

    def _index(self) -> RowIndex | None:
        numbers, starts = [], []
        previous = 0
        for m in self.g.row_start.finditer(self.data, self.start, self.end):
            r = attr(m.group(0), "r")
            if r is None or int(r) <= previous:
                return None   # rows without numbers, or out of order
            previous = int(r)
            numbers.append(previous)
            starts.append(m.start())
        return RowIndex(numbers, starts, starts[1:] + [self.end])

    @property
    def has_formulas(self) -> bool:
        """Whether any cell of the sheet holds a formula (one byte search, cached)."""
        if getattr(self, "_formulas", None) is None:
            self._formulas = self.data.find(b"<" + self.g.prefix + b"f", self.start, self.end) >= 0
        return self._formulas

    @property
    def head(self) -> bytes:
        return self.data[:self.start]

    @property
    def tail(self) -> bytes:
        return self.data[self.end:]

    def chunk(self, row: int) -> bytes | None:
        i = bisect.bisect_left(self.index.numbers, row)
        if i < len(self.index.numbers) and self.index.numbers[i] == row:
            return self.data[self.index.starts[i]:self.index.ends[i]]
        return None

    def last_row(self) -> int:
        return self.index.numbers[-1] if self.index.numbers else 0

    def cells(self, row: int) -> dict[int, bytes]:
        chunk = self.chunk(row)
        return {} if chunk is None else split_row(self.g, chunk)[1]

    def col_styles(self) -> dict[int, int]:
        """Column -> style id of the <col> entries."""
        if getattr(self, "_col_styles", None) is not None:
            return self._col_styles
        out: dict[int, int] = {}
        for m in self.g.col.finditer(self.head):
            tag = m.group(0)
            style, lo, hi = _int_attr(tag, b"style"), _int_attr(tag, b"min"), _int_attr(tag, b"max")
            if style is not None and lo is not None and hi is not None:
                for c in range(lo, min(hi, MAX_COL) + 1) if hi - lo < 2000 else ():
                    out[c] = style
        self._col_styles = out
        return out

    def merged(self) -> list[tuple[int, int, int, int]]:
        out = []
        for m in self.g.merge.finditer(self.tail):
            parts = m.group(1).decode().split(":")
            (r1, c1), (r2, c2) = parse_ref(parts[0]), parse_ref(parts[-1])
            out.append((r1, c1, r2, c2))
        return out


def _int_attr(tag: bytes, name: bytes) -> int | None:
    m = re.search(rb"\s" + name + rb'="(\d+)"', tag)
    return int(m.group(1)) if m else None


def split_row(g: Grammar, chunk: bytes) -> tuple[bytes, dict[int, bytes], bytes, bytes]:
    """(start tag, column -> <c> element, other content, trailing bytes) of one row chunk."""
    m = g.row_start.match(chunk)
    assert m is not None, chunk[:40]  # a row chunk starts with its <row> tag
    tag = m.group(0)
    if tag.endswith(b"/>"):
        return tag[:-2] + b">", {}, b"", chunk[m.end():]
    close = chunk.rfind(g.row_end)
    body = chunk[m.end():close]
    cells: dict[int, bytes] = {}
    other = bytearray()
    last, col = 0, 0
    for cm in g.cell.finditer(body):
        other += body[last:cm.start()].strip()
        el = cm.group(0)
        ref = attr(el[: el.find(b">") + 1], "r")
        ref_m = _REF.fullmatch(ref) if ref else None
        col = col_number(ref_m.group(1)) if ref_m else col + 1
        cells[col] = el
        last = cm.end()
    other += body[last:].strip()
    return tag, cells, bytes(other), chunk[close + len(g.row_end):]


def cell_parts(g: Grammar, el: bytes) -> tuple[bytes, bytes]:
    """(start tag, inner content) of a <c> element."""
    end = el.find(b">") + 1
    if el[end - 2:end] == b"/>":
        return el[:end - 2] + b">", b""
    return el[:end], el[end:el.rfind(b"</")]


def formula_of(g: Grammar, inner: bytes) -> tuple[bytes, bytes | None] | None:
    """(the <f> start tag, its text) when the cell holds a formula."""
    m = g.formula.search(inner)
    if m is None:
        return None
    el = m.group(0)
    return el[: el.find(b">") + 1], m.group(1)
