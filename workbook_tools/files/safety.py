"""Keeping a ledger file safe while it is replaced: locks, backups, identity, clean-up.

- `WriteLock`: a lock file of the tool's own next to the ledger (created with O_EXCL, holding
  the process id, host and time), held over the whole write; a stale one (dead process on this
  host, or older than STALE_AFTER) is taken over.
- `make_backup`: copied to a temporary name in 备份/ and renamed, so a backup under a backup's
  name is always whole; the oldest beyond MAX_BACKUPS are removed (permanent ones never).
- `replace`: the verified temporary file takes the ledger's place with the ledger's permission
  bits, through a symlink to its target; a file with several hard links is copied over instead
  of renamed so that every name sees the new content; on Windows ReplaceFileW keeps the
  original's ACL and attributes.
- `clean_orphans`: temporary files and partial backups of this ledger left by a killed run.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import socket
import stat
import sys
import time
from pathlib import Path
from typing import Any

from workbook_tools.core.model import LedgerError
from workbook_tools.files.errors import reason

BACKUP_DIR = "备份"
MAX_BACKUPS = 20
PERMANENT_TAG = "永久"
LOCK_WAIT = 15.0          # seconds a second writer waits for the first one
STALE_AFTER = 600.0       # a lock older than this is taken over whatever its process
ORPHAN_AGE = 120.0        # temp files older than this are a killed run's leftovers
REPLACE_RETRIES = 5


def lock_path(path: Path) -> Path:
    return path.with_name(f".~ledger.{path.name}.lock")


def temp_path(path: Path, tag: str = "tmp") -> Path:
    return path.with_name(f".{path.stem}.{os.getpid()}.{time.time_ns()}.{tag}{path.suffix}")


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt" and sys.platform == "win32":  # sys.platform as well: mypy then knows ctypes.windll exists
        import ctypes  # noqa: PLC0415
        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)
            return True
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WriteLock:
    """The tool's own exclusive lock on one ledger; `taken_over` says whose stale lock was removed."""

    def __init__(self, path: Path, wait: float | None = None):
        # LOCK_WAIT read at each lock, not bound at import: a changed setting (a test's) takes effect
        self.path, self.lock, self.wait = path, lock_path(path), LOCK_WAIT if wait is None else wait
        self.taken_over: str | None = None
        self.held = False

    def __enter__(self) -> WriteLock:
        deadline = time.monotonic() + self.wait
        while not self._try():
            if self._stale():
                continue
            if time.monotonic() >= deadline:
                raise LedgerError(f"{self.path.name} 正在被另一个 ledger 命令写入（{self._owner()}），请稍后再试", 1)
            time.sleep(0.05)
        return self

    def _try(self) -> bool:
        try:
            fd = os.open(self.lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return False
        except PermissionError:
            raise LedgerError(f"文件夹 {self.path.parent} 不可写（无法创建锁文件），原文件未改动") from None
        except OSError as exc:
            raise LedgerError(f"无法创建锁文件 {self.lock.name}：{os_reason(exc)}，原文件未改动") from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"pid": os.getpid(), "host": socket.gethostname(), "time": time.time()}, fh)
        hide(self.lock)
        self.held = True
        return True

    def _info(self) -> dict[str, Any]:
        try:
            info = json.loads(self.lock.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return info if isinstance(info, dict) else {}

    def _owner(self) -> str:
        info = self._info()
        when = dt.datetime.fromtimestamp(info["time"]).strftime("%H:%M:%S") if "time" in info else "时间不明"
        return f"进程 {info.get('pid', '?')}，{info.get('host', '?')}，{when} 开始"

    def _stale(self) -> bool:
        info = self._info()
        try:
            age = time.time() - self.lock.stat().st_mtime
        except FileNotFoundError:
            return True   # released meanwhile: try again at once
        same_host = info.get("host") == socket.gethostname()
        dead = same_host and isinstance(info.get("pid"), int) and not _pid_alive(info["pid"])
        if not info and age < 5:
            return False  # being written by its owner right now
        if dead or age > STALE_AFTER or not info:
            owner = self._owner()
            if self._remove_if_same(info):
                self.taken_over = owner
            return True
        return False

    def _remove_if_same(self, info: dict[str, Any]) -> bool:
        """Move the stale lock aside and delete it — unless another writer replaced it meanwhile."""
        tomb = self.lock.with_name(f"{self.lock.name}.{os.getpid()}.stale")
        try:
            os.rename(self.lock, tomb)
        except OSError:
            return False   # another writer took it over first
        try:
            moved = json.loads(tomb.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            moved = {}
        if moved == info:
            tomb.unlink(missing_ok=True)
            return True
        with contextlib.suppress(OSError):   # a fresh lock of another writer: put it back
            os.link(tomb, self.lock)
        tomb.unlink(missing_ok=True)
        return False

    def __exit__(self, *exc: object) -> None:
        if self.held:
            self.lock.unlink(missing_ok=True)
            self.held = False


def hide(path: Path) -> None:
    """Temp and lock files are hidden on Windows too (their names start with a dot elsewhere)."""
    if os.name == "nt" and sys.platform == "win32":  # sys.platform as well: mypy then knows ctypes.windll exists
        import ctypes  # noqa: PLC0415
        ctypes.windll.kernel32.SetFileAttributesW(str(path), 0x2)


def fsync_dir(folder: Path) -> None:
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def os_reason(exc: OSError) -> str:
    """A Chinese reason for an OS error while writing (the ledger is named by the caller)."""
    return reason(exc)


# --- backups ---------------------------------------------------------------------------------

def backups_of(path: Path) -> list[Path]:
    """This workbook's rotating backups, oldest first (not those of 台账.旧.xlsx; permanent ones not)."""
    pattern = re.compile(re.escape(path.stem) + r"\.\d{8}-\d{6}-\d{6}" + re.escape(path.suffix))
    folder = path.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if pattern.fullmatch(p.name))


def make_backup(path: Path, now: dt.datetime | None = None, permanent: str | None = None) -> Path:
    """Copy `path` into 备份/ atomically; `permanent` names a backup rotation never deletes."""
    folder = path.parent / BACKUP_DIR
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    name = f"{path.stem}.{stamp}{path.suffix}" if permanent is None else \
        f"{path.stem}.{PERMANENT_TAG}-{permanent}.{stamp}{path.suffix}"
    target = folder / name
    partial = folder / f".{name}.{os.getpid()}.partial"
    try:
        folder.mkdir(exist_ok=True)
        with path.open("rb") as src, partial.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
            dst.flush()
            os.fsync(dst.fileno())
        hide(partial)
        os.replace(partial, target)
        fsync_dir(folder)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise LedgerError(f"无法在「{BACKUP_DIR}」中保存备份（{os_reason(exc)}），已取消写入，原文件未改动") from None
    if permanent is None:
        for old in backups_of(path)[:-MAX_BACKUPS]:
            old.unlink(missing_ok=True)
    return target


def clean_orphans(path: Path, now: float | None = None) -> list[str]:
    """Remove temp files and partial backups of this ledger older than ORPHAN_AGE; their names."""
    now = now or time.time()
    stem, suffix = re.escape(path.stem), re.escape(path.suffix)
    temp = re.compile(rf"\.{stem}\.\d+\.\d+\.(?:tmp|copy){suffix}")
    partial = re.compile(rf"\.{stem}\..*{suffix}\.\d+\.partial")
    found = []
    for folder, pattern in ((path.parent, temp), (path.parent / BACKUP_DIR, partial)):
        if not folder.is_dir():
            continue
        for item in folder.iterdir():
            try:
                if pattern.fullmatch(item.name) and now - item.stat().st_mtime > ORPHAN_AGE:
                    item.unlink()
                    found.append(item.name)
            except OSError:
                continue
    return found


# --- replacing -------------------------------------------------------------------------------

def target_of(path: Path) -> Path:
    """The file a (chain of) symlink(s) points to: the one that must change."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def replace(tmp: Path, path: Path) -> None:
    """Put `tmp` in place of `path` (already the symlink's target), keeping the file's identity."""
    info = path.stat()
    if info.st_nlink > 1:
        _copy_over(tmp, path)
        tmp.unlink(missing_ok=True)
        return
    os.chmod(tmp, stat.S_IMODE(info.st_mode))
    if hasattr(os, "chown") and os.geteuid() == 0:
        with contextlib.suppress(OSError):
            os.chown(tmp, info.st_uid, info.st_gid)
    if os.name == "nt" and _replace_file_w(tmp, path):
        return
    for attempt in range(REPLACE_RETRIES):
        try:
            os.replace(tmp, path)
            fsync_dir(path.parent)
            return
        except PermissionError:
            if attempt == REPLACE_RETRIES - 1:
                raise LedgerError(f"无法替换 {path.name}（文件被占用），原文件未改动") from None
            time.sleep(0.2 * (attempt + 1))


def _copy_over(tmp: Path, path: Path) -> None:
    """Several names for one file (hard links): write the new content into the file itself."""
    with tmp.open("rb") as src, path.open("r+b") as dst:
        dst.truncate(0)
        shutil.copyfileobj(src, dst, 1 << 20)
        dst.flush()
        os.fsync(dst.fileno())


def _replace_file_w(tmp: Path, path: Path) -> bool:
    """Windows: ReplaceFileW keeps the original's ACL, owner and attributes (os.replace would not)."""
    import ctypes  # noqa: PLC0415
    for attempt in range(REPLACE_RETRIES):
        # ctypes.windll exists on Windows only (the caller checks os.name; tests fake it on every system)
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined, unused-ignore]
        if kernel32.ReplaceFileW(str(path), str(tmp), None, 0x2, None, None):  # IGNORE_MERGE_ERRORS
            return True
        time.sleep(0.2 * (attempt + 1))
    return False
