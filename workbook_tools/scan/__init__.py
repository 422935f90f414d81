"""Inspection by endpoint scans (LEDGER_SPEC §9; 日常使用管理规定 四).

    from workbook_tools.scan import run_scan
    result = run_scan(load_ledger(path), [Path("扫描结果/")], day)   # -> ScanResult (findings by computer)

Pipeline: files (read CSV scans) -> rules (软件名称对照, first match wins) -> hosts (scan host
-> 计算机编号) -> context/reconcile (compare with the replay of 附件9) -> report (by 处室) and
propose (扫描建议 -> 附件9).
"""
from __future__ import annotations

from workbook_tools.scan.files import ColumnMap, ScanSet, read_scans
from workbook_tools.scan.result import ScanIssue, ScanResult
from workbook_tools.scan.rules import DEFAULT_RULES
from workbook_tools.scan.run import reconcile, run_scan

__all__ = ["run_scan", "reconcile", "read_scans", "ColumnMap", "ScanSet", "ScanResult", "ScanIssue", "DEFAULT_RULES"]
