"""`check --annotate`: results sheet, highlights and notes, replaced (not stacked) on every run."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from builders import clean_unit, make_ledger
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from workbook_tools.core import schema
from workbook_tools.core.model import Severity
from workbook_tools.faces.cli import main
from workbook_tools.ops.annotate import AUTHOR, HIGHLIGHT, ORIGINAL_FILL
from workbook_tools.read.reader import load_ledger
from workbook_tools.rules import run_check
from workbook_tools.tasks.sheets import write_annotations as annotate

TODAY = dt.date(2026, 3, 1)
USER_GREEN = "FF00B050"


def broken_unit() -> dict:
    unit = clean_unit()
    unit["附件7"][1]["采购金额"] = 100               # G3 BLANK-OEM
    unit["附件7"][0]["许可数量"] = 0                 # I2 LIC-OVERUSE
    unit["人员"][0]["承诺书签署日期"] = None         # E2 STAFF-NO-PLEDGE
    return unit


def check_and_annotate(path):
    ledger = load_ledger(path)
    result = run_check(ledger, TODAY)
    annotate(path, result, ledger=ledger)
    return result


def highlighted(wb) -> set[tuple[str, str]]:
    marks = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.fill.fill_type == "solid" and str(cell.fill.fgColor.rgb).upper() in HIGHLIGHT.values():
                    marks.add((ws.title, cell.coordinate))
    return marks


def our_notes(wb) -> set[tuple[str, str]]:
    return {(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.comment is not None and c.comment.author == AUTHOR}


@pytest.fixture
def path(tmp_path):
    return make_ledger(tmp_path, **broken_unit())


def test_results_sheet_fills_and_notes(path):
    result = check_and_annotate(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.RESULTS]
    headers = [c.value for c in ws[1]]
    assert headers[:5] == list(schema.BY_NAME[schema.RESULTS].headers) and ORIGINAL_FILL in headers
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2], r[3]) for r in rows] == [(f.rule, f.sheet, f.cell) for f in result.findings]
    link = ws.cell(2, 4).hyperlink
    assert link is not None and link.location.endswith(f"!{result.findings[0].cell}")
    a7 = schema.A7
    assert {(a7, "G3"), (a7, "I2"), (schema.STAFF, "E2")} <= highlighted(wb)
    assert (a7, "G3") in our_notes(wb)
    assert wb[a7]["G3"].fill.fgColor.rgb == HIGHLIGHT[Severity.ERROR]
    log = list(wb[schema.CHANGES].iter_rows(min_row=2, values_only=True))
    assert len(log) == 1 and log[0][1] == "校验标注"


def test_twice_leaves_one_set(path):
    check_and_annotate(path)
    first = openpyxl.load_workbook(path)
    marks, notes, n_rows = highlighted(first), our_notes(first), first[schema.RESULTS].max_row
    check_and_annotate(path)
    second = openpyxl.load_workbook(path)
    assert highlighted(second) == marks and our_notes(second) == notes
    assert second[schema.RESULTS].max_row == n_rows
    for sheet, cell in notes:
        assert second[sheet][cell].comment.text.count("[") == first[sheet][cell].comment.text.count("[")


def test_user_fill_and_comment_survive(tmp_path):
    unit = broken_unit()
    path = make_ledger(tmp_path, **unit)
    wb = openpyxl.load_workbook(path)
    a7 = wb[schema.A7]
    a7["I2"].fill = PatternFill("solid", fgColor=USER_GREEN)      # flagged cell, user's colour
    a7["C2"].fill = PatternFill("solid", fgColor=USER_GREEN)      # never flagged
    a7["G3"].comment = Comment("采购合同在档案室", "王会计")         # flagged cell, user's comment
    wb.save(path)
    check_and_annotate(path)
    wb = openpyxl.load_workbook(path)
    assert wb[schema.A7]["I2"].fill.fgColor.rgb in HIGHLIGHT.values()
    assert wb[schema.A7]["G3"].comment.author == "王会计"
    # fix the problems: the next run gives back what the user had
    wb[schema.A7]["I2"].value = 5
    wb[schema.A7]["G3"].value = None
    wb.save(path)
    check_and_annotate(path)
    wb = openpyxl.load_workbook(path)
    assert wb[schema.A7]["I2"].fill.fgColor.rgb == USER_GREEN
    assert wb[schema.A7]["C2"].fill.fgColor.rgb == USER_GREEN
    assert wb[schema.A7]["G3"].comment.text == "采购合同在档案室"
    assert (schema.A7, "G3") not in highlighted(wb)


def test_fixed_cells_lose_their_marks(tmp_path):
    path = make_ledger(tmp_path, **broken_unit())
    check_and_annotate(path)
    wb = openpyxl.load_workbook(path)
    wb[schema.STAFF]["E2"].value = dt.datetime(2024, 1, 1)
    wb.save(path)
    check_and_annotate(path)
    wb = openpyxl.load_workbook(path)
    assert (schema.STAFF, "E2") not in highlighted(wb) and (schema.STAFF, "E2") not in our_notes(wb)
    assert wb[schema.STAFF]["E2"].fill.fill_type is None


def test_check_still_reads_the_annotated_workbook(path):
    before = check_and_annotate(path)
    after = run_check(load_ledger(path), TODAY)
    assert [(f.rule, f.cell) for f in after.findings] == [(f.rule, f.cell) for f in before.findings]


def test_nothing_to_write_writes_nothing(tmp_path):
    path = make_ledger(tmp_path, **clean_unit())
    ledger = load_ledger(path)
    written = annotate(path, run_check(ledger, TODAY), ledger=ledger)
    assert not written.written and not (tmp_path / "备份").exists()


def test_cli_annotate(capsys, path):
    with pytest.raises(SystemExit) as exc:
        main(["check", str(path), "--today", "2026-03-01", "--annotate"])
    assert exc.value.code == 1
    wb = openpyxl.load_workbook(path)
    assert wb[schema.RESULTS].max_row > 1
    assert "校验结果" in capsys.readouterr().out


def test_edited_results_sheet_and_merged_cells_do_not_break_it(path):
    check_and_annotate(path)
    wb = openpyxl.load_workbook(path)
    results = wb[schema.RESULTS]
    results.cell(2, 4).value = "不是单元格"
    results.cell(3, 6).value = "{坏的"
    wb[schema.A7].merge_cells("F3:G3")   # G3 (a flagged cell) is now inside a merged range
    wb.save(path)
    check_and_annotate(path)
    assert openpyxl.load_workbook(path)[schema.RESULTS].max_row > 1
