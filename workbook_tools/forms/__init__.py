"""Printed forms of 附件1–附件11: typed ledger -> items -> one HTML document -> one PDF.

`FORMS` says for every annex what it is called, how its items are built from the
ledger (pure functions in the sibling modules) and how it is laid out;
`print_form` renders all items of a form into one file.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from workbook_tools.forms import annex5, installs, requests, tables
from workbook_tools.forms.common import PrintOptions
from workbook_tools.forms.render import EngineMissing, FormInfo, render_html, write_html, write_pdf
from workbook_tools.ledger import Ledger
from workbook_tools.model import LedgerError

Builder = Callable[[Ledger, PrintOptions], Sequence[BaseModel]]


@dataclass(frozen=True)
class FormSpec:
    number: int
    title: str
    build: Builder
    landscape: bool = False
    selects: str = ""          # what --id names for this form ("" = a whole-sheet form)

    @property
    def label(self) -> str:
        return f"附件{self.number}"

    @property
    def template(self) -> str:
        return f"annex{self.number:02d}.html.j2"

    @property
    def info(self) -> FormInfo:
        return FormInfo(number=self.number, title=self.title, landscape=self.landscape)


FORMS: dict[int, FormSpec] = {f.number: f for f in (
    FormSpec(1, "软件正版化工作领导小组", tables.annex1),
    FormSpec(2, "使用正版软件承诺书", requests.annex2, selects="姓名"),
    FormSpec(3, "软件使用需求申请表", requests.annex3, selects="申请编号"),
    FormSpec(4, "软件采购计划表", tables.annex4, selects="依据申请编号"),
    FormSpec(5, "软件正版化工作信息统计表", annex5.annex5),
    FormSpec(6, "可使用免费软件清单", tables.annex6, landscape=True, selects="软件编号"),
    FormSpec(7, "软件使用情况汇总表", tables.annex7, landscape=True, selects="软件编号"),
    FormSpec(8, "软件使用情况明细表", tables.annex8, landscape=True, selects="部门"),
    FormSpec(9, "软件安装维护情况明细表", installs.annex9, selects="软件编号"),
    FormSpec(10, "软件安装维护申请表", requests.annex10, selects="申请编号"),
    FormSpec(11, "软件安装维护确认单", installs.annex11, selects="确认单号"),
)}


def form_spec(name: str) -> FormSpec:
    """附件7, 7 (also 附件 7, ７) -> the form; a clear error otherwise."""
    key = re.sub(r"\s+", "", name).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    key = key.removeprefix("附件")
    if key.isdigit() and int(key) in FORMS:
        return FORMS[int(key)]
    raise LedgerError(f"没有表单「{name}」，应为 附件1 … 附件11（或 1 … 11）", 2)


class PrintResult(BaseModel):
    path: Path
    items: int
    pages: int | None = None     # None for HTML
    fallback: bool = False       # PDF was asked for, HTML written because the engine is missing


def build_html(spec: FormSpec, ledger: Ledger, options: PrintOptions) -> tuple[str, int]:
    """The whole document of a form and how many items (letters, forms, slips) it holds."""
    items = spec.build(ledger, options)
    return render_html(spec.info, spec.template, items), len(items)


def default_output(ledger_path: Path, spec: FormSpec, options: PrintOptions, suffix: str) -> Path:
    name = f"{ledger_path.stem}_{spec.label}"
    if len(options.ids) == 1:
        name += "_" + re.sub(r'[\\/:*?"<>|\s]+', "_", options.ids[0])
    return ledger_path.with_name(name + suffix)


def print_form(spec: FormSpec, ledger: Ledger, options: PrintOptions, out: Path, as_html: bool = False) -> PrintResult:
    """Write the form as PDF (or HTML); falls back to HTML when the PDF engine is unavailable."""
    html, count = build_html(spec, ledger, options)
    if not as_html:
        try:
            return PrintResult(path=out, items=count, pages=write_pdf(html, out))
        except EngineMissing:
            from workbook_tools.io.outputs import Output, check_output  # noqa: PLC0415

            out = check_output(out.with_suffix(".html"), Output.HTML, ledgers=[ledger.path] if ledger.path else [],
                               reprint=True)
            write_html(html, out)
            return PrintResult(path=out, items=count, fallback=True)
    write_html(html, out)
    return PrintResult(path=out, items=count)
