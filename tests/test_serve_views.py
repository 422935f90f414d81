"""The page's views that speak to clerks, in a real headless Chromium, with a screenshot of each.

* findings name the page's buttons (「自动编号」, 「半年更新」) where `ledger check` names commands — the same
  finding carries both (`message`, `page_hint`); /api/check without `hints` stays the §6 JSON;
* 单元格, 级别 and 规则 never wrap; the 今天 field says that empty means today;
* 半年更新 has a 截至日期 and a 强制执行 control, its refusal names them, and after a refused write the page
  shows the tab that answers the button with the focus on the reason;
* chart labels are cut only past the room they have (48 columns, a CJK character counting 2), so the two
  Microsoft Office entries no longer both read "Microsoft O…"; every label carries its full name as tooltip.

With SERVE_SCREENSHOTS=docs the screenshots of docs/serve.md are written there (serve.png, serve_rollup.png,
serve_overview.png); they are always written to the test's temporary folder.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from servekit import CHROMEDRIVER, CHROMIUM, TODAY, Served, browser, copy, demo, plant
from test_serve_page import click, js, set_today

pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                                reason="needs Debian chromium and chromium-driver (scripts/system-deps.sh)")
WAIT = 120
@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("views")
    plant(demo(folder / "台账.xlsx"))
    return folder


@pytest.fixture(scope="module")
def page(folder, tmp_path_factory):
    from selenium.webdriver.support.ui import WebDriverWait

    server = Served([folder])
    driver = browser(tmp_path_factory.mktemp("profile"), 1400, 900)
    driver.get(f"{server.url}&path=台账.xlsx")
    WebDriverWait(driver, WAIT).until(lambda d: js(d, "return document.body.dataset.done") == "1")
    yield driver, server
    driver.quit()
    server.stop()


def shoot(driver, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    driver.save_screenshot(str(target))
    if os.environ.get("SERVE_SCREENSHOTS"):
        driver.save_screenshot(str(Path(os.environ["SERVE_SCREENSHOTS"]) / name))
    return target


def test_findings_name_the_page_buttons_and_codes_do_not_wrap(page, folder, tmp_path):
    driver, server = page
    set_today(driver, TODAY)
    click(driver, "[data-action=check]")
    rows = js(driver, """return [...document.querySelectorAll('#findings tr.finding')].map(tr =>
        [tr.dataset.rule, tr.children[3].textContent, tr.children[3].title])""")
    numbering = [r for r in rows if r[0] == "NUM-MISSING"]
    assert numbering and all("「自动编号」" in text and "ledger" not in text for _, text, _ in numbering)
    assert all("ledger number" in title for _, _, title in numbering)          # the CLI's words on hover
    assert not any("ledger rollup" in text or "ledger number" in text for _, text, _ in rows)
    styles = js(driver, """return [...document.querySelectorAll('#findings td.cell, #findings td.sev, #findings td.code')]
        .map(td => [getComputedStyle(td).whiteSpace, td.getClientRects().length, td.offsetHeight])""")
    line = js(driver, "return document.querySelector('#findings td.sev').offsetHeight")
    assert styles and all(ws == "nowrap" and h == line for ws, _, h in styles)
    status, answer = server.post("check", {"path": str(folder / "台账.xlsx"), "today": TODAY.isoformat()})
    assert status == 200 and not any("page_hint" in f for f in answer["findings"])   # §6 unchanged unless asked
    status, hinted = server.post("check", {"path": str(folder / "台账.xlsx"), "today": TODAY.isoformat(), "hints": True})
    assert [{k: v for k, v in f.items() if k != "page_hint"} for f in hinted["findings"]] == answer["findings"]
    assert any(f.get("page_hint") for f in hinted["findings"])
    placeholder = js(driver, "return document.getElementById('today').placeholder")
    assert "留空即今天" in placeholder
    js(driver, "document.getElementById('today').value = ''")
    shoot(driver, tmp_path, "serve.png")
    set_today(driver, TODAY)


def test_rollup_has_a_date_and_force_and_a_refusal_opens_the_answering_tab(page, folder, tmp_path):
    driver, _ = page
    path = copy(folder / "台账.xlsx", folder / "半年更新.xlsx")
    js(driver, "const s = document.getElementById('ledger'); s.appendChild(new Option(arguments[1], arguments[0]));"
               "s.value = arguments[0];", str(path), path.name)
    driver.find_element("css selector", "[data-tab=pdf]").click()          # some other tab open before
    driver.find_element("css selector", "[data-panel=rollup]").click()
    assert js(driver, "return document.activeElement.id") == "rollup-date"
    js(driver, "document.getElementById('rollup-date').value = '2020-01-01'")
    before = path.read_bytes()
    click(driver, "#rollup-go")
    message = js(driver, "return document.querySelector('#message .head').textContent")
    assert "「截至日期」" in message and "「强制执行」" in message and "--force" not in message
    assert js(driver, "return document.querySelector('.tabs button.active').dataset.tab") == "findings"
    assert js(driver, "return document.activeElement.id") == "message"
    assert path.read_bytes() == before
    shoot(driver, tmp_path, "serve_rollup.png")
    js(driver, "document.getElementById('rollup-force').checked = true")
    click(driver, "#rollup-go")
    assert js(driver, "return document.getElementById('message').className") == ""
    assert path.read_bytes() != before
    js(driver, "document.getElementById('rollup-force').checked = false; document.getElementById('rollup-date').value = ''")
    js(driver, "document.getElementById('ledger').value = arguments[0]", str(folder / "台账.xlsx"))


def test_cut_chart_labels_carry_the_full_name(page, tmp_path):
    driver, _ = page
    click(driver, "[data-action=overview]")
    labels = js(driver, """return [...document.querySelectorAll('#ov-charts svg text.label')].map(t =>
        [t.childNodes[0].textContent, t.dataset.full, t.querySelector('title') ? t.querySelector('title').textContent : null])""")
    assert labels and all(title == full for _, full, title in labels)      # the tooltip: the whole name
    office = [shown for shown, full, _ in labels if "Microsoft Office" in full]
    assert len(office) >= 2 and len(set(office)) == len(office) and not any(s.endswith("…") for s in office)
    long = "SY-0099 " + "很长的软件名称" * 6 + " Enterprise Edition"
    shown, full, title = js(driver, """const chart = barChart('t', [arguments[0]], [{name: 'n', color: '#000', values: [1]}]);
        const t = chart.querySelector('text.label'); return [t.childNodes[0].textContent, t.dataset.full,
        t.querySelector('title').textContent];""", long)
    assert shown.endswith("…") and long.startswith(shown[:-1]) and full == title == long
    shoot(driver, tmp_path, "serve_overview.png")
