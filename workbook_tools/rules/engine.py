"""run_check: every registered rule over one ledger, collected, crash-proof and sorted."""
from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Iterable

from pydantic import BaseModel, Field

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import Finding, LedgerError, Severity
from workbook_tools.rules.context import CheckContext
from workbook_tools.rules.registry import CODES, ENGINE_CODES, IMPLEMENTATIONS, READER_CODES, SPECS, RuleFn


class CheckResult(BaseModel):
    """Outcome of one check (LEDGER_SPEC §6 once a workbook name is attached)."""

    workbook: str | None = None
    checked_at: dt.datetime
    today: dt.date
    rules: list[str] = Field(default_factory=list)      # codes that were applied
    findings: list[Finding] = Field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def has_errors(self) -> bool:
        return any(f.severity is Severity.ERROR for f in self.findings)

    def by_sheet(self) -> dict[str | None, list[Finding]]:
        out: dict[str | None, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.sheet, []).append(f)
        return out

    def as_json(self, workbook: str | None = None) -> dict:
        """The §6 object: workbook, checked_at (no microseconds), counts, findings."""
        return {"workbook": workbook if workbook is not None else self.workbook,
                "checked_at": self.checked_at.replace(microsecond=0).isoformat(),
                "counts": self.counts,
                "findings": [f.as_json() for f in self.findings]}


def _expand(codes: Iterable[str]) -> set[str]:
    """Codes, with a trailing '*' (or a family prefix such as 'EVENT-*') matching many."""
    out: set[str] = set()
    for raw in codes:
        code = raw.strip().upper()
        if not code:
            continue
        matched = [c for c in CODES if c.startswith(code[:-1])] if code.endswith("*") else \
            [c for c in CODES if c == code]
        if not matched:
            raise LedgerError(f"未知的规则代码「{raw.strip()}」；可用的代码：{'、'.join(CODES)}", 2)
        out.update(matched)
    return out


def selected_codes(select: Iterable[str] | None = None, skip: Iterable[str] | None = None) -> list[str]:
    chosen = _expand(select) if select else set(CODES)
    chosen -= _expand(skip or ())
    return [c for c in CODES if c in chosen]


def _crash(code: str, fn: RuleFn, exc: BaseException) -> Finding:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    place = f"，位置 {where.name}:{where.lineno}" if where else ""
    return Finding(rule="RULE-CRASH", severity=SPECS["RULE-CRASH"].severity, sheet=None,
                   message=f"规则 {code}（{getattr(fn, '__name__', '?')}）执行失败（{type(exc).__name__}{place}）；"
                           "其余规则已照常执行")


def _column_of(cell: str | None) -> tuple[int, str]:
    letters = (cell or "").rstrip("0123456789")
    return len(letters), letters


def sort_key(order: dict[str, int]):
    def key(f: Finding) -> tuple:
        return (order.get(f.sheet or "", len(order)), f.row if f.row is not None else -1,
                _column_of(f.cell), f.rule, f.message)
    return key


def sheet_order(ledger: Ledger) -> dict[str, int]:
    names = list(ledger.sheet_names) + [s.name for s in schema.SHEETS]
    return {name: i for i, name in enumerate(dict.fromkeys(names))}


def run_rules(ctx: CheckContext, codes: list[str]) -> list[Finding]:
    findings = [f for f in ctx.ledger.findings if f.rule in codes]
    for code in codes:
        for fn in IMPLEMENTATIONS.get(code, ()):
            try:
                findings.extend(fn(ctx))
            except Exception as exc:  # noqa: BLE001 - a broken rule must not stop the others
                if "RULE-CRASH" in codes:
                    findings.append(_crash(code, fn, exc))
    return findings


def dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for f in findings:
        key = (f.rule, f.sheet, f.row, f.column, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def run_check(ledger: Ledger, today: dt.date | None = None, select: Iterable[str] | None = None,
              skip: Iterable[str] | None = None) -> CheckResult:
    """Apply LEDGER_SPEC §3 to a ledger; `select`/`skip` restrict the rule codes (e.g. ['EVENT-*'])."""
    today = today or dt.date.today()
    codes = selected_codes(select, skip)
    findings = dedupe(run_rules(CheckContext(ledger, today), codes))
    findings.sort(key=sort_key(sheet_order(ledger)))
    workbook = ledger.path.name if ledger.path else None
    return CheckResult(workbook=workbook, checked_at=dt.datetime.now().replace(microsecond=0), today=today,
                       rules=codes, findings=findings)


IMPLEMENTED_ELSEWHERE = READER_CODES | ENGINE_CODES
