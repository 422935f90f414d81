"""附件5 软件正版化工作信息统计表 as a printed form.

Every figure comes from `workbook_tools.ops.stats.compute_stats`, the same computation that
`ledger stats` writes into the 附件5 sheet (统计口径: docs/stats.md); this module only turns
those figures into the text of the form's cells.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pydantic import Field

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import LedgerError
from workbook_tools.forms.common import Printable, PrintOptions, UnitHeader, cn_day, count
from workbook_tools.ops.stats import (
    DOMESTIC,
    FOREIGN,
    FORM_CATEGORIES,
    SUM,
    TOTAL,
    YUAN_PER_WAN,
    Figure,
    Stats,
    compute_stats,
    note_lines,
)

ORIGINS = (DOMESTIC, FOREIGN, SUM)          # the form's rows
COLUMNS = (*FORM_CATEGORIES, TOTAL)         # the form's columns
FIXED_NOTES = 2                             # note_lines() starts with two lines meant for the sheet only


class Annex5(Printable):
    key: str = "附件5"
    year: int
    as_of: str                                       # 截至日 of block 五, 「2026年11月27日」
    header: UnitHeader
    department: dict[str, str]                       # 一
    people: dict[str, str]                           # 二
    computers: dict[str, str]                        # 三 (+ 合计)
    purchases: dict[str, dict[str, dict[str, str]]]  # 四: 产地 -> 类别 -> {许可数, 金额}
    holdings: dict[str, dict[str, str]]              # 五: 产地 -> 类别 -> 许可数
    notes: list[str] = Field(default_factory=list)   # rows left out, registers not counted


def wan_text(figure: Figure) -> str:
    """The 万元 of a figure with two decimals, as every amount of the form (0.49, 4.00, 21.25)."""
    wan = (Decimal(repr(figure.yuan)) / Decimal(repr(YUAN_PER_WAN))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{abs(wan) if wan.is_zero() else wan:.2f}"


def _purchases(stats: Stats) -> dict[str, dict[str, dict[str, str]]]:
    return {o: {c: {"许可数": count(stats.purchases[c][o].licences), "金额": wan_text(stats.purchases[c][o])}
                for c in COLUMNS} for o in ORIGINS}


def _holdings(stats: Stats) -> dict[str, dict[str, str]]:
    return {o: {c: count(stats.holdings[c][o]) for c in COLUMNS} for o in ORIGINS}


def _header(stats: Stats) -> UnitHeader:
    h = stats.header
    return UnitHeader(unit=h.单位名称, filler=h.填表人, phone=h.联系电话, filled_on=cn_day(h.填表日期))


def annex5_form(stats: Stats) -> Annex5:
    """The printed form of figures computed by `compute_stats`."""
    computers = {f"{k}数": str(stats.computers[k]) for k in schema.DEVICE_TYPES}
    computers[SUM] = str(stats.计算机合计)
    day = stats.as_of
    return Annex5(
        year=stats.year, as_of=cn_day(day), header=_header(stats),
        department=stats.department.model_dump(),
        people={"总人数": str(stats.总人数), "使用计算机人数": str(stats.使用计算机人数)},
        computers=computers, purchases=_purchases(stats), holdings=_holdings(stats),
        notes=note_lines(stats)[FIXED_NOTES:])


def annex5(ledger: Ledger, options: PrintOptions) -> list[Annex5]:
    if options.ids:
        raise LedgerError("附件5 是一张汇总表，不能用 --id 选择", 1)
    return [annex5_form(compute_stats(ledger, options.report_year, options.today))]
