"""Reading a ledger file: one call from a path to a typed Ledger (python-calamine)."""
from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbook_tools import schema
from workbook_tools.io.parse import Rows, parse_workbook
from workbook_tools.io.sniff import sniff_xlsx
from workbook_tools.ledger import Ledger
from workbook_tools.model import LedgerError


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_raw(path: Path, only: set[str] | None = None) -> tuple[dict[str, tuple[Rows, int, int]], list[str]]:
    """Every sheet's values in one call each: {name: (rows, first_row, first_col)}, all sheet names."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, XmlError, ZipError  # noqa: PLC0415

    errors = (CalamineError, PasswordError, XmlError, ZipError, OSError, ValueError)

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except errors as exc:
        raise LedgerError(f"{path.name} 无法读取：{exc}") from None
    raw: dict[str, tuple[Rows, int, int]] = {}
    try:
        for name in wb.sheet_names:
            if only is not None and name not in only:
                continue
            sheet = wb.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=True)
            start = sheet.start or (0, 0)
            raw[name] = (rows, start[0] + 1, start[1])
        return raw, list(wb.sheet_names)
    except errors as exc:
        raise LedgerError(f"{path.name} 无法读取：{exc}") from None
    finally:
        wb.close()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: reading creates millions of cells and rows (no cycles among
    them), and every automatic collection would walk all of them again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_ledger(path: str | Path) -> Ledger:
    """Read and parse a ledger; LedgerError (exit 2) when it cannot be read at all."""
    path = Path(path)
    sniff_xlsx(path)
    wanted = {s.name for s in schema.data_sheets()}
    with gc_paused():
        raw, names = read_raw(path, only=wanted)
        ledger = parse_workbook(raw, names)
        del raw
    ledger.path = path
    ledger.sha256 = file_sha256(path)
    return ledger
