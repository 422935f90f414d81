"""The files a call may name: the ledgers given at start, or ledgers inside the folders given at start.

Every path of a request is made absolute (relative to the first folder), normalised and resolved
(symlinks followed) before it is compared, so `..`, links and other spellings cannot leave the scope.
"""
from __future__ import annotations

import os
from pathlib import Path

from workbook_tools.core.model import LedgerError
from workbook_tools.tasks.many import ledger_files

LEDGER_SUFFIXES = (".xlsx", ".xlsm")
MAX_LISTED = 1000


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

    def place(self, text: object, what: str = "path") -> Path:
        """A path named by a request, resolved and checked against the scope (it need not exist)."""
        if not isinstance(text, str) or not text.strip():
            raise LedgerError(f"缺少 {what}：请给出台账文件的路径", 2)
        given = Path(text.strip())
        path = real(given if given.is_absolute() else self.base / given)
        if not self.allows(path):
            raise PathRefused(f"「{text}」不在本服务打开的范围内：只能使用启动 ledger serve 时给出的台账或文件夹中的文件")
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
            if path not in seen and self.allows(path):
                seen.add(path)
                shown = path.relative_to(self.base) if path.is_relative_to(self.base) else path
                out.append({"path": str(path), "name": str(shown)})
        return out
