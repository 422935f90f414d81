"""A realistic synthetic unit for `ledger init --demo` and the benchmarks.

`build(spec)` generates every row in memory (pure, deterministic for a seed and a
`today`); `fill(wb, spec)` writes them into a workbook made by
`create.build_workbook()` and returns a one-paragraph Chinese summary.
"""
from __future__ import annotations

import datetime as dt

from openpyxl.workbook import Workbook
from pydantic import BaseModel, ConfigDict, Field

from workbook_tools import schema
from workbook_tools.demo.build import DemoUnit, build
from workbook_tools.demo.output import has_rows, number_prefixes, write_settings, write_table
from workbook_tools.model import LedgerError

PRESET_SHEETS = (schema.DEPTS, schema.A1)
# (smallest, largest) accepted value of each size option.
LIMITS: dict[str, tuple[int, int]] = {
    "staff": (60, 20000), "computers": (20, 30000), "software": (20, 150), "years": (1, 15),
    "events": (0, 2_000_000),
}
OPTION_NAMES = {"staff": "人员数", "computers": "计算机数", "software": "软件编号数", "years": "年数",
                "events": "目标安装维护记录数"}


class DemoSpec(BaseModel):
    """Size and seed of the synthetic unit."""

    model_config = ConfigDict(frozen=True)

    staff: int = 200
    computers: int = 250
    software: int = 30
    years: int = 4
    seed: int = 2024
    today: dt.date = Field(default_factory=dt.date.today)
    events: int = 0  # wanted number of 附件9 events; 0 = the natural density of the unit

    def problems(self) -> list[str]:
        out = []
        for key, (lo, hi) in LIMITS.items():
            value = getattr(self, key)
            if not lo <= value <= hi:
                out.append(f"{OPTION_NAMES[key]}应在 {lo}–{hi} 之间（现为 {value}）")
        return out


def fill(wb: Workbook, spec: DemoSpec) -> str:
    """Fill a new ledger workbook with the synthetic unit; returns the summary to print."""
    problems = spec.problems()
    if problems:
        raise LedgerError("示例数据参数有误：" + "；".join(problems), 1)
    unit = build(spec, number_prefixes(wb))
    write_settings(wb, unit.settings)
    for name, rows in unit.sheets.items():
        if name in PRESET_SHEETS and has_rows(wb, name):
            continue  # `init --preset` already wrote the same departments and leading group
        write_table(wb, name, rows)
    return unit.summary()


__all__ = ["DemoSpec", "DemoUnit", "build", "fill"]
