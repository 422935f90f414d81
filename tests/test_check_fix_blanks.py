"""`ledger fix-blanks`: clears exactly what BLANK-* forbid, asks first, logs every old value."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from builders import clean_unit, make_ledger, run_cli

from workbook_tools.core import schema
from workbook_tools.ops.fixes import plan_blanks
from workbook_tools.read.reader import file_sha256, load_ledger
from workbook_tools.rules import run_check


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def path(tmp_path):
    unit = clean_unit()
    unit["附件7"][1].update(采购金额=100, 序列号="XXXX-1")                      # OEM: G3, L3
    unit["附件7"][2].update(软件版本="23.01")                                   # free: D4
    unit["附件7"][0].update(获取方式="受赠")                                    # donated: F2, G2
    return make_ledger(tmp_path, **unit)



def test_plan_lists_every_forbidden_cell(path):
    clears = plan_blanks(load_ledger(path))
    assert [(c.rule, c.cell, c.old) for c in clears] == [
        ("BLANK-DONATED", "F2", "2024-01-02"), ("BLANK-DONATED", "G2", "1200"),
        ("BLANK-OEM", "G3", "100"), ("BLANK-OEM", "L3", "XXXX-1"), ("BLANK-FREE", "D4", "23.01")]


def test_yes_clears_and_logs(capsys, path):
    code, out, _ = run_cli(capsys, "fix-blanks", path, "--yes")
    assert code == 0 and "G3" in out and "XXXX-1" in out
    wb = openpyxl.load_workbook(path)
    a7 = wb[schema.A7]
    assert all(a7[c].value is None for c in ("F2", "G2", "G3", "L3", "D4"))
    assert a7["C2"].value == "WPS Office" and a7["I2"].value == 5
    log = [r[4] for r in wb[schema.CHANGES].iter_rows(min_row=2, values_only=True)]
    assert len(log) == 5 and any("XXXX-1" in line for line in log) and any("2024-01-02" in line for line in log)
    result = run_check(load_ledger(path), dt.date(2026, 3, 1))
    assert not [f for f in result.findings if f.rule.startswith("BLANK-")]


def test_without_tty_and_without_yes_refuses(capsys, monkeypatch, path):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    before = file_sha256(path)
    code, out, err = run_cli(capsys, "fix-blanks", path)
    assert code == 1 and "G3" in out and "--yes" in err
    assert file_sha256(path) == before


def test_prompt_declined_or_accepted(capsys, monkeypatch, path):
    monkeypatch.setattr("sys.stdin", Tty(""))
    before = file_sha256(path)
    monkeypatch.setattr("typer.confirm", lambda *a, **k: False)
    code, _, _ = run_cli(capsys, "fix-blanks", path)
    assert code == 1 and file_sha256(path) == before
    monkeypatch.setattr("typer.confirm", lambda *a, **k: True)
    code, _, _ = run_cli(capsys, "fix-blanks", path)
    assert code == 0 and file_sha256(path) != before


def test_nothing_to_clear(capsys, tmp_path):
    path = make_ledger(tmp_path, **clean_unit())
    code, out, _ = run_cli(capsys, "fix-blanks", path)
    assert code == 0 and "没有需要清除" in out


def _with_cached_formula(path, ref: str, formula: str, value: str):
    """Put a formula with its cached value (as Excel saves it) into a cell of 附件7."""
    import re
    import zipfile

    from conftest import sheet_parts
    part = sheet_parts(path)[schema.A7]
    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    members[part], n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)'.encode(),
                               f'<c r="{ref}"><f>{formula}</f><v>{value}</v></c>'.encode(), members[part], count=1, flags=re.S)
    assert n == 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def test_log_keeps_each_cell_as_typed(capsys, tmp_path):
    """Text stays the text typed, a number the number, a formula its formula text."""
    unit = clean_unit()
    unit["附件7"][1].update(采购金额="￥4,500", 许可数量=0, 序列号=12345)     # OEM: G3 text, I3 formula, L3 number
    path = _with_cached_formula(make_ledger(tmp_path, **unit), "I3", "2+3", "5")
    code, _, _ = run_cli(capsys, "fix-blanks", path, "--yes")
    assert code == 0
    wb = openpyxl.load_workbook(path)
    log = [r[4] for r in wb[schema.CHANGES].iter_rows(min_row=2, values_only=True)]
    by_cell = {line.split("「")[0]: line for line in log}
    assert "原值「￥4,500」" in by_cell["G3"]
    assert "原值「=2+3」" in by_cell["I3"]
    assert "原值「12345」" in by_cell["L3"]
