"""What can be proved about the add-in on Linux, beyond its structure.

* macros/customUI14.xml is valid against Microsoft's customUI 2009/07 schema (vendored);
* every imageMso is one of Excel's own control identifiers (Microsoft's published list);
* the built add-in's VBA, run in pyOpenVBA's interpreter on a stub Windows, builds
  exactly the command line expected, and that command line, split as Windows splits
  it, runs the dispatcher with the button's tag and keeps the ledger's folder off sys.path.
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path, PureWindowsPath

import pytest
import vba_host
from vba_host import Windows

from workbook_tools.dist.excel import addin, install
from workbook_tools.faces.excel.actions import ACTIONS
from workbook_tools.faces.excel.caller import argument, started_by_excel

ROOT = Path(__file__).resolve().parents[1]
RIBBON_DATA = Path(__file__).resolve().parent / "data" / "ribbon"
IMAGE_TYPES = {"button", "toggleButton", "splitButton", "gallery", "menu"}  # controls that carry an icon

USER = r"C:\Users\张三"
PYTHON = USER + r"\AppData\Local\workbook_tools\venv\Scripts\python.exe"
XLSTART = USER + r"\AppData\Roaming\Microsoft\Excel\XLSTART"
LEDGER_DIR, LEDGER = r"C:\信息中心\正版化 2026", "台账.xlsx"
GUID = r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"


# --- the ribbon XML -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def customui14():
    """Microsoft's schema, compiled strictly by xmlschema (libxml2 refuses its duplicate attribute uses,
    which .NET, the validator of Microsoft's own Custom UI Editor, accepts)."""
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema10(str(RIBBON_DATA / "customui14.xsd"), validation="strict")


def test_ribbon_is_valid_against_the_customui14_schema(customui14) -> None:
    customui14.validate(str(ROOT / "macros" / "customUI14.xml"))  # raises with the first error


def test_the_schema_rejects_a_broken_ribbon(customui14) -> None:
    text = (ROOT / "macros" / "customUI14.xml").read_text(encoding="utf-8")
    for broken in (text.replace('size="large"', 'size="huge"', 1),                  # not a size
                   text.replace('id="btn_check"', 'id="btn check"', 1),             # not an ID
                   text.replace('label="校验台账"', 'label="' + "长" * 1025 + '"', 1),  # label over 1024 characters
                   text.replace("<group ", "<grop ", 1).replace("</group>", "</grop>", 1)):
        assert not customui14.is_valid(broken)


def excel_controls() -> dict[str, set[str]]:
    lines = (RIBBON_DATA / "excel_controls.tsv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader((x for x in lines if not x.startswith("#")), delimiter="\t")
    return {r["name"]: set(r["types"].split(",")) for r in rows}


def test_every_icon_is_one_of_excels_controls() -> None:
    controls = excel_controls()
    assert len(controls) > 1500  # the whole list, not a hand-picked one
    ribbon = (ROOT / "macros" / "customUI14.xml").read_text(encoding="utf-8")
    icons = re.findall(r'imageMso="(\w+)"', ribbon)
    assert len(icons) == len(ACTIONS)
    missing = [i for i in icons if not controls.get(i, set()) & IMAGE_TYPES]
    assert missing == []


# --- the VBA, run ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return addin.build_addin(tmp_path_factory.mktemp("vba") / "ledger.xlam").path


@pytest.fixture()
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Windows:
    """A Chinese Windows where `ledger addin install` (or the offline bundle) wrote the settings."""
    monkeypatch.setattr(install, "ansi_encoding", lambda: "cp936")
    conf = tmp_path / "ledger.conf"
    install.write_config(Path(PYTHON), conf, platform="win32")
    env = {"userprofile": USER, "temp": USER + r"\AppData\Local\Temp", "appdata": USER + r"\AppData\Roaming"}
    return Windows(env=env, files={USER + r"\.ledger\ledger.conf": conf.read_bytes(), PYTHON: b""})


def excel_with_ledger(built: Path, machine: Windows, name: str = LEDGER):
    app = vba_host.load_addin(built, machine, XLSTART)
    vba_host.open_workbook(app, LEDGER_DIR, name)
    return app


def expected_command(tag: str, name: str = LEDGER) -> re.Pattern[str]:
    python_dir = str(PureWindowsPath(PYTHON).parent)
    sys_path = f"False;{LEDGER_DIR}\\{name};{XLSTART}\\ledger.xlam;;;;".replace("\\", "\\\\")
    statement = f"import workbook_tools.faces.excel as x; x.dispatch('{tag}')"
    text = (f'cmd.exe /C C: & cd "{python_dir}" & "{PYTHON}" -B -c '
            f'"import xlwings.utils;xlwings.utils.prepare_sys_path(\\"{sys_path}\\"); {statement}"  '
            f'--wb="{name}" --from_xl=1 --app="{Windows.excel_path}\\Microsoft Excel" --hwnd="4242" '
            f'2> "{USER}\\AppData\\Local\\Temp\\xlwings-GUID.log" ')
    return re.compile(re.escape(text).replace("GUID", GUID))


@pytest.mark.parametrize("tag", sorted(ACTIONS))
def test_a_click_runs_exactly_the_expected_command_line(tag: str, built: Path, machine: Windows) -> None:
    vba_host.click(excel_with_ledger(built, machine), tag)
    (command,) = machine.commands
    assert expected_command(tag).fullmatch(command), command


def test_the_command_line_runs_dispatch_with_the_ledger_folder_off_sys_path(
        built: Path, machine: Windows, monkeypatch: pytest.MonkeyPatch) -> None:
    import workbook_tools.faces.excel as excel

    vba_host.click(excel_with_ledger(built, machine), "check")
    args = vba_host.command_line_args(machine.commands[0])
    python_args = args[args.index(PYTHON) + 1:args.index("2>")]
    assert python_args[:2] == ["-B", "-c"]
    code, argv = python_args[2], ["-c", *python_args[3:]]
    seen: list[tuple[str, list[str], list[str]]] = []
    monkeypatch.setattr(excel, "dispatch", lambda tag: seen.append((tag, list(sys.argv), list(sys.path))))
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = list(sys.path)
    exec(compile(code, "<RunPython>", "exec"), {})
    (tag, got_argv, got_path), = seen
    assert tag == "check" and started_by_excel(got_argv) and argument(got_argv, "wb") == LEDGER
    added = [p for p in got_path if p not in before]
    assert not any("信息中心" in p or "XLSTART" in p for p in added)


def test_the_addin_alone_keeps_the_workbook_folder_off_sys_path(built: Path, machine: Windows) -> None:
    """An older settings file (interpreter only) still gives ADD_WORKBOOK_TO_PYTHONPATH=False."""
    machine.files[USER + r"\.ledger\ledger.conf"] = f'"INTERPRETER_WIN","{PYTHON}"\r\n'.encode("cp936")
    vba_host.click(excel_with_ledger(built, machine), "about")
    assert 'prepare_sys_path(\\"False;' in machine.commands[0]


def test_a_workbook_name_with_an_equals_sign_reaches_python_whole(built: Path, machine: Windows) -> None:
    vba_host.click(excel_with_ledger(built, machine, "台账=2026.xlsx"), "about")
    args = vba_host.command_line_args(machine.commands[0])
    assert argument(args, "wb") == "台账=2026.xlsx"  # xlwings' own parser would cut it at "="


def test_without_a_workbook_the_button_asks_to_open_one(built: Path, machine: Windows) -> None:
    app = vba_host.load_addin(built, machine, XLSTART)
    app.application.vba_get("Workbooks")  # only the add-in is open: ActiveWorkbook is Nothing
    app.application.active_book = None
    vba_host.click(app, "check")
    assert machine.commands == []
    (_, prompt, title, _), = app.dialogs
    assert prompt == "请先打开台账工作簿" and title == "正版化台账"


def test_in_protected_view_the_button_says_to_enable_editing(built: Path, machine: Windows) -> None:
    machine.protected_view = True
    app = vba_host.load_addin(built, machine, XLSTART)
    app.application.active_book = None
    vba_host.click(app, "check")
    assert machine.commands == []
    assert "启用编辑" in app.dialogs[0][1]


def test_a_blocked_cmd_exe_is_explained_in_chinese(built: Path, machine: Windows) -> None:
    machine.run_fails = "Method 'Run' of object 'IWshShell3' failed"
    app = excel_with_ledger(built, machine)
    vba_host.click(app, "check")
    (_, prompt, title, _), = app.dialogs
    assert "阻止 Office 应用程序创建子进程" in prompt and machine.run_fails in prompt and title == "正版化台账"
