"""The add-in's task pane (taskpane.html) in a real headless Chromium, with a fake `wps` injected before its scripts:
the findings of a real check are shown as text, grouped by sheet, filtered; a click selects the cell.

With WPS_SCREENSHOT=docs/wps_taskpane.png set, the screenshot of docs/wps.md is written there.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from servekit import CHROMEDRIVER, CHROMIUM, HOSTILE, TODAY, browser, demo, plant

from workbook_tools.dist.wps.build import build_addin

pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                                reason="needs Debian chromium and chromium-driver (scripts/system-deps.sh)")

FAKE = """
window.__selects = []; window.__shell = [];
const pane = %s;
const sheet = (name) => ({ Name: name, Activate() {}, Range: (a) => ({ Select() { window.__selects.push([name, a]); } }) });
const names = %s;
const book = { FullName: pane.path, Activate() {},
               Sheets: { Item: (n) => { if (!names.includes(n)) throw new Error(n); return sheet(n); } } };
window.Application = { ActiveWorkbook: book, Workbooks: { Count: 1, Item: () => book } };
window.wps = { PluginStorage: { getItem: (k) => (k === "ledger.pane" ? JSON.stringify(pane) : null), setItem() {} },
               OAAssist: { ShellExecute: (u) => window.__shell.push(u) } };
"""


@pytest.fixture(scope="module")
def findings(tmp_path_factory) -> tuple[Path, dict]:
    path = demo(tmp_path_factory.mktemp("pane") / "台账.xlsx")
    plant(path)
    done = subprocess.run([sys.executable, "-m", "workbook_tools", "check", str(path), "--format", "json",
                           "--today", TODAY.isoformat()], capture_output=True, text=True)
    return path, json.loads(done.stdout)


@pytest.fixture(scope="module")
def page(findings, tmp_path_factory):
    from openpyxl import load_workbook

    path, check = findings
    addin = build_addin(tmp_path_factory.mktemp("addin") / "workbook-tools").path
    data = {"title": "校验台账", "path": str(path), "findings": check["findings"],
            "lines": [f"校验完成：{check['counts']['error']} 个错误，{check['counts']['warning']} 个警告。"],
            "page": "http://127.0.0.1:1/?token=x&path=" + str(path)}
    names = load_workbook(path, read_only=True).sheetnames
    driver = browser(tmp_path_factory.mktemp("profile"), width=520, height=760)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                           {"source": FAKE % (json.dumps(data, ensure_ascii=False), json.dumps(names, ensure_ascii=False))})
    driver.get((addin / "taskpane.html").as_uri())
    yield driver, data
    driver.quit()


def rows(driver) -> list:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, "tr.finding")


def test_findings_are_listed_by_sheet_as_text(page):
    driver, data = page
    assert len(rows(driver)) == len(data["findings"]) >= 3
    body = driver.find_element("tag name", "body")
    assert HOSTILE in body.text and not driver.find_elements("css selector", "img")   # text, never HTML
    headings = [h.text for h in driver.find_elements("css selector", "h2")]
    assert all(any(h.startswith(f["sheet"]) for h in headings) for f in data["findings"] if f.get("sheet"))
    assert driver.find_element("id", "title").text == "校验台账"


def test_a_click_selects_the_cell_and_the_filter_narrows(page):
    driver, data = page
    target = next(i for i, f in enumerate(data["findings"]) if f.get("cell"))
    rows(driver)[target].click()
    finding = data["findings"][target]
    assert driver.execute_script("return window.__selects") == [[finding["sheet"], finding["cell"]]]
    assert driver.find_element("id", "status").text == ""
    shot = os.environ.get("WPS_SCREENSHOT")
    if shot:
        driver.save_screenshot(str(Path(shot)))
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "severity")).select_by_value("warning")
    assert len(rows(driver)) == sum(f["severity"] == "warning" for f in data["findings"])
    Select(driver.find_element("id", "severity")).select_by_value("")
    driver.find_element("id", "page").click()
    assert driver.execute_script("return window.__shell") == [data["page"]]
