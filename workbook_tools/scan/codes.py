"""Finding codes of the scan reconciliation (LEDGER_SPEC §9, plus SCAN-RULE-INVALID)."""
from __future__ import annotations

from workbook_tools.core.model import Finding, Severity
from workbook_tools.rules.registry import RuleSpec

E, W = Severity.ERROR, Severity.WARNING

UNREGISTERED = "SCAN-UNREGISTERED"
MISSING = "SCAN-MISSING"
UNMAPPED = "SCAN-UNMAPPED"
UNKNOWN_COMPUTER = "SCAN-UNKNOWN-COMPUTER"
VERSION = "SCAN-VERSION"
UNLICENSED = "SCAN-UNLICENSED"
NOT_SCANNED = "SCAN-NOT-SCANNED"
RULE_INVALID = "SCAN-RULE-INVALID"   # an addition (docs/scan.md 「对规范的补充」)
FILE_UNREADABLE = "SCAN-FILE-UNREADABLE"   # an addition: one scan file could not be read, the others are

_SPECS = (
    RuleSpec(UNREGISTERED, E, "scan", "扫描发现安装，台账无安装记录（私自安装）"),
    RuleSpec(MISSING, W, "scan", "台账记录已安装，扫描未发现"),
    RuleSpec(UNMAPPED, W, "scan", "扫描到的软件名称没有对照规则"),
    RuleSpec(UNKNOWN_COMPUTER, W, "scan", "扫描文件的计算机不在「计算机」登记表中"),
    RuleSpec(VERSION, W, "scan", "安装的版本与台账记录不同"),
    RuleSpec(UNLICENSED, E, "scan", "扫描发现的安装超过许可数量或许可已到期"),
    RuleSpec(NOT_SCANNED, W, "scan", "在用计算机没有扫描结果"),
    RuleSpec(RULE_INVALID, W, "scan", "「软件名称对照」中的规则无效"),
    RuleSpec(FILE_UNREADABLE, E, "scan", "扫描文件无法读取（其余文件照常核对）"),
)
SPECS: dict[str, RuleSpec] = {s.code: s for s in _SPECS}
CODES: tuple[str, ...] = tuple(SPECS)


def make(code: str, message: str, sheet: str | None = None, row: int | None = None, column: str | None = None,
         cell: str | None = None, scan_file: str | None = None, scan_line: int | None = None) -> Finding:
    """A finding of `code` with its fixed severity."""
    return Finding(rule=code, severity=SPECS[code].severity, sheet=sheet, row=row, column=column, cell=cell,
                   message=message, scan_file=scan_file, scan_line=scan_line)
