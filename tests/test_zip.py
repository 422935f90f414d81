"""The zip container (xlsx/zip.py): raw copies keep every stored byte, corrupted or unrewritable
members are refused, written XML is UTF-8."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from builders import make_ledger

from workbook_tools.core import schema
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.files.create import build_workbook
from workbook_tools.files.writer import save_new, write_workbook
from workbook_tools.read.reader import load_ledger
from workbook_tools.xlsx.zip import CENTRAL, ZipRefused, ZipWriter, central_records

GBK_NAME = "customXml/附件说明.xml".encode("gbk")
A7_ROWS = [{"序号": 1, "软件编号": "SY-0001", "软件名称": "Office", "软件版本": "2016", "软件类型": "商业软件", "许可数量": 5}]


def note(text: str = "已核对"):
    def edit(book) -> list[Change]:
        book.table(schema.A7).set(2, "备注", text)
        return [Change(action="测试", sheet=schema.A7, row=2, content=text)]
    return edit


def directory(path: Path) -> dict[bytes, dict]:
    """Every central record as stored: raw name -> flags, extra, local header bytes, data."""
    blob = path.read_bytes()
    end = blob.rindex(b"PK\x05\x06")
    count, _size, start = struct.unpack_from("<HII", blob, end + 10)
    out = {}
    for _ in range(count):
        fields = CENTRAL.unpack_from(blob, start)
        name = blob[start + 46:start + 46 + fields[10]]
        extra = blob[start + 46 + fields[10]:start + 46 + fields[10] + fields[11]]
        local = fields[16]
        n, m = struct.unpack_from("<HH", blob, local + 26)
        out[name] = {"flags": fields[3], "crc": fields[7], "extra": extra,
                     "local_name": blob[local + 30:local + 30 + n], "local_extra": blob[local + 30 + n:local + 30 + n + m],
                     "local_flags": struct.unpack_from("<H", blob, local + 6)[0],
                     "data": blob[local + 30 + n + m:local + 30 + n + m + fields[8]]}
        start += 46 + fields[10] + fields[11] + fields[12]
    return out


def add_members(path: Path, members: list[tuple[zipfile.ZipInfo, bytes]], stream: bool = False) -> None:
    """Append members to a saved workbook (rewritten with zipfile); `stream` writes them with data
    descriptors (flag bit 3), as a producer writing to a pipe does."""
    with zipfile.ZipFile(path) as zin:
        old = [(i, zin.read(i)) for i in zin.infolist()]
    buf = io.BytesIO()

    class Pipe(io.RawIOBase):     # not seekable: zipfile writes data descriptors
        def writable(self) -> bool:
            return True

        def write(self, b) -> int:
            return buf.write(b)

    target = Pipe() if stream else buf
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in old + members:
            zout.writestr(info, data)
    path.write_bytes(buf.getvalue())


def rename_raw(path: Path, placeholder: bytes, raw: bytes) -> None:
    """Give a member a name of raw bytes (same length), without the UTF-8 flag."""
    assert len(placeholder) == len(raw)
    blob = path.read_bytes()
    assert blob.count(placeholder) == 2    # local header and central record
    path.write_bytes(blob.replace(placeholder, raw))


@pytest.fixture
def ledger(tmp_path) -> Path:
    return make_ledger(tmp_path, "台账.xlsx", **{"7": A7_ROWS})


def test_a_gbk_name_without_the_utf8_flag_keeps_its_bytes_and_flag(ledger):
    placeholder = b"customXml/" + b"X" * (len(GBK_NAME) - len(b"customXml/"))
    add_members(ledger, [(zipfile.ZipInfo(placeholder.decode(), (2010, 5, 6, 7, 8, 10)), b"<a>GBK</a>")])
    rename_raw(ledger, placeholder, GBK_NAME)
    before = directory(ledger)[GBK_NAME]
    assert not before["flags"] & 0x800
    write_workbook(ledger, note(), "测试")
    after = directory(ledger)
    assert GBK_NAME in after, sorted(after)
    kept = after[GBK_NAME]
    assert kept["local_name"] == GBK_NAME and not kept["flags"] & 0x800 and not kept["local_flags"] & 0x800
    assert (kept["crc"], kept["data"]) == (before["crc"], before["data"])
    with zipfile.ZipFile(ledger) as zf:
        assert zf.testzip() is None


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_corrupted_member_is_refused_naming_it_and_the_ledger_is_untouched(ledger, method):
    image = bytes(range(256)) * 40
    info = zipfile.ZipInfo("xl/media/image1.png", (2024, 1, 1, 0, 0, 0))
    info.compress_type = method
    add_members(ledger, [(info, image)])
    blob = bytearray(ledger.read_bytes())
    data = directory(ledger)[b"xl/media/image1.png"]["data"]
    at = bytes(blob).index(data) + len(data) // 2
    blob[at] ^= 0x55
    ledger.write_bytes(bytes(blob))
    before = ledger.read_bytes()
    with pytest.raises(LedgerError) as err:
        write_workbook(ledger, note(), "测试")
    assert err.value.exit_code == 2 and "xl/media/image1.png" in err.value.message
    assert "\n" not in err.value.message
    assert ledger.read_bytes() == before
    assert sorted(p.name for p in ledger.parent.iterdir()) == [ledger.name]


def test_extra_fields_and_data_descriptors_are_copied_as_stored(ledger):
    info = zipfile.ZipInfo("customXml/item1.xml", (2021, 2, 3, 4, 5, 6))
    info.extra = struct.pack("<HHBI", 0x5455, 5, 1, 1_600_000_000)      # extended timestamp
    add_members(ledger, [(info, b"<item>1</item>" * 50)], stream=True)
    before = directory(ledger)
    assert before[b"customXml/item1.xml"]["flags"] & 0x8 and before[b"customXml/item1.xml"]["extra"]
    write_workbook(ledger, note(), "测试")
    after = directory(ledger)
    for name, old in before.items():
        if name.startswith(b"xl/worksheets/") or name in (b"xl/styles.xml", b"docProps/core.xml"):
            continue
        if after[name]["crc"] != old["crc"]:
            continue        # a part the write owns (变更记录, …)
        assert {k: after[name][k] for k in old} == old, name
    with zipfile.ZipFile(ledger) as zf:
        assert zf.testzip() is None and zf.read("customXml/item1.xml") == b"<item>1</item>" * 50


def test_a_zip64_member_whose_offset_is_in_the_extra_field_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.xml", b"<a/>")
    source = io.BytesIO(buf.getvalue())
    with zipfile.ZipFile(source) as zf:
        info = zf.infolist()[0]
        central = central_records(source, [info], zf.start_dir)[0]
    head = bytearray(central[:CENTRAL.size])
    struct.pack_into("<H", head, 30, 12)                 # extra length
    struct.pack_into("<I", head, 42, 0xFFFFFFFF)         # offset: see the zip64 extra
    forged = bytes(head) + central[CENTRAL.size:] + struct.pack("<HHQ", 0x0001, 8, 0)
    with pytest.raises(ZipRefused) as err:
        ZipWriter(io.BytesIO(), "台账.xlsx").copy(source, info, forged)
    assert "ZIP64" in err.value.message and err.value.exit_code == 2


def test_a_zip64_local_extra_with_sizes_is_copied(ledger):
    buf = io.BytesIO(ledger.read_bytes())
    with zipfile.ZipFile(buf, "a") as zf, zf.open("customXml/big.xml", "w", force_zip64=True) as fh:
        fh.write(b"<big/>")
    ledger.write_bytes(buf.getvalue())
    before = directory(ledger)[b"customXml/big.xml"]
    assert struct.unpack_from("<H", before["local_extra"])[0] == 0x0001
    write_workbook(ledger, note(), "测试")
    assert directory(ledger)[b"customXml/big.xml"] == before
    with zipfile.ZipFile(ledger) as zf:
        assert zf.testzip() is None


def _flag_encrypted(path: Path, member: bytes) -> None:
    blob = bytearray(path.read_bytes())
    for sig, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = 0
        while (i := blob.find(sig, i)) >= 0:
            n = 26 if sig == b"PK\x03\x04" else 28
            name_len = struct.unpack_from("<H", blob, i + n)[0]
            name_at = i + (30 if sig == b"PK\x03\x04" else 46)
            if bytes(blob[name_at:name_at + name_len]) == member:
                struct.pack_into("<H", blob, i + at, struct.unpack_from("<H", blob, i + at)[0] | 1)
            i += 4
    path.write_bytes(bytes(blob))


def test_an_encrypted_member_is_refused_by_check_and_write(ledger, capsys):
    from builders import run_cli

    _flag_encrypted(ledger, b"docProps/core.xml")
    before = ledger.read_bytes()
    with pytest.raises(LedgerError) as err:
        load_ledger(ledger)
    assert "docProps/core.xml" in err.value.message
    with pytest.raises(LedgerError):
        write_workbook(ledger, note(), "测试")
    code, out, err_text = run_cli(capsys, "check", ledger, "--today", "2026-03-01")
    assert code == 2 and "docProps/core.xml" in err_text and "内部错误" not in err_text + out
    assert len(err_text.strip().splitlines()) == 1
    assert ledger.read_bytes() == before


def test_a_duplicate_member_name_is_refused(ledger):
    with zipfile.ZipFile(ledger) as zf:
        core = zf.read("docProps/core.xml")
    with pytest.warns(UserWarning):
        add_members(ledger, [(zipfile.ZipInfo("docProps/core.xml"), core.replace(b"<", b"<", 1))])
    before = ledger.read_bytes()
    with pytest.raises(LedgerError) as err:
        load_ledger(ledger)
    assert "docProps/core.xml" in err.value.message
    with pytest.raises(LedgerError):
        write_workbook(ledger, note(), "测试")
    assert ledger.read_bytes() == before


def test_written_xml_keeps_cjk_as_utf8(tmp_path, ledger):
    fresh = tmp_path / "新台账.xlsx"
    save_new(build_workbook(), fresh)
    with zipfile.ZipFile(fresh) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                assert b"&#" not in zf.read(name), name
        sheets = {n: zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/")}
    assert any("软件名称".encode() in data for data in sheets.values())
    write_workbook(ledger, note("已核对：正版"), "测试")
    with zipfile.ZipFile(ledger) as zf:
        assert any("已核对：正版".encode() in zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))


def test_a_grafted_sheet_is_utf8(tmp_path):
    from workbook_tools.xlsx.graft import build_scratch
    from workbook_tools.xlsx.package import utf8_xml

    scratch = build_scratch("统计", lambda ws: ws.cell(1, 1, "单位名称"))
    with zipfile.ZipFile(io.BytesIO(scratch)) as zf:
        raw = zf.read("xl/worksheets/sheet1.xml")
    assert b"&#21333;" in raw               # openpyxl's own output
    fixed = utf8_xml(raw)
    assert b"&#" not in fixed and "单位名称".encode() in fixed
    assert zlib.crc32(utf8_xml(fixed)) == zlib.crc32(fixed)
