"""Workbooks as other producers save them: the 1904 date system, strict OOXML, sheets with r:id=""."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import clean_unit, fill, run_cli
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from workbook_tools.core import schema
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.core.values import to_serial
from workbook_tools.files.create import build_workbook
from workbook_tools.files.writer import write_workbook
from workbook_tools.read.reader import load_ledger, read_raw

TODAY = "2026-03-01"
NEW_DAY = dt.date(2026, 2, 14)


def unit_ledger(path: Path, date1904: bool) -> Path:
    wb = build_workbook()
    if date1904:
        wb.epoch = CALENDAR_MAC_1904          # as Excel for Mac saved old files: <workbookPr date1904="1"/>
    fill(wb, clean_unit())
    wb.save(path)
    return path


def set_purchase_day(book) -> list[Change]:
    book.table(schema.A7).set(2, "采购时间", NEW_DAY)
    return [Change(action="测试", sheet=schema.A7, row=2, content="采购时间")]


def stored_value(path: Path, sheet_part_hint: str, ref: str) -> str:
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if n.startswith("xl/worksheets/")]
        for name in names:
            data = zf.read(name).decode()
            if sheet_part_hint in data:
                found = re.search(rf'<c r="{ref}"[^>]*>(?:<f>.*?</f>)?<v>([^<]*)</v>', data)
                if found:
                    return found.group(1)
    raise AssertionError(ref)


@pytest.fixture(params=[False, True], ids=["1900", "1904"])
def system(request) -> bool:
    return request.param


def test_dates_are_read_written_and_verified_in_the_workbooks_date_system(tmp_path, system):
    path = unit_ledger(tmp_path / "台账.xlsx", system)
    assert load_ledger(path).df("7")["采购时间"].iloc[0] == pd_day(dt.date(2024, 1, 2))
    write_workbook(path, set_purchase_day, "测试")
    assert load_ledger(path).df("7")["采购时间"].iloc[0] == pd_day(NEW_DAY)
    ws = openpyxl.load_workbook(path)[schema.A7]
    assert (ws.parent.epoch == CALENDAR_MAC_1904) == system
    cell = next(c for c in ws[2] if c.value == dt.datetime(2026, 2, 14))
    raw = stored_value(path, "WPS Office", cell.coordinate)
    assert float(raw) == to_serial(NEW_DAY, date1904=system)


def pd_day(day: dt.date):
    import pandas as pd
    return pd.Timestamp(day)


def test_a_plain_serial_number_in_a_date_column_counts_in_the_workbooks_date_system(tmp_path, system):
    path = unit_ledger(tmp_path / "台账.xlsx", system)
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.A7]
    col = next(c.column for c in ws[1] if c.value == "采购时间")
    ws.cell(2, col).value = 43538 if system else 45000      # 2023-03-15 in either system, typed as a number
    ws.cell(2, col).number_format = "General"
    wb.save(path)
    assert load_ledger(path).df("7")["采购时间"].iloc[0] == pd_day(dt.date(2023, 3, 15))


def test_rollup_of_a_1904_workbook_gives_the_dates_of_a_1900_one(tmp_path, capsys):
    frames = {}
    for system in (False, True):
        path = unit_ledger(tmp_path / f"台账{int(system)}.xlsx", system)
        code, _, err = run_cli(capsys, "rollup", path, "--date", TODAY, "--today", TODAY, "--force")
        assert code == 0, err
        ledger = load_ledger(path)
        frames[system] = (ledger.df("8").drop(columns="_row", errors="ignore"), ledger.setting("上次半年更新日期"))
    assert frames[True][0].equals(frames[False][0])
    assert frames[True][1] == frames[False][1]


STRICT = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    b"http://schemas.openxmlformats.org/drawingml/2006/main": b"http://purl.oclc.org/ooxml/drawingml/main",
}


def to_strict(path: Path) -> None:
    """The same workbook in strict OOXML namespaces (Excel's "Strict Open XML Spreadsheet")."""
    tmp = path.with_suffix(".strict")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith((".xml", ".rels")):
                for old, new in STRICT.items():
                    data = data.replace(old, new)
                if info.filename == "xl/workbook.xml":
                    data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
            zout.writestr(info, data)
    tmp.replace(path)


def test_a_strict_workbook_reads_and_a_write_is_refused_in_one_line(tmp_path, capsys):
    path = unit_ledger(tmp_path / "台账.xlsx", False)
    to_strict(path)
    assert b"purl.oclc.org" in zipfile.ZipFile(path).read("xl/workbook.xml")
    ledger = load_ledger(path)
    assert list(ledger.df("7")["软件编号"]) == ["SY-0001", "OEM-0001", "MF-0001"]
    before = path.read_bytes()
    with pytest.raises(LedgerError) as err:
        write_workbook(path, set_purchase_day, "测试")
    assert err.value.exit_code == 2 and "\n" not in err.value.message and "xlsx" in err.value.message
    code, _, err_text = run_cli(capsys, "rollup", path, "--date", TODAY, "--today", TODAY, "--force")
    assert code == 2 and "内部错误" not in err_text and len(err_text.strip().splitlines()) == 1
    assert path.read_bytes() == before


def with_empty_rid(path: Path) -> None:
    tmp = path.with_suffix(".rid")
    extra = (b'<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
             b'name="Sheet1" sheetId="99" r:id=""/></sheets>')
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>", extra, 1)
            zout.writestr(info, data)
    tmp.replace(path)


def test_a_sheet_entry_with_an_empty_rid_is_skipped_as_excel_does(tmp_path, capsys):
    path = unit_ledger(tmp_path / "台账.xlsx", False)
    with_empty_rid(path)
    names = read_raw(path, only=set())[1]
    assert "Sheet1" not in names and schema.A7 in names
    ledger = load_ledger(path)
    assert list(ledger.df("7")["软件编号"]) == ["SY-0001", "OEM-0001", "MF-0001"]
    code, _out, err = run_cli(capsys, "check", path, "--today", TODAY)
    assert code in (0, 1), err
    with zipfile.ZipFile(path) as zf:
        workbook_before = zf.read("xl/workbook.xml")
    write_workbook(path, set_purchase_day, "测试")
    with zipfile.ZipFile(path) as zf:
        assert zf.read("xl/workbook.xml") == workbook_before     # the entry is kept as it was
    assert load_ledger(path).df("7")["采购时间"].iloc[0] == pd_day(NEW_DAY)
