"""Licence arithmetic shared by the check and the scan reconciliation (pure functions).

- `term_end(term, purchased)`: last day a 许可期限 is valid; NEVER for 永久/长期, None when unknown.
- `unlimited_seats(licence_type)`: a 场地/不限 licence has no seat limit.
- `version_covered(installed, version, usable)`: is an installed version the licensed one or
  covered by 可使用版本 (lists such as `2016,2013`, `2016及以下`, `2013-2019`, `所有版本`).
"""
from __future__ import annotations

import calendar
import datetime as dt
import operator
import re
import unicodedata

import pandas as pd

from workbook_tools.core.values import parse_date_text

NEVER = dt.date.max  # sentinel: the licence never ends
PERMANENT_WORDS = ("永久", "长期", "无期限", "不限期", "无限期", "终身")
UNLIMITED_WORDS = ("场地", "不限", "无限")
ALL_VERSIONS = {"所有版本", "全部版本", "任意版本", "各版本", "不限", "不限版本", "所有", "全部", "*"}

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(\d+|[零一二两三四五六七八九十]+)"
_SPAN_RE = re.compile(rf"^(?:{_NUM}年)?(?:{_NUM}个?月)?(?:{_NUM}[天日])?(?:期|有效|有效期)?$")
_DATE_IN_TEXT = re.compile(r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?")
_LIST_SEP = re.compile(r"[,，、;；/|]+")
_RANGE_RE = re.compile(r"^(.+?)(?:-|~|～|—|–|至|到)(.+)$")
_AT_MOST = ("及以下", "以下", "及之前", "之前", "及更早", "及更低", "或更低", "或更早")
_AT_LEAST = ("及以上", "以上", "及之后", "之后", "及更高", "或更高", "及更新", "或更新")


def _compact(text: object) -> str:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def _cn_number(token: str | None) -> int:
    if not token:
        return 0
    if token.isdigit():
        return int(token)
    if "十" in token:
        tens, _, ones = token.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(token, 0)


def add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def parse_span(term: str) -> tuple[int, int] | None:
    """(months, days) of a span such as 3年, 36个月, 1年6个月, 三年, 90天; None otherwise."""
    text = _compact(term)
    m = _SPAN_RE.match(text)
    if not text or not m or not any(m.groups()):
        return None
    months = _cn_number(m.group(1)) * 12 + _cn_number(m.group(2))
    days = _cn_number(m.group(3))
    return (months, days) if months or days else None


def is_permanent(term: object) -> bool:
    text = _compact(term)
    return any(word in text for word in PERMANENT_WORDS)


def term_end(term: object, purchased: dt.date | None) -> dt.date | None:
    """Last valid day of a 许可期限; NEVER for 永久/长期; None when it cannot be told."""
    text = _compact(term)
    if not text:
        return None
    if is_permanent(text):
        return NEVER
    dates = [d for d in (parse_date_text(s) for s in _DATE_IN_TEXT.findall(text)) if d]
    if dates:
        return dates[-1]
    span = parse_span(text)
    if span is None or purchased is None or pd.isna(purchased):
        return None
    if isinstance(purchased, dt.datetime):
        purchased = purchased.date()
    months, days = span
    return add_months(purchased, months) + dt.timedelta(days=days - 1)


def term_readable(term: object) -> bool:
    """Whether a 许可期限 is a date, 永久/长期 or a span (readability only, no purchase date needed)."""
    text = _compact(term)
    if not text:
        return True
    return is_permanent(text) or bool(_DATE_IN_TEXT.search(text)) or parse_span(text) is not None


def unlimited_seats(licence_type: object) -> bool:
    text = _compact(licence_type)
    return any(word in text for word in UNLIMITED_WORDS)


def version_key(version: object) -> tuple[int, ...]:
    """Numeric parts of a version without trailing zeros: 'V8.0' -> (8,), '2016' -> (2016,)."""
    parts = [int(p) for p in re.findall(r"\d+", _compact(version))]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def same_version(a: object, b: object) -> bool:
    ka, kb = version_key(a), version_key(b)
    if ka and kb:
        return ka == kb
    return _compact(a).casefold() == _compact(b).casefold() != ""


def _covers(item: str, installed: str) -> bool:
    if item in ALL_VERSIONS or item.casefold() in ("all", "any"):
        return True
    key = version_key(installed)
    for words, cmp in ((_AT_MOST, operator.le), (_AT_LEAST, operator.ge)):
        for word in words:
            if item.endswith(word) and item[: -len(word)]:
                bound = version_key(item[: -len(word)])
                return bool(key and bound) and bool(cmp(key, bound))
    m = _RANGE_RE.match(item)
    if m and version_key(m.group(1)) and version_key(m.group(2)) and key:
        low, high = sorted((version_key(m.group(1)), version_key(m.group(2))))
        return low <= key <= high
    return same_version(item, installed)


def version_covered(installed: object, version: object, usable: object) -> bool:
    """An installed version is licensed when it is the 附件7 version or 可使用版本 covers it.

    An empty installed version cannot be judged and counts as covered.
    """
    inst = _compact(installed)
    if not inst:
        return True
    if _compact(version) and same_version(inst, version):
        return True
    items = [i for i in _LIST_SEP.split(_compact(usable)) if i]
    return any(_covers(item, inst) for item in items)
