"""The confirmation-slip workflow: numbering a visit's 附件9 rows, registering and signing slips."""
from __future__ import annotations

import datetime as dt

import pytest
from test_forms import SAMPLE, sample_path

from workbook_tools.core.model import LedgerError
from workbook_tools.forms.slips import next_number, plan_visit
from workbook_tools.read.reader import load_ledger
from workbook_tools.tasks.printing import mark_signed, stamp_visit

VISIT = dt.date(2026, 11, 20)


def slip_rows(path):
    ledger = load_ledger(path)
    events = ledger.df("附件9")
    register = ledger.df("附件11")
    return ledger, dict(zip(events["_row"], events["确认单号"])), register.set_index("确认单号")


def test_next_number_counts_both_sheets(tmp_path):
    ledger = load_ledger(sample_path(tmp_path))
    assert next_number(ledger, VISIT) == "QR-20261120-002"
    assert next_number(ledger, dt.date(2026, 12, 1)) == "QR-20261201-001"


def test_visit_gets_a_number_and_a_registered_slip(tmp_path):
    path = sample_path(tmp_path)
    plan, result = stamp_visit(path, "PC-002", VISIT)
    assert (plan.number, plan.rows, plan.slips) == ("QR-20261120-002", [7], ["QR-20261120-002"])
    ledger, numbers, register = slip_rows(path)
    assert numbers[7] == "QR-20261120-002" and numbers[5] == "QR-20261120-001"
    entry = register.loc["QR-20261120-002"]
    assert (entry["计算机品牌"], entry["使用人"], entry["使用部门"], entry["安装维护人"], entry["已签字"]) == (
        "戴尔", "张三", "网络平台处", "王五", "否")
    assert entry["日期"] == dt.datetime(2026, 11, 20)
    log = ledger.df("变更记录")
    assert [(r["表"], r["行"]) for _, r in log.iterrows()] == [("附件9", 7), ("附件11", 4)]
    assert result.backup is not None and result.backup.exists()


def test_stamping_twice_changes_nothing(tmp_path):
    path = sample_path(tmp_path)
    stamp_visit(path, "PC-002", VISIT)
    before = path.read_bytes()
    plan, result = stamp_visit(path, "PC-002", VISIT)
    assert not result.written and plan.rows == [] and plan.slips == ["QR-20261120-002"]
    assert path.read_bytes() == before


def test_unnumbered_rows_join_the_visits_slip(tmp_path):
    events = [*SAMPLE["附件9"], {"序号": "7", "软件编号": "MF-0001", "操作": "卸载", "计算机编号": "PC-001",
                                 "日期": VISIT, "安装数量": 1}]
    ledger = load_ledger(sample_path(tmp_path, 附件9=events))
    plan = plan_visit(ledger, "PC-001", VISIT)
    assert (plan.number, plan.rows, plan.entries) == ("QR-20261120-001", [8], [])


def test_unregistered_number_is_registered(tmp_path):
    ledger = load_ledger(sample_path(tmp_path, 附件11=SAMPLE["附件11"][:1]))
    plan = plan_visit(ledger, "PC-001", VISIT)
    assert plan.rows == [] and [e["确认单号"] for e in plan.entries] == ["QR-20261120-001"]
    assert plan.entries[0]["安装维护人"] == "张三"


def test_visit_without_events_is_refused(tmp_path):
    with pytest.raises(LedgerError) as err:
        stamp_visit(sample_path(tmp_path), "PC-002", dt.date(2026, 11, 21))
    assert err.value.exit_code == 1


def test_signed_return(tmp_path):
    path = sample_path(tmp_path)
    plan, result = mark_signed(path, "QR-20261120-001", dt.date(2026, 11, 28))
    assert result.written and plan.row == 3
    _, _, register = slip_rows(path)
    assert register.loc["QR-20261120-001", "已签字"] == "是"
    assert register.loc["QR-20261120-001", "备注"] == "签字交回 2026-11-28"
    plan, result = mark_signed(path, "QR-20261120-001", dt.date(2026, 11, 29))
    assert plan.already and result is None


def test_signed_slip_known_only_from_the_log_is_registered(tmp_path):
    path = sample_path(tmp_path, 附件11=[])
    mark_signed(path, "QR-20260305-001", dt.date(2026, 3, 6))
    _, _, register = slip_rows(path)
    entry = register.loc["QR-20260305-001"]
    assert (entry["已签字"], entry["计算机编号"], entry["日期"]) == ("是", "PC-001", dt.datetime(2026, 3, 5))


def test_unknown_slip_is_refused(tmp_path):
    with pytest.raises(LedgerError) as err:
        mark_signed(sample_path(tmp_path), "QR-19990101-001", dt.date(2026, 11, 28))
    assert err.value.exit_code == 1


def test_workbook_open_in_excel_is_not_written(tmp_path):
    path = sample_path(tmp_path)
    (tmp_path / f"~${path.name}").write_bytes(b"lock")
    before = path.read_bytes()
    with pytest.raises(LedgerError) as err:
        stamp_visit(path, "PC-002", VISIT)
    assert err.value.exit_code == 2 and path.read_bytes() == before


def test_numbered_visit_can_be_reprinted_while_open_in_excel(tmp_path):
    path = sample_path(tmp_path)
    (tmp_path / f"~${path.name}").write_bytes(b"lock")
    plan, result = stamp_visit(path, "PC-001", VISIT)
    assert plan.slips == ["QR-20261120-001"] and not result.written
