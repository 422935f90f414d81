// The task pane: the findings of the last button (handed over in wps.PluginStorage by ribbon.js), grouped by
// sheet; a click selects the cell in the workbook.  Text from the ledger is put in the page as text only.
"use strict";

// eslint-disable-next-line no-unused-vars
var LedgerPane = (function () {
  var KEY = "ledger.pane";
  var SEVERITY = { error: "错误", warning: "警告" };

  function root() { return typeof window !== "undefined" ? window : globalThis; }

  function app() {
    if (root().Application) return root().Application;
    return root().wps.EtApplication();
  }

  function value(object, name) {
    var v = object[name];
    return typeof v === "function" ? v.call(object) : v;
  }

  function data() {
    var text = root().wps.PluginStorage.getItem(KEY);
    return text ? JSON.parse(text) : null;
  }

  /** Findings grouped by sheet (in order of first appearance), filtered by severity. */
  function groups(findings, severity) {
    var out = [], index = {};
    findings.forEach(function (f, i) {
      if (severity && f.severity !== severity) return;
      var sheet = f.sheet || "（全局）";
      if (!(sheet in index)) { index[sheet] = out.length; out.push({ sheet: sheet, items: [] }); }
      out[index[sheet]].items.push({ finding: f, index: i });
    });
    return out;
  }

  function place(f) {
    if (f.scan_file) return f.scan_line ? f.scan_file + ":" + f.scan_line : f.scan_file;
    return f.cell || (f.row ? "第 " + f.row + " 行" : "");
  }

  function sameFile(a, b) {
    var norm = function (p) { return String(p || "").replace(/\\/g, "/").toLowerCase(); };
    return norm(a) === norm(b);
  }

  /** The open workbook whose file is `path` (the active one if none matches). */
  function bookOf(application, path) {
    var books = application.Workbooks;
    for (var i = 1; i <= value(books, "Count"); i++) {
      var book = books.Item(i);
      if (sameFile(value(book, "FullName"), path)) return book;
    }
    return application.ActiveWorkbook;
  }

  /** Select the finding's cell (or row) in the workbook; returns a Chinese line when it cannot. */
  function select(application, path, f) {
    if (!f.sheet || !(f.cell || f.row)) return "这条问题不对应某个单元格";
    var book = bookOf(application, path);
    if (!book) return "台账没有打开：请先打开 " + path;
    var sheet;
    try { sheet = book.Sheets.Item(f.sheet); } catch (e) { sheet = null; }
    if (!sheet) return "工作簿中没有工作表「" + f.sheet + "」";
    if (book.Activate) book.Activate();
    sheet.Activate();
    sheet.Range(f.cell || f.row + ":" + f.row).Select();
    return "";
  }

  // --- the page -------------------------------------------------------------------------------------

  function el(doc, tag, props, text) {
    var node = doc.createElement(tag);
    Object.keys(props || {}).forEach(function (k) { node.setAttribute(k, props[k]); });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function table(doc, group) {
    var t = el(doc, "table"), head = el(doc, "tr");
    ["单元格", "级别", "规则", "说明"].forEach(function (h) { head.appendChild(el(doc, "th", {}, h)); });
    t.appendChild(el(doc, "thead")).appendChild(head);
    var body = t.appendChild(el(doc, "tbody"));
    group.items.forEach(function (item) {
      var f = item.finding;
      var tr = el(doc, "tr", { "class": "finding " + f.severity, tabindex: "0", "data-index": String(item.index) });
      tr.appendChild(el(doc, "td", { "class": "cell" }, place(f)));
      tr.appendChild(el(doc, "td", { "class": "sev" }, SEVERITY[f.severity] || f.severity));
      tr.appendChild(el(doc, "td", { "class": "rule" }, f.rule));
      tr.appendChild(el(doc, "td", {}, f.message));
      body.appendChild(tr);
    });
    return t;
  }

  function render(doc) {
    var d = data(), box = doc.getElementById("findings");
    while (box.firstChild) box.removeChild(box.firstChild);
    if (!d) { box.appendChild(el(doc, "p", {}, "点功能区「正版化台账」中的「校验台账」后，结果显示在这里。")); return; }
    doc.getElementById("title").textContent = d.title;
    var lines = doc.getElementById("lines");
    while (lines.firstChild) lines.removeChild(lines.firstChild);
    d.lines.slice(0, 3).forEach(function (line) { lines.appendChild(el(doc, "div", {}, line)); });
    var severity = doc.getElementById("severity").value, shown = groups(d.findings, severity);
    var count = shown.reduce(function (n, g) { return n + g.items.length; }, 0);
    doc.getElementById("count").textContent = "共 " + count + " 条";
    if (!d.findings.length) box.appendChild(el(doc, "p", { "class": "ok" }, "未发现问题。"));
    shown.forEach(function (g) {
      box.appendChild(el(doc, "h2", {}, g.sheet + "（" + g.items.length + " 条）"));
      box.appendChild(table(doc, g));
    });
  }

  function clicked(doc, event) {
    var tr = event.target.closest ? event.target.closest("tr.finding") : null;
    if (!tr) return;
    var d = data(), f = d.findings[Number(tr.getAttribute("data-index"))];
    doc.getElementById("status").textContent = select(app(), d.path, f);
  }

  function openPage() {
    var d = data(), w = root().wps;
    if (!d) return;
    if (w.OAAssist && w.OAAssist.ShellExecute) w.OAAssist.ShellExecute(d.page, "");
    else root().open(d.page);
  }

  function start(doc) {
    render(doc);
    doc.getElementById("severity").addEventListener("change", function () { render(doc); });
    doc.getElementById("findings").addEventListener("click", function (e) { clicked(doc, e); });
    doc.getElementById("findings").addEventListener("keydown", function (e) { if (e.key === "Enter") clicked(doc, e); });
    doc.getElementById("page").addEventListener("click", openPage);
  }

  if (typeof document !== "undefined" && document.getElementById) {
    document.addEventListener("DOMContentLoaded", function () { start(document); });
  }

  return { KEY: KEY, groups: groups, place: place, select: select, render: render, data: data };
})();
