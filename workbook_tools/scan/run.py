"""reconcile: scans read by tasks/scanning.py compared with the ledger, the findings collected and ordered."""
from __future__ import annotations

import datetime as dt

from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import Severity
from workbook_tools.scan import codes
from workbook_tools.scan.context import PRODUCT, ScanContext
from workbook_tools.scan.files import ScanSet
from workbook_tools.scan.library import Library
from workbook_tools.scan.reconcile import CHECKS
from workbook_tools.scan.result import ScanIssue, ScanResult, ScanStats

_CODE_ORDER = {code: i for i, code in enumerate(codes.CODES)}


def _sort_key(ctx: ScanContext):
    def key(issue: ScanIssue) -> tuple:
        computer = issue.computer or ""
        if issue.computer is None:
            group = 2
        elif not issue.known:
            group = 1
        else:
            group = 0
        dept = ctx.depts.get(computer, "") if group == 0 else ""
        errors_first = 0 if issue.finding.severity is Severity.ERROR else 1
        return (group, dept, computer, errors_first, _CODE_ORDER[issue.finding.rule], issue.finding.row or 0,
                issue.finding.message)
    return key


def _stats(ctx: ScanContext) -> ScanStats:
    actions = ctx.entries["action"]
    return ScanStats(files=len(ctx.scans.files), superseded_files=ctx.superseded_files, entries=len(ctx.entries),
                     ignored=int((actions == "忽略").sum()),
                     unmapped=int((actions.isna() & ctx.entries[PRODUCT].isna()).sum()),
                     hosts=len(ctx.latest_file), computers=sorted(ctx.scanned))


def reconcile(ledger: Ledger, scans: ScanSet, day: dt.date,
              library: Library | None = None) -> tuple[ScanResult, ScanContext]:
    """Compare the scans with the ledger's live installations at `day` (LEDGER_SPEC §9, §9a); `library` is the
    recognition library (the shipped one when None; tasks/scanning adds the user's file beside the ledger)."""
    ctx = ScanContext(ledger, scans, day, library)
    issues = [ScanIssue(finding=f) for f in [*ctx.rule_findings, *scans.problems]]
    for check in CHECKS:
        issues.extend(check(ctx))
    issues.sort(key=_sort_key(ctx))
    result = ScanResult(workbook=ledger.path.name if ledger.path else None,
                        checked_at=dt.datetime.now().replace(microsecond=0), date=day, issues=issues,
                        stats=_stats(ctx), rules_from_defaults=ctx.rules.from_defaults)
    return result, ctx
