"""Helpers of the `ledger serve` tests: a demo folder with planted findings, a server in a thread, raw HTTP calls."""
from __future__ import annotations

import datetime as dt
import http.client
import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from workbook_tools.core import schema
from workbook_tools.core.model import Change
from workbook_tools.files.writer import write_workbook
from workbook_tools.read.reader import load_ledger

TODAY = dt.date(2026, 11, 20)
LATER = dt.date(2026, 11, 30)
HOSTILE = "<img src=x onerror=alert(1)>"
REQUEST = "SQ-2026-9001"


def demo(path: Path) -> Path:
    subprocess.run([sys.executable, "-m", "workbook_tools", "init", str(path), "--demo", "--today", TODAY.isoformat()],
                   check=True, capture_output=True)
    return path


def new_pair(ledger) -> tuple[str, str, str]:
    """(computer in use, free software name, its number) not installed together in 附件8."""
    a7, a8, pcs = ledger.df(schema.A7), ledger.df(schema.A8), ledger.df("计算机")
    installed = set(zip(a8["计算机编号"], a8["软件编号"]))
    free = a7[(a7["软件类型"] == "免费软件") & a7["软件编号"].notna()]
    for pc in pcs[pcs["状态"] == "在用"]["计算机编号"]:
        for number, name in zip(free["软件编号"], free["软件名称"]):
            if (pc, number) not in installed:
                return pc, name, number
    raise AssertionError("demo unit has every free software everywhere")


def plant(path: Path) -> dict:
    """Findings (BLANK-OEM, NUM-MISSING, TYPE-ENUM with a hostile value) and one approved 附件10 install request."""
    ledger = load_ledger(path)
    a7 = ledger.df(schema.A7)
    oem = int(a7[a7["软件类型"] == "OEM软件"]["_row"].iloc[0])
    pc, name, number = new_pair(ledger)

    def edit(book):
        t = book.table(schema.A7)
        t.set(oem, "采购金额", 123.0)
        row = t.append({"软件名称": HOSTILE, "软件类型": "免费软件", "产地": HOSTILE, "软件类别": "其他软件"})
        req = book.table(schema.A10).append({"申请编号": REQUEST, "计算机编号": pc, "申请类型": "安装", "软件名称": name,
                                            "申请时间": TODAY, "状态": "已批准"})
        return [Change(action="准备", sheet=schema.A7, row=row, content="planted"),
                Change(action="准备", sheet=schema.A10, row=req, content="planted")]

    ledger[schema.A7].ensure_room()
    ledger[schema.A10].ensure_room()
    write_workbook(path, edit, "准备", ledger=ledger)
    return {"computer": pc, "software": number, "name": name}


def copy(source: Path, target: Path) -> Path:
    shutil.copy(source, target)
    return target


class Served:
    """A `Running` service in a thread for one test module."""

    def __init__(self, roots: list[Path]):
        from workbook_tools.faces.service.run import Running

        self.running = Running(roots)
        self.thread = self.running.start_thread()
        self.port, self.token, self.url = self.running.port, self.running.token, self.running.url

    def stop(self) -> None:
        self.running.stop(self.thread)

    def raw(self, method: str, target: str, body: bytes | None = None, headers: dict | None = None,
            token: bool = True, host: str | None = None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        sent = {"Host": host or f"127.0.0.1:{self.port}", **(headers or {})}
        if token:
            sent["X-Ledger-Token"] = self.token
        conn.request(method, target, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def post(self, action: str, body: dict, **kw) -> tuple[int, dict | bytes]:
        status, headers, data = self.raw("POST", f"/api/{action}", json.dumps(body).encode(),
                                         {"Content-Type": "application/json", **kw.pop("headers", {})}, **kw)
        return status, (json.loads(data) if headers.get("content-type", "").startswith("application/json") else data)

    def job(self, action: str, body: dict) -> tuple[dict, list[dict]]:
        """The action as a job, polled to its end: (final view, the views seen while it ran)."""
        status, view = self.post(action, body, headers={"Prefer": "respond-async"})
        assert status == 202, view
        seen = []
        while view["state"] == "running":
            threading.Event().wait(0.05)
            _, _, data = self.raw("GET", f"/api/jobs/{view['job']}")
            view = json.loads(data)
            seen.append(view)
        return view, seen


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = "----ledger-test-boundary"
    parts = []
    for k, v in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for name, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                     "Content-Type: text/csv\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def slip_numbers(path: Path, count: int) -> list[str]:
    """The first `count` 确认单号 of the ledger's 附件9 (for a print of some slips)."""
    return list(load_ledger(path)[schema.A9].df["确认单号"].dropna().astype(str).unique()[:count])


def scan_files(path: Path, count: int) -> list[tuple[str, bytes]]:
    """`count` scan exports (CSV) of computers of the ledger, listing what 附件8 says they have."""
    ledger = load_ledger(path)
    a8 = ledger.df(schema.A8)
    out = []
    for pc, rows in list(a8.groupby("计算机编号"))[:count]:
        lines = ["计算机名,DisplayName,DisplayVersion,Publisher"]
        lines += [f"{pc},{name},{version or ''}," for name, version in zip(rows["软件名称"], rows["软件版本"])]
        out.append((f"{pc}.csv", ("\n".join(lines) + "\n").encode("utf-8")))
    return out


def rename_unit(path: Path, name: str) -> None:
    from workbook_tools.ops.rollup import SettingChange, write_settings

    write_workbook(path, lambda book: write_settings(book, [SettingChange(key="单位名称", old=None, new=name)]), "准备")


CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def browser(profile: Path, width: int = 1400, height: int = 1000):
    """Headless Debian Chromium through its chromedriver (no browser download), a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", f"--window-size={width},{height}", "--lang=zh-CN"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
