"""Bounded reading: a far stray cell never makes python-calamine allocate by the sheet's whole range.

Crafted sheets check the pre-scan against what calamine itself reports on the cases it can
read; the far-cell files are run through the real command line under a 4 GB address-space
limit, where an unbounded read aborts the process (exit 134, Rust "memory allocation failed").
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import clean_unit, make_ledger
from python_calamine import CalamineWorkbook

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.read import extent
from workbook_tools.read.extent import SheetGuard, sheet_extent
from workbook_tools.read.reader import load_ledger, read_raw

ROOT = Path(__file__).resolve().parents[1]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def one_sheet(path: Path, sheet_data: str) -> Path:
    """A minimal workbook whose only sheet `S` has `sheet_data` as its <sheetData> (or more)."""
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}">{sheet_data}</worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
    return path


def guard_extent(path: Path) -> extent.Extent | None:
    guard = SheetGuard.open(path)
    try:
        return guard.extent("S")
    finally:
        guard.close()


def calamine_box(path: Path) -> tuple[tuple[int, int], tuple[int, int]] | None:
    with CalamineWorkbook.from_path(str(path)) as wb:
        sheet = wb.get_sheet_by_name("S")
        return (sheet.start, sheet.end) if sheet.start is not None else None


# Sheets calamine reads without trouble: the walk (stage 3) must find exactly calamine's rectangle.
SMALL = {
    "plain": '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="C1" t="inlineStr"><is><t>x</t></is></c></row>'
             '<row r="4"><c r="B4"><v>2</v></c></row></sheetData>',
    "unsorted rows": '<sheetData><row r="5"><c r="A5"><v>5</v></c></row><row r="1"><c r="C1"><v>1</v></c></row></sheetData>',
    "no r on cells": '<sheetData><row r="3"><c><v>1</v></c><c/><c><v>2</v></c></row><row><c><v>3</v></c></row></sheetData>',
    "styled empty far": '<sheetData><row r="2"><c r="B2"><v>1</v></c><c r="Z2" s="1"/></row></sheetData>',
    "formula only and empty v": '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="H1"><f>1+1</f></c>'
                                '<c r="K9"><v></v></c></row></sheetData>',
    "prefixed": f'<x:sheetData xmlns:x="{MAIN}"><x:row r="2"><x:c r="B2"><x:v>1</x:v></x:c>'
                '<x:c r="D7"><x:v>2</x:v></x:c></x:row></x:sheetData>',
    "lower case and single quotes": "<sheetData><row r='1'><c r='b1'><v>1</v></c><c  r = 'e3' ><v>2</v></c></row></sheetData>",
    "row refs with letters": '<sheetData><row r="2"><c><v>1</v></c></row><row r="6"><c r="C6"><v>2</v></c></row></sheetData>',
}


@pytest.mark.parametrize("case", list(SMALL))
def test_the_walk_finds_calamines_rectangle(tmp_path, case):
    path = one_sheet(tmp_path / "s.xlsx", SMALL[case])
    with zipfile.ZipFile(path) as zf:
        walked = extent._stage3(zf, "xl/worksheets/sheet1.xml")
    (top, left), (bottom, right) = calamine_box(path)
    assert (walked.top, walked.left, walked.bottom, walked.right) == (top, left, bottom, right)
    assert guard_extent(path) is None or not guard_extent(path).too_large


FAR = {
    "value at XFD1048576": ('<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
                            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>远</t></is></c></row></sheetData>',
                            ["XFD1048576"]),
    "empty inline string far away": ('<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="XFD1" t="inlineStr"><is><t></t></is></c>'
                                     '</row><row r="1048576"><c r="A1048576"><v>2</v></c></row></sheetData>',
                                     ["XFD1", "A1048576"]),
    "second r attribute": ('<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1" s="0" r="XFD1048576"><v>2</v></c>'
                           '</row></sheetData>', ["XFD1048576"]),
    "prefixed far cell": (f'<sheetData><row r="1"><c r="A1"><v>1</v></c><x:c xmlns:x="{MAIN}" r="XFD1048576">'
                          '<x:v>2</x:v></x:c></row></sheetData>', ["XFD1048576"]),
    "cells without r under a far row": ('<sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576">'
                                        + '<c><v>1</v></c>' * 10 + '</row><row r="5"><c r="XFD5"><v>1</v></c></row>'
                                        '</sheetData>', ["A1048576", "XFD5"]),
}


@pytest.mark.parametrize("case", list(FAR))
def test_a_far_cell_is_found_and_named(tmp_path, case):
    xml, cells = FAR[case]
    path = one_sheet(tmp_path / "s.xlsx", xml)
    found = guard_extent(path)
    assert found is not None and found.too_large and not found.beyond_grid
    assert sorted(found.far_cells()) == sorted(cells)
    with pytest.raises(LedgerError) as err:
        read_raw(path)
    assert "「S」" in err.value.message and all(c in err.value.message for c in cells)


def test_cells_beyond_excels_grid_are_refused(tmp_path):
    path = one_sheet(tmp_path / "s.xlsx", '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="XFE1"><v>2</v></c></row></sheetData>')
    found = guard_extent(path)
    assert found.beyond_grid and found.far_cells() == ["XFE1"]


def test_a_long_sheet_within_the_ceiling_is_read_as_it_is(tmp_path):
    """A stray value at A1048576 under a 15-column table: 15.7 million cells, below the ceiling."""
    xml = ('<sheetData><row r="1">' + "".join(f'<c r="{c}1"><v>1</v></c>' for c in "ABCDEFGHIJKLMNO")
           + '</row><row r="1048576"><c r="A1048576"><v>9</v></c></row></sheetData>')
    path = one_sheet(tmp_path / "s.xlsx", xml)
    with zipfile.ZipFile(path) as zf:
        assert extent._stage2(zf, "xl/worksheets/sheet1.xml") == 1_048_576 * 15
    assert guard_extent(path) is None
    rows = read_raw(path)[0]["S"][0]
    assert len(rows) == 1_048_576 and rows[-1][0] == 9


def test_genuine_sheets_pass_the_first_stage(tmp_path, monkeypatch):
    """What openpyxl writes passes the one-search first stage, also when chunks are tiny (no tag is split)."""
    monkeypatch.setattr(extent, "CHUNK", 97)
    path = make_ledger(tmp_path, **clean_unit())
    guard = SheetGuard.open(path)
    try:
        for spec in schema.data_sheets():
            assert extent._stage1(guard.zf, guard.parts[spec.name]), spec.name
    finally:
        guard.close()


def test_the_second_stage_bounds_plain_wide_sheets(tmp_path):
    member = "xl/worksheets/sheet1.xml"
    path = one_sheet(tmp_path / "s.xlsx", '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="AB500000"><v>2</v></c></row></sheetData>')
    with zipfile.ZipFile(path) as zf:
        assert not extent._stage1(zf, member)
        assert extent._stage2(zf, member) == 500_000 * 28
        assert sheet_extent(zf, member) is None


def test_far_cells_without_a_value_do_not_count(tmp_path):
    """The second stage counts every cell; a too large box goes to the walk, which keeps only values."""
    member = "xl/worksheets/sheet1.xml"
    path = one_sheet(tmp_path / "s.xlsx", '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="XFD1048576" s="1"/></row></sheetData>')
    with zipfile.ZipFile(path) as zf:
        assert extent._stage2(zf, member) > extent.MAX_CELLS
        assert sheet_extent(zf, member).area == 1
    assert read_raw(path)[0]["S"][0] == [[1.0]]


def test_an_unknown_sheet_part_is_bounded_by_every_unclaimed_part(tmp_path):
    path = one_sheet(tmp_path / "s.xlsx", FAR["value at XFD1048576"][0])
    guard = SheetGuard.open(path)
    try:
        guard.parts.clear()
        assert guard.extent("S").too_large
    finally:
        guard.close()


# --- through the command line, under a 4 GB address-space limit ------------------------------

def limited_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "workbook_tools", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300, preexec_fn=limit)


def with_far_value(path: Path, sheet: str, cell: str, value: object = "远处") -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet in wb.sheetnames else wb.create_sheet(sheet)
    ws["A1"] = ws["A1"].value or "用户的表"
    ws[cell] = value
    wb.save(path)
    return path


def one_chinese_line(proc: subprocess.CompletedProcess, code: int) -> str:
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), proc.stderr
    assert "panic" not in proc.stderr and "memory allocation" not in proc.stderr
    return lines[0]


@pytest.fixture
def unit(tmp_path) -> Path:
    return make_ledger(tmp_path, "台账.xlsx", **clean_unit())


def test_check_with_a_far_cell_in_a_user_sheet(unit):
    with_far_value(unit, "我的统计", "XFD1048576")
    proc = limited_cli("check", unit.name, "--today", "2026-03-01", "--format", "json", cwd=unit.parent)
    assert proc.returncode == 0, proc.stderr


def test_check_with_a_far_cell_in_annex8_names_it(unit):
    with_far_value(unit, schema.A8, "XFD1048576")
    line = one_chinese_line(limited_cli("check", unit.name, "--today", "2026-03-01", cwd=unit.parent), 2)
    assert schema.A8 in line and "XFD1048576" in line


def test_a_stray_value_at_the_last_row_of_annex9(unit):
    with_far_value(unit, schema.A9, "A1048576", 99)
    before = unit.read_bytes()
    proc = limited_cli("check", unit.name, "--today", "2026-03-01", "--format", "json", cwd=unit.parent)
    assert proc.returncode == 1, proc.stderr
    assert '"row": 1048576' in proc.stdout and "REQ-FIELD" in proc.stdout
    proc = limited_cli("install", unit.name, "--computer", "PC-001", "--software", "MF-0001", "--date", "2026-02-01",
                       "--unified", cwd=unit.parent)
    line = one_chinese_line(proc, 1)
    assert "A1048576" in line and schema.A9 in line
    assert unit.read_bytes() == before


def test_load_ledger_refuses_before_allocating(unit):
    with_far_value(unit, schema.A8, "XFD1048576")
    with pytest.raises(LedgerError) as err:
        load_ledger(unit)
    assert err.value.exit_code == 2 and "XFD1048576" in err.value.message
