"""The actions of the ribbon, the command line and the local service, each as one library function on a file.

Every function here reads the ledger at `path`, calls the library (rules, numbering, roll-up,
statistics, plans, overview, scans, forms) and writes through `files.writer.write_workbook`.  It
returns a `Done`: the Chinese lines that tell the user what happened, the 变更记录 lines of the
write, the backup, and the figures a caller may show (charts, tables).  The Excel buttons
(`excel/onfile.py`, `excel/register.py`), the `ledger` commands and `ledger serve` call these,
so an action behaves the same wherever it is started.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from workbook_tools.core.model import Change
from workbook_tools.files import writer
from workbook_tools.files.errors import os_reason
from workbook_tools.files.writer import Locked, WriteResult

__all__ = ["Done", "Locked", "WriteResult", "os_reason", "set_notice", "written"]


class Done(BaseModel):
    """What an action did, for any front end."""

    lines: list[str]
    ok: bool = True                                   # False: some of the request was refused
    changes: list[Change] = Field(default_factory=list)
    backup: Path | None = None
    notes: list[str] = Field(default_factory=list)   # the writer's remarks (a stale lock taken over, leftovers cleaned)
    data: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, lines: list[str], result: WriteResult | None = None, **data: Any) -> Done:
        if result is None:
            return cls(lines=lines, data=data)
        return cls(lines=lines, changes=result.changes, backup=result.backup, notes=result.notes, data=data)


def written(result: WriteResult) -> str:
    return f"原文件备份在 {result.backup}" if result.written else "工作簿内容已是最新，未改动。"


def set_notice(say: Callable[[str], None]) -> None:
    """Where the writer's remarks go (a stale lock taken over, leftovers cleaned): the CLI prints them on stderr."""
    writer.notice = say
