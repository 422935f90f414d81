"""Checking a written package against the original before it replaces the ledger.

- every part the write does not own is byte-identical to the original's (same stored bytes,
  CRC, sizes and method);
- the new package reads back (python-calamine) with the sheets expected, in order;
- every sheet the write patched still has its header where it was, every value the write put
  reads back as written, and no data row vanished or appeared but those the write meant.
Only the patched and generated sheets are read, not the whole workbook.
"""
from __future__ import annotations

import datetime as dt
import math
import zipfile
from pathlib import Path

from workbook_tools.io.book import Book, TableEdit
from workbook_tools.io.package import Package, raw_digest
from workbook_tools.io.parse import find_header
from workbook_tools.io.sniff import ZIP_ERRORS
from workbook_tools.model import LedgerError

Rows = list[list[object]]


class VerifyError(LedgerError):
    def __init__(self, detail: str):
        super().__init__(f"保存校验失败（{detail}），已取消写入，原文件未改动", 2)


def verify(tmp: Path, pkg: Package, book: Book) -> None:
    _verify_parts(tmp, pkg)
    _verify_sheets(tmp, book)


def _verify_parts(tmp: Path, pkg: Package) -> None:
    try:
        with zipfile.ZipFile(tmp) as new:
            infos = {i.filename: i for i in new.infolist()}
    except ZIP_ERRORS:
        raise VerifyError("新文件不是完整的压缩包") from None
    if list(infos) != pkg.names():
        raise VerifyError("新文件的部件与预期不一致")
    for name in pkg.untouched():
        old, new = pkg.members[name].info, infos[name]
        same = (old.CRC, old.file_size, old.compress_size, old.compress_type) == \
               (new.CRC, new.file_size, new.compress_size, new.compress_type)
        if not same or raw_digest(pkg.path, old) != raw_digest(tmp, new):
            raise VerifyError(f"部件 {name} 与原文件不一致")


def _verify_sheets(tmp: Path, book: Book) -> None:
    from workbook_tools.io.reader import read_raw  # noqa: PLC0415

    wanted = {t.name for t in book.tables.values() if t.patch} | set(book.generated)
    raw, names = read_raw(tmp, only=wanted)
    if names != book.sheet_names:
        raise VerifyError("新文件的工作表与预期不一致")
    for name in wanted - set(raw):
        raise VerifyError(f"工作表「{name}」无法读回")
    for table in book.tables.values():
        if table.patch:
            _verify_table(table, *raw[table.name])


def _value(rows: Rows, first_row: int, first_col: int, row: int, col: int) -> object:
    i, j = row - first_row, col - 1 - first_col
    if 0 <= i < len(rows) and 0 <= j < len(rows[i]):
        return rows[i][j]
    return None


def same_value(expected: object, found: object) -> bool:
    if expected is None or expected == "":
        return found is None or found == ""
    if isinstance(expected, bool) or isinstance(found, bool):
        return expected == found
    if isinstance(expected, (int, float)):
        return isinstance(found, (int, float)) and math.isclose(float(expected), float(found), rel_tol=1e-12,
                                                                 abs_tol=1e-9)
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
        for col, op in ops.items():
            if op.value is None or row == table.header_row:
                continue
            value = _value(rows, first_row, first_col, row, col)
            if not same_value(op.expect, value):
                raise VerifyError(f"工作表「{table.name}」第 {row} 行的值读回不一致")
            if op.expect is not None and op.expect != "":
                written.add(row)
    columns = sorted(table.cols.values())
    after = {first_row + i for i, r in enumerate(rows) if first_row + i > table.header_row and any(
        _value(rows, first_row, first_col, first_row + i, c) not in (None, "") for c in columns)}
    untouched = set(table.data_rows) - set(table.patch.ops)
    if not (untouched | written) <= after or not after <= set(table.data_rows) | written:
        raise VerifyError(f"工作表「{table.name}」的数据行数与预期不一致")
