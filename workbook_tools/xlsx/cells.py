"""Typed values as worksheet cell XML — never a formula.

Every value the tool writes becomes a number, a date serial, a boolean or an inline string
(`t="inlineStr"`, so sharedStrings.xml is never touched).  A text beginning with `=` is just
text: there is no path from data to `<f>`.  Characters XML 1.0 cannot hold are written in
Excel's `_xHHHH_` form (and a literal `_xHHHH_` in the data is escaped as `_x005F_xHHHH_`), so
Excel, LibreOffice and python-calamine read back exactly the string that was written.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from workbook_tools.core.model import LedgerError
from workbook_tools.core.values import is_empty, to_serial

MAX_TEXT = 32767                       # Excel's limit of characters in one cell
FORMULA_LEAD = ("=", "+", "-", "@")   # texts Excel would take as a formula when typed
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LITERAL_ESCAPE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
ValueKind = Literal["blank", "text", "number", "date", "datetime", "bool"]


@dataclass(frozen=True)
class Encoded:
    kind: ValueKind
    body: bytes          # what stands inside <c ...>…</c>, without the element itself
    cell_type: str | None = None   # the t attribute

    @property
    def is_text(self) -> bool:
        return self.kind == "text"


BLANK = Encoded("blank", b"")


def escape_text(text: str) -> str:
    """Text as the content of <t>: XML-escaped, characters XML cannot hold as _xHHHH_."""
    text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    text = _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text.translate(_ESCAPES)


def text_body(text: str) -> bytes:
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text or "\t" in text else ""
    return f"<is><t{space}>{escape_text(text)}</t></is>".encode()


def number_text(number: float) -> str:
    if not math.isfinite(number):
        raise ValueError(number)
    if float(number).is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(float(number))


_CACHE: dict[tuple[type, object, bool], Encoded] = {}
_CACHE_LIMIT = 200_000


def encode(value: object, where: str = "", date1904: bool = False) -> Encoded:
    """The cell content for a typed value; LedgerError for what no cell can hold (cached by value).

    Dates become serials of the workbook's date system (`date1904`: <workbookPr date1904="1"/>)."""
    kind = type(value)
    if kind in (str, int, float, dt.date, dt.datetime):
        key = (kind, value, date1904)
        found = _CACHE.get(key)
        if found is None:
            found = _encode(value, where, date1904)
            if len(_CACHE) < _CACHE_LIMIT:
                _CACHE[key] = found
        return found
    return _encode(value, where, date1904)


def _encode(value: object, where: str, date1904: bool = False) -> Encoded:
    if type(value) is int and abs(value) < 10**15:
        return Encoded("number", b"<v>%d</v>" % value)
    if is_empty(value):
        return BLANK
    if isinstance(value, (bool, np.bool_)):
        return Encoded("bool", f"<v>{int(bool(value))}</v>".encode(), "b")
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        kind: ValueKind = "date" if value.time() == dt.time() else "datetime"
        return Encoded(kind, f"<v>{number_text(round(to_serial(value, date1904), 10))}</v>".encode())
    if isinstance(value, dt.date):
        return Encoded("date", f"<v>{number_text(to_serial(value, date1904))}</v>".encode())
    if isinstance(value, (int, float, np.integer, np.floating)):
        number = float(value)
        if not math.isfinite(number):
            raise LedgerError(f"{where}的数值 {value} 不是有限的数，不能写入".lstrip("的"), 2)
        return Encoded("number", f"<v>{number_text(number)}</v>".encode())
    text = str(value)
    if len(text) > MAX_TEXT:
        raise LedgerError(f"{where}的文字有 {len(text)} 个字符，超过 Excel 单元格上限 {MAX_TEXT}，不能写入".lstrip("的"), 2)
    return Encoded("text", text_body(text), "inlineStr")


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_LEAD)


def openpyxl_text(text: str) -> str:
    """A text for a cell of a sheet built with openpyxl (which refuses control characters):
    the characters XML cannot hold as Excel's _xHHHH_, read back as the original by every reader."""
    text = _LITERAL_ESCAPE.sub(r"_x005F_\1", text)
    return _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


_ESCAPED = re.compile("_x([0-9A-Fa-f]{4})_")


def unescape_text(text: str) -> str:
    """The reader's side of escape_text: _xHHHH_ back to the character."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
