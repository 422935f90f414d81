"""Values Excel cannot hold, or python-calamine reads oddly, are findings at their cell — never an internal error.

The values are put into the saved XML directly (what another program, or a hand-edited file,
can contain and openpyxl refuses to write): NaN and infinities, a serial that is no date,
control characters (Excel's own `_x0001_` escape), a text over 32,767 characters.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest
from builders import clean_unit, make_ledger
from test_extent import ROOT
from test_rules_cases import TODAY

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.read.reader import load_ledger
from workbook_tools.rules import run_check


def cell_value(cell: str, value: str):
    """A zip-part edit: the <v> of `cell` becomes `value`."""
    def edit(xml: bytes) -> bytes:
        new, count = re.subn(rf'(<c r="{cell}"[^>]*><v>)[^<]*(</v>)'.encode(),
                             lambda m: m[1] + value.encode() + m[2], xml)
        assert count == 1, cell
        return new
    return edit


def inline_text(cell: str, text: str):
    def edit(xml: bytes) -> bytes:
        new, count = re.subn(rf'(<c r="{cell}"[^>]*><is><t[^>]*>)[^<]*(</t>)'.encode(),
                             lambda m: m[1] + text.encode() + m[2], xml)
        assert count == 1, cell
        return new
    return edit


@pytest.fixture
def unit(tmp_path):
    data = clean_unit()
    data["附件7"][0]["备注"] = "占位"
    return make_ledger(tmp_path, "台账.xlsx", **data)


def findings(path, code: str) -> set[tuple[str, int | None, str | None]]:
    result = run_check(load_ledger(path), TODAY)
    return {(f.sheet.split(" ")[0], f.row, f.cell) for f in result.findings if f.rule == code}


@pytest.mark.parametrize("value", ["NaN", "inf", "-inf", "1e400"])
def test_nan_and_infinity_in_a_number_cell(unit, zip_parts, value):
    zip_parts(unit, {schema.A7: cell_value("I2", value)})
    assert ("附件7", 2, "I2") in findings(unit, "TYPE-NUMBER")


@pytest.mark.parametrize("value", ["NaN", "0", "-1", "inf"])
def test_no_date_in_a_date_cell(unit, zip_parts, value):
    """NaN in a date-formatted cell comes out of calamine as 1899-12-30: it is no date."""
    zip_parts(unit, {schema.A9: cell_value("I3", value)})
    ledger = load_ledger(unit)
    assert ("附件9", 3, "I3") in findings(unit, "TYPE-DATE")
    assert ledger.df(schema.A9).loc[ledger.df(schema.A9)["_row"] == 3, "日期"].isna().all()


def test_a_value_calamine_cannot_turn_into_a_date_is_one_chinese_line(unit, zip_parts):
    zip_parts(unit, {schema.A9: cell_value("I3", "-inf")})
    with pytest.raises(LedgerError) as err:
        load_ledger(unit)
    assert "I3" in err.value.message and schema.A9 in err.value.message
    proc = subprocess.run([sys.executable, "-m", "workbook_tools", "check", unit.name], capture_output=True,
                          text=True, cwd=unit.parent, env={"PYTHONPATH": str(ROOT), "PATH": ""}, timeout=120)
    assert proc.returncode == 2 and "panicked" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_control_characters_in_a_text_cell(unit, zip_parts):
    zip_parts(unit, {schema.COMPUTERS: inline_text("D2", "张_x0001_三")})
    assert ("计算机", 2, "D2") in findings(unit, "TYPE-TEXT")
    ledger = load_ledger(unit)
    assert ledger.df(schema.COMPUTERS)["使用人"].iloc[0] == "张三"   # copies made from it are clean


def test_install_on_a_computer_whose_user_has_a_control_character(unit, zip_parts):
    from workbook_tools.ops.operations import Install, plan_install
    from workbook_tools.tasks.operations import apply_operation

    zip_parts(unit, {schema.COMPUTERS: inline_text("D2", "张_x0001_三")})
    outcome = apply_operation(unit, plan_install, Install(computer="PC-001", software="MF-0001",
                                                          date=dt.date(2026, 2, 1), unified=True), TODAY)
    row = load_ledger(unit).df(schema.A9).iloc[-1]
    assert outcome.backup is not None and row["使用人"] == "张三" and row["软件编号"] == "MF-0001"


def test_a_text_longer_than_excel_holds(unit, zip_parts):
    zip_parts(unit, {schema.A7: inline_text("T2", "长" * 40_000)})
    assert ("附件7", 2, "T2") in findings(unit, "TYPE-TEXT")
    assert len(load_ledger(unit).df(schema.A7)["备注"].iloc[0]) == 40_000   # read as it is


def test_the_longest_text_excel_holds_is_fine(unit, zip_parts):
    zip_parts(unit, {schema.A7: inline_text("T2", "长" * 32_767)})
    assert not findings(unit, "TYPE-TEXT")


def test_a_sheet_name_excel_forbids(unit, zip_parts):
    def rename(xml: bytes) -> bytes:
        return xml.replace('name="说明"'.encode(), 'name="说明[旧]"'.encode())

    zip_parts(unit, {"xl/workbook.xml": rename})
    assert ("说明[旧]", None, None) in findings(unit, "TYPE-TEXT")
