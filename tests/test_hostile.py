"""Hostile and broken files: every one is refused with LedgerError (exit 2), nothing crashes or hangs."""
from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from builders import make_ledger, run_cli
from conftest import sheet_parts

from workbook_tools.core import schema
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.files.writer import write_workbook
from workbook_tools.read import sniff
from workbook_tools.read.reader import load_ledger

FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512


def _dir_entry(name: str, kind: int, child: int = NO_STREAM, right: int = NO_STREAM,
               start: int = END, size: int = 0) -> bytes:
    raw = name.encode("utf-16-le") + b"\0\0" if name else b""
    head = raw.ljust(64, b"\0") + struct.pack("<HBB3I", len(raw), kind, 1, NO_STREAM, right, child)
    return head + b"\0" * 36 + struct.pack("<IQ", start, size)


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A minimal compound file (CFB v3, the container of .xls and encrypted .xlsx) with regular-size streams."""
    streams = {n: d.ljust(4096, b"\0") for n, d in streams.items()}  # >= 4096: no mini stream needed
    fat, data, entries = [FAT_SECTOR, END], b"", [b""]
    names = list(streams)
    for i, name in enumerate(names):
        start, count = len(fat), -(-len(streams[name]) // SECTOR)
        fat += list(range(start + 1, start + count)) + [END]
        data += streams[name].ljust(count * SECTOR, b"\0")
        right = i + 2 if i + 1 < len(names) else NO_STREAM
        entries.append(_dir_entry(name, 2, right=right, start=start, size=len(streams[name])))
    entries[0] = _dir_entry("Root Entry", 5, child=1 if names else NO_STREAM)
    directory = b"".join(entries).ljust(SECTOR, b"\0")
    assert len(fat) <= SECTOR // 4 and len(entries) <= 4
    header = (sniff.OLE_MAGIC + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<9I", 0, 1, 1, 0, 4096, END, 0, END, 0) + struct.pack("<I", 0) + struct.pack("<I", FREE) * 108)
    fat_sector = struct.pack(f"<{len(fat)}I", *fat).ljust(SECTOR, b"\xff")
    return header + fat_sector + directory + data


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        zf.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>')
    return buf.getvalue()


def xml_bomb(xml: bytes, pad: str = "") -> bytes:
    entities = '<!ENTITY a0 "哈哈">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    body = re.sub(rb"^<\?xml[^>]*\?>", b"", xml)
    body = body.replace(b"<sheetData>", b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a9;</t></is></c></row>', 1)
    return f'<?xml version="1.0" encoding="UTF-8"?>{pad}<!DOCTYPE worksheet [{entities}]>'.encode() + body


@pytest.fixture
def good(tmp_path) -> Path:
    rows = [{"软件编号": "SY-0001", "软件名称": "Office", "软件类型": "商业软件"}]
    return make_ledger(tmp_path, "台账.xlsx", **{"7": rows})


def refuse(path: Path) -> str:
    """load_ledger must raise LedgerError(exit 2); returns its message."""
    with pytest.raises(LedgerError) as err:
        load_ledger(path)
    assert err.value.exit_code == 2
    assert "\n" not in err.value.message and err.value.message
    return err.value.message


# --- what a file is -----------------------------------------------------------------------

Maker = Callable[[Path, Path], Path]


def _missing(tmp: Path, good: Path) -> Path:
    return tmp / "没有这个文件.xlsx"


def _folder(tmp: Path, good: Path) -> Path:
    (tmp / "文件夹.xlsx").mkdir()
    return tmp / "文件夹.xlsx"


def _write(name: str, data: bytes) -> Maker:
    def make(tmp: Path, good: Path) -> Path:
        (tmp / name).write_bytes(data)
        return tmp / name
    return make


def _truncated(tmp: Path, good: Path) -> Path:
    data = good.read_bytes()
    return _write("半截.xlsx", data[: len(data) // 2])(tmp, good)


def _plain_zip(tmp: Path, good: Path) -> Path:
    with zipfile.ZipFile(tmp / "压缩包.xlsx", "w") as zf:
        zf.writestr("照片/说明.txt", "不是工作簿")
    return tmp / "压缩包.xlsx"


HOSTILE: dict[str, Maker] = {
    "missing": _missing,
    "folder": _folder,
    "empty": _write("空.xlsx", b""),
    "text renamed": _write("文本.xlsx", "单位名称,软件名称\n鞍山市行政审批局,WPS\n".encode("gbk")),
    "docx renamed": _write("文档.xlsx", docx_bytes()),
    "legacy xls": _write("旧版.xlsx", ole_file({"Workbook": b"\x09\x08\x10\x00", "\x05SummaryInformation": b""})),
    "encrypted": _write("加密.xlsx", ole_file({"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"x"})),
    "other OLE": _write("其他.xlsx", ole_file({"WordDocument": b"\xec\xa5"})),
    "truncated": _truncated,
    "plain zip": _plain_zip,
    "random bytes": _write("乱码.xlsx", bytes(range(256)) * 8),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_file_is_refused_naming_the_file(kind, tmp_path, good):
    path = HOSTILE[kind](tmp_path, good)
    before = path.read_bytes() if path.is_file() else None
    message = refuse(path)
    assert path.name in message
    with pytest.raises(LedgerError):
        write_workbook(path, lambda book: [Change(action="x", sheet=schema.CHANGES, content="x")], "测试")
    if before is not None:
        assert path.read_bytes() == before


def test_the_crafted_compound_file_is_well_formed():
    data = ole_file({"Workbook": b"abc"})
    assert data[:8] == sniff.OLE_MAGIC and len(data) % SECTOR == 0
    assert "Workbook".encode("utf-16-le") in data[2 * SECTOR: 3 * SECTOR]


def test_legacy_and_encrypted_are_told_apart(tmp_path, good):
    xls = refuse(HOSTILE["legacy xls"](tmp_path, good))
    enc = refuse(HOSTILE["encrypted"](tmp_path, good))
    assert ".xls" in xls and ".xls" not in enc.replace(".xlsx", "")


# --- bombs -----------------------------------------------------------------------------

def _declare_size(path: Path, member: str, size: int) -> None:
    """Rewrite the central directory so that `member` claims `size` bytes uncompressed."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = data.rindex(b"PK\x01\x02", 0, data.rindex(name))  # central header of that member
    struct.pack_into("<I", data, at + 24, size)
    path.write_bytes(bytes(data))


def test_zip_declaring_two_gigabytes_is_refused(good):
    with zipfile.ZipFile(good, "a") as zf:
        zf.writestr("xl/media/zeros.bin", b"\0" * 1024)
    _declare_size(good, "xl/media/zeros.bin", 2 << 30)
    assert zipfile.ZipFile(good).getinfo("xl/media/zeros.bin").file_size == 2 << 30
    refuse(good)


def test_real_member_of_50_mb_zeros_is_refused(good, monkeypatch):
    with zipfile.ZipFile(good, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf, \
            zf.open("xl/media/zeros.bin", "w", force_zip64=False) as fh:
        chunk = b"\0" * (1 << 20)
        for _ in range(50):
            fh.write(chunk)
    assert good.stat().st_size < 2 << 20
    refuse(good)  # by its compression ratio
    monkeypatch.setattr(sniff, "MAX_MEMBER_RATIO", 10 ** 9)
    monkeypatch.setattr(sniff, "MAX_UNCOMPRESSED", 40 << 20)
    refuse(good)  # by its total size


def test_limits_apply_to_the_sum_and_to_the_number_of_members(good, monkeypatch):
    load_ledger(good)
    monkeypatch.setattr(sniff, "MAX_UNCOMPRESSED", 10_000)
    refuse(good)
    monkeypatch.setattr(sniff, "MAX_UNCOMPRESSED", 1 << 30)
    monkeypatch.setattr(sniff, "MAX_MEMBERS", 5)
    refuse(good)


@pytest.mark.parametrize("pad", ["", "<!--" + "填充" * 3000 + "-->"])
def test_xml_bomb_in_a_sheet_part_is_refused_naming_the_part(good, zip_parts, pad):
    zip_parts(good, {schema.A7: lambda xml: xml_bomb(xml, pad)})
    part = sheet_parts(good)[schema.A7]
    assert part in refuse(good)


def test_xml_part_without_a_root_element_in_64k_is_refused(good, zip_parts):
    zip_parts(good, {"docProps/app.xml": lambda xml: b'<?xml version="1.0"?>' + b" " * (70 << 10) + xml})
    assert "docProps/app.xml" in refuse(good)


# --- structure -------------------------------------------------------------------------------

def test_missing_required_sheet_is_named(good):
    wb = openpyxl.load_workbook(good)
    del wb[schema.A9]
    wb.save(good)
    assert schema.A9 in refuse(good)


def test_missing_settings_sheet_is_named(good):
    wb = openpyxl.load_workbook(good)
    del wb[schema.SETTINGS]
    wb.save(good)
    assert schema.SETTINGS in refuse(good)


def test_missing_optional_sheet_reads_as_empty(good):
    wb = openpyxl.load_workbook(good)
    del wb[schema.NAME_MAP]
    wb.save(good)
    assert not load_ledger(good)[schema.NAME_MAP].present


def test_header_missing_a_required_column_names_it(good):
    wb = openpyxl.load_workbook(good)
    ws = wb[schema.A7]
    col = list(schema.BY_NAME[schema.A7].headers).index("软件编号") + 1
    ws.cell(1, col).value = "编号"
    wb.save(good)
    message = refuse(good)
    assert "软件编号" in message and schema.A7 in message


def test_sheet_without_any_header_is_refused(good):
    wb = openpyxl.load_workbook(good)
    wb[schema.A9].delete_rows(1)
    wb.save(good)
    assert schema.A9 in refuse(good)


def test_damaged_sheet_xml_is_refused_without_traceback(good, zip_parts):
    zip_parts(good, {schema.A7: lambda xml: xml[: len(xml) // 2]})
    refuse(good)


# --- damage deep inside a member (past what sniffing reads) ------------------------------------

def _flip_near_end(path: Path, part: str, back: int = 50) -> None:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(part)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    data[info.header_offset + 30 + name_len + extra_len + info.compress_size - back] ^= 0xFF
    path.write_bytes(bytes(data))


def test_damage_deep_inside_a_large_sheet_is_refused_by_reader_and_writer(good, zip_parts):
    import random

    rnd = random.Random(7)
    rows = "".join(f'<row r="{r}"><c r="B{r}" t="inlineStr"><is><t>{rnd.getrandbits(128):x}</t></is></c></row>'
                   for r in range(2, 6000))
    zip_parts(good, {schema.A7: lambda xml: re.sub(rb"</row>.*</sheetData>", b"</row>" + rows.encode() + b"</sheetData>",
                                                   xml, count=1, flags=re.S)})
    part = sheet_parts(good)[schema.A7]
    with zipfile.ZipFile(good) as zf:
        assert zf.getinfo(part).file_size > 4 * sniff.PROLOG_LIMIT
    _flip_near_end(good, part)
    before = good.read_bytes()
    refuse(good)
    with pytest.raises(LedgerError) as err:
        write_workbook(good, lambda book: [Change(action="x", sheet=schema.CHANGES, content="x")], "测试")
    assert err.value.exit_code == 2 and good.read_bytes() == before


@pytest.mark.parametrize("seed", range(3))
def test_random_byte_damage_never_escapes_as_another_exception(good, seed):
    import random

    rnd = random.Random(seed)
    original = good.read_bytes()
    for _ in range(25):
        data = bytearray(original)
        for _ in range(rnd.randint(1, 8)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        good.write_bytes(bytes(data))
        try:
            load_ledger(good)
        except LedgerError as exc:
            assert exc.exit_code == 2


def _xls_with_directory_last() -> bytes:
    """A compound file whose directory stands past the first MiB (LibreOffice writes .xls like this)."""
    sectors = 2200
    entries = [_dir_entry("Root Entry", 5, child=1), _dir_entry("Workbook", 2, start=0, size=4096)]
    directory = b"".join(entries).ljust(SECTOR, b"\0")
    header = (sniff.OLE_MAGIC + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<9I", 0, 1, sectors, 0, 4096, END, 0, END, 0) + struct.pack("<I", 0)
              + struct.pack("<I", FREE) * 108)
    return header + b"\0" * (sectors * SECTOR) + directory


@pytest.mark.parametrize("name", ["旧版.xls", "旧版.xlsx"])
def test_a_real_xls_says_to_save_as_xlsx(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(_xls_with_directory_last())
    message = refuse(path)
    assert "97-2003" in message and "另存为 .xlsx" in message and "Excel/WPS" in message


@pytest.mark.parametrize("suffix", [".xls", ".XLS", ".et", ""])
def test_an_xlsx_under_another_extension_is_read_by_its_content(tmp_path, good, suffix, capsys):
    renamed = tmp_path / f"改名{suffix}"
    renamed.write_bytes(good.read_bytes())
    ledger = load_ledger(renamed)
    assert ledger.df(schema.A7)["软件编号"].tolist() == ["SY-0001"]
    code, _, err = run_cli(capsys, "check", renamed, "--today", "2026-03-01")
    assert code in (0, 1) and err == ""
