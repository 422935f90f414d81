"""A realistic synthetic unit for `ledger init --demo` and the benchmarks.

`build(spec)` generates every row in memory (pure, deterministic for a seed and a
`today`); `fill(wb, spec)` writes them into a workbook made by
`create.build_workbook()` and returns a one-paragraph Chinese summary.
"""
from __future__ import annotations

from openpyxl.workbook import Workbook

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.demo.build import DemoUnit, build
from workbook_tools.demo.output import has_rows, number_prefixes, write_settings, write_table
from workbook_tools.demo.spec import DemoSpec

PRESET_SHEETS = (schema.DEPTS, schema.A1)  # `init --preset` writes them too


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
