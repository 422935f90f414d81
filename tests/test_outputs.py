"""Every option that writes a file refuses the ledger, any workbook and (without --force) an existing file."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from builders import clean_unit, make_ledger, run_cli
from test_forms import sample_path
from test_scan_cli import COLUMNS, DAY, SAMPLES, scan_unit

from workbook_tools.core.model import LedgerError
from workbook_tools.files.outputs import Output, check_output


@pytest.fixture
def ledger(tmp_path) -> Path:
    return make_ledger(tmp_path, "L.xlsx", **clean_unit())


def refused(capsys, *args) -> str:
    code, _, err = run_cli(capsys, *args)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误："), err
    return lines[0]


def folder(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


@pytest.mark.parametrize("extra", [[], ["--html"], ["--force"], ["--html", "--force"]])
def test_print_onto_the_ledger_is_refused(capsys, ledger, extra):
    before, names = ledger.read_bytes(), folder(ledger)
    refused(capsys, "print", "附件1", ledger, "-o", ledger, *extra)
    assert ledger.read_bytes() == before and folder(ledger) == names


def test_print_onto_the_ledger_while_it_is_open_in_excel(capsys, ledger):
    (ledger.parent / "~$L.xlsx").write_bytes(b"owner")
    before = ledger.read_bytes()
    refused(capsys, "print", "附件1", ledger, "-o", ledger)
    assert ledger.read_bytes() == before


def test_print_onto_the_ledger_by_another_name(capsys, ledger):
    link = ledger.with_name("链接.xlsx")
    os.symlink(ledger, link)
    hard = ledger.with_name("硬链接.pdf")
    os.link(ledger, hard)
    before = ledger.read_bytes()
    refused(capsys, "print", "附件1", ledger, "-o", link, "--force")
    refused(capsys, "print", "附件1", ledger, "-o", hard, "--force")
    refused(capsys, "print", "附件1", link, "-o", ledger.with_name("./L.xlsx"))
    assert ledger.read_bytes() == before


def test_a_print_never_replaces_another_workbook(capsys, ledger):
    other = shutil.copy(ledger, ledger.with_name("另一个.xlsm"))
    disguised = shutil.copy(ledger, ledger.with_name("看似文档.pdf"))
    for target in (other, disguised):
        before = Path(target).read_bytes()
        refused(capsys, "print", "附件1", ledger, "-o", target, "--force")
        assert Path(target).read_bytes() == before
    refused(capsys, "print", "附件1", ledger, "-o", ledger.with_name("新的.xlsx"))
    assert not ledger.with_name("新的.xlsx").exists()


def test_an_existing_file_needs_force(capsys, ledger):
    mine = ledger.with_name("签字扫描件.pdf")
    mine.write_bytes(b"%PDF-1.4 a signed slip, scanned")
    refused(capsys, "print", "附件1", ledger, "-o", mine)
    assert mine.read_bytes() == b"%PDF-1.4 a signed slip, scanned"
    code, _, err = run_cli(capsys, "print", "附件1", ledger, "-o", mine, "--force")
    assert code == 0, err
    assert mine.read_bytes().startswith(b"%PDF") and mine.stat().st_size > 1000


def test_a_reprint_to_the_default_name_replaces_the_earlier_print(capsys, ledger):
    for _ in range(2):
        code, out, err = run_cli(capsys, "print", "附件1", ledger)
        assert code == 0, err
    default = ledger.with_name("L_附件1.pdf")
    assert default.read_bytes().startswith(b"%PDF") and str(default) in out
    default.write_text("用户自己的笔记", encoding="utf-8")
    refused(capsys, "print", "附件1", ledger)
    assert default.read_text(encoding="utf-8") == "用户自己的笔记"


def test_slip_output_is_checked_before_the_ledger_changes(capsys, tmp_path):
    path = sample_path(tmp_path)  # PC-002 has an unnumbered visit on 2026-11-20
    before = path.read_bytes()
    refused(capsys, "slip", path, "--computer", "PC-002", "--date", "2026-11-20", "-o", path)
    refused(capsys, "slip", path, "--computer", "PC-002", "--date", "2026-11-20", "-o", path.with_name("x.xlsx"))
    assert path.read_bytes() == before


def test_scan_report_onto_the_ledger_or_an_existing_file(capsys, tmp_path):
    path = make_ledger(tmp_path, "L.xlsx", **scan_unit())
    before = path.read_bytes()
    args = ["scan", path, SAMPLES, "--date", DAY.isoformat(), *COLUMNS, "--format", "json"]
    refused(capsys, *args, "--report", path, "--force")
    assert path.read_bytes() == before
    report = tmp_path / "报告.xlsx"
    code, _, err = run_cli(capsys, *args, "--report", report)
    assert code in (0, 1) and report.is_file(), err
    refused(capsys, *args, "--report", report)
    code, _, err = run_cli(capsys, *args, "--report", report, "--force")
    assert code in (0, 1), err


def test_stats_summary_never_replaces_a_ledger(capsys, tmp_path):
    a = make_ledger(tmp_path, "甲.xlsx", **clean_unit())
    b = make_ledger(tmp_path, "乙.xlsx", **(clean_unit() | {"设置": {"单位名称": "另一单位"}}))
    before = b.read_bytes()
    refused(capsys, "stats", a, b, "--year", "2026", "-o", b, "--force")
    (tmp_path / "其他").mkdir()
    c = make_ledger(tmp_path / "其他", "丙.xlsx", **(clean_unit() | {"设置": {"单位名称": "第三单位"}}))
    refused(capsys, "stats", a, b, "--year", "2026", "-o", c, "--force")
    assert b.read_bytes() == before
    summary = tmp_path / "汇总.xlsx"
    assert run_cli(capsys, "stats", a, b, "--year", "2026", "-o", summary)[0] == 0
    refused(capsys, "stats", a, b, "--year", "2026", "-o", summary)
    assert run_cli(capsys, "stats", a, b, "--year", "2026", "-o", summary, "--force")[0] == 0


def test_addin_build_refuses_an_existing_file(capsys, tmp_path):
    target = tmp_path / "ledger.xlam"
    target.write_bytes(b"an older add-in")
    refused(capsys, "addin", "build", "-o", target)
    assert target.read_bytes() == b"an older add-in"


@pytest.mark.parametrize("name", ["~$L.xlsx.pdf", "子目录"])
def test_odd_targets(tmp_path, name):
    (tmp_path / "子目录").mkdir()
    with pytest.raises(LedgerError):
        check_output(tmp_path / name, Output.PDF)


def test_a_target_in_a_missing_folder(tmp_path):
    with pytest.raises(LedgerError):
        check_output(tmp_path / "没有" / "x.pdf", Output.PDF)
