"""The part-level writer: what the tool does not own stays byte for byte, data never becomes a formula."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import make_ledger
from conftest import sheet_parts

from workbook_tools.core import schema
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.files.writer import write_workbook
from workbook_tools.read.reader import load_ledger, read_raw
from workbook_tools.xlsx.cells import encode

X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
# As Excel 2010+ saves a dropdown whose list lives on another sheet (worksheet extLst).
X14_VALIDATION = (
    f'<ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{X14}">'
    f'<x14:dataValidations count="1" xmlns:xm="{XM}">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>'我的清单'!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>V2:V3</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext>"
)
X14_CONDITIONAL = (
    f'<ext uri="{{78C0D931-6437-407d-A8EE-F0AAD7539E65}}" xmlns:x14="{X14}">'
    f'<x14:conditionalFormattings><x14:conditionalFormatting xmlns:xm="{XM}">'
    '<x14:cfRule type="dataBar" id="{00000000-0000-0000-0000-000000000001}">'
    '<x14:dataBar minLength="0" maxLength="100"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/>'
    "</x14:dataBar></x14:cfRule><xm:sqref>I2:I100</xm:sqref></x14:conditionalFormatting>"
    "</x14:conditionalFormattings></ext>"
)
A7_ROWS = [{"序号": 1, "软件编号": "SY-0001", "软件名称": "Office", "软件版本": "2016", "软件类型": "商业软件", "许可数量": 5},
           {"序号": 2, "软件编号": "OEM-0001", "软件名称": "Windows", "软件版本": "10", "软件类型": "OEM软件"}]
HOSTILE_TEXT = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://example.invalid/"&A1,"点我")', "+1+1", "-2", "@SUM(A1)"]


def with_ext(*exts: str):
    def edit(xml: bytes) -> bytes:
        assert xml.rstrip().endswith(b"</worksheet>")
        return xml.replace(b"</worksheet>", ("<extLst>" + "".join(exts) + "</extLst></worksheet>").encode())
    return edit


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def changed_parts(before: dict[str, bytes], path: Path) -> set[str]:
    after = parts(path)
    return {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}


def note(text: str = "已核对", row: int = 2, sheet: str = schema.A7, header: str = "备注"):
    def edit(book) -> list[Change]:
        book.table(sheet).set(row, header, text)
        return [Change(action="测试", sheet=sheet, row=row, content=str(text))]
    return edit


def append(sheet: str, rows: list[dict]):
    def edit(book) -> list[Change]:
        written = book.table(sheet).append_rows(rows)
        return [Change(action="测试", sheet=sheet, row=r, content="追加") for r in written]
    return edit


@pytest.fixture
def ledger(tmp_path) -> Path:
    return make_ledger(tmp_path, "台账.xlsx", **{"7": A7_ROWS})


def test_only_the_changed_sheet_the_log_and_styles_change(ledger):
    before = parts(ledger)
    write_workbook(ledger, note(), "测试")
    names = sheet_parts(ledger)
    assert changed_parts(before, ledger) <= {names[schema.A7], names[schema.CHANGES], "xl/styles.xml",
                                            "xl/workbook.xml"}
    assert load_ledger(ledger).df("7")["备注"].iloc[0] == "已核对"


def test_untouched_rows_of_a_changed_sheet_keep_their_bytes(ledger):
    part = sheet_parts(ledger)[schema.A7]
    old = parts(ledger)[part]
    write_workbook(ledger, note(row=2), "测试")
    new = parts(ledger)[part]
    row3 = re.compile(rb'<row r="3".*?</row>', re.S)
    assert row3.search(old).group(0) == row3.search(new).group(0)
    assert old.split(b"<sheetData>")[0].split(b"<dimension")[0] == new.split(b"<sheetData>")[0].split(b"<dimension")[0]
    assert old.split(b"</sheetData>")[1] == new.split(b"</sheetData>")[1]


@pytest.mark.parametrize("ext", [X14_VALIDATION, X14_CONDITIONAL])
def test_excel_2010_extensions_are_kept(ledger, zip_parts, ext):
    zip_parts(ledger, {schema.A7: with_ext(ext)})
    assert write_workbook(ledger, note(), "测试").written
    assert ext.encode().split(b"<xm:sqref>")[0] in parts(ledger)[sheet_parts(ledger)[schema.A7]]


def test_appended_rows_extend_validations_that_end_at_the_last_row(ledger, zip_parts):
    zip_parts(ledger, {schema.A7: with_ext(X14_VALIDATION)})
    write_workbook(ledger, append(schema.A7, [{"软件编号": "MF-0001", "软件名称": "7-Zip", "软件类型": "免费软件"}]), "测试")
    assert b"<xm:sqref>V2:V4</xm:sqref>" in parts(ledger)[sheet_parts(ledger)[schema.A7]]


def test_custom_xml_and_unknown_parts_are_copied_byte_for_byte(ledger, zip_parts):
    rel = ('<Relationship Id="rId99" Target="../customXml/item1.xml" '
           'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"/>')
    zip_parts(ledger, {"xl/_rels/workbook.xml.rels": lambda x: x.replace(b"</Relationships>", rel.encode() + b"</Relationships>")},
              add={"customXml/item1.xml": b'<root xmlns="urn:example">1</root>', "xl/slicers/slicer1.xml": b"<slicers/>"})
    before = parts(ledger)
    write_workbook(ledger, note(), "测试")
    after = parts(ledger)
    for name in ("customXml/item1.xml", "xl/slicers/slicer1.xml", "xl/_rels/workbook.xml.rels"):
        assert after[name] == before[name]


def test_raw_copies_keep_the_stored_bytes(ledger):
    with zipfile.ZipFile(ledger) as zf:
        before = {i.filename: (i.CRC, i.compress_size, i.compress_type) for i in zf.infolist()}
    write_workbook(ledger, note(), "测试")
    with zipfile.ZipFile(ledger) as zf:
        after = {i.filename: (i.CRC, i.compress_size, i.compress_type) for i in zf.infolist()}
        assert zf.testzip() is None
    kept = {n for n in before if after.get(n) == before[n]}
    assert "docProps/core.xml" in kept and sheet_parts(ledger)[schema.A9] in kept


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_no_written_text_becomes_a_formula(ledger, text):
    before = parts(ledger)
    write_workbook(ledger, note(text), "测试")
    after = parts(ledger)
    for name in changed_parts(before, ledger):
        assert b"<f>" not in after[name] and b"<f " not in after[name], name
    assert load_ledger(ledger).df("7")["备注"].iloc[0] == text
    cell = openpyxl.load_workbook(ledger)[schema.A7]["T2"]
    assert cell.data_type == "s" and cell.quotePrefix


def test_control_characters_round_trip_in_excel_form(ledger):
    text = "甲\x01乙\x1f丙 _x0041_ 尾 "
    write_workbook(ledger, note(text), "测试")
    raw = read_raw(ledger, only={schema.A7})[0][schema.A7][0]
    assert raw[1][19] == text
    read = load_ledger(ledger)   # the reader drops control characters and reports them (TYPE-TEXT)
    assert read.df("7")["备注"].iloc[0] == "甲乙丙 _x0041_ 尾"
    assert [f.cell for f in read.findings if f.rule == "TYPE-TEXT" and f.sheet == schema.A7] == ["T2"]


def test_a_text_over_excels_cell_limit_is_refused_in_one_line(ledger):
    before = ledger.read_bytes()
    with pytest.raises(LedgerError) as err:
        write_workbook(ledger, note("长" * 40000), "测试")
    assert "32767" in err.value.message and "附件7" in err.value.message
    assert ledger.read_bytes() == before


def _formula_sheet(xml: bytes) -> bytes:
    """附件7 I2 (许可数量) = 2+3 with Excel's cached 5; U2:U3 a shared formula; a calcChain to match."""
    xml, n = re.subn(rb'<c r="I2"[^>]*?(/>|>.*?</c>)', b'<c r="I2"><f>2+3</f><v>5</v></c>', xml, count=1, flags=re.S)
    assert n == 1
    xml = xml.replace(b'</row><row r="3"', b'<c r="U2"><f t="shared" ref="U2:U3" si="0">A2*2</f><v>2</v></c></row><row r="3"', 1)
    return re.sub(rb'(<row r="3".*?)</row>', rb'\1<c r="U3"><f t="shared" si="0"/><v>4</v></c></row>', xml, count=1, flags=re.S)


CALC_CHAIN = b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="I2" i="1"/></calcChain>'


def test_user_formulas_keep_formula_and_cached_value(ledger, zip_parts):
    zip_parts(ledger, {schema.A7: _formula_sheet})
    assert load_ledger(ledger).df("7")["许可数量"].iloc[0] == 5
    write_workbook(ledger, note(), "测试")
    xml = parts(ledger)[sheet_parts(ledger)[schema.A7]]
    assert b'<c r="I2"><f>2+3</f><v>5</v></c>' in xml and b'<f t="shared" si="0"/><v>4</v>' in xml
    assert load_ledger(ledger).df("7")["许可数量"].iloc[0] == 5
    assert b'fullCalcOnLoad="1"' in parts(ledger)["xl/workbook.xml"]


def test_overwriting_a_formula_logs_it_and_drops_the_calc_chain(ledger, zip_parts):
    ct = '<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/>'
    rel = ('<Relationship Id="rId98" Target="calcChain.xml" '
           'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"/>')
    zip_parts(ledger, {schema.A7: _formula_sheet,
                       "[Content_Types].xml": lambda x: x.replace(b"</Types>", ct.encode() + b"</Types>"),
                       "xl/_rels/workbook.xml.rels": lambda x: x.replace(b"</Relationships>", rel.encode() + b"</Relationships>")},
              add={"xl/calcChain.xml": CALC_CHAIN})
    write_workbook(ledger, note(7, header="许可数量"), "测试")
    after = parts(ledger)
    assert "xl/calcChain.xml" not in after and b"calcChain" not in after["[Content_Types].xml"]
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    log = load_ledger(ledger).df(schema.CHANGES)["内容"].tolist()
    assert any("I2" in line and "=2+3" in line for line in log)
    assert load_ledger(ledger).df("7")["许可数量"].iloc[0] == 7


def test_overwriting_the_master_of_a_shared_formula_gives_the_others_their_own(ledger, zip_parts):
    zip_parts(ledger, {schema.A7: _formula_sheet})

    def overwrite(book):
        op = book.table(schema.A7).patch.op(2, 21)
        op.value, op.expect = encode("新值"), "新值"
        return [Change(action="测试", sheet=schema.A7, row=2, content="U2")]
    write_workbook(ledger, overwrite, "测试")
    xml = parts(ledger)[sheet_parts(ledger)[schema.A7]]
    assert re.search(rb'<c r="U3"><f>A3\*2</f><v>4</v></c>', xml)


def test_dates_and_numbers_are_real_typed_cells(ledger):
    def edit(book):
        book.table(schema.A7).set_row(3, {"采购时间": dt.date(2024, 3, 5), "采购金额": 1200, "许可数量": 3, "序号": "2"})
        return [Change(action="测试", sheet=schema.A7, row=3, content="x")]
    write_workbook(ledger, edit, "测试")
    ws = openpyxl.load_workbook(ledger)[schema.A7]
    assert ws["F3"].is_date and ws["F3"].value == dt.datetime(2024, 3, 5)
    assert ws["G3"].value == 1200 and ws["G3"].number_format == "#,##0.00"
    assert ws["I3"].value == 3
    # 序号 takes the type its column already has (the builder writes these serials as text; see
    # test_operations.py::test_a_new_serial_has_the_type_of_the_column for a column of numbers)
    assert ws["A3"].value == "2" and ws["A2"].data_type == ws["A3"].data_type == "s"


def test_a_sheet_written_with_a_namespace_prefix_is_patched_in_its_own_prefix(ledger, zip_parts):
    def prefixed(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)(?!\?)([A-Za-z])", rb"<\1x:\2", xml)
        xml = xml.replace(b"<x:worksheet xmlns=", b"<x:worksheet xmlns:x=")
        return xml
    zip_parts(ledger, {schema.A7: prefixed})
    assert len(load_ledger(ledger).df("7")) == 2
    write_workbook(ledger, append(schema.A7, [{"软件编号": "MF-0001", "软件名称": "7-Zip", "软件类型": "免费软件"}]), "测试")
    xml = parts(ledger)[sheet_parts(ledger)[schema.A7]]
    assert b'<x:row r="4"><x:c r="B4"' in xml and b"<row" not in xml
    assert list(load_ledger(ledger).df("7")["软件编号"]) == ["SY-0001", "OEM-0001", "MF-0001"]


def test_an_excel_table_grows_with_appended_rows(ledger, zip_parts):
    table = (b'<table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="1" name="Events" '
             b'displayName="Events" ref="A1:O2"><autoFilter ref="A1:O2"/><tableColumns count="1">'
             b'<tableColumn id="1" name="x"/></tableColumns></table>')
    a9 = sheet_parts(ledger)[schema.A9]
    rels = a9.replace("worksheets/", "worksheets/_rels/") + ".rels"
    rel = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
           b'<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/table" '
           b'Target="../tables/table1.xml"/></Relationships>')
    row = {"序号": 1, "软件编号": "SY-0001", "操作": "安装", "计算机编号": "PC-1", "日期": dt.date(2025, 1, 1)}
    write_workbook(ledger, append(schema.A9, [row]), "测试")
    zip_parts(ledger, {}, add={"xl/tables/table1.xml": table, rels: rel})
    write_workbook(ledger, append(schema.A9, [row | {"序号": 2}, row | {"序号": 3}]), "测试")
    assert b'ref="A1:O4"><autoFilter ref="A1:O4"/>' in parts(ledger)["xl/tables/table1.xml"]


def test_a_large_sheet_touched_in_one_row_is_verified_without_a_full_read(ledger, monkeypatch):
    from workbook_tools.xlsx import verify

    monkeypatch.setattr(verify, "BIG_PART", 0)
    rows = [{"序号": i, "软件编号": "SY-0001", "操作": "安装", "计算机编号": f"PC-{i}", "日期": dt.date(2025, 1, 1)}
            for i in range(1, 60)]
    write_workbook(ledger, append(schema.A9, rows), "测试")
    spliced = []
    real = verify._verify_splice
    monkeypatch.setattr(verify, "_verify_splice", lambda *a: spliced.append(a[2].name) or real(*a))
    text = "末行 _x0041_\x02"
    write_workbook(ledger, append(schema.A9, [{"序号": 60, "软件编号": "SY-0001", "操作": "安装", "计算机编号": "PC-60",
                                              "日期": dt.date(2025, 2, 1), "备注": text}]), "测试")
    assert schema.A9 in spliced
    df = load_ledger(ledger).df(schema.A9)
    assert len(df) == 60 and df["备注"].iloc[-1] == "末行 _x0041_" and df["日期"].iloc[-1] == dt.datetime(2025, 2, 1)
    raw = read_raw(ledger, only={schema.A9})[0][schema.A9][0]
    assert raw[-1][14] == text


def test_a_splice_that_lost_a_row_is_refused(ledger, monkeypatch):
    from workbook_tools.xlsx import verify
    from workbook_tools.xlsx.verify import VerifyError

    monkeypatch.setattr(verify, "BIG_PART", 0)
    rows = [{"序号": i, "软件编号": "SY-0001", "操作": "安装", "计算机编号": f"PC-{i}", "日期": dt.date(2025, 1, 1)}
            for i in range(1, 60)]
    write_workbook(ledger, append(schema.A9, rows), "测试")
    before = ledger.read_bytes()
    real = verify._verify_splice

    def lose_row(tmp, pkg, table):
        table.rows_before.append(9999)   # as if the sheet had a row the new part no longer has
        return real(tmp, pkg, table)
    monkeypatch.setattr(verify, "_verify_splice", lose_row)
    with pytest.raises(VerifyError):
        write_workbook(ledger, append(schema.A9, [rows[0] | {"序号": 60}]), "测试")
    assert ledger.read_bytes() == before


def test_repeated_writes_do_not_pile_up_cell_formats(ledger):
    def count() -> int:
        return parts(ledger)["xl/styles.xml"].count(b"<xf ")
    write_workbook(ledger, append(schema.A9, [
        {"序号": 1, "软件编号": "SY-0001", "操作": "安装", "计算机编号": "PC-1", "日期": dt.date(2025, 1, 1)}]), "测试")
    first = count()
    for i in range(2, 6):
        write_workbook(ledger, append(schema.A9, [{"序号": i, "软件编号": "SY-0001", "操作": "安装",
                                                  "计算机编号": f"PC-{i}", "日期": dt.date(2025, 1, i)}]), "测试")
    assert count() == first
