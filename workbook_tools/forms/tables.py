"""Forms printed as one table of a sheet: 附件1, 附件4, 附件6, 附件7, 附件8."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from pydantic import BaseModel, Field

from workbook_tools import schema
from workbook_tools.forms.common import (
    PrintOptions, UnitHeader, count, display_rows, is_blank, mask_serial, money, select, spaced_name, text,
    unit_header,
)
from workbook_tools.ledger import Ledger
from workbook_tools.model import LedgerError
from workbook_tools.plan import plan_rows, plan_totals
from workbook_tools import registers

ROLE_LABELS = {"组长": "组\u3000长", "副组长": "副组长", "成员": "成\u3000员"}


class TableForm(BaseModel):
    """One printed table: the unit header line, its rows (header -> text) and form-specific figures."""

    key: str
    header: UnitHeader = Field(default_factory=UnitHeader)
    rows: list[dict[str, str]] = Field(default_factory=list)
    figures: dict[str, str] = Field(default_factory=dict)


class LeaderGroup(BaseModel):
    label: str
    members: list[tuple[str, str]]  # (姓名, 单位职务)


class LeadingGroupForm(BaseModel):
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


def numbered(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Printed forms number their rows 1..n in print order."""
    for i, row in enumerate(rows, start=1):
        row["序号"] = str(i)
    return rows


def no_ids(form: str, options: PrintOptions) -> None:
    if options.ids:
        raise LedgerError(f"{form} 是一张汇总表，不能用 --id 选择", 1)


def annex1(ledger: Ledger, options: PrintOptions) -> list[LeadingGroupForm]:
    no_ids("附件1", options)
    df = ledger.df(schema.A1)
    roles = df["职务"].map(lambda v: text(v) or "成员")
    order = list(schema.LEADER_ROLES) + [r for r in dict.fromkeys(roles) if r not in schema.LEADER_ROLES]
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


def annex4(ledger: Ledger, options: PrintOptions) -> list[TableForm]:
    # the 共计 row that `ledger plan` writes is replaced by the one computed here, never added to it
    df = filter_rows(plan_rows(ledger.df(schema.A4)), "依据申请编号", options.ids, "附件4 的依据申请编号")
    rows = numbered(display_rows(schema.BY_NAME[schema.A4], df))
    lines = []
    for row, price, licences in zip(rows, df["单价"], df["许可数"]):
        line = None if is_blank(price) or is_blank(licences) else float(price) * float(licences)
        row["合计"] = money(line)  # always computed here, never taken from a cached formula
        lines.append({"许可数": None if is_blank(licences) else float(licences), "合计": line})
    totals = plan_totals(lines)
    figures = {"共计序号": str(len(rows) + 1), "共计": money(totals.amount)}
    if totals.note():
        figures["共计备注"] = totals.note()
    return [TableForm(key="附件4", header=unit_header(ledger, options.today), rows=rows, figures=figures)]


def annex6(ledger: Ledger, options: PrintOptions) -> list[TableForm]:
    df = filter_rows(ledger.df(schema.A6), "软件编号", options.ids, "附件6 的软件编号")
    rows = numbered(display_rows(schema.BY_NAME[schema.A6], df))
    return [TableForm(key="附件6", header=unit_header(ledger, options.today), rows=rows)]


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
    rows = numbered(display_rows(schema.BY_NAME[schema.A7], df))
    if not options.show_serials:
        for row in rows:
            row["序列号"] = mask_serial(row["序列号"]) if row["序列号"] else ""
    return [TableForm(key="附件7", header=unit_header(ledger, options.today), rows=rows,
                      figures=header_counts(ledger, options.today))]


def annex8(ledger: Ledger, options: PrintOptions) -> list[TableForm]:
    df = filter_rows(ledger.df(schema.A8), "部门", options.ids, "附件8 的部门")
    rows = numbered(display_rows(schema.BY_NAME[schema.A8], df))
    return [TableForm(key="附件8", header=unit_header(ledger, options.today), rows=rows,
                      figures={"行数": count(float(len(rows)))})]
