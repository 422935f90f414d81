"""LEDGER_SPEC §11: the record sheets on old ledgers, 续订, 考核评议 (sheet and printed form), the demo's cycle."""
from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import clean_unit, make_ledger, run_cli

from workbook_tools.core import schema
from workbook_tools.ops.renew import Renewal, pending_renewals, plan_renewal
from workbook_tools.ops.review import build_review
from workbook_tools.read.reader import load_ledger
from workbook_tools.rules import run_check

d = dt.date
TODAY = d(2026, 3, 1)


def places(result, *codes: str) -> set[tuple]:
    return {(f.rule, schema.short(f.sheet) if f.sheet else None, f.row) for f in result.findings if f.rule in codes}


def old_ledger(tmp_path: Path, unit: dict | None = None) -> Path:
    """A ledger made before the §11 sheets existed (they are removed again)."""
    path = make_ledger(tmp_path, "old.xlsx", **(unit or clean_unit()))
    wb = openpyxl.load_workbook(path)
    for name in schema.CYCLE_SHEETS:
        wb.remove(wb[name])
    wb.save(path)
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


# --- a ledger without the sheets ------------------------------------------------------------------

def test_a_ledger_without_the_sheets_reads_and_is_judged_as_recording_nothing(tmp_path):
    ledger = load_ledger(old_ledger(tmp_path))
    assert not ledger[schema.PROOFS].present and ledger.findings == []
    before = run_check(ledger, d(2026, 11, 30))
    assert places(before, "PROOF-MISSING", "CYCLE-NO-TRAINING", "CYCLE-NO-INSPECTION") == {("PROOF-MISSING", "附件7", 2)}
    december = run_check(ledger, d(2026, 12, 1))
    assert places(december, "CYCLE-NO-TRAINING", "CYCLE-NO-INSPECTION") == {
        ("CYCLE-NO-TRAINING", "培训宣传", None), ("CYCLE-NO-INSPECTION", "检查记录", None)}


def test_add_sheets_adds_the_three_and_changes_nothing_else(capsys, tmp_path):
    path = old_ledger(tmp_path)
    before = parts(path)
    code, _, err = run_cli(capsys, "add-sheets", path)
    assert code == 0, err
    after = parts(path)
    changed = {n for n in before if before[n] != after.get(n)}
    # the workbook's sheet list, the package's part list, 变更记录 (its line) and the shared styles
    assert changed <= {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml",
                       "docProps/app.xml", _part_of(path, schema.CHANGES)}
    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert names[names.index(schema.A11) + 1: names.index(schema.A11) + 4] == list(schema.CYCLE_SHEETS)
    for name in schema.CYCLE_SHEETS:
        ws = wb[name]
        assert [c.value for c in ws[1]] == list(schema.BY_NAME[name].headers)
    enums = {str(v.sqref): v.formula1 for v in wb[schema.TRAININGS].data_validations.dataValidation}
    assert enums["B2:B1048576"] == '"' + ",".join(schema.TRAINING_FORMS) + '"'
    assert wb[schema.INSPECTIONS].column_dimensions["A"].number_format == "yyyy-mm-dd"
    code, _, _ = run_cli(capsys, "add-sheets", path)
    assert code == 0 and parts(path) == after            # the second run has nothing to do


def _part_of(path: Path, sheet: str) -> str:
    from workbook_tools.xlsx.package import Package
    from workbook_tools.xlsx.workbookxml import WorkbookXml

    pkg = Package.open(path)
    try:
        entry = WorkbookXml(pkg).entry(sheet)
        return entry.part if entry else ""
    finally:
        pkg.close()


# --- 续订 ---------------------------------------------------------------------------------------------

def subscription_unit() -> dict:
    """clean_unit with SY-0001 a one-year subscription bought 2025-03-01, installed on both computers."""
    u = clean_unit()
    u["附件7"][0].update(许可期限="1年", 采购时间=d(2025, 3, 1), 许可数量=2)
    u["采购资料"][0].update(许可数量=2, 使用年限="1年")
    u["附件9"].append({"序号": 4, "软件编号": "SY-0001", "操作": "安装", "计算机编号": "PC-002", "计算机品牌": "戴尔",
                       "使用人": "李四", "使用部门": "网络平台处", "版本": "2019", "日期": d(2025, 4, 1), "安装数量": 1,
                       "统一部署": "是", "确认单号": "QR-003"})
    return u


def test_renewal_adds_the_row_and_moves_every_installation(tmp_path):
    ledger = load_ledger(make_ledger(tmp_path, **subscription_unit()))
    plan = plan_renewal(ledger, Renewal(old="SY-0001", date=d(2026, 2, 25), amount=800, term="1年"), TODAY)
    new_row, *events, = plan.edits
    assert (new_row.sheet, new_row.row, new_row.values["软件编号"], new_row.values["采购时间"], new_row.values["许可数量"]) \
        == (schema.A7, None, "SY-0002", d(2026, 2, 25), 2)
    assert [(e.sheet, e.values["计算机编号"], e.values["软件编号"], e.values["操作"], e.values["统一部署"], e.values["备注"])
            for e in events] == [
        (schema.A9, pc, n, op, "是", "续订：SY-0001→SY-0002")
        for pc in ("PC-001", "PC-002") for n, op in (("SY-0001", "卸载"), ("SY-0002", "安装"))]
    assert all(e.values["日期"] == d(2026, 2, 25) for e in events)


def test_renew_on_the_command_line_then_rollup_is_clean(capsys, tmp_path):
    path = make_ledger(tmp_path, **subscription_unit())
    code, out, err = run_cli(capsys, "renew", path, "--from", "SY-0001", "--date", "2026-02-25", "--amount", "800",
                             "--term", "1年", "--contract", "HT-2026-02", "--certificate", "ZS-2026-02",
                             "--today", "2026-03-01")
    assert code == 0, err
    assert "共转移 2 台计算机的安装" in out
    run_cli(capsys, "rollup", path, "--today", "2026-03-01")
    ledger = load_ledger(path)
    proofs = ledger.df(schema.PROOFS)
    assert list(zip(proofs["软件编号"], proofs["合同编号"], proofs["授权证书编号"], proofs["许可数量"])) == [
        ("SY-0001", "HT-2024-001", "ZS-2024-001", 2), ("SY-0002", "HT-2026-02", "ZS-2026-02", 2)]
    result = run_check(ledger, TODAY)
    assert [(f.rule, f.sheet, f.row) for f in result.findings] == []
    counts = dict(zip(ledger.df(schema.A7)["软件编号"], ledger.df(schema.A7)["安装数量"]))
    assert (counts["SY-0001"], counts["SY-0002"]) == (0, 2)


def test_renew_refuses_a_short_licence_and_writes_nothing(capsys, tmp_path):
    path = make_ledger(tmp_path, **subscription_unit())
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    code, _, err = run_cli(capsys, "renew", path, "--from", "SY-0001", "--count", "1", "--date", "2026-02-25",
                           "--amount", "400", "--term", "1年", "--today", "2026-03-01")
    assert code == 1 and "许可数量 1 套" in err and "Traceback" not in err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha


def test_renew_uses_the_row_the_clerk_typed(capsys, tmp_path):
    u = subscription_unit()
    typed = {**{k: v for k, v in u["附件7"][0].items() if k != "安装数量"}, "序号": 4, "软件编号": "SY-0002",
             "采购时间": d(2026, 2, 20), "采购金额": 900, "序列号": "SN-2", "备注": "续订 SY-0001"}
    u["附件7"].append(typed)
    u["采购资料"].append({**u["采购资料"][0], "软件编号": "SY-0002", "合同编号": "HT-2026-03"})
    path = make_ledger(tmp_path, **u)
    ledger = load_ledger(path)
    assert pending_renewals(ledger, TODAY) == [Renewal(old="SY-0001", new="SY-0002", date=d(2026, 2, 20))]
    plan = plan_renewal(ledger, pending_renewals(ledger, TODAY)[0], TODAY)
    assert {e.sheet for e in plan.edits} == {schema.A9} and len(plan.edits) == 4
    from workbook_tools.tasks.cycle import renew_pending

    done = renew_pending(path, TODAY)
    assert any("共转移 2 台" in line for line in done.lines)
    assert pending_renewals(load_ledger(path), TODAY) == []


# --- 考核评议 -------------------------------------------------------------------------------------------

def violations_unit() -> dict:
    """A year with an install without request, a missing pledge, a licence over-used and a private install a
    scan found (kept in 校验结果)."""
    u = clean_unit()
    u["附件7"][0].update(许可数量=1)
    u["采购资料"][0].update(许可数量=1)
    u["人员"][1].update(承诺书签署日期=None)
    u["附件9"].append({"序号": 4, "软件编号": "SY-0001", "操作": "安装", "计算机编号": "PC-002", "计算机品牌": "戴尔",
                       "使用人": "李四", "使用部门": "网络平台处", "版本": "2019", "日期": d(2026, 2, 10), "安装数量": 1,
                       "统一部署": "否", "确认单号": "QR-003"})
    u["校验结果"] = [{"规则": "SCAN-UNREGISTERED", "级别": "错误", "表": "计算机", "单元格": "A2",
                      "说明": "计算机「PC-001」上发现「某游戏」，台账无安装记录"}]
    return u


def test_review_gathers_the_year_per_department_and_person(tmp_path):
    path = make_ledger(tmp_path, **violations_unit())
    from workbook_tools.read.stored import stored_findings

    review = build_review(load_ledger(path), 2026, TODAY, stored_findings(path))
    got = {(d_.dept, p.person, i.rule, i.sheet, i.cell) for d_ in review.depts for p in d_.people for i in p.items}
    assert got == {("网络平台处", "李四", "EVENT-NO-REQUEST", "附件9", "L5"),
                   ("网络平台处", "李四", "LIC-OVERUSE", "附件9", "B5"),
                   ("网络平台处", "李四", "STAFF-NO-PLEDGE", "人员", "E3"),
                   ("办公室", "张三", "SCAN-UNREGISTERED", "计算机", "A2")}
    verdicts = {d_.dept: (d_.loses, [(p.person, p.loses) for p in d_.people]) for d_ in review.depts}
    # over-used licences are pirated copies: the department loses 评优; the private install costs the person
    assert verdicts == {"网络平台处": (True, [("李四", False)]), "办公室": (False, [("张三", True)])}
    last_year = build_review(load_ledger(path), 2025, TODAY, stored_findings(path))
    assert {i.rule for i in last_year.items} == {"STAFF-NO-PLEDGE"}     # the second copy came in 2026


def test_review_command_writes_the_sheet(capsys, tmp_path):
    path = make_ledger(tmp_path, **violations_unit())
    code, out, err = run_cli(capsys, "review", path, "--year", "2026", "--today", "2026-03-01")
    assert code == 0, err
    assert "取消该部门年度评优资格" in out and "取消年度评优评奖资格" in out
    rows = list(openpyxl.load_workbook(path, read_only=True)[schema.REVIEW].iter_rows(values_only=True))
    headers = list(schema.BY_NAME[schema.REVIEW].headers)
    assert list(rows[0]) == headers
    table = [dict(zip(headers, r)) for r in rows[1:]]
    assert [(r["对象"], r["部门"], r["姓名"], r["规则"], r["单元格"]) for r in table] == [
        ("部门", "办公室", None, None, None), ("个人", "办公室", "张三", "SCAN-UNREGISTERED", "A2"),
        ("部门", "网络平台处", None, None, None),
        ("个人", "网络平台处", "李四", "STAFF-NO-PLEDGE", "E3"), ("个人", "网络平台处", "李四", "LIC-OVERUSE", "B5"),
        ("个人", "网络平台处", "李四", "EVENT-NO-REQUEST", "L5")]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="需要 poppler-utils 的 pdftoppm")
def test_review_form_prints_and_renders(capsys, tmp_path):
    from pypdf import PdfReader

    path = make_ledger(tmp_path, **violations_unit())
    code, out, err = run_cli(capsys, "print", "考核评议", path, "--year", "2026", "--today", "2026-03-01")
    assert code == 0, err
    pdf = Path(out.strip())
    assert pdf.name == "ledger_考核评议.pdf"
    reader = PdfReader(pdf)
    text = "".join(p.extract_text() for p in reader.pages)
    for words in ("软件正版化工作考核评议表", "单位名称（盖章）", "领导小组组长（签字）", "李四", "张三", "取消该部门年度评优资格"):
        assert words in text.replace(" ", "")
    assert len(reader.pages) == 1
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    png = tmp_path / "page-1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def test_print_option_year_is_refused_for_other_forms(capsys, tmp_path):
    path = make_ledger(tmp_path, **clean_unit())
    code, _, err = run_cli(capsys, "print", "附件7", path, "--year", "2026")
    assert code == 2 and "考核评议" in err


# --- the demo ----------------------------------------------------------------------------------------

demo = pytest.importorskip("workbook_tools.demo")
SMALL = {"staff": 60, "computers": 60, "software": 20, "years": 2}


def demo_ledger(tmp_path: Path, today: dt.date, **options) -> Path:
    from workbook_tools.files.create import build_workbook

    wb = build_workbook()
    demo.fill(wb, demo.DemoSpec(today=today, seed=2024, **SMALL, **options))
    path = tmp_path / "demo.xlsx"
    wb.save(path)
    return path


def test_the_demo_keeps_its_cycle_and_checks_clean_in_december(tmp_path):
    today = d(2026, 12, 7)
    ledger = load_ledger(demo_ledger(tmp_path, today))
    assert run_check(ledger, today).findings == []
    inspections = ledger.df(schema.INSPECTIONS)
    assert list(inspections["检查日期"].dt.year) == [2025, 2026]      # the records begin on 2024-12-07
    assert (ledger.df(schema.TRAININGS)["形式"] == "培训").sum() == 2
    due = [n for n, r in zip(ledger.df(schema.A7)["软件编号"], ledger.df(schema.A7)["备注"]) if r == "按年订阅，到期续订"]
    assert len(due) == 1


def test_demo_gaps_are_what_the_review_finds(tmp_path):
    today = d(2026, 12, 7)
    path = demo_ledger(tmp_path, today, gaps=True)
    result = run_check(load_ledger(path), today)
    assert sorted({f.rule for f in result.findings}) == ["EVENT-NO-REQUEST", "PROOF-MISSING", "STAFF-NO-PLEDGE"]
    assert len(result.findings) == 3
    review = build_review(load_ledger(path), 2026, today)
    assert sorted(i.rule for i in review.items) == ["EVENT-NO-REQUEST", "STAFF-NO-PLEDGE"]
