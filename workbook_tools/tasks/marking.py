"""校验并标记 on a ledger read live from Excel: what to mark and what 校验结果 holds, decided once.

The file action (`tasks.sheets.annotate`, `ledger check --annotate`) writes through the safe writer;
the Excel button writes into the open workbook in bounded COM calls (faces/excel/marks.py).  Both
mark the same cells for the same findings: this module is that shared decision.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from openpyxl.utils import quote_sheetname
from pydantic import BaseModel

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import SEVERITY_TEXT, Finding, Severity
from workbook_tools.ops.annotate import ACTION, HEADERS, HIGHLIGHT, NO_FILL, ORIGINAL_FILL
from workbook_tools.rules import run_check
from workbook_tools.rules.engine import CheckResult

__all__ = ["ACTION", "COLORS", "LINK", "LIVE_HEADERS", "NO_FILL", "ORIGINAL_FILL", "MarkPlan", "plan_marks", "result_rows",
           "worst_by_cell"]

LINK = "跳转"          # extra 校验结果 column written by the button (docs/excel.md 「对规范的补充」)
LIVE_HEADERS = (*HEADERS, LINK)
RGB = tuple[int, int, int]
COLORS: dict[Severity, RGB] = {s: (int(argb[2:4], 16), int(argb[4:6], 16), int(argb[6:8], 16))
                               for s, argb in HIGHLIGHT.items()}


class MarkPlan(BaseModel):
    """The check, the cells to colour (sheet -> cell -> worst severity) and the rows of 校验结果."""

    result: CheckResult
    marks: dict[str, dict[str, Severity]]
    rows: list[list[object]]

    @property
    def marked(self) -> int:
        return sum(len(c) for c in self.marks.values())

    def change_line(self, cleared: int) -> str:
        counts = self.result.counts
        return (f"写入校验结果 {len(self.result.findings)} 条（错误 {counts['error']}，警告 {counts['warning']}），"
                f"标记 {self.marked} 个单元格，清除上次标记 {cleared} 个单元格")

    def lines(self, today: dt.date) -> list[str]:
        counts = self.result.counts
        lines = [f"共 {counts['error']} 个错误，{counts['warning']} 个警告（今天按 {today.isoformat()} 计）。",
                 f"已标记 {self.marked} 个单元格（红色为错误，黄色为警告），明细见工作表「{schema.RESULTS}」。"]
        by_sheet: dict[str, int] = {}
        for f in self.result.findings:
            by_sheet[f.sheet or "（全局）"] = by_sheet.get(f.sheet or "（全局）", 0) + 1
        return lines + [f"  {sheet}：{n} 条" for sheet, n in by_sheet.items()]


def worst_by_cell(findings: Iterable[Finding], sheets: set[str]) -> dict[str, dict[str, Severity]]:
    """sheet -> cell -> the most severe finding there, for the cells that can be marked."""
    marks: dict[str, dict[str, Severity]] = {}
    for f in findings:
        if f.sheet and f.cell and f.sheet in sheets and f.sheet != schema.RESULTS:
            cells = marks.setdefault(f.sheet, {})
            if cells.get(f.cell) is not Severity.ERROR:
                cells[f.cell] = f.severity
    return marks


def _link(f: Finding) -> str | None:
    if not (f.sheet and f.cell):
        return None
    target = f"#{quote_sheetname(f.sheet)}!{f.cell}".replace('"', '""')
    return f'=HYPERLINK("{target}","{f.cell}")'


def result_rows(findings: list[Finding], marked: dict[str, dict[str, Severity]], sheets: set[str]) -> list[list[object]]:
    rows: list[list[object]] = [list(LIVE_HEADERS)]
    for f in findings:
        is_marked = bool(f.sheet and f.cell and f.cell in marked.get(f.sheet, {}))
        rows.append([f.rule, SEVERITY_TEXT[f.severity], f.sheet, f.cell, f.message,
                     NO_FILL if is_marked else None, _link(f) if f.sheet in sheets else None])
    return rows


def plan_marks(ledger: Ledger, today: dt.date, sheets: set[str]) -> MarkPlan:
    """The rules of `ledger check` on `ledger`; `sheets` are the workbook's sheet names (what can be marked)."""
    result = run_check(ledger, today)
    marks = worst_by_cell(result.findings, sheets)
    return MarkPlan(result=result, marks=marks, rows=result_rows(result.findings, marks, sheets))
