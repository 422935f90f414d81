"""Printed forms of 附件1–附件11: typed ledger -> copies (pydantic models) -> one PDF.

`FORMS` says for every annex what it is called, how its copies are built from the ledger
(pure functions in the sibling modules), how it is laid out (template, orientation, the
tables whose column widths follow the content); `print_form` renders all copies into one file
(`paging` does the work in bounded pieces).
"""
from __future__ import annotations

import gc
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import LedgerError
from workbook_tools.core.progress import Progress
from workbook_tools.forms import annex5, installs, requests, review, tables
from workbook_tools.forms.common import Printable, PrintOptions
from workbook_tools.forms.layout import Column, TablePlan, plan_table

Builder = Callable[[Ledger, PrintOptions], Sequence[Printable]]
PORTRAIT_MM, LANDSCAPE_MM = 182.0, 269.0     # A4 less the side margins of templates/base.typ


@dataclass(frozen=True)
class TableSpec:
    """A table of a form whose column widths are planned from all the copies' rows."""

    columns: list[Column]
    size: float                                       # type size in pt
    pad: float = 0.55                                 # vertical cell inset in em (row height)
    rows: Callable[[Printable], Sequence[Sequence[object]]] = lambda item: item.rows
    groups: list[dict] = field(default_factory=list)  # header cells spanning several columns


@dataclass(frozen=True)
class FormSpec:
    number: int
    title: str
    build: Builder
    landscape: bool = False
    selects: str = ""          # what --id names for this form ("" = a whole-sheet form)
    tables: dict[str, TableSpec] = field(default_factory=dict)
    unread: frozenset[str] = frozenset({schema.A8, schema.A9})   # big sheets the form does not need: not read
    name: str = ""             # a form that is not an annex (number 0): its name, e.g. 考核评议
    stored: bool = False       # the form also prints from 校验结果 (the last scan's findings)

    @property
    def label(self) -> str:
        return self.name or f"附件{self.number}"

    @property
    def mark(self) -> str:
        """What the page shows above the title: 附件N for an annex, nothing for another form."""
        return "" if self.name else self.label

    @property
    def template(self) -> str:
        return "review.typ" if self.name == schema.REVIEW else f"annex{self.number:02d}.typ"

    def plans(self, items: Sequence[Printable]) -> dict[str, dict]:
        width = LANDSCAPE_MM if self.landscape else PORTRAIT_MM
        plans = {}
        for name, table in self.tables.items():
            rows = [row for item in items for row in table.rows(item)]
            plan: TablePlan = plan_table(table.columns, rows, width, table.size)
            plans[name] = {**plan.model_dump(), "groups": table.groups or None, "pad": table.pad}
        return plans


def _groups(first: int) -> list[dict]:
    return [{"label": "软件类型", "first": first, "span": 3}]


FORMS: dict[int, FormSpec] = {f.number: f for f in (
    FormSpec(1, "软件正版化工作领导小组", tables.annex1),
    FormSpec(2, "使用正版软件承诺书", requests.annex2, selects="姓名"),
    FormSpec(3, "软件使用需求申请表", requests.annex3, selects="申请编号"),
    FormSpec(4, "软件采购计划表", tables.annex4, selects="依据申请编号",
             tables={"main": TableSpec(tables.COLUMNS[4], 10.5)}),
    FormSpec(5, "软件正版化工作信息统计表", annex5.annex5, unread=frozenset()),
    FormSpec(6, "可使用免费软件清单", tables.annex6, landscape=True, selects="软件编号",
             tables={"main": TableSpec(tables.COLUMNS[6], 9.5)}),
    FormSpec(7, "软件使用情况汇总表", tables.annex7, landscape=True, selects="软件编号",
             tables={"main": TableSpec(tables.COLUMNS[7], 9.0)}),
    FormSpec(8, "软件使用情况明细表", tables.annex8, landscape=True, selects="部门",
             tables={"main": TableSpec(tables.COLUMNS[8], 9.0, pad=0.4, groups=_groups(9))},
             unread=frozenset({schema.A9})),
    FormSpec(9, "软件安装维护情况明细表", installs.annex9, selects="软件编号", tables={
        "info": TableSpec(installs.INFO_COLUMNS, 10.0, rows=installs.info_rows, groups=_groups(3)),
        "main": TableSpec(installs.EVENT_COLUMNS, 10.0, pad=0.45)}, unread=frozenset({schema.A8})),
    FormSpec(10, "软件安装维护申请表", requests.annex10, selects="申请编号"),
    FormSpec(11, "软件安装维护确认单", installs.annex11, selects="确认单号", unread=frozenset({schema.A8})),
)}


# Forms that are not annexes of the regulation (README «对规范的补充»), by name.
NAMED: dict[str, FormSpec] = {f.name: f for f in (
    FormSpec(0, "软件正版化工作考核评议表", review.review_form, name=schema.REVIEW, stored=True,
             unread=frozenset({schema.A8}), tables={"main": TableSpec(review.COLUMNS, 9.5)}),
)}


def form_spec(name: str) -> FormSpec:
    """附件7, 7 (also 附件 7, ７), 考核评议 -> the form; a clear error otherwise."""
    key = re.sub(r"\s+", "", name).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if key in NAMED:
        return NAMED[key]
    key = key.removeprefix("附件")
    if key.isdigit() and int(key) in FORMS:
        return FORMS[int(key)]
    raise LedgerError(f"没有表单「{name}」，应为 附件1 … 附件11（或 1 … 11）或 考核评议", 2)


class PrintResult(BaseModel):
    path: Path
    items: int
    pages: int
    note: str = ""            # what the user should know about what was printed (e.g. 附件4's year)


def default_output(ledger_path: Path, spec: FormSpec, options: PrintOptions, suffix: str = ".pdf") -> Path:
    name = f"{ledger_path.stem}_{spec.label}"
    if len(options.ids) == 1:
        name += "_" + re.sub(r'[\\/:*?"<>|\s]+', "_", options.ids[0])
    return ledger_path.with_name(name + suffix)


def note_of(spec: FormSpec, items: Sequence[Printable]) -> str:
    if spec.number == 4 and items:
        return f"{items[0].figures['年度']} 年度"   # type: ignore[attr-defined]
    return ""


def print_form(spec: FormSpec, ledger: Ledger | Callable[[], Ledger], options: PrintOptions, out: Path,
               progress: Progress | None = None) -> PrintResult:
    """Write every copy of the form into the PDF file `out` (replaced only once it is complete).

    `ledger` may be a function that reads it: then nothing but this function holds the ledger, and its
    memory is free again before the pages are rendered (a caller's argument would keep it alive).
    """
    from workbook_tools.forms.paging import render  # noqa: PLC0415 - loads the PDF engine

    items = spec.build(ledger() if callable(ledger) else ledger, options)
    del ledger
    gc.collect()
    pages = render(spec, items, out, progress)
    return PrintResult(path=out, items=len(items), pages=pages, note=note_of(spec, items))

