"""Every failure outside the writer: one Chinese line on stderr, exit 1 or 2 (130 after Ctrl-C), no traceback,
no English library text, nothing printed at interpreter exit."""
from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time

import pytest
from builders import clean_unit, make_ledger, run_cli
from test_extent import ROOT

ENGLISH = ("Usage:", "Error:", "Traceback", "Exception ignored", "Try '", "panicked", "No such", "Invalid value",
           "Did you mean")


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), err
    assert not any(word in err for word in ENGLISH), err
    return lines[0]


@pytest.mark.parametrize("args", [
    ["add-free", "x.xlsx"],                                # missing option
    ["stats", "x.xlsx", "--year", "abc"],                  # not an integer
    ["check", "--format", "xml", "x.xlsx"],                # not a choice
    ["check", "--bogus", "x.xlsx"],                        # no such option
    ["check", "a.xlsx", "b.xlsx"],                         # extra argument
    ["check"],                                             # missing argument
    ["nope"],                                              # no such command
    ["print", "附件1", "x.xlsx", "-o"],                     # option without its value
])
def test_usage_errors_are_one_chinese_line(capsys, args):
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == ""
    one_line(err)


@pytest.mark.parametrize("typed, meant", [("chek", "check"), ("instal", "install"), ("rolup", "rollup"), ("CHECK", "check")])
def test_a_mistyped_command_suggests_the_right_one_in_chinese(capsys, typed, meant):
    code, out, err = run_cli(capsys, typed, "示例台账.xlsx")
    line = one_line(err)
    assert code == 2 and out == ""
    assert f"「{typed}」" in line and f"是否指 {meant}" in line and "'" not in line and "Did you mean" not in line


@pytest.mark.parametrize("args, command", [(["check", "x.xlsx", "--today"], "ledger check"),
                                           (["print", "附件1", "x.xlsx", "-o"], "ledger print"),
                                           (["wps", "build", "-o"], "ledger wps build")])
def test_an_option_without_its_value_points_to_its_own_command_help(capsys, args, command):
    code, _, err = run_cli(capsys, *args)
    assert code == 2 and f"{command} --help" in one_line(err)


def test_an_internal_error_shows_no_library_text(capsys, monkeypatch, tmp_path):
    path = make_ledger(tmp_path, **clean_unit())

    def broken(*_args, **_kw):
        raise RuntimeError("something English went wrong")

    monkeypatch.setattr("workbook_tools.read.reader.load_ledger", broken)
    code, _, err = run_cli(capsys, "check", path)
    assert code == 2 and "RuntimeError" in one_line(err) and "English" not in err


@pytest.mark.parametrize("number, words", [(errno.ENOSPC, "磁盘空间不足"), (errno.EROFS, "只读"),
                                           (errno.ENOENT, "不存在"), (errno.EACCES, "没有权限")])
def test_os_errors_have_their_own_message(capsys, monkeypatch, tmp_path, number, words):
    path = make_ledger(tmp_path, **clean_unit())

    def failing(*_args, **_kw):
        raise OSError(number, os.strerror(number), str(path))

    monkeypatch.setattr("workbook_tools.read.reader.load_ledger", failing)
    code, _, err = run_cli(capsys, "check", path)
    line = one_line(err)
    assert code == 2 and words in line and path.name in line


def test_debug_shows_the_details(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("workbook_tools.read.reader.load_ledger",
                        lambda *_a, **_k: (_ for _ in ()).throw(RuntimeError("details")))
    with pytest.raises(RuntimeError):
        from workbook_tools.faces.cli import main

        main(["--debug", "check", str(make_ledger(tmp_path, **clean_unit()))])


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


# The child runs `ledger init --demo` with one hook: when the demo starts being built it creates the
# file named first, so that Ctrl-C is sent while the command is at work, however slow the machine.
# SIGINT is reset to Python's own handler first: a test run started as a background job (`cmd &` without job
# control) inherits SIGINT ignored, whereas a terminal's Ctrl-C always reaches the command.
READY_HOOK = """
import pathlib, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
time.sleep(float(sys.argv.pop(2)))        # a start as slow as on a loaded machine
import workbook_tools.demo as demo
build = demo.build
def build_when_ready(*args, **kwargs):
    pathlib.Path(sys.argv[1]).write_text("ready")
    return build(*args, **kwargs)
demo.build = build_when_ready
from workbook_tools.faces.cli import main
main(sys.argv[2:])
"""


@pytest.mark.parametrize("slow_start", ["0", "4"])
def test_ctrl_c_is_exit_130_and_one_line(tmp_path, slow_start):
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", READY_HOOK, str(ready), slow_start, "init", "大.xlsx", "--demo", "--staff", "2000",
                             "--computers", "2500", "--events", "150000", "--seed", "1", "--today", "2026-11-26"],
                            cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300              # generous for a loaded machine, but bounded
    while not ready.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists() and proc.poll() is None, "the command never started building the demo"
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=300)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    one_line(err)
    assert not (tmp_path / "大.xlsx").exists()


def test_a_closed_pipe_is_quiet(tmp_path):
    path = make_ledger(tmp_path, **clean_unit())
    proc = subprocess.Popen([sys.executable, "-m", "workbook_tools", "check", str(path), "--format", "json",
                             "--today", "2026-03-01"], env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.wait(timeout=120)
    assert proc.returncode in (0, 1) and "Exception ignored" not in err and "Traceback" not in err
