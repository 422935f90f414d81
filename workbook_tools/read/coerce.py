"""Turning raw cell values into typed values (LEDGER_SPEC §1), one column at a time.

Each coercer takes a whole column of raw values and returns the typed values plus the
positions it could not read; the caller turns those into TYPE-* findings.  Nothing
here raises on bad data.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Sequence

from workbook_tools.core.schema import Kind
from workbook_tools.core.values import is_blank, parse_date_text, serial_date

FIRST_DAY = dt.date(1900, 1, 1)   # Excel's serial 1; earlier "dates" come from 0, negative or NaN serials
EXCEL_MAX_TEXT = 32_767           # characters Excel keeps in one cell
# Characters XML 1.0 (so an xlsx cell) cannot hold: C0 controls except tab, line feed, carriage return.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
YEAR_MIN, YEAR_MAX = 1900, 2100  # a number in this range in a date cell is a year, not a serial

_NUMBER_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")


class Bad:
    """Marker for an unreadable value (kept apart from a legitimately empty one)."""

    __slots__ = ()


BAD = Bad()




def clean_text(value: object) -> str | None:
    """Trim (including full-width spaces); numbers lose a trailing .0."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip(" \u3000\t\r\n")


def _number_to_date(number: float, date1904: bool = False) -> dt.date | Bad:
    """An Excel serial of the workbook's date system. A bare year (2024) is not guessed into a 1905 date;
    20240305 reads as compact text."""
    if number.is_integer() and YEAR_MIN <= number <= YEAR_MAX:
        return BAD
    if number.is_integer() and YEAR_MIN * 10000 <= number <= YEAR_MAX * 10000 + 1231:
        return parse_date_text(str(int(number))) or BAD
    return serial_date(number, date1904) or BAD


def to_date(value: object, date1904: bool = False) -> dt.date | Bad | None:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value if value >= FIRST_DAY else BAD
    if isinstance(value, bool):
        return BAD
    if isinstance(value, (int, float)):
        return _number_to_date(float(value), date1904)
    text = str(value)
    parsed = parse_date_text(text)
    if parsed is not None:
        return parsed
    norm = unicodedata.normalize("NFKC", text).strip()
    if _NUMBER_RE.match(norm):  # a serial typed as text
        return _number_to_date(float(norm), date1904)
    return BAD


def to_number(value: object, allow_negative: bool = False) -> float | Bad | None:
    """Money and counts: numbers, or text with ¥￥,元 and 万 (1.2万 = 12000)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return BAD
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        s = unicodedata.normalize("NFKC", str(value)).strip()
        s = s.replace(",", "").replace("¥", "").replace("元", "").replace(" ", "")
        factor = 1.0
        if s.endswith("万"):
            s, factor = s[:-1], 10000.0
        if not _NUMBER_RE.match(s):
            return BAD
        number = float(s) * factor
    if math.isnan(number) or math.isinf(number) or (number < 0 and not allow_negative):
        return BAD
    return round(number, 6)


_COUNT_UNIT = re.compile(r"\s*[个套份]$")


def to_count(value: object) -> float | Bad | None:
    """A count (许可数量, 安装数量, 许可数): a number, also written with its unit — 5个, 5 套, 5份."""
    if isinstance(value, str) and not is_blank(value):
        value = _COUNT_UNIT.sub("", unicodedata.normalize("NFKC", value).strip()) or "?"
    return to_number(value)


def to_term(value: object) -> str | Bad | None:
    """Licence term: a date (kept as ISO text), 永久/长期, or a span such as 3年."""
    if is_blank(value):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        day = to_date(value)
        return day if day is BAD else day.isoformat()  # type: ignore[union-attr]
    text = clean_text(value)
    parsed = parse_date_text(text) if text else None
    return parsed.isoformat() if parsed else text


def _cached(fn: Callable[[object], object]) -> Callable[[Sequence[object]], list[object]]:
    def run(values: Sequence[object]) -> list[object]:
        cache: dict[object, object] = {}
        out = []
        for v in values:
            if isinstance(v, (str, float, int)) and not isinstance(v, bool):
                key = (type(v), v)
                hit = cache.get(key, cache)
                if hit is cache:
                    hit = cache[key] = fn(v)
                out.append(hit)
            else:
                out.append(fn(v))
        return out

    return run


COERCERS: dict[Kind, Callable[[Sequence[object]], list[object]]] = {
    Kind.TEXT: _cached(clean_text),
    Kind.ID: _cached(clean_text),
    Kind.VERSION: _cached(clean_text),
    Kind.ENUM: _cached(clean_text),
    Kind.TERM: _cached(to_term),
    Kind.DATE: _cached(to_date),
    Kind.DATETIME: _cached(lambda v: v if isinstance(v, dt.datetime) and v.date() >= FIRST_DAY else to_date(v)),
    Kind.MONEY: _cached(to_number),
    Kind.COUNT: _cached(to_count),
}


# A workbook in the 1904 date system (<workbookPr date1904="1"/>): serial numbers in date columns count from 1904.
COERCERS_1904: dict[Kind, Callable[[Sequence[object]], list[object]]] = {
    **COERCERS,
    Kind.DATE: _cached(lambda v: to_date(v, date1904=True)),
    Kind.DATETIME: _cached(lambda v: v if isinstance(v, dt.datetime) and v.date() >= FIRST_DAY
                           else to_date(v, date1904=True)),
}


def coerce(kind: Kind, values: Sequence[object], date1904: bool = False) -> list[object]:
    """Typed values for one column; unreadable ones come back as BAD."""
    return (COERCERS_1904 if date1904 else COERCERS)[kind](values)
