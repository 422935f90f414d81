"""`ledger check` on the command line: §6 JSON, exit codes 0/1/2, the file left untouched."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from builders import clean_unit, make_ledger, run_cli

from workbook_tools.read.reader import file_sha256
from workbook_tools.rules import CODES

FINDING_KEYS = {"rule", "severity", "sheet", "row", "column", "cell", "message"}


run = run_cli


@pytest.fixture
def broken(tmp_path):
    unit = clean_unit()
    unit["附件7"][1]["采购金额"] = 100               # BLANK-OEM, error
    unit["人员"][0]["承诺书签署日期"] = None         # STAFF-NO-PLEDGE, warning
    return make_ledger(tmp_path, "broken.xlsx", **unit)


def test_clean_ledger_exits_0(capsys, clean_ledger):
    code, out, _ = run(capsys, "check", clean_ledger, "--today", "2026-03-01")
    assert code == 0
    assert "0 个错误" in out


def test_json_has_the_section_6_shape(capsys, broken):
    code, out, _ = run(capsys, "check", broken, "--today", "2026-03-01", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"workbook", "checked_at", "counts", "findings"}
    assert data["workbook"] == broken.name  # the file name, as in the §6 example
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", data["checked_at"])
    assert data["counts"] == {"error": 1, "warning": 1}
    for f in data["findings"]:
        assert set(f) == FINDING_KEYS
        assert f["rule"] in CODES and f["severity"] in ("error", "warning")
        assert isinstance(f["row"], int) and f["row"] >= 1
    blank = next(f for f in data["findings"] if f["rule"] == "BLANK-OEM")
    assert (blank["sheet"], blank["row"], blank["column"], blank["cell"]) == ("附件7 软件使用情况汇总表", 3, "采购金额", "G3")


def test_json_counts_always_have_both_keys(capsys, clean_ledger):
    _, out, _ = run(capsys, "check", clean_ledger, "--today", "2026-03-01", "--format", "json")
    data = json.loads(out)
    assert data["counts"] == {"error": 0, "warning": 0} and data["findings"] == []


def test_warnings_only_exit_0(capsys, tmp_path):
    unit = clean_unit()
    unit["人员"][0]["承诺书签署日期"] = None
    code, _, _ = run(capsys, "check", make_ledger(tmp_path, **unit), "--today", "2026-03-01")
    assert code == 0


@pytest.mark.parametrize("name, content", [("missing.xlsx", None), ("text.xlsx", b"not a workbook")])
def test_unreadable_exits_2_with_one_line(capsys, tmp_path, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    code, out, err = run(capsys, "check", path, "--format", "json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1


def test_check_never_touches_the_file(capsys, broken):
    before = file_sha256(broken)
    mtime = broken.stat().st_mtime_ns
    run(capsys, "check", broken, "--today", "2026-03-01")
    run(capsys, "check", broken, "--format", "json")
    assert file_sha256(broken) == before and broken.stat().st_mtime_ns == mtime
    assert not (broken.parent / "备份").exists()


def test_text_groups_by_sheet(capsys, broken):
    _, out, _ = run(capsys, "check", broken, "--today", "2026-03-01")
    assert out.index("人员") < out.index("附件7 软件使用情况汇总表")
    assert "BLANK-OEM" in out and "G3" in out
    assert "共 1 个错误，1 个警告" in out


def test_rules_and_skip_options(capsys, broken):
    _, out, _ = run(capsys, "check", broken, "--today", "2026-03-01", "--format", "json", "--rules", "BLANK-*")
    assert {f["rule"] for f in json.loads(out)["findings"]} == {"BLANK-OEM"}
    code, out, _ = run(capsys, "check", broken, "--today", "2026-03-01", "--format", "json", "--skip", "BLANK-OEM")
    assert code == 0 and {f["rule"] for f in json.loads(out)["findings"]} == {"STAFF-NO-PLEDGE"}
    code, _, err = run(capsys, "check", broken, "--rules", "NOT-A-RULE")
    assert code == 2 and "NOT-A-RULE" in err


def test_today_option_moves_the_clock(capsys, clean_ledger):
    _, out, _ = run(capsys, "check", clean_ledger, "--today", "2024-06-01", "--format", "json")
    assert "EVENT-FUTURE" in {f["rule"] for f in json.loads(out)["findings"]}
    code, _, err = run(capsys, "check", clean_ledger, "--today", "明天")
    assert code == 2 and "--today" in err


def test_today_defaults_to_the_real_date(capsys, clean_ledger):
    _, out, _ = run(capsys, "check", clean_ledger, "--format", "json")
    data = json.loads(out)
    assert data["checked_at"][:10] == dt.date.today().isoformat()


def test_text_shows_the_first_rows_of_a_long_sheet(capsys, tmp_path):
    unit = clean_unit()
    unit["人员"] += [{"部门": "办公室", "姓名": f"员工{i}", "状态": "在职"} for i in range(60)]
    path = make_ledger(tmp_path, **unit)
    _, out, _ = run(capsys, "check", path, "--today", "2026-03-01")
    assert "另有 10 条未显示" in out
    _, out, _ = run(capsys, "check", path, "--today", "2026-03-01", "--all")
    assert "未显示" not in out and "员工59" in out
