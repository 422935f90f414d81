"""The 检查通报 of a scan (日常使用管理规定 四.1): the workbook and the printable PDF carry the §9a findings,
by department; the grouping the text report and the page share."""
from __future__ import annotations

import shutil
import subprocess

import pytest
from builders import make_ledger
from test_scan_library import DAY, SCANS, office_unit

from workbook_tools.read.reader import load_ledger
from workbook_tools.scan import reconcile
from workbook_tools.scan.grouping import group
from workbook_tools.scan.report import SUMMARY_HEADERS, report_workbook
from workbook_tools.tasks.scanning import read_scans


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    path = make_ledger(tmp_path_factory.mktemp("report"), **office_unit())
    return reconcile(load_ledger(path), read_scans([SCANS]), DAY)


def test_grouping_puts_errors_first_and_one_group_per_computer(office):
    result, ctx = office
    grouped = group(result, ctx.who)
    severities = [k.severity for k in grouped.kinds]
    assert severities == sorted(severities, key=lambda s: s != "error")
    assert grouped.kinds[0].code == "SCAN-PIRACY"
    for kind in grouped.kinds:
        computers = [c.computer for c in kind.computers]
        assert len(computers) == len(set(computers))
        assert kind.count == sum(len(c.issues) for c in kind.computers)
    data = grouped.as_json()
    assert data["kinds"][0]["computers"][0]["computer"] == "PC-105" and data["not_scanned"]["count"] == 0


def test_workbook_counts_the_new_kinds_by_department(office):
    result, ctx = office
    ws = report_workbook(result, ctx)["检查通报"]
    head = [c.value for c in ws[2]]
    assert head == list(SUMMARY_HEADERS)
    rows = {r[0]: dict(zip(head, r)) for r in ws.iter_rows(min_row=3, values_only=True)}
    assert rows["规划审批处"]["盗版迹象"] == 3 and rows["政策法规处"]["个人版"] == 2
    assert rows["办公室"]["未列入附件6"] == 1 and rows["办公室"]["与工作无关"] == 3 and rows["办公室"]["激活版本不符"] == 1
    assert rows["合计"]["私自安装"] == 1


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_printable_report(tmp_path, office, capsys):
    from workbook_tools.faces.cli import main

    path = make_ledger(tmp_path, **office_unit())
    out = tmp_path / "检查通报.pdf"
    with pytest.raises(SystemExit) as exc:
        main(["scan", str(path), str(SCANS), "--today", DAY.isoformat(), "--report", str(out)])
    assert exc.value.code == 1 and out.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    for code in ("SCAN-PIRACY", "SCAN-PERSONAL-EDITION", "SCAN-FREE-NOT-LISTED", "SCAN-IRRELEVANT", "SCAN-EDITION"):
        assert code in text
    assert text.index("SCAN-PIRACY") < text.index("SCAN-IRRELEVANT")       # errors before warnings
    for dept in ("办公室", "规划审批处", "政策法规处"):
        assert dept in text
    with pytest.raises(SystemExit) as exc:       # never over an existing file without --force
        main(["scan", str(path), str(SCANS), "--today", DAY.isoformat(), "--report", str(out)])
    assert exc.value.code == 2 and "--force" in capsys.readouterr().err


def test_report_refuses_other_suffixes(tmp_path, capsys):
    from workbook_tools.faces.cli import main

    path = make_ledger(tmp_path, **office_unit())
    with pytest.raises(SystemExit) as exc:
        main(["scan", str(path), str(SCANS), "--report", str(tmp_path / "r.docx")])
    assert exc.value.code not in (0, None) and ".pdf" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_printable_report_shows_hostile_text_as_written(tmp_path):
    """Names typed by people and read from scans are only ever text in the PDF, never Typst markup."""
    from workbook_tools.tasks.scanreport import report_pdf

    unit = office_unit()
    unit["计算机"][4]["使用人"] = '#panic("x") *粗体*'
    result, ctx = reconcile(load_ledger(make_ledger(tmp_path, **unit)), read_scans([SCANS]), DAY)
    out = tmp_path / "r.pdf"
    out.write_bytes(report_pdf(result, ctx))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert '#panic("x")' in text and "*粗体*" in text
