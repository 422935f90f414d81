"""`ledger scan` / `ledger scan-apply` on the command line: JSON, exit codes, report, proposals."""
from __future__ import annotations

import json

import openpyxl
import pytest
from builders import make_ledger, run_cli
from test_scan_data import ASSET_COLUMNS, DAY, SAMPLES, scan_unit

from workbook_tools.core import schema
from workbook_tools.read.reader import file_sha256
from workbook_tools.scan.propose import SUGGESTIONS

COLUMNS = ["--computer-column", ASSET_COLUMNS["host"], "--name-column", ASSET_COLUMNS["name"],
           "--publisher-column", ASSET_COLUMNS["publisher"]]
KEYS = {"rule", "severity", "sheet", "row", "column", "cell", "message", "scan_file", "scan_line"}



def scan(capsys, path, *extra):
    return run_cli(capsys, "scan", path, SAMPLES, "--date", DAY.isoformat(), *COLUMNS, *extra)


@pytest.fixture
def ledger(tmp_path):
    return make_ledger(tmp_path, **scan_unit())


def test_json_is_the_check_object_with_scan_places(capsys, ledger):
    sha = file_sha256(ledger)
    code, out, _ = scan(capsys, ledger, "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert set(data) == {"workbook", "checked_at", "counts", "findings"}
    assert data["counts"] == {"error": 6, "warning": 5}
    assert all(set(f) == KEYS for f in data["findings"])
    unregistered = [f for f in data["findings"] if f["rule"] == "SCAN-UNREGISTERED"]
    assert {(f["scan_file"].replace("\\", "/").rsplit("/", 1)[-1], f["scan_line"]) for f in unregistered} == {
        ("WIN-ZHANGSAN.csv", 2), ("WIN-ZHANGSAN.csv", 4)}
    assert file_sha256(ledger) == sha


def test_text_output_groups_and_summary(capsys, ledger):
    code, out, _ = scan(capsys, ledger)
    assert code == 1
    for text in ("PC-001", "未登记的计算机 PC-099", "SCAN-RULE-INVALID", "各部门检查情况", "网络平台处"):
        assert text in out


def test_exit_0_without_errors(capsys, tmp_path):
    path = make_ledger(tmp_path, **scan_unit())
    code, out, _ = run_cli(capsys, "scan", path, SAMPLES / "kylin-pc03.csv", "--date", DAY.isoformat(), "--format", "json")
    rules = {f["rule"] for f in json.loads(out)["findings"]}
    assert code == 0 and rules <= {"SCAN-NOT-SCANNED", "SCAN-RULE-INVALID"}


def test_exit_2_for_unreadable_inputs(capsys, ledger, tmp_path):
    code, _, err = run_cli(capsys, "scan", ledger, tmp_path / "none.csv")
    assert code == 2 and err.startswith("错误：")
    code, _, err = run_cli(capsys, "scan", tmp_path / "none.xlsx", SAMPLES)
    assert code == 2
    code, _, err = run_cli(capsys, "scan", ledger, SAMPLES / "asset_export.csv")   # no name column without options
    assert code == 2


def test_report_by_department(capsys, ledger, tmp_path):
    target = tmp_path / "检查报告.xlsx"
    code, _, _ = scan(capsys, ledger, "--report", target)
    wb = openpyxl.load_workbook(target)
    assert code == 1 and wb.sheetnames == ["检查通报", "问题明细"]
    rows = {r[0]: r for r in wb["检查通报"].iter_rows(min_row=3, values_only=True)}
    assert rows["办公室"][1:7] == (1, 1, 0, 2, 0, 0)
    assert rows["网络平台处"][1:7] == (3, 2, 1, 0, 1, 1)
    assert rows["合计"][4] == 2
    assert wb["问题明细"].max_row == 2 + 11


def test_report_never_over_the_ledger(capsys, ledger):
    code, _, _ = scan(capsys, ledger, "--report", ledger)
    assert code == 2


def test_annotate_writes_results_sheet(capsys, ledger):
    scan(capsys, ledger, "--annotate")
    wb = openpyxl.load_workbook(ledger)
    rules = [r[0] for r in wb[schema.RESULTS].iter_rows(min_row=2, values_only=True)]
    assert sorted(rules).count("SCAN-UNREGISTERED") == 2 and len(rules) == 11


def suggestions(path) -> list[dict]:
    ws = openpyxl.load_workbook(path)[SUGGESTIONS]
    header = [c.value for c in ws[1]]
    return [dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)]


def test_propose_twice_proposes_nothing_new(capsys, ledger):
    scan(capsys, ledger, "--propose")
    first = suggestions(ledger)
    assert sorted((r["计算机编号"], r["软件编号"], r["操作"]) for r in first) == [
        ("PC-001", "MF-0001", "安装"), ("PC-001", "SY-0002", "安装"), ("PC-002", "SY-0003", "卸载")]
    assert {r["确认"] for r in first} == {None}
    sha = file_sha256(ledger)
    scan(capsys, ledger, "--propose")
    assert file_sha256(ledger) == sha
    assert schema.A9 in openpyxl.load_workbook(ledger).sheetnames


def _confirm(path, answers: dict[tuple[str, str], str]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[SUGGESTIONS]
    header = [c.value for c in ws[1]]
    for row in range(2, ws.max_row + 1):
        key = (ws.cell(row, header.index("计算机编号") + 1).value, ws.cell(row, header.index("软件编号") + 1).value)
        if key in answers:
            ws.cell(row, header.index("确认") + 1).value = answers[key]
    wb.save(path)


def test_apply_appends_confirmed_events_and_marks_them(capsys, ledger):
    scan(capsys, ledger, "--propose")
    _confirm(ledger, {("PC-001", "MF-0001"): "是", ("PC-001", "SY-0002"): "否", ("PC-002", "SY-0003"): "是"})
    code, out, _ = run_cli(capsys, "scan-apply", ledger, "--by", "王工", "--today", "2026-03-02")
    assert code == 0
    wb = openpyxl.load_workbook(ledger)
    ws9 = wb[schema.A9]
    header = [c.value for c in ws9[1]]
    added = [dict(zip(header, r)) for r in ws9.iter_rows(min_row=ws9.max_row - 1, values_only=True)]
    assert [(e["计算机编号"], e["软件编号"], e["操作"], e["计算机品牌"], e["使用人"], e["使用部门"], e["经办人"])
            for e in added] == [("PC-001", "MF-0001", "安装", "联想", "张三", "办公室", "王工"),
                                ("PC-002", "SY-0003", "卸载", "戴尔", "李四", "网络平台处", "王工")]
    assert all("扫描核对" in e["备注"] for e in added)
    marks = {(r["计算机编号"], r["软件编号"]): (r["已应用"], r["附件9行"]) for r in suggestions(ledger)}
    assert marks == {("PC-001", "MF-0001"): ("是", ws9.max_row - 1), ("PC-001", "SY-0002"): (None, None),
                     ("PC-002", "SY-0003"): ("是", ws9.max_row)}
    # now the ledger matches for those two; nothing is proposed again, and applying again changes nothing
    code, out, _ = scan(capsys, ledger, "--format", "json", "--propose")
    rules = sorted(f["rule"] for f in json.loads(out)["findings"])
    assert rules.count("SCAN-UNREGISTERED") == 1 and "SCAN-MISSING" not in rules
    assert len(suggestions(ledger)) == 3
    sha = file_sha256(ledger)
    run_cli(capsys, "scan-apply", ledger)
    assert file_sha256(ledger) == sha


def test_apply_skips_rows_the_log_no_longer_allows(capsys, ledger):
    scan(capsys, ledger, "--propose")
    _confirm(ledger, {("PC-002", "SY-0003"): "是"})
    wb = openpyxl.load_workbook(ledger)               # meanwhile someone registered the uninstall by hand
    ws9 = wb[schema.A9]
    header = [c.value for c in ws9[1]]
    values = {"序号": "99", "软件编号": "SY-0003", "操作": "卸载", "计算机编号": "PC-002", "日期": DAY}
    row = ws9.max_row + 1
    for h, v in values.items():
        ws9.cell(row, header.index(h) + 1).value = v
    wb.save(ledger)
    code, _, _ = run_cli(capsys, "scan-apply", ledger, "--today", "2026-03-02")
    marks = {(r["计算机编号"], r["软件编号"]): (r["已应用"], r["备注"]) for r in suggestions(ledger)}
    assert code == 0 and marks[("PC-002", "SY-0003")][0] == "跳过" and marks[("PC-002", "SY-0003")][1]


def test_apply_without_suggestions_sheet_is_refused(capsys, ledger):
    code, _, err = run_cli(capsys, "scan-apply", ledger)
    assert code == 1 and SUGGESTIONS in err


def test_commands_have_help(capsys):
    for command in ("scan", "scan-apply"):
        code, out, _ = run_cli(capsys, command, "--help")
        assert code == 0 and "扫描" in out
