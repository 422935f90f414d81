"""Applying a SheetPatch to a SheetXml: the touched rows rewritten, every other byte kept."""
from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass, field

from workbook_tools.core.a1 import cell_ref, col_letters, col_number, parse_ref
from workbook_tools.core.model import LedgerError
from workbook_tools.xlsx.cells import Encoded
from workbook_tools.xlsx.sheetxml import (
    CellOp,
    Overwritten,
    PatchReport,
    SheetPatch,
    SheetXml,
    attr,
    cell_parts,
    formula_of,
    set_attr,
    split_row,
)
from workbook_tools.xlsx.styles import StyleBook

DATE_CODE = "yyyy-mm-dd"
DATETIME_CODE = "yyyy-mm-dd hh:mm:ss"
MONEY_CODE = "#,##0.00"
def _ascending(ops: dict[int, CellOp]) -> bool:
    """The operations of a row already in column order (a whole row written column by column)."""
    last = 0
    for col in ops:
        if col <= last:
            return False
        last = col
    return True


_MISSING = object()
_COL_BYTES = [col_letters(n).encode() for n in range(703)]
_COL_NUMBER = {letters: n for n, letters in enumerate(_COL_BYTES) if n}
_CELL_HEAD = re.compile(rb'<c r="([A-Z]{1,3})\d+"(?:[^>]*? s="(\d+)")?')
_SQREF_ATTR = re.compile(rb'(\ssqref=")([^"]*)(")')
_SQREF_EL = re.compile(rb"(<(?:[\w.-]+:)?sqref>)([^<]*)(</(?:[\w.-]+:)?sqref>)")
_FILTER = re.compile(rb'(<(?:[\w.-]+:)?autoFilter\s[^>]*?ref=")([^"]*)(")')


@dataclass
class Resolver:
    """The style id of a written cell: its own (or its column's) format where that suits the value."""

    styles: StyleBook
    _cache: dict[tuple[object, ...], int] = field(default_factory=dict)

    def style(self, base: int, op: CellOp) -> int:
        assert op.value is not None  # only a new value is styled
        key = (base, op.value.kind, op.fmt, op.quote)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._decide(base, op)
        return found

    def _decide(self, base: int, op: CellOp) -> int:
        assert op.value is not None  # only a new value is styled
        code = self._code(base, op.value.kind, op.fmt)
        style = self.styles.with_format(base, code) if code else base
        return self.styles.with_quote_prefix(style) if op.quote else style

    def _code(self, base: int, kind: str, fmt: str | None) -> str | None:
        s = self.styles
        if kind == "date":
            return None if s.is_date(base) else DATE_CODE
        if kind == "datetime":
            return None if s.is_date(base) and "h" in s.format_code(base).lower() else DATETIME_CODE
        if kind == "number":
            current = s.format_code(base)
            if fmt == "money":
                return MONEY_CODE if current in ("General", "@") or s.is_date(base) else None
            return "General" if current == "@" or s.is_date(base) else None
        if kind == "text" and fmt == "id":
            return "@" if s.format_code(base) == "General" else None
        return None


@dataclass
class SharedGroup:
    si: bytes
    formula: str
    origin: str
    rows: range
    cols: range


class Patcher:
    def __init__(self, sheet: SheetXml, patch: SheetPatch, styles: StyleBook, where: str):
        self.sheet, self.patch, self.where = sheet, patch, where
        self.g = sheet.g
        self.resolver = Resolver(styles)
        self.report = PatchReport()
        self.groups: list[SharedGroup] = []
        self._template: dict[int, bytes] | None = None
        self._tails: dict[tuple[int, int, int], bytes | None] = {}
        self._col_styles: dict[int, int] | None = None

    # --- styles of new cells ---------------------------------------------------------------

    def base_style(self, col: int) -> int:
        if self._template is None:
            row = self.patch.template_row
            self._template = self.sheet.cells(row) if row else {}
        el = self._template.get(col)
        if el is not None:
            s = attr(cell_parts(self.g, el)[0], "s")
            return int(s) if s else 0
        if self._col_styles is None:
            self._col_styles = self.sheet.col_styles()
        return self._col_styles.get(col, 0)

    # --- shared formulas whose master is overwritten ---------------------------------------

    def find_groups(self) -> set[int]:
        """Rows to rewrite because an overwritten cell was the master of a shared formula."""
        extra: set[int] = set()
        if not self.sheet.has_formulas:
            return extra
        for row, ops in self.patch.ops.items():
            chunk = self.sheet.chunk(row)
            if chunk is None or b"<" + self.g.prefix + b"f" not in chunk:
                continue
            cells = split_row(self.g, chunk)[1]
            for col, op in ops.items():
                if col in cells and (op.value is not None or op.raw is not None):
                    extra |= self._group_of(row, col, cells[col])
        return extra

    def _group_of(self, row: int, col: int, el: bytes) -> set[int]:
        found = formula_of(self.g, cell_parts(self.g, el)[1])
        if found is None:
            return set()
        tag, text = found
        kind, ref = attr(tag, "t"), attr(tag, "ref")
        if kind == b"array" and ref and b":" in ref:
            raise LedgerError(f"{self.where}单元格 {cell_ref(row, col)} 属于数组公式区域 {ref.decode()}，"
                              "本工具不能改写它；请先在 Excel 中删除该数组公式后再执行", 2)
        if kind != b"shared" or not ref or text is None:
            return set()
        lo, hi = (parse_ref(p) for p in ref.decode().split(":")) if b":" in ref else (parse_ref(ref.decode()),) * 2
        self.groups.append(SharedGroup(attr(tag, "si") or b"", html.unescape(text.decode()), cell_ref(row, col),
                                       range(lo[0], hi[0] + 1), range(lo[1], hi[1] + 1)))
        return {r for r in range(lo[0], hi[0] + 1) if r != row}

    def expand(self, row: int, cells: dict[int, bytes]) -> None:
        """Give every dependent of a broken shared group its own formula text."""
        from openpyxl.formula.translate import Translator  # noqa: PLC0415

        for group in (g for g in self.groups if row in g.rows):
            for col in group.cols:
                el = cells.get(col)
                found = formula_of(self.g, cell_parts(self.g, el)[1]) if el is not None else None
                if found is None or attr(found[0], "t") != b"shared" or attr(found[0], "si") != group.si:
                    continue
                assert el is not None  # found above
                text = Translator("=" + group.formula, group.origin).translate_formula(cell_ref(row, col))[1:]
                p = self.g.prefix
                own = b"<" + p + b"f>" + html.escape(text, quote=False).encode() + b"</" + p + b"f>"
                span = self.g.formula.search(el)
                assert span is not None  # the formula found above
                cells[col] = el[:span.start()] + own + el[span.end():]

    # --- one cell --------------------------------------------------------------------------

    def cell(self, row: int, col: int, old: bytes | None, op: CellOp) -> bytes | None:
        ref = cell_ref(row, col)
        tag: bytes | None
        if op.raw is not None:
            tag, inner = cell_parts(self.g, op.raw)
            return self._element(set_attr(tag, "r", ref), inner)
        tag, inner = cell_parts(self.g, old) if old is not None else (None, b"")
        s = attr(tag, "s") if tag is not None else None
        base = int(s) if s else (self.base_style(col) if old is None else 0)
        if op.value is None:
            style = op.restyle(base) if op.restyle else base
            return self._element(set_attr(tag or b"<" + self.g.prefix + f'c r="{ref}">'.encode(), "s",
                                          str(style) if style else None), inner)
        if tag is not None:
            self._note_formula(ref, inner)
        style = self.resolver.style(base, op) if op.value.kind != "blank" else base
        if op.restyle:
            style = op.restyle(style)
        return self._value_cell(ref.encode(), style, op.value)

    def _value_cell(self, ref: bytes, style: int, value: Encoded) -> bytes | None:
        tail = self._cell_tail(style, value)
        return None if tail is None else b"<" + self.g.prefix + b'c r="' + ref + tail

    def _cell_tail(self, style: int, value: Encoded) -> bytes | None:
        """A written cell's bytes after its reference (None: no cell needed)."""
        p = self.g.prefix
        head = b'"' + (b' s="%d"' % style if style else b"")
        if value.kind == "blank":
            return head + b"/>" if style else None
        if value.cell_type:
            head += b' t="' + value.cell_type.encode() + b'"'
        return head + b">" + (self._prefixed(value.body) if p else value.body) + b"</" + p + b"c>"

    # --- the common case: a row whose every existing cell is overwritten with a value ---------

    def fast_row(self, row: int, chunk: bytes | None, ops: dict[int, CellOp]) -> bytes | None:
        """The row rewritten without splitting it cell by cell; None when only the general path fits."""
        if self.g.prefix:
            return None
        if row not in self.patch.plain and any(op.value is None or op.raw is not None or op.restyle is not None
                                               for op in ops.values()):
            return None
        old: dict[int, int]
        if chunk is None:
            tag, old, trailing = b"<" + self.g.prefix + b'row r="%d">' % row, {}, b""
        else:
            if (self.sheet.has_formulas and b"<f" in chunk) or b"extLst" in chunk:
                return None
            m = self.g.row_start.match(chunk)
            assert m is not None, chunk[:40]  # a row chunk starts with its <row> tag
            tag = m.group(0)
            if tag.endswith(b"/>"):
                tag, old, trailing = tag[:-2] + b">", {}, chunk[m.end():]
            else:
                heads = _CELL_HEAD.findall(chunk, m.end())
                if len(heads) != chunk.count(b"<c ", m.end()) + chunk.count(b"<c>", m.end()):
                    return None   # a cell written some other way: split the row properly
                old = {_COL_NUMBER.get(c) or col_number(c): int(s) if s else 0 for c, s in heads}
                if not old.keys() <= ops.keys():
                    return None
                close = chunk.rfind(self.g.row_end)
                trailing = chunk[close + len(self.g.row_end):]
        row_bytes = str(row).encode()
        out = [tag]
        tails = self._tails
        for col in (ops if _ascending(ops) else sorted(ops)):
            op = ops[col]
            base = old[col] if col in old else self.base_style(col)
            key = (col, base, id(op)) if op.shared else None
            tail = tails.get(key, _MISSING) if key else _MISSING
            if tail is _MISSING:
                assert op.value is not None  # a plain row's cells all get values
                style = self.resolver.style(base, op) if op.value.kind != "blank" else base
                tail = self._cell_tail(style, op.value)
                if key:
                    tails[key] = tail
            if isinstance(tail, bytes):   # not None (no cell), never _MISSING here
                out.append(b'<c r="' + _COL_BYTES[col] + row_bytes + tail)
        if len(out) == 1 and chunk is None:
            return b""
        out.append(self.g.row_end + trailing)
        return b"".join(out)

    def _prefixed(self, body: bytes) -> bytes:
        if not self.g.prefix:
            return body
        return re.sub(rb"<(/?)(is|t|v)>", lambda m: b"<" + m.group(1) + self.g.prefix + m.group(2) + b">",
                      re.sub(rb"<t ", b"<" + self.g.prefix + b"t ", body))

    def _element(self, tag: bytes, inner: bytes) -> bytes:
        if not inner:
            return tag[:-1] + b"/>"
        return tag + inner + b"</" + self.g.prefix + b"c>"

    def _note_formula(self, ref: str, inner: bytes) -> None:
        found = formula_of(self.g, inner)
        if found is not None and found[1]:
            self.report.formulas.append(Overwritten(ref, "=" + html.unescape(found[1].decode())))
        elif found is not None:
            self.report.formulas.append(Overwritten(ref, "（共享公式）"))

    # --- rows ------------------------------------------------------------------------------

    def rewrite(self, row: int, chunk: bytes | None) -> bytes:
        if not self.groups:
            fast = self.fast_row(row, chunk, self.patch.ops.get(row, {}))
            if fast is not None:
                return fast
        cells: dict[int, bytes]
        if chunk is None:
            tag, cells, other, trailing = b"<" + self.g.prefix + f'row r="{row}">'.encode(), {}, b"", b""
        else:
            tag, cells, other, trailing = split_row(self.g, chunk)
        if self.groups:
            self.expand(row, cells)
        for col, op in self.patch.ops.get(row, {}).items():
            new = self.cell(row, col, cells.get(col), op)
            if new is None:
                cells.pop(col, None)
            else:
                cells[col] = new
        if not cells and not other and chunk is None:
            return b""
        ordered = [cells[c] for c in sorted(cells)]
        tag = _spans(tag, cells)
        return tag + b"".join(ordered) + other + self.g.row_end + trailing

    def run(self) -> bytes:
        idx = self.sheet.index
        data = self.sheet.data
        rows = sorted(set(self.patch.ops) | self.find_groups())
        out = [self._head()]
        pos = self.sheet.start
        for row in rows:
            i = bisect.bisect_left(idx.numbers, row)
            present = i < len(idx.numbers) and idx.numbers[i] == row
            at = idx.starts[i] if i < len(idx.numbers) else self.sheet.end
            out.append(data[pos:at])
            out.append(self.rewrite(row, data[at:idx.ends[i]] if present else None))
            pos = idx.ends[i] if present else at
        out.append(data[pos:self.sheet.end])
        out.append(self._tail())
        return b"".join(out)

    # --- head and tail ---------------------------------------------------------------------

    def _head(self) -> bytes:
        head = self.sheet.head
        m = self.g.dimension.search(head)
        bounds = self.report_bounds()
        if m is None or not bounds:
            return head
        ref = attr(m.group(0), "ref")
        if ref is None:
            return head
        parts = ref.decode().split(":")
        try:
            (r1, c1), (r2, c2) = parse_ref(parts[0]), parse_ref(parts[-1])
        except ValueError:
            return head
        rows, cols = bounds
        r2, c2 = max(r2, rows), max(c2, cols)
        new = f"{col_letters(c1)}{r1}" + ("" if (r1, c1) == (r2, c2) else f":{col_letters(c2)}{r2}")
        return head[:m.start()] + set_attr(m.group(0), "ref", new) + head[m.end():]

    def report_bounds(self) -> tuple[int, int] | None:
        rows = [r for r, ops in self.patch.ops.items() if ops]
        if not rows:
            return None
        return max(rows), max(c for ops in self.patch.ops.values() for c in ops)

    def _tail(self) -> bytes:
        tail = self.sheet.tail
        if self.patch.extend is None or self.patch.extend[1] <= self.patch.extend[0]:
            return tail
        old, new = self.patch.extend

        def grow(m: re.Match[bytes]) -> bytes:
            return m.group(1) + extend_ranges(m.group(2), old, new) + m.group(3)
        for pattern in (_SQREF_ATTR, _SQREF_EL, _FILTER):
            tail = pattern.sub(grow, tail)
        return tail


def extend_ranges(sqref: bytes, old_last: int, new_last: int) -> bytes:
    """Ranges of a sqref that end at `old_last` (and start at or above it) now end at `new_last`."""
    out = []
    for part in sqref.split():
        pieces = part.split(b":")
        if len(pieces) == 2:
            try:
                (r1, _c1), (r2, c2) = parse_ref(pieces[0].decode()), parse_ref(pieces[1].decode())
            except ValueError:
                out.append(part)
                continue
            if r2 == old_last and r1 <= old_last:
                part = pieces[0] + b":" + f"{col_letters(c2)}{new_last}".encode()
        out.append(part)
    return b" ".join(out)


def _spans(tag: bytes, cells: dict[int, bytes]) -> bytes:
    spans = attr(tag, "spans")
    if spans is None or not cells:
        return tag
    try:
        lo, hi = (int(x) for x in spans.split(b":"))
    except ValueError:
        return set_attr(tag, "spans", None)
    lo, hi = min(lo, min(cells)), max(hi, max(cells))
    return set_attr(tag, "spans", f"{lo}:{hi}")


def apply_patch(sheet: SheetXml, patch: SheetPatch, styles: StyleBook, where: str = "") -> tuple[bytes, PatchReport]:
    patcher = Patcher(sheet, patch, styles, where)
    data = patcher.run()
    return data, patcher.report
