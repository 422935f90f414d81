"""Reading scan files: collector CSV (BOM, CRLF, quoted), PowerShell quirks, asset exports, folders."""
from __future__ import annotations

import pytest
from test_scan_data import ASSET_COLUMNS, PS_SAMPLE, SAMPLES

from workbook_tools.core.model import LedgerError
from workbook_tools.scan.files import COLLECTOR_HEADERS, ColumnMap
from workbook_tools.tasks.scanning import read_scans

HEADER = ",".join(f'"{h}"' for h in COLLECTOR_HEADERS)


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8-sig"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_powershell_sample_keeps_quoted_commas_and_lines():
    scans = read_scans([PS_SAMPLE])
    df = scans.entries
    assert len(df) == 11 and set(df["host"]) == {"WIN-ZHANGSAN"}
    wps = df[df["name"] == "WPS Office (11.1.0.11830)"].iloc[0]
    assert wps["publisher"] == "Zhuhai Kingsoft Office Software Co.,Ltd"
    assert wps["source"].startswith("HKU\\S-1-5-21-")
    assert wps["line"] == 11
    assert df["line"].tolist() == list(range(2, 13))


def test_type_line_of_export_csv_without_notypeinformation(tmp_path):
    text = f'#TYPE System.Management.Automation.PSCustomObject\r\n{HEADER}\r\n"PC-1","7-Zip 23.01","23.01","Igor Pavlov","",""\r\n'
    df = read_scans([_write(tmp_path, "PC-1.csv", text)]).entries
    assert df["name"].tolist() == ["7-Zip 23.01"] and df["line"].tolist() == [3]


def test_utf16_from_out_file(tmp_path):
    text = f'{HEADER}\r\n"PC-1","腾讯QQ","9.7","腾讯","",""\r\n'
    df = read_scans([_write(tmp_path, "PC-1.csv", text, "utf-16")]).entries
    assert df["name"].tolist() == ["腾讯QQ"]


def test_asset_export_with_given_columns():
    df = read_scans([SAMPLES / "asset_export.csv"], ColumnMap(**ASSET_COLUMNS)).entries
    assert set(df["host"]) == {"PC-002"}
    assert "腾讯QQ" in df["name"].tolist()
    assert df.loc[df["name"] == "腾讯QQ", "publisher"].iloc[0] == "腾讯科技(深圳)有限公司"


def test_asset_export_without_columns_is_refused():
    with pytest.raises(LedgerError) as exc:
        read_scans([SAMPLES / "asset_export.csv"])
    assert exc.value.exit_code == 2


def test_given_column_absent_from_every_file_is_refused():
    with pytest.raises(LedgerError):
        read_scans([PS_SAMPLE], ColumnMap(name="Logiciel"))


def test_aliases_of_other_inventory_exports(tmp_path):
    text = "Computer;Name;Version;Editor\nPC-7;Foxit PDF Reader;12.1;Foxit\n"
    df = read_scans([_write(tmp_path, "ocs.csv", text, "utf-8")]).entries
    assert df.iloc[0][["host", "name", "version", "publisher"]].tolist() == ["PC-7", "Foxit PDF Reader", "12.1", "Foxit"]


def test_host_from_file_name_when_no_column(tmp_path):
    text = "DisplayName,DisplayVersion\n7-Zip 23.01,23.01\n"
    scans = read_scans([_write(tmp_path, "PC-8_2026-03-01.csv", text)])
    assert scans.entries["host"].tolist() == ["PC-8"]
    assert scans.files[0].hosts == ["PC-8"]


def test_header_only_file_still_names_its_computer(tmp_path):
    scans = read_scans([_write(tmp_path, "PC-9.csv", HEADER + "\r\n")])
    assert scans.entries.empty and scans.files[0].hosts == ["PC-9"]


def test_folders_are_read_recursively_and_each_file_once(tmp_path):
    (tmp_path / "办公室").mkdir()
    _write(tmp_path / "办公室", "PC-1.csv", f'{HEADER}\n"PC-1","A","1","","",""\n')
    _write(tmp_path, "PC-2.csv", f'{HEADER}\n"PC-2","B","1","","",""\n')
    _write(tmp_path, "notes.txt", "not a scan")
    scans = read_scans([tmp_path, tmp_path / "PC-2.csv"])
    assert sorted(scans.entries["host"]) == ["PC-1", "PC-2"] and len(scans.files) == 2


def test_missing_path_and_bad_files(tmp_path):
    with pytest.raises(LedgerError):
        read_scans([tmp_path / "nope.csv"])
    with pytest.raises(LedgerError):
        read_scans([tmp_path])          # a folder without scans
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x81\x30\xff\xff\xfe")
    with pytest.raises(LedgerError):
        read_scans([bad])
