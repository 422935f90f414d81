"""Forms printed as one table of a sheet: 附件1, 附件4, 附件6, 附件7, 附件8."""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field

from workbook_tools.core import registers, schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import LedgerError
from workbook_tools.forms.common import (
    Printable,
    PrintOptions,
    UnitHeader,
    count,
    display_rows,
    is_blank,
    mask_serial,
    money,
    select,
    spaced_name,
    text,
    unit_header,
)
from workbook_tools.forms.layout import Column
from workbook_tools.ops.plan import default_plan_year, plan_rows, plan_totals

ROLE_LABELS = {"组长": "组\u3000长", "副组长": "副组长", "成员": "成\u3000员"}
SCRAPPED = schema.SOFTWARE_STATES[1]
LEFT = "left"


def col(key: str, *head: str, align: str = "center", mark: bool = False, scale: float = 1.0,
        extra: tuple[str, ...] = (), dash_breaks: bool = False) -> Column:
    return Column(key=key, head=list(head or (key,)), align=align, mark=mark, scale=scale, extra=list(extra),
                  dash_breaks=dash_breaks)


APPROVALS = (("信息化部门", "审核"), ("资产和财务", "管理部门", "审核"), ("分管领导", "审批"))
COLUMNS = {
    4: [col("序号", extra=tuple(line for label in APPROVALS for line in label)), col("软件名称", align=LEFT),
        col("软件版本"), col("单价", "单价", "（单位：元）"), col("许可数", "许可数", "（单位：个）"),
        col("合计", "合计", "（单位：元）"), col("备注", align=LEFT)],
    6: [col("序号"), col("软件编号"), col("软件名称", align=LEFT), col("软件版本"), col("软件来源", align=LEFT),
        col("软件厂商名称", "软件厂商", "名称", align=LEFT), col("软件厂商客服联系方式", "软件厂商", "客服联系方式"),
        col("使用部门"), col("使用原因", align=LEFT)],
    7: [col("序号"), col("软件编号"), col("软件名称", align=LEFT), col("软件版本"), col("软件类型"),
        col("采购时间"), col("采购金额", "采购金额", "(单位:元)"), col("许可类型"), col("许可数量", "许可", "数量"),
        col("可使用版本", "可使用", "版本"), col("许可期限"), col("序列号", scale=0.85, dash_breaks=True), col("安装数量", "安装", "数量")],
    8: [col("序号"), col("部门"), col("姓名"), col("计算机编号", "计算机", "编号"), col("计算机品牌", "计算机", "品牌"),
        col("软件编号"), col("软件名称", align=LEFT), col("软件版本"), col("许可期限"),
        *(col(t, t[:-2], t[-2:], mark=True) for t in schema.SOFTWARE_TYPES), col("安装日期")],
}


class TableForm(Printable):
    """One printed table: the unit header line, its rows (cells in COLUMNS order) and figures."""

    header: UnitHeader = Field(default_factory=UnitHeader)
    figures: dict[str, str] = Field(default_factory=dict)


class LeaderGroup(BaseModel):
    label: str
    members: list[tuple[str, str]]  # (姓名, 单位职务)


class LeadingGroupForm(Printable):
    key: str = "附件1"
    unit: str = ""
    groups: list[LeaderGroup] = Field(default_factory=list)
    office_note: str = ""


def filter_rows(df: pd.DataFrame, column: str, ids: list[str], what: str) -> pd.DataFrame:
    """Rows whose `column` is one of the --id values (all rows when none were given)."""
    if not ids:
        return df
    keys = list(dict.fromkeys(text(v) for v in df[column] if not is_blank(v)))
    wanted = select(keys, ids, what)
    return df[df[column].map(text).isin(wanted)]


def numbered(rows: list[list[Any]]) -> list[list[Any]]:
    """Printed forms number their rows 1..n in print order (序号 is the first cell)."""
    for i, row in enumerate(rows, start=1):
        row[0] = str(i)
    return rows


def sheet_rows(number: int, sheet: str, df: pd.DataFrame) -> list[list[str | bool]]:
    return numbered(display_rows(schema.BY_NAME[sheet], df, [c.key for c in COLUMNS[number]]))


def position(number: int, key: str) -> int:
    return [c.key for c in COLUMNS[number]].index(key)


def no_ids(form: str, options: PrintOptions) -> None:
    if options.ids:
        raise LedgerError(f"{form} 是一张汇总表，不能用 --id 选择", 1)


def annex1(ledger: Ledger, options: PrintOptions) -> list[LeadingGroupForm]:
    no_ids("附件1", options)
    df = ledger.df(schema.A1)
    roles = df["职务"].map(lambda v: text(v) or "成员")
    order: list[str] = list(schema.LEADER_ROLES) + [r for r in dict.fromkeys(roles) if r not in schema.LEADER_ROLES]
    groups = []
    for role in order:
        part = df[roles == role]
        if len(part):
            members = [(spaced_name(text(n)), text(d)) for n, d in zip(part["姓名"], part["单位职务"])]
            groups.append(LeaderGroup(label=ROLE_LABELS.get(role, role), members=members))
    return [LeadingGroupForm(unit=ledger.setting("单位名称"), groups=groups, office_note=office_note(ledger))]


def office_note(ledger: Ledger) -> str:
    dept, head = ledger.setting("负责部门"), ledger.setting("负责部门负责人")
    if not dept:
        return ""
    note = f"领导小组下设办公室，办公室设在{dept}"
    return note + (f"，{head}同志兼任办公室主任。" if head else "。")


def annex6(ledger: Ledger, options: PrintOptions) -> list[TableForm]:
    df = filter_rows(ledger.df(schema.A6), "软件编号", options.ids, "附件6 的软件编号")
    return [TableForm(key="附件6", header=unit_header(ledger, options.today), rows=sheet_rows(6, schema.A6, df))]


def type_order(df: pd.DataFrame) -> pd.DataFrame:
    """商业软件, then OEM软件, then 免费软件 (as the form groups them); sheet order within a type."""
    rank = {t: i for i, t in enumerate(schema.SOFTWARE_TYPES)}
    keys = df["软件类型"].map(lambda v: rank.get(text(v), len(rank)))
    return df.assign(_rank=keys).sort_values(["_rank"], kind="stable").drop(columns="_rank")


def header_counts(ledger: Ledger, day: dt.date | None = None) -> dict[str, str]:
    """附件7 header block: the 设置 keys 附件7.* where filled, otherwise counted from the registers."""
    computed = registers.header_counts(ledger, day)
    return {key: ledger.setting(f"附件7.{key}") or str(computed[key]) for key in schema.HEADER_COUNT_KEYS}


def annex7(ledger: Ledger, options: PrintOptions) -> list[TableForm]:
    df = type_order(filter_rows(ledger.df(schema.A7), "软件编号", options.ids, "附件7 的软件编号"))
    scrapped = df["状态"].map(text).eq(SCRAPPED)
    if options.in_use:
        df, scrapped = df[~scrapped], scrapped[~scrapped]
    rows = sheet_rows(7, schema.A7, df)
    serial, licences = position(7, "序列号"), position(7, "许可数量")
    for row, gone in zip(rows, scrapped):
        if not options.show_serials and row[serial]:
            row[serial] = mask_serial(str(row[serial]))
        if gone:   # a scrapped licence is not held any more: the form must not count it
            row[licences] = SCRAPPED
    return [TableForm(key="附件7", header=unit_header(ledger, options.today), rows=rows,
                      figures=header_counts(ledger, options.today))]


def annex8(ledger: Ledger, options: PrintOptions) -> list[TableForm]:
    df = filter_rows(ledger.df(schema.A8), "部门", options.ids, "附件8 的部门")
    headers = [c.key for c in COLUMNS[8]]
    kinds = df["软件类型"].map(text).tolist()
    plain = [h for h in headers if h not in schema.SOFTWARE_TYPES]
    rows = display_rows(schema.BY_NAME[schema.A8], df, plain)
    at = headers.index(schema.SOFTWARE_TYPES[0])
    ticks = {t: [t == k for k in kinds] for t in schema.SOFTWARE_TYPES}
    joined = [row[:at] + [ticks[t][i] for t in schema.SOFTWARE_TYPES] + row[at:] for i, row in enumerate(rows)]
    return [TableForm(key="附件8", header=unit_header(ledger, options.today), rows=numbered(joined),
                      figures={"行数": count(float(len(rows)))})]


# --- 附件4 -------------------------------------------------------------------------------------------

def request_years(ledger: Ledger) -> dict[str, int]:
    """申请编号 -> year of its 附件3 填表日期 (the earliest date of the request's lines)."""
    a3 = ledger.df(schema.A3)
    dated = a3[a3["填表日期"].notna()]
    firsts = dated.groupby(dated["申请编号"].map(text))["填表日期"].min()
    return {k: int(v.year) for k, v in firsts.items() if k}


def plan_years(df: pd.DataFrame, years: dict[str, int], default: int) -> pd.Series:
    """The plan year of every 附件4 row: the latest year of the requests it cites (依据申请编号, comma
    separated); a row citing no dated request belongs to the current plan (`default`)."""
    def year(cited: object) -> int:
        found = [years[r.strip()] for r in text(cited).replace("，", ",").split(",") if r.strip() in years]
        return max(found, default=default)

    return df["依据申请编号"].map(year)


def _no_plan(year: int, years: pd.Series, defaulted: bool) -> str:
    """Why nothing is printed: the year has no 附件4 rows; which years have, and how to make this one."""
    which = "（未指定 --year，按附件3 最新申请的年份）" if defaulted else ""
    others = sorted(set(int(y) for y in years))
    have = f"已有计划的年度：{'、'.join(map(str, others))}（用 --year 指定）；" if others else ""
    return f"附件4 中没有 {year} 年度{which}的采购计划，未生成 PDF。{have}先用 ledger plan 生成建议"


def annex4(ledger: Ledger, options: PrintOptions) -> list[TableForm]:
    # the 共计 row that `ledger plan` writes is replaced by the one computed here, never added to it
    df = plan_rows(ledger.df(schema.A4))
    default = default_plan_year(ledger, options.today)       # the year `ledger plan` works on
    years = plan_years(df, request_years(ledger), default)
    year = options.year or default
    if not (years == year).any():
        raise LedgerError(_no_plan(year, years, options.year is None), 1)
    df = filter_rows(df[years == year], "依据申请编号", options.ids, f"{year} 年度附件4 的依据申请编号")
    rows = sheet_rows(4, schema.A4, df)
    lines = []
    for row, price, licences in zip(rows, df["单价"], df["许可数"]):
        line = None if is_blank(price) or is_blank(licences) else float(price) * float(licences)
        row[position(4, "合计")] = money(line)  # always computed here, never taken from a cached formula
        lines.append({"许可数": None if is_blank(licences) else float(licences), "合计": line})
    totals = plan_totals(lines)
    filled_on = options.today if year == options.today.year else None   # a past year's plan: dated by hand
    figures = {"共计序号": str(len(rows) + 1), "共计": money(totals.amount), "年度": str(year)}
    if totals.note():
        figures["共计备注"] = totals.note()
    return [TableForm(key="附件4", header=unit_header(ledger, filled_on), rows=rows, figures=figures)]
