"""Through the real command line: a bad file gives exit 2 and one Chinese line on stderr, never a traceback.

`--debug` is passed so that any error that is not a deliberate LedgerError would show its traceback
(and fail these tests) instead of the generic one-line guard.
"""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import make_ledger
from test_hostile import HOSTILE, xml_bomb
from test_lossless import X14_VALIDATION, with_ext

from workbook_tools.core import schema

ROOT = Path(__file__).resolve().parents[1]


def ledger_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "workbook_tools", "--debug", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def assert_one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and any("\u4e00" <= ch <= "\u9fff" for ch in lines[0]), proc.stderr
    return lines[0]


@pytest.mark.parametrize("kind", ["missing", "folder", "empty", "text renamed", "docx renamed", "legacy xls",
                                  "encrypted", "truncated"])
def test_check_refuses_hostile_files(kind, tmp_path):
    good = make_ledger(tmp_path, "台账.xlsx")
    path = HOSTILE[kind](tmp_path, good)
    proc = ledger_cli("check", path.name, "--format", "json", cwd=tmp_path)
    assert path.name in assert_one_line_error(proc)
    assert proc.stdout == ""


def test_check_refuses_an_xml_bomb(tmp_path, zip_parts):
    path = make_ledger(tmp_path, "台账.xlsx")
    zip_parts(path, {schema.A9: xml_bomb})
    assert_one_line_error(ledger_cli("check", path, cwd=tmp_path))


def test_check_names_a_missing_sheet(tmp_path):
    path = make_ledger(tmp_path, "台账.xlsx")
    wb = openpyxl.load_workbook(path)
    del wb[schema.A8]
    wb.save(path)
    assert schema.A8 in assert_one_line_error(ledger_cli("check", path, cwd=tmp_path))


def test_check_names_a_missing_required_column(tmp_path):
    path = make_ledger(tmp_path, "台账.xlsx")
    wb = openpyxl.load_workbook(path)
    wb[schema.A9]["D1"] = "电脑编号"
    wb.save(path)
    line = assert_one_line_error(ledger_cli("check", path, cwd=tmp_path))
    assert "计算机编号" in line and schema.A9 in line
    assert "D1" in line and "电脑编号" in line                 # the cell, and the text found there


def test_a_blank_header_cell_is_named(tmp_path):
    from workbook_tools.core.model import LedgerError
    from workbook_tools.read.reader import load_ledger
    path = make_ledger(tmp_path, "台账.xlsx")
    wb = openpyxl.load_workbook(path)
    wb[schema.A7]["B1"] = None
    wb.save(path)
    with pytest.raises(LedgerError) as err:
        load_ledger(path)
    assert "软件编号" in err.value.message and "B1" in err.value.message


def test_check_annotate_keeps_an_excel_2010_dropdown(tmp_path, zip_parts):
    path = make_ledger(tmp_path, "台账.xlsx", **{"7": [{"软件名称": "Office", "软件类型": "商业软件"}]})
    zip_parts(path, {schema.A7: with_ext(X14_VALIDATION)})
    proc = ledger_cli("check", path, "--annotate", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    with zipfile.ZipFile(path) as zf:
        assert any(X14_VALIDATION.encode() in zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))


def test_check_annotate_refuses_while_open_in_excel(tmp_path):
    path = make_ledger(tmp_path, "台账.xlsx", **{"7": [{"软件名称": "Office", "软件类型": "商业软件"}]})
    (tmp_path / "~$台账.xlsx").write_bytes(b"owner")
    before = path.read_bytes()
    assert_one_line_error(ledger_cli("check", path, "--annotate", cwd=tmp_path))
    assert path.read_bytes() == before


def test_init_refuses_an_existing_file_without_force(tmp_path):
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"user data")
    assert_one_line_error(ledger_cli("init", target, cwd=tmp_path))
    assert target.read_bytes() == b"user data"


@pytest.mark.parametrize("target", ["不存在的目录/台账.xlsx", "文件/台账.xlsx"])
def test_init_refuses_a_target_in_a_missing_folder(tmp_path, target):
    (tmp_path / "文件").write_text("一个文件，不是目录")
    assert_one_line_error(ledger_cli("init", target, cwd=tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["文件"]


def test_init_refuses_while_the_file_is_open_in_excel(tmp_path):
    target = tmp_path / "台账.xlsx"
    make_ledger(tmp_path, "台账.xlsx")
    before = target.read_bytes()
    (tmp_path / "~$台账.xlsx").write_bytes(b"owner")
    assert_one_line_error(ledger_cli("init", target, "--force", cwd=tmp_path))
    assert target.read_bytes() == before


def test_init_succeeds_and_says_so(tmp_path):
    proc = ledger_cli("init", "新台账", cwd=tmp_path)
    assert proc.returncode == 0 and not proc.stderr
    assert (tmp_path / "新台账.xlsx").is_file()


@pytest.mark.parametrize("command", [["check", "{path}", "--today", "2026-03-01"],
                                     ["print", "附件1", "{path}", "-o", "{out}", "--force"]])
def test_reading_a_workbook_open_in_excel_says_unsaved_edits_are_not_included(tmp_path, command):
    path = make_ledger(tmp_path, "台账.xlsx")
    args = [a.format(path=path, out=tmp_path / "a1.pdf") for a in command]
    quiet = ledger_cli(*args, cwd=tmp_path)
    (tmp_path / "~$台账.xlsx").write_bytes(b"\0" * 165)
    told = ledger_cli(*args, cwd=tmp_path)
    assert quiet.returncode == told.returncode and "提示" not in quiet.stderr
    hints = [line for line in told.stderr.splitlines() if line.startswith("提示：")]
    assert len(hints) == 1 and "~$台账.xlsx" in hints[0]
