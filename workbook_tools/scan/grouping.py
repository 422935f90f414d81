"""Findings grouped for people (LEDGER_SPEC §9a): by kind, errors first, then by computer; the computers
without a scan as one summary line.  The text report, the 检查通报 and the page of `ledger serve` all
show this grouping."""
from __future__ import annotations

from pydantic import BaseModel, Field

from workbook_tools.core.model import Severity
from workbook_tools.scan import codes
from workbook_tools.scan.result import ScanIssue, ScanResult

SEVERITY_TEXT = {"error": "错误", "warning": "警告"}
FIRST_FEW = 8
# Within a severity, the kinds an inspection looks at first come first.
ORDER = (codes.PIRACY, codes.UNREGISTERED, codes.PERSONAL_EDITION, codes.FREE_NOT_LISTED, codes.UNLICENSED,
         codes.FILE_UNREADABLE, codes.IRRELEVANT, codes.EDITION, codes.MISSING, codes.VERSION,
         codes.UNKNOWN_COMPUTER, codes.UNMAPPED, codes.RULE_INVALID, codes.NOT_SCANNED)
LEDGER_WIDE = "（台账与对照规则）"


class ComputerGroup(BaseModel):
    computer: str                   # 计算机编号, a host the register lacks, or LEDGER_WIDE
    who: str                        # as messages name it: PC-001（张三，办公室）
    issues: list[ScanIssue] = Field(default_factory=list)


class KindGroup(BaseModel):
    code: str
    severity: str                   # error / warning
    title: str
    clause: str
    advice: str
    count: int = 0
    computers: list[ComputerGroup] = Field(default_factory=list)


class NotScanned(BaseModel):
    count: int = 0
    first: list[str] = Field(default_factory=list)

    def line(self) -> str:
        more = " 等" if self.count > len(self.first) else ""
        return (f"未扫描的在用计算机 {self.count} 台：{'、'.join(self.first)}{more}"
                f"（{codes.NOT_SCANNED}，{SEVERITY_TEXT['warning']}；{codes.CLAUSE[codes.NOT_SCANNED]}："
                f"{codes.ADVICE[codes.NOT_SCANNED]}）")


class Grouped(BaseModel):
    kinds: list[KindGroup] = Field(default_factory=list)
    not_scanned: NotScanned = Field(default_factory=NotScanned)

    def as_json(self) -> dict:
        return {"kinds": [{"code": k.code, "severity": k.severity, "title": k.title, "clause": k.clause,
                           "advice": k.advice, "count": k.count,
                           "computers": [{"computer": c.computer, "who": c.who,
                                          "findings": [i.finding.model_dump(mode="json") for i in c.issues]}
                                         for c in k.computers]} for k in self.kinds],
                "not_scanned": {"count": self.not_scanned.count, "first": self.not_scanned.first,
                                "line": self.not_scanned.line() if self.not_scanned.count else ""}}


def _rank(code: str) -> tuple[int, int]:
    severity = codes.SPECS[code].severity
    return (0 if severity is Severity.ERROR else 1, ORDER.index(code) if code in ORDER else len(ORDER))


def group(result: ScanResult, who=None) -> Grouped:
    """`result.issues` (already ordered by department and computer) grouped by kind then computer."""
    who = who or (lambda computer: computer)
    out = Grouped()
    kinds: dict[str, KindGroup] = {}
    groups: dict[tuple[str, str], ComputerGroup] = {}
    for issue in result.issues:
        code = issue.finding.rule
        if code == codes.NOT_SCANNED:
            out.not_scanned.count += 1
            if len(out.not_scanned.first) < FIRST_FEW:
                out.not_scanned.first.append(issue.computer or "")
            continue
        kind = kinds.get(code)
        if kind is None:
            spec = codes.SPECS[code]
            kind = kinds[code] = KindGroup(code=code, severity=spec.severity.value, title=spec.title,
                                           clause=codes.CLAUSE.get(code, ""), advice=codes.ADVICE.get(code, ""))
        kind.count += 1
        computer = issue.computer or LEDGER_WIDE
        place = groups.get((code, computer))
        if place is None:
            label = who(computer) if issue.computer and issue.known else (
                f"未登记的计算机 {computer}" if issue.computer else LEDGER_WIDE)
            place = groups[(code, computer)] = ComputerGroup(computer=computer, who=label)
            kind.computers.append(place)
        place.issues.append(issue)
    out.kinds = sorted(kinds.values(), key=lambda k: _rank(k.code))
    return out


def text_lines(grouped: Grouped, place) -> list[str]:
    """The grouped findings as plain lines (place(finding) -> 'PC-105.csv:69' or 'Sheet!A2')."""
    lines: list[str] = []
    for kind in grouped.kinds:
        computers = sum(c.computer != LEDGER_WIDE for c in kind.computers)
        on = f"，{computers} 台计算机" if computers else ""
        lines += ["", f"【{SEVERITY_TEXT[kind.severity]}】{kind.code} {kind.title}：{kind.count} 条{on}",
                  f"  依据：{kind.clause}；建议：{kind.advice}"]
        for group_ in kind.computers:
            lines.append(f"  {group_.who}")
            for issue in group_.issues:
                where = place(issue.finding)
                lines.append(f"    - {issue.finding.message}" + (f"  [{where}]" if where else ""))
    if grouped.not_scanned.count:
        lines += ["", grouped.not_scanned.line()]
    return lines
