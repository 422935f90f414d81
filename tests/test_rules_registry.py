"""The registry holds exactly the codes of LEDGER_SPEC §3; the engine survives a broken rule."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from builders import clean_unit, make_ledger

from workbook_tools.core.model import LedgerError, Severity
from workbook_tools.read.reader import load_ledger
from workbook_tools.rules import CODES, IMPLEMENTATIONS, SPECS, run_check, selected_codes
from workbook_tools.rules.registry import ADDED_CODES, ENGINE_CODES, READER_CODES

SPEC = Path(__file__).resolve().parents[1] / "../shared/LEDGER_SPEC.md"
TODAY = dt.date(2026, 3, 1)


def spec_codes() -> dict[str, str]:
    """code -> severity from the tables of §3 and of §11 (the yearly cycle's check codes)."""
    text = SPEC.read_text(encoding="utf-8")
    section = text.split("## §3", 1)[1].split("## §4", 1)[0] + text.split("## §11", 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in section.splitlines():
        m = re.match(r"^\|\s*(`[A-Z-]+`(?:,\s*`[A-Z-]+`)*)\s*\|\s*(error|warning)\s*\|", line)
        if m:
            for code in re.findall(r"`([A-Z-]+)`", m.group(1)):
                out[code] = m.group(2)
    return out


README = Path(__file__).resolve().parents[1] / "README.md"
SEVERITY_WORDS = {"警告": "warning", "错误": "error"}


def appended_codes() -> dict[str, str]:
    """code -> severity of the check codes README «对规范的补充» appends to §3 (not the SCAN-* ones of §9)."""
    text = README.read_text(encoding="utf-8").split("## 对规范的补充", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"`([A-Z]+(?:-[A-Z]+)+)`（(警告|错误)", text)
    return {code: SEVERITY_WORDS[word] for code, word in found if not code.startswith("SCAN-")}


@pytest.mark.skipif(not SPEC.exists(), reason="LEDGER_SPEC.md not next to the repository")
def test_registry_matches_spec():
    expected = spec_codes() | appended_codes()
    assert set(CODES) == set(expected)
    assert {c: SPECS[c].severity.value for c in CODES} == expected


def test_added_codes_are_listed_in_the_readme():
    assert set(appended_codes()) == ADDED_CODES


def test_every_code_is_implemented():
    missing = [c for c in CODES if not IMPLEMENTATIONS.get(c) and c not in READER_CODES | ENGINE_CODES]
    assert missing == []


def test_select_and_skip():
    assert selected_codes(["EVENT-*"]) == [c for c in CODES if c.startswith("EVENT-")]
    assert "LIC-OVERUSE" not in selected_codes(skip=["lic-overuse"])
    with pytest.raises(LedgerError):
        selected_codes(["NOPE"])


@pytest.fixture
def broken_rule(monkeypatch):
    def boom(ctx):
        raise ZeroDivisionError("boom")
        yield  # pragma: no cover

    monkeypatch.setitem(IMPLEMENTATIONS, "LIC-OVERUSE", [boom])


def test_crashing_rule_becomes_one_finding(tmp_path, broken_rule):
    unit = clean_unit()
    unit["人员"][0]["承诺书签署日期"] = None
    result = run_check(load_ledger(make_ledger(tmp_path, **unit)), TODAY)
    crashes = [f for f in result.findings if f.rule == "RULE-CRASH"]
    assert len(crashes) == 1 and crashes[0].severity is Severity.ERROR
    assert "LIC-OVERUSE" in crashes[0].message
    assert any(f.rule == "STAFF-NO-PLEDGE" for f in result.findings)  # the others still ran


def test_findings_sorted_by_sheet_then_row(tmp_path):
    unit = clean_unit()
    unit["附件9"][2]["申请编号"] = None
    unit["人员"][1]["承诺书签署日期"] = None
    unit["附件7"][2]["软件版本"] = "1"
    result = run_check(load_ledger(make_ledger(tmp_path, **unit)), TODAY)
    assert [(f.sheet.split(" ")[0], f.row) for f in result.findings] == [("人员", 3), ("附件7", 4), ("附件9", 4)]
    assert result.counts == {"error": 1, "warning": 2}


def test_reader_type_findings_obey_skip(tmp_path):
    unit = clean_unit()
    unit["附件9"][0]["日期"] = "昨天"
    ledger = load_ledger(make_ledger(tmp_path, **unit))
    assert any(f.rule == "TYPE-DATE" for f in run_check(ledger, TODAY).findings)
    assert not any(f.rule == "TYPE-DATE" for f in run_check(ledger, TODAY, skip=["TYPE-*"]).findings)
