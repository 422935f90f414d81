"""`ledger serve` stops cleanly and restarts at once; what it will not treat as a ledger or write through.

* SIGTERM, SIGHUP (the terminal closed) and Ctrl-C: the discovery file is removed, exit status 0, no 错误 line
  (Ctrl-C says 已停止);
* a restart on the same --port right after a stop that left connections in TIME_WAIT works (SO_REUSEADDR);
* a folder named x.xlsx is not a ledger;
* writes are refused for a file that is also reachable under a name outside the served folders (a hard link),
  and for a symbolic link pointing out of them; a file whose every name is inside is written.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from servekit import TODAY, Served, copy, demo, plant


def start(folder: Path, info: Path, *more: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "workbook_tools", "serve", "--no-browser", "--info-file", str(info),
                             *more, str(folder)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("http://127.0.0.1:"), proc.stderr.read()
    deadline = time.monotonic() + 30
    while not info.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return proc


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_signal_stops_it_cleanly(name, tmp_path):
    info = tmp_path / "serve.json"
    proc = start(tmp_path, info)
    assert json.loads(info.read_text())["pid"] == proc.pid
    proc.send_signal(getattr(signal, name))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert not info.exists()
    assert "错误" not in err and "Traceback" not in err
    assert "本机服务已停止" in err.splitlines()[-1]
    if name == "SIGINT":
        assert "Ctrl-C" in err.splitlines()[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_restart_on_the_same_port_works_at_once(tmp_path):
    port = free_port()
    info = tmp_path / "serve.json"
    first = start(tmp_path, info, "--port", str(port))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)   # a keep-alive connection the server closes
    conn.request("GET", "/", headers={"Host": f"127.0.0.1:{port}"})
    assert conn.getresponse().read()
    first.send_signal(signal.SIGTERM)
    first.communicate(timeout=30)
    conn.close()
    again = start(tmp_path, info, "--port", str(port))
    try:
        assert json.loads(info.read_text())["port"] == port
    finally:
        again.send_signal(signal.SIGTERM)
        again.communicate(timeout=30)


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = demo(tmp_path_factory.mktemp("demo") / "台账.xlsx")
    plant(path)
    return path


@pytest.fixture
def served(tmp_path):
    folder = tmp_path / "served"
    folder.mkdir()
    server = Served([folder])
    yield server, folder
    server.stop()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_folder_named_like_a_workbook_is_not_a_ledger(served, source):
    server, folder = served
    (folder / "x.xlsx").mkdir()
    copy(source, folder / "真.xlsx")
    listed = json.loads(server.raw("GET", "/api/ledgers")[2])["ledgers"]
    assert [item["name"] for item in listed] == ["真.xlsx"]
    for action in ("check", "annotate"):
        status, answer = server.post(action, {"path": "x.xlsx", "today": TODAY.isoformat()})
        assert 400 <= status < 500 and answer["ok"] is False, answer


def test_writes_through_a_hard_link_to_a_file_outside_are_refused(served, source, tmp_path):
    server, folder = served
    outside = copy(source, tmp_path / "外面.xlsx")
    inside = folder / "链接.xlsx"
    os.link(outside, inside)
    before = sha(outside)
    for action in ("annotate", "number", "fix-blanks"):
        status, answer = server.post(action, {"path": str(inside), "today": TODAY.isoformat()})
        assert status == 403 and answer["ok"] is False and "硬链接" in answer["message"], answer
    assert sha(outside) == before and os.stat(inside).st_nlink == 2
    status, answer = server.post("check", {"path": str(inside), "today": TODAY.isoformat()})
    assert status == 200 and answer["findings"]           # reading it is harmless


def test_a_hard_link_whose_every_name_is_inside_is_written(served, source):
    server, folder = served
    first = copy(source, folder / "甲.xlsx")
    (folder / "子").mkdir()
    os.link(first, folder / "子" / "乙.xlsx")
    status, answer = server.post("annotate", {"path": str(first), "today": TODAY.isoformat()})
    assert status == 200 and answer["ok"] is True, answer


def test_writes_through_a_symlink_out_of_the_folder_are_refused(served, source, tmp_path):
    server, folder = served
    outside = copy(source, tmp_path / "外面.xlsx")
    (folder / "捷径.xlsx").symlink_to(outside)
    before = sha(outside)
    status, answer = server.post("annotate", {"path": "捷径.xlsx", "today": TODAY.isoformat()})
    assert status == 403 and answer["ok"] is False
    assert sha(outside) == before
