"""The wired ribbon buttons, driven through the dispatcher on an in-memory Excel stand-in.

Each button must give what its `ledger` command gives on the same data, within a
bounded number of calls into Excel.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from test_excel import FakeApp, FakeBook, FakeSheet, FakeSheets
from test_rollup_cli import ledger as run_cli

from workbook_tools.core import schema
from workbook_tools.dist.excel import addin
from workbook_tools.faces import excel
from workbook_tools.faces.excel import marks, onfile, printing
from workbook_tools.faces.excel.actions import ACTIONS
from workbook_tools.read.reader import file_sha256, load_ledger
from workbook_tools.rules import run_check

FILE_ACTIONS = ("number", "fix_blanks", "rollup", "stats", "plan", "overview")


class LiveRange:
    def __init__(self, sheet: LiveSheet, address: str):
        self.sheet, self.address = sheet, address

    @property
    def color(self):
        raise AssertionError("colours are written, never read")

    @color.setter
    def color(self, value) -> None:
        self.sheet.book.paints.append((self.sheet.name, self.address, value))


class LiveSheet(FakeSheet):
    def range(self, cell, cell2=None):
        return LiveRange(self, cell) if isinstance(cell, str) else super().range(cell, cell2)

    def clear_contents(self) -> None:
        self.book.clears.append(self.name)
        self.cells.clear()


class LiveSheets(FakeSheets):
    active: LiveSheet

    def add(self, name: str, after=None) -> LiveSheet:
        sheet = LiveSheet(after.book, name, {})
        self._sheets.insert(self._sheets.index(after) + 1, sheet)
        return sheet


class Selection:
    def __init__(self, sheet: LiveSheet, address: str):
        self.sheet, self.address = sheet, address


class LiveBooks:
    def __init__(self, app: LiveApp):
        self.app, self.opened = app, []

    def open(self, path: str) -> LiveBook:
        book = LiveBook.from_file(Path(path))
        book.app = self.app
        self.opened.append(book)
        return book


class LiveApp(FakeApp):
    def __init__(self, answer: str = "ok"):
        super().__init__()
        self.answer, self.books = answer, LiveBooks(self)

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        super().alert(prompt, title, buttons, mode, callback)
        return self.answer if buttons == "ok_cancel" else "ok"


class LiveBook(FakeBook):
    def __init__(self, blocks, name: str = "台账.xlsx"):
        super().__init__(blocks, name)
        self.app, self.paints, self.clears, self.events = LiveApp(), [], [], []
        self.sheets = LiveSheets([LiveSheet(self, s.name, s.cells) for s in self.sheets])
        self.sheets.active = next(iter(self.sheets))
        self.selection = None

    @classmethod
    def from_file(cls, path: Path) -> LiveBook:
        book = super().from_file(path)
        book.name, book.fullname = path.name, str(path)
        return book

    def save(self) -> None:
        self.events.append("save")
        self.saved_calculation = self.app.calculation  # Excel writes this mode into the file

    def close(self) -> None:
        self.events.append("close")


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """The small unit of tests/test_rollup.py with its year of installations and removals."""
    from test_rollup import HISTORY, TODAY, base_ledger

    from workbook_tools.tasks.operations import apply_operation

    path = base_ledger(tmp_path_factory.mktemp("history"))
    for planner, request in HISTORY:
        apply_operation(path, planner, request, TODAY)
    return path


@pytest.fixture
def copy(history: Path, tmp_path: Path):
    def make(name: str) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        target = folder / "台账.xlsx"
        shutil.copy(history, target)
        return target
    return make


def results_of(book: LiveBook) -> list[list[object]]:
    from test_excel import FakeRange

    sheet = book.sheets[schema.RESULTS]
    used = sheet.used_range
    return FakeRange(sheet, used.row, used.column, used.height, used.width).value


# --- the ribbon and the built add-in -----------------------------------------------------

def test_the_built_addin_has_one_button_per_action(tmp_path: Path) -> None:
    built = addin.build_addin(tmp_path / "ledger.xlam").path
    with zipfile.ZipFile(built) as z:
        root = SafeET.fromstring(z.read(addin.RIBBON_PART))
    buttons = root.findall(f".//{{{addin.CUSTOMUI_NS}}}button")
    assert [b.get("tag") for b in buttons] == list(ACTIONS)
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    assert {b.get("onAction") for b in buttons} == {"LedgerRibbon.OnLedgerButton"}


def test_address_chunks_stay_within_excel_limit() -> None:
    cells = [f"AB{n}" for n in range(1, 400)]
    unions = list(marks.chunks(cells))
    assert all(len(u) <= marks.ADDRESS_LIMIT for u in unions)
    assert [c for u in unions for c in u.split(",")] == cells


# --- 校验并标记 ---------------------------------------------------------------------------------

def test_validate_gives_the_findings_of_run_check_in_bounded_calls(copy) -> None:
    path = copy("live")
    expected = run_check(load_ledger(path), dt.date.today()).findings
    assert expected  # the history has open points (e.g. unsigned slips)
    book = LiveBook.from_file(path)
    outcome = excel.dispatch("validate", book=book)
    assert outcome.ok
    rows = results_of(book)
    assert tuple(rows[0]) == marks.LIVE_HEADERS
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [(f.rule, f.sheet, f.cell) for f in expected]
    assert [int(re.sub(r"\D", "", r[3])) if r[3] else None for r in rows[1:]] == [
        f.row if f.cell else None for f in expected]
    flagged = {(f.sheet, f.cell) for f in expected if f.cell and f.sheet}
    painted = {(s, c) for s, union, _ in book.paints for c in union.split(",")}
    assert painted == flagged
    sheets = len(book.sheets)
    assert len(book.reads) <= sheets and len(book.writes) <= sheets
    assert len(book.paints) <= 2 * sheets  # one union per sheet and severity for this small ledger
    assert book.events == []               # nothing saved or closed


def test_validate_again_clears_the_previous_marks_first(copy) -> None:
    book = LiveBook.from_file(copy("again"))
    excel.dispatch("validate", book=book)
    first = {(s, c) for s, union, _ in book.paints for c in union.split(",")}
    book.paints.clear()
    excel.dispatch("validate", book=book)
    cleared = {(s, c) for s, union, color in book.paints if color is None for c in union.split(",")}
    assert cleared == first
    assert book.clears == [schema.RESULTS] * 2  # rewritten in place, never added twice
    assert [n for n in (s.name for s in book.sheets) if n == schema.RESULTS] == [schema.RESULTS]


# --- buttons that run on the saved file ---------------------------------------------------

def test_rollup_button_gives_the_file_of_ledger_rollup(copy) -> None:
    from test_rollup import a8_rows

    by_cli, by_button = copy("cli"), copy("button")
    assert run_cli("rollup", by_cli, "--date", dt.date.today().isoformat()) == 0
    book = LiveBook.from_file(by_button)
    outcome = excel.dispatch("rollup", book=book)
    assert outcome.ok, outcome.message
    assert a8_rows(by_button) == a8_rows(by_cli)
    assert load_ledger(by_button).df(schema.A7)["安装数量"].tolist() == load_ledger(by_cli).df(schema.A7)["安装数量"].tolist()
    assert book.events == ["save", "close"]
    assert [b.fullname for b in book.app.books.opened] == [str(by_button)]
    assert book.reads == [] and book.writes == []


@pytest.mark.parametrize("tag", FILE_ACTIONS)
def test_file_button_saves_closes_runs_and_reopens(tag: str, copy) -> None:
    path = copy(tag)
    book = LiveBook.from_file(path)
    outcome = excel.dispatch(tag, book=book)
    assert outcome.ok, outcome.message
    assert book.events == ["save", "close"] and len(book.app.books.opened) == 1
    assert book.reads == [] and book.writes == []
    assert book.app.alerts[-1]["mode"] == "info"


@pytest.mark.parametrize("mode", ["automatic", "semiautomatic", "manual"])
def test_file_button_saves_with_the_users_calculation_mode(mode: str, copy) -> None:
    book = LiveBook.from_file(copy(f"calc-{mode}"))
    book.app.calculation = mode
    assert excel.dispatch("overview", book=book).ok
    assert book.saved_calculation == mode        # what Excel writes into the file as calcMode
    assert book.app.calculation == mode          # and what the user has afterwards
    assert {s["calculation"] for s in book.app.seen} == {"manual"}  # the work itself ran in manual mode


def test_cancelled_file_button_leaves_the_workbook_open_and_unchanged(copy) -> None:
    path = copy("cancel")
    before = file_sha256(path)
    book = LiveBook.from_file(path)
    book.app.answer = "cancel"
    assert excel.dispatch("rollup", book=book).ok
    assert book.events == [] and file_sha256(path) == before


def test_file_button_refuses_a_workbook_never_saved(copy) -> None:
    book = LiveBook.from_file(copy("unsaved"))
    book.fullname = "工作簿1"
    outcome = excel.dispatch("overview", book=book)
    assert not outcome.ok and book.events == []


def test_a_refused_rollup_still_reopens_the_workbook(copy, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_tools.ops.rollup import RollupRefused

    def refuse(*args, **kwargs):
        raise RollupRefused("附件9 有错误，未更新", [])
    monkeypatch.setattr("workbook_tools.tasks.sheets.apply_rollup", refuse)
    book = LiveBook.from_file(copy("refused"))
    outcome = excel.dispatch("rollup", book=book)
    assert not outcome.ok
    assert book.events == ["save", "close"] and len(book.app.books.opened) == 1


def test_scan_without_the_scan_folder_is_refused_before_closing(copy) -> None:
    book = LiveBook.from_file(copy("scan"))
    outcome = excel.dispatch("scan", book=book)
    assert not outcome.ok and book.events == [] and len(book.app.alerts) == 1


# --- printing ------------------------------------------------------------------------------

@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    shown: list[Path] = []
    monkeypatch.setattr(printing, "open_file", shown.append)
    return shown


def test_print_slip_prints_the_slips_of_the_selected_rows(copy, opened: list[Path]) -> None:
    path = copy("slip")
    a9 = load_ledger(path).df(schema.A9)
    numbered = a9[a9["确认单号"].notna()]
    row = int(numbered["_row"].iloc[0])
    book = LiveBook.from_file(path)
    book.selection = Selection(book.sheets[schema.A9], f"$B${row}:$D${row}")
    outcome = excel.dispatch("print_slip", book=book)
    assert outcome.ok, outcome.message
    number = str(numbered["确认单号"].iloc[0]).strip()
    assert opened and opened[0].parent == path.parent and number in opened[0].name
    assert opened[0].is_file()
    assert book.writes == [] and len(book.reads) <= len(book.sheets)


def test_print_slip_outside_a9_is_refused(copy, opened: list[Path]) -> None:
    book = LiveBook.from_file(copy("slip_a7"))
    book.selection = Selection(book.sheets[schema.A7], "$A$3")
    assert not excel.dispatch("print_slip", book=book).ok and opened == []


def test_print_form_prints_the_annex_of_the_active_sheet(copy, opened: list[Path]) -> None:
    path = copy("form")
    book = LiveBook.from_file(path)
    book.sheets.active = book.sheets[schema.A8]
    outcome = excel.dispatch("print_form", book=book)
    assert outcome.ok, outcome.message
    assert opened and opened[0].parent == path.parent and "附件8" in opened[0].name
    assert opened[0].suffix == ".pdf" and opened[0].read_bytes().startswith(b"%PDF")   # always a PDF, never HTML
    assert "PDF" in outcome.message and "HTML" not in outcome.message


def test_onfile_actions_are_the_registered_ones() -> None:
    assert all(ACTIONS[t].run is getattr(onfile, t) for t in FILE_ACTIONS)
