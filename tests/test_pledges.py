"""承诺书: who still has to sign, and recording a signature."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from builders import make_ledger

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.files.writer import write_workbook
from workbook_tools.ops import pledges as pg
from workbook_tools.read.reader import load_ledger

D = dt.date
TODAY = D(2026, 3, 1)
STAFF = [
    {"部门": "办公室", "姓名": "王芳", "状态": "在职"},
    {"部门": "办公室", "姓名": "李强", "状态": "在职", "承诺书签署日期": D(2025, 1, 5)},
    {"部门": "网络平台处", "姓名": "王芳", "状态": "在职"},
    {"部门": "网络平台处", "姓名": "赵敏", "状态": "调离"},
    {"部门": "政务服务中心", "姓名": "刘洋"},
]


@pytest.fixture
def path(tmp_path):
    return make_ledger(tmp_path, **{"人员": STAFF})


def test_unsigned_lists_active_staff_without_a_date(path):
    assert [(p.row, p.部门, p.姓名) for p in pg.unsigned_staff(load_ledger(path))] == [
        (2, "办公室", "王芳"), (4, "网络平台处", "王芳"), (6, "政务服务中心", "刘洋")]


def test_ambiguous_name_needs_the_department(path):
    ledger = load_ledger(path)
    with pytest.raises(LedgerError) as err:
        pg.find_person(ledger, "王芳")
    assert err.value.exit_code == 1
    assert pg.find_person(ledger, "王芳", "网络平台处").row == 4
    with pytest.raises(LedgerError):
        pg.find_person(ledger, "张三")


def test_signature_is_recorded_in_the_register(path):
    ledger = load_ledger(path)
    person = pg.find_person(ledger, "刘洋")
    assert pg.check_signature(person, D(2026, 2, 27), TODAY)
    result = write_workbook(path, pg.sign_edit(person, D(2026, 2, 27)), "承诺书", ledger=ledger)
    assert [c.row for c in result.changes] == [6]
    cell = openpyxl.load_workbook(path)[schema.STAFF]["E6"]
    assert cell.value == dt.datetime(2026, 2, 27) and cell.number_format == "yyyy-mm-dd"
    assert [p.姓名 for p in pg.unsigned_staff(load_ledger(path))] == ["王芳", "王芳"]


def test_existing_dates_and_future_dates(path):
    person = pg.find_person(load_ledger(path), "李强")
    assert not pg.check_signature(person, D(2025, 1, 5), TODAY)          # same date: nothing to do
    with pytest.raises(LedgerError):
        pg.check_signature(person, D(2025, 2, 1), TODAY)                  # would overwrite
    assert pg.check_signature(person, D(2025, 2, 1), TODAY, force=True)
    with pytest.raises(LedgerError):
        pg.check_signature(person, D(2026, 3, 2), TODAY)                  # not yet


def test_replaced_date_is_logged_as_typed(tmp_path):
    path = make_ledger(tmp_path, **{"人员": [{"部门": "办公室", "姓名": "李强", "状态": "在职", "承诺书签署日期": "2025年1月5日"}]})
    ledger = load_ledger(path)
    person = pg.find_person(ledger, "李强")
    result = write_workbook(path, pg.sign_edit(person, D(2025, 2, 1)), "承诺书", ledger=ledger)
    assert result.changes[0].content.endswith("（原为 2025年1月5日）")
