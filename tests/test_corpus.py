"""Every writing command over ledgers made by real producers: nothing of the user's is lost or altered.

For each corpus file (see corpus.py) the commands run one after another, as a clerk would.  After
each one: the command exited 0 or 1 (never refused the file), every zip part it does not own is
byte-identical to the part before the command, no written cell holds a formula, the user formula
keeps its formula and cached value; at the end LibreOffice opens the result and exports the
expected values.
"""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from builders import run_cli
from conftest import sheet_parts
from corpus import FORMULA, PRODUCERS, TODAY
from test_scan_data import ASSET_COLUMNS, SAMPLES

from workbook_tools.core import schema
from workbook_tools.core.model import Change
from workbook_tools.files.writer import write_workbook
from workbook_tools.read.reader import load_ledger
from workbook_tools.scan.propose import SUGGESTION_SHEET, SUGGESTIONS

GENERATED = {schema.RESULTS, schema.A5, "概览", SUGGESTIONS}
SHARED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml", "xl/calcChain.xml"}
OWNABLE_KINDS = ("comments", "vmlDrawing", "table")   # parts of a schema sheet a write may touch
DAY = TODAY.isoformat()
SCAN = ["--computer-column", ASSET_COLUMNS["host"], "--name-column", ASSET_COLUMNS["name"],
        "--publisher-column", ASSET_COLUMNS["publisher"]]


def commands(out: Path) -> list[tuple[str, list[str]]]:
    return [
        ("annotate", ["check", "{p}", "--annotate", "--today", DAY]),
        ("number", ["number", "{p}"]),
        ("fix-blanks", ["fix-blanks", "{p}", "--yes"]),
        ("install", ["install", "{p}", "--computer", "PC-004", "--software", "MF-0001", "--date", "2026-02-10",
                     "--unified", "--slip", "auto"]),
        ("slip", ["slip", "{p}", "--computer", "PC-004", "--date", "2026-02-10", "-o", str(out / "slip.pdf")]),
        ("uninstall", ["uninstall", "{p}", "--computer", "PC-004", "--software", "MF-0001", "--date", "2026-02-20",
                       "--unified"]),
        ("scrap-computer", ["scrap-computer", "{p}", "PC-003", "--date", "2026-02-25", "--unified"]),
        ("rollup", ["rollup", "{p}", "--date", "2026-02-28", "--force"]),
        ("stats", ["stats", "{p}", "--year", "2026", "--today", DAY]),
        ("plan", ["plan", "{p}", "--yes", "--today", DAY]),
        ("overview", ["overview", "{p}", "--today", DAY]),
        ("add-free", ["add-free", "{p}", "--name", "Notepad++", "--category", "其他软件", "--origin", "国外"]),
        ("pledge", ["pledge", "{p}", "--signed", "王五", "--date", "2026-02-01", "--today", DAY]),
        ("scan-propose", ["scan", "{p}", str(SAMPLES), "--date", DAY, "--propose", *SCAN]),
        ("confirm", []),
        ("scan-apply", ["scan-apply", "{p}", "--today", DAY]),
    ]


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def ownable(path: Path) -> set[str]:
    """Parts any write may change: schema and generated sheets, their notes and tables, shared parts."""
    from workbook_tools.xlsx.package import Package, rels_name

    pkg = Package.open(path)
    try:
        out = set(SHARED)
        for name, part in sheet_parts(path).items():
            if name in schema.BY_NAME or name in GENERATED:
                out |= {part, rels_name(part)}
                out |= {pkg.target(part, r) for r in pkg.rels(part) if r.kind in OWNABLE_KINDS}
        return out
    finally:
        pkg.close()


def generated_parts(path: Path) -> set[str]:
    """Parts reachable from the generated sheets (a rebuild may replace them)."""
    from workbook_tools.xlsx.package import Package, rels_name

    pkg = Package.open(path)
    try:
        out, todo = set(), [p for n, p in sheet_parts(path).items() if n in GENERATED]
        while todo:
            part = todo.pop()
            out |= {part, rels_name(part)}
            todo += [pkg.target(part, r) for r in pkg.rels(part) if not r.external and pkg.target(part, r) not in out]
        return out
    finally:
        pkg.close()


def confirm_all(path: Path) -> None:
    """What the clerk does in 扫描建议: 确认 = 是 on every proposal (through the tool's own writer)."""
    def edit(book):
        table, rows = book.values(SUGGESTIONS, SUGGESTION_SHEET)
        for row, _ in rows:
            table.set(row, "确认", "是")
        return [Change(action="确认", sheet=SUGGESTIONS, row=r, content="确认") for r, _ in rows]
    write_workbook(path, edit, "确认")


def assert_only_owned_changed(before: dict[str, bytes], after_path: Path, allowed: set[str], step: str) -> None:
    after = parts(after_path)
    changed = {n for n in before.keys() & after.keys() if before[n] != after[n]}
    removed = before.keys() - after.keys()
    assert changed <= allowed, (step, changed - allowed)
    assert removed <= allowed, (step, removed - allowed)


def assert_no_formula_written(before: dict[str, bytes], after_path: Path, step: str) -> None:
    after = parts(after_path)
    for name in after:
        if not name.startswith("xl/worksheets/sheet") or after[name] == before.get(name):
            continue
        old = set(re.findall(rb"<c [^>]*>(?:(?!</c>).)*?<f[ >].*?</c>", before.get(name, b""), re.S))
        new = set(re.findall(rb"<c [^>]*>(?:(?!</c>).)*?<f[ >].*?</c>", after[name], re.S))
        assert new <= old, (step, name, new - old)


def assert_formula_kept(path: Path) -> None:
    ref, formula, value = FORMULA
    xml = parts(path)[sheet_parts(path)[schema.A7]]
    cell = re.search(rf'<c r="{ref}"[^>]*>(.*?)</c>'.encode(), xml, re.S).group(1)
    assert re.search(rf"<f[^>]*>{re.escape(formula)}</f>".encode(), cell) and f"<v>{value}</v>".encode() in cell


def libreoffice_csv(path: Path, folder: Path, sheet: str) -> list[list[str]]:
    folder.mkdir(exist_ok=True)
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{folder}/profile",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(folder), str(path)], check=True, capture_output=True, timeout=300)
    with (folder / f"{path.stem}-{sheet}.csv").open(encoding="utf-8") as fh:
        return list(csv.reader(fh))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (libreoffice-calc-nogui) is not installed")
@pytest.mark.parametrize("producer", sorted(PRODUCERS))
def test_every_writing_command_keeps_what_it_does_not_own(producer, tmp_path, capsys):
    path = PRODUCERS[producer](tmp_path / "corpus")
    events_before = len(load_ledger(path).df(schema.A9))
    for step, argv in commands(tmp_path):
        before = parts(path)
        allowed = ownable(path) | generated_parts(path)
        if step == "confirm":
            confirm_all(path)
        else:
            code, _, err = run_cli(capsys, *[a.format(p=path) for a in argv])
            assert code in (0, 1), (step, err)
            assert "Traceback" not in err and "内部错误" not in err, (step, err)
        assert_only_owned_changed(before, path, allowed, step)
        assert_no_formula_written(before, path, step)
        assert_formula_kept(path)
    ledger = load_ledger(path)
    assert len(ledger.df(schema.A9)) > events_before + 2
    a9 = libreoffice_csv(path, tmp_path / "csv", schema.A9)
    a7 = libreoffice_csv(path, tmp_path / "csv", schema.A7)
    assert len([r for r in a9[1:] if any(r)]) == len(ledger.df(schema.A9))
    assert a7[1][8] == FORMULA[2] and a7[1][1] == "SY-0001"
    assert any(r[1:3] == ["MF-0001", "安装"] and r[3] == "PC-004" for r in a9)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (libreoffice-calc-nogui) is not installed")
def test_a_ledger_resaved_by_libreoffice_checks_and_rolls_up_like_the_original(tmp_path):
    import datetime as dt

    from corpus import base, libreoffice

    from workbook_tools.ops.rollup import compute_rollup
    from workbook_tools.rules import run_check

    original, resaved = base(tmp_path / "原"), libreoffice(tmp_path / "另存")
    day = dt.date(2026, 2, 28)
    results = []
    for path in (original, resaved):
        ledger = load_ledger(path)
        findings = sorted((f.rule, f.sheet, f.row, f.cell) for f in run_check(ledger, TODAY).findings)
        plan = compute_rollup(ledger, day)
        results.append((findings, plan.frame().astype(str).values.tolist(), plan.counts, plan.header,
                        [(c.kind, c.computer, c.software) for c in plan.a8_changes]))
    assert results[0] == results[1]
    code = subprocess.run([sys.executable, "-m", "workbook_tools", "rollup", str(resaved), "--date", day.isoformat(),
                           "--today", DAY, "--force"], capture_output=True, text=True, cwd=tmp_path)
    assert code.returncode == 0, code.stderr
    assert len(load_ledger(resaved).df(schema.A8)) == len(results[0][1])
