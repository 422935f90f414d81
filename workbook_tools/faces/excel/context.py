"""What every button adapter takes and returns: the clicked workbook (`Context`) and the message (`Outcome`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pydantic import BaseModel

from workbook_tools.core.ledger import Ledger
from workbook_tools.faces.excel import live

MAX_LINES = 25  # an alert box longer than this no longer fits on an office screen


class Outcome(BaseModel):
    """What the user is told after a click."""

    message: str
    ok: bool = True


@dataclass
class Context:
    """The clicked workbook; the ledger is read live once, on first use."""

    book: live.BookLike
    today: dt.date = field(default_factory=dt.date.today)
    calculation: str | None = None   # the user's calculation mode, before the button switched it to manual
    _ledger: Ledger | None = None

    @property
    def is_ledger(self) -> bool:
        return live.is_ledger(self.book)

    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = live.read_ledger(self.book)
        return self._ledger


def clip(lines: list[str], limit: int = MAX_LINES) -> str:
    """Join lines for an alert box, cutting long lists with a count of what was left out."""
    if len(lines) <= limit:
        return "\n".join(lines)
    return "\n".join([*lines[: limit - 1], f"……另有 {len(lines) - limit + 1} 行未显示"])
