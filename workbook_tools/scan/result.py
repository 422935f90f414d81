"""What one scan reconciliation produced: findings (LEDGER_SPEC §6 shape + scan_file/scan_line)
and, for each, the computer and software it is about (for grouping and the inspection report)."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from workbook_tools.core.model import Finding, Severity


class ScanIssue(BaseModel):
    finding: Finding
    computer: str | None = None     # 计算机编号; the scanned host name for SCAN-UNKNOWN-COMPUTER
    known: bool = True              # False: `computer` is a host name absent from the register
    software: str | None = None     # 软件编号
    scanned_name: str | None = None  # DisplayName as scanned
    scanned_version: str | None = None


class ScanStats(BaseModel):
    files: int = 0
    superseded_files: int = 0       # older scans of a computer that has a newer file
    entries: int = 0
    ignored: int = 0
    unmapped: int = 0
    hosts: int = 0
    computers: list[str] = Field(default_factory=list)  # scanned computers of the register


class ScanResult(BaseModel):
    workbook: str | None = None
    checked_at: dt.datetime
    date: dt.date                   # the ledger's installations are taken as of this day
    issues: list[ScanIssue] = Field(default_factory=list)
    stats: ScanStats = Field(default_factory=ScanStats)
    rules_from_defaults: bool = False

    @property
    def findings(self) -> list[Finding]:
        return [i.finding for i in self.issues]

    @property
    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for i in self.issues:
            counts[i.finding.severity.value] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return any(i.finding.severity is Severity.ERROR for i in self.issues)

    def as_json(self, workbook: str | None = None) -> dict:
        """The §6 object; every finding carries scan_file and scan_line (null where not about a scan line)."""
        return {"workbook": workbook if workbook is not None else self.workbook,
                "checked_at": self.checked_at.replace(microsecond=0).isoformat(),
                "counts": self.counts,
                "findings": [i.finding.model_dump(mode="json") for i in self.issues]}
