// Runs the WPS add-in's scripts under node against a fake WPS (`Application`, `wps`) and the real `ledger serve`.
//
//   node tests/wps_harness.js scenario.json   ->  JSON on stdout: what the add-in did, in order
//
// The fake records every call that matters (save, close, open, select, HTTP requests, dialogs) with, at that
// moment, whether the workbook's lock file exists and the SHA-256 of the file.  Like WPS, an open workbook has
// a lock file `~$name` beside it: the service refuses to write while it is there (HTTP 423), so a button that
// did not close the workbook cannot pass.  Scripts are loaded the way index.html lists them; the discovery file
// serve-info.js is loaded as a <script> would load it.  No npm package is used.
"use strict";

const fs = require("fs");
const path = require("path");
const vm = require("vm");
const crypto = require("crypto");
const { pathToFileURL, fileURLToPath } = require("url");

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
if (scenario.fileSystem) {
  wps.FileSystem = { Exists: (p) => fs.existsSync(p), ReadFile: (p) => fs.readFileSync(p, "utf8") };
}

// --- the page: document, script loading, dialogs, fetch ---------------------------------------------------

const index = path.join(scenario.addin, "index.html");
const context = {
  console, setTimeout, clearTimeout, Promise, JSON, Date, URL, encodeURIComponent, decodeURI,
  wps,
  alert(message) { out.alerts.push(String(message)); record("alert"); },
  confirm(message) { out.confirms.push(String(message)); record("confirm"); return (scenario.answers || []).shift() === true; },
  async fetch(url, init) {
    const target = new URL(url);
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

function run(file) {
  vm.runInContext(fs.readFileSync(file, "utf8"), context, { filename: file });
}

context.document = {
  location: pathToFileURL(index).href,
  head: { appendChild(script) { script.load(); } },
  createElement(tag) {
    const script = { tag, onload: null, onerror: null, src: "", remove() {} };
    script.load = () => {
      const file = fileURLToPath(new URL(script.src, context.document.location).href.split("?")[0]);
      setImmediate(() => {
        if (!fs.existsSync(file)) return script.onerror && script.onerror();
        run(file);
        record("script", { file: path.basename(file) });
        return script.onload && script.onload();
      });
    };
    return script;
  },
};

function scriptsOf(page) {
  const html = fs.readFileSync(path.join(scenario.addin, page), "utf8");
  return [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => path.join(scenario.addin, m[1]));
}

async function main() {
  scriptsOf("index.html").forEach(run);
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
    scriptsOf("taskpane.html").filter((f) => !f.endsWith("registry.js")).forEach(run);
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
