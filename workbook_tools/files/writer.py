"""The only way the tool changes a workbook file (LEDGER_SPEC §7, §7a).

write_workbook(path, edit, action, ledger):
  refuse while Excel/WPS holds the file -> take the tool's own lock (held to the end) -> make
  sure the file is the one the ledger was read from -> edit(book) records cell operations and
  generated sheets -> their 变更记录 lines are appended -> the touched worksheet parts are
  patched row by row, every other part is copied byte for byte -> the new package is written to
  a temporary file in the same folder and verified against the original -> backup (atomic) ->
  replace, keeping the file's permissions and following symlinks.
No changes means nothing is written at all.  See docs/io.md 「写入」 for every guarantee.
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.files import safety
from workbook_tools.read import reader
from workbook_tools.read.reader import file_sha256, read_raw
from workbook_tools.read.sniff import sniff_xlsx
from workbook_tools.xlsx.book import Book
from workbook_tools.xlsx.package import Package, utf8_package
from workbook_tools.xlsx.verify import verify

BACKUP_DIR = safety.BACKUP_DIR
MAX_BACKUPS = safety.MAX_BACKUPS
make_backup = safety.make_backup
backups_of = safety.backups_of

Edit = Callable[[Book], list[Change]]
# Where one-line remarks of a write go (a stale lock taken over, a killed run's files cleaned up): the
# command line prints them on stderr, the local service passes them on; a library caller gets them in
# WriteResult.notes either way.
notice: Callable[[str], None] | None = None


@dataclass
class WriteResult:
    path: Path
    changes: list[Change] = field(default_factory=list)
    backup: Path | None = None
    notes: list[str] = field(default_factory=list)   # one-line remarks for the user (clean-up, stale lock)

    @property
    def written(self) -> bool:
        return bool(self.changes)


def lock_files(path: Path) -> list[Path]:
    """Owner files Excel (~$name, also ~$ + name minus two chars), WPS and LibreOffice (.~lock.name#) leave."""
    name = path.name
    candidates = {f"~${name}", f"~${name[2:]}", f".~lock.{name}#", f".~{name}", f"~{name}.tmp"}
    return [path.with_name(c) for c in candidates if path.with_name(c).exists()]


def note_if_open(path: Path) -> str | None:
    """A command that only reads (check, print) reads the saved file: when Excel/WPS has it open, it says
    once (through `notice`) that edits not yet saved are not included.  Returns that line."""
    locks = lock_files(path) or lock_files(safety.target_of(path))
    if not locks:
        return None
    line = f"{path.name} 正在 Excel/WPS 中打开（发现锁文件 {locks[0].name}）：按最近一次保存的内容处理，尚未保存的修改不包括在内"
    if notice is not None:
        notice(line)
    return line


class Locked(LedgerError):
    """The workbook is open in Excel/WPS (or held by another program): save and close it first (exit 2)."""


def check_not_locked(path: Path) -> None:
    for place in {path, safety.target_of(path)}:
        locks = lock_files(place)
        if locks:
            raise Locked(f"{path.name} 正在 Excel、WPS 或 LibreOffice 中打开（发现锁文件 {locks[0].name}），请先保存并关闭后再执行")
    if os.name == "nt":
        try:
            with path.open("r+b"):
                pass
        except PermissionError:
            raise Locked(f"{path.name} 正被其他程序占用，请先关闭后再执行") from None


def _sha(path: Path, shown: Path) -> str:
    try:
        return file_sha256(path)
    except FileNotFoundError:
        raise LedgerError(f"{shown.name} 在处理期间被删除或移动，未写入") from None
    except OSError as exc:
        raise LedgerError(f"无法读取 {shown.name}：{safety.os_reason(exc)}") from None


def _load(path: Path) -> Ledger:
    return reader.load_ledger(path)   # looked up on call: the one reader, replaceable as a whole (tests)


def _log_changes(book: Book, changes: list[Change], action: str) -> None:
    for name, overwritten in book.formulas:
        changes.append(Change(action=action, sheet=name, content=f"单元格 {overwritten.ref} 原有公式 {overwritten.formula}，"
                                                                 "已按本次操作改为数值"))
    log = book.table(schema.CHANGES, create=True)
    now = dt.datetime.now().replace(microsecond=0)
    log.append_rows({"时间": now, "操作": c.action or action, "表": schema.short(c.sheet), "行": c.row,
                     "内容": c.content} for c in changes)


def _build(path: Path, edit: Edit, action: str, ledger: Ledger | None) -> tuple[Package, Book, list[Change]] | None:
    pkg = Package.open(path)
    try:
        book = Book(pkg, ledger)
        changes = edit(book)
        if not changes:
            pkg.close()
            return None
        book.apply([n for n in book.tables if n != schema.CHANGES])
        _log_changes(book, changes, action)
        book.apply([schema.CHANGES])
        book.finish()
        return pkg, book, changes
    except BaseException:
        pkg.close()
        raise


def _write_temp(pkg: Package, book: Book, target: Path, shown: Path) -> Path:
    tmp = safety.temp_path(target)
    try:
        with tmp.open("xb") as fh:
            safety.hide(tmp)
            pkg.write_to(fh)
            fh.flush()
            os.fsync(fh.fileno())
        verify(tmp, pkg, book)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LedgerError(f"无法写入 {shown.name}：{safety.os_reason(exc)}，原文件未改动") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_workbook(path: str | Path, edit: Edit, action: str, expected_sha: str | None = None,
                   ledger: Ledger | None = None, permanent_backup: str | None = None) -> WriteResult:
    """Apply `edit` to the workbook at `path` safely; see the module doc.

    `ledger` is the workbook as read (for the sheets' header positions); when given, its hash is
    the one the file must still have.  `permanent_backup` names a backup that rotation keeps.
    """
    shown = Path(path)
    target = safety.target_of(shown)
    sniff_xlsx(target)
    check_not_locked(shown)
    expected_sha = expected_sha or (ledger.sha256 if ledger is not None else None)
    with safety.WriteLock(target) as lock:
        result = WriteResult(shown)
        if lock.taken_over:
            result.notes.append(f"已接管过期的写入锁（{lock.taken_over}）")
        cleaned = safety.clean_orphans(target)
        if cleaned:
            result.notes.append(f"已清理上次中断留下的临时文件 {len(cleaned)} 个：{'、'.join(cleaned[:3])}")
        if notice is not None:
            for line in result.notes:
                notice(line)
        sha_before = _sha(target, shown)
        if expected_sha is not None and expected_sha != sha_before:
            raise LedgerError(f"{shown.name} 在读取后已被修改，请重新执行")
        built = _build(target, edit, action, ledger if ledger is not None else _load(target))
        if built is None:
            return result
        pkg, book, changes = built
        try:
            tmp = _write_temp(pkg, book, target, shown)
        finally:
            pkg.close()
        try:
            check_not_locked(shown)
            if _sha(target, shown) != sha_before:
                raise LedgerError(f"{shown.name} 在处理期间被其他程序修改，已取消写入，请重新执行")
            result.backup = safety.make_backup(target, permanent=permanent_backup)
            safety.replace(tmp, target)
        except OSError as exc:
            raise LedgerError(f"无法替换 {shown.name}：{safety.os_reason(exc)}，原文件未改动") from None
        finally:
            tmp.unlink(missing_ok=True)
        result.changes = changes
        return result


def save_new(wb: Any, path: Path, overwrite: bool = False) -> None:  # an openpyxl Workbook
    """Write a brand-new workbook (ledger init, built with openpyxl) atomically."""
    if path.exists() and not overwrite:
        raise LedgerError(f"{path} 已存在；如需覆盖请加 --force")
    if path.is_dir():
        raise LedgerError(f"{path} 是文件夹，不能作为台账文件")
    if not path.parent.is_dir():
        raise LedgerError(f"目录不存在：{path.parent}")
    target = safety.target_of(path)
    if target.exists():
        check_not_locked(path)
    with safety.WriteLock(target):
        tmp = safety.temp_path(target)
        try:
            wb.save(tmp)
            utf8_package(tmp)
            if target.exists():
                safety.make_backup(target)
                safety.replace(tmp, target)
            else:
                os.replace(tmp, target)
        except OSError as exc:
            raise LedgerError(f"无法写入 {path.name}：{safety.os_reason(exc)}") from None
        finally:
            tmp.unlink(missing_ok=True)


def sheet_names_of(path: Path) -> list[str]:
    return read_raw(path, only=set())[1]


__all__ = [
    "Book",
    "Edit",
    "Locked",
    "WriteResult",
    "backups_of",
    "check_not_locked",
    "lock_files",
    "make_backup",
    "save_new",
    "write_workbook",
]
