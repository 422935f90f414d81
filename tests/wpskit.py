"""Helpers of the WPS add-in tests: `ledger serve` started as the login launcher starts it (serving the add-in
under /wps/<key>/), and the add-in's scripts, fetched from it, run under node against a fake WPS
(tests/wps_harness.js)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "tests" / "wps_harness.js"
NODE = shutil.which("node")


def sheet_names(path: Path) -> list[str]:
    book = load_workbook(path, read_only=True)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


KEY = "k" * 8 + "TestKey_0123456789-abcdefghijklmnop"   # a valid add-in key (32–64 URL-safe characters)


class Service:
    """`python -m workbook_tools serve --no-browser [--wps-key-file K] [--info-file I] <folder>` in a child process,
    or exactly `argv` (the login launcher's command)."""

    def __init__(self, folder: Path | None = None, key_file: Path | None = None, env: dict | None = None,
                 info: Path | None = None, argv: list[str] | None = None):
        if argv is None:
            argv = [sys.executable, "-m", "workbook_tools", "serve", "--no-browser", str(folder)]
            if key_file is not None:
                argv[5:5] = ["--wps-key-file", str(key_file)]
            if info is not None:
                argv[5:5] = ["--info-file", str(info)]
        self.info = info
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **(env or {})})
        self.url = self.proc.stdout.readline().strip()
        assert self.url.startswith("http://127.0.0.1:"), self.proc.stderr.read()
        self.port = int(self.url.split(":")[2].split("/")[0])
        self.token = self.url.split("token=", 1)[1]
        key = key_file.read_text().strip() if key_file is not None else None
        self.addin = f"http://127.0.0.1:{self.port}/wps/{key}/" if key else None

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()


def key_file(folder: Path) -> Path:
    path = folder / "wps-key"
    path.write_text(KEY)
    path.chmod(0o600)
    return path


def run(addin: str | dict, tmp: Path, workbook: Path, tag: str, **scenario) -> dict:
    """One click of the button `tag` on `workbook` (open in the fake WPS); what the add-in did.  `addin` is the
    add-in's url, or the fake WPS's folders ({platform, jsaddons, oemIni}) in which it finds our entry."""
    names = sheet_names(workbook)
    where = {"url": addin} if isinstance(addin, str) else {"wps": addin}
    data = {**where, "tag": tag, "answers": [],
            "book": {"path": str(workbook), "sheets": names, "activeSheet": names[0],
                     **scenario.pop("book", {})}, **scenario}
    file = tmp / f"scenario-{time.monotonic_ns()}.json"
    file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([NODE, str(HARNESS), str(file)], capture_output=True, text=True, timeout=600)
    out = json.loads(done.stdout)
    assert done.returncode == 0 and "error" not in out, (out.get("error"), done.stderr)
    return out


def events(out: dict, *names: str) -> list[dict]:
    return [e for e in out["log"] if e["event"] in names]


def first(out: dict, event: str, path: str | None = None) -> int:
    """Index in the log of the first `event` (a request to `path`)."""
    return next(i for i, e in enumerate(out["log"]) if e["event"] == event and (path is None or e.get("path") == path))
