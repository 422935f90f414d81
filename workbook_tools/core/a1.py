"""A1 cell references and the size of Excel's grid — the only converters.

Numbering is explicit in every name:
- `row`, `col`: 1-based worksheet numbers (row 1, column A = 1), as in the XML and the A1 text;
- `col_index`, `row_index`: 0-based positions in a list of values (column A = 0).
"""
from __future__ import annotations

import re

MAX_ROW = 1_048_576          # Excel's last row
MAX_COL = 16_384             # Excel's last column, XFD
_REF = re.compile(r"([A-Z]{1,3})(\d+)")


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


_LETTERS = [""] + [_letters(n) for n in range(1, 703)]   # A … ZZ: every ledger column, precomputed


def col_letters(col: int) -> str:
    """1-based column number -> letters (1 -> A, 27 -> AA; beyond XFD too)."""
    return _LETTERS[col] if 0 < col < len(_LETTERS) else _letters(col)


def col_number(letters: bytes | str) -> int:
    """Letters -> 1-based column number (A -> 1, XFD -> 16384; either case)."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.upper().decode():
        n = n * 26 + ord(ch) - 64
    return n


def col_index(letters: bytes | str) -> int:
    """Letters -> 0-based column index (A -> 0)."""
    return col_number(letters) - 1


def cell_ref(row: int, col: int) -> str:
    """1-based row and column -> 'C7'."""
    return f"{col_letters(col)}{row}"


def parse_ref(ref: str) -> tuple[int, int]:
    """'C7' or '$C$7' -> (7, 3), both 1-based; ValueError for anything else (lower case too)."""
    m = _REF.fullmatch(ref.replace("$", ""))
    if m is None:
        raise ValueError(ref)
    return int(m.group(2)), col_number(m.group(1))


def a1(row: int, col_index: int) -> str:
    """A worksheet row (1-based) and a table's column index (0-based) -> 'C7'."""
    return cell_ref(row, col_index + 1)


def index_ref(row_index: int, col_index: int) -> str:
    """0-based row and column indexes -> A1 ('A1' for (0, 0))."""
    return cell_ref(row_index + 1, col_index + 1)
