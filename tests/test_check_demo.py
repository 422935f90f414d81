"""The synthetic unit of `ledger init --demo` passes every check."""
from __future__ import annotations

import datetime as dt

import pytest

from workbook_tools.files.create import build_workbook
from workbook_tools.read.reader import load_ledger
from workbook_tools.rules import run_check

demo = pytest.importorskip("workbook_tools.demo")


@pytest.mark.parametrize("seed, today", [(2024, dt.date(2026, 3, 1)), (7, dt.date(2025, 11, 30))])
def test_demo_checks_without_errors(tmp_path, seed, today):
    wb = build_workbook()
    demo.fill(wb, demo.DemoSpec(staff=60, computers=60, software=20, years=2, seed=seed, today=today))
    path = tmp_path / "demo.xlsx"
    wb.save(path)
    result = run_check(load_ledger(path), today)
    assert [f for f in result.findings if f.severity.value == "error"] == []
    assert "RULE-CRASH" not in {f.rule for f in result.findings}
