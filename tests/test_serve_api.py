"""`ledger serve`'s API on a real server (one per module): security, every action, the CLI's answers."""
from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from servekit import (
    HOSTILE,
    LATER,
    REQUEST,
    TODAY,
    Served,
    copy,
    demo,
    multipart,
    plant,
    rename_unit,
    scan_files,
    slip_numbers,
)

from workbook_tools.core import schema
from workbook_tools.faces.service import actions as service_actions
from workbook_tools.forms import paging
from workbook_tools.read.reader import load_ledger


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> tuple[Path, dict]:
    path = demo(tmp_path_factory.mktemp("demo") / "台账.xlsx")
    return path, plant(path)


@pytest.fixture(scope="module")
def folder(tmp_path_factory, source) -> Path:
    folder = tmp_path_factory.mktemp("served")
    copy(source[0], folder / "台账.xlsx")
    (folder / "二单位").mkdir()
    rename_unit(copy(source[0], folder / "二单位" / "台账二.xlsx"), "示例市第二单位")
    return folder


@pytest.fixture(scope="module")
def served(folder):
    server = Served([folder])
    yield server
    server.stop()


@pytest.fixture
def ledger(folder, source) -> Path:
    """A fresh copy of the planted ledger inside the served folder, for a test that writes."""
    return copy(source[0], folder / "写入.xlsx")


def body(path: Path, **more) -> dict:
    return {"path": str(path), "today": TODAY.isoformat(), **more}


# --- the fixed part (LEDGER_SPEC §10) ------------------------------------------------------------

def test_first_line_is_the_url_and_it_listens_on_loopback_only(folder, tmp_path):
    info = tmp_path / "serve.json"
    proc = subprocess.Popen([sys.executable, "-m", "workbook_tools", "serve", str(folder), "--no-browser",
                             "--info-file", str(info)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().rstrip("\n")
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]{32,})", line)
        assert match, line
        port, token = int(match.group(1)), match.group(2)
        found = json.loads(info.read_text(encoding="utf-8"))
        assert (found["port"], found["token"], found["url"]) == (port, token, line)
        assert info.stat().st_mode & 0o077 == 0
        if Path("/proc/net/tcp").exists():
            listening = [ln.split() for ln in Path("/proc/net/tcp").read_text().splitlines()[1:]]
            local = {f[1] for f in listening if f[3] == "0A" and int(f[1].split(":")[1], 16) == port}
            assert local == {f"0100007F:{port:04X}"}
            six = Path("/proc/net/tcp6")
            assert not six.exists() or f":{port:04X} " not in six.read_text()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
    assert not info.exists()


def test_calls_without_or_with_a_wrong_token_are_refused(served, ledger):
    status, answer = served.post("check", body(ledger), token=False)
    assert status == 401 and answer["ok"] is False and answer["message"]
    status, answer = served.post("check", body(ledger), headers={"X-Ledger-Token": "x" * 43}, token=False)
    assert status == 403 and answer["ok"] is False
    status, _, _ = served.raw("GET", "/api/ledgers", token=False)
    assert status == 401
    status, headers, page = served.raw("GET", "/", token=False)   # the page itself holds no data
    assert status == 200 and b"<html" in page and "script-src 'self'" in headers["content-security-policy"]


def test_a_foreign_host_is_refused(served, ledger):
    for host in ("evil.example", f"evil.example:{served.port}", "127.0.0.1", f"192.168.0.1:{served.port}"):
        status, answer = served.post("check", body(ledger), host=host)
        assert status == 421 and answer["ok"] is False, host
    assert served.raw("GET", "/", host=f"attacker.test:{served.port}", token=False)[0] == 421
    assert served.post("check", body(ledger), host=f"localhost:{served.port}")[0] == 200


def test_paths_outside_the_opened_folder_are_refused(served, folder, tmp_path):
    outside = copy(folder / "台账.xlsx", tmp_path / "外面.xlsx")
    link = folder / "链接.xlsx"
    link.symlink_to(outside)
    try:
        for path in (str(outside), "/etc/passwd", "../外面.xlsx", str(folder / ".." / outside.name), str(link)):
            status, answer = served.post("check", {"path": path})
            assert status == 403 and answer["ok"] is False, path
        status, answer = served.post("print", {"path": str(folder / "台账.xlsx"), "form": "11", "ids": ["x"]})
        assert status == 409 and answer["ok"] is False
        assert served.post("check", {"path": "没有.xlsx"})[0] == 400
        assert served.post("check", {})[0] == 400
    finally:
        link.unlink()
    names = {item["name"] for item in json.loads(served.raw("GET", "/api/ledgers")[2])["ledgers"]}
    assert {"台账.xlsx", str(Path("二单位") / "台账二.xlsx")} <= names


def test_no_foreign_origin_and_never_null_even_with_the_token(served, folder):
    """A local file (Origin: null), another local server or a web site: no preflight, and a call that names
    such an origin is refused even with the right token; the service's own origin passes."""
    for origin in ("null", "http://127.0.0.1:3889", "http://localhost:1", "https://evil.example"):
        status, headers, _ = served.raw("OPTIONS", "/api/check", token=False, headers={
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-ledger-token, content-type"})
        assert status == 403 and "access-control-allow-origin" not in headers, origin
        status, answer = served.post("check", body(folder / "台账.xlsx"), headers={"Origin": origin})
        assert status == 403 and answer["ok"] is False and "findings" not in answer, origin
    status, answer = served.post("check", body(folder / "台账.xlsx"), headers={"Origin": f"http://127.0.0.1:{served.port}"})
    assert status == 200 and "findings" in answer


def test_allow_origin_refuses_null_and_wildcards(folder):
    from workbook_tools.core.model import LedgerError
    from workbook_tools.faces.service.run import Running

    for bad in ("null", "*", "file://", "http://x/path"):
        with pytest.raises(LedgerError):
            Running([folder], origins=(bad,))


# --- check: exactly the CLI's JSON ----------------------------------------------------------------

def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbook_tools", *args], capture_output=True, text=True)


def test_check_answers_the_cli_json_byte_for_byte(served, folder):
    path = folder / "台账.xlsx"
    status, headers, data = served.raw("POST", "/api/check", json.dumps(body(path)).encode(),
                                       {"Content-Type": "application/json"})
    done = cli("check", str(path), "--format", "json", "--today", TODAY.isoformat())
    assert status == 200 and headers["content-type"].startswith("application/json")
    stamp = re.compile(rb'"checked_at": "[0-9T:-]+"')
    assert stamp.sub(b"", data) == stamp.sub(b"", done.stdout.rstrip("\n").encode())
    rules = {f["rule"] for f in json.loads(data)["findings"]}
    assert {"BLANK-OEM", "NUM-MISSING", "TYPE-ENUM"} <= rules
    assert any(HOSTILE in f["message"] for f in json.loads(data)["findings"])


# --- every action ---------------------------------------------------------------------------------

def a8_rows(path: Path) -> int:
    return len(load_ledger(path).df(schema.A8))


def test_sheet_actions_write_through_the_safe_writer(served, ledger):
    for action, sheet in (("number", schema.A7), ("fix-blanks", schema.A7), ("annotate", schema.RESULTS),
                          ("overview", "概览"), ("stats", schema.A5), ("plan", schema.A4)):
        status, answer = served.post(action, body(ledger))
        assert status == 200 and answer["ok"] is True, (action, answer)
        assert answer["backup"] and Path(answer["backup"]).is_file(), action
        assert {c["sheet"] for c in answer["changes"]} >= {sheet} or action == "plan", (action, answer["changes"])
    check = json.loads(served.raw("POST", "/api/check", json.dumps(body(ledger)).encode())[2])
    assert not {"BLANK-OEM", "NUM-MISSING"} & {f["rule"] for f in check["findings"]}
    overview = served.post("overview", body(ledger))[1]["overview"]
    assert overview["software"] and "rate" in overview and overview["today"] == TODAY.isoformat()
    assert served.post("stats", body(ledger, year="2026"))[1]["stats"]["year"] == 2026


def test_register_from_the_approved_request_then_rollup_changes_a8(served, ledger, source):
    status, answer = served.post("requests", body(ledger, kind="安装"))
    assert status == 200
    request = next(r for r in answer["requests"] if r["申请编号"] == REQUEST)
    assert request["registered"] is False
    status, answer = served.post("install", {**body(ledger), "today": LATER.isoformat(), "rows": [request["row"]]})
    assert status == 200 and answer["complete"] is True, answer
    assert [c["sheet"] for c in answer["changes"]] == [schema.A9]
    assert served.post("requests", body(ledger, kind="安装"))[1]["requests"][-1]["registered"] is True
    before = a8_rows(ledger)
    status, answer = served.post("rollup", {**body(ledger), "today": LATER.isoformat()})
    assert status == 200, answer
    assert a8_rows(ledger) == before + 1 and any(c["sheet"] == schema.A8 for c in answer["changes"])
    pc, number = source[1]["computer"], source[1]["software"]
    status, answer = served.post("uninstall", {**body(ledger), "today": LATER.isoformat(), "computer": pc,
                                               "software": number, "date": LATER.isoformat()})
    assert status == 200 and answer["changes"][0]["sheet"] == schema.A9, answer


def test_a_refused_request_is_a_chinese_4xx(served, ledger):
    status, answer = served.post("upgrade", body(ledger, rows=[2]))
    assert status == 409 and answer["ok"] is False and "附件10 第 2 行" in answer["message"]
    status, answer = served.post("rollup", body(ledger, date="2030-01-01"))
    assert status == 409 and answer["ok"] is False and answer["exit_code"] == 1


def test_print_and_slip_return_the_pdf(served, ledger):
    slip = load_ledger(ledger).df(schema.A11)["确认单号"].dropna().iloc[0]
    status, headers, pdf = served.raw("POST", "/api/print", json.dumps(body(ledger, form="附件11", ids=[slip])).encode())
    assert status == 200 and headers["content-type"] == "application/pdf" and pdf.startswith(b"%PDF")
    assert "inline" in headers["content-disposition"]
    events = load_ledger(ledger).df(schema.A9)
    last = events.iloc[-1]
    status, headers, pdf = served.raw("POST", "/api/slip", json.dumps(
        body(ledger, computer=last["计算机编号"], date=last["日期"].date().isoformat())).encode())
    assert status == 200 and pdf.startswith(b"%PDF"), pdf[:200]
    lines = json.loads(unquote(headers["x-ledger-lines"]))
    assert any("附件11" in line for line in lines)


def test_long_print_reports_progress_and_hands_over_the_pdf(served, ledger, monkeypatch):
    """A long print at a test's size: pieces of 2 copies (a real one has 25), so 12 slips are 6 compilations."""
    monkeypatch.setattr(paging, "PIECE_COPIES", 2)
    numbers = slip_numbers(ledger, 12)
    view, seen = served.job("print", body(ledger, form="11", ids=",".join(numbers)))
    assert view["state"] == "done" and view["result"]["pdf"], view
    steps = [(v["done"], v["total"]) for v in seen if v["state"] == "running" and v["total"]]
    assert len(numbers) == 12 and steps and steps[-1][1] == 12 and len({d for d, _ in steps}) > 1
    status, _, pdf = served.raw("GET", view["result"]["pdf"])
    assert status == 200 and pdf.startswith(b"%PDF")


def test_multi_unit_stats(served, folder):
    paths = [str(folder / "台账.xlsx"), str(folder / "二单位" / "台账二.xlsx")]
    view, _ = served.job("stats", {"paths": paths, "year": 2026, "today": TODAY.isoformat(), "force": True})
    answer = view["result"]
    assert view["status"] == 200, answer
    assert [r[0] for r in answer["units"]["rows"]] == ["示例市行政审批局", "示例市第二单位"]
    one = answer["units"]["rows"][0]
    assert answer["total"]["总人数"] == 2 * one[answer["units"]["columns"].index("总人数")]
    assert Path(answer["output"]).is_file() and Path(answer["output"]).parent == folder
    status, answer = served.post("stats", {"paths": paths[:1] + ["/etc/x.xlsx"], "year": 2026})
    assert status == 403


def test_scan_of_uploaded_files_matches_the_cli(served, ledger, tmp_path):
    files = [*scan_files(ledger, 5), ("坏文件.csv", b"\x00\x01\x02PK\x03\x04" * 50)]
    data, kind = multipart({"path": str(ledger), "today": TODAY.isoformat()}, files)
    for name, content in files:
        (tmp_path / name).write_bytes(content)
    done = cli("scan", str(ledger), *(str(tmp_path / n) for n, _ in files), "--format", "json", "--today",
               TODAY.isoformat())
    status, _, answer = served.raw("POST", "/api/scan", data, {"Content-Type": kind})
    answer = json.loads(answer)
    assert status == 200, answer
    mine = [(f["rule"], f["cell"], Path(f["scan_file"] or "").name, f["scan_line"]) for f in answer["scan"]["findings"]]
    theirs = [(f["rule"], f["cell"], Path(f["scan_file"] or "").name, f["scan_line"])
              for f in json.loads(done.stdout)["findings"]]
    assert mine == theirs and ("SCAN-FILE-UNREADABLE", None, "坏文件.csv") in {m[:3] for m in mine}
    groups = answer["scan_groups"]      # the page shows the text report's grouping: kinds, errors first
    severities = [k["severity"] for k in groups["kinds"]]
    assert severities == sorted(severities, key=lambda s: s != "error")
    not_scanned = sum(f["rule"] == "SCAN-NOT-SCANNED" for f in answer["scan"]["findings"])
    assert groups["not_scanned"]["count"] == not_scanned > 0
    assert sum(k["count"] for k in groups["kinds"]) + not_scanned == len(answer["scan"]["findings"])
    assert str(tmp_path) not in json.dumps(answer, ensure_ascii=False).replace(str(ledger.parent), "")
    assert any(c["sheet"] == schema.RESULTS for c in answer["changes"])


def test_uploads_are_bounded(served, ledger):
    status, answer = served.post("scan", {"path": str(ledger)})
    assert status == 400 and answer["ok"] is False
    data, kind = multipart({"path": str(ledger)}, [("a.csv", b"x")])
    status, _, answer = served.raw("POST", "/api/scan", data, {"Content-Type": kind, "Content-Length": str(1 << 30)})
    assert status == 413 and json.loads(answer)["ok"] is False


def test_a_locked_ledger_is_refused_with_the_cli_message(served, ledger):
    lock = ledger.with_name("~$" + ledger.name)
    lock.write_bytes(b"owner")
    try:
        status, answer = served.post("number", body(ledger))
        done = cli("number", str(ledger))
    finally:
        lock.unlink()
    assert status == 423 and answer["ok"] is False and answer["exit_code"] == done.returncode == 2
    assert done.stderr.strip() == f"错误：{answer['message']}"


def test_errors_are_one_chinese_line_never_a_traceback(served, ledger, monkeypatch):
    status, answer = served.post("nothing", {})
    assert status == 404 and answer["ok"] is False
    status, _, data = served.raw("POST", "/api/check", b"{not json", {"Content-Type": "application/json"})
    assert status == 400 and json.loads(data)["ok"] is False
    assert served.raw("GET", "/api/check")[0] == 405
    monkeypatch.setitem(service_actions.ACTIONS, "boom", lambda call: 1 / 0)
    status, answer = served.post("boom", {})
    assert status == 500 and answer == {"ok": False, "message": answer["message"]}
    assert "ZeroDivisionError" in answer["message"] and "Traceback" not in answer["message"]
    assert re.search(r"[\u4e00-\u9fff]", answer["message"])


def test_changes_reads_the_change_log(served, ledger):
    served.post("number", body(ledger))
    status, answer = served.post("changes", body(ledger, limit=5))
    assert status == 200 and 0 < len(answer["changes"]) <= 5
    assert answer["changes"][-1]["操作"] == "自动编号" or answer["changes"][-1]["表"]


def test_the_page_never_builds_html_from_data():
    from importlib import resources

    script = (resources.files("workbook_tools.faces.service") / "static" / "app.js").read_text(encoding="utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", script)
    page = (resources.files("workbook_tools.faces.service") / "static" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script>|https?://|//cdn", page.replace('xmlns="http://www.w3.org/2000/svg"', ""))


def test_print_by_a9_rows_and_scan_of_the_folder_beside_the_ledger(served, ledger):
    a9 = load_ledger(ledger).df(schema.A9)
    picked = a9[a9["确认单号"].notna()].iloc[0]
    status, _, pdf = served.raw("POST", "/api/print", json.dumps(
        body(ledger, form="11", rows=[int(picked["_row"])])).encode())
    assert status == 200 and pdf.startswith(b"%PDF")
    status, answer = served.post("print", body(ledger, form="7", rows=[2]))
    assert status == 400 and answer["exit_code"] == 2
    status, answer = served.post("print", body(ledger, form="11", rows=[1]))   # the header row: no 确认单号
    assert status == 400 and "确认单号" in answer["message"]
    status, answer = served.post("scan", body(ledger, folder=True))
    assert status == 400 and "扫描结果" in answer["message"]


def test_review_and_renew_through_the_service(served, ledger):
    status, answer = served.post("review", body(ledger, year=str(TODAY.year)))
    assert status == 200 and answer["ok"] is True, answer
    assert schema.REVIEW in {c["sheet"] for c in answer["changes"]}
    assert answer["review"]["year"] == TODAY.year
    status, answer = served.post("renew", body(ledger))
    assert status == 200 and "没有待办的续订" in answer["message"]
    a7 = load_ledger(ledger).df(schema.A7)
    due = a7.loc[a7["备注"] == "按年订阅，到期续订", "软件编号"].iloc[0]
    status, answer = served.post("renew", body(ledger, old=due, amount="1000", term="1年"))
    assert status == 200 and answer["ok"] is True, answer
    assert {c["sheet"] for c in answer["changes"]} >= {schema.A7, schema.A9}
    moves = load_ledger(ledger).df(schema.A9)["备注"].dropna()
    assert moves.str.startswith(f"续订：{due}→").sum() >= 2
    status, answer = served.post("renew", body(ledger, old=due, amount="-1"))
    assert status >= 400 and answer["ok"] is False
