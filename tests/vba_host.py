"""The built add-in's VBA run in pyOpenVBA's interpreter, with a Windows around it made of stubs.

pyOpenVBA 6.5 (`pyopenvba.apps.excel.ExcelApplication`) runs VBA against an in-memory
Excel, but it does not touch the machine: no file I/O statements (`Open`, `Input #`,
`Kill`), no `Environ`, `GetAttr` or `CreateObject("WScript.Shell")`.  This module
supplies exactly those, as a small Windows: environment variables, files with their
bytes, and a shell that records the command it is asked to run instead of running it.

Four changes are made to the source as loaded, each checked to apply exactly once:

* a comment after a `#If`/`#Const` directive is removed (VBA allows it; pyOpenVBA's
  preprocessor does not);
* the body of xlwings' `GetConfigFromFile` (`Open … For Input`, `Input #`) becomes a
  loop over the fields that `Input #` would read, decoded in the stub's ANSI code page;
* `Kill LOG_FILE` (after Python ran) calls a stub;
* in `GetConfigFromSheet`, `Range(sht.Range("A1"), lastCell)` is qualified as
  `sht.Range(…)`: the same range in Excel, but pyOpenVBA 6.5 looks the cells of an
  unqualified `Range(a, b)` up in the active workbook, not in the add-in they belong to.

VBA reads the words True and False as -1 and 0 where a number is wanted
(`"False" = True` is False, not a type mismatch); pyOpenVBA 6.5 does not, so
`text_to_number` is widened for the duration of a run (`vba_words_as_numbers`).
"""
from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from pyopenvba.apps.excel import ExcelApplication
from pyopenvba.apps.excel._model import Application, Workbook
from pyopenvba.excel import ExcelFile
from pyopenvba.interpreter import EMPTY, NOTHING, VBAArray, VBAInt, VBAObject, member, method
from pyopenvba.interpreter._runtime import UNRESOLVED
from pyopenvba.interpreter._values import error

DIRECTIVE_COMMENT = re.compile(r"""^([ \t]*#(?:[^'"\r\n]|"[^"\r\n]*")*?)[ \t]*'[^\r\n]*$""", re.MULTILINE)
READ_CONFIG = re.compile(r"Function GetConfigFromFile\(.*?\nEnd Function\r?\n", re.DOTALL)
READ_CONFIG_STUB = """Function GetConfigFromFile(sFile As String, sName As String, Optional sValue As String) As Boolean
  Dim fields As Variant, i As Long
  GetConfigFromFile = False
  If FileExists(sFile) Then
    fields = StubInputFields(sFile)
    For i = LBound(fields) To UBound(fields) - 1 Step 2
      If LCase(fields(i)) = LCase(sName) Then
        sValue = fields(i + 1)
        GetConfigFromFile = True
        Exit For
      End If
    Next i
  End If
End Function
"""
SHEET_RANGE = '    For Each cell In Range(sht.Range("A1"), lastCell)'
KILL_LOG = re.compile(r"^([ \t]+)Kill LOG_FILE$", re.MULTILINE)


@dataclass
class Windows:
    """What the VBA sees of the machine."""

    env: dict[str, str]
    files: dict[str, bytes]
    code_page: str = "cp936"
    hwnd: int = 4242
    excel_path: str = r"C:\Program Files\Microsoft Office\root\Office16"
    protected_view: bool = False
    run_fails: str | None = None          # the error WScript.Run raises (an ASR rule blocking cmd.exe)
    commands: list[str] = field(default_factory=list)

    def expand(self, text: str) -> str:
        return re.sub(r"%([^%]+)%", lambda m: self.env.get(m.group(1).lower(), m.group(0)), text)


class WinWorkbook(Workbook):
    """A workbook whose FullName is a Windows path, as Excel on Windows reports it."""

    @member
    def FullName(self) -> object:  # noqa: N802
        return str(PureWindowsPath(self.path) / self.name) if self.path else self.name


class ProtectedViewWindow(VBAObject):
    vba_type_name = "ProtectedViewWindow"
    vba_library = "excel"


class WinApplication(Application):
    machine: Windows

    @member
    def Hwnd(self) -> object:  # noqa: N802
        return VBAInt(self.machine.hwnd, "Long")

    @member
    def Path(self) -> object:  # noqa: N802
        return self.machine.excel_path

    @member
    def ActiveProtectedViewWindow(self) -> object:  # noqa: N802
        return ProtectedViewWindow() if self.machine.protected_view else NOTHING


class Shell(VBAObject):
    """WScript.Shell: records the command instead of starting cmd.exe."""

    vba_type_name = "IWshShell3"

    def __init__(self, machine: Windows) -> None:
        self.machine = machine

    @method
    def Run(self, Command: object, WindowStyle: object = 0, WaitOnReturn: object = False) -> object:  # noqa: N802, N803
        if self.machine.run_fails:
            raise error(-2147024891, self.machine.run_fails)
        self.machine.commands.append(str(Command))
        return VBAInt(0, "Long")

    @method
    def ExpandEnvironmentStrings(self, Src: object) -> object:  # noqa: N802, N803
        return self.machine.expand(str(Src))


class Control(VBAObject):
    """The IRibbonControl Excel passes to a ribbon callback."""

    vba_type_name = "IRibbonControl"
    vba_library = "office"

    def __init__(self, tag: str) -> None:
        self._tag = tag

    @member
    def Tag(self) -> object:  # noqa: N802
        return self._tag

    @member
    def Id(self) -> object:  # noqa: N802
        return f"btn_{self._tag}"


def input_fields(data: bytes, code_page: str) -> list[str]:
    """The fields `Input #` reads from a settings file: comma-separated, quoted, in the ANSI code page."""
    text = data.decode(code_page)
    return [value for row in csv.reader(io.StringIO(text)) for value in row]


def _patched(name: str, source: str) -> str:
    source = DIRECTIVE_COMMENT.sub(r"\1", source)
    if name != "xlwings":
        return source
    source, found = READ_CONFIG.subn(READ_CONFIG_STUB, source.replace("\r\n", "\n"))
    source, killed = KILL_LOG.subn(r"\1StubKill LOG_FILE", source)
    assert found == 1 and killed >= 1 and source.count(SHEET_RANGE) == 1, "the xlwings VBA changed: review the stubs"
    source = source.replace(SHEET_RANGE, SHEET_RANGE.replace("In Range(", "In sht.Range("))
    return source


def _intrinsics(machine: Windows) -> dict:
    def environ(_: object, args: list, named: dict) -> object:
        return machine.env.get(str(args[0]).lower(), "")

    def getattr_(_: object, args: list, named: dict) -> object:
        if str(args[0]) not in machine.files:
            raise error(53, "File not found")
        return VBAInt(32, "Integer")  # vbArchive: a file, not a folder

    def input_stub(_: object, args: list, named: dict) -> object:
        fields = input_fields(machine.files[str(args[0])], machine.code_page)
        return VBAArray([(0, len(fields) - 1)], items=list(fields))

    return {"environ": environ, "getattr": getattr_, "stubinputfields": input_stub,
            "stubkill": lambda _, args, named: EMPTY}


def _module_kind(module: object) -> str:
    kind = module.kind.name  # type: ignore[attr-defined]
    if kind == "standard":
        return "standard"
    return "class" if module.name == "Dictionary" else "document"  # type: ignore[attr-defined]


def load_addin(path: Path, machine: Windows, addin_folder: str) -> ExcelApplication:
    """Excel with the add-in open (from `addin_folder`), its VBA loaded, on `machine`."""
    app = ExcelApplication.open(path, with_vba=False)
    app.application.__class__ = WinApplication
    app.application.machine = machine  # type: ignore[attr-defined]
    addin = app.workbook
    addin.__class__ = WinWorkbook
    addin.path = addin_folder
    app.interpreter._intrinsics = {**app.interpreter._intrinsics, **_intrinsics(machine)}
    app.interpreter.host.create = lambda name: Shell(machine) if name.lower() == "wscript.shell" else UNRESOLVED
    with ExcelFile(str(path)) as source:
        for module in source.vba_project().modules:
            app.add_module(_patched(module.name, module.source), name=module.name, kind=_module_kind(module))
    return app


def open_workbook(app: ExcelApplication, folder: str, name: str) -> Workbook:
    """A workbook saved at folder\\name, active, as the ledger is when its button is clicked."""
    book = app.add_workbook()
    book.__class__ = WinWorkbook
    book.path, book.name = folder, name
    app.activate_workbook(book)
    return book


@contextlib.contextmanager
def vba_words_as_numbers() -> Iterator[None]:
    import pyopenvba.interpreter._values as values

    original = values.text_to_number

    def widened(text: str) -> object:
        word = text.strip().lower()
        if word in ("true", "false"):
            return VBAInt(-1 if word == "true" else 0, "Integer")
        return original(text)

    values.text_to_number = widened
    try:
        yield
    finally:
        values.text_to_number = original


def click(app: ExcelApplication, tag: str) -> None:
    """What Excel does on a click of the button with this tag."""
    with vba_words_as_numbers():
        app.interpreter.run("OnLedgerButton", [Control(tag)], module="LedgerRibbon")


def command_line_args(command: str) -> list[str]:
    """Split a Windows command line into argv as the C runtime (CommandLineToArgvW) does."""
    args: list[str] = []
    current, quoted, slashes, started = [], False, 0, False
    for ch in command:
        if ch == "\\":
            slashes += 1
            continue
        if ch == '"':
            current.append("\\" * (slashes // 2))
            if slashes % 2:
                current.append('"')
            else:
                quoted = not quoted
            slashes, started = 0, True
            continue
        current.append("\\" * slashes)
        slashes = 0
        if ch in " \t" and not quoted:
            if started:
                args.append("".join(current))
            current, started = [], False
        else:
            current.append(ch)
            started = True
    current.append("\\" * slashes)
    if started or slashes:
        args.append("".join(current))
    return args
