// The ribbon's callbacks (named in ribbon.xml) and what each button does with the service.
// Buttons that only read the ledger send its path (after saving, if the user agrees); buttons that change the
// file save it, close it, let the service write it and open it again — as the Excel add-in does.
"use strict";

var LedgerAddin = { ribbon: null, pending: null, paneId: "ledger.paneId", paneData: "ledger.pane" };

// eslint-disable-next-line no-unused-vars
function OnAddinLoad(ribbonUI) {
  LedgerAddin.ribbon = ribbonUI;
  return true;
}

function buttonOf(control) {
  var id = String(Ledger.value(control, "Id") || "");
  return LEDGER_REGISTRY.buttons.filter(function (b) { return b.id === id; })[0] || null;
}

// eslint-disable-next-line no-unused-vars
function GetImage(control) {
  var button = buttonOf(control);
  return button ? button.icon : "images/Help.svg";
}

// eslint-disable-next-line no-unused-vars
function GetEnabled(control) {
  return buttonOf(control) !== null;
}

// eslint-disable-next-line no-unused-vars
function OnLedgerButton(control) {
  var button = buttonOf(control);
  LedgerAddin.pending = button ? runButton(button) : Promise.resolve();
  return true;
}

async function runButton(button) {
  var behaviour = BEHAVIOUR[button.tag];
  try {
    if (behaviour.local) return behaviour.local(button);
    var book = Ledger.activeBook();
    if (button.needsLedger && !Ledger.isLedger(book)) {
      throw Ledger.refusal("当前工作簿「" + Ledger.value(book, "Name") + "」不是台账（没有工作表「" +
        LEDGER_REGISTRY.sheets.a7 + "」）。请先切换到台账工作簿再点按钮。");
    }
    var work = { button: button, behaviour: behaviour, book: book, path: Ledger.bookPath(book) };
    work.body = behaviour.body ? await behaviour.body(work) : {};
    work.body.path = work.path;
    return behaviour.question ? await onClosedFile(work) : await onSavedFile(work);
  } catch (error) {
    Ledger.say(button.label, [error.refusal ? error.message : "内部错误（" + error.name + "）：" + error.message]);
  } finally {
    Ledger.status(null);
  }
}

/** A read-only button: the service reads the file as last saved; unsaved edits are saved if the user agrees. */
async function onSavedFile(work) {
  if (!Ledger.value(work.book, "Saved") && Ledger.ask(work.button.label, "工作簿「" + Ledger.value(work.book, "Name") +
      "」有未保存的修改。本功能读取的是磁盘上的文件：是否先保存？\n（选“取消”则按上次保存的内容处理）")) {
    work.book.Save();
  }
  var info = await Ledger.connect();
  var answer = await Ledger.call(info, work.behaviour.action, work.button.label, work.body);
  return show(work, info, answer);
}

/** A button that changes the file: ask, save, close, let the service write it, open it again (always). */
async function onClosedFile(work) {
  var info = await Ledger.connect();   // before closing: a service that is not running changes nothing
  if (!Ledger.inScope(work.path, info)) throw Ledger.outOfScope(work.path, info);
  var question = work.behaviour.question(work) + "\n\n将先保存工作簿「" + Ledger.value(work.book, "Name") +
    "」并暂时关闭，处理完成后自动重新打开（原文件备份在同一文件夹的「备份」中）。是否继续？";
  if (!Ledger.ask(work.button.label, question)) {
    Ledger.say(work.button.label, ["已取消，工作簿未改动。"]);
    return null;
  }
  var application = Ledger.app();
  work.book.Save();
  work.book.Close(false);
  var answer;
  try {
    answer = await Ledger.call(info, work.behaviour.action, work.button.label, work.body);
  } finally {
    application.Workbooks.Open(work.path);
  }
  return show(work, info, answer);
}

function show(work, info, answer) {
  var ok = answer.status < 400 && answer.body.ok !== false;
  var lines = ok ? (work.behaviour.lines || answerLines)(answer.body, work) : [Ledger.explain(answer, info)];
  var findings = ok ? work.behaviour.findings && work.behaviour.findings(answer.body) : answer.body.findings;
  if (findings) showPane(info, work, findings, lines);
  if (ok && answer.body.file) openFile(answer.body.file);
  Ledger.say(work.button.label, lines);
  return { ok: ok, status: answer.status, body: answer.body };
}

function answerLines(body) {
  var lines = body.lines && body.lines.length ? body.lines.slice() : [body.message || "完成"];
  return lines.concat(body.notes || []);
}

function openFile(path) {
  var assist = root().wps && root().wps.OAAssist;
  if (assist && assist.ShellExecute) {
    try { assist.ShellExecute(path, ""); } catch (e) { /* the path is in the message */ }
  }
}

function root() { return typeof window !== "undefined" ? window : globalThis; }

// --- the findings task pane -------------------------------------------------------------------------

function paneUrl() {
  var here = decodeURI(String(root().document.location));
  return here.substring(0, here.lastIndexOf("/")) + "/taskpane.html";
}

/** Findings go to the task pane (taskpane.html): handed over through PluginStorage, shared by the add-in's pages. */
function showPane(info, work, findings, lines) {
  var w = root().wps;
  w.PluginStorage.setItem(LedgerAddin.paneData, JSON.stringify({
    title: work.button.label, path: work.path, lines: lines, findings: findings,
    page: info.url + "&path=" + encodeURIComponent(work.path), at: Date.now(),
  }));
  var id = w.PluginStorage.getItem(LedgerAddin.paneId), pane = id ? w.GetTaskPane(id) : null;
  if (!pane) {
    pane = w.CreateTaskPane(paneUrl(), Ledger.TITLE);
    w.PluginStorage.setItem(LedgerAddin.paneId, pane.ID);
  } else {
    pane.Navigate(paneUrl() + "?t=" + Date.now());
  }
  pane.Visible = true;
}

// --- what each button sends -------------------------------------------------------------------------

function checkLines(body) {
  var counts = body.counts || { error: 0, warning: 0 };
  var head = "校验完成：" + counts.error + " 个错误，" + counts.warning + " 个警告（" + body.workbook + "，上次保存的内容）。";
  if (!body.findings.length) return [head, "未发现问题。"];
  return [head, "有问题的单元格列在右侧「" + Ledger.TITLE + "」窗格中，点一行即选中该单元格。",
    "全部结果写入工作簿：点「校验并标记」（写入「校验结果」表并标记单元格）。"];
}

async function requestRows(work, kind) {
  var selected = Ledger.selectedRows("登记");
  if (selected.sheet !== LEDGER_REGISTRY.sheets.a10) {
    throw Ledger.refusal("请在「" + LEDGER_REGISTRY.sheets.a10 + "」中选中已批准的" + kind + "申请行后再点按钮");
  }
  var info = await Ledger.connect();
  var listed = await Ledger.call(info, "requests", work.button.label, { path: work.path, kind: kind });
  if (listed.status >= 400) throw Ledger.refusal(Ledger.explain(listed, info));
  var open = listed.body.requests.filter(function (r) { return !r.registered; }).map(function (r) { return r.row; });
  var rows = selected.rows.filter(function (r) { return open.indexOf(r) >= 0; });
  if (!rows.length) {
    throw Ledger.refusal("选中的行中没有尚未登记的已批准" + kind + "申请（附件10 第 " + selected.rows.join("、") +
      " 行），工作簿未改动。");
  }
  return { rows: rows, kind: kind };
}

function register(kind) {
  return {
    action: { "安装": "install", "卸载": "uninstall", "升级": "upgrade" }[kind],
    body: function (work) { return requestRows(work, kind); },
    question: function (work) {
      return "将为附件10 中选中的 " + work.body.rows.length + " 条已批准的" + kind + "申请在附件9 登记" + kind + "记录（日期为今天）。";
    },
  };
}

function slipRows() {
  var selected = Ledger.selectedRows("打印");
  if (selected.sheet !== LEDGER_REGISTRY.sheets.a9) {
    throw Ledger.refusal("请在「" + LEDGER_REGISTRY.sheets.a9 + "」中选中要打印确认单的安装维护记录行");
  }
  return { form: "11", rows: selected.rows };
}

function activeForm() {
  var name = String(Ledger.value(Ledger.app().ActiveSheet, "Name"));
  var match = /^\s*附件\s*(\d+)/.exec(name);
  if (!match) throw Ledger.refusal("当前工作表「" + name + "」不是附件表：请切换到要打印的「附件N …」工作表");
  return { form: match[1] };
}

function printedLines(body) {
  return answerLines(body).concat([body.file]);
}

function fixed(text) { return function () { return text; }; }

function showHelp(button) {
  var lines = [LEDGER_REGISTRY.title + "加载项（workbook_tools " + LEDGER_REGISTRY.version + "，WPS）", "", "按钮："];
  LEDGER_REGISTRY.buttons.forEach(function (b) { lines.push("【" + b.group + "】" + b.label + "：" + b.description); });
  lines.push("", "按钮通过本机服务（ledger serve）处理保存在磁盘上的台账；改动台账的按钮会先保存并关闭工作簿，完成后重新打开。",
    "其余功能请用命令行 ledger：" + LEDGER_REGISTRY.commands.join("、"), "安装与验收步骤见 docs/wps.md。");
  root().alert(Ledger.TITLE + " - " + button.label + "\n\n" + Ledger.clip(lines, 60));
  return { ok: true };
}

async function showAbout(button) {
  var lines = ["正版化台账加载项 " + LEDGER_REGISTRY.version + "（WPS 加载项）"];
  try {
    var book = Ledger.app().ActiveWorkbook;
    if (book) lines.push("工作簿：" + (Ledger.value(book, "FullName") || Ledger.value(book, "Name")));
    var info = await Ledger.connect();
    lines.push("本机服务：" + Ledger.base(info) + "（进程 " + info.pid + "）", "服务打开的文件夹：" + (info.roots || []).join("、"));
  } catch (error) {
    lines.push(error.refusal ? error.message : "内部错误（" + error.name + "）");
  }
  Ledger.say(button.label, lines);
  return { ok: true, lines: lines };
}

var BEHAVIOUR = {
  check: { action: "check", lines: checkLines, findings: function (b) { return b.findings; } },
  validate: { action: "annotate", findings: function (b) { return b.check && b.check.findings; },
    question: fixed("将按全部规则校验当前台账，标记有问题的单元格并重建「校验结果」表。") },
  number: { action: "number", question: fixed("将为附件7 中没有软件编号的行分配编号。") },
  fix_blanks: { action: "fix-blanks",
    question: fixed("将清除 OEM软件、免费软件、受赠/调剂商业软件不应填写的栏目（原值记入「变更记录」）。") },
  rollup: { action: "rollup", question: fixed("将按附件9 截至今天的安装卸载记录重建附件8，并更新附件7 安装数量。") },
  install: register("安装"),
  uninstall: register("卸载"),
  upgrade: register("升级"),
  renew: { action: "renew",
    question: fixed("将把附件7 中备注“续订 原软件编号”的续订行所替代的许可的全部安装转到续订行（附件9 成对登记卸载和安装）。") },
  print_slip: { action: "print", body: slipRows, lines: printedLines },
  print_form: { action: "print", body: activeForm, lines: printedLines },
  stats: { action: "stats", question: fixed("将重建「附件5 信息统计表」（今年）。") },
  plan: { action: "plan", question: fixed("将根据附件3 需求申请计算许可缺口，把采购建议写入附件4。") },
  overview: { action: "overview", question: fixed("将重建「概览」工作表。") },
  review: { action: "review", question: fixed("将重建今年的「考核评议」工作表。") },
  scan: { action: "scan", body: function () { return { folder: true }; },
    question: fixed("将用台账所在文件夹下「扫描结果」文件夹中的扫描文件核对台账，写入「校验结果」和「扫描建议」。"),
    findings: function (b) { return b.scan && b.scan.findings; } },
  help: { local: showHelp },
  about: { local: showAbout },
};
