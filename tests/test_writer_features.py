"""Excel content openpyxl would silently drop: the writer must refuse and leave the file as it was."""
from __future__ import annotations

from pathlib import Path

import pytest
from builders import make_ledger

from workbook_tools import schema
from workbook_tools.io import features
from workbook_tools.io.reader import load_ledger
from workbook_tools.io.sheets import sheet_map, write_row
from workbook_tools.io.writer import write_workbook
from workbook_tools.model import Change, LedgerError

X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"

# As Excel 2010+ saves a dropdown whose list lives on another sheet (worksheet extLst).
X14_VALIDATION = (
    f'<ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{X14}">'
    f'<x14:dataValidations count="1" xmlns:xm="{XM}">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>'我的清单'!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>V2:V100</xm:sqref>"
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
X14_SLICERS = (
    f'<ext uri="{{A8765BA9-456A-4dab-B4F3-ACF838C121DE}}" xmlns:x14="{X14}">'
    '<x14:slicerList><x14:slicer r:id="rId9" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></x14:slicerList></ext>'
)
SLICER_PART = (f'<slicers xmlns="{X14}"><slicer name="软件类型" cache="Slicer_软件类型" caption="软件类型" '
               'rowHeight="241300"/></slicers>').encode()
CUSTOM_XML_REL = ('<Relationship Id="rId99" Target="../customXml/item1.xml" '
                  'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"/>')


def with_ext(*exts: str):
    def edit(xml: bytes) -> bytes:
        assert xml.rstrip().endswith(b"</worksheet>")
        return xml.replace(b"</worksheet>", ("<extLst>" + "".join(exts) + "</extLst></worksheet>").encode())
    return edit


def note_edit(wb) -> list[Change]:
    ws, smap = sheet_map(wb, schema.A7)
    write_row(ws, smap, 2, {"备注": "已核对"})
    return [Change(action="测试", sheet=schema.A7, row=2, content="备注")]


@pytest.fixture
def ledger(tmp_path) -> Path:
    rows = [{"软件编号": "SY-0001", "软件名称": "Office", "软件版本": "2016", "软件类型": "商业软件"}]
    return make_ledger(tmp_path, "台账.xlsx", **{"7": rows})


def assert_refused_untouched(path: Path) -> None:
    before = path.read_bytes()
    with pytest.raises(LedgerError) as err:
        write_workbook(path, note_edit, "测试")
    assert err.value.exit_code == 2
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp file, no backup


def test_a_new_ledger_has_nothing_openpyxl_would_drop(ledger):
    assert features.scan(ledger) == features.Features()


def test_x14_cross_sheet_dropdown_is_detected_and_the_write_refused(ledger, zip_parts):
    zip_parts(ledger, {schema.A7: with_ext(X14_VALIDATION)})
    assert features.scan(ledger) == features.Features({("跨表下拉列表（Excel 2010 扩展格式）", schema.A7): 1})
    assert len(load_ledger(ledger).df("7")) == 1  # reading such a file is fine
    assert_refused_untouched(ledger)


def test_x14_conditional_formatting_is_detected(ledger, zip_parts):
    zip_parts(ledger, {schema.A7: with_ext(X14_CONDITIONAL)})
    assert_refused_untouched(ledger)


def test_custom_xml_part_is_detected(ledger, zip_parts):
    rels = "xl/_rels/workbook.xml.rels"
    zip_parts(ledger, {rels: lambda xml: xml.replace(b"</Relationships>", CUSTOM_XML_REL.encode() + b"</Relationships>")},
              add={"customXml/item1.xml": b'<?xml version="1.0"?><root xmlns="urn:example:custom">1</root>'})
    assert ("自定义 XML", "") in features.scan(ledger)
    assert_refused_untouched(ledger)


def test_slicer_parts_are_detected(ledger, zip_parts):
    zip_parts(ledger, {schema.A7: with_ext(X14_SLICERS)}, add={"xl/slicers/slicer1.xml": SLICER_PART})
    found = features.scan(ledger)
    assert found[("切片器", "")] == 1 and found[("切片器", schema.A7)] == 1
    assert_refused_untouched(ledger)


def test_lost_names_what_goes_missing():
    before = features.Features({("切片器", ""): 2, ("迷你图", "附件7 软件使用情况汇总表"): 1})
    after = features.Features({("切片器", ""): 1})
    assert len(features.lost(before, after)) == 2 and features.lost(before, before) == []

