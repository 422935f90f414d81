"""The Excel layer without Excel: live reading/writing and the ribbon dispatcher, driven
through a small in-memory book that implements only the xlwings calls the layer uses
and counts the value reads and writes that would cross COM."""
from __future__ import annotations

import datetime as dt
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from builders import make_ledger

import workbook_tools.faces.excel as excel
from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.faces.excel import live
from workbook_tools.faces.excel.actions import ACTIONS, Action, Context, Group, Outcome
from workbook_tools.read.reader import load_ledger, read_raw

# --- the fake ----------------------------------------------------------------------------

class FakeFormula(str):
    """A formula cell of the fake (its text); reading its value gives the text, as a stand-in result."""


TEXT_FORMAT = "@"
NUMBER_TEXT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
DATE_TEXT = re.compile(r"^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?$")


def excel_parse(value: object, number_format: str | None, keeps_prefix: bool) -> object:
    """What Excel stores when a string is written through Range.Value (a few of its conversions)."""
    if not isinstance(value, str) or not value:
        return value
    if number_format == TEXT_FORMAT:
        return value if keeps_prefix or not value.startswith("'") else value[1:]
    if value.startswith("'"):
        return value[1:]
    if value.startswith("="):
        return FakeFormula(value)
    if NUMBER_TEXT.match(value):
        return float(value)
    date = DATE_TEXT.match(value)
    if date:
        return dt.datetime(int(date[1]), int(date[2]), int(date[3] or 1))
    return value


class FakeRange:
    def __init__(self, sheet: FakeSheet, row: int, column: int, height: int = 1, width: int = 1):
        self.sheet, self.row, self.column, self.height, self.width = sheet, row, column, height, width

    def options(self, **kwargs):
        assert kwargs == {"ndim": 2}
        return self

    def _cells(self):
        return [[(self.row + i, self.column + j) for j in range(self.width)] for i in range(self.height)]

    @property
    def value(self):
        self.sheet.book.reads.append(self.sheet.name)
        self.sheet.book.cells_read += self.height * self.width
        return [[self.sheet.cells.get(k) for k in r] for r in self._cells()]

    @value.setter
    def value(self, block):
        book = self.sheet.book
        book.writes.append((self.sheet.name, self.row, self.column, block))
        for i, row in enumerate(block):
            for j, v in enumerate(row):
                key = (self.row + i, self.column + j)
                if book.excel_parses:
                    v = excel_parse(v, self.sheet.formats.get(key[1]), book.text_keeps_prefix)
                self.sheet.cells[key] = v

    @property
    def formula(self):
        self.sheet.book.formula_reads.append(self.sheet.name)
        rows = [[self.sheet.cells.get(k) for k in r] for r in self._cells()]
        return tuple(tuple("" if v is None else str(v) for v in r) for r in rows)


class FakeCell:
    def __init__(self, row: int, column: int):
        self.Row, self.Column = row, column


class FakeCells:
    """The COM `Cells` of a sheet: only the backward `Find("*")` the live reader uses."""

    def __init__(self, sheet: FakeSheet):
        self.sheet = sheet

    def Find(self, What, LookIn, LookAt, SearchOrder, SearchDirection, MatchCase):  # noqa: N802, N803
        assert (What, LookIn, SearchDirection) == ("*", live.XL_FORMULAS, live.XL_PREVIOUS)
        self.sheet.book.finds += 1
        filled = [k for k, v in self.sheet.cells.items() if v not in (None, "")]
        if not filled:
            return None
        row, col = max(filled) if SearchOrder == live.XL_BY_ROWS else max(filled, key=lambda k: (k[1], k[0]))
        return FakeCell(row, col)


class FakeApi:
    def __init__(self, sheet: FakeSheet):
        self.Cells = FakeCells(sheet)


class FakeSheet:
    def __init__(self, book: FakeBook, name: str, cells: dict[tuple[int, int], object]):
        self.book, self.name, self.cells = book, name, cells
        self.formats: dict[int, str] = {}               # column -> number format
        self.formatted_to: tuple[int, int] | None = None  # a formatted, empty cell that widens the used range
        self.api = FakeApi(self)

    @property
    def used_range(self) -> FakeRange:
        filled = [k for k, v in self.cells.items() if v is not None]
        if self.formatted_to:
            filled.append(self.formatted_to)
        if not filled:
            return FakeRange(self, 1, 1)
        top, left = min(r for r, _ in filled), min(c for _, c in filled)
        bottom, right = max(r for r, _ in filled), max(c for _, c in filled)
        return FakeRange(self, top, left, bottom - top + 1, right - left + 1)

    def range(self, cell1: tuple[int, int], cell2: tuple[int, int] | None = None) -> FakeRange:
        (r1, c1), (r2, c2) = cell1, cell2 or cell1
        return FakeRange(self, r1, c1, r2 - r1 + 1, c2 - c1 + 1)


class FakeSheets:
    def __init__(self, sheets: list[FakeSheet]):
        self._sheets = sheets

    def __iter__(self):
        return iter(self._sheets)

    def __len__(self) -> int:
        return len(self._sheets)

    def __getitem__(self, name: str) -> FakeSheet:
        return next(s for s in self._sheets if s.name == name)


class FakeApp:
    def __init__(self):
        self.state = {"screen_updating": True, "calculation": "automatic", "enable_events": True}
        self.seen: list[dict] = []
        self.alerts: list[dict] = []

    @property
    def calculation(self) -> str:
        return self.state["calculation"]

    @calculation.setter
    def calculation(self, value: str) -> None:
        self.state["calculation"] = value

    @contextmanager
    def properties(self, **kwargs):
        before = dict(self.state)
        self.state.update(kwargs)
        self.seen.append(dict(self.state))
        try:
            yield self
        finally:
            self.state = before

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append({"prompt": prompt, "title": title, "mode": mode, "state": dict(self.state)})
        return "ok"


class FakeBook:
    def __init__(self, blocks: dict[str, tuple[list[list[object]], int, int]], name: str = "台账.xlsx"):
        self.name, self.fullname, self.app = name, f"C:\\台账\\{name}", FakeApp()
        self.reads: list[str] = []
        self.writes: list[tuple] = []
        self.formula_reads: list[str] = []
        self.cells_read = self.finds = 0
        self.excel_parses, self.text_keeps_prefix = True, True  # Excel's conversions of written strings
        sheets = []
        for sheet_name, (rows, first_row, first_col) in blocks.items():
            cells = {(first_row + i, first_col + 1 + j): v
                     for i, row in enumerate(rows) for j, v in enumerate(row) if v not in (None, "")}
            sheets.append(FakeSheet(self, sheet_name, cells))
        self.sheets = FakeSheets(sheets)

    @classmethod
    def from_file(cls, path: Path) -> FakeBook:
        raw, names = read_raw(path)
        return cls({n: raw[n] for n in names})


@pytest.fixture()
def ledger_file(tmp_path: Path) -> Path:
    return make_ledger(tmp_path, **{
        "附件7": [{"软件编号": "SY-0001", "软件名称": "WPS Office", "软件版本": "2019", "软件类型": "商业软件",
                  "采购时间": dt.date(2024, 3, 5), "采购金额": 1200, "许可类型": "单机", "许可数量": 10},
                 {"软件编号": "MF-0001", "软件名称": "7-Zip", "软件类型": "免费软件"}],
        "计算机": [{"计算机编号": "PC-001", "计算机品牌": "联想", "设备类型": "台式机"}],
    })


@pytest.fixture()
def book(ledger_file: Path) -> FakeBook:
    return FakeBook.from_file(ledger_file)


def plain_book() -> FakeBook:
    return FakeBook({"Sheet1": ([["a", 1]], 1, 0)}, name="工作簿1.xlsx")


# --- live reading ------------------------------------------------------------------------

def test_live_read_equals_file_read(ledger_file: Path, book: FakeBook) -> None:
    from_excel, from_file = live.read_ledger(book), load_ledger(ledger_file)
    for name, table in from_file.tables.items():
        live_table = from_excel.tables[name]
        assert live_table.present == table.present
        assert live_table.columns == table.columns
        pd.testing.assert_frame_equal(live_table.df, table.df, check_dtype=False)
    assert from_excel.settings == from_file.settings
    assert from_excel.sheet_names == from_file.sheet_names


def test_live_read_is_one_call_per_data_sheet(book: FakeBook) -> None:
    live.read_ledger(book)
    data_sheets = {s.name for s in schema.data_sheets()} & set(live.sheet_names(book))
    assert sorted(book.reads) == sorted(data_sheets)
    assert book.writes == []


def test_live_read_names_cells_of_an_offset_block() -> None:
    headers = list(schema.BY_NAME[schema.A7].headers)
    a7 = [["软件使用情况汇总表"] + [None] * (len(headers) - 1), headers,
          ["1", "SY-0001", "WPS", "2019", "商业软件", "明年春天"] + [None] * (len(headers) - 6)]
    blocks = {name: ([list(spec.headers)], 1, 0) for name, spec in schema.BY_NAME.items()
              if spec.columns and name != schema.A7}
    blocks[schema.A7] = (a7, 3, 1)  # title in B3, header in row 4, data in row 5, from column B
    ledger = live.read_ledger(FakeBook(blocks))
    assert [(f.rule, f.row, f.cell) for f in ledger.findings] == [("TYPE-DATE", 5, "G5")]
    assert ledger[schema.A7].df["_row"].tolist() == [5]


def test_live_read_stops_at_the_last_filled_cell_not_the_formatted_end_of_the_sheet(book: FakeBook) -> None:
    sheet = book.sheets[schema.A7]
    rows, first_row, first_col = live.read_sheet(sheet)
    filled = book.cells_read
    sheet.formatted_to = (1_048_576, 200)   # one formatted cell near the end: Excel's used range grows
    book.cells_read = book.finds = 0
    assert live.read_sheet(sheet) == (rows, first_row, first_col)
    assert book.cells_read == filled and book.finds == 2


def test_live_read_of_an_empty_sheet_reads_no_values(book: FakeBook) -> None:
    sheet = book.sheets[schema.A7]
    sheet.cells.clear()
    sheet.formatted_to = (500, 30)
    assert live.read_sheet(sheet)[0] == [] and book.cells_read == 0


def test_is_ledger() -> None:
    assert not live.is_ledger(plain_book())


# --- block writing -----------------------------------------------------------------------

def test_changed_box() -> None:
    old = [["a", 1.0, None], ["b", 2.0, None]]
    assert live.changed_box(old, [["a", 1, float("nan")], ["b", 2.0, pd.NaT]]) is None
    assert live.changed_box(old, [["a", 1.0, None], ["b", 3.0, None]]) == (1, 1, 1, 1)
    assert live.changed_box(old, [["a", 1.0, None], ["b", 2.0, None], [None, None, "c"]]) == (2, 2, 2, 2)
    assert live.changed_box(old, [["x", 1.0, None], ["b", 2.0, "y"]]) == (0, 1, 0, 2)


def test_write_block_writes_only_the_changed_box_in_bounded_calls(book: FakeBook) -> None:
    sheet = book.sheets[schema.A7]
    rows, first_row, first_col = live.read_sheet(sheet)
    new = [list(r) for r in rows]
    new[1][3] = "2021"                       # first data row, 软件版本
    new[2][4] = "商业软件"                    # second data row, 软件类型
    new.append([None] * len(rows[0]))
    new[-1][2] = pd.Timestamp("2024-05-06")  # an appended row, 软件名称
    assert live.write_block(sheet, first_row, first_col, rows, new) == 3  # formulas, values, read back
    (name, row, col, block), = book.writes
    assert (name, row, col) == (schema.A7, first_row + 1, first_col + 2 + 1)  # xlwings columns are 1-based
    assert block == [[live.as_typed(live.to_cell(new[i][j])) for j in (2, 3, 4)] for i in (1, 2, 3)]
    assert live.read_sheet(sheet)[0][1][3] == "2021"
    assert live.read_sheet(sheet)[0][3][2] == dt.datetime(2024, 5, 6)
    assert live.write_block(sheet, first_row, first_col, new, new) == 0
    assert len(book.writes) == 1


TEXTS = ["001", "1.10", "2024-01", "=1+1", "'quoted", "SY-0001"]


@pytest.mark.parametrize("text_keeps_prefix", [True, False])
@pytest.mark.parametrize("text_format", [None, "@"])
def test_written_strings_stay_strings_whatever_the_cell_format(
        book: FakeBook, text_format: str | None, text_keeps_prefix: bool) -> None:
    sheet = book.sheets[schema.A7]
    rows, first_row, first_col = live.read_sheet(sheet)
    if text_format:
        sheet.formats.update({c: text_format for c in range(1, 30)})
    book.text_keeps_prefix = text_keeps_prefix
    new = [list(r) for r in rows] + [[None] * len(rows[0]) for _ in TEXTS]
    for i, text in enumerate(TEXTS):
        new[len(rows) + i][2] = text
    new[len(rows)][5] = pd.Timestamp("2024-05-06")
    calls = live.write_block(sheet, first_row, first_col, rows, new)
    back = live.read_sheet(sheet)[0]
    assert [r[2] for r in back[len(rows):]] == TEXTS
    assert all(not isinstance(r[2], FakeFormula) for r in back[len(rows):])
    assert back[len(rows)][5] == dt.datetime(2024, 5, 6)
    assert calls == (4 if text_format and text_keeps_prefix else 3)


def test_write_block_never_overwrites_a_formula(book: FakeBook) -> None:
    sheet = book.sheets[schema.A7]
    rows, first_row, first_col = live.read_sheet(sheet)
    sheet.cells[(first_row + 1, first_col + 1 + 7)] = FakeFormula("=G2*2")   # 采购金额 of the first data row
    rows, first_row, first_col = live.read_sheet(sheet)
    new = [list(r) for r in rows]
    new[1][3], new[2][9] = "2021", "单机"    # a box around the formula cell
    with pytest.raises(LedgerError) as refused:
        live.write_block(sheet, first_row, first_col, rows, new)
    assert "H2" in refused.value.message and book.writes == []


def test_to_cell_turns_pandas_values_into_excel_values() -> None:
    assert live.to_cell(float("nan")) is None and live.to_cell(pd.NaT) is None and live.to_cell(pd.NA) is None
    assert live.to_cell(pd.Timestamp("2024-01-02")) == dt.datetime(2024, 1, 2)
    assert live.to_cell(dt.date(2024, 1, 2)) == dt.datetime(2024, 1, 2)
    assert live.to_cell("SY-0001") == "SY-0001" and live.to_cell(3.5) == 3.5


# --- the dispatcher ----------------------------------------------------------------------

@pytest.mark.parametrize("tag", sorted(ACTIONS))
def test_every_action_runs_on_a_ledger_within_one_read_and_write_per_sheet(tag: str, book: FakeBook) -> None:
    outcome = excel.dispatch(tag, book=book)
    sheets = len(book.sheets)
    assert len(book.reads) <= sheets
    assert len(book.writes) <= sheets
    assert len(set(book.reads)) == len(book.reads)  # no sheet read twice
    assert 1 <= len(book.app.alerts) <= 2  # a file-changing action first asks whether to save and go on
    assert book.app.alerts[-1]["mode"] == ("info" if outcome.ok else "critical")


def test_actions_run_with_fast_settings_and_alert_after_restoring(book: FakeBook) -> None:
    excel.dispatch("about", book=book)
    assert book.app.seen == [{"screen_updating": False, "calculation": "manual", "enable_events": False}]
    assert book.app.alerts[0]["state"] == {"screen_updating": True, "calculation": "automatic",
                                           "enable_events": True}


def test_help_reads_nothing(book: FakeBook) -> None:
    outcome = excel.dispatch("help", book=book)
    assert outcome.ok and book.reads == [] and book.writes == []
    assert all(a.label in outcome.message for a in ACTIONS.values())


def test_about_on_a_plain_workbook_reads_nothing() -> None:
    book = plain_book()
    assert excel.dispatch("about", book=book).ok
    assert book.reads == []


def test_unknown_tag_is_refused(book: FakeBook) -> None:
    outcome = excel.dispatch("no_such_button", book=book)
    assert not outcome.ok and book.app.alerts[0]["mode"] == "critical"
    assert book.app.seen == []


@pytest.fixture()
def extra_actions(monkeypatch: pytest.MonkeyPatch):
    """Register throw-away actions for one test, as a later engineer would register real ones."""
    def add(tag: str, run, needs_ledger: bool = True) -> None:
        action = Action(tag=tag, label=tag, group=Group.VALIDATE, image="Help", description=tag,
                        run=run, needs_ledger=needs_ledger)
        monkeypatch.setitem(ACTIONS, tag, action)
    return add


def test_ledger_action_is_refused_on_a_workbook_that_is_no_ledger(extra_actions) -> None:
    ran = []
    extra_actions("probe", lambda ctx: ran.append(1) or Outcome(message="ok"))
    book = plain_book()
    outcome = excel.dispatch("probe", book=book)
    assert not outcome.ok and ran == [] and book.reads == []


def test_failing_action_becomes_a_message_not_a_traceback(extra_actions, book: FakeBook) -> None:
    def boom(ctx: Context) -> Outcome:
        raise ZeroDivisionError("division by zero")
    extra_actions("boom", boom)
    outcome = excel.dispatch("boom", book=book)
    assert not outcome.ok and "ZeroDivisionError" in outcome.message and "Traceback" not in outcome.message
    assert book.app.alerts[0]["mode"] == "critical"
    assert book.app.state["screen_updating"] is True  # settings restored after the failure


def test_ledger_error_is_shown_as_is(extra_actions, book: FakeBook) -> None:
    def refuse(ctx: Context) -> Outcome:
        raise LedgerError("附件9 有错误，未更新", 1)
    extra_actions("refuse", refuse)
    assert excel.dispatch("refuse", book=book).message == "附件9 有错误，未更新"


def test_an_action_reads_once_and_writes_one_block(extra_actions, book: FakeBook) -> None:
    def renumber(ctx: Context) -> Outcome:
        ledger = ctx.ledger()
        ctx.ledger()  # cached: no second read
        table = ledger[schema.A7]
        sheet = ctx.book.sheets[schema.A7]
        rows, first_row, first_col = live.read_sheet(sheet)
        new = [list(r) for r in rows]
        col = table.columns["序号"] - first_col
        for row in table.df["_row"]:
            new[row - first_row][col] = str(row - table.header_row)
        live.write_block(sheet, first_row, first_col, rows, new)
        return Outcome(message="done")
    extra_actions("renumber", renumber)
    assert excel.dispatch("renumber", book=book).ok
    # once for the ledger, once for the block to edit, once to check the written block
    assert book.reads.count(schema.A7) == 3
    assert len(book.writes) == 1
    assert len(book.reads) <= len(book.sheets) + 2


@pytest.mark.parametrize(("argv", "cause", "shows"), [
    (["-c", "--wb=台账.xlsx", "--from_xl=1", "--hwnd=42"], KeyError("台账.xlsx"), "KeyError"),
    (["-c", "--wb=a=b.xlsx", "--from_xl=1", "--hwnd=42"], KeyError("a"), "「=」"),
    (["-c", "--wb=台账.xlsx", "--from_xl=1", "--hwnd=42"], OSError("找不到 Excel 窗口 42"), "找不到 Excel 窗口 42"),
])
def test_a_failing_book_caller_is_shown_with_its_cause(argv, cause, shows, monkeypatch, capsys) -> None:
    from workbook_tools.faces.excel import caller

    def failing() -> None:
        raise cause
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(caller, "calling_book", failing)
    with pytest.raises(SystemExit) as exc:
        excel.dispatch("help")
    err = capsys.readouterr().err
    assert exc.value.code == 1
    assert shows in err and caller.NOT_FROM_EXCEL not in err and "Traceback" not in err


def test_dispatch_outside_excel_exits_with_a_chinese_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        excel.dispatch("help")
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err


def test_without_a_dialog_a_failure_goes_to_stderr(capsys: pytest.CaptureFixture[str], book: FakeBook) -> None:
    def no_dialog(*args, **kwargs):
        raise RuntimeError("no dialog")
    book.app.alert = no_dialog
    with pytest.raises(SystemExit):
        excel.dispatch("no_such_button", book=book)
    assert "no_such_button" in capsys.readouterr().err


def test_check_reports_the_same_findings_as_the_command_line(tmp_path: Path) -> None:
    from workbook_tools.rules import run_check

    path = make_ledger(tmp_path, **{"附件7": [
        {"软件编号": "OEM-0001", "软件名称": "Windows 10", "软件版本": "家庭版", "软件类型": "OEM软件",
         "采购金额": 800, "获取方式": "随机预装"}]})
    book = FakeBook.from_file(path)
    outcome = excel.dispatch("check", book=book)
    expected = run_check(load_ledger(path), dt.date.today())
    assert not outcome.ok and book.app.alerts[0]["mode"] == "critical"
    assert "BLANK-OEM" in {f.rule for f in expected.findings}
    shown = expected.findings[: excel.actions.MAX_LINES - 2]
    assert all(f.rule in outcome.message for f in shown)
    assert book.writes == []
    assert len(book.reads) <= len(book.sheets)
