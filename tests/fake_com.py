"""The real xlwings Windows engine (`xlwings._xlwindows`) driven against a fake Excel COM object model.

Run as a script in its own process (tests/test_excel_com.py): it makes `sys.platform`
"win32", puts stand-ins for pywin32's modules (pywintypes, win32api, pythoncom,
win32com.client, …) and for `ctypes.windll`/`oledll` in place, imports xlwings (which then
loads its Windows engine), and calls `workbook_tools.faces.excel.dispatch(tag)` with the
command-line arguments the add-in's VBA passes (`--wb=… --from_xl=1 --hwnd=…`).

The fake Excel implements only the members xlwings touches.  Every COM round trip (a
property read, a property write, a method call) is counted per object kind; the events
that matter for a file-changing button are logged in order: calculation mode changes,
Save (with the mode Excel would write into the file), Close, Open, each with the file's
SHA-256, and the lock file `~$name` exists while the workbook is open, as with Excel.
Prints one JSON object: {"outcome": …, "events": […], "calls": {…}, "reads": …}.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import hashlib
import json
import sys
import types
from pathlib import Path, PureWindowsPath

XL_AUTOMATIC, XL_MANUAL = -4105, -4135
HWND = 4242
LOG: list[list[object]] = []
CALLS: dict[str, int] = {}
MESSAGES: list[str] = []


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


# --- pywin32 stand-ins ------------------------------------------------------------------------

class com_error(Exception):  # noqa: N801 - pywin32's name
    hresult = -2147352567


class CDispatch:
    """Base of every fake COM object: counts each member access as one COM call."""

    def __getattribute__(self, name: str):
        if not name.startswith("_"):
            kind = type(self).__name__
            CALLS[kind] = CALLS.get(kind, 0) + 1
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value) -> None:
        if not name.startswith("_"):
            kind = type(self).__name__
            CALLS[kind] = CALLS.get(kind, 0) + 1
        object.__setattr__(self, name, value)


class _Anything:
    """What an unknown pywin32 name stands for: only import-time constants of xlwings' UDF server use them."""

    def __class_getitem__(cls, item):
        return cls

    def __init__(self, *args, **kwargs) -> None:
        pass


class _Lenient(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything


def _module(name: str, **attrs) -> types.ModuleType:
    module = _Lenient(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


def message_box(hwnd, prompt, title, style) -> int:
    MESSAGES.append(prompt)
    LOG.append(["alert", title])
    return 1  # IDOK


class _Dll:
    def __getattr__(self, name):
        return lambda *args: 0


class _PyDll:
    def __init__(self, path: str) -> None:
        self.PyCom_PyObjectFromIUnknown = lambda ptr, iid, flag: EXCEL.window


def install_pywin32() -> None:
    _module("pywintypes", com_error=com_error, error=com_error, TimeType=dt.datetime,
            IID=lambda s: s, Time=lambda t: t)
    _module("win32api", MessageBox=message_box)
    _module("win32con", MB_OK=0, MB_OKCANCEL=1, MB_YESNOCANCEL=3, MB_YESNO=4, MB_ICONWARNING=48,
            MB_ICONINFORMATION=64)
    _module("win32event")
    _module("pythoncom", CoInitialize=lambda: None, ole_error=com_error, com_error=com_error,
            __file__="pythoncom311.dll")
    package = _module("win32com")
    package.__path__ = []
    client = _module("win32com.client", CDispatch=CDispatch, CoClassBaseClass=type("CoClassBaseClass", (), {}),
                     DispatchBaseClass=type("DispatchBaseClass", (), {}), Dispatch=lambda obj: obj,
                     DispatchEx=lambda name: (_ for _ in ()).throw(AssertionError("no new Excel may be started")))
    client.gencache = _module("win32com.client.gencache", EnsureModule=lambda *a, **k: None)
    package.client = client
    package.server = _module("win32com.server")
    for name in ("dispatcher", "policy", "util"):
        setattr(package.server, name, _module(f"win32com.server.{name}"))
    _module("win32gui", FindWindowEx=lambda *args: HWND)
    _module("win32process", GetWindowThreadProcessId=lambda hwnd: (1, 4711))
    _module("win32timezone")
    ctypes.windll = _Dll()  # type: ignore[attr-defined]
    ctypes.oledll = types.SimpleNamespace(ole32=_Dll(), oleacc=_Dll())  # type: ignore[attr-defined]
    ctypes.PyDLL = _PyDll  # type: ignore[misc]


# --- the fake Excel -------------------------------------------------------------------------------

class FakeRange(CDispatch):
    def __init__(self, sheet: FakeSheet, row: int, col: int, rows: int = 1, cols: int = 1) -> None:
        self._sheet, self._r, self._c, self._h, self._w = sheet, row, col, rows, cols

    @property
    def Row(self):  # noqa: N802
        return self._r

    @property
    def Column(self):  # noqa: N802
        return self._c

    @property
    def Rows(self):  # noqa: N802
        return types.SimpleNamespace(Count=self._h)

    @property
    def Columns(self):  # noqa: N802
        return types.SimpleNamespace(Count=self._w)

    @property
    def Count(self):  # noqa: N802
        return self._h * self._w

    @property
    def Worksheet(self):  # noqa: N802
        return self._sheet

    @property
    def Parent(self):  # noqa: N802
        return self._sheet

    @property
    def Value(self):  # noqa: N802
        self._sheet._book._cells_read += self._h * self._w
        get = self._sheet._cells.get
        rows = tuple(tuple(get((self._r + i, self._c + j)) for j in range(self._w)) for i in range(self._h))
        return rows[0][0] if self._h == self._w == 1 else rows

    def GetAddress(self, *args, **kwargs):  # noqa: N802
        return f"R{self._r}C{self._c}:R{self._r + self._h - 1}C{self._c + self._w - 1}"


class FakeCells(CDispatch):
    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    def __call__(self, row, col):
        return FakeRange(self._sheet, row, col)

    def Find(self, What, LookIn, LookAt, SearchOrder, SearchDirection, MatchCase):  # noqa: N802, N803
        filled = [k for k, v in self._sheet._cells.items() if v not in (None, "")]
        if not filled:
            return None
        row, col = max(filled) if SearchOrder == 1 else max(filled, key=lambda k: (k[1], k[0]))
        return FakeRange(self._sheet, row, col)


class FakeSheet(CDispatch):
    def __init__(self, book: FakeBook, name: str, cells: dict, formatted_to: tuple[int, int]) -> None:
        self._book, self._name, self._cells, self._formatted_to = book, name, cells, formatted_to

    @property
    def Name(self):  # noqa: N802
        return self._name

    @property
    def Parent(self):  # noqa: N802
        return self._book

    @property
    def Cells(self):  # noqa: N802
        return FakeCells(self)

    @property
    def UsedRange(self):  # noqa: N802
        keys = [*self._cells, self._formatted_to]  # one formatted cell far down: Excel's used range reaches it
        top, left = min(r for r, _ in keys), min(c for _, c in keys)
        return FakeRange(self, top, left, max(r for r, _ in keys) - top + 1, max(c for _, c in keys) - left + 1)

    def Range(self, cell1, cell2=None):  # noqa: N802
        cell2 = cell2 or cell1
        return FakeRange(self, cell1._r, cell1._c, cell2._r - cell1._r + 1, cell2._c - cell1._c + 1)


class FakeSheets(CDispatch):
    def __init__(self, book: FakeBook) -> None:
        self._book = book

    @property
    def Count(self):  # noqa: N802
        return len(self._book._sheets)

    def __iter__(self):
        return iter(list(self._book._sheets))

    def __call__(self, key):
        sheets = self._book._sheets
        return sheets[key - 1] if isinstance(key, int) else next(s for s in sheets if s._name == key)


class FakeBook(CDispatch):
    def __init__(self, app: FakeExcel, path: Path) -> None:
        from workbook_tools.read.reader import read_raw

        self._app, self._path, self._cells_read = app, path, 0
        raw, names = read_raw(path)
        self._sheets = [FakeSheet(self, n, _cells(*raw[n]), (1_048_576, 1)) for n in names]
        self._lock = path.with_name("~$" + path.name)
        self._lock.write_bytes(b"Excel")
        LOG.append(["open", path.name, sha(path)])

    @property
    def Name(self):  # noqa: N802
        return self._path.name

    @property
    def FullName(self):  # noqa: N802
        return str(self._path)

    @property
    def Path(self):  # noqa: N802
        return str(self._path.parent)

    @property
    def Application(self):  # noqa: N802
        return self._app

    @property
    def FileFormat(self):  # noqa: N802
        return 51  # xlOpenXMLWorkbook

    @property
    def Worksheets(self):  # noqa: N802
        return FakeSheets(self)

    Sheets = Worksheets

    def Save(self):  # noqa: N802
        LOG.append(["save", self._app._calculation, sha(self._path)])  # Excel writes calcMode into the file

    def Close(self, SaveChanges=None):  # noqa: N802, N803
        LOG.append(["close", sha(self._path)])
        self._lock.unlink()
        self._app._books.remove(self)


def _cells(rows: list, first_row: int, first_col: int) -> dict:
    out = {}
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v not in (None, ""):
                if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                    v = dt.datetime(v.year, v.month, v.day)
                out[(first_row + i, first_col + 1 + j)] = float(v) if isinstance(v, int) and not isinstance(v, bool) else v
    return out


class FakeWorkbooks(CDispatch):
    def __init__(self, app: FakeExcel) -> None:
        self._app = app

    @property
    def Count(self):  # noqa: N802
        return len(self._app._books)

    def __iter__(self):
        return iter(list(self._app._books))

    def __call__(self, key):
        books = self._app._books
        if isinstance(key, int):
            return books[key - 1]
        found = [b for b in books if b._path.name.lower() == str(key).lower()]
        if not found:
            raise com_error("workbook not found")
        return found[0]

    def Open(self, Filename, *args, **kwargs):  # noqa: N802, N803
        book = FakeBook(self._app, Path(str(PureWindowsPath(Filename)) if "\\" in Filename else Filename))
        self._app._books.append(book)
        return book


class FakeExcel(CDispatch):
    def __init__(self) -> None:
        self._calculation, self._books = XL_AUTOMATIC, []
        self.window = types.SimpleNamespace(Application=self)

    @property
    def Application(self):  # noqa: N802
        return self

    @property
    def Hwnd(self):  # noqa: N802
        return HWND

    @property
    def Workbooks(self):  # noqa: N802
        return FakeWorkbooks(self)

    @property
    def Calculation(self):  # noqa: N802
        return self._calculation

    @Calculation.setter
    def Calculation(self, value):  # noqa: N802
        LOG.append(["calculation", value])
        self._calculation = value

    ScreenUpdating = True
    EnableEvents = True
    DisplayAlerts = True


EXCEL: FakeExcel


def main(path: str, tag: str, calculation: int) -> None:
    global EXCEL
    # modules that look at sys.platform when imported are imported on the real platform first
    import asyncio  # noqa: F401
    import concurrent.futures  # noqa: F401
    import logging  # noqa: F401
    import shlex  # noqa: F401
    import tempfile  # noqa: F401

    import pandas  # noqa: F401

    import workbook_tools.faces.excel as excel

    install_pywin32()
    sys.platform = "win32"
    import xlwings
    import xlwings._xlwindows as xlwindows

    xlwindows.N_COM_ATTEMPTS = 1  # an unknown member fails at once instead of being retried forever
    EXCEL = FakeExcel()
    EXCEL._calculation = calculation
    book = FakeBook(EXCEL, Path(path))
    EXCEL._books.append(book)
    CALLS.clear()
    sys.argv = ["-c", f"--wb={Path(path).name}", "--from_xl=1", "--app=C:\\Office\\Microsoft Excel", f"--hwnd={HWND}"]
    try:
        outcome = excel.dispatch(tag)
        result = {"ok": outcome.ok, "message": outcome.message}
    except SystemExit as exc:
        result = {"ok": False, "exit": exc.code}
    print(json.dumps({"outcome": result, "events": LOG, "calls": CALLS, "messages": MESSAGES,
                      "xlwings": xlwings.__version__, "sheets": len(book._sheets),
                      "cells_read": book._cells_read, "lock_left": book._lock.exists()}, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
