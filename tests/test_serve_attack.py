"""The token theft of a local HTML file, reproduced in a real headless Chromium, and held.

After `ledger wps install` and the service started by its login command, an HTML file the user opens from
disk (a mail attachment, a download: origin `null`) computes the home folder from its own location and tries,
against every file that describes the service or the add-in (serve.json, wps-key, wps-install.json,
publish.xml, jsplugins.xml, and where serve-info.js used to be), a `<script src>`, `fetch`, an `<iframe>` and
`XMLHttpRequest`; and against the service itself a simple `fetch`, a `no-cors` fetch, a fetch with a guessed
token, an HTML form POST (text/plain, shaped as JSON), an `<iframe>` of the page, a `<script src>` of the API,
the add-in's session without its key, and — as if the token had leaked anyway — a fetch with the real token.
A control shows the same page does include a script file beside it, so the refusals are not an artefact.

Held means: no text the page could read contains the token or the add-in's key, no API call was answered
to the page, and the ledger's bytes did not change.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from servekit import CHROMEDRIVER, CHROMIUM, TODAY, browser, demo, plant
from wpskit import Service

from workbook_tools.dist.wps import ADDIN_FOLDER
from workbook_tools.dist.wps.install import install, layout

pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                                reason="needs Debian chromium and chromium-driver (scripts/system-deps.sh)")

ATTACK = r"""<!doctype html><meta charset="utf-8"><title>附件</title>
<body><script>
"use strict";
const CONF = JSON.parse(decodeURIComponent(location.hash.slice(1)));
const results = [];
const note = (technique, target, outcome, text) => results.push({technique, target, outcome, text: String(text || "").slice(0, 4000)});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const home = location.pathname.split("/").slice(0, CONF.depth + 1).join("/");   // computed as an attacker would
const files = CONF.files.map((f) => "file://" + home + f);
let lastError = "";
let sinks = 0;
window.addEventListener("error", (e) => { lastError = String(e.message || ""); }, true);

function globals() {
  return Object.keys(window).filter((k) => !CONF.known.includes(k))
    .map((k) => { try { return k + "=" + JSON.stringify(window[k]); } catch (e) { return k; } }).join(";");
}

async function viaScript(url) {
  lastError = "";
  await new Promise((resolve) => {
    const s = document.createElement("script");
    s.onload = () => { note("script", url, "loaded", globals() + " " + lastError); resolve(); };
    s.onerror = () => { note("script", url, "error", globals()); resolve(); };
    s.src = url; document.head.appendChild(s);
    setTimeout(resolve, 3000);
  });
}

async function viaFetch(url, init, technique) {
  try {
    const r = await fetch(url, init);
    let text = ""; try { text = await r.text(); } catch (e) { text = "unreadable"; }
    note(technique || "fetch", url, "status " + r.status + " " + r.type, text);
  } catch (e) { note(technique || "fetch", url, "rejected", e.name); }
}

async function viaXhr(url) {
  await new Promise((resolve) => {
    const x = new XMLHttpRequest();
    try { x.open("GET", url); } catch (e) { note("xhr", url, "refused", e.name); return resolve(); }
    x.onload = () => { note("xhr", url, "status " + x.status, x.responseText); resolve(); };
    x.onerror = () => { note("xhr", url, "error", ""); resolve(); };
    try { x.send(); } catch (e) { note("xhr", url, "refused", e.name); resolve(); }
  });
}

async function viaFrame(url) {
  const f = document.createElement("iframe");
  f.src = url; document.body.appendChild(f);
  await sleep(1500);
  try { note("iframe", url, "read", f.contentDocument ? f.contentDocument.documentElement.outerHTML : "no document"); }
  catch (e) { note("iframe", url, "blocked", e.name); }
  try { note("iframe-window", url, "read", f.contentWindow.document.body.innerText); }
  catch (e) { note("iframe-window", url, "blocked", e.name); }
}

async function viaForm(url, payload) {
  const frame = document.createElement("iframe"); frame.name = "sink" + (++sinks); document.body.appendChild(frame);
  const form = document.createElement("form");
  form.method = "POST"; form.action = url; form.enctype = "text/plain"; form.target = frame.name;
  const input = document.createElement("input"); input.name = payload.slice(0, -2); input.value = "x\"}";
  form.appendChild(input); document.body.appendChild(form); form.submit();
  await sleep(2000);
  try { note("form", url, "read", frame.contentDocument.body.innerText); }
  catch (e) { note("form", url, "sent, answer unreadable", e.name); }
}

async function main() {
  await viaScript(CONF.control);                       // the control: a script beside the page IS included
  note("control", CONF.control, String(window.CONTROL), "");
  // every target probed at once (each in its own frame or request): the same attacks, a fraction of the waiting
  await Promise.all(files.map(async (url) => { await viaScript(url); await viaFetch(url); await viaXhr(url); await viaFrame(url); }));
  const api = CONF.api, body = JSON.stringify({path: CONF.ledger, today: CONF.today});
  await Promise.all(["annotate", "fix-blanks", "check"].map(async (action) => {
    await viaFetch(api + "/api/" + action, {method: "POST", headers: {"Content-Type": "text/plain"}, body}, "fetch-simple");
    await viaFetch(api + "/api/" + action, {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"}, body},
                   "fetch-no-cors");
    await viaFetch(api + "/api/" + action,
                   {method: "POST", headers: {"X-Ledger-Token": "guess", "Content-Type": "application/json"}, body},
                   "fetch-guessed-token");
    await viaFetch(api + "/api/" + action,
                   {method: "POST", headers: {"X-Ledger-Token": CONF.leaked, "Content-Type": "application/json"}, body},
                   "fetch-leaked-token");
    await viaForm(api + "/api/" + action, body);
  }));
  await viaFetch(api + "/api/info", {credentials: "include"}, "fetch-credentials");
  await viaFetch(api + "/wps/guess/session", {method: "POST", headers: {"X-Ledger-Client": "wps"}}, "session-without-key");
  await Promise.all([viaForm(api + "/wps/guess/session", "{\"a\":\"b\"}"), viaFrame(api + "/")]);
  await viaScript(api + "/api/info");
  await viaScript(api + "/api/ledgers");
  window.RESULT = results;
  document.title = "done";
}
main();
</script></body>
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_local_html_file_gets_no_token_and_changes_nothing(tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_CONFIG_HOME": "", "XDG_STATE_HOME": ""}
    folder = home / "文档" / "正版化台账"
    folder.mkdir(parents=True)
    ledger = demo(folder / "台账.xlsx")
    plant(ledger)
    record = install(folder, Path(sys.executable), platform="linux", env=env)
    place = layout("linux", env)
    service = Service(argv=record.command, env=env)
    try:
        info = home / ".local" / "state" / "workbook_tools" / "serve.json"
        assert json.loads(info.read_text())["token"] == service.token
        key = place.key_file.read_text().strip()
        targets = [info, place.key_file, place.record, place.jsaddons / "publish.xml", place.jsaddons / "jsplugins.xml",
                   place.jsaddons / ADDIN_FOLDER / "serve-info.js", place.jsaddons / "serve-info.js"]
        assert all(p.exists() for p in targets[:5]) and not any(p.exists() for p in targets[5:])
        downloads = home / "Downloads"
        downloads.mkdir()
        (downloads / "control.js").write_text('window.CONTROL = "seen";\n')
        page = downloads / "附件.html"
        page.write_text(ATTACK, encoding="utf-8")
        before = sha(ledger)
        driver = browser(tmp_path / "profile")
        try:
            driver.get("about:blank")
            known = driver.execute_script("return Object.keys(window)") + ["CONTROL"]
            conf = {"depth": len(home.parts) - 1, "files": ["/" + str(p.relative_to(home)) for p in targets],
                    "api": f"http://127.0.0.1:{service.port}", "ledger": str(ledger), "today": TODAY.isoformat(),
                    "control": (downloads / "control.js").as_uri(), "known": known, "leaked": service.token}
            from urllib.parse import quote

            driver.get(page.as_uri() + "#" + quote(json.dumps(conf)))
            WebDriverWait(driver, 180).until(lambda d: d.title == "done")
            results = driver.execute_script("return window.RESULT")
        finally:
            driver.quit()
    finally:
        service.stop()
    control = [r for r in results if r["technique"] == "control"]
    assert control == [{"technique": "control", "target": conf["control"], "outcome": "seen", "text": ""}]
    attacks = [r for r in results if r["technique"] != "control"]
    for r in attacks:   # nothing the page could read holds the token or the key, nor any answer of the API
        assert service.token not in r["text"] and key not in r["text"], r
        assert '"ok"' not in r["text"] and "findings" not in r["text"], r
        if r["technique"].startswith("fetch") and r["target"].startswith(conf["api"] + "/api/"):
            assert r["outcome"] in ("rejected", "status 0 opaque"), r
    assert sha(ledger) == before
    assert len(attacks) == len(targets) * 5 + 3 * 5 + 8      # every attack ran and reported
    print(json.dumps(sorted({(r["technique"], r["outcome"].split(" ")[0]) for r in attacks}), ensure_ascii=False))
    (tmp_path / "attacks.json").write_text(json.dumps({"attacks": len(attacks), "held": len(attacks)}))
