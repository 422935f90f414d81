"""Reconciliation details, each on a small ledger built inline and scans written in the test."""
from __future__ import annotations

import datetime as dt
import os

import pytest
from builders import clean_unit, make_ledger

from workbook_tools.read.reader import load_ledger
from workbook_tools.scan import reconcile
from workbook_tools.scan.files import COLLECTOR_HEADERS
from workbook_tools.scan.reconcile import versions_agree
from workbook_tools.tasks.scanning import read_scans

DAY = dt.date(2026, 3, 1)
RULES = [
    {"顺序": 1, "匹配字段": "DisplayName", "匹配方式": "正则", "匹配内容": "^WPS Office", "动作": "对应", "软件编号": "SY-0001"},
    {"顺序": 2, "匹配字段": "DisplayName", "匹配方式": "正则", "匹配内容": r"^7-Zip (?P<v>[\d.]+)", "动作": "对应",
     "软件编号": "MF-0001", "版本取值": "v"},
    {"顺序": 3, "匹配字段": "DisplayName", "匹配方式": "正则", "匹配内容": "^Foxit", "动作": "对应"},
]
WPS = ("WPS Office (11.1.0.11830)", "11.1.0.11830", "Kingsoft")
SEVEN = ("7-Zip 23.01 (x64)", "23.01", "Igor Pavlov")


def unit(**changes) -> dict:
    u = clean_unit()
    u["软件名称对照"] = [dict(r) for r in RULES]
    for key, value in changes.items():
        u[key] = value
    return u


def scan(folder, name: str, host: str, *entries: tuple[str, str, str], mtime: float | None = None):
    lines = [",".join(f'"{h}"' for h in COLLECTOR_HEADERS)]
    lines += [f'"{host}","{n}","{v}","{p}","",""' for n, v, p in entries]
    path = folder / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def run(tmp_path, u: dict, files, day: dt.date = DAY):
    ledger = load_ledger(make_ledger(tmp_path, **u))
    return reconcile(ledger, read_scans(files), day)[0]


def codes_of(result) -> list[tuple]:
    return sorted((i.finding.rule, i.computer, i.software) for i in result.issues)


def test_clean_unit_scanned_as_registered_has_no_findings(tmp_path):
    files = [scan(tmp_path, "a.csv", "PC-001", WPS), scan(tmp_path, "b.csv", "PC-002", SEVEN)]
    assert codes_of(run(tmp_path, unit(), files)) == []


def test_newest_file_of_a_computer_wins(tmp_path):
    old = scan(tmp_path, "PC-001_old.csv", "PC-001", WPS, SEVEN, mtime=1_000_000)
    new = scan(tmp_path, "PC-001_new.csv", "PC-001", WPS, mtime=2_000_000)
    other = scan(tmp_path, "PC-002.csv", "PC-002", SEVEN)
    result = run(tmp_path, unit(), [old, new, other])
    assert codes_of(result) == [] and result.stats.superseded_files == 1


def test_host_names_with_dns_suffix_and_several_names(tmp_path):
    u = unit()
    u["计算机"][0]["主机名"] = "OLD-NAME、WIN-NEW"
    files = [scan(tmp_path, "x.csv", "win-new.corp.local", WPS), scan(tmp_path, "y.csv", "pc-002", SEVEN)]
    assert codes_of(run(tmp_path, u, files)) == []


def test_expired_term_counted_from_purchase(tmp_path):
    u = unit()
    u["附件7"][0]["许可期限"] = "1年"          # bought 2024-01-02: ends 2025-01-01
    result = run(tmp_path, u, [scan(tmp_path, "a.csv", "PC-001", WPS), scan(tmp_path, "b.csv", "PC-002", SEVEN)])
    assert [(i.finding.rule, i.finding.column, i.software) for i in result.issues] == [
        ("SCAN-UNLICENSED", "许可期限", "SY-0001")]


def test_seats_exceeded_unless_site_licence(tmp_path):
    u = unit()
    u["附件7"][0]["许可数量"] = 1
    files = [scan(tmp_path, "a.csv", "PC-001", WPS), scan(tmp_path, "b.csv", "PC-002", SEVEN, WPS)]
    result = run(tmp_path, u, files)
    assert ("SCAN-UNLICENSED", None, "SY-0001") in codes_of(result)
    u["附件7"][0]["许可类型"] = "场地许可"
    assert ("SCAN-UNLICENSED", None, "SY-0001") not in codes_of(run(tmp_path / "..", u, files))


def test_not_scanned_only_for_computers_in_use_at_the_day(tmp_path):
    u = unit()
    u["计算机"][1]["状态"] = "报废"
    u["计算机"].append({"计算机编号": "PC-003", "状态": "在用", "启用日期": dt.date(2026, 6, 1)})
    u["计算机"].append({"计算机编号": "PC-004", "状态": "在用"})
    result = run(tmp_path, u, [scan(tmp_path, "a.csv", "PC-001", WPS)])
    assert codes_of(result) == [("SCAN-NOT-SCANNED", "PC-004", None)]


def test_missing_only_for_numbers_the_rules_can_see(tmp_path):
    # OEM-0001 (Windows) is installed on PC-001 but no rule maps to it: the scan cannot tell.
    # A header-only file names its computer by the file name.
    result = run(tmp_path, unit(), [scan(tmp_path, "PC-001.csv", "PC-001"), scan(tmp_path, "b.csv", "PC-002", SEVEN)])
    assert codes_of(result) == [("SCAN-MISSING", "PC-001", "SY-0001")]


def test_ledger_state_is_taken_at_the_day(tmp_path):
    u = unit()
    u["附件9"].append({"序号": 4, "软件编号": "MF-0001", "操作": "安装", "计算机编号": "PC-001", "版本": "23.01",
                       "日期": dt.date(2026, 4, 1), "安装数量": 1})
    files = [scan(tmp_path, "a.csv", "PC-001", WPS, SEVEN), scan(tmp_path, "b.csv", "PC-002", SEVEN)]
    assert codes_of(run(tmp_path, u, files)) == [("SCAN-UNREGISTERED", "PC-001", "MF-0001")]
    assert codes_of(run(tmp_path / "..", u, files, dt.date(2026, 4, 1))) == []


def test_rule_without_number_does_not_shadow_the_library(tmp_path):
    """An old example row (对应 with an empty 软件编号) is passed over: the library recognises Foxit Reader,
    a free program this unit's 附件6 does not list."""
    foxit = ("Foxit PDF Reader", "12.1", "Foxit")
    files = [scan(tmp_path, "a.csv", "PC-001", WPS, foxit), scan(tmp_path, "b.csv", "PC-002", SEVEN, foxit)]
    result = run(tmp_path, unit(), files)
    assert codes_of(result) == [("SCAN-FREE-NOT-LISTED", "PC-001", None), ("SCAN-FREE-NOT-LISTED", "PC-002", None)]


def test_unknown_name_points_to_the_rule_that_has_no_number(tmp_path):
    u = unit()
    u["软件名称对照"][2].update(匹配内容="^Acme", 软件编号="SY-9999")
    files = [scan(tmp_path, "a.csv", "PC-001", WPS, ("Acme Tool", "1.0", "Acme")),
             scan(tmp_path, "b.csv", "PC-002", SEVEN, ("Acme Tool", "1.0", "Acme"))]
    result = run(tmp_path, u, files)
    unmapped = [i for i in result.issues if i.finding.rule == "SCAN-UNMAPPED"]
    assert len(unmapped) == 1 and "第 4 行" in unmapped[0].finding.message and "2 台" in unmapped[0].finding.message


@pytest.mark.parametrize("ledger,scanned,agree", [
    ("2019", "2019", True), ("23.01", "23.01.00.0", True), ("11.1", "11.1.0.11830", True),
    ("10.0", "10.0.0.1000", True), ("2019", "11.1.0.11830", True), ("V10", "v10", True),
    ("23.01", "24.08", False), ("2016", "2019", False), ("11.1", "12.1.0.1", False),
])
def test_versions_agree(ledger, scanned, agree):
    assert versions_agree(ledger, scanned) is agree


def test_scans_without_entries_do_not_crash(tmp_path):
    folder = tmp_path / "scans"
    folder.mkdir()
    scan(folder, "PC-001.csv", "PC-001")                        # header only
    (folder / "PC-777.csv").write_bytes(b"\xef\xbb\xbf")         # empty
    result = run(tmp_path, unit(), [folder])
    assert codes_of(result) == [("SCAN-MISSING", "PC-001", "SY-0001"), ("SCAN-NOT-SCANNED", "PC-002", None),
                                ("SCAN-UNKNOWN-COMPUTER", "PC-777", None)]


def test_operating_system_missing_only_when_the_scan_lists_one(tmp_path):
    """clean_unit's 「Windows」 10 on PC-001: a scan without an OS row says nothing about it; a scan whose OS row
    is Windows 11 reports Windows 10 missing (and Windows 11 unregistered)."""
    silent = run(tmp_path, unit(), [scan(tmp_path, "a.csv", "PC-001", WPS), scan(tmp_path, "b.csv", "PC-002", SEVEN)])
    assert codes_of(silent) == []
    other = tmp_path / "other"
    other.mkdir()
    eleven = ("Microsoft Windows 11 专业版", "10.0.22631", "Microsoft Corporation")
    result = run(other, unit(), [scan(other, "a.csv", "PC-001", WPS, eleven), scan(other, "b.csv", "PC-002", SEVEN)])
    assert codes_of(result) == [("SCAN-MISSING", "PC-001", "OEM-0001"), ("SCAN-UNREGISTERED", "PC-001", None)]
