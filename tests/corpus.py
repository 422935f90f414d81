"""A corpus of ledgers as real producers leave them, for the lossless-writer tests.

- `base`: the scan test unit saved by openpyxl (our own `make_ledger`), with something for every
  writing command to do (an unnumbered row, an OEM price to clear, a request to plan for …).
- `libreoffice`: `base` opened and saved again by LibreOffice Calc (as WPS/Kylin offices do).
- `xlsxwriter`: the same ledger written from scratch by XlsxWriter, with a user formula and its
  cached value, a dynamic-array formula (xl/metadata.xml), an Excel Table over 附件9, a text box,
  a sparkline and a data bar (x14 extensions), a picture in a cell (xl/richData) and a note.
- `excel`: `base` with the parts Excel writes for a cross-sheet dropdown (x14), threaded comments
  and persons, a text box and an arrow (xdr:cxnSp), a connection, customXml, printer settings,
  an Excel Table over 附件9, a user formula with its cached value and a calcChain.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

from builders import make_ledger
from conftest import rewrite_parts, sheet_parts
from test_scan_data import scan_unit

from workbook_tools.core import schema
from workbook_tools.read.reader import read_raw

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
TODAY = dt.date(2026, 3, 1)
FORMULA = ("I2", "2+3", "5")   # 附件7 许可数量 of SY-0001: a user formula and Excel's cached value


def base_unit() -> dict:
    unit = scan_unit()
    unit["附件7"].append({"软件名称": "福昕阅读器", "软件类型": "免费软件", "获取方式": "免费获取", "软件类别": "其他软件",
                        "产地": "国内", "状态": "在用"})                                   # for `number`
    unit["附件7"][1]["采购金额"] = 300                                                      # OEM price: `fix-blanks`
    unit["附件3"] = [{"申请编号": "XQ-001", "申请部门": "网络平台处", "经手人": "李四", "填表日期": dt.date(2026, 2, 1),
                     "软件类别": "办公软件", "申请许可数": 3, "选定软件编号": "SY-0002"}]         # for `plan`
    unit["人员"].append({"部门": "办公室", "姓名": "王五", "使用计算机": "否", "状态": "在职"})       # for `pledge`
    return unit


def base(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return make_ledger(folder, "台账.xlsx", **base_unit())


def libreoffice(folder: Path) -> Path:
    source = base(folder / "src")
    rewrite_parts(source, {schema.A7: _with_formula})
    out = folder / "lo"
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{folder}/lo-profile",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, timeout=180)
    target = folder / "台账.xlsx"
    shutil.move(out / source.name, target)
    return target


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"\x00\xff\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def xlsxwriter_ledger(folder: Path) -> Path:
    import xlsxwriter

    source = base(folder / "src")
    raw, names = read_raw(source)
    target = folder / "台账.xlsx"
    wb = xlsxwriter.Workbook(str(target))
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    sheets = {}
    for name in names:
        ws = sheets[name] = wb.add_worksheet(name)
        rows, first_row, first_col = raw[name]
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                r, c = first_row - 1 + i, first_col + j
                if isinstance(value, (dt.date, dt.datetime)):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()) if type(value) is dt.date else value,
                                      date_format)
                elif value not in (None, ""):
                    ws.write(r, c, value) if not isinstance(value, str) else ws.write_string(r, c, value)
    a7, a9 = sheets[schema.A7], sheets[schema.A9]
    a7.write_formula(FORMULA[0], "=" + FORMULA[1], None, int(FORMULA[2]))
    a7.insert_textbox("V2", "年底前核对许可", {"width": 200, "height": 40})
    a7.conditional_format("M2:M10", {"type": "data_bar", "bar_solid": True})
    rows9 = raw[schema.A9][0]
    a9.add_table(0, 0, len(rows9) - 1, len(rows9[0]) - 1,
                 {"name": "安装记录", "columns": [{"header": h} for h in rows9[0]], "style": "Table Style Light 9"})
    mine = wb.add_worksheet("我的统计")
    mine.write_dynamic_array_formula("A1:A1", f"=UNIQUE('{schema.A7}'!C2:C4)", None, "WPS Office")
    mine.write_row("C1", [1, 2, 3])
    mine.add_sparkline("F1", {"range": "我的统计!C1:E1"})
    image = folder / "logo.png"
    image.write_bytes(_png())
    mine.embed_image("B3", str(image))
    sheets[schema.A8].write_comment("A1", "由半年更新生成")
    wb.close()
    return target


# --- parts Excel writes -------------------------------------------------------------------------

def _add_rel(xml: bytes, rid: str, rel_type: str, target: str) -> bytes:
    rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>'.encode()
    return xml.replace(b"</Relationships>", rel + b"</Relationships>")


def _before_end(xml: bytes, fragment: str) -> bytes:
    """Insert a worksheet child just before extLst (or the end): drawing, legacyDrawing, tableParts."""
    at = xml.find(b"<extLst>")
    at = at if at >= 0 else xml.rfind(b"</worksheet>")
    return xml[:at] + fragment.encode() + xml[at:]


def _rels(name: str, *entries: tuple[str, str, str]) -> bytes:
    body = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{g}"/>' for i, t, g in entries)
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>'.encode()


def _types(*overrides: tuple[str, str], defaults: tuple[tuple[str, str], ...] = ()):
    def edit(xml: bytes) -> bytes:
        extra = "".join(f'<Default Extension="{e}" ContentType="{c}"/>' for e, c in defaults
                        if f'Extension="{e}"'.encode() not in xml)
        extra += "".join(f'<Override PartName="{p}" ContentType="{c}"/>' for p, c in overrides)
        return xml.replace(b"</Types>", extra.encode() + b"</Types>")
    return edit


DRAWING = ('<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
           'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
           '<xdr:twoCellAnchor><xdr:from><xdr:col>12</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>'
           '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>15</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>3</xdr:row>'
           '<xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="2" name="文本框 1"/>'
           '<xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="1800000" cy="360000"/>'
           '</a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr><xdr:txBody><a:bodyPr/><a:lstStyle/>'
           '<a:p><a:r><a:t>年底前核对</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/></xdr:twoCellAnchor>'
           '<xdr:twoCellAnchor><xdr:from><xdr:col>12</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>4</xdr:row>'
           '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>14</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>7</xdr:row>'
           '<xdr:rowOff>0</xdr:rowOff></xdr:to><xdr:cxnSp macro=""><xdr:nvCxnSpPr><xdr:cNvPr id="3" name="直接箭头连接符 2"/>'
           '<xdr:cNvCxnSpPr/></xdr:nvCxnSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="900000" cy="500000"/></a:xfrm>'
           '<a:prstGeom prst="straightConnector1"><a:avLst/></a:prstGeom><a:ln w="19050"><a:tailEnd type="triangle"/></a:ln>'
           '</xdr:spPr></xdr:cxnSp><xdr:clientData/></xdr:twoCellAnchor></xdr:wsDr>')
PERSON_ID, THREAD_ID = "{6A1E4C4B-0D5B-4F0E-9C7A-1B2C3D4E5F60}", "{0B1C2D3E-4F50-6172-8394-A5B6C7D8E9F0}"
THREADED = ('<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
            'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<threadedComment ref="B1" dT="2026-02-01T09:30:00.00" personId="{PERSON_ID}" id="{THREAD_ID}">'
            '<text>这一列请和资产处核对</text></threadedComment></ThreadedComments>')
PERSONS = ('<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments" '
           'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f'<person displayName="张三" id="{PERSON_ID}" userId="张三" providerId="None"/></personList>')
LEGACY = ('<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          f'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><authors><author>tc={THREAD_ID}</author>'
          '</authors><commentList><comment ref="B1" authorId="0"><text><t>[线程批注]\n这一列请和资产处核对</t></text>'
          '</comment></commentList></comments>')
VML = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
       'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/>'
       '</o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
       '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
       '<v:shape id="_x0000_s1025" type="#_x0000_t202" style="position:absolute;visibility:hidden" fillcolor="#ffffe1">'
       '<v:textbox><div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/>'
       '<x:SizeWithCells/><x:AutoFill>False</x:AutoFill><x:Row>0</x:Row><x:Column>1</x:Column></x:ClientData>'
       '</v:shape></xml>')
X14_DROPDOWN = (f'<extLst><ext uri="{{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}}" xmlns:x14="{X14}">'
                f'<x14:dataValidations count="1" xmlns:xm="{XM}"><x14:dataValidation type="list" allowBlank="1" '
                'showInputMessage="1" showErrorMessage="1"><x14:formula1><xm:f>部门!$A$2:$A$3</xm:f></x14:formula1>'
                '<xm:sqref>U2:U8</xm:sqref></x14:dataValidation></x14:dataValidations></ext></extLst>')
CONNECTIONS = ('<connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               '<connection id="1" name="资产系统" type="1" refreshedVersion="6" background="1">'
               '<dbPr connection="DSN=assets" command="SELECT 1"/></connection></connections>')
CUSTOM = b'<?xml version="1.0" encoding="UTF-8"?><b:Sources xmlns:b="urn:example:sources" SelectedStyle="x"/>'
CUSTOM_PROPS = (b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
                b'<ds:datastoreItem ds:itemID="{11111111-2222-3333-4444-555555555555}" '
                b'xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"><ds:schemaRefs/></ds:datastoreItem>')
PRINTER = b"\x00\x01printer-settings-of-the-clerk\x00" * 40


def _table_xml(header: list[str], last_row: int) -> bytes:
    cols = "".join(f'<tableColumn id="{i}" name="{h}"/>' for i, h in enumerate(header, start=1))
    end = f"{chr(64 + len(header))}{last_row}"
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><table xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" id="1" name="安装记录" displayName="安装记录" ref="A1:{end}">'
            f'<autoFilter ref="A1:{end}"/><tableColumns count="{len(header)}">{cols}</tableColumns>'
            '<tableStyleInfo name="TableStyleLight9" showFirstColumn="0" showLastColumn="0" showRowStripes="1" '
            'showColumnStripes="0"/></table>').encode()


def _with_formula(xml: bytes) -> bytes:
    ref, formula, value = FORMULA
    xml, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)'.encode(), f'<c r="{ref}"><f>{formula}</f><v>{value}</v></c>'.encode(),
                     xml, count=1, flags=re.S)
    assert n == 1
    return xml


def _page_setup_rel(xml: bytes) -> bytes:
    return re.sub(rb"<pageSetup ", f'<pageSetup xmlns:r="{R_NS}" r:id="rIdP1" '.encode(), xml, count=1)


def excel(folder: Path) -> Path:
    path = base(folder)
    parts = sheet_parts(path)
    rows9 = read_raw(path, only={schema.A9})[0][schema.A9][0]
    a7, a8, a9 = (parts[s].rsplit("/", 1)[1] for s in (schema.A7, schema.A8, schema.A9))
    rels = lambda part: f"xl/worksheets/_rels/{part}.rels"  # noqa: E731
    ct = "application/vnd.openxmlformats-officedocument."
    edits = {
        schema.A7: lambda x: _page_setup_rel(_with_formula(x)).replace(b"</worksheet>", X14_DROPDOWN.encode() + b"</worksheet>"),
        schema.A8: lambda x: _before_end(x, f'<drawing xmlns:r="{R_NS}" r:id="rIdD1"/>'),
        schema.A9: lambda x: _before_end(x, f'<legacyDrawing xmlns:r="{R_NS}" r:id="rIdV1"/>'
                                            f'<tableParts count="1"><tablePart xmlns:r="{R_NS}" r:id="rIdT1"/></tableParts>'),
        "xl/_rels/workbook.xml.rels": lambda x: _add_rel(_add_rel(_add_rel(
            x, "rIdX1", "http://schemas.microsoft.com/office/2017/10/relationships/person", "persons/person.xml"),
            "rIdX2", f"{REL}/connections", "connections.xml"), "rIdX3", f"{REL}/customXml", "../customXml/item1.xml"),
        "[Content_Types].xml": _types(
            ("/xl/drawings/drawing1.xml", ct + "drawing+xml"), ("/xl/tables/table1.xml", ct + "spreadsheetml.table+xml"),
            ("/xl/threadedComments/threadedComment1.xml", "application/vnd.ms-excel.threadedcomments+xml"),
            ("/xl/persons/person.xml", "application/vnd.ms-excel.person+xml"),
            ("/xl/comments1.xml", ct + "spreadsheetml.comments+xml"),
            ("/xl/connections.xml", ct + "spreadsheetml.connections+xml"),
            ("/customXml/itemProps1.xml", ct + "customXmlProperties+xml"),
            defaults=(("vml", ct + "vmlDrawing"), ("bin", ct + "spreadsheetml.printerSettings"))),
    }
    add = {
        rels(a7): _rels(a7, ("rIdP1", f"{REL}/printerSettings", "../printerSettings/printerSettings1.bin")),
        rels(a8): _rels(a8, ("rIdD1", f"{REL}/drawing", "../drawings/drawing1.xml")),
        rels(a9): _rels(a9, ("rIdV1", f"{REL}/vmlDrawing", "../drawings/vmlDrawing1.vml"),
                        ("rIdC1", f"{REL}/comments", "../comments1.xml"), ("rIdT1", f"{REL}/table", "../tables/table1.xml"),
                        ("rIdH1", "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment",
                         "../threadedComments/threadedComment1.xml")),
        "xl/drawings/drawing1.xml": DRAWING.encode(), "xl/tables/table1.xml": _table_xml(rows9[0], len(rows9)),
        "xl/threadedComments/threadedComment1.xml": THREADED.encode(), "xl/persons/person.xml": PERSONS.encode(),
        "xl/comments1.xml": LEGACY.encode(), "xl/drawings/vmlDrawing1.vml": VML.encode(),
        "xl/connections.xml": CONNECTIONS.encode(), "xl/printerSettings/printerSettings1.bin": PRINTER,
        "customXml/item1.xml": CUSTOM, "customXml/itemProps1.xml": CUSTOM_PROPS,
        "customXml/_rels/item1.xml.rels": _rels("item1.xml", ("rId1", f"{REL}/customXmlProps", "itemProps1.xml")),
    }
    rewrite_parts(path, edits, add)
    return path


PRODUCERS = {"libreoffice": libreoffice, "xlsxwriter": xlsxwriter_ledger, "excel": excel}
