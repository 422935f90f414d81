"""Licence arithmetic: terms, seat limits, version coverage."""
from __future__ import annotations

import datetime as dt

import pytest

from workbook_tools.core.licence import NEVER, term_end, term_readable, unlimited_seats, version_covered

BOUGHT = dt.date(2024, 1, 31)


@pytest.mark.parametrize("term, end", [
    ("2026-12-31", dt.date(2026, 12, 31)),
    ("至2026年12月31日", dt.date(2026, 12, 31)),
    ("2024-01-01至2025-06-30", dt.date(2025, 6, 30)),
    ("永久", NEVER),
    ("长期", NEVER),
    ("3年", dt.date(2027, 1, 30)),
    ("三年", dt.date(2027, 1, 30)),
    ("36个月", dt.date(2027, 1, 30)),
    ("1个月", dt.date(2024, 2, 28)),   # 31 Jan + 1 month = 29 Feb, valid through the day before
    ("1年6个月", dt.date(2025, 7, 30)),
    ("90天", dt.date(2024, 4, 29)),
    ("", None),
    ("一年半左右", None),
])
def test_term_end(term, end):
    assert term_end(term, BOUGHT) == end


def test_span_needs_a_purchase_date():
    assert term_end("3年", None) is None
    assert term_end("永久", None) is NEVER


def test_term_readable():
    assert term_readable("3年") and term_readable("2026-01-01") and term_readable("永久")
    assert not term_readable("看合同")


@pytest.mark.parametrize("licence_type, unlimited", [
    ("场地许可", True), ("不限数量", True), ("单机许可", False), (None, False), ("", False)])
def test_unlimited_seats(licence_type, unlimited):
    assert unlimited_seats(licence_type) is unlimited


@pytest.mark.parametrize("installed, version, usable, covered", [
    ("2019", "2019", None, True),
    ("V8.0", "8", None, True),
    ("2016", "2019", "2016,2013", True),
    ("2016", "2019", "2016、2013", True),
    ("2010", "2019", "2016、2013", False),
    ("2013", "2019", "2016及以下", True),
    ("2021", "2019", "2016及以下", False),
    ("2021", "2019", "2016以上", True),
    ("2016", "2019", "2013-2019", True),
    ("2010", "2019", "2013~2019", False),
    ("任何", "2019", "所有版本", True),
    ("", "2019", None, True),
    ("2013", "2019", None, False),
])
def test_version_covered(installed, version, usable, covered):
    assert version_covered(installed, version, usable) is covered
