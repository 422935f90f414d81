// Runs the WPS add-in's scripts under node against a fake WPS (`Application`, `wps`) and the real `ledger serve`.
//
//   node tests/wps_harness.js scenario.json   ->  JSON on stdout: what the add-in did, in order
//
// The fake records every call that matters (save, close, open, select, HTTP requests, dialogs) with, at that
// moment, whether the workbook's lock file exists and the SHA-256 of the file.  Like WPS, an open workbook has
// a lock file `~$name` beside it: the service refuses to write while it is there (HTTP 423), so a button that
// did not close the workbook cannot pass.  Like WPS in its online add-in mode, the fake finds the add-in's url in
// the list it reads (oem.ini's JSPluginsServer, else publish.xml on Windows, jsplugins.xml on Linux), fetches
// manifest.xml and ribbon.xml, then index.html and the scripts it lists, over HTTP from `ledger serve`.
// No npm package is used.
"use strict";

const fs = require("fs");
const path = require("path");
const vm = require("vm");
const crypto = require("crypto");

const scenario = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = { log: [], alerts: [], confirms: [], requests: [], pane: null, result: null, selects: [] };
const lockOf = (file) => path.join(path.dirname(file), "~$" + path.basename(file));
const sha = (file) => (fs.existsSync(file) ? crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex") : null);

function record(event, extra) {
  const file = scenario.book.path;
  out.log.push(Object.assign({ event, lock: fs.existsSync(lockOf(file)), sha: sha(file) }, extra || {}));
}

// --- the fake spreadsheet application -------------------------------------------------------------------

function makeSheet(name) {
  return {
    Name: name,
    Activate() { record("activate", { sheet: name }); },
    Range(address) {
      return { Address: () => address, Select() { out.selects.push({ sheet: name, address }); record("select", { sheet: name, address }); } };
    },
  };
}

function makeBook(file) {
  fs.writeFileSync(lockOf(file), "");   // WPS/Excel's owner file while the workbook is open
  const sheets = scenario.book.sheets.map(makeSheet);
  const book = {
    FullName: file, Name: path.basename(file), Saved: scenario.book.saved !== false, open: true,
    Sheets: { Count: sheets.length, Item(key) {
      const found = typeof key === "number" ? sheets[key - 1] : sheets.find((s) => s.Name === key);
      if (!found) throw new Error("no sheet " + key);
      return found;
    } },
    Save() { record("save"); book.Saved = true; },
    Close(saveChanges) {
      record("close", { saveChanges });
      fs.rmSync(lockOf(file), { force: true });
      book.open = false;
      books.splice(books.indexOf(book), 1);
      application.ActiveWorkbook = books[books.length - 1] || null;
    },
    Activate() { application.ActiveWorkbook = book; },
  };
  return book;
}

const books = [];
const application = {
  ActiveWorkbook: null,
  get ActiveSheet() { return this.ActiveWorkbook ? this.ActiveWorkbook.Sheets.Item(scenario.book.activeSheet) : null; },
  Selection: scenario.book.selection ? { Address: () => scenario.book.selection } : null,
  Workbooks: {
    get Count() { return books.length; },
    Item(i) { return books[i - 1]; },
    Open(file) { record("open", { file }); const book = makeBook(file); books.push(book); application.ActiveWorkbook = book; return book; },
  },
  set StatusBar(text) { if (text) out.statusBar = (out.statusBar || 0) + 1; },
};
const first = makeBook(scenario.book.path);
books.push(first);
application.ActiveWorkbook = first;

// --- the fake `wps` object --------------------------------------------------------------------------------

const storage = new Map();
const panes = [];
const wps = {
  EtApplication: () => application,
  PluginStorage: { setItem: (k, v) => storage.set(k, String(v)), getItem: (k) => (storage.has(k) ? storage.get(k) : null) },
  CreateTaskPane(url, title) {
    const pane = { ID: panes.length + 1, Visible: false, url, Navigate(u) { pane.url = u; record("navigate", { url: u }); } };
    panes.push(pane);
    record("taskpane", { url, title });
    return pane;
  },
  GetTaskPane: (id) => panes.find((p) => p.ID === Number(id)) || null,
  OAAssist: { ShellExecute(file) { record("shell", { file }); } },
  Env: { GetHomePath: () => scenario.home || "", GetAppDataPath: () => scenario.appdata || "" },
};

// --- the page: document, script loading, dialogs, fetch ---------------------------------------------------

// --- where WPS finds the add-in: the list it reads, our entry's url ---------------------------------------

function listFile() {
  const w = scenario.wps;
  if (w.oemIni && fs.existsSync(w.oemIni)) {
    const server = /^\s*JSPluginsServer\s*=\s*(.+?)\s*$/im.exec(fs.readFileSync(w.oemIni, "utf8"));
    if (server) return server[1].startsWith("file:") ? require("url").fileURLToPath(server[1]) : server[1];
  }
  return path.join(w.jsaddons, w.platform === "win32" ? "publish.xml" : "jsplugins.xml");
}

function addinUrl() {
  if (scenario.url) return scenario.url;
  const list = listFile();
  out.list = list;
  const xml = fs.readFileSync(list, "utf8");
  const element = /<jsplugin(?:online)?\b[^>]*\bname="workbook-tools"[^>]*>/.exec(xml);
  if (!element) throw new Error("no entry of workbook-tools in " + list);
  out.entry = element[0];
  return /\burl="([^"]+)"/.exec(element[0])[1].replace(/&amp;/g, "&");
}

let down = false;   // the service stopped after WPS loaded the add-in (scenario.downAfterLoad)

async function get(url) {
  const response = await fetch(url);
  record("wps-get", { path: new URL(url).pathname.split("/").slice(3).join("/"), status: response.status });
  if (response.status !== 200) throw new Error("WPS could not load " + url + ": " + response.status);
  return response.text();
}

const context = {
  console, setTimeout, clearTimeout, Promise, JSON, Date, URL, encodeURIComponent, decodeURI,
  wps,
  alert(message) { out.alerts.push(String(message)); record("alert"); },
  confirm(message) { out.confirms.push(String(message)); record("confirm"); return (scenario.answers || []).shift() === true; },
  async fetch(url, init) {
    const target = new URL(url);
    if (down) { record("fetch", { method: (init && init.method) || "GET", path: target.pathname, refused: true }); throw new TypeError("Failed to fetch"); }
    record("fetch", { method: (init && init.method) || "GET", path: target.pathname });
    out.requests.push({ method: (init && init.method) || "GET", path: target.pathname,
      body: init && init.body ? JSON.parse(init.body) : null });
    return fetch(url, init);
  },
};
if (!scenario.legacy) context.Application = application;   // WPS 2019+; older versions only have wps.EtApplication()
context.window = context;
context.globalThis = context;
vm.createContext(context);

async function runPage(base, page) {
  const html = await get(base + page);
  for (const m of html.matchAll(/<script src="([^"]+)"/g)) {
    if (page === "taskpane.html" && m[1].endsWith("registry.js")) continue;   // shared with index.html here
    const url = new URL(m[1], base + page).href;
    vm.runInContext(await get(url), context, { filename: url });
  }
}

async function main() {
  const base = addinUrl();
  out.url = base;
  await get(base + "manifest.xml");   // what WPS fetches when it starts
  out.ribbon = await get(base + "ribbon.xml");
  context.document = { location: base + "index.html" };
  await runPage(base, "index.html");
  if (scenario.downAfterLoad) down = true;
  if (scenario.today) context.Ledger.options.today = scenario.today;
  out.callbacks = (scenario.callbacks || []).filter((name) => typeof context[name] === "function");
  context.OnAddinLoad({ Invalidate() {} });
  const button = { Id: "btn_" + scenario.tag };
  out.image = context.GetImage(button);
  out.enabled = context.GetEnabled(button);
  context.OnLedgerButton(button);
  out.result = await context.LedgerAddin.pending;
  const pane = storage.get("ledger.pane");
  out.pane = pane ? JSON.parse(pane) : null;
  out.panes = panes.map((p) => ({ url: p.url, visible: p.Visible }));
  if (scenario.click && out.pane) {   // the task pane's page, sharing PluginStorage: a click on a finding
    await runPage(base, "taskpane.html");
    const finding = out.pane.findings.find((f) => f.sheet && f.cell);
    out.clicked = finding;
    out.clickMessage = context.LedgerPane.select(application, out.pane.path, finding);
  }
  record("end");
  fs.rmSync(lockOf(scenario.book.path), { force: true });
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stdout.write(JSON.stringify(Object.assign(out, { error: String(error && error.stack || error) })));
  fs.rmSync(lockOf(scenario.book.path), { force: true });
  process.exitCode = 1;
});
