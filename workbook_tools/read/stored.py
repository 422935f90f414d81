"""Findings a previous `ledger check/scan --annotate` kept in the generated sheet 校验结果 (read on request)."""
from __future__ import annotations

import re
from pathlib import Path

from workbook_tools.core import schema
from workbook_tools.core.model import Finding, Severity
from workbook_tools.read.reader import read_raw

_SEVERITY = {"错误": Severity.ERROR, "警告": Severity.WARNING}
_CELL = re.compile(r"^[A-Z]{1,3}(\d+)$")


def stored_findings(path: Path) -> list[Finding]:
    """The rows of 校验结果 as findings (none when the sheet is absent or has no header)."""
    raw = read_raw(Path(path), only={schema.RESULTS})[0].get(schema.RESULTS)
    if not raw or not raw[0]:
        return []
    rows = raw[0]
    head = [str(v).strip() if v is not None else "" for v in rows[0]]
    wanted = ("规则", "级别", "表", "单元格", "说明")
    if not all(h in head for h in wanted):
        return []
    at = {h: head.index(h) for h in wanted}
    out = []
    for row in rows[1:]:
        get = {h: (str(row[i]).strip() if i < len(row) and row[i] not in (None, "") else None) for h, i in at.items()}
        if not get["规则"] or get["级别"] not in _SEVERITY:
            continue
        match = _CELL.match(get["单元格"] or "")
        out.append(Finding(rule=get["规则"], severity=_SEVERITY[get["级别"]], sheet=get["表"],
                           row=int(match[1]) if match else None, cell=get["单元格"], message=get["说明"] or ""))
    return out
