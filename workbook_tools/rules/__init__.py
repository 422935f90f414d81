"""LEDGER_SPEC §3: one function per rule code, grouped by family, run by `run_check`.

    from workbook_tools.rules import run_check
    result = run_check(load_ledger(path), today)      # -> CheckResult (findings, counts)
"""
from __future__ import annotations

# Importing the family modules registers their rules.
from workbook_tools.rules import compliance, cycle, events, fields, numbering, references  # noqa: F401
from workbook_tools.rules.context import CheckContext
from workbook_tools.rules.engine import CheckResult, run_check, selected_codes
from workbook_tools.rules.registry import CODES, IMPLEMENTATIONS, SPECS, RuleSpec, rule

__all__ = [
           "CODES",
           "IMPLEMENTATIONS",
           "SPECS",
           "CheckContext",
           "CheckResult",
           "RuleSpec",
           "rule",
           "run_check",
           "selected_codes",
]
