"""Book.prefetch: a sheet's values read in a worker thread give exactly what a read on demand gives, and a read that
fails says so when the values are asked for (not in the thread, not silently)."""
from __future__ import annotations

from pathlib import Path

import pytest
from builders import make_ledger

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.xlsx.book import Book
from workbook_tools.xlsx.package import Package


@pytest.fixture
def ledger(tmp_path) -> Path:
    rows = [{"计算机编号": f"JSJ-{i:03d}", "姓名": f"用户{i}", "软件名称": "WPS Office", "软件版本": f"{i}.0"} for i in range(8)]
    return make_ledger(tmp_path, "台账.xlsx", **{"8": rows})


def read(path: Path, prefetch: bool) -> list[list[object]]:
    pkg = Package.open(path)
    try:
        book = Book(pkg, None)
        if prefetch:
            book.prefetch(schema.A8)
            book.prefetch(schema.A8)     # asked twice: read once
        return book.raw(schema.A8)
    finally:
        pkg.close()


def test_prefetched_values_are_those_of_a_read_on_demand(ledger):
    rows = read(ledger, prefetch=True)
    assert rows == read(ledger, prefetch=False) and len(rows) > 5


def test_a_failed_prefetch_is_raised_where_the_values_are_used(ledger, monkeypatch):
    from workbook_tools.xlsx import book as book_module

    def broken(path, only=None):
        raise LedgerError("读不出", 2)

    pkg = Package.open(ledger)
    try:
        book = Book(pkg, None)
        monkeypatch.setattr(book_module, "read_raw", broken)
        book.prefetch(schema.A8)
        with pytest.raises(LedgerError):
            book.raw(schema.A8)
    finally:
        pkg.close()
