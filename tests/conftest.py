"""Shared fixtures: ledgers built in the test's own folder, and edits of the raw zip parts of a saved workbook
(what Excel/WPS write but openpyxl does not)."""
from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from builders import clean_unit, make_ledger
from test_forms import sample_path

from workbook_tools.xlsx.package import Package
from workbook_tools.xlsx.workbookxml import WorkbookXml

PartEdit = Callable[[bytes], bytes]


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> worksheet part name."""
    pkg = Package.open(path)
    try:
        return {s.name: s.part for s in WorkbookXml(pkg).sheets()}
    finally:
        pkg.close()


def rewrite_parts(path: Path, edits: dict[str, PartEdit], add: dict[str, bytes] | None = None) -> None:
    """Rewrite zip members of `path` in place; keys of `edits` are part names or sheet names."""
    tmp = path.with_name(path.name + ".rewrite")
    by_sheet = sheet_parts(path)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        wanted = {by_sheet.get(k, k): fn for k, fn in edits.items()}
        missing = set(wanted) - set(zin.namelist())
        assert not missing, f"no such part: {missing}"
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, wanted[info.filename](data) if info.filename in wanted else data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    shutil.move(tmp, path)


@pytest.fixture
def zip_parts() -> Callable[..., None]:
    """`zip_parts(path, {"附件7 软件使用情况汇总表": fn}, add={"customXml/item1.xml": b"..."})`."""
    return rewrite_parts


@pytest.fixture
def clean_ledger(tmp_path: Path) -> Path:
    """A small ledger without findings (builders.clean_unit), saved in the test's folder."""
    return make_ledger(tmp_path, **clean_unit())


@pytest.fixture
def sample_ledger(tmp_path: Path) -> Path:
    """The forms' sample unit (test_forms.SAMPLE): a row in every annex, saved in the test's folder."""
    return sample_path(tmp_path)
