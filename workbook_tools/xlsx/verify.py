"""Checking a written package against the original before it replaces the ledger.

- every part the write does not own is byte-identical to the original's (same stored bytes,
  CRC, sizes and method);
- the new package reads back (python-calamine) with the sheets expected, in order;
- every sheet the write patched still has its header where it was, every value the write put
  reads back as written, and no data row vanished or appeared but those the write meant.
Only the patched and generated sheets are read, not the whole workbook.  A large sheet of which a
write touched only a few rows (one install appended to a 附件9 of 150,000 events) is not read again
whole: its stored bytes are inflated and compared with what was meant, its rows must be the rows
it had plus the appended ones, and the touched rows are parsed and their values compared.
"""
from __future__ import annotations

import datetime as dt
import math
import zipfile
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from workbook_tools.core.model import LedgerError
from workbook_tools.core.values import to_serial
from workbook_tools.read.parse import find_header
from workbook_tools.read.reader import read_raw
from workbook_tools.read.sniff import ZIP_ERRORS
from workbook_tools.xlsx.book import Book, TableEdit
from workbook_tools.xlsx.cells import unescape_text
from workbook_tools.xlsx.package import MAIN_NS, Package, raw_digest
from workbook_tools.xlsx.sheetxml import SheetXml, split_row

Rows = Sequence[Sequence[object]]


class VerifyError(LedgerError):
    def __init__(self, detail: str):
        super().__init__(f"保存校验失败（{detail}），已取消写入，原文件未改动", 2)


BIG_PART = 8 << 20          # bytes of sheet XML above which a lightly touched sheet is spliced, not re-read
LIGHT_SHARE = 20            # "lightly": at most one row in LIGHT_SHARE touched


def verify(tmp: Path, pkg: Package, book: Book) -> None:
    _verify_parts(tmp, pkg)
    spliced = {t.name for t in book.tables.values() if t.patch and _spliceable(pkg, t)}
    _verify_sheets(tmp, book, skip=spliced)
    for name in spliced:
        _verify_splice(tmp, pkg, book.tables[name])


def _spliceable(pkg: Package, table: TableEdit) -> bool:
    size = len(pkg.read(table.part))
    return size > BIG_PART and len(table.patch.ops) * LIGHT_SHARE <= max(len(table.rows_before), 1)


def _verify_splice(tmp: Path, pkg: Package, table: TableEdit) -> None:
    with zipfile.ZipFile(tmp) as zf:
        try:
            stored = zf.read(table.part)
        except ZIP_ERRORS:
            raise VerifyError(f"工作表「{table.name}」的部件无法读回") from None
    meant = pkg.read(table.part)
    if stored != meant:
        raise VerifyError(f"工作表「{table.name}」的部件与预期不一致")
    sheet = SheetXml(stored)
    if sheet.index.numbers != sorted(set(table.rows_before) | set(table.patch.ops) - _vanished(sheet, table)):
        raise VerifyError(f"工作表「{table.name}」的行与预期不一致")
    date1904 = table.book.date1904
    for row, ops in table.patch.ops.items():
        chunk = sheet.chunk(row)
        found = row_values(sheet, chunk) if chunk is not None else {}
        for col, op in ops.items():
            if op.value is not None and row != table.header_row and not same_value(op.expect, found.get(col), date1904):
                raise VerifyError(f"工作表「{table.name}」第 {row} 行的值读回不一致")


def _vanished(sheet: SheetXml, table: TableEdit) -> set[int]:
    """New rows the patch left without any cell (nothing to write there)."""
    return {r for r in table.patch.ops if r not in table.rows_before and sheet.chunk(r) is None}


def row_values(sheet: SheetXml, chunk: bytes) -> dict[int, object]:
    """Column -> value of the cells of one row the writer wrote (inline strings, numbers, booleans).

    Dates come back as serial numbers and are compared as such (see same_value).
    """
    prefix = sheet.g.prefix[:-1]
    declare = b"xmlns" + (b":" + prefix if prefix else b"") + b'="' + MAIN_NS.encode() + b'"'
    out: dict[int, object] = {}
    for col, el in split_row(sheet.g, chunk)[1].items():
        try:
            node = etree.fromstring(b"<w " + declare + b">" + el + b"</w>")[0]
        except etree.XMLSyntaxError:
            raise VerifyError("写入的单元格不是有效的 XML") from None
        kind = node.get("t")
        text = "".join(str(t) for t in node.itertext())
        if kind == "inlineStr":
            out[col] = unescape_text(text)
        elif kind == "b":
            out[col] = text == "1"
        elif text:
            out[col] = float(text) if kind in (None, "n") else text
    return out


def _verify_parts(tmp: Path, pkg: Package) -> None:
    try:
        with zipfile.ZipFile(tmp) as zf:
            infos = {i.filename: i for i in zf.infolist()}
    except ZIP_ERRORS:
        raise VerifyError("新文件不是完整的压缩包") from None
    if list(infos) != pkg.names():
        raise VerifyError("新文件的部件与预期不一致")
    for name in pkg.untouched():
        old, new = pkg.members[name].info, infos[name]
        assert old is not None  # an untouched member is a source member
        same = (old.CRC, old.file_size, old.compress_size, old.compress_type) == \
               (new.CRC, new.file_size, new.compress_size, new.compress_type)
        if not same or raw_digest(pkg.path, old) != raw_digest(tmp, new):
            raise VerifyError(f"部件 {name} 与原文件不一致")


def _verify_sheets(tmp: Path, book: Book, skip: frozenset[str] | set[str] = frozenset()) -> None:
    wanted = ({t.name for t in book.tables.values() if t.patch} | set(book.generated)) - skip
    raw, names = read_raw(tmp, only=wanted)
    if names != book.sheet_names:
        raise VerifyError("新文件的工作表与预期不一致")
    for name in wanted - set(raw):
        raise VerifyError(f"工作表「{name}」无法读回")
    for table in book.tables.values():
        if table.patch and table.name not in skip:
            _verify_table(table, *raw[table.name])


def _value(rows: Rows, first_row: int, first_col: int, row: int, col: int) -> object:
    i, j = row - first_row, col - 1 - first_col
    if 0 <= i < len(rows) and 0 <= j < len(rows[i]):
        return rows[i][j]
    return None


def same_value(expected: object, found: object, date1904: bool = False) -> bool:
    """Whether a value read back is the one written; a date read back as a serial number is compared
    in the workbook's date system."""
    if expected is None or expected == "":
        return found is None or found == ""
    if isinstance(expected, bool) or isinstance(found, bool):
        return expected == found
    if isinstance(expected, (int, float)):
        return isinstance(found, (int, float)) and math.isclose(float(expected), float(found), rel_tol=1e-12,
                                                                 abs_tol=1e-9)
    if isinstance(expected, (dt.date, dt.datetime)) and isinstance(found, float):
        return math.isclose(to_serial(expected, date1904), found, abs_tol=1e-6)
    if isinstance(expected, dt.datetime):
        if isinstance(found, dt.datetime):
            return abs((found - expected.replace(tzinfo=None)).total_seconds()) < 0.002
        return isinstance(found, dt.date) and expected.time() == dt.time() and found == expected.date()
    if isinstance(expected, dt.date):
        if isinstance(found, dt.datetime):
            return found.time() == dt.time() and found.date() == expected
        return found == expected
    return found == expected


def _verify_table(table: TableEdit, rows: Rows, first_row: int, first_col: int) -> None:
    found = find_header(rows, table.spec)
    if found is None or first_row + found[0] != table.header_row:
        raise VerifyError(f"工作表「{table.name}」的表头不在原来的位置")
    cols = {h: first_col + j + 1 for h, j in found[1].items()}
    if any(cols.get(h) != c for h, c in table.cols.items()):
        raise VerifyError(f"工作表「{table.name}」的列与预期不一致")
    written: set[int] = set()
    for row, ops in table.patch.ops.items():
        i = row - first_row
        values = rows[i] if 0 <= i < len(rows) and row != table.header_row else None
        if values is None and row == table.header_row:
            continue
        filled = False
        for col, op in ops.items():
            if op.value is None:
                continue
            j = col - 1 - first_col
            got = values[j] if values is not None and 0 <= j < len(values) else None
            expect = op.expect
            if got != expect and not same_value(expect, got):
                raise VerifyError(f"工作表「{table.name}」第 {row} 行的值读回不一致")
            filled = filled or (expect is not None and expect != "")
        if filled:
            written.add(row)
    columns = sorted(table.cols.values())
    after = {first_row + i for i, r in enumerate(rows) if first_row + i > table.header_row and any(
        _value(rows, first_row, first_col, first_row + i, c) not in (None, "") for c in columns)}
    untouched = set(table.data_rows) - set(table.patch.ops)
    if not (untouched | written) <= after or not after <= set(table.data_rows) | written:
        raise VerifyError(f"工作表「{table.name}」的数据行数与预期不一致")
