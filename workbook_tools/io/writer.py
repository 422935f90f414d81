"""The only way the tool changes a workbook file (LEDGER_SPEC §7).

write_workbook(path, edit, action):
  refuse while Excel/WPS holds the file -> load with openpyxl -> edit(wb) returns the
  changes -> append them to 变更记录 -> restore our dropdowns -> save to a temp file in the
  same folder -> verify it (sheets, rows, nothing openpyxl silently dropped) -> make sure
  the original did not change meanwhile -> keep a backup -> replace atomically.
No changes means nothing is written at all.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.workbook import Workbook

from workbook_tools import schema
from workbook_tools.io import features
from workbook_tools.io.reader import file_sha256, read_raw
from workbook_tools.io.sheets import append_changes, restore_validations
from workbook_tools.io.sniff import sniff_xlsx
from workbook_tools.model import Change, LedgerError

BACKUP_DIR = "备份"
MAX_BACKUPS = 20
REPLACE_RETRIES = 5

Edit = Callable[[Workbook], list[Change]]


@dataclass
class WriteResult:
    path: Path
    changes: list[Change] = field(default_factory=list)
    backup: Path | None = None

    @property
    def written(self) -> bool:
        return bool(self.changes)


def lock_files(path: Path) -> list[Path]:
    """Owner files Excel (~$name, also ~$ + name minus two chars) and WPS/LibreOffice leave."""
    name = path.name
    candidates = {f"~${name}", f"~${name[2:]}", f".~lock.{name}#", f".~{name}", f"~{name}.tmp"}
    return [path.with_name(c) for c in candidates if path.with_name(c).exists()]


def check_not_locked(path: Path) -> None:
    locks = lock_files(path)
    if locks:
        raise LedgerError(f"{path.name} 正在 Excel/WPS 中打开（发现锁文件 {locks[0].name}），请先保存并关闭后再执行")
    if os.name == "nt":
        try:
            with path.open("r+b"):
                pass
        except PermissionError:
            raise LedgerError(f"{path.name} 正被其他程序占用，请先关闭后再执行") from None


def load_for_edit(path: Path) -> Workbook:
    keep_vba = sniff_xlsx(path)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            return openpyxl.load_workbook(path, keep_vba=keep_vba, rich_text=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on broken files
            raise LedgerError(f"{path.name} 无法打开以写入：{type(exc).__name__}: {exc}") from None


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.stem}.{os.getpid()}.{time.time_ns()}.tmp{path.suffix}")


def _verify(tmp: Path, wb: Workbook, before: features.Features) -> None:
    raw, names = read_raw(tmp)
    if names != wb.sheetnames:
        raise LedgerError("保存校验失败：临时文件的工作表与预期不一致，已取消，原文件未改动")
    lost = features.lost(before, features.scan(tmp))
    if lost:
        raise LedgerError("保存会丢失以下 Excel 内容，已取消（原文件未改动）：" + "；".join(lost)
                          + "。请在 Excel 中改用“名称”定义下拉列表来源，或移除这些内容后再试")


def make_backup(path: Path, now: dt.datetime | None = None) -> Path:
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    shutil.copy2(path, target)
    for old in backups_of(path)[:-MAX_BACKUPS]:
        old.unlink(missing_ok=True)
    return target


def backups_of(path: Path) -> list[Path]:
    """This workbook's backups, oldest first (not those of 台账.旧.xlsx next to 台账.xlsx; no glob syntax in names)."""
    pattern = re.compile(re.escape(path.stem) + r"\.\d{8}-\d{6}-\d{6}" + re.escape(path.suffix))
    folder = path.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))


def replace_atomically(tmp: Path, path: Path) -> None:
    for attempt in range(REPLACE_RETRIES):
        try:
            os.replace(tmp, path)
            return
        except PermissionError:
            if attempt == REPLACE_RETRIES - 1:
                raise LedgerError(f"无法替换 {path.name}（文件被占用），原文件未改动") from None
            time.sleep(0.2 * (attempt + 1))


def save_verified(wb: Workbook, path: Path, before: features.Features) -> Path:
    """Save `wb` next to `path` and verify it; the caller replaces. The temp file never outlives a failure."""
    tmp = _temp_path(path)
    try:
        wb.save(tmp)
        _verify(tmp, wb, before)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_workbook(path: str | Path, edit: Edit, action: str, expected_sha: str | None = None) -> WriteResult:
    """Apply `edit` to the workbook at `path` safely; see the module doc."""
    path = Path(path)
    sniff_xlsx(path)
    check_not_locked(path)
    sha_before = file_sha256(path)
    if expected_sha is not None and expected_sha != sha_before:
        raise LedgerError(f"{path.name} 在读取后已被修改，请重新执行")
    before = features.scan(path)
    wb = load_for_edit(path)
    changes = edit(wb)
    if not changes:
        return WriteResult(path)
    append_changes(wb, changes, action)
    restore_validations(wb)
    tmp = save_verified(wb, path, before)
    try:
        check_not_locked(path)
        if file_sha256(path) != sha_before:
            raise LedgerError(f"{path.name} 在处理期间被其他程序修改，已取消写入，请重新执行")
        backup = make_backup(path)
        replace_atomically(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return WriteResult(path, changes, backup)


def save_new(wb: Workbook, path: Path, overwrite: bool = False) -> None:
    """Write a brand-new workbook (ledger init) atomically."""
    if path.exists() and not overwrite:
        raise LedgerError(f"{path} 已存在；如需覆盖请加 --force")
    if path.exists():
        check_not_locked(path)
    if not path.parent.is_dir():
        raise LedgerError(f"目录不存在：{path.parent}")
    if path.is_dir():
        raise LedgerError(f"{path} 是文件夹，不能作为台账文件")
    tmp = _temp_path(path)
    try:
        wb.save(tmp)
        if path.exists():
            make_backup(path)
        replace_atomically(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def sheet_names_of(path: Path) -> list[str]:
    return read_raw(path, only=set())[1]


__all__ = ["write_workbook", "save_new", "WriteResult", "check_not_locked", "lock_files", "make_backup",
           "schema"]
