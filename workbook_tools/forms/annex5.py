"""The five blocks of 附件5 软件正版化工作信息统计表, computed for the printed form.

Kept apart from the rest of the forms so that it can be replaced by the tool's
statistics module: `annex5_blocks(ledger, year)` is the only entry point.

  一 负责部门 from 设置;  二 在职 people and those of them using a computer;
  三 在用 computers by 设备类型;  四 商业软件 bought (获取方式 采购) in the year, licences and
  万元 by 软件类别 × 产地;  五 licences held at the year's end: 商业软件 许可数量, plus one licence
  per live OEM installation of an 操作系统.  总计 also counts 其他软件; rows without 产地 count nowhere.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
from pydantic import BaseModel, Field

from workbook_tools import schema
from workbook_tools.events import live_installations
from workbook_tools.forms.common import PrintOptions, UnitHeader, count, is_blank, text, unit_header, wan
from workbook_tools.ledger import Ledger
from workbook_tools.model import LedgerError

FORM_CATEGORIES = ("操作系统", "办公软件", "杀毒软件")
TOTAL, SUM = "总计", "合计"
ROWS = (*schema.ORIGINS, SUM)
COLUMNS = (*FORM_CATEGORIES, TOTAL)


class Figure(BaseModel):
    licences: float = 0.0
    yuan: float = 0.0


class Annex5(BaseModel):
    key: str = "附件5"
    year: int
    header: UnitHeader
    department: dict[str, str]                      # 一
    people: dict[str, str]                          # 二
    computers: dict[str, str]                       # 三 (+ 合计)
    purchases: dict[str, dict[str, dict[str, str]]]  # 四: row -> column -> {许可数, 金额}
    holdings: dict[str, dict[str, str]]             # 五: row -> column -> 许可数


def register_counts(ledger: Ledger) -> dict[str, int]:
    """总人数, 使用计算机人数 (在职 staff) and 在用 computers per 设备类型 (keys as in 附件7's header)."""
    staff = ledger.df(schema.STAFF)
    active = staff["状态"].eq("在职")
    counts = {"总人数": int(active.sum()), "使用计算机人数": int((active & staff["使用计算机"].eq("是")).sum())}
    computers = ledger.df(schema.COMPUTERS)
    in_use = computers[computers["状态"].eq("在用")]
    for kind in schema.DEVICE_TYPES:
        counts[f"{kind}数"] = int(in_use["设备类型"].eq(kind).sum())
    return counts


def _grid() -> dict[str, dict[str, Figure]]:
    return {r: {c: Figure() for c in COLUMNS} for r in ROWS}


def _add(grid: dict[str, dict[str, Figure]], category: object, origin: object, licences: object,
         yuan: object = None) -> None:
    if text(origin) not in schema.ORIGINS:
        return
    columns = [TOTAL] + ([text(category)] if text(category) in FORM_CATEGORIES else [])
    for row in (text(origin), SUM):
        for column in columns:
            cell = grid[row][column]
            cell.licences += 0.0 if is_blank(licences) else float(licences)
            cell.yuan += 0.0 if is_blank(yuan) else float(yuan)


def purchases(a7: pd.DataFrame, year: int) -> dict[str, dict[str, Figure]]:
    grid = _grid()
    bought = a7["软件类型"].eq("商业软件") & a7["获取方式"].eq("采购") & (a7["采购时间"].dt.year == year)
    rows = a7[bought]
    for category, origin, licences, yuan in zip(rows["软件类别"], rows["产地"], rows["许可数量"], rows["采购金额"]):
        _add(grid, category, origin, licences, yuan)
    return grid


def held(a7: pd.DataFrame, day: dt.date) -> pd.Series:
    """Rows still held on `day`: acquired by then and not scrapped by then."""
    ts = pd.Timestamp(day)
    acquired = a7["采购时间"].isna() | (a7["采购时间"] <= ts)
    scrapped = (a7["报废日期"] <= ts) | (a7["状态"].eq("已报废") & a7["报废日期"].isna())
    return acquired & ~scrapped


def holdings(ledger: Ledger, day: dt.date) -> dict[str, dict[str, Figure]]:
    grid = _grid()
    a7 = ledger.df(schema.A7)
    a7 = a7[held(a7, day)]
    commercial = a7[a7["软件类型"].eq("商业软件")]
    for category, origin, licences in zip(commercial["软件类别"], commercial["产地"], commercial["许可数量"]):
        _add(grid, category, origin, licences)
    oem = a7[a7["软件类型"].eq("OEM软件") & a7["软件类别"].eq("操作系统")].drop_duplicates("软件编号")
    seats = oem_seats(ledger, day)
    for number, origin, installed in zip(oem["软件编号"], oem["产地"], oem["安装数量"]):
        _add(grid, "操作系统", origin, seats.get(text(number), installed))
    return grid


def oem_seats(ledger: Ledger, day: dt.date) -> dict[str, float]:
    """Live installations per 软件编号 on `day` from the 附件9 log; numbers the log never names are absent."""
    events = ledger.df(schema.A9)
    seats = {text(n): 0.0 for n in events["软件编号"] if not is_blank(n)}
    live = live_installations(events, day)
    if not live.empty:
        seats.update({text(k): float(v) for k, v in live.groupby("软件编号")["安装数量"].sum().items()})
    return seats


def _show_purchases(grid: dict[str, dict[str, Figure]]) -> dict[str, dict[str, dict[str, str]]]:
    return {r: {c: {"许可数": count(f.licences), "金额": wan(f.yuan)} for c, f in cols.items()}
            for r, cols in grid.items()}


def _show_holdings(grid: dict[str, dict[str, Figure]]) -> dict[str, dict[str, str]]:
    return {r: {c: count(f.licences) for c, f in cols.items()} for r, cols in grid.items()}


def annex5_blocks(ledger: Ledger, year: int, filled_on: dt.date | None = None) -> Annex5:
    s = ledger.setting
    counts = register_counts(ledger)
    computers = {f"{k}数": str(counts[f"{k}数"]) for k in schema.DEVICE_TYPES}
    computers[SUM] = str(sum(counts[f"{k}数"] for k in schema.DEVICE_TYPES))
    year_end = dt.date(year, 12, 31)
    return Annex5(
        year=year, header=unit_header(ledger, filled_on),
        department={"部门名称": s("负责部门"), "部门负责人姓名": s("负责部门负责人"),
                    "部门负责人电话": s("负责部门电话"), "部门传真": s("负责部门传真")},
        people={"总人数": str(counts["总人数"]), "使用计算机人数": str(counts["使用计算机人数"])},
        computers=computers,
        purchases=_show_purchases(purchases(ledger.df(schema.A7), year)),
        holdings=_show_holdings(holdings(ledger, year_end)))


def annex5(ledger: Ledger, options: PrintOptions) -> list[Annex5]:
    if options.ids:
        raise LedgerError("附件5 是一张汇总表，不能用 --id 选择", 1)
    return [annex5_blocks(ledger, options.report_year, options.today)]
