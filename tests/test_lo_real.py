"""A real LibreOffice Calc (headless, over UNO) holds the ledger open; the extension, installed by `ledger lo install`
(`unopkg add` into a fresh profile), runs 校验台账, 半年更新 and 打印确认单 through its own dispatch URLs against the
real `ledger serve`: findings, workbook and PDF are those of the command line.  Last, Calc on a virtual X display
(Xvfb) with the toolbar and the findings list: a screenshot (docs/libreoffice.png is one of these).

soffice is driven from the system's python3 (tests/lo_uno.py; python3-uno belongs to it, not to the venv).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from builders import run_cli
from lokit import Office, a1, missing, open_dir, unopkg_wrapper
from pypdf import PdfReader
from servekit import LATER, REQUEST, TODAY, Served, copy, plant

from workbook_tools.core import schema
from workbook_tools.dist.lo import IDENTIFIER
from workbook_tools.dist.lo import install as lo_install
from workbook_tools.read.reader import load_ledger
from workbook_tools.tasks.registry import REGISTRY as ACTIONS

REASON = missing()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")
NOT_RUNNING = "本机服务未运行：请运行 ledger serve 或重新登录"


XVFB, IMPORT, IDENTIFY = shutil.which("Xvfb"), shutil.which("import"), shutil.which("identify")
SCREEN = "1280x800x24"


@pytest.fixture
def cli(capsys):
    """`ledger …` in this process (what the command line prints): (exit status, stdout, stderr)."""
    return lambda *args: run_cli(capsys, *args)


def check_json(cli, path: Path) -> dict:
    code, out, err = cli("check", str(path), "--format", "json", "--today", TODAY.isoformat())
    assert code in (0, 1), err
    return json.loads(out)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The demo ledger (`ledger init --demo`, in this process) with planted findings."""
    from workbook_tools.faces.cli import main

    path = tmp_path_factory.mktemp("demo") / "台账.xlsx"
    with pytest.raises(SystemExit) as done:
        main(["init", str(path), "--demo", "--today", TODAY.isoformat()])
    assert not done.value.code
    plant(path)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("served")


@pytest.fixture(scope="module")
def state(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("state")     # XDG_STATE_HOME of the service and of LibreOffice


@pytest.fixture(scope="module")
def service(folder, state):
    """`ledger serve` on the folder (in a thread of this process), described where LibreOffice looks: serve.json in
    its XDG_STATE_HOME, as `ledger serve` writes it by default."""
    served = Served([folder])
    info = state / "workbook_tools" / "serve.json"
    served.running.write_info(info)
    assert info.stat().st_mode & 0o077 == 0 and json.loads(info.read_text(encoding="utf-8"))["port"] == served.port
    yield served
    served.running.remove_info(info)
    served.stop()


@pytest.fixture(scope="module")
def office(tmp_path_factory, folder, state, service):
    """soffice on a fresh profile into which `ledger lo install` added the extension with unopkg."""
    tmp = tmp_path_factory.mktemp("lo")
    profile, home = open_dir("lo-profile-"), tmp / "home"
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "")}
    record = lo_install.install(folder, unopkg=unopkg_wrapper(tmp), profile=profile, platform="linux", env=env)
    assert record.identifier == IDENTIFIER and record.launcher == home / ".config/autostart/workbook-tools-lo-serve.desktop"
    office = Office(profile, {"XDG_STATE_HOME": str(state)})
    yield office
    office.stop()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def ledger(source, folder, request) -> Path:
    return copy(source, folder / f"{request.node.name[:40]}.xlsx")


def lock_of(path: Path) -> Path:
    return path.with_name(f".~lock.{path.name}#")


def test_the_toolbar_is_on_calc_and_check_gives_the_cli_findings(office, ledger, cli):
    toolbar = f"private:resource/toolbar/addon_{IDENTIFIER}.toolbar"
    names, toolbars, items, out = office.run(
        {"do": "open", "path": str(ledger)}, {"do": "toolbars", "path": str(ledger)},
        {"do": "items", "path": str(ledger), "toolbar": toolbar, "menu": "正版化台账"},
        {"do": "click", "path": str(ledger), "url": "vnd.workbooktools.ledger:check",
         "args": {"Unattended": True, "Today": TODAY.isoformat(), "Pick": 0}})
    assert schema.A7 in names and [toolbar, True] in toolbars
    shown = []                                      # the registry's buttons, a separator between groups
    previous = None
    for action in ACTIONS.values():
        if shown and action.group is not previous:
            shown.append("")
        shown.append(action.label)
        previous = action.group
    assert items["toolbar"] == items["menu"] == shown
    expected = check_json(cli, ledger)
    body = out["outcome"]["body"]
    assert body["findings"] == expected["findings"] and expected["findings"]
    assert body["counts"] == expected["counts"] and out["outcome"]["reopened"] is False
    first = expected["findings"][0]                           # Pick=0: as a click on the first line of the list
    column, row = a1(first["cell"])
    assert out["state"] == {"open": True, "modified": False, "sheet": first["sheet"],
                            "selection": [column, row, column, row]}


def test_check_stores_unsaved_edits_first(office, ledger, cli):
    before = check_json(cli, ledger)
    oem = next(f for f in before["findings"] if f["rule"] == "BLANK-OEM")
    edit = {"do": "edit", "path": str(ledger), "sheet": oem["sheet"], "cell": oem["cell"], "text": ""}
    edited, out = office.run(edit, {"do": "click", "path": str(ledger), "url": "vnd.workbooktools.ledger:check",
                                    "args": {"Unattended": True, "Today": TODAY.isoformat()}})
    assert edited["modified"] is True
    assert out["state"]["open"] and out["state"]["modified"] is False          # stored in place, still open
    on_disk = check_json(cli, ledger)
    assert out["outcome"]["body"]["findings"] == on_disk["findings"]
    assert oem not in on_disk["findings"] and len(on_disk["findings"]) == len(before["findings"]) - 1


def prepared(cli, source: Path, target: Path) -> Path:
    """A ledger with one more installation registered (so the roll-up has something to do)."""
    path = copy(source, target)
    ledger = load_ledger(path)
    a10 = ledger.df(schema.A10)
    row = a10[a10["申请编号"] == REQUEST].iloc[0]
    a7 = ledger.df(schema.A7)
    number = a7[a7["软件名称"] == row["软件名称"]]["软件编号"].dropna().iloc[0]
    code, _, err = cli("install", str(path), "--computer", row["计算机编号"], "--software", number,
                       "--date", LATER.isoformat(), "--today", LATER.isoformat())
    assert code == 0, err
    return path


def tables(path: Path) -> dict:
    ledger = load_ledger(path)
    return {name: ledger.df(name).astype(str).to_dict("records") for name in (schema.A7, schema.A8)}


def test_rollup_closes_lets_the_service_write_reopens_and_puts_the_cursor_back(office, source, folder, tmp_path, cli):
    mine = prepared(cli, source, folder / "半年更新.xlsx")
    theirs = copy(mine, tmp_path / "命令行.xlsx")
    before = tables(mine)
    selected = office.run({"do": "select", "path": str(mine), "sheet": schema.A7, "range": "C5:D7"})[0]
    assert lock_of(mine).exists()                               # Calc holds the file
    out = office.click(mine, "rollup", Today=LATER.isoformat())
    code, by_cli, err = cli("rollup", str(theirs), "--today", LATER.isoformat())
    assert code == 0, err
    assert out["outcome"]["ok"] is True and out["outcome"]["reopened"] is True
    assert out["outcome"]["body"]["lines"][0] == by_cli.splitlines()[0]
    assert tables(mine) == tables(theirs) != before
    assert Path(out["outcome"]["body"]["backup"]).read_bytes() != mine.read_bytes()
    assert out["state"] == selected == {"open": True, "modified": False, "sheet": schema.A7, "selection": [2, 4, 3, 6]}
    assert lock_of(mine).exists()                               # open again


def test_a_write_is_refused_with_423_while_calc_holds_the_file(office, service, ledger, cli):
    office.run({"do": "open", "path": str(ledger)})
    assert lock_of(ledger).exists()
    data = ledger.read_bytes()
    request = urllib.request.Request(f"http://127.0.0.1:{service.port}/api/rollup", method="POST",
                                     data=json.dumps({"path": str(ledger)}).encode(),
                                     headers={"X-Ledger-Token": service.url.split("token=")[1],
                                              "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 423 and lock_of(ledger).name in json.loads(refused.value.read())["message"]
    code, _, err = cli("number", str(ledger))
    assert code == 2 and lock_of(ledger).name in err
    assert ledger.read_bytes() == data


def test_print_slip_prints_the_selected_rows_as_the_cli_does(office, ledger, tmp_path, cli):
    a9 = load_ledger(ledger).df(schema.A9)
    picked = a9[a9["确认单号"].notna()].iloc[:1]
    row, number = int(picked["_row"].iloc[0]), str(picked["确认单号"].iloc[0])
    select = {"do": "select", "path": str(ledger), "sheet": schema.A9, "range": f"B{row}:D{row}"}
    out = office.click(ledger, "print_slip", before=(select,), Today=TODAY.isoformat())
    assert out["outcome"]["ok"] is True and out["outcome"]["reopened"] is False and out["state"]["open"]
    pdf = Path(out["outcome"]["body"]["file"])
    assert pdf.parent == ledger.parent
    other = tmp_path / "命令行.pdf"
    code, _, err = cli("print", "附件11", str(ledger), "--id", number, "-o", str(other), "--today", TODAY.isoformat())
    assert code == 0, err
    ours, theirs = PdfReader(pdf), PdfReader(other)
    assert len(ours.pages) == len(theirs.pages) >= 1
    assert [p.extract_text() for p in ours.pages] == [p.extract_text() for p in theirs.pages]
    assert number in ours.pages[0].extract_text()


def test_without_the_service_a_write_button_says_so_and_leaves_the_document_open(office, state, ledger):
    info = state / "workbook_tools" / "serve.json"
    hidden = info.with_name("serve.json.away")
    info.rename(hidden)
    try:
        data = ledger.read_bytes()
        out = office.click(ledger, "rollup", Today=LATER.isoformat())
    finally:
        hidden.rename(info)
    assert out["outcome"] == {"ok": False, "message": NOT_RUNNING, "said": [NOT_RUNNING]}
    assert out["state"]["open"] and ledger.read_bytes() == data


def test_a_workbook_that_is_not_a_ledger_is_refused(office, folder):
    other = folder / "别的表.xlsx"
    from openpyxl import Workbook

    book = Workbook()
    book.active["A1"] = "x"
    book.save(other)
    out = office.click(other, "rollup")
    assert out["outcome"]["ok"] is False and schema.A7 in out["outcome"]["message"] and out["state"]["open"]


@pytest.fixture
def display():
    """A fresh Xvfb; its display number read from -displayfd."""
    read, write = os.pipe()
    proc = subprocess.Popen([XVFB, "-displayfd", str(write), "-screen", "0", SCREEN, "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as fh:
        number = fh.readline().strip()
    assert number.isdigit(), "Xvfb did not start"
    yield f":{number}"
    proc.terminate()
    proc.wait(timeout=15)


@pytest.mark.skipif(not (XVFB and IMPORT and IDENTIFY), reason="needs Xvfb and ImageMagick (scripts/system-deps.sh)")
def test_screenshot_of_calc_with_the_toolbar_and_the_findings_list(display, source, folder, state, service, tmp_path):
    ledger = copy(source, folder / "2026台账.xlsx")
    profile = open_dir("lo-profile-")
    office = None
    try:
        lo_install.install(folder, unopkg=unopkg_wrapper(tmp_path), profile=profile, platform="linux",
                           env={"HOME": str(tmp_path / "home"), "PATH": os.environ.get("PATH", "")})
        office = Office(profile, {"XDG_STATE_HOME": str(state), "DISPLAY": display, "SAL_USE_VCLPLUGIN": "gen"},
                        headless=False)
        _, toolbars, out, _ = office.run(
            {"do": "open", "path": str(ledger)}, {"do": "toolbars", "path": str(ledger)},
            {"do": "click", "path": str(ledger), "url": "vnd.workbooktools.ledger:check",
             "args": {"Unattended": True, "Today": TODAY.isoformat(), "Pick": 0}}, {"do": "wait", "seconds": 1.5})
        assert [f"private:resource/toolbar/addon_{IDENTIFIER}.toolbar", True] in toolbars
        assert out["outcome"]["ok"] and out["outcome"]["body"]["findings"]
        shot = tmp_path / "libreoffice.png"
        subprocess.run([IMPORT, "-display", display, "-window", "root", str(shot)], check=True, timeout=60)
        colours = subprocess.run([IDENTIFY, "-format", "%k", str(shot)], capture_output=True, text=True, timeout=60)
        assert shot.stat().st_size > 20_000 and int(colours.stdout) > 50      # a drawn window, not a blank screen
    finally:
        if office is not None:
            office.stop()
        shutil.rmtree(profile, ignore_errors=True)


def test_validate_writes_the_results_reopens_and_a_pick_selects_the_cell_in_the_reopened_book(office, ledger, cli):
    expected = check_json(cli, ledger)
    out = office.click(ledger, "validate", Today=TODAY.isoformat(), Pick=1)
    body = out["outcome"]["body"]
    assert out["outcome"]["ok"] is True and out["outcome"]["reopened"] is True
    without_hints = [{k: v for k, v in f.items() if k != "page_hint"} for f in body["check"]["findings"]]
    assert without_hints == expected["findings"]            # plus the page's wording of the hint, where it has one
    names = office.run({"do": "open", "path": str(ledger)})[0]
    assert schema.RESULTS in names                              # written by the service, seen by the reopened book
    second = expected["findings"][1]
    column, row = a1(second["cell"])
    assert out["state"] == {"open": True, "modified": False, "sheet": second["sheet"],
                            "selection": [column, row, column, row]}


def test_questions_and_messages_go_through_real_message_boxes(office, ledger):
    """Not unattended: the question is a real message box; headless LibreOffice closes every box at once (as
    Cancel), so the write is cancelled before the document is closed."""
    data = ledger.read_bytes()
    out = office.run({"do": "click", "path": str(ledger), "url": "vnd.workbooktools.ledger:rollup", "args": {}})[0]
    assert out["outcome"] == {"ok": False, "message": "已取消", "said": ["已取消，工作簿未改动。"]}
    assert out["state"]["open"] and ledger.read_bytes() == data
    shown = office.click(ledger, "help")["outcome"]
    assert shown["ok"] and all(any(b in line for line in shown["lines"]) for b in ("校验台账", "半年更新", "打印确认单"))
    about = office.click(ledger, "about")["outcome"]
    assert about["ok"] and any(line.startswith("本机服务：http://127.0.0.1:") for line in about["lines"])
