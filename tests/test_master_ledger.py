"""The committed master_ledger.xlsx (made by `ledger init master_ledger.xlsx --preset`) still matches the schema."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from workbook_tools.core import presets, schema
from workbook_tools.read.reader import load_ledger

MASTER = Path(__file__).resolve().parents[1] / "master_ledger.xlsx"

pytestmark = pytest.mark.skipif(not MASTER.is_file(), reason="仓库根目录尚无 master_ledger.xlsx")


@pytest.fixture(scope="module")
def ledger():
    return load_ledger(MASTER)


def test_every_schema_sheet_with_its_headers_in_order():
    wb = openpyxl.load_workbook(MASTER, read_only=True)
    assert [s.name for s in schema.SHEETS if s.name not in wb.sheetnames] == []
    for spec in schema.SHEETS:
        if spec.columns:
            first = next(wb[spec.name].iter_rows(min_row=1, max_row=1, values_only=True))
            assert [v for v in first if v is not None] == list(spec.headers), spec.name
    wb.close()


def test_unit_departments_and_leading_group(ledger):
    assert ledger.setting("单位名称") == "鞍山市行政审批局" == presets.UNIT
    depts = ledger.df(schema.DEPTS)
    assert len(presets.DEPARTMENTS) == 22
    assert list(zip(depts["部门名称"], depts["部门类型"], depts["负责人"])) == list(presets.DEPARTMENTS)
    group = ledger.df(schema.A1)
    assert list(zip(group["职务"], group["姓名"], group["单位职务"])) == list(presets.LEADING_GROUP)


def test_settings_keys_and_prefixes(ledger):
    assert set(schema.ALL_SETTING_KEYS) <= set(ledger.settings)
    assert [ledger.prefix(t) for t in schema.SOFTWARE_TYPES] == ["SY", "OEM", "MF"]


def test_reads_without_findings(ledger):
    assert ledger.findings == []
