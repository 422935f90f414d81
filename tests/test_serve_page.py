"""The page of `ledger serve` in a real headless Chromium: the ribbon's buttons do what the CLI does."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from servekit import (
    CHROMEDRIVER,
    CHROMIUM,
    HOSTILE,
    LATER,
    REQUEST,
    TODAY,
    Served,
    browser,
    copy,
    demo,
    plant,
    rename_unit,
    scan_files,
    slip_numbers,
)

from workbook_tools.core import schema
from workbook_tools.forms import paging
from workbook_tools.read.reader import load_ledger

pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                                reason="needs Debian chromium and chromium-driver (scripts/system-deps.sh)")

WAIT = 120


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("page")
    plant(demo(folder / "台账.xlsx"))
    rename_unit(copy(folder / "台账.xlsx", folder / "第二单位.xlsx"), "示例市第二单位")
    return folder


@pytest.fixture(scope="module")
def page(folder, tmp_path_factory):
    from selenium.webdriver.support.ui import WebDriverWait

    server = Served([folder])
    driver = browser(tmp_path_factory.mktemp("profile"))
    driver.get(f"{server.url}&path=台账.xlsx")
    WebDriverWait(driver, WAIT).until(lambda d: d.execute_script("return document.body.dataset.done") == "1")
    yield driver
    driver.quit()
    server.stop()


def js(driver, script: str, *args):
    return driver.execute_script(script, *args)


def click(driver, selector: str) -> None:
    """Click a button and wait until the page says the action finished."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    before = js(driver, "return Number(document.body.dataset.done || 0)")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, WAIT).until(lambda d: js(d, "return Number(document.body.dataset.done || 0)") > before)


def set_today(driver, day) -> None:
    js(driver, "document.getElementById('today').value = arguments[0]", day.isoformat())


def shown_findings(driver) -> list[tuple[str, str, str]]:
    return [tuple(row) for row in js(driver, """return [...document.querySelectorAll('#findings tr.finding')]
        .map(tr => [tr.dataset.sheet, tr.dataset.cell, tr.dataset.rule]);""")]


def cli_findings(path: Path, day) -> list[tuple[str, str, str]]:
    done = subprocess.run([sys.executable, "-m", "workbook_tools", "check", str(path), "--format", "json", "--today",
                           day.isoformat()], capture_output=True, text=True)
    return [(f["sheet"] or "（全局）", f["cell"] or "", f["rule"]) for f in json.loads(done.stdout)["findings"]]


def test_opened_with_a_path_it_shows_the_cli_findings_as_text(page, folder):
    set_today(page, TODAY)
    click(page, "[data-action=check]")
    assert shown_findings(page) == cli_findings(folder / "台账.xlsx", TODAY)
    texts = js(page, "return [...document.querySelectorAll('#findings td')].map(td => td.textContent)")
    assert any(HOSTILE in t for t in texts)
    assert js(page, "return document.querySelectorAll('#findings img, body img').length") == 0
    from selenium.common.exceptions import NoAlertPresentException

    with pytest.raises(NoAlertPresentException):
        page.switch_to.alert.text  # noqa: B018 - no script of the ledger ran


def test_findings_filter_by_rule_and_severity(page):
    from selenium.webdriver.support.ui import Select

    Select(page.find_element("id", "f-rule")).select_by_value("TYPE-ENUM")
    assert {r for _, _, r in shown_findings(page)} == {"TYPE-ENUM"}
    Select(page.find_element("id", "f-rule")).select_by_value("")
    Select(page.find_element("id", "f-severity")).select_by_value("warning")
    assert all(js(page, "return [...document.querySelectorAll('#findings tr.finding')].map(tr => tr.classList"
                        ".contains('warning'))"))
    Select(page.find_element("id", "f-severity")).select_by_value("")


def test_register_the_approved_request_then_rollup_changes_a8(page, folder):
    path = folder / "台账.xlsx"
    before = len(load_ledger(path).df(schema.A8))
    set_today(page, LATER)
    click(page, "[data-panel=register][data-kind=安装]")
    rows = js(page, "return [...document.querySelectorAll('#requests tbody tr')].map(tr => tr.textContent)")
    assert any(REQUEST in r for r in rows)
    click(page, "#register-go")
    assert js(page, "return document.getElementById('message').className") == ""
    page.find_element("css selector", "[data-panel=rollup]").click()
    click(page, "#rollup-go")
    assert len(load_ledger(path).df(schema.A8)) == before + 1
    page.find_element("css selector", "[data-tab=changes]").click()
    logged = js(page, """return [...document.querySelectorAll('#changes tr.change')]
        .map(tr => [tr.dataset.action, tr.children[0].textContent]);""")
    assert ["rollup", schema.A8] in logged and ["install", schema.A9] in logged


def test_print_a_slip_opens_the_pdf(page, folder):
    from selenium.webdriver.support.ui import WebDriverWait

    slip = load_ledger(folder / "台账.xlsx").df(schema.A11)["确认单号"].dropna().iloc[-1]
    page.find_element("css selector", "[data-panel=print][data-form='11']").click()
    page.find_element("id", "print-ids").send_keys(slip)
    js(page, "delete document.getElementById('pdf-link').dataset.bytes")
    click(page, "#print-go")
    WebDriverWait(page, WAIT).until(lambda d: js(d, "return document.getElementById('pdf-link').dataset.bytes"))
    head = page.execute_async_script("""const done = arguments[arguments.length - 1];
        fetch(document.getElementById('pdf-link').href).then(r => r.arrayBuffer())
          .then(b => done(String.fromCharCode(...new Uint8Array(b.slice(0, 5))))).catch(e => done(String(e)));""")
    assert head == "%PDF-"
    assert js(page, "return document.getElementById('pdf-frame').hidden") is False
    assert (folder / f"台账_附件11_{slip}.pdf").is_file()


def test_progress_is_shown_while_slips_are_printed(page, folder, monkeypatch):
    """A long print at a test's size: pieces of 2 copies (a real one has 25), so 12 slips are 6 compilations."""
    from selenium.webdriver.support.ui import WebDriverWait

    monkeypatch.setattr(paging, "PIECE_COPIES", 2)
    numbers = slip_numbers(folder / "台账.xlsx", 12)
    page.find_element("css selector", "[data-panel=print][data-form='11']").click()
    page.find_element("id", "print-ids").clear()
    page.find_element("id", "print-ids").send_keys(",".join(numbers))
    page.find_element("id", "print-go").click()
    seen: set[str] = set()

    def finished(driver) -> bool:
        state = js(driver, "return [document.body.dataset.busy || '', document.body.dataset.progress || '',"
                           " !document.getElementById('progress').hidden]")
        if state[0] and state[2]:
            seen.add(state[1])
        return not state[0] and bool(seen)

    WebDriverWait(page, WAIT, poll_frequency=0.05).until(finished)
    totals = {s.split(" ")[0].split("/")[1] for s in seen if "/" in s}
    assert len(numbers) == 12 and len(seen) > 1 and "12" in totals <= {"0", "12"}, seen


def test_scan_files_chosen_in_the_page_are_checked(page, folder, tmp_path):
    paths = []
    for name, data in [*scan_files(folder / "第二单位.xlsx", 3), ("坏.csv", b"\x00\x01PK" * 20)]:
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    from selenium.webdriver.support.ui import Select

    Select(page.find_element("id", "ledger")).select_by_visible_text("第二单位.xlsx")
    page.find_element("css selector", "[data-panel=scan]").click()
    page.find_element("id", "scan-files").send_keys("\n".join(paths))
    click(page, "#scan-go")
    rules = {r for _, _, r in shown_findings(page)}
    assert "SCAN-FILE-UNREADABLE" in rules          # grouped by kind, errors first, as the text report
    heads = js(page, "return [...document.querySelectorAll('#findings h3.kind')].map(h => h.dataset.rule)")
    assert "SCAN-FILE-UNREADABLE" in heads and "SCAN-NOT-SCANNED" not in heads
    line = js(page, "return document.querySelector('#findings p.not-scanned').textContent")
    assert line.startswith("未扫描的在用计算机") and "SCAN-NOT-SCANNED" in line
    places = js(page, "return [...document.querySelectorAll('#findings tr.finding td:first-child')].map(td => td.textContent)")
    assert any(p.startswith("坏.csv") for p in places) and not any(str(tmp_path) in p for p in places)


def test_several_units_give_the_consolidated_annex5_and_the_unit_table(page, folder):
    page.find_element("css selector", "[data-tab=stats]").click()
    js(page, "document.querySelectorAll('#multi-list input').forEach(b => { b.checked = true; })")
    click(page, "#multi-go")
    units = js(page, """return [...document.querySelectorAll('#multi-result table')].pop()
        .querySelectorAll('tbody tr').length""")
    assert units == 2
    assert (folder / "附件5汇总_2026.xlsx").is_file()
