"""Every file the tool creates besides the ledger (PDF/HTML forms, reports, summaries, the add-in)
is checked here first, so that no option can overwrite the ledger or another workbook.

    target = check_output(path, Output.PDF, ledgers=[ledger_path], force=force)

Refused (LedgerError, exit 2, nothing written):
- the ledger itself (also through another name, a symbolic or a hard link), even with --force;
- a folder, a folder that does not exist, a name Excel uses for its lock files (~$…);
- a PDF or HTML onto a workbook: a name ending in .xlsx/.xlsm/… or an existing file that is one by content;
- any existing file unless --force; a re-print to the tool's own default name may replace an
  earlier print of the same kind (a PDF by a PDF, an HTML page by an HTML page);
- a target while Excel/WPS holds it open (lock file next to it).
"""
from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterable
from enum import Enum
from pathlib import Path

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.files.errors import os_reason
from workbook_tools.files.writer import lock_files
from workbook_tools.read.extent import sheet_parts

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam", ".xls", ".xlsb", ".et", ".ods"})


class Output(str, Enum):
    PDF = "PDF 文件"
    HTML = "HTML 文件"
    WORKBOOK = "工作簿"
    ADDIN = "加载项"

    @property
    def is_workbook(self) -> bool:
        return self in (Output.WORKBOOK, Output.ADDIN)


def is_workbook_file(path: Path) -> bool:
    """By name or by content: an Office workbook (a zip with xl/workbook.*, or an OLE .xls)."""
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            return True
        if not head.startswith(b"PK"):
            return False
        with zipfile.ZipFile(path) as zf:
            return any(n.startswith("xl/workbook.") for n in zf.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def same_kind(path: Path, kind: Output) -> bool:
    """The existing file is an earlier print of the same kind (what a re-print may replace)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(512).lstrip().lower()
    except OSError:
        return False
    if kind is Output.PDF:
        return head.startswith(b"%pdf-")
    if kind is Output.HTML:
        return head.startswith((b"<!doctype html", b"<html"))
    return False


def looks_like_ledger(path: Path) -> bool:
    """An existing workbook with this tool's sheets (附件7 and 附件9): never replaced by an output."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(sheet_parts(zf))
    except Exception:  # noqa: BLE001 - anything unreadable is not a ledger we could lose
        return False
    return {schema.A7, schema.A9} <= names


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _refuse_place(target: Path) -> None:
    if target.name.startswith("~$") or target.name.startswith(".~lock."):
        raise LedgerError(f"{target.name} 是 Excel/WPS 的锁文件名，不能作为输出文件")
    if target.is_dir():
        raise LedgerError(f"{target} 是文件夹，请给出文件名")
    if not target.parent.is_dir():
        raise LedgerError(f"目录不存在：{target.parent}")


def _refuse_existing(target: Path, kind: Output, force: bool, reprint: bool) -> None:
    if not kind.is_workbook and is_workbook_file(target):
        raise LedgerError(f"{target.name} 是 Excel 工作簿，不能用{kind.value}覆盖它；请换一个输出文件名")
    if kind.is_workbook and looks_like_ledger(target):
        raise LedgerError(f"{target.name} 是一个台账，不能被覆盖（即使加 --force）；请换一个输出文件名")
    if force or (reprint and same_kind(target, kind)):
        return
    raise LedgerError(f"{target.name} 已存在；如需覆盖请加 --force")


def check_output(target: Path, kind: Output, ledgers: Iterable[Path] = (), force: bool = False,
                 reprint: bool = False) -> Path:
    """Refuse a target that would overwrite the ledger, a workbook or another file (see the module doc).

    `reprint`: the target is the tool's default name for this print, which may replace an earlier one.
    """
    target = Path(target)
    for ledger in ledgers:
        if _same_file(target, Path(ledger)) or target.resolve() == Path(ledger).resolve():
            raise LedgerError(f"输出文件 {target.name} 就是台账本身，已拒绝（台账未改动）；请换一个输出文件名")
    _refuse_place(target)
    if not kind.is_workbook and target.suffix.lower() in WORKBOOK_SUFFIXES:
        raise LedgerError(f"{kind.value}不能以 {target.suffix} 为扩展名（{target.name}），请用 "
                          f"{'.pdf' if kind is Output.PDF else '.html'}")
    if target.exists():
        _refuse_existing(target, kind, force, reprint)
        locks = lock_files(target)
        if locks:
            raise LedgerError(f"{target.name} 正在 Excel、WPS 或 LibreOffice 中打开（发现锁文件 {locks[0].name}），请先关闭")
    return target


def write_output(path: Path, write: Callable[[Path], None]) -> None:
    """Create an output file (a report, a PDF) whole or not at all: `write` fills a temp file beside it, which then
    replaces `path`.  The target must have passed check_output; a failure is one Chinese line."""
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise LedgerError(f"无法写入 {path.name}：{os_reason(exc)}", 2) from None
    finally:
        tmp.unlink(missing_ok=True)
