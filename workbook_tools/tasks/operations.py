"""`ledger install | uninstall | upgrade | scrap-computer | scrap-software | baseline` on a file.

The planners of ops/operations.py decide (or refuse); `apply_operation` reads the ledger, plans and
writes the plan in one `write_workbook` save.  The CLI, the register buttons (tasks/requests.py)
and `ledger serve` call these.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.files.writer import write_workbook
from workbook_tools.ops.operations import (  # the requests and planners every face passes in
    BASELINE_BACKUP,
    FORCE_HINT,
    Install,
    OperationPlan,
    ScrapSoftware,
    Uninstall,
    Upgrade,
    Visit,
    operation_edit,
    plan_baseline,
    plan_install,
    plan_scrap_computer,
    plan_scrap_software,
    plan_uninstall,
    plan_upgrade,
)
from workbook_tools.read import reader
from workbook_tools.tasks import Done

__all__ = ["FORCE_HINT", "Install", "OperationOutcome", "Planner", "ScrapSoftware", "Uninstall", "Upgrade", "Visit",
           "apply_operation", "baseline", "operate", "plan_baseline", "plan_install", "plan_scrap_computer",
           "plan_scrap_software", "plan_uninstall", "plan_upgrade", "request"]

Planner = Callable[[Ledger, Any, dt.date], OperationPlan]
Model = TypeVar("Model", bound=BaseModel)


class OperationOutcome(BaseModel):
    plan: OperationPlan
    backup: Path | None = None
    changes: list[Change] = Field(default_factory=list)   # the 变更记录 lines of the write


def apply_operation(path: str | Path, planner: Planner, request: Any, today: dt.date | None = None) -> OperationOutcome:
    """Read the ledger, plan (or refuse) and write the plan in one save."""
    # Only the baseline reads the inventory; every other operation is judged on the event log.
    ledger = reader.load_ledger(path, skip=frozenset() if planner is plan_baseline else frozenset({schema.A8}))
    plan = planner(ledger, request, today or dt.date.today())
    for sheet in {e.sheet for e in plan.appended}:
        ledger[sheet].ensure_room(sum(e.sheet == sheet for e in plan.appended))
    # The file as it was before the baseline is the unit's original inventory: a backup rotation keeps.
    keep = BASELINE_BACKUP if planner is plan_baseline else None
    result = write_workbook(path, operation_edit(plan), plan.action, ledger=ledger, permanent_backup=keep)
    return OperationOutcome(plan=plan, backup=result.backup, changes=result.changes)


def request(cls: type[Model], **values: Any) -> Model:
    """The request model of an operation; invalid values become a one-line refusal."""
    try:
        return cls(**values)
    except ValidationError as exc:
        fields = "、".join(str(e["loc"][0]) for e in exc.errors() if e.get("loc"))
        raise LedgerError(f"参数不正确：{fields}（安装数量须大于 0）", 1) from None


def operate(path: Path, planner: Planner, req: Any, today: dt.date) -> Done:
    """One operation written; the lines say what was registered."""
    outcome = apply_operation(path, planner, req, today)
    return Done(lines=outcome.plan.summary(), changes=outcome.changes, backup=outcome.backup)


def baseline(path: Path, day: dt.date, today: dt.date) -> Done:
    """初始登记: every 附件8 row registered as an install of 附件9 (its own 安装日期, else `day`)."""
    outcome = apply_operation(path, plan_baseline, day, today)
    rows = outcome.plan.appended
    kept = sum(r.values["日期"] != day for r in rows)
    line = (f"已把附件8 的 {len(rows)} 行登记为安装记录（附件9）：{kept} 行沿用附件8 的安装日期，"
            f"{len(rows) - kept} 行未填安装日期，按 {day.isoformat()} 登记。")
    return Done(lines=[line], changes=outcome.changes, backup=outcome.backup)
