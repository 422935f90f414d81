"""The same layer against Microsoft Excel itself (Windows/macOS only; `pytest -m excel`)."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pandas as pd
import pytest
from builders import make_ledger

pytestmark = [
    pytest.mark.excel,
    pytest.mark.skipif(sys.platform not in ("win32", "darwin"), reason="needs Microsoft Excel"),
]


@pytest.fixture()
def excel_book(tmp_path: Path):
    import xlwings as xw

    path = make_ledger(tmp_path, **{
        "附件7": [{"软件编号": "SY-0001", "软件名称": "WPS Office", "软件版本": "2019", "软件类型": "商业软件",
                  "采购时间": dt.date(2024, 3, 5), "采购金额": 1200, "许可类型": "单机", "许可数量": 10}],
    })
    app = xw.App(visible=False, add_book=False)
    try:
        book = app.books.open(str(path))
        yield path, book
        book.close()
    finally:
        app.quit()


def test_live_read_in_excel_equals_file_read(excel_book) -> None:
    from workbook_tools.faces.excel import live
    from workbook_tools.read.reader import load_ledger

    path, book = excel_book
    from_excel, from_file = live.read_ledger(book), load_ledger(path)
    for name, table in from_file.tables.items():
        pd.testing.assert_frame_equal(from_excel.tables[name].df, table.df, check_dtype=False)


def test_block_written_in_excel_reads_back(excel_book) -> None:
    from workbook_tools.core import schema
    from workbook_tools.faces.excel import live

    _, book = excel_book
    sheet = book.sheets[schema.A7]
    rows, first_row, first_col = live.read_sheet(sheet)
    new = [list(r) for r in rows]
    new[1][3] = "2021"
    assert live.write_block(sheet, first_row, first_col, rows, new) == 1
    assert live.read_sheet(sheet)[0][1][3] == "2021"


def test_dispatch_through_the_mock_caller(excel_book, monkeypatch: pytest.MonkeyPatch) -> None:
    import xlwings as xw

    import workbook_tools.faces.excel as excel

    _, book = excel_book
    alerts: list[tuple] = []
    monkeypatch.setattr(xw.App, "alert", lambda self, prompt, **kw: alerts.append((prompt, kw)))
    book.set_mock_caller()
    assert excel.dispatch("about").ok
    assert alerts and alerts[0][1]["mode"] == "info"


def test_built_addin_opens_in_excel(tmp_path: Path) -> None:
    import xlwings as xw

    from workbook_tools.dist.excel.addin import build_addin

    built = build_addin(tmp_path / "ledger.xlam").path
    app = xw.App(visible=False, add_book=False)
    try:
        addin_book = app.books.open(str(built))
        assert addin_book.name == "ledger.xlam"
    finally:
        app.quit()
