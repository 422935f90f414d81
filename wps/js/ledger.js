// The add-in's link to WPS and to `ledger serve`: the workbook, the service's address and token, calls, messages.
// Written for the Chromium inside WPS (ES2017: async/await, no optional chaining), and runs unchanged under node
// (tests/wps_harness.js) with a fake `wps`/`Application`.  Nothing here ever builds HTML from text.
"use strict";

// eslint-disable-next-line no-unused-vars
var Ledger = (function () {
  var TITLE = LEDGER_REGISTRY.title;
  var NOT_RUNNING = "本机服务未运行：请重新登录，或运行 ledger wps open 启动服务";
  var NOT_SERVED = "加载项不是由本机服务提供的（地址应为 http://127.0.0.1:端口/wps/…）：请重新执行 ledger wps install";
  var MAX_LINES = 25;          // an alert longer than this no longer fits on an office screen
  var POLL_MS = 300;
  var options = { today: null };  // tests fix "today"; the service takes its own date otherwise

  function root() { return typeof window !== "undefined" ? window : globalThis; }
  function wps() { return root().wps; }

  /** The spreadsheet application: `window.Application` (WPS 2019+) or `wps.EtApplication()` (older). */
  function app() {
    if (root().Application) return root().Application;
    if (wps() && typeof wps().EtApplication === "function") return wps().EtApplication();
    throw refusal("本加载项只能在 WPS 表格中使用");
  }

  /** A property that some WPS versions expose as a method (Range.Address, …). */
  function value(object, name) {
    var v = object[name];
    return typeof v === "function" ? v.call(object) : v;
  }

  function refusal(message) {
    var error = new Error(message);
    error.refusal = true;
    return error;
  }

  // --- messages ---------------------------------------------------------------------------------

  function clip(lines, limit) {
    limit = limit || MAX_LINES;
    if (lines.length <= limit) return lines.join("\n");
    return lines.slice(0, limit - 1).concat(["……另有 " + (lines.length - limit + 1) + " 行未显示"]).join("\n");
  }

  function say(label, lines) {
    root().alert(TITLE + " - " + label + "\n\n" + clip(lines));
  }

  function ask(label, question) {
    return Boolean(root().confirm(TITLE + " - " + label + "\n\n" + question));
  }

  function status(text) {
    try { app().StatusBar = text ? TITLE + "：" + text : false; } catch (e) { /* no status bar: nothing to say */ }
  }

  // --- the workbook -----------------------------------------------------------------------------

  function activeBook() {
    var book = app().ActiveWorkbook;
    if (!book) throw refusal("没有打开的工作簿：请先打开台账再点按钮");
    return book;
  }

  /** The workbook's file; refuses a workbook never saved or stored online. */
  function bookPath(book) {
    var full = String(value(book, "FullName") || "");
    var local = /^[A-Za-z]:[\\/]/.test(full) || full.charAt(0) === "/" || full.indexOf("\\\\") === 0;
    if (!local || full.indexOf("://") >= 0 || !/\.xls[xm]$/i.test(full)) {
      throw refusal("当前台账还没有保存为本机上的 .xlsx 文件（或存放在网络位置）：请先「另存为」本机文件夹后再点按钮");
    }
    return full;
  }

  function sheetNames(book) {
    var sheets = book.Sheets, names = [];
    for (var i = 1; i <= value(sheets, "Count"); i++) names.push(String(value(sheets.Item(i), "Name")));
    return names;
  }

  function isLedger(book) { return sheetNames(book).indexOf(LEDGER_REGISTRY.sheets.a7) >= 0; }

  /** (sheet name, worksheet rows) of the selection, from its address as the Excel button reads it. */
  function selectedRows(purpose) {
    var application = app(), selection = application.Selection;
    if (!selection) throw refusal("请先在工作表中选中要" + purpose + "的行");
    var rows = [];
    String(value(selection, "Address")).replace(/\$/g, "").split(",").forEach(function (area) {
      var numbers = (area.match(/\d+/g) || []).map(Number);
      if (!numbers.length) throw refusal("请选中具体的行（不要整列选择）");
      for (var r = Math.min.apply(null, numbers); r <= Math.max.apply(null, numbers); r++) rows.push(r);
    });
    return { sheet: String(value(application.ActiveSheet, "Name")), rows: rows };
  }

  // --- finding the service ----------------------------------------------------------------------

  /** The add-in is served by `ledger serve` itself (WPS's online add-in mode): its pages live at
   *  http://127.0.0.1:PORT/wps/<key>/, the same origin as the API.  Nothing on disk holds the token. */
  function here() {
    var doc = root().document;
    var location = doc && doc.location ? String(doc.location) : "";
    var match = /^(http:\/\/(?:127\.0\.0\.1|localhost):\d+)(\/wps\/[A-Za-z0-9_-]+\/)/.exec(location);
    return match ? { origin: match[1], folder: match[1] + match[2] } : null;
  }

  function base(info) { return info.origin || "http://127.0.0.1:" + Number(info.port); }

  /** The running service: the token from `POST <folder>/session` (same origin; the service checks the key). */
  async function connect() {
    var place = here();
    if (!place) throw refusal(NOT_SERVED);
    try {
      var response = await root().fetch(place.folder + "session", { method: "POST", headers: { "X-Ledger-Client": "wps" } });
      if (response.status === 200) {
        var info = await response.json();
        if (info && info.token) { info.origin = place.origin; return info; }
      }
    } catch (e) { /* the service stopped since WPS loaded the add-in */ }
    throw refusal(NOT_RUNNING);
  }

  // --- calling it -------------------------------------------------------------------------------

  async function send(info, method, path, body) {
    var init = { method: method, headers: { "X-Ledger-Token": info.token } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.headers.Prefer = "respond-async";
      init.body = JSON.stringify(body);
    }
    var response;
    try {
      response = await root().fetch(base(info) + path, init);
    } catch (e) {
      throw refusal("与本机服务的连接中断（ledger serve 是否已停止？）：" + NOT_RUNNING);
    }
    var type = response.headers.get("content-type") || "";
    return { status: response.status, body: type.indexOf("json") >= 0 ? await response.json() : {} };
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /** POST /api/<action> as a job, polled to its end; resolves to what the synchronous call would answer. */
  async function call(info, action, label, body) {
    if (options.today && !body.today) body.today = options.today;
    var answer = await send(info, "POST", "/api/" + action, body);
    if (answer.status !== 202) return answer;
    for (;;) {
      var job = (await send(info, "GET", "/api/jobs/" + answer.body.job)).body;
      if (job.state !== "running") return { status: job.status, body: job.result || job };
      status(label + "：" + job.step + (job.total ? "（" + job.done + "/" + job.total + "）" : ""));
      await sleep(POLL_MS);
    }
  }

  /** The refusal of a path outside the served folders, with the folders named. */
  function explain(answer, info) {
    var message = (answer.body && answer.body.message) || ("本机服务返回错误 " + answer.status);
    if (answer.status === 403 && info.roots && info.roots.length) {
      message += "\n本机服务打开的文件夹：" + info.roots.join("、") + "（安装时用 ledger wps install --folder 指定）";
    }
    return message;
  }

  /** Whether `file` lies in a folder the service was started on (a first check before a workbook is closed;
   *  the service checks again, resolving links).  Windows paths compare without case. */
  function inScope(file, info) {
    var roots = info.roots || [];
    var norm = function (p) {
      var text = String(p).replace(/\\/g, "/").replace(/\/+$/, "");
      return /^[A-Za-z]:/.test(text) ? text.toLowerCase() : text;
    };
    var target = norm(file);
    return !roots.length || roots.some(function (root) {
      var r = norm(root);
      return target === r || target.indexOf(r + "/") === 0;
    });
  }

  function outOfScope(file, info) {
    return refusal("「" + file + "」不在本机服务打开的文件夹中：" + (info.roots || []).join("、") +
      "。请把台账放到该文件夹，或用 ledger wps install --folder 指定台账所在的文件夹后重新登录。");
  }

  return {
    inScope: inScope, outOfScope: outOfScope, TITLE: TITLE, NOT_RUNNING: NOT_RUNNING, options: options, app: app, value: value, refusal: refusal,
    clip: clip, say: say, ask: ask, status: status, activeBook: activeBook, bookPath: bookPath,
    sheetNames: sheetNames, isLedger: isLedger, selectedRows: selectedRows, connect: connect, call: call,
    explain: explain, base: base,
  };
})();
