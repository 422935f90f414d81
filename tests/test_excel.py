"""The Excel layer without Excel: live reading/writing and the ribbon dispatcher, driven
through a small in-memory book that implements only the xlwings calls the layer uses
and counts the value reads and writes that would cross COM."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from builders import make_ledger

import workbook_tools.excel as excel
from workbook_tools import schema
from workbook_tools.excel import live
from workbook_tools.excel.actions import ACTIONS, Action, Context, Group, Outcome
from workbook_tools.io.reader import load_ledger, read_raw
from workbook_tools.model import LedgerError


# --- the fake ----------------------------------------------------------------------------

class FakeRange:
    def __init__(self, sheet: FakeSheet, row: int, column: int, height: int = 1, width: int = 1):
        self.sheet, self.row, self.column, self.height, self.width = sheet, row, column, height, width

    def options(self, **kwargs):
        assert kwargs == {"ndim": 2}
        return self

    @property
    def value(self):
        self.sheet.book.reads.append(self.sheet.name)
        return [[self.sheet.cells.get((self.row + i, self.column + j)) for j in range(self.width)]
                for i in range(self.height)]

    @value.setter
    def value(self, block):
        self.sheet.book.writes.append((self.sheet.name, self.row, self.column, block))
        for i, row in enumerate(block):
            for j, v in enumerate(row):
                self.sheet.cells[(self.row + i, self.column + j)] = v


class FakeSheet:
    def __init__(self, book: FakeBook, name: str, cells: dict[tuple[int, int], object]):
        self.book, self.name, self.cells = book, name, cells

    @property
    def used_range(self) -> FakeRange:
        filled = [k for k, v in self.cells.items() if v is not None]
        if not filled:
            return FakeRange(self, 1, 1)
        top, left = min(r for r, _ in filled), min(c for _, c in filled)
        bottom, right = max(r for r, _ in filled), max(c for _, c in filled)
        return FakeRange(self, top, left, bottom - top + 1, right - left + 1)

    def range(self, cell: tuple[int, int]) -> FakeRange:
        return FakeRange(self, *cell)


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


def test_is_ledger() -> None:
    assert not live.is_ledger(plain_book())


# --- block writing -----------------------------------------------------------------------

def test_changed_box() -> None:
    old = [["a", 1.0, None], ["b", 2.0, None]]
    assert live.changed_box(old, [["a", 1, float("nan")], ["b", 2.0, pd.NaT]]) is None
    assert live.changed_box(old, [["a", 1.0, None], ["b", 3.0, None]]) == (1, 1, 1, 1)
    assert live.changed_box(old, [["a", 1.0, None], ["b", 2.0, None], [None, None, "c"]]) == (2, 2, 2, 2)
    assert live.changed_box(old, [["x", 1.0, None], ["b", 2.0, "y"]]) == (0, 1, 0, 2)


def test_write_block_writes_only_the_changed_box_in_one_call(book: FakeBook) -> None:
    sheet = book.sheets[schema.A7]
    rows, first_row, first_col = live.read_sheet(sheet)
    new = [list(r) for r in rows]
    new[1][3] = "2021"                       # first data row, 软件版本
    new[2][4] = "商业软件"                    # second data row, 软件类型
    new.append([None] * len(rows[0]))
    new[-1][2] = pd.Timestamp("2024-05-06")  # an appended row, 软件名称
    assert live.write_block(sheet, first_row, first_col, rows, new) == 1
    (name, row, col, block), = book.writes
    assert (name, row, col) == (schema.A7, first_row + 1, first_col + 2 + 1)  # xlwings columns are 1-based
    assert block == [[live.to_cell(new[i][j]) for j in (2, 3, 4)] for i in (1, 2, 3)]
    assert live.read_sheet(sheet)[0][1][3] == "2021"
    assert live.read_sheet(sheet)[0][3][2] == dt.datetime(2024, 5, 6)
    assert live.write_block(sheet, first_row, first_col, new, new) == 0
    assert len(book.writes) == 1


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
    assert book.reads.count(schema.A7) == 2  # once for the ledger, once for the block to edit
    assert len(book.writes) == 1
    assert len(book.reads) <= len(book.sheets) + 1


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
