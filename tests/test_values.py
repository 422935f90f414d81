"""core/values.py: blank, display and the one Excel serial converter (both date systems)."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from workbook_tools.core.values import (
    from_serial,
    is_blank,
    is_empty,
    is_missing,
    serial_date,
    show,
    show_exact,
    show_raw,
    to_serial,
)
from workbook_tools.read.coerce import to_date
from workbook_tools.xlsx.cells import encode

D = dt.date
EXCEL_1900 = [(1, D(1900, 1, 1)), (2, D(1900, 1, 2)), (31, D(1900, 1, 31)), (59, D(1900, 2, 28)),
              (61, D(1900, 3, 1)), (366, D(1900, 12, 31)), (45000, D(2023, 3, 15)), (2958465, D(9999, 12, 31))]
EXCEL_1904 = [(0, D(1904, 1, 1)), (1, D(1904, 1, 2)), (59, D(1904, 2, 29)), (43538, D(2023, 3, 15))]


@pytest.mark.parametrize(("serial", "day"), EXCEL_1900)
def test_1900_serials_both_ways(serial, day):
    assert to_serial(day) == serial
    assert serial_date(serial) == day
    assert encode(day).body == f"<v>{serial}</v>".encode()


@pytest.mark.parametrize(("serial", "day"), EXCEL_1904)
def test_1904_serials_both_ways(serial, day):
    assert to_serial(day, date1904=True) == serial
    assert serial_date(serial, date1904=True) == day
    assert encode(day, date1904=True).body == f"<v>{serial}</v>".encode()


def test_the_fictitious_1900_02_29_and_out_of_range_serials_are_no_date():
    assert serial_date(60) is None
    assert serial_date(0) is None and serial_date(-1) is None and serial_date(2958466) is None
    assert serial_date(-1, date1904=True) is None and serial_date(math.nan) is None


def test_times_are_the_fraction_of_a_day():
    assert to_serial(dt.datetime(2024, 3, 5, 18, 0)) == to_serial(D(2024, 3, 5)) + 0.75
    assert from_serial(to_serial(dt.datetime(1900, 1, 5, 6, 0))) == dt.datetime(1900, 1, 5, 6, 0)
    assert from_serial(45000.5, date1904=True) == dt.datetime(2027, 3, 16, 12, 0)


def test_the_reader_reads_early_serials_as_excel_shows_them():
    assert to_date(1.0) == D(1900, 1, 1) and to_date(59.0) == D(1900, 2, 28) and to_date(61.0) == D(1900, 3, 1)
    assert to_date(0.0, date1904=True) == D(1904, 1, 1) and to_date("43538", date1904=True) == D(2023, 3, 15)


def test_empty_blank_and_missing_are_kept_apart():
    for value in (None, math.nan, pd.NaT, pd.NA, ""):
        assert is_empty(value) and is_blank(value)
    assert is_blank(" \u3000\t") and not is_empty(" \u3000\t")
    assert not is_blank("0") and not is_blank(0) and not is_empty(False)
    assert is_missing(None) and is_missing(pd.NaT) and is_missing(math.nan) and not is_missing("")


def test_the_three_displays():
    stamp = pd.Timestamp(2024, 3, 5, 8, 30)
    assert show(stamp) == "2024-03-05" and show(3.0) == "3" and show(2.5) == "2.5" and show(None) == ""
    assert show_raw(stamp) == "2024-03-05 08:30:00" and show_raw(3.0) == "3"
    assert show_exact(0.1 + 0.2) == repr(0.1 + 0.2) and show(0.1 + 0.2) == "0.3"
    assert show_exact(D(2024, 3, 5)) == "2024-03-05" and show_exact(stamp) == "2024-03-05"
