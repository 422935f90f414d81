"""软件名称对照: the shipped defaults, first match wins, 等于/正则, version groups, invalid rules."""
from __future__ import annotations

import pandas as pd
import pytest
from builders import make_ledger
from test_scan_data import UNIT_RULES, scan_rules

from workbook_tools.core import schema
from workbook_tools.read.reader import load_ledger
from workbook_tools.scan import rules as rules_mod
from workbook_tools.scan.rules import RuleSet, compile_rows, load_rules, norm_text

KNOWN = frozenset({"SY-0001", "SY-0002", "MF-0001", "OEM-0001"})


def _rule(order, pattern, action="对应", number=None, field="DisplayName", mode="正则", group=None, row=None):
    return {"顺序": order, "匹配字段": field, "匹配方式": mode, "匹配内容": pattern, "动作": action,
            "软件编号": number, "版本取值": group, "_row": row}


def _defaults() -> RuleSet:
    rows = [r for r in scan_rules() if r["顺序"] < 170]      # the unit's rules, numbers filled in
    ruleset, findings = compile_rows(rows, frozenset(r["软件编号"] for r in rows if r["软件编号"]))
    assert findings == []
    return ruleset


def classify(ruleset: RuleSet, name: str, publisher: str = ""):
    return ruleset.classify(norm_text(name), norm_text(publisher))


def test_unit_rules_use_the_sheet_headers_and_fixed_lists():
    headers = set(schema.BY_NAME[schema.NAME_MAP].headers)
    for row in UNIT_RULES:
        assert set(row) == headers
        assert row["匹配字段"] in schema.MATCH_FIELDS and row["匹配方式"] in schema.MATCH_MODES
        assert row["动作"] in schema.MATCH_ACTIONS and row["软件编号"] is None
    orders = [r["顺序"] for r in UNIT_RULES]
    assert orders == sorted(set(orders))


@pytest.mark.parametrize("name,publisher", [
    ("Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.36.32532", "Microsoft Corporation"),
    ("Microsoft Visual C++ 2008 Redistributable - x86 9.0.30729.6161", "Microsoft Corporation"),
    ("Microsoft .NET Framework 4.8.1 Targeting Pack", "Microsoft Corporation"),
    ("Microsoft Windows Desktop Runtime - 6.0.16 (x64)", "Microsoft Corporation"),
    ("Microsoft Office 2010 的安全更新 (KB4484127) 32 位版", "Microsoft Corporation"),
    ("Realtek High Definition Audio Driver", "Realtek Semiconductor Corp."),
    ("Windows 驱动程序包 - Lenovo (WUDFRd) LenovoVhid", "Lenovo"),
    ("Intel(R) Chipset Device Software", "Intel(R) Corporation"),
    ("Intel® Graphics Command Center", "Intel Corporation"),
])
def test_default_ignores(name, publisher):
    assert classify(_defaults(), name, publisher).action == "忽略"


@pytest.mark.parametrize("name,publisher,version,order", [
    ("Microsoft Office 专业增强版 2019 - zh-cn", "Microsoft Corporation", "2019", 130),
    ("Microsoft Office Professional Plus 2016", "Microsoft Corporation", "2016", 130),
    ("7-Zip 23.01 (x64)", "Igor Pavlov", "23.01", 160),
    ("7-Zip 9.20 (x64 edition)", "Igor Pavlov", "9.20", 160),
    ("WPS Office (11.1.0.11830)", "Zhuhai Kingsoft Office Software Co.,Ltd", None, 120),
    ("WPS Office 2019 专业版", "Kingsoft Corp.", "2019", 120),
    ("天擎终端安全管理系统", "奇安信科技集团股份有限公司", None, 150),
    ("Microsoft Windows 10 专业版", "Microsoft Corporation", "10", 100),
    ("银河麒麟桌面操作系统V10 (SP1)", "", None, 110),
])
def test_unit_rules_match_with_their_versions(name, publisher, version, order):
    from test_scan_data import NUMBERS

    match = classify(_defaults(), name, publisher)
    assert (match.action, match.number, match.version, match.order) == ("对应", NUMBERS[order], version, order)


@pytest.mark.parametrize("name", ["驱动精灵", "Driver Booster 10", "Foxit PDF Reader", "腾讯QQ"])
def test_default_rules_leave_real_software_alone(name):
    assert classify(_defaults(), name).action is None


def test_first_match_wins_by_order_not_by_row():
    rows = [_rule(20, "^WPS", number="SY-0001", row=2), _rule(10, "^WPS Office 2019", action="忽略", row=3)]
    ruleset, _ = compile_rows(rows, KNOWN)
    assert classify(ruleset, "WPS Office 2019").action == "忽略"
    assert classify(ruleset, "WPS Office (11.1)").number == "SY-0001"


def test_equals_folds_case_width_and_spaces():
    ruleset, _ = compile_rows([_rule(1, "ＷＰＳ  office", mode="等于", number="SY-0001")], KNOWN)
    assert classify(ruleset, " wps Office ").number == "SY-0001"
    assert classify(ruleset, "WPS Office 2019").action is None


def test_publisher_field_and_empty_publisher():
    ruleset, _ = compile_rows([_rule(1, "^Igor Pavlov$", field="Publisher", number="MF-0001")], KNOWN)
    assert classify(ruleset, "7-Zip 23.01", "Igor Pavlov").number == "MF-0001"
    assert classify(ruleset, "7-Zip 23.01", "").action is None


def test_version_group_by_number_and_fallback_when_group_did_not_take_part():
    ruleset, _ = compile_rows([_rule(1, r"^Foo(?: (\d+))?", number="SY-0001", group="1")], KNOWN)
    assert classify(ruleset, "Foo 2021").version == "2021"
    assert classify(ruleset, "Foo").version is None


def test_classify_entries_uses_display_version_unless_taken_from_the_name():
    ruleset, _ = compile_rows([_rule(1, r"^7-Zip (?P<v>[\d.]+)", number="MF-0001", group="v"),
                               _rule(2, "^WPS", number="SY-0001")], KNOWN)
    entries = pd.DataFrame({"name": ["7-Zip 23.01 (x64)", "WPS Office"], "publisher": [None, None],
                            "version": ["23.01.00.0", "11.1.0.1"]}, dtype=object)
    out = ruleset.classify_entries(entries)
    assert out["version"].tolist() == ["23.01", "11.1.0.1"]
    assert out["number"].tolist() == ["MF-0001", "SY-0001"]


def test_each_distinct_pair_is_classified_once(monkeypatch):
    ruleset, _ = compile_rows([_rule(1, "^WPS", number="SY-0001")], KNOWN)
    calls = []
    original = RuleSet.classify
    monkeypatch.setattr(RuleSet, "classify", lambda self, n, p: calls.append((n, p)) or original(self, n, p))
    names = ["WPS Office", "Foxit", "WPS Office"] * 1000
    entries = pd.DataFrame({"name": names, "publisher": ["K", None, "K"] * 1000, "version": ["1"] * 3000}, dtype=object)
    out = ruleset.classify_entries(entries)
    assert len(calls) == 2 and (out["number"] == "SY-0001").sum() == 2000


@pytest.mark.parametrize("bad,column", [
    (_rule(1, "^Foxit (Reader", row=5), "匹配内容"),
    (_rule(1, "", row=5), "匹配内容"),
    (_rule(1, "^WPS", action="映射", row=5), "动作"),
    (_rule(1, "^WPS", action=None, row=5), "动作"),
    (_rule(1, "^WPS", field="名称", row=5), "匹配字段"),
    (_rule(1, "^WPS", mode="包含", row=5), "匹配方式"),
    (_rule(1, r"^WPS (\d+)", group="ver", row=5), "版本取值"),
    (_rule(1, r"^WPS (\d+)", group="2", row=5), "版本取值"),
    (_rule(1, "WPS", mode="等于", group="1", row=5), "版本取值"),
])
def test_unusable_rules_become_findings_not_crashes(bad, column):
    ruleset, findings = compile_rows([bad, _rule(2, "^Foxit", number="SY-0002", row=6)], KNOWN)
    assert [(f.rule, f.severity.value, f.row, f.column) for f in findings] == [("SCAN-RULE-INVALID", "warning", 5, column)]
    assert [r.row for r in ruleset.rules] == [6]


def test_unknown_number_is_reported_and_its_entries_stay_unmapped():
    ruleset, findings = compile_rows([_rule(1, "^Foxit", number="SY-9999", row=4)], KNOWN)
    assert [(f.rule, f.column) for f in findings] == [("SCAN-RULE-INVALID", "软件编号")]
    match = classify(ruleset, "Foxit PDF Reader")
    assert (match.action, match.number, match.rule_row) == ("对应", None, 4)
    assert ruleset.targets == frozenset()


def test_sheet_findings_name_the_cell(tmp_path):
    row = {k: v for k, v in _rule(1, "^Foxit (Reader").items() if k != "_row"}
    path = make_ledger(tmp_path, **{"软件名称对照": [row]})
    _, findings = load_rules(load_ledger(path))
    assert [(f.sheet, f.cell) for f in findings] == [(schema.NAME_MAP, "D2")]


def test_absent_sheet_leaves_the_library_alone(tmp_path):
    path = make_ledger(tmp_path)
    ledger = load_ledger(path)
    ledger.tables[schema.NAME_MAP].present = False
    ruleset, findings = load_rules(ledger)
    assert ruleset.from_defaults and not findings and ruleset.rules == []


def test_init_writes_no_example_rules():
    """The library knows the products; 软件名称对照 holds only the unit's own rules."""
    from workbook_tools.tasks.create import default_name_rules

    assert default_name_rules() == [] and rules_mod.DEFAULT_RULES == ()


def test_blank_number_rule_is_passed_over():
    ruleset, findings = compile_rows([_rule(1, "^Foxit", row=4), _rule(2, "^Foxit", action="忽略", row=5)], KNOWN)
    assert not findings
    assert classify(ruleset, "Foxit PDF Reader").rule_row == 5
