"""Core value types shared by every stage: findings and errors."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict

from workbook_tools.core.hints import page_hint


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


SEVERITY_TEXT = {Severity.ERROR: "错误", Severity.WARNING: "警告"}


class Finding(BaseModel):
    """One broken rule at one place (LEDGER_SPEC §6)."""

    model_config = ConfigDict(frozen=True)

    rule: str
    severity: Severity
    sheet: str | None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    message: str
    scan_file: str | None = None
    scan_line: int | None = None

    @property
    def page_hint(self) -> str | None:
        """The message with the page's buttons named instead of CLI commands (never part of the §6 JSON)."""
        return page_hint(self.message)

    def as_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        if self.scan_file is None and self.scan_line is None:
            data.pop("scan_file")
            data.pop("scan_line")
        return data


class LedgerError(Exception):
    """A failure the user can cause or fix; carries a one-line Chinese message.

    exit_code 2 = the workbook could not be read or written (LEDGER_SPEC §6),
    1 = the request was refused (e.g. a roll-up blocked by errors).
    """

    def __init__(self, message: str, exit_code: int = 2, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.detail = detail        # a library's own words, shown only with --debug


class Change(BaseModel):
    """One line of 变更记录: what an automated command changed."""

    action: str
    sheet: str
    row: int | None = None
    content: str


@dataclass
class Note:
    """A cell note (comment) to put on cell `ref`: what annotate plans, what xlsx.notes writes."""
    ref: str
    text: str
    width: int = 320
    height: int = 120
