"""Reading a ledger file: one call from a path to a typed Ledger (python-calamine)."""
from __future__ import annotations

import gc
import hashlib
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import Finding, LedgerError, Severity
from workbook_tools.read.extent import SheetGuard
from workbook_tools.read.parse import Rows, parse_workbook
from workbook_tools.read.sniff import sheet_name_problem, sniff_xlsx
from workbook_tools.read.workbook import is_date1904, repaired_copy

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_errors() -> tuple[type[BaseException], ...]:
    from python_calamine import CalamineError, PasswordError, XmlError, ZipError  # noqa: PLC0415

    return (CalamineError, PasswordError, XmlError, ZipError, OSError, ValueError)


XLSX_SUFFIXES = (".xlsx", ".xlsm")


def _open(path: Path) -> CalamineWorkbook:
    from python_calamine import CalamineWorkbook  # noqa: PLC0415

    try:
        if path.suffix.lower() in XLSX_SUFFIXES:
            return CalamineWorkbook.from_path(str(path))
        # the sniffer found an xlsx behind another extension (e.g. renamed .xls): read it by its content
        with path.open("rb") as fh:
            return CalamineWorkbook.from_filelike(fh)
    except _read_errors() as exc:
        repaired = repaired_copy(path)   # sheet entries without a part (r:id=""), which Excel skips
        if repaired is not None:
            try:
                return CalamineWorkbook.from_filelike(repaired)
            except _read_errors():
                pass
        raise LedgerError(f"{path.name} 无法读取：文件内容已损坏或格式不受支持", detail=str(exc)) from None


def _read_sheet(wb: CalamineWorkbook, guard: SheetGuard, name: str) -> tuple[Rows, int, int]:
    """One sheet's values; `guard` first makes sure calamine's rectangle stays bounded (io/extent.py)."""
    guard.check(name)
    try:
        sheet = wb.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=True)
    except BaseException as exc:  # a Rust panic arrives as pyo3's PanicException, a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise LedgerError(f"工作表「{name}」中有读取组件无法处理的内容，请在 Excel 中打开并另存后再试") from None
    start = sheet.start or (0, 0)
    return rows, start[0] + 1, start[1]


def read_raw(path: Path, only: set[str] | None = None) -> tuple[dict[str, tuple[Rows, int, int]], list[str]]:
    """Every sheet's values in one call each: {name: (rows, first_row, first_col)}, all sheet names."""
    wb = _open(path)
    guard = SheetGuard.open(path)
    raw: dict[str, tuple[Rows, int, int]] = {}
    try:
        for name in wb.sheet_names:
            if only is None or name in only:
                raw[name] = _read_sheet(wb, guard, name)
        return raw, list(wb.sheet_names)
    except _read_errors() as exc:
        raise LedgerError(f"{path.name} 无法读取：文件内容已损坏或格式不受支持", detail=str(exc)) from None
    finally:
        guard.close()
        wb.close()


READER_THREADS = 2
READ_ATTEMPTS = 3


class SheetStream(Mapping[str, tuple[Rows, int, int]]):
    """The sheets of `read_raw`, read by worker threads while the caller parses those already read.

    python-calamine releases the GIL while it unzips and parses a sheet's XML, so parsing one sheet
    overlaps reading the next, and two workers (each with its own workbook handle: one handle
    cannot be used by two threads at once) read two sheets at the same time.  Sheets are taken in
    the order of `wanted`; looking one up waits for it.  `finish()` raises the read error of the
    first failing sheet in workbook order, as read_raw would have.
    """

    def __init__(self, path: Path, wanted: list[str], threads: int = READER_THREADS):
        self._path = path
        first = _open(path)
        self.names = list(first.sheet_names)
        present = set(self.names)
        self._todo = [n for n in wanted if n in present]
        self._queue = self._todo[::-1]          # pop() gives the next sheet in order
        self._done: dict[str, tuple[Rows, int, int]] = {}
        self._taken: set[str] = set()
        self._errors: dict[str, Exception] = {}
        self._stop = False
        self._ready = threading.Condition()
        count = max(1, min(threads, os.cpu_count() or 1, len(self._todo)))
        self._threads = [threading.Thread(target=self._work, args=(first if i == 0 else None,), daemon=True,
                                          name=f"ledger-reader-{i}") for i in range(count)]
        for thread in self._threads:
            thread.start()

    def _next(self) -> str | None:
        with self._ready:
            return None if self._stop or not self._queue else self._queue.pop()

    def _work(self, wb: CalamineWorkbook | None) -> None:
        if wb is None:
            try:
                wb = _open(self._path)
            except LedgerError:
                return  # the first worker's handle reads whatever this one would have
        guard: SheetGuard | None = None
        try:
            while (name := self._next()) is not None:
                try:
                    guard = guard or SheetGuard.open(self._path)
                    sheet = _read_sheet(wb, guard, name)
                except Exception as exc:  # noqa: BLE001 - raised in the reading thread by finish()
                    with self._ready:
                        self._errors[name] = exc
                        self._ready.notify_all()
                    continue
                with self._ready:
                    self._done[name] = sheet
                    self._ready.notify_all()
        finally:
            if guard is not None:
                guard.close()
            wb.close()

    def finish(self) -> None:
        """Wait for the workers; raise what they could not read."""
        for thread in self._threads:
            thread.join()
        if self._errors:
            error = self._errors[min(self._errors, key=self.names.index)]
            if isinstance(error, _read_errors()):
                raise LedgerError(f"{self._path.name} 无法读取：文件内容已损坏或格式不受支持", detail=str(error)) from None
            raise error

    def close(self) -> None:
        with self._ready:
            self._stop = True
        for thread in self._threads:
            thread.join()

    def __getitem__(self, name: str) -> tuple[Rows, int, int]:
        if name not in self._todo or name in self._taken:
            raise KeyError(name)
        with self._ready:
            self._ready.wait_for(lambda: name in self._done or name in self._errors)
            if name in self._done:
                # handed over once: the parser keeps what it needs, and a large sheet's raw cells are
                # freed as soon as it is parsed instead of living until every sheet is
                self._taken.add(name)
                return self._done.pop(name)
        self.finish()
        raise KeyError(name)  # unreachable: finish() raised the sheet's error

    def __contains__(self, name: object) -> bool:
        return name in self._todo

    def __iter__(self) -> Iterator[str]:
        return iter(self._todo)

    def __len__(self) -> int:
        return len(self._todo)


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


def load_ledger(path: str | Path, skip: frozenset[str] = frozenset()) -> Ledger:
    """Read and parse a ledger; LedgerError (exit 2) when it cannot be read at all.

    Sheets in `skip` are not read (a command that does not need them); they stand as empty
    tables marked not present.  `ledger.sha256` is the hash of exactly the file that was read:
    a file replaced while it was being read is read again (a writer checks this hash before it
    changes anything, so a read that mixed two versions would lose the other writer's change).
    """
    path = Path(path)
    for _ in range(READ_ATTEMPTS):
        before = file_sha256(path) if path.is_file() else None
        ledger = _load(path, skip)
        if before is not None and file_sha256(path) == before:
            ledger.sha256 = before
            break
    else:
        raise LedgerError(f"{path.name} 在读取过程中一再被其他程序改写，请稍后再试")
    ledger.findings.extend(sheet_name_findings(ledger.sheet_names))
    return ledger


def _load(path: Path, skip: frozenset[str]) -> Ledger:
    sniff_xlsx(path)
    date1904 = is_date1904(path)
    with gc_paused():
        stream = SheetStream(path, [s.name for s in schema.data_sheets() if s.name not in skip])
        try:
            ledger = parse_workbook(stream, stream.names, skip, date1904)
        except Exception:
            stream.finish()  # a sheet that cannot be read is the reason given, as before
            raise
        finally:
            stream.close()
        stream.finish()
        del stream
    ledger.path = path
    return ledger


def sheet_name_findings(names: list[str]) -> list[Finding]:
    """TYPE-TEXT for each sheet name Excel forbids: such a workbook can be checked, not written."""
    return [Finding(rule="TYPE-TEXT", severity=Severity.ERROR, sheet=name,
                    message=f"{problem}：本工具不能写入这个工作簿，请在 Excel/WPS 中重命名该工作表")
            for name in names if (problem := sheet_name_problem(name))]
