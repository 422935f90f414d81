"""Golden files: the HTML of every form for the SAMPLE ledger, and the PDFs' pages, fonts and text.

The print date (spans of class "volatile") is removed before comparing.  After an intended
change of a template, regenerate with:  UPDATE_GOLDEN=1 python -m pytest tests/test_forms_golden.py
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_forms import SAMPLE, TODAY, sample_path

from workbook_tools.forms import FORMS, build_html, print_form
from workbook_tools.forms.common import PrintOptions
from workbook_tools.forms.requests import SoftwareLine
from workbook_tools.io.reader import load_ledger

GOLDEN = Path(__file__).parent / "golden"
VOLATILE = re.compile(r'<span class="volatile">.*?</span>', re.S)
PAGES = {1: 1, 2: 3, 3: 2, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 6, 10: 2, 11: 2}


def normalise(html: str) -> str:
    return VOLATILE.sub('<span class="volatile"></span>', html)


def options(number: int, **kw) -> PrintOptions:
    # a fixed day: 附件5 of the current year counts its holdings up to today (截至日)
    return PrintOptions(today=TODAY, year=2026 if number == 5 else None, **kw)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    return load_ledger(sample_path(tmp_path_factory.mktemp("forms")))


@pytest.fixture(scope="module")
def pdfs(ledger, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    return {n: print_form(spec, ledger, options(n), folder / f"annex{n:02d}.pdf") for n, spec in FORMS.items()}


@pytest.mark.parametrize("number", sorted(FORMS))
def test_html_matches_golden(ledger, number):
    html, _ = build_html(FORMS[number], ledger, options(number))
    expected = GOLDEN / f"annex{number:02d}.html"
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(normalise(html), encoding="utf-8")
    assert normalise(html) == expected.read_text(encoding="utf-8")


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """BaseFont -> whether its font program is embedded (FontFile2/FontFile3 in a descriptor)."""
    fonts: dict[str, bool] = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            parts = [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]
            descriptors = [p["/FontDescriptor"].get_object() for p in parts if "/FontDescriptor" in p]
            fonts[str(font["/BaseFont"])] = any("/FontFile2" in d or "/FontFile3" in d for d in descriptors)
    return fonts


@pytest.mark.parametrize("number", sorted(FORMS))
def test_pdf_pages_fonts_and_text(pdfs, number):
    result = pdfs[number]
    reader = PdfReader(result.path)
    assert (result.pages, len(reader.pages)) == (PAGES[number], PAGES[number])
    fonts = embedded_fonts(reader)
    assert fonts and all(fonts.values())
    assert any("CJK" in name for name in fonts)
    text = reader.pages[0].extract_text()
    assert FORMS[number].title in text.replace("\n", "")
    assert f"附件{number}" in text


def test_long_tables_repeat_their_header_on_every_page(tmp_path):
    rows = [{**SAMPLE["附件7"][0], "序号": str(i), "软件编号": f"SY-{i:04d}", "软件名称": f"软件{i}"} for i in range(1, 61)]
    ledger = load_ledger(sample_path(tmp_path, 附件7=rows))
    result = print_form(FORMS[7], ledger, options(7), tmp_path / "a7.pdf")
    reader = PdfReader(result.path)
    assert len(reader.pages) >= 3
    for page in reader.pages:
        text = re.sub(r"\s", "", page.extract_text())
        assert "序列号" in text and "可使用版本" in text
    assert "软件60" in reader.pages[-1].extract_text()


def test_a_slip_with_many_lines_stays_on_one_page(ledger, tmp_path):
    [slip] = FORMS[11].build(ledger, PrintOptions(ids=["QR-20260305-001"]))
    crowded = slip.model_copy(update={"installs": [SoftwareLine(name=f"软件{i}", version="1.0") for i in range(20)]})
    from workbook_tools.forms.render import render_html, write_pdf

    html = render_html(FORMS[11].info, FORMS[11].template, [crowded, slip])
    assert write_pdf(html, tmp_path / "slips.pdf") == 2
