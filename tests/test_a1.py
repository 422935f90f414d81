"""core/a1.py: the one A1 converter, 1-based and 0-based made explicit."""
from __future__ import annotations

import pytest

from workbook_tools.core.a1 import (
    MAX_COL,
    MAX_ROW,
    a1,
    cell_ref,
    col_index,
    col_letters,
    col_number,
    index_ref,
    parse_ref,
)


@pytest.mark.parametrize(("col", "letters"), [(1, "A"), (26, "Z"), (27, "AA"), (702, "ZZ"), (703, "AAA"),
                                              (MAX_COL, "XFD"), (MAX_COL + 1, "XFE")])
def test_columns_both_ways(col, letters):
    assert col_letters(col) == letters
    assert col_number(letters) == col == col_number(letters.lower().encode())
    assert col_index(letters) == col - 1


def test_references_say_which_numbering_they_use():
    assert cell_ref(7, 3) == "C7" == a1(7, 2) == index_ref(6, 2)
    assert parse_ref("C7") == (7, 3) == parse_ref("$C$7")
    assert cell_ref(MAX_ROW, MAX_COL) == "XFD1048576"
    for bad in ("c7", "7C", "C", "ABCD1", ""):
        with pytest.raises(ValueError):
            parse_ref(bad)
