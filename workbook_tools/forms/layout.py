"""Column widths that follow the content, worked out before the PDF engine sees the table.

A form's table is printed in several pieces when it is long (see `chunks`), so its column widths
are fixed here, from all its rows, and every piece uses the same ones.  Widths are estimated in em
of the table's font from character classes (CJK 1 em, Latin letters and digits about half of
that; `tests/test_forms_layout.py` checks the estimate against the engine's own measurement).

What must never break across lines is kept whole: ids, dates, numbers, URLs and other runs of
Latin characters, and any cell value short enough to be a word (a department, a licence type).
Long text (software names, reasons) wraps at CJK characters when the page is too narrow.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, Field

# Latin widths in em: at least the half width of 宋体's ASCII, at least the width in Noto Serif CJK
# (measured; tests/test_forms_engine.py checks the estimate against the engine's own measurement).
LATIN_CLASSES = {
    0.5: " !\"'()*,-./1:;?IJ[\\]`fijlrst{|}",
    0.6: "z c7ev$0234568ay9S_gx#+<=>^~o",
    0.7: "ZkqFLdbpPETuhnBYCX",
    0.8: "ARVKGOQ&DNU",
    0.88: "wH",
    1.0: "@%Mm",
    1.08: "W",
}
LATIN_EM = {ch: width for width, chars in LATIN_CLASSES.items() for ch in chars}
TOKEN = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|[\x21-\x7e]+")   # what the templates box: never broken
WHOLE_EM = 7.0          # a value up to this wide is a word: it is kept on one line
TEXT_EM = 8.0           # long text gets at least this much room before the type is made smaller
PAD_EM = 0.95           # cell insets on both sides (0.35 em each, templates/base.typ) and a margin
MIN_SIZE_PT = 6.5       # the smallest type a table is set in when its words do not fit otherwise
PT_PER_MM = 72 / 25.4


@functools.lru_cache(maxsize=65536)
def text_em(text: str) -> float:
    """Estimated width of `text` in em (never below the real width for the fonts used)."""
    return sum(LATIN_EM.get(ch, 1.0) for ch in text)


@functools.lru_cache(maxsize=65536)
def unbreakable_em(text: str, dash_breaks: bool = False) -> float:
    """Width of the widest part of `text` that must stay on one line (with dash_breaks, a token may
    wrap after each "-", as templates/base.typ lets it)."""
    if text_em(text) <= WHOLE_EM and not dash_breaks:
        return text_em(text)
    tokens = TOKEN.findall(text)
    if dash_breaks:
        return max((_two_lines_em(t) for t in tokens), default=1.0)
    return max((text_em(t) for t in tokens), default=1.0)


def _two_lines_em(token: str) -> float:
    """The narrowest width that sets `token` on at most two lines, breaking after one of its "-"."""
    cuts = [i + 1 for i, ch in enumerate(token) if ch == "-" and 0 < i < len(token) - 1]
    return min((max(text_em(token[:c]), text_em(token[c:])) for c in cuts), default=text_em(token))


class Column(BaseModel):
    """One column of a printed table: what it is called and how wide it may be."""

    key: str
    head: list[str]                          # header lines, printed one under another
    align: str = "center"                    # "left" for long text
    mark: bool = False                       # a ☑/□ column
    scale: float = 1.0                       # its type size relative to the table's (long serial numbers)
    dash_breaks: bool = False                # a long id may wrap after its "-" (masked serial numbers)
    extra: list[str] = Field(default_factory=list)  # other texts in the column (labels of rows below)


class TablePlan(BaseModel):
    """Column widths as fractions of the full width, and the font size that keeps words whole."""

    columns: list[Column]
    widths: list[float]
    size: float


def column_needs(column: Column, values: Iterable[str]) -> tuple[float, float]:
    """(natural, minimum) width in em: the widest value on one line, and the widest unbreakable part."""
    fixed = [text_em(h) for h in (*column.head, *column.extra)]
    natural = minimum = max(fixed, default=1.0)
    if column.mark:
        return max(natural, 1.2) + PAD_EM, max(minimum, 1.2) + PAD_EM
    body_natural = body_minimum = 0.0
    for value in values:
        body_natural = max(body_natural, text_em(value))
        body_minimum = max(body_minimum, unbreakable_em(value, column.dash_breaks))
    natural = max(natural, body_natural * column.scale)
    minimum = max(minimum, body_minimum * column.scale)
    if column.align == "left":
        minimum = max(minimum, min(natural, TEXT_EM))
    return natural + PAD_EM, minimum + PAD_EM


def share(natural: Sequence[float], minimum: Sequence[float], room: float) -> list[float]:
    """Widths in em that fill `room`: natural widths when they fit, else each column's minimum plus a
    share of what is left in proportion to how much it would like beyond its minimum."""
    if sum(natural) <= room:
        scale = room / sum(natural)
        return [w * scale for w in natural]
    spare = room - sum(minimum)
    wants = [n - m for n, m in zip(natural, minimum)]
    total = sum(wants) or 1.0
    return [m + spare * w / total for m, w in zip(minimum, wants)]


def plan_table(columns: list[Column], rows: Sequence[Sequence[object]], width_mm: float, size_pt: float) -> TablePlan:
    """Widths of `columns` for `rows` (cells in column order) on a line `width_mm` wide."""
    needs = [column_needs(c, {cell for row in rows if isinstance(cell := row[i], str)}) for i, c in enumerate(columns)]
    natural, minimum = [n for n, _ in needs], [m for _, m in needs]
    room = width_mm * PT_PER_MM / size_pt
    if sum(natural) > room:   # crowded: an id that may wrap (a masked serial) yields its room to the text
        natural = [m if c.dash_breaks else n for c, n, m in zip(columns, natural, minimum)]
    if sum(minimum) > room:   # even the words alone are too wide: smaller type, never broken ids
        size_pt = max(MIN_SIZE_PT, size_pt * room / sum(minimum))
        room = width_mm * PT_PER_MM / size_pt
        minimum = [m * min(1.0, room / sum(minimum)) for m in minimum]
    widths = share(natural, minimum, room)
    return TablePlan(columns=columns, widths=[round(w / room, 5) for w in widths], size=round(size_pt, 2))
