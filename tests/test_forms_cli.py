"""`ledger print` and `ledger slip` on the command line: outputs, options, exit codes."""
from __future__ import annotations

from pathlib import Path

import pytest
from builders import run_cli
from pypdf import PdfReader

from workbook_tools.read.reader import load_ledger

run = run_cli


def printed_path(out: str) -> Path:
    return Path(out.strip().splitlines()[-1])


def test_print_pdf_next_to_the_ledger(capsys, sample_ledger):
    code, out, _ = run(capsys, "print", "附件11", sample_ledger)
    path = printed_path(out)
    assert code == 0 and path == sample_ledger.with_name("ledger_附件11.pdf")
    assert path.read_bytes().startswith(b"%PDF") and len(PdfReader(path).pages) == 2
    assert not list(sample_ledger.parent.glob(".*.part"))          # no scratch file left beside it


@pytest.mark.parametrize("command", [("print", "11"), ("slip",)])
def test_html_output_is_refused_with_a_reason(capsys, sample_ledger, command):
    code, out, err = run(capsys, *command, sample_ledger, "--html")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert not list(sample_ledger.parent.glob("*.html"))


def test_print_pdf_with_serial_option(capsys, sample_ledger, tmp_path):
    code, out, _ = run(capsys, "print", "7", sample_ledger, "-o", tmp_path / "汇总表.pdf")
    assert code == 0 and printed_path(out) == tmp_path / "汇总表.pdf"
    assert "ABCD-****-****-1234" in PdfReader(tmp_path / "汇总表.pdf").pages[0].extract_text().replace("\n", "").replace(" ", "")
    run(capsys, "print", "附件7", sample_ledger, "-o", tmp_path / "full", "--show-serials")
    assert "ABCD-EFGH-IJKL-1234" in PdfReader(tmp_path / "full.pdf").pages[0].extract_text().replace("\n", "").replace(" ", "")


def test_print_selected_items_into_a_folder(capsys, sample_ledger, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    code, out, _ = run(capsys, "print", "9", sample_ledger, "-o", folder, "--id", "SY-0001")
    path = printed_path(out)
    assert code == 0 and path == folder / "ledger_附件9_SY-0001.pdf"
    assert len(PdfReader(path).pages) == 1


def test_print_annex5_for_a_year(capsys, sample_ledger, tmp_path):
    code, out, _ = run(capsys, "print", "附件5", sample_ledger, "--year", "2025", "-o", tmp_path / "a5.pdf")
    assert code == 0 and "（2025年度）" in PdfReader(printed_path(out)).pages[0].extract_text()


def test_print_unsigned_pledges(capsys, sample_ledger):
    code, out, _ = run(capsys, "print", "2", sample_ledger, "--unsigned")
    assert code == 0 and len(PdfReader(printed_path(out)).pages) == 2


@pytest.mark.parametrize(("args", "expected"), [
    (("print", "12"), 2),                              # no such form
    (("print", "7", "--year", "2025"), 2),             # option of another form
    (("print", "2", "--show-serials"), 2),
    (("print", "8", "--in-use"), 2),
    (("print", "11", "--filled"), 2),
    (("print", "7", "-o", "汇总表.html"), 2),          # not a PDF file
    (("print", "9", "--id", "SY-9999"), 1),            # unknown number
    (("print", "1", "--id", "x"), 1),                  # summary form
])
def test_print_refusals(capsys, sample_ledger, args, expected):
    command, form, *rest = args
    code, _, _ = run(capsys, command, form, sample_ledger, *rest)
    assert code == expected


def test_print_missing_workbook(capsys, tmp_path):
    code, _, err = run(capsys, "print", "7", tmp_path / "none.xlsx")
    assert code == 2 and err.count("\n") == 1


def test_missing_output_folder_is_refused_before_printing(capsys, sample_ledger, tmp_path):
    code, _, err = run(capsys, "print", "11", sample_ledger, "-o", tmp_path / "无此文件夹" / "a.pdf")
    assert code == 2 and err.count("\n") == 1 and not (tmp_path / "无此文件夹").exists()


def test_slip_commands(capsys, sample_ledger):
    code, out, _ = run(capsys, "slip", sample_ledger, "--computer", "PC-002", "--date", "2026-11-20")
    path = printed_path(out)
    assert code == 0 and path.name == "ledger_附件11_QR-20261120-002.pdf"
    reader = PdfReader(path)
    assert len(reader.pages) == 1 and "QR-20261120-002" in reader.pages[0].extract_text()
    code, _, _ = run(capsys, "slip", sample_ledger, "--signed", "QR-20261120-002", "--date", "2026-11-28")
    register = load_ledger(sample_ledger).df("附件11").set_index("确认单号")
    assert code == 0 and register.loc["QR-20261120-002", "已签字"] == "是"


@pytest.mark.parametrize("args", [(), ("--computer", "PC-002", "--signed", "QR-1"), ("--computer", "PC-002",
                                                                                     "--date", "yesterday")])
def test_slip_usage_errors(capsys, sample_ledger, args):
    code, _, _ = run(capsys, "slip", sample_ledger, *args)
    assert code == 2


@pytest.mark.parametrize("command", ["print", "slip"])
def test_commands_have_help(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and "--output" in out
