"""Golden files of every form for the SAMPLE ledger: the data document the templates receive
(`annexNN.json`) and the text of the printed PDF, page by page (`annexNN.txt`); plus the PDFs'
pages, fonts and titles.

The print date (填表日期 and 附件5's 截至日) is removed before comparing.  After an intended change
of a form, regenerate with:  UPDATE_GOLDEN=1 python -m pytest tests/test_forms_golden.py
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_forms import TODAY, sample_path

from workbook_tools.forms import FORMS, print_form
from workbook_tools.forms.common import PrintOptions
from workbook_tools.forms.paging import form_data
from workbook_tools.read.reader import load_ledger

GOLDEN = Path(__file__).parent / "golden"
VOLATILE = re.compile(r"(填表日期：|截至)\d{4}年\d{1,2}月\d{1,2}日")
PAGES = {1: 1, 2: 3, 3: 2, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 6, 10: 2, 11: 2}


def options(number: int, **kw) -> PrintOptions:
    # a fixed day: 附件5 of the current year counts its holdings up to today (截至日)
    return PrintOptions(today=TODAY, year=2026 if number == 5 else None, **kw)


def without_print_date(text: str) -> str:
    return VOLATILE.sub(r"\1<日期>", text)


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def matches_golden(name: str, actual: str) -> bool:
    expected = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(actual, encoding="utf-8")
    return actual == expected.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    return load_ledger(sample_path(tmp_path_factory.mktemp("forms")))


@pytest.fixture(scope="module")
def pdfs(ledger, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    return {n: print_form(spec, ledger, options(n), folder / f"annex{n:02d}.pdf") for n, spec in FORMS.items()}


@pytest.mark.parametrize("number", sorted(FORMS))
def test_data_matches_golden(ledger, number):
    spec = FORMS[number]
    doc = form_data(spec, spec.build(ledger, options(number)))
    shown = without_print_date(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True))
    assert matches_golden(f"annex{number:02d}.json", shown + "\n")


@pytest.mark.parametrize("number", sorted(FORMS))
def test_printed_text_matches_golden(pdfs, number):
    pages = page_texts(pdfs[number].path)
    shown = "\n\f\n".join(without_print_date(p) for p in pages)
    assert matches_golden(f"annex{number:02d}.txt", shown + "\n")


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
def test_pdf_pages_fonts_and_title(pdfs, number):
    result = pdfs[number]
    reader = PdfReader(result.path)
    assert (result.pages, len(reader.pages)) == (PAGES[number], PAGES[number])
    fonts = embedded_fonts(reader)
    assert fonts and all(fonts.values())
    assert any("CJK" in name for name in fonts)
    lines = reader.pages[0].extract_text().splitlines()
    assert FORMS[number].title in lines          # the title is one line of text, searchable as written
    assert f"附件{number}" in lines
