"""Inspection by endpoint scans (LEDGER_SPEC §9; 日常使用管理规定 四).

    from workbook_tools.tasks.scanning import read_scans     # the files are opened in tasks/
    result, ctx = reconcile(ledger, read_scans([Path("扫描结果/")]), day)   # -> ScanResult (findings by computer)

Pipeline: files (parse CSV scans) -> rules (软件名称对照, first match wins) -> hosts (scan host
-> 计算机编号) -> context/reconcile (compare with the replay of 附件9) -> report (by 处室) and
propose (扫描建议 -> 附件9).
"""
from __future__ import annotations

from workbook_tools.scan.files import ColumnMap, ScanSet, parse_scans
from workbook_tools.scan.result import ScanIssue, ScanResult
from workbook_tools.scan.rules import DEFAULT_RULES
from workbook_tools.scan.run import reconcile

__all__ = ["DEFAULT_RULES", "ColumnMap", "ScanIssue", "ScanResult", "ScanSet", "parse_scans", "reconcile"]
