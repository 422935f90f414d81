"""Cell values: what counts as blank, how a value is shown in a message, and Excel date serials.

Blank comes in two strengths, kept apart on purpose:
- `is_empty`: nothing stored at all (None, NaN, NaT, pd.NA, or the empty string) — what a writer
  treats as "clear the cell";
- `is_blank`: empty, or text of nothing but spaces (ASCII, full-width U+3000, tabs, line breaks) —
  what a reader and a printed form treat as "not filled in".

Excel serials: in the 1900 date system serial 1 is 1900-01-01 and 59 is 1900-02-28; Excel keeps a
fictitious 1900-02-29 as serial 60 (Lotus 1-2-3's leap-year bug), so from 61 (1900-03-01) on, serial
n is 1899-12-30 + n days.  In the 1904 date system (`<workbookPr date1904="1"/>`, old Excel for Mac
files) serial 0 is 1904-01-01.  `to_serial` and `from_serial` are the only converters.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

import pandas as pd

_EPOCH_1900_EARLY = dt.datetime(1899, 12, 31)   # serials 1…59 (before the fictitious 1900-02-29)
_EPOCH_1900 = dt.datetime(1899, 12, 30)         # serials 61 on
_EPOCH_1904 = dt.datetime(1904, 1, 1)
_MARCH_1900 = dt.datetime(1900, 3, 1)
FICTITIOUS_SERIAL = 60                          # Excel's 1900-02-29
MAX_SERIAL_1900 = 2958465                       # 9999-12-31
MAX_SERIAL_1904 = MAX_SERIAL_1900 - 1462
DAY_SECONDS = 86400
BLANK_SPACES = " \u3000\t\r\n"


def is_empty(value: object) -> bool:
    """Nothing stored: None, NaN, NaT, pd.NA or ''."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value == ""


def is_blank(value: object) -> bool:
    """Empty, or text of nothing but spaces (full-width ones too)."""
    if isinstance(value, str):
        return not value.strip(BLANK_SPACES)
    return is_empty(value)


def is_missing(value: object) -> bool:
    """No value at all, for any type pandas knows (None, NaN, NaT, pd.NA); '' is a value."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def number_text(value: float) -> str:
    """A float as a user reads it: 3.0 -> '3', 2.5 -> '2.5'."""
    return str(int(value)) if value.is_integer() else f"{value:g}"


def show(value: object) -> str:
    """A cell value in a message: '' for missing, dates as YYYY-MM-DD, whole floats without '.0'."""
    if is_missing(value):
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def show_raw(value: object) -> str:
    """As `show`, but a date-time keeps its time (what a scan file or a user typed)."""
    if is_missing(value):
        return ""
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def show_exact(value: object) -> str:
    """A cell value as compared and logged by the roll-up: dates as YYYY-MM-DD (time dropped), whole
    floats without '.0', other floats in full precision (repr)."""
    if is_missing(value):
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def to_serial(value: dt.date | dt.datetime, date1904: bool = False) -> float:
    """An Excel serial (days, with the time as a fraction) for a date or date-time (tz dropped)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    value = value.replace(tzinfo=None)
    epoch = _EPOCH_1900_EARLY if value < _MARCH_1900 else _EPOCH_1900
    if date1904:
        epoch = _EPOCH_1904
    delta = value - epoch
    return delta.days + delta.seconds / DAY_SECONDS + delta.microseconds / (DAY_SECONDS * 1e6)


def from_serial(serial: float, date1904: bool = False) -> dt.datetime | None:
    """The date-time of an Excel serial; None outside the system's range and for 1900-02-29."""
    first = 0 if date1904 else 1
    last = MAX_SERIAL_1904 if date1904 else MAX_SERIAL_1900
    if not (first <= serial < last + 1) or math.isnan(serial):
        return None
    days = math.floor(serial)
    if date1904:
        epoch = _EPOCH_1904
    elif days == FICTITIOUS_SERIAL:
        return None
    else:
        epoch = _EPOCH_1900_EARLY if days < FICTITIOUS_SERIAL else _EPOCH_1900
    micro = round((serial - days) * DAY_SECONDS * 1e6)
    return epoch + dt.timedelta(days=days, microseconds=micro)


def serial_date(serial: float, date1904: bool = False) -> dt.date | None:
    """The day of an Excel serial (its time dropped); None as `from_serial`."""
    found = from_serial(serial, date1904)
    return None if found is None else found.date()


_DATE_RE = re.compile(
    r"^(?P<y>\d{4})\s*(?:[-/.年])\s*(?P<m>\d{1,2})\s*(?:[-/.月])\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_COMPACT_RE = re.compile(r"^(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})$")


def _valid_date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_date_text(text: str) -> dt.date | None:
    """Read 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305 (full-width digits too).

    A two-digit year or a month without a day is not guessed: None.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    m = _DATE_RE.match(s) or _COMPACT_RE.match(s)
    if not m:
        return None
    return _valid_date(int(m["y"]), int(m["m"]), int(m["d"]))
