"""The WPS add-in's buttons run under node against a fake WPS and the real `ledger serve`: same results as the CLI.

The service is started as the login launcher starts it (`--wps-key-file`): it serves the add-in under /wps/<key>/,
and the fake WPS fetches ribbon.xml, index.html and the scripts from there (WPS's online add-in mode); the
add-in gets the token from the service itself (same origin), never from a file.  The fake records the order of save,
close, requests and open, with the lock file WPS keeps beside an open workbook and the file's hash at each step.
"""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
from pypdf import PdfReader
from servekit import LATER, REQUEST, TODAY, copy, demo, plant
from wpskit import NODE, Service, events, first, key_file, run, sheet_names

from workbook_tools.core import schema
from workbook_tools.read.reader import load_ledger

pytestmark = pytest.mark.skipif(NODE is None, reason="needs node (20 or later)")
NOT_RUNNING = "本机服务未运行：请重新登录，或运行 ledger wps open 启动服务"


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = demo(tmp_path_factory.mktemp("demo") / "台账.xlsx")
    plant(path)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("served")


@pytest.fixture(scope="module")
def service(folder, tmp_path_factory):
    state = tmp_path_factory.mktemp("state")
    info = state / "serve.json"
    running = Service(folder, key_file(state), info=info)
    assert info.stat().st_mode & 0o077 == 0 and json.loads(info.read_text(encoding="utf-8"))["port"] == running.port
    yield running
    running.stop()
    assert not info.exists()   # removed when the service stops


@pytest.fixture(scope="module")
def addin(service) -> str:
    return service.addin


@pytest.fixture
def ledger(source, folder, request) -> Path:
    return copy(source, folder / f"{request.node.name[:40]}.xlsx")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbook_tools", *args], capture_output=True, text=True, timeout=600)


def without_time(check: dict) -> dict:
    return {k: v for k, v in check.items() if k != "checked_at"}


def test_check_shows_the_cli_findings_and_a_click_selects_the_cell(service, addin, ledger, tmp_path):
    out = run(addin, tmp_path, ledger, "check", today=TODAY.isoformat(), click=True)
    expected = json.loads(cli("check", str(ledger), "--format", "json", "--today", TODAY.isoformat()).stdout)
    assert out["pane"]["findings"] == expected["findings"] and expected["findings"]
    assert out["result"]["body"]["counts"] == expected["counts"]
    assert not events(out, "save", "close", "open")              # a read-only button keeps the workbook open
    assert [r["path"] for r in out["requests"]][:2] == [urlparse(addin).path + "session", "/api/check"]
    assert out["requests"][1]["body"] == {"path": str(ledger), "today": TODAY.isoformat()}
    clicked = out["clicked"]
    assert out["selects"] == [{"sheet": clicked["sheet"], "address": clicked["cell"]}] and out["clickMessage"] == ""
    assert out["panes"] == [{"url": addin + "taskpane.html", "visible": True}]
    assert [e["path"] for e in events(out, "wps-get")][:3] == ["manifest.xml", "ribbon.xml", "index.html"]
    assert len(out["alerts"]) == 1 and f"{expected['counts']['error']} 个错误" in out["alerts"][0]


def test_a_read_only_button_saves_first_only_when_the_user_agrees(service, addin, ledger, tmp_path):
    agreed = run(addin, tmp_path, ledger, "check", book={"saved": False}, answers=[True])
    assert first(agreed, "confirm") < first(agreed, "save") < first(agreed, "fetch", "/api/check")
    declined = run(addin, tmp_path, ledger, "check", book={"saved": False}, answers=[False])
    assert declined["confirms"] and not events(declined, "save", "close")
    assert declined["pane"]["findings"] == agreed["pane"]["findings"]


def prepared(source: Path, target: Path) -> Path:
    """A ledger with one more installation registered (so the roll-up has something to do)."""
    path = copy(source, target)
    ledger = load_ledger(path)
    a10 = ledger.df(schema.A10)
    row = a10[a10["申请编号"] == REQUEST].iloc[0]
    pcs = ledger.df(schema.A7)
    number = pcs[pcs["软件名称"] == row["软件名称"]]["软件编号"].dropna().iloc[0]
    done = cli("install", str(path), "--computer", row["计算机编号"], "--software", number,
               "--date", LATER.isoformat(), "--today", LATER.isoformat())
    assert done.returncode == 0, done.stderr
    return path


def tables(path: Path) -> dict:
    ledger = load_ledger(path)
    return {name: ledger.df(name).astype(str).to_dict("records") for name in (schema.A7, schema.A8)}


def test_rollup_saves_closes_lets_the_service_write_and_reopens(service, addin, source, folder, tmp_path):
    mine, theirs = prepared(source, folder / "半年更新.xlsx"), prepared(source, tmp_path / "命令行.xlsx")
    before = tables(mine)
    out = run(addin, tmp_path, mine, "rollup", today=LATER.isoformat(), answers=[True])
    by_cli = cli("rollup", str(theirs), "--today", LATER.isoformat())
    assert by_cli.returncode == 0, by_cli.stderr
    assert tables(mine) == tables(theirs) != before
    log = out["log"]
    confirm, save, close, post, reopen = (first(out, "confirm"), first(out, "save"), first(out, "close"),
                                          first(out, "fetch", "/api/rollup"), first(out, "open"))
    assert confirm < save < close < post < reopen < first(out, "alert")
    assert log[close]["saveChanges"] is False and log[reopen]["file"] == str(mine)
    assert log[save]["lock"] and not any(e["lock"] for e in log[close + 1:reopen])   # closed while the service wrote
    assert log[close]["sha"] == log[0]["sha"] != log[reopen]["sha"]                   # written only while closed
    assert all(r["path"].startswith("/api/jobs/") for r in out["requests"][2:])         # the job was polled
    assert out["result"]["ok"] is True and out["alerts"][0].endswith(out["result"]["body"]["lines"][-1])
    assert by_cli.stdout.splitlines()[0] == out["result"]["body"]["lines"][0]


def test_a_cancelled_write_changes_nothing(service, addin, ledger, tmp_path):
    sha = ledger.read_bytes()
    out = run(addin, tmp_path, ledger, "rollup", answers=[False])
    assert not events(out, "save", "close", "open") and ledger.read_bytes() == sha
    assert "/api/rollup" not in [r["path"] for r in out["requests"]] and "已取消" in out["alerts"][0]


def test_the_service_refuses_a_workbook_still_open(service, ledger):
    (ledger.parent / f"~${ledger.name}").write_text("")   # what the fake WPS leaves while the workbook is open
    request = urllib.request.Request(f"http://127.0.0.1:{service.port}/api/rollup", method="POST",
                                     data=json.dumps({"path": str(ledger)}).encode(),
                                     headers={"X-Ledger-Token": service.url.split("token=")[1],
                                              "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 423
    (ledger.parent / f"~${ledger.name}").unlink()


def test_print_slip_prints_the_selected_rows_as_the_cli_does(service, addin, ledger, tmp_path):
    a9 = load_ledger(ledger).df(schema.A9)
    picked = a9[a9["确认单号"].notna()].iloc[:1]
    row, number = int(picked["_row"].iloc[0]), str(picked["确认单号"].iloc[0])
    out = run(addin, tmp_path, ledger, "print_slip", today=TODAY.isoformat(),
              book={"activeSheet": schema.A9, "selection": f"$A${row}:$F${row}"})
    assert out["result"]["ok"] is True and not events(out, "close")
    assert out["requests"][1]["body"] == {"path": str(ledger), "form": "11", "rows": [row], "today": TODAY.isoformat()}
    pdf = Path(out["result"]["body"]["file"])
    assert events(out, "shell")[0]["file"] == str(pdf) and pdf.parent == ledger.parent
    other = tmp_path / "命令行.pdf"
    done = cli("print", "附件11", str(ledger), "--id", number, "-o", str(other), "--today", TODAY.isoformat())
    assert done.returncode == 0, done.stderr
    ours, theirs = PdfReader(pdf), PdfReader(other)
    assert len(ours.pages) == len(theirs.pages) >= 1
    assert [p.extract_text() for p in ours.pages] == [p.extract_text() for p in theirs.pages]
    assert number in ours.pages[0].extract_text()


def test_buttons_say_in_one_line_that_the_service_is_not_running(service, addin, ledger, tmp_path):
    """The service stopped after WPS loaded the add-in: one line, and the workbook is neither saved nor closed."""
    for tag in ("check", "rollup"):
        out = run(addin, tmp_path, ledger, tag, answers=[True], downAfterLoad=True)
        assert len(out["alerts"]) == 1
        assert out["alerts"][0].splitlines()[-1] == NOT_RUNNING
        assert not events(out, "save", "close", "open") and not out["requests"]
        assert [e["path"] for e in events(out, "fetch")] == [urlparse(addin).path + "session"]


def test_the_add_in_and_its_token_need_the_key(service, addin, folder, tmp_path):
    """A wrong key gets neither a file of the add-in nor the token; a service started without a key serves no add-in."""
    wrong = addin.replace("/wps/", "/wps/x")
    for url, method, headers in ((wrong + "index.html", "GET", {}), (wrong + "session", "POST", {"X-Ledger-Client": "wps"}),
                                 (addin + "session", "POST", {})):
        request = urllib.request.Request(url, method=method, headers=headers, data=b"" if method == "POST" else None)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code in (403, 404) and service.token not in refused.value.read().decode()
    by_hand = Service(folder, env={"XDG_STATE_HOME": str(tmp_path)})
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{by_hand.port}/wps/{addin.split('/')[-2]}/ribbon.xml", timeout=30)
        assert refused.value.code == 404
    finally:
        by_hand.stop()


def test_a_workbook_outside_the_served_folder_is_refused_before_closing(service, addin, source, tmp_path):
    outside = copy(source, tmp_path / "别处.xlsx")
    out = run(addin, tmp_path, outside, "number", answers=[True])
    assert "不在本机服务打开的文件夹中" in out["alerts"][0] and not events(out, "save", "close")


def test_register_install_from_the_selected_request(service, addin, ledger, tmp_path):
    a10 = load_ledger(ledger).df(schema.A10)
    row = int(a10[a10["申请编号"] == REQUEST]["_row"].iloc[0])
    out = run(addin, tmp_path, ledger, "install", today=LATER.isoformat(), answers=[True],
              book={"activeSheet": schema.A10, "selection": f"$B${row}"})
    assert out["result"]["ok"] is True, out["alerts"]
    assert first(out, "fetch", "/api/requests") < first(out, "close") < first(out, "fetch", "/api/install")
    assert out["requests"][-1]["path"].startswith("/api/jobs/") and first(out, "open") > first(out, "fetch", "/api/install")
    assert REQUEST in set(load_ledger(ledger).df(schema.A9)["申请编号"].dropna())


def test_validate_writes_the_results_and_shows_them(service, addin, ledger, tmp_path):
    out = run(addin, tmp_path, ledger, "validate", today=TODAY.isoformat(), answers=[True])
    assert out["result"]["ok"] is True and first(out, "close") < first(out, "fetch", "/api/annotate") < first(out, "open")
    assert schema.RESULTS in sheet_names(ledger)
    assert {f["rule"] for f in out["pane"]["findings"]} >= {"BLANK-OEM", "NUM-MISSING"}


def test_not_a_ledger_and_help(service, addin, ledger, tmp_path):
    out = run(addin, tmp_path, ledger, "check", book={"sheets": ["Sheet1"], "activeSheet": "Sheet1"})
    assert "不是台账" in out["alerts"][0] and not out["requests"]
    out = run(addin, tmp_path, ledger, "help")
    assert "校验台账" in out["alerts"][0] and "wps" in out["alerts"][0] and not out["requests"]


def test_scan_takes_the_scan_folder_beside_the_ledger(service, addin, source, tmp_path, folder):
    from servekit import scan_files

    unit = folder / "扫描单位"
    unit.mkdir()
    ledger = copy(source, unit / "台账.xlsx")
    out = run(addin, tmp_path, ledger, "scan", today=TODAY.isoformat(), answers=[True])
    assert "没有找到扫描结果文件夹" in out["alerts"][0]                    # refused by the service: reopened
    assert first(out, "close") < first(out, "open")
    (unit / "扫描结果").mkdir()
    for name, data in scan_files(ledger, 3):
        (unit / "扫描结果" / name).write_bytes(data)
    out = run(addin, tmp_path, ledger, "scan", today=TODAY.isoformat(), answers=[True])
    assert out["result"]["ok"] is True and out["requests"][1]["body"]["folder"] is True
    assert out["result"]["body"]["scan"]["findings"] == out["pane"]["findings"]
    assert "扫描建议" in sheet_names(ledger)
