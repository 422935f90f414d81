"""The files a call may name: the ledgers given at start, or ledgers inside the folders given at start.

Every path of a request is made absolute (relative to the first folder), normalised and resolved
(symlinks followed) before it is compared, so `..`, links and other spellings cannot leave the scope.

Writes are held to more (`Scope.for_writing`, used for the actions in WRITES):
* a symbolic link is followed to its target, and the target must be in scope (as for reads);
* a file with more than one name (a hard link, `st_nlink > 1`) is written only when every one of its
  names is found inside the served folders: a name elsewhere would be a file outside the scope that
  shares this file's bytes.  When the folders are too large to search, the write is refused.
* a folder is never a ledger, whatever its name (`x.xlsx/`).
"""
from __future__ import annotations

import os
from pathlib import Path

from workbook_tools.core.model import LedgerError
from workbook_tools.tasks.many import ledger_files

LEDGER_SUFFIXES = (".xlsx", ".xlsm")
MAX_LISTED = 1000
MAX_LINK_SEARCH = 50_000     # directory entries looked at to find the other names of a hard-linked file
WRITES = {"annotate", "number", "fix-blanks", "rollup", "install", "uninstall", "upgrade", "slip", "print", "stats",
          "plan", "overview", "scan"}   # actions that write the ledger or a file beside it


class PathRefused(LedgerError):
    """A path outside what the service was opened on (HTTP 403)."""

    def __init__(self, message: str):
        super().__init__(message, 1)


def real(path: Path) -> Path:
    return Path(os.path.realpath(os.path.abspath(path)))


class Scope:
    def __init__(self, roots: list[Path]):
        resolved = [real(r) for r in roots]
        missing = [str(r) for r in resolved if not r.exists()]
        if missing:
            raise LedgerError(f"找不到 {missing[0]}", 2)
        self.files = [r for r in resolved if r.is_file()]
        self.folders = [r for r in resolved if r.is_dir()]
        for f in self.files:
            if f.suffix.lower() not in LEDGER_SUFFIXES:
                raise LedgerError(f"{f.name} 不是 .xlsx 台账", 2)

    @property
    def base(self) -> Path:
        return self.folders[0] if self.folders else self.files[0].parent

    def allows(self, path: Path) -> bool:
        return path in self.files or any(path.is_relative_to(folder) for folder in self.folders)

    def for_writing(self) -> Scope:
        """The same scope, checking hard links of the files a call names (see the module doc)."""
        copy = object.__new__(WritingScope)
        copy.__dict__.update(self.__dict__)
        return copy

    def place(self, text: object, what: str = "path") -> Path:
        """A path named by a request, resolved and checked against the scope (it need not exist)."""
        if text is not None and not isinstance(text, str):
            raise LedgerError(f"{what} 应为文字（台账文件的路径）", 2)
        if not text or not text.strip():
            raise LedgerError(f"缺少 {what}：请给出台账文件的路径", 2)
        if "\x00" in text or len(text) > 4096:
            raise LedgerError(f"{what} 不是有效的路径（含有空字符或过长）", 2)
        given = Path(text.strip())
        try:
            path = real(given if given.is_absolute() else self.base / given)
        except (OSError, ValueError):
            raise LedgerError(f"{what} 不是有效的路径", 2) from None
        if not self.allows(path):
            raise PathRefused(f"「{text[:200]}」不在本服务打开的范围内：只能使用启动 ledger serve 时给出的台账或文件夹中的文件")
        return self.checked(path)

    def checked(self, path: Path) -> Path:
        return path

    def ledger(self, text: object, what: str = "path") -> Path:
        """A ledger a request names: in scope, a .xlsx file that exists."""
        path = self.place(text, what)
        if path.suffix.lower() not in LEDGER_SUFFIXES or path.name.startswith("~$"):
            raise PathRefused(f"「{path.name}」不是台账工作簿（.xlsx）")
        if not path.is_file():
            raise LedgerError(f"找不到台账 {path.name}", 2)
        return path

    def listing(self) -> list[dict[str, str]]:
        """The ledgers a page may offer: the files given, then the workbooks found in the folders."""
        found = [*self.files, *(p for p in ledger_files(self.folders) if p.suffix.lower() in LEDGER_SUFFIXES)]
        out, seen = [], set()
        for p in found[:MAX_LISTED]:
            path = real(p)
            if path not in seen and self.allows(path) and path.is_file():
                seen.add(path)
                shown = path.relative_to(self.base) if path.is_relative_to(self.base) else path
                out.append({"path": str(path), "name": str(shown)})
        return out


class WritingScope(Scope):
    """A scope for actions that write: a hard-linked file is written only when all its names are in scope."""

    def checked(self, path: Path) -> Path:
        try:
            info = path.stat()
        except OSError:
            return path          # not there yet (an output), or the action says why it cannot read it
        if path.is_dir():
            raise PathRefused(f"「{path.name}」是文件夹，不是台账工作簿")
        if info.st_nlink > 1 and self._names_inside(info) < info.st_nlink:
            raise PathRefused(f"「{path.name}」有 {info.st_nlink} 个硬链接名，其中有的在本服务打开的文件夹之外："
                              "写入会改到范围外的文件，已拒绝（请改用该文件的独立副本）")
        return path

    def _names_inside(self, info: os.stat_result) -> int:
        """How many names of the file (same device and inode) lie in scope; 0 when the search is too large."""
        same = (info.st_dev, info.st_ino)
        found = {f for f in self.files if _ident(f) == same}
        looked = 0
        for folder in self.folders:
            for here, dirs, names in os.walk(folder):
                looked += len(dirs) + len(names)
                if looked > MAX_LINK_SEARCH:
                    return 0
                found.update(Path(here) / n for n in names if _ident(Path(here) / n) == same)
        return len(found)


def _ident(path: Path) -> tuple[int, int] | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino)
