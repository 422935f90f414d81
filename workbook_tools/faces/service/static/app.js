// The page of `ledger serve`.  Every text from the ledger or the service is put in the page as text
// (textContent / createTextNode), never as HTML.  Calls carry the token in the X-Ledger-Token header.
"use strict";

const state = { token: "", findings: [], changes: [], ledgers: [], pdfUrl: null };
const SEVERITY = { error: "错误", warning: "警告" };
const LABELS = {
  check: "校验台账", annotate: "校验并标记", number: "自动编号", "fix-blanks": "清除应空栏目", rollup: "半年更新",
  install: "登记安装", uninstall: "登记卸载", upgrade: "登记升级", slip: "打印确认单", print: "打印表单",
  stats: "统计 附件5", plan: "采购计划", overview: "概览", scan: "导入扫描结果", review: "考核评议", renew: "续订",
};
const KIND_ACTION = { "安装": "install", "卸载": "uninstall", "升级": "upgrade" };
// The tab that shows an action's answer: after a refusal the page goes there too (not left on an older tab).
const ACTION_TAB = {
  check: "findings", annotate: "findings", rollup: "findings", scan: "findings", overview: "overview",
  stats: "stats", plan: "stats", print: "pdf", slip: "pdf",
  number: "changes", "fix-blanks": "changes", install: "changes", uninstall: "changes", upgrade: "changes",
};
const LABEL_WIDTH = 48;   // display width of a chart label (a CJK character counts 2); longer ones end in … and
                          // carry the whole name as their tooltip

function $(id) { return document.getElementById(id); }

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "class") node.className = value;
    else if (key === "data") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

function table(headers, rows, rowClass) {
  const head = el("tr", {}, headers.map((h) => el("th", {}, h)));
  const body = rows.map((cells, i) => el("tr", rowClass ? rowClass(i) : {},
    cells.map((c) => el("td", typeof c === "number" ? { class: "num" } : {}, c === null ? "" : c))));
  return el("table", {}, el("thead", {}, head), el("tbody", {}, body));
}

// --- calling the service ------------------------------------------------------------------------

function headers(extra) { return Object.assign({ "X-Ledger-Token": state.token }, extra || {}); }

async function getJson(url) {
  const response = await fetch(url, { headers: headers() });
  return response.json();
}

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

async function poll(jobUrl) {
  for (;;) {
    const job = await getJson(jobUrl);
    showProgress(job);
    if (job.state !== "running") return { status: job.status, body: job.result };
    await sleep(200);
  }
}

async function call(action, body, form) {
  const init = { method: "POST", headers: headers({ Prefer: "respond-async" }) };
  if (form) { init.body = form; } else {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(action === "check" ? Object.assign({ hints: true }, body) : body);   // page words
  }
  const response = await fetch("/api/" + action, init);
  const answer = await response.json();
  if (response.status !== 202) return { status: response.status, body: answer };
  return poll("/api/jobs/" + answer.job);
}

function basics() {
  const body = { path: $("ledger").value };
  if ($("today").value.trim()) body.today = $("today").value.trim();
  return body;
}

// --- progress and messages ------------------------------------------------------------------------

function showProgress(job) {
  const box = $("progress"), bar = $("bar");
  if (job.state !== "running") { box.hidden = true; return; }
  box.hidden = false;
  if (job.total > 0) { bar.max = job.total; bar.value = job.done; } else { bar.removeAttribute("value"); }
  $("step").textContent = `${LABELS[job.action] || job.action}：${job.step}` + (job.total ? `（${job.done}/${job.total}）` : "");
  document.body.dataset.progress = `${job.done}/${job.total} ${job.step}`;
}

function say(title, body, ok) {
  const box = clear($("message"));
  box.className = ok ? "" : "failed";
  const lines = (body && body.lines) || [];
  const refusal = (body && (body.page_hint || body.message)) || "";
  box.appendChild(el("div", { class: "head" }, `${title}：${ok ? (lines[0] || body.message || "完成") : refusal}`));
  lines.slice(1).forEach((line) => box.appendChild(el("div", {}, line)));
}

async function run(action, body, form) {
  const buttons = document.querySelectorAll("button");
  buttons.forEach((b) => { b.disabled = true; });
  document.body.dataset.busy = action;
  try {
    const { status, body: answer } = await call(action, body, form);
    const ok = status < 400 && answer.ok !== false;
    if (action !== "check" || !ok) say(LABELS[action] || action, answer, ok);
    if (ok && answer.changes && answer.changes.length) recordChanges(action, answer.changes);
    if (!ok && answer.findings) showFindings({ findings: answer.findings, counts: null }, "半年更新被下列问题阻止");
    if (!ok) refused(action);
    return ok ? answer : null;
  } catch (err) {
    say(LABELS[action] || action, { message: "无法连接本机服务（ledger serve 是否仍在运行？）" }, false);
    return null;
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    $("progress").hidden = true;
    delete document.body.dataset.busy;
    finished();
  }
}

/** After a refusal: the tab that answers this action, and the focus on the message saying why. */
function refused(action) {
  if (ACTION_TAB[action]) openTab(ACTION_TAB[action]);
  $("message").focus();
}

// Counts the page's finished steps (tests and scripts wait on it).
function finished() { document.body.dataset.done = String(Number(document.body.dataset.done || 0) + 1); }

// --- findings -----------------------------------------------------------------------------------

function showFindings(result, title, groups) {
  state.findings = result.findings || [];
  state.groups = groups || null;   // a scan's findings grouped by kind, then computer (as the text report)
  const rules = [...new Set(state.findings.map((f) => f.rule))].sort();
  const select = clear($("f-rule"));
  select.appendChild(el("option", { value: "" }, "全部"));
  rules.forEach((r) => select.appendChild(el("option", { value: r }, r)));
  $("findings").dataset.title = title || "";
  renderFindings();
  openTab("findings");
}

function place(f) {
  if (f.scan_file) return f.scan_line ? `${f.scan_file}:${f.scan_line}` : f.scan_file;
  return f.cell || (f.row ? `第 ${f.row} 行` : "");
}

function renderFindings() {
  const severity = $("f-severity").value, rule = $("f-rule").value;
  const shown = state.findings.filter((f) => (!severity || f.severity === severity) && (!rule || f.rule === rule));
  const box = clear($("findings"));
  const errors = shown.filter((f) => f.severity === "error").length;
  $("f-count").textContent = `共 ${shown.length} 条（错误 ${errors}，警告 ${shown.length - errors}）`;
  if ($("findings").dataset.title) box.appendChild(el("p", {}, $("findings").dataset.title));
  if (!state.findings.length) { box.appendChild(el("p", { class: "ok" }, "未发现问题。")); return; }
  if (state.groups && !severity && !rule) { renderScanGroups(box, state.groups); return; }
  const groups = new Map();
  shown.forEach((f) => { const key = f.sheet || "（全局）"; if (!groups.has(key)) groups.set(key, []); groups.get(key).push(f); });
  for (const [sheet, items] of groups) {
    const n = items.filter((f) => f.severity === "error").length;
    box.appendChild(el("h3", { data: { sheet } }, `${sheet}：${n} 个错误，${items.length - n} 个警告`));
    const rows = items.map((f) => [place(f), SEVERITY[f.severity] || f.severity, f.rule, f.page_hint || f.message]);
    const t = table(["单元格", "级别", "规则", "说明"], rows, (i) => ({
      class: `finding ${items[i].severity}`, data: { rule: items[i].rule, cell: items[i].cell || "", sheet },
    }));
    t.classList.add("findings");
    t.querySelectorAll("tbody tr").forEach((tr, i) => {
      tr.children[0].classList.add("cell");
      tr.children[1].classList.add("sev");
      tr.children[2].classList.add("code");
      if (items[i].page_hint) tr.children[3].title = `命令行：${items[i].message}`;
    });
    box.appendChild(t);
  }
}

function renderScanGroups(box, groups) {
  // kinds (errors first), each with its clause and advice, then the computers; unscanned ones on one line
  for (const kind of groups.kinds) {
    box.appendChild(el("h3", { class: `kind ${kind.severity}`, data: { rule: kind.code } },
      `【${SEVERITY[kind.severity] || kind.severity}】${kind.code} ${kind.title}：${kind.count} 条`));
    box.appendChild(el("p", { class: "advice" }, `依据：${kind.clause}；建议：${kind.advice}`));
    for (const computer of kind.computers) {
      box.appendChild(el("h4", {}, computer.who));
      const items = computer.findings;
      const t = table(["位置", "说明"], items.map((f) => [place(f), f.page_hint || f.message]), (i) => ({
        class: `finding ${items[i].severity}`, data: { rule: items[i].rule, cell: items[i].cell || "", sheet: items[i].sheet || "" },
      }));
      t.classList.add("findings");
      t.querySelectorAll("tbody tr").forEach((tr) => tr.children[0].classList.add("cell"));
      box.appendChild(t);
    }
  }
  if (groups.not_scanned && groups.not_scanned.count) box.appendChild(el("p", { class: "not-scanned" }, groups.not_scanned.line));
}

// --- overview charts (SVG drawn here: nothing is loaded from elsewhere) -----------------------------

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function width(text) { return [...text].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e7f ? 2 : 1), 0); }

/** `text` cut to `limit` display columns, ending in … when cut. */
function clip(text, limit) {
  if (width(text) <= limit) return text;
  let out = "";
  for (const c of text) { if (width(out + c) > limit - 1) break; out += c; }
  return out + "…";
}

function barChart(title, labels, series) {
  // series: [{name, color, values, texts?}] drawn as grouped bars; texts replace the numbers shown
  const rowH = 18 * series.length + 8, left = 300, width = 600;
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v || 0)));
  const chart = svg("svg", { width: left + width + 60, height: labels.length * rowH + 10, role: "img" });
  labels.forEach((label, i) => {
    const y = i * rowH + 4;
    const text = svg("text", { x: left - 6, y: y + rowH / 2, "text-anchor": "end", "dominant-baseline": "middle",
      class: "label", "data-full": label }, clip(label, LABEL_WIDTH));
    text.appendChild(svg("title", {}, label));   // the tooltip of an SVG element: its full name on hover
    chart.appendChild(text);
    series.forEach((s, j) => {
      const v = s.values[i] || 0, w = Math.max(v > 0 ? 1 : 0, (v / max) * width);
      chart.appendChild(svg("rect", { x: left, y: y + j * 18, width: w, height: 14, fill: s.color }));
      chart.appendChild(svg("text", { x: left + w + 4, y: y + j * 18 + 11 }, s.texts ? s.texts[i] : String(v)));
    });
  });
  const legend = el("div", { class: "legend" }, series.map((s) => {
    const swatch = el("i"); swatch.style.background = s.color; return el("span", {}, swatch, s.name);
  }));
  return el("div", { class: "chart" }, el("h3", {}, title), legend, chart);
}

function showOverview(ov) {
  const figures = clear($("ov-figures")), charts = clear($("ov-charts"));
  const count = (flag) => ov.software.filter((s) => s[flag]).length;
  const rate = ov.rate === null ? "—" : `${(ov.rate * 100).toFixed(1)}%`;
  const items = [["商业软件编号", ov.software.length], ["合规", ov.compliant], ["合规率", rate],
    ["超装", count("over")], ["已过期仍安装", count("expired")], ["即将到期", count("expiring")]];
  figures.appendChild(el("div", { class: "figures" }, items.map(([name, value]) =>
    el("div", { class: "figure", data: { name } }, el("div", { class: "value" }, value), el("div", { class: "name" }, name)))));
  const sw = ov.software;
  charts.appendChild(barChart("许可数与安装数（按软件编号）", sw.map((s) => `${s["软件编号"]} ${s["软件名称"] || ""}`),
    [{ name: "许可数", color: "#4c8bf5", values: sw.map((s) => (s.unlimited ? 0 : s.licences || 0)),
       texts: sw.map((s) => (s.unlimited || s.licences === null ? "不限" : String(s.licences))) },
     { name: "安装数", color: "#f28b30", values: sw.map((s) => s.installed) }]));
  if (ov.findings) {
    charts.appendChild(barChart("各部门问题数", ov.findings.map((d) => d["部门"]),
      [{ name: "错误", color: "#cf222e", values: ov.findings.map((d) => d.error) },
       { name: "警告", color: "#d4a72c", values: ov.findings.map((d) => d.warning) }]));
  }
  const cats = Object.keys(ov.categories || {});
  const origins = [...new Set(cats.flatMap((c) => Object.keys(ov.categories[c])))];
  const colors = ["#2da44e", "#8250df", "#57606a"];
  charts.appendChild(barChart("软件类别与产地（软件编号数）", cats,
    origins.map((o, i) => ({ name: o, color: colors[i % colors.length], values: cats.map((c) => ov.categories[c][o] || 0) }))));
  openTab("overview");
}

// --- statistics ---------------------------------------------------------------------------------

function n(value) { return value === null || value === undefined ? "" : Number.isInteger(value) ? value : Number(value.toFixed(4)); }

function statsTables(stats) {
  const cats = Object.keys(stats.purchases), origins = Object.keys(stats.purchases[cats[0]]);
  const c = stats.computers;
  return el("div", {},
    el("h3", {}, `软件正版化工作信息统计表（${stats.year}年，截至 ${stats.as_of}）：${stats.header["单位名称"] || ""}`),
    el("p", {}, `总人数 ${stats["总人数"]}，使用计算机人数 ${stats["使用计算机人数"]}；服务器 ${c["服务器"]}，台式机 ${c["台式机"]}，便携机 ${c["便携机"]}`),
    el("h3", {}, "本年度软件采购情况（许可数 / 金额万元）"),
    table(["软件属性", ...cats], origins.map((o) => [o, ...cats.map((k) => `${n(stats.purchases[k][o].licences)} / ${n(stats.purchases[k][o].yuan / 10000)}`)])),
    el("h3", {}, "累计拥有软件许可情况"),
    table(["软件属性", ...cats], origins.map((o) => [o, ...cats.map((k) => n(stats.holdings[k][o]))])),
    (stats.notes || []).map((note) => el("p", { class: "hint" }, note)));
}

function showMulti(answer) {
  const box = clear($("multi-result"));
  box.appendChild(el("p", {}, answer.lines[0]));
  box.appendChild(statsTables(answer.total));
  const units = answer.units;
  const keep = [0, 1, 2, 3, 4, 5, 6, 7];
  box.appendChild(el("h3", {}, "分单位明细"));
  box.appendChild(table(keep.map((i) => units.columns[i]), units.rows.map((r) => keep.map((i) => r[i]))));
  (answer.failures || []).forEach((f) => box.appendChild(el("p", { class: "hint" }, `未能读取：${f.file}（${f.error}）`)));
}

function showPlan(answer) {
  const box = clear($("plan-result"));
  box.appendChild(el("h3", {}, "附件4 采购建议"));
  box.appendChild(table(["软件名称", "版本", "单价（元）", "许可数", "合计（元）", "依据申请"], answer.proposals.map((p) =>
    [p["软件名称"] || "", p["软件版本"] || "", p["单价"] === null ? "待填" : p["单价"], p["许可数"], p["合计"] === null ? "待填" : p["合计"], p["依据申请编号"] || ""])));
  openTab("stats");
}

// --- change log ---------------------------------------------------------------------------------

function recordChanges(action, changes) {
  state.changes.push({ action, at: new Date().toLocaleTimeString("zh-CN"), changes });
  const box = clear($("changes"));
  state.changes.slice().reverse().forEach((entry) => {
    box.appendChild(el("div", { class: "change-action" }, `${entry.at} ${LABELS[entry.action] || entry.action}：${entry.changes.length} 处改动`));
    const rows = entry.changes.slice(0, 500).map((c) => [c.sheet, c.row === null ? "" : c.row, c.content]);
    box.appendChild(table(["表", "行", "内容"], rows, () => ({ class: "change", data: { action: entry.action } })));
    if (entry.changes.length > 500) box.appendChild(el("p", { class: "hint" }, `……另有 ${entry.changes.length - 500} 处`));
  });
}

async function loadFileChanges() {
  try { await showFileChanges(); } finally { finished(); }
}

async function showFileChanges() {
  const { status, body } = await call("changes", { path: $("ledger").value, limit: 300 });
  const box = clear($("changes-file"));
  if (status >= 400) { box.appendChild(el("p", {}, body.message)); return; }
  const rows = body.changes.slice().reverse().map((c) => [c["时间"] || "", c["操作"] || "", c["表"] || "", c["行"] || "", c["内容"] || ""]);
  box.appendChild(table(["时间", "操作", "表", "行", "内容"], rows));
}

// --- PDFs -----------------------------------------------------------------------------------------

async function showPdf(answer) {
  const response = await fetch(answer.pdf, { headers: headers() });
  const blob = await response.blob();
  if (state.pdfUrl) URL.revokeObjectURL(state.pdfUrl);
  state.pdfUrl = URL.createObjectURL(new Blob([blob], { type: "application/pdf" }));
  $("pdf-info").textContent = `${answer.lines[answer.lines.length - 1]}：${answer.file}`;
  const link = $("pdf-link"); link.href = state.pdfUrl; link.hidden = false;
  link.dataset.bytes = String(blob.size);
  const frame = $("pdf-frame"); frame.src = state.pdfUrl; frame.hidden = false;
  openTab("pdf");
}

// --- panels and buttons ---------------------------------------------------------------------------

function openTab(name) {
  document.querySelectorAll(".tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll(".tab").forEach((t) => { t.hidden = t.id !== `tab-${name}`; });
}

function openPanel(name) {
  document.querySelectorAll(".panel").forEach((p) => { p.hidden = p.id !== `panel-${name}`; });
}

async function action(name) {
  openPanel("");
  const body = basics();
  const answer = await run(name, body);
  if (!answer) return;
  if (name === "check") {
    say("校验台账", { lines: [`${answer.workbook}：${answer.counts.error} 个错误，${answer.counts.warning} 个警告`] }, true);
    showFindings(answer);
  }
  if (name === "annotate") showFindings(answer.check);
  if (name === "overview") showOverview(answer.overview);
  if (name === "stats") { clear($("stats-one")).appendChild(statsTables(answer.stats)); openTab("stats"); }
  if (name === "plan") showPlan(answer);
}

function openRollup() {
  openPanel("rollup");
  $("rollup-date").focus();
}

async function rollup() {
  const body = basics();
  if ($("rollup-date").value.trim()) body.date = $("rollup-date").value.trim();
  if ($("rollup-force").checked) body.force = true;
  await run("rollup", body);
}

async function openRegister(kind) {
  try { await showRequests(kind); } finally { finished(); }
}

async function showRequests(kind) {
  openPanel("register");
  $("register-title").textContent = `登记${kind}：附件10 中已批准的${kind}申请`;
  $("register-go").dataset.kind = kind;
  const box = clear($("requests"));
  const { status, body } = await call("requests", { path: $("ledger").value, kind });
  if (status >= 400) { box.appendChild(el("p", {}, body.message)); return; }
  if (!body.requests.length) { box.appendChild(el("p", { class: "hint" }, `没有已批准的${kind}申请。`)); return; }
  const rows = body.requests.map((r) => {
    const box = el("input", { type: "checkbox", value: String(r.row) });
    box.checked = !r.registered;
    return [box, r.row, r["申请编号"], r["计算机编号"], r["申请人"], r["软件名称"], r["软件版本"], r.registered ? "已登记" : ""];
  });
  box.appendChild(table(["", "行", "申请编号", "计算机编号", "申请人", "软件名称", "软件版本", ""], rows));
}

async function register() {
  const kind = $("register-go").dataset.kind;
  const rows = [...document.querySelectorAll("#requests input:checked")].map((b) => Number(b.value));
  if (!rows.length) { say(`登记${kind}`, { message: "请先勾选要登记的申请" }, false); return; }
  await run(KIND_ACTION[kind], Object.assign(basics(), { rows }));
  await showRequests(kind);
}

function openPrint(form) {
  openPanel("print");
  $("print-title").textContent = form === "11" ? "打印确认单（附件11）" : "打印表单";
  const select = $("print-form");
  if (form) select.value = form;
  $("print-ids").value = "";
}

async function printForm() {
  const body = Object.assign(basics(), { form: $("print-form").value, ids: $("print-ids").value });
  if ($("print-year").value) body.year = $("print-year").value;
  const answer = await run("print", body);
  if (answer && answer.pdf) await showPdf(answer);
}

async function scan() {
  const files = $("scan-files").files;
  if (!files.length) { say("导入扫描结果", { message: "请先选择扫描文件" }, false); return; }
  const form = new FormData();
  Object.entries(basics()).forEach(([k, v]) => form.append(k, v));
  [...files].forEach((f) => form.append("files", f, f.name));
  const answer = await run("scan", null, form);
  if (answer) showFindings(answer.scan, "扫描核对结果", answer.scan_groups);
}

async function multi() {
  const paths = [...document.querySelectorAll("#multi-list input:checked")].map((b) => b.value);
  if (paths.length < 2) { say("多单位汇总", { message: "请至少勾选两个台账" }, false); return; }
  const body = { paths, force: true };
  if ($("today").value) body.today = $("today").value;
  if ($("multi-year").value) body.year = $("multi-year").value;
  const answer = await run("stats", body);
  if (answer) showMulti(answer);
}

async function loadLedgers(wanted) {
  const answer = await getJson("/api/ledgers");
  state.ledgers = answer.ledgers || [];
  const select = clear($("ledger")), list = clear($("multi-list"));
  state.ledgers.forEach((l) => {
    select.appendChild(el("option", { value: l.path }, l.name));
    list.appendChild(el("label", { class: "unit" }, el("input", { type: "checkbox", value: l.path }), l.name, " "));
  });
  if (wanted) {
    const hit = state.ledgers.find((l) => l.path === wanted || l.name === wanted);
    if (!hit) select.appendChild(el("option", { value: wanted }, wanted));   // the service checks it on use
    select.value = hit ? hit.path : wanted;
  }
  const info = await getJson("/api/info");
  $("service").textContent = `workbook_tools ${info.version} · 端口 ${info.port} · 只接受本机访问`;
}

function fillForms() {
  const select = $("print-form");
  for (let i = 1; i <= 11; i += 1) select.appendChild(el("option", { value: String(i) }, `附件${i}`));
}

function start() {
  const params = new URLSearchParams(location.search);
  state.token = params.get("token") || sessionStorage.getItem("ledger-token") || "";
  sessionStorage.setItem("ledger-token", state.token);
  const wanted = params.get("path");
  history.replaceState(null, "", wanted ? `/?path=${encodeURIComponent(wanted)}` : "/");
  fillForms();
  document.querySelectorAll("[data-action]").forEach((b) => b.addEventListener("click", () => action(b.dataset.action)));
  document.querySelectorAll("[data-panel=register]").forEach((b) => b.addEventListener("click", () => openRegister(b.dataset.kind)));
  document.querySelectorAll("[data-panel=print]").forEach((b) => b.addEventListener("click", () => openPrint(b.dataset.form)));
  document.querySelector("[data-panel=scan]").addEventListener("click", () => openPanel("scan"));
  document.querySelector("[data-panel=rollup]").addEventListener("click", openRollup);
  $("rollup-go").addEventListener("click", rollup);
  document.querySelectorAll(".tabs button").forEach((b) => b.addEventListener("click", () => openTab(b.dataset.tab)));
  $("f-severity").addEventListener("change", renderFindings);
  $("f-rule").addEventListener("change", renderFindings);
  $("register-go").addEventListener("click", register);
  $("print-go").addEventListener("click", printForm);
  $("scan-go").addEventListener("click", scan);
  $("multi-go").addEventListener("click", multi);
  $("changes-load").addEventListener("click", loadFileChanges);
  loadLedgers(wanted).then(() => { document.body.dataset.ready = "1"; if (wanted) action("check"); });
}

document.addEventListener("DOMContentLoaded", start);
