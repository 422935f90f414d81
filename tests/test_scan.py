"""The realistic scenario of tests/data/scan against its ledger: exactly the expected findings."""
from __future__ import annotations

from pathlib import Path

import pytest
from builders import make_ledger
from test_scan_data import ASSET_COLUMNS, DAY, SAMPLES, scan_unit

from workbook_tools.core import schema
from workbook_tools.read.reader import load_ledger
from workbook_tools.scan import ColumnMap, reconcile
from workbook_tools.tasks.scanning import read_scans


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    path = make_ledger(tmp_path_factory.mktemp("scan"), **scan_unit())
    ledger = load_ledger(path)
    return reconcile(ledger, read_scans([SAMPLES], ColumnMap(**ASSET_COLUMNS)), DAY)


def _keys(result) -> set[tuple]:
    return {(i.finding.rule, i.computer, i.software or i.scanned_name, i.finding.cell,
             Path(i.finding.scan_file).name if i.finding.scan_file else None, i.finding.scan_line)
            for i in result.issues}


def test_exactly_the_expected_findings(scanned):
    result, _ = scanned
    assert _keys(result) == {
        # Office 2019 and 7-Zip (64- and 32-bit entries, one installation) on PC-001, not in the ledger;
        # 7-Zip was installed there once but uninstalled in 2024.
        ("SCAN-UNREGISTERED", "PC-001", "SY-0002", "A2", "WIN-ZHANGSAN.csv", 4),
        ("SCAN-UNREGISTERED", "PC-001", "MF-0001", "A2", "WIN-ZHANGSAN.csv", 2),
        # 奇安信 is registered on PC-002 (附件9 row 7) but the asset export does not list it.
        ("SCAN-MISSING", "PC-002", "SY-0003", "B7", "asset_export.csv", None),
        # 7-Zip 24.08 found where the ledger says 23.01 (附件9 row 4, 版本 = column H).
        ("SCAN-VERSION", "PC-002", "MF-0001", "H4", "asset_export.csv", 4),
        ("SCAN-NOT-SCANNED", "PC-004", None, "A5", None, None),
        ("SCAN-UNKNOWN-COMPUTER", "PC-099", None, None, "PC-099.csv", 2),
        # one licence (附件7 row 5, 许可数量 = column I), found on PC-001 and PC-002
        ("SCAN-UNLICENSED", None, "SY-0002", "I5", "WIN-ZHANGSAN.csv", 4),
        # free software the library knows, absent from 附件6 (this unit lists none)
        ("SCAN-FREE-NOT-LISTED", "PC-001", "Foxit PDF Reader", "A2", "WIN-ZHANGSAN.csv", 9),
        ("SCAN-FREE-NOT-LISTED", "PC-099", "Foxit PDF Reader", None, "PC-099.csv", 2),
        ("SCAN-FREE-NOT-LISTED", "PC-002", "腾讯QQ", "A3", "asset_export.csv", 5),
        ("SCAN-RULE-INVALID", None, None, "D15", None, None),
    }


def test_severities_and_counts(scanned):
    result, _ = scanned
    assert result.counts == {"error": 6, "warning": 5}
    assert result.has_errors


def test_library_findings_are_per_computer(scanned):
    result, _ = scanned
    foxit = [i for i in result.issues if i.scanned_name == "Foxit PDF Reader"]
    assert sorted((i.computer, i.known) for i in foxit) == [("PC-001", True), ("PC-099", False)]


def test_per_user_wps_and_kylin_match_without_findings(scanned):
    result, ctx = scanned
    found = set(zip(ctx.found["计算机编号"], ctx.found["软件编号"]))
    assert {("PC-001", "SY-0001"), ("PC-003", "SY-0001"), ("PC-003", "SY-0003"), ("PC-003", "OEM-0002"),
            ("PC-001", "OEM-0001")} <= found
    assert not [i for i in result.issues if i.computer == "PC-003"]


def test_duplicate_views_are_one_installation(scanned):
    _, ctx = scanned
    seven = ctx.found[(ctx.found["计算机编号"] == "PC-001") & (ctx.found["软件编号"] == "MF-0001")]
    assert len(seven) == 1 and seven["versions"].iloc[0] == ["23.01"]


def test_stats(scanned):
    result, _ = scanned
    s = result.stats
    assert (s.files, s.entries, s.ignored, s.hosts) == (4, 21, 6, 4)
    assert s.computers == ["PC-001", "PC-002", "PC-003"]


def test_findings_point_at_real_sheets(scanned):
    result, _ = scanned
    sheets = {i.finding.sheet for i in result.issues} - {None}
    assert sheets == {schema.COMPUTERS, schema.A9, schema.A7, schema.NAME_MAP}
