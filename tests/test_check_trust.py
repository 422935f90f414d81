"""A clean check means a compliant ledger: each way a correct ledger used to warn, pinned on a small unit."""
from __future__ import annotations

import datetime as dt
import json
import re

import openpyxl
import pytest
from builders import clean_unit, make_ledger, run_cli
from test_year import transfer, unit

from workbook_tools.core import registers, schema
from workbook_tools.core.clauses import clause
from workbook_tools.core.model import LedgerError
from workbook_tools.ops.operations import Install, plan_baseline, plan_install
from workbook_tools.ops.stats import compute_stats
from workbook_tools.read.reader import load_ledger
from workbook_tools.rules import run_check
from workbook_tools.tasks.operations import apply_operation
from workbook_tools.tasks.sheets import apply_rollup

D = dt.date
A7, A8, A9 = schema.A7, schema.A8, schema.A9
TODAY = D(2026, 3, 1)


def found(path, today=TODAY, rules=None):
    return run_check(load_ledger(path), today, select=rules).findings


def keys(findings, code=None):
    return sorted(((f.rule, (f.sheet or "").split(" ")[0], f.row, f.cell) for f in findings if code in (None, f.rule)),
                  key=lambda k: (k[0], k[1], k[2] or 0, k[3] or ""))


# --- 1. baseline rows need no slip ---------------------------------------------------------------

def test_baseline_rows_need_no_slip_but_other_events_do(tmp_path):
    path = make_ledger(tmp_path, **unit())
    apply_operation(path, plan_baseline, D(2025, 12, 31), TODAY)
    assert keys(found(path, rules=["EVENT-NO-SLIP"])) == []
    apply_operation(path, plan_install, Install(computer="PC-003", software="MF-0001", date=D(2026, 2, 1),
                                                request="SQ-001"), TODAY)
    [finding] = found(path, rules=["EVENT-NO-SLIP"])
    assert (finding.row, finding.cell) == (9, "M9")
    assert "PC-003" in finding.message          # item 10: the finding names the computer


def test_a_row_only_called_baseline_by_its_remark_still_needs_a_slip(tmp_path):
    u = clean_unit()
    u["附件9"][2].update(备注="初始登记", 确认单号=None)   # not 统一部署: a visit with its own request
    assert keys(found(make_ledger(tmp_path, **u), rules=["EVENT-NO-SLIP"])) == [("EVENT-NO-SLIP", "附件9", 4, "M4")]


# --- 2. events are judged as of their own date -----------------------------------------------------

def test_a_transfer_leaves_older_events_alone(tmp_path):
    path = make_ledger(tmp_path, **unit())
    apply_operation(path, plan_baseline, D(2025, 12, 31), TODAY)
    apply_rollup(path, D(2025, 12, 31), today=TODAY)
    transfer(path, "李四", "企业登记处")
    apply_rollup(path, D(2026, 2, 28), today=TODAY)
    assert keys(found(path, rules=["MISMATCH-DERIVED", "REF-PERSON"])) == []


def test_an_event_that_contradicts_its_own_slip_is_found(tmp_path):
    u = clean_unit()
    u["附件11"][2]["使用部门"] = "网络平台处"
    u["附件9"][2]["使用部门"] = "办公室"          # the same visit, another department
    assert keys(found(make_ledger(tmp_path, **u), rules=["MISMATCH-DERIVED"])) == [
        ("MISMATCH-DERIVED", "附件9", 4, "G4")]


# --- 3. the baseline keeps the inventory's install dates ---------------------------------------------

def test_baseline_events_keep_the_install_dates_and_the_rollup_keeps_them_too(tmp_path):
    path = make_ledger(tmp_path, **unit())
    plan = plan_baseline(load_ledger(path), D(2025, 12, 31), TODAY)
    assert [e.values["日期"] for e in plan.appended] == [
        D(2022, 1, 10), D(2021, 6, 1), D(2022, 3, 5), D(2023, 4, 1), D(2025, 12, 31), D(2021, 6, 1), D(2020, 2, 1)]
    apply_operation(path, plan_baseline, D(2025, 12, 31), TODAY)
    apply_rollup(path, D(2025, 12, 31), today=TODAY)
    a8 = load_ledger(path).df(A8)
    dates = {(c, n): d.date() for c, n, d in zip(a8["计算机编号"], a8["软件编号"], a8["安装日期"])}
    assert dates[("PC-001", "SY-0001")] == D(2022, 1, 10) and dates[("PC-002", "SY-0003")] == D(2025, 12, 31)


def test_an_install_date_after_the_baseline_date_is_refused(tmp_path):
    u = unit()
    u["附件8"][0]["安装日期"] = D(2026, 1, 5)
    with pytest.raises(LedgerError) as exc:
        plan_baseline(load_ledger(make_ledger(tmp_path, **u)), D(2025, 12, 31), TODAY)
    assert exc.value.exit_code == 1 and "第 2 行" in exc.value.message


# --- 4. one product in two batches ---------------------------------------------------------------------

OFFICE = {"软件名称": "Microsoft Office", "软件版本": "2019", "软件类型": "商业软件", "许可类型": "单机许可",
          "许可数量": 5, "许可期限": "永久", "获取方式": "采购", "软件类别": "办公软件", "产地": "国外", "状态": "在用"}


def office_unit(target: str) -> dict:
    u = clean_unit()
    u["附件7"] += [{**OFFICE, "软件编号": "SY-0002", "采购时间": D(2024, 3, 1), "采购金额": 5000, "序列号": "O-1"},
                   {**OFFICE, "软件编号": "SY-0011", "采购时间": D(2025, 9, 1), "采购金额": 5200, "序列号": "O-2"}]
    u["附件9"].append({"序号": 4, "软件编号": "SY-0011", "操作": "安装", "计算机编号": "PC-002", "计算机品牌": "戴尔",
                      "使用人": "李四", "使用部门": "网络平台处", "版本": "2019", "日期": D(2025, 9, 5), "安装数量": 1,
                      "统一部署": "是", "确认单号": "QR-003"})
    u["软件名称对照"] = [{"顺序": 1, "匹配字段": "DisplayName", "匹配方式": "正则", "匹配内容": r"^Microsoft Office .*(?P<v>20\d\d)",
                        "动作": "对应", "软件编号": target, "版本取值": "v"}]
    return u


@pytest.mark.parametrize("target", ["SY-0002", "Microsoft Office"])
def test_a_scanned_product_matches_the_batch_installed_on_that_computer(tmp_path, target):
    from test_scan_reconcile import scan

    from workbook_tools.scan import reconcile
    from workbook_tools.tasks.scanning import read_scans

    ledger = load_ledger(make_ledger(tmp_path, **office_unit(target)))
    files = [scan(tmp_path, "PC-002.csv", "PC-002", ("Microsoft Office 专业增强版 2019 - zh-cn", "16.0.10827", "Microsoft"))]
    result, _ = reconcile(ledger, read_scans(files), D(2026, 3, 1))
    # (these scans list Office only: what they say of the other software the library knows is not the point here)
    assert [(i.finding.rule, i.computer, i.software) for i in result.issues
            if i.finding.rule != "SCAN-NOT-SCANNED" and i.software not in ("SY-0001", "MF-0001", "OEM-0001")] == []


def test_a_scanned_product_not_installed_is_reported_once_under_its_covering_number(tmp_path):
    from test_scan_reconcile import scan

    from workbook_tools.scan import reconcile
    from workbook_tools.tasks.scanning import read_scans

    ledger = load_ledger(make_ledger(tmp_path, **office_unit("Microsoft Office")))
    files = [scan(tmp_path, "PC-001.csv", "PC-001", ("Microsoft Office 专业增强版 2019 - zh-cn", "16.0", "Microsoft"))]
    result, _ = reconcile(ledger, read_scans(files), D(2026, 3, 1))
    assert [(i.finding.rule, i.computer, i.software) for i in result.issues
            if i.computer == "PC-001" and i.software in ("SY-0002", "SY-0011")] == [("SCAN-UNREGISTERED", "PC-001", "SY-0002")]


# --- 5. a roll-up never silently winds the ledger back --------------------------------------------------

def test_a_rollup_before_the_last_one_is_refused_without_force(tmp_path, capsys):
    path = make_ledger(tmp_path, **unit())
    apply_operation(path, plan_baseline, D(2025, 12, 31), TODAY)
    apply_rollup(path, D(2026, 2, 28), today=TODAY)
    before = path.read_bytes()
    with pytest.raises(LedgerError) as exc:
        apply_rollup(path, D(2026, 1, 31), today=TODAY)
    assert exc.value.exit_code == 1 and path.read_bytes() == before
    code, _, err = run_cli(capsys, "rollup", path, "--date", "2026-01-31", "--today", "2026-03-01")
    assert code == 1 and path.read_bytes() == before
    assert len(err.strip().splitlines()) == 1 and "2026-02-28" in err
    assert apply_rollup(path, D(2026, 1, 31), force=True, today=TODAY).written
    assert load_ledger(path).last_rollup() == D(2026, 1, 31)


# --- 6. one 总人数 -----------------------------------------------------------------------------------------

def test_a_blank_status_counts_the_same_everywhere_and_is_a_finding(tmp_path):
    u = unit()
    u["人员"][1]["状态"] = None
    u["人员"][2].update(状态=None, 承诺书签署日期=None)
    u["计算机"][2]["状态"] = None
    path = make_ledger(tmp_path, **u)
    ledger = load_ledger(path)
    header = registers.header_counts(ledger, TODAY)
    stats = compute_stats(ledger, 2026, TODAY)
    assert header["总人数"] == stats.总人数 == 4 and header["台式机数"] == stats.computers["台式机"] == 2
    findings = run_check(ledger, TODAY, select=["REQ-FIELD", "STAFF-NO-PLEDGE"]).findings
    assert keys(findings) == [("REQ-FIELD", "人员", 3, "F3"), ("REQ-FIELD", "人员", 4, "F4"),
                              ("REQ-FIELD", "计算机", 4, "G4"), ("STAFF-NO-PLEDGE", "人员", 4, "E4")]


def test_header_counts_of_the_rollup_agree_with_stats(tmp_path):
    u = unit()
    u["人员"][0]["状态"] = None
    path = make_ledger(tmp_path, **u)
    apply_operation(path, plan_baseline, D(2025, 12, 31), TODAY)
    apply_rollup(path, D(2025, 12, 31), today=TODAY)
    ledger = load_ledger(path)
    assert ledger.settings["附件7.总人数"] == str(compute_stats(ledger, 2025, TODAY).总人数) == "4"
    assert keys(found(path, rules=["HEADER-COUNTS"])) == []


# --- 7. the overview before any check ---------------------------------------------------------------------

def test_overview_of_a_new_ledger_does_not_claim_a_clean_check(tmp_path, capsys):
    path = tmp_path / "新台账.xlsx"
    assert run_cli(capsys, "init", path)[0] == 0
    wb = openpyxl.load_workbook(path)
    wb[schema.STAFF].append(["办公室", "张三", "科员", "是", None, "在职"])   # no pledge: a warning
    wb.save(path)
    assert run_cli(capsys, "overview", path, "--today", "2026-03-01")[0] == 0
    ws = openpyxl.load_workbook(path)["概览"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any("未发现问题" in t for t in texts)
    warnings = [c.offset(0, 2).value for row in ws.iter_rows() for c in row if c.value == "未分部门（全单位）"
                or c.value == "办公室"]
    assert sum(w for w in warnings if isinstance(w, int)) >= 1


# --- 8. stats refuses a unit given twice ------------------------------------------------------------------

@pytest.mark.parametrize("twice", ["same file", "a copy", "same unit name"])
def test_stats_refuses_the_same_unit_twice(tmp_path, capsys, twice):
    first = make_ledger(tmp_path, "甲.xlsx", **clean_unit())
    if twice == "same file":
        second = first
    elif twice == "a copy":
        second = tmp_path / "乙.xlsx"
        second.write_bytes(first.read_bytes())
    else:
        other = clean_unit()
        other["人员"][0]["职务"] = "副科长"            # different content, same 单位名称
        second = make_ledger(tmp_path, "乙.xlsx", **other)
    out = tmp_path / "汇总.xlsx"
    code, _, err = run_cli(capsys, "stats", first, second, "--year", "2026", "-o", out, "--today", "2026-03-01")
    assert code == 1 and not out.exists() and len(err.strip().splitlines()) == 1


def test_stats_sums_two_different_units(tmp_path, capsys):
    first = make_ledger(tmp_path, "甲.xlsx", **clean_unit())
    other = clean_unit()
    other["设置"]["单位名称"] = "另一单位"
    second = make_ledger(tmp_path, "乙.xlsx", **other)
    out = tmp_path / "汇总.xlsx"
    code, _, _ = run_cli(capsys, "stats", first, second, "--year", "2026", "-o", out, "--today", "2026-03-01")
    assert code == 0 and out.exists()


# --- 9. full-width ids ---------------------------------------------------------------------------------------

def test_a_full_width_id_matches_and_is_reported_as_such(tmp_path):
    u = clean_unit()
    u["附件9"][2]["计算机编号"] = "ＰＣ－００２"
    u["附件9"][1]["软件编号"] = " ＳＹ－０００１"
    ledger = load_ledger(make_ledger(tmp_path, **u))
    result = run_check(ledger, TODAY)
    assert keys(result.findings) == [("ID-WIDTH", "附件9", 3, "B3"), ("ID-WIDTH", "附件9", 4, "D4")]
    assert result.counts == {"error": 0, "warning": 2}
    assert "PC-002" in result.findings[1].message


# --- 10. the smaller things -------------------------------------------------------------------------------------

def test_type_messages_cite_the_clause_of_their_sheet(tmp_path):
    u = clean_unit()
    u["附件9"][0]["日期"] = "去年"
    u["附件7"][0]["采购金额"] = "很多"
    u["附件9"][1]["操作"] = "装"
    findings = found(make_ledger(tmp_path, **u), rules=["TYPE-*"])
    assert sorted(f.rule for f in findings) == ["TYPE-DATE", "TYPE-ENUM", "TYPE-NUMBER"]
    assert all(clause(f.sheet) in f.message for f in findings)


def test_site_licence_needs_no_count_and_a_count_may_carry_its_unit(tmp_path):
    u = clean_unit()
    u["附件7"][0].update(许可类型="场地授权", 许可数量=None)
    assert keys(found(make_ledger(tmp_path, "a.xlsx", **u), rules=["REQ-FIELD"])) == []
    u["附件7"][0].update(许可类型="单机许可", 许可数量="5个")
    ledger = load_ledger(make_ledger(tmp_path, "b.xlsx", **u))
    assert ledger.df(A7)["许可数量"].iloc[0] == 5.0 and keys(run_check(ledger, TODAY).findings) == []
    u["附件7"][0]["许可数量"] = "5台"
    assert keys(found(make_ledger(tmp_path, "c.xlsx", **u), rules=["TYPE-NUMBER"])) == [
        ("TYPE-NUMBER", "附件7", 2, "I2")]


def test_every_command_has_a_whole_summary(capsys):
    _, out, _ = run_cli(capsys, "--help")
    commands = re.split(r"(?:命令|Commands)[：:]", out, maxsplit=1)[1].strip().splitlines()
    summaries = {line.split(None, 1)[0]: line.split(None, 1)[1] for line in commands}
    assert len(summaries) >= 20 and not any(s.endswith("...") or not s.strip() for s in summaries.values())
    assert summaries["upgrade"].startswith("登记一次软件升级")


def test_scrap_software_date_is_the_scrap_date(capsys):
    _, out, _ = run_cli(capsys, "scrap-software", "--help")
    [line] = [line for line in out.splitlines() if line.strip().startswith("--date")]
    assert "报废日期" in line


ENGLISH = ("Invalid value", "Missing", "No such", "Usage", "Error", "Try ", "Got unexpected", "requires")


@pytest.mark.parametrize("args", [
    ("scrap-software", "x.xlsx", "SY-0001", "--reason", "4"),
    ("install", "x.xlsx", "--computer", "PC-001", "--software", "SY-0001", "--count", "两套"),
    ("install", "x.xlsx", "--software", "SY-0001"),
    ("check", "x.xlsx", "--formt", "json"),
    ("check", "x.xlsx", "--format", "xml"),
    ("check", "x.xlsx", "y.xlsx"),
    ("check", "x.xlsx", "--today"),
    ("rollup", "x.xlsx", "--force=yes"),
    ("stats", "x.xlsx", "--year", "今年"),
    ("nosuch",),
    ("check",),
])
def test_option_errors_are_one_chinese_line(capsys, args):
    code, out, err = run_cli(capsys, *args)
    lines = err.strip().splitlines()
    assert code == 2 and out == "" and len(lines) == 1
    assert any("\u4e00" <= ch <= "\u9fff" for ch in lines[0]) and not any(w in lines[0] for w in ENGLISH)


def _command_paths(command, prefix=()):
    yield prefix
    for name, sub in getattr(command, "commands", {}).items():
        yield from _command_paths(sub, (*prefix, name))


def test_help_pages_have_no_english_frame(capsys):
    import typer

    from workbook_tools.faces.cli import app, load_commands

    load_commands()
    paths = list(_command_paths(typer.main.get_command(app)))
    assert ("bundle", "windows") in paths and ("wps", "install") in paths
    for path in paths:
        _, out, _ = run_cli(capsys, *path, "--help")
        assert out.startswith("用法："), (path, out)
        assert not any(w in out for w in ("Usage:", "Options", "Commands", "Arguments", "Show this message",
                                          "[default:", "[required]", "list[")), (path, out)
        usage = out.splitlines()[0]
        assert not re.search(r"[{}]|\b(path|paths|form)\b", usage), (path, usage)


def test_help_columns_line_up_in_a_terminal(capsys):
    import unicodedata

    def width(text):
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    _, out, _ = run_cli(capsys, "scan", "--help")
    lines = out.splitlines()
    ledger = next(line for line in lines if "台账工作簿路径" in line)
    files = next(line for line in lines if "扫描文件（CSV）" in line)
    assert width(ledger[:ledger.index("台账工作簿路径")]) == width(files[:files.index("扫描文件（CSV）")])


def test_scan_version_advice_follows_the_software_type(tmp_path):
    from test_scan_reconcile import SEVEN, WPS, scan
    from test_scan_reconcile import unit as scan_unit

    from workbook_tools.scan import reconcile
    from workbook_tools.tasks.scanning import read_scans

    ledger = load_ledger(make_ledger(tmp_path, **scan_unit()))
    files = [scan(tmp_path, "a.csv", "PC-001", WPS), scan(tmp_path, "b.csv", "PC-002", ("7-Zip 24.05 (x64)", "24.05", SEVEN[2]))]
    result, _ = reconcile(ledger, read_scans(files), TODAY)
    [issue] = [i for i in result.issues if i.finding.rule == "SCAN-VERSION"]
    assert issue.software == "MF-0001" and "升级商业软件" not in issue.finding.message
    from workbook_tools.scan.reconcile import VERSION_ADVICE

    assert VERSION_ADVICE["免费软件"] in issue.finding.message


@pytest.mark.parametrize("mode, pattern", [("等于", "WPS Office 2019 专业版"), ("正则", "^WPS Office")])
def test_version_taken_by_a_regex_of_its_own(tmp_path, mode, pattern):
    from test_scan_reconcile import scan
    from test_scan_reconcile import unit as scan_unit

    from workbook_tools.scan import reconcile
    from workbook_tools.tasks.scanning import read_scans

    u = scan_unit()
    u["软件名称对照"][0].update(匹配方式=mode, 匹配内容=pattern, 版本取值=r"(\d{4})")
    ledger = load_ledger(make_ledger(tmp_path, **u))
    files = [scan(tmp_path, "a.csv", "PC-001", ("WPS Office 2019 专业版", "11.1.0.9999", "Kingsoft"))]
    result, ctx = reconcile(ledger, read_scans(files), TODAY)
    assert ctx.found.loc[ctx.found["软件编号"] == "SY-0001", "versions"].iloc[0] == ["2019"]
    assert not any(i.finding.rule in ("SCAN-RULE-INVALID", "SCAN-VERSION") for i in result.issues)


def test_plan_total_counts_every_licence_and_says_what_the_amount_leaves_out():
    from workbook_tools.ops.plan import total_values

    rows = [{"许可数": 3.0, "合计": 3600.0}, {"许可数": 2.0, "合计": None}, {"许可数": 1.0, "合计": 800.0}]
    row = total_values(rows)
    # 合计 covers the 4 priced licences; the note says so and names the 2 without a price
    assert (row["许可数"], row["合计"]) == (6.0, 4400.0) and "2" in row["备注"] and "4" in row["备注"]
    assert total_values(rows[:1])["备注"] == "ledger plan 建议"
    from workbook_tools.ops.plan import plan_totals

    totals = plan_totals(rows)
    assert (totals.licences, totals.priced_licences, totals.unpriced_licences, totals.unpriced_rows, totals.amount) == (
        6.0, 4.0, 2.0, 1, 4400.0)


def test_plan_table_is_not_folded_without_a_terminal(tmp_path, capsys):
    u = clean_unit()
    u["附件3"] = [{"申请编号": "XQ-2026-0001", "申请部门": "办公室", "填表日期": D(2026, 2, 1), "软件类别": "办公软件",
                  "申请许可数": 9, "选定软件编号": "SY-0001"}]
    path = make_ledger(tmp_path, **u)
    code, out, _ = run_cli(capsys, "plan", path, "--today", "2026-03-01")
    assert code == 0
    [row] = [line for line in out.splitlines() if "SY-0001" in line]
    assert "XQ-2026-0001" in row and "WPS Office" in row and len(row) > 80


def test_check_json_shape_is_unchanged(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "check", make_ledger(tmp_path, **clean_unit()), "--format", "json",
                           "--today", "2026-03-01")
    result = json.loads(out)
    assert list(result) == ["workbook", "checked_at", "counts", "findings"] and result["counts"] == {
        "error": 0, "warning": 0} and code == 0
