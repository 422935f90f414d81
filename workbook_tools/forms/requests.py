"""Forms printed one per person or per application: 附件2, 附件3, 附件10."""
from __future__ import annotations

import pandas as pd
from pydantic import BaseModel, Field

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import LedgerError
from workbook_tools.core.registers import active_staff
from workbook_tools.forms.common import (
    Printable,
    PrintOptions,
    cn_day,
    computer_info,
    count,
    density,
    first_text,
    is_blank,
    joined,
    select,
    text,
)

OTHER = schema.SOFTWARE_CATEGORIES[-1]


class SoftwareLine(BaseModel):
    name: str = ""
    version: str = ""


class UpgradeLine(BaseModel):
    before: SoftwareLine = Field(default_factory=SoftwareLine)
    after: SoftwareLine = Field(default_factory=SoftwareLine)


class Review(BaseModel):
    """A reviewer's block: blank unless `--filled` asks for what the sheet records."""

    reviewer: str = ""
    date: str = ""


class Pledge(Printable):
    dept: str = ""


class DemandLine(BaseModel):
    category: str
    purpose: str = ""
    needs: str = ""
    licences: str = ""
    remark: str = ""


class DemandForm(Printable):
    dept: str = ""
    handler: str = ""
    phone: str = ""
    filled_on: str = ""
    lines: list[DemandLine] = Field(default_factory=list)
    it_review: Review = Field(default_factory=Review)
    asset_review: Review = Field(default_factory=Review)


class MaintenanceRequest(Printable):
    dept: str = ""
    applicant: str = ""
    applied_on: str = ""
    computer: str = ""
    brand: str = ""
    installs: list[SoftwareLine] = Field(default_factory=list)
    uninstalls: list[SoftwareLine] = Field(default_factory=list)
    upgrades: list[UpgradeLine] = Field(default_factory=list)
    reason: str = ""
    dept_review: Review = Field(default_factory=Review)
    it_review: Review = Field(default_factory=Review)

    density: str = "normal"


def lines_density(*groups: list) -> str:
    return density(sum(max(1, len(g)) for g in groups))


def groups(df: pd.DataFrame, key: str, ids: list[str], what: str) -> list[tuple[str, pd.DataFrame]]:
    """(key, rows) per distinct key in order of first appearance, narrowed to --id."""
    keys = df[key].map(text)
    order = select([k for k in dict.fromkeys(keys) if k], ids, what)
    if not order:
        raise LedgerError(f"{what}：没有可打印的内容", 1)
    return [(k, df[keys == k]) for k in order]


def review(reviewers: pd.Series, dates: pd.Series, filled: bool) -> Review:
    """The sheet's reviewer and date when asked for (`--filled`), else the blanks the reviewer signs."""
    if not filled:
        return Review()
    for person, day in zip(reviewers, dates):
        if not is_blank(person) or not is_blank(day):
            return Review(reviewer=text(person), date=cn_day(day))
    return Review()


def annex2(ledger: Ledger, options: PrintOptions) -> list[Pledge]:
    df = ledger.df(schema.STAFF)
    wanted = active_staff(df)
    if options.unsigned:
        wanted &= df["承诺书签署日期"].isna()
    df = df[wanted]
    names = select(list(dict.fromkeys(df["姓名"].map(text))), options.ids, "人员（在职）")
    df = df[df["姓名"].map(text).isin(names)]
    if df.empty:
        raise LedgerError("没有需要打印承诺书的在职人员", 1)
    return [Pledge(key=text(n), dept=text(d)) for n, d in zip(df["姓名"], df["部门"])]


def demand_line(category: str, rows: pd.DataFrame) -> DemandLine:
    licences = rows["申请许可数"].dropna()
    return DemandLine(category=category, purpose=joined(rows["软件用途"]), needs=joined(rows["功能需求"]),
                      licences=count(licences.sum()) if len(licences) else "", remark=joined(rows["备注"]))


def annex3(ledger: Ledger, options: PrintOptions) -> list[DemandForm]:
    forms = []
    for key, rows in groups(ledger.df(schema.A3), "申请编号", options.ids, "附件3 的申请编号"):
        category = rows["软件类别"].map(lambda v: text(v) if text(v) in schema.SOFTWARE_CATEGORIES else OTHER)
        lines = [demand_line(c, rows[category == c]) for c in schema.SOFTWARE_CATEGORIES]
        forms.append(DemandForm(
            key=key, dept=first_text(rows["申请部门"]), handler=first_text(rows["经手人"]),
            phone=first_text(rows["联系电话"]), filled_on=cn_day(rows["填表日期"].dropna().min()),
            lines=lines, it_review=review(rows["信息化部门审核人"], rows["信息化部门审核日期"], options.filled),
            asset_review=review(rows["资产部门审核人"], rows["资产部门审核日期"], options.filled)))
    return forms


def request_lines(rows: pd.DataFrame, kind: str) -> list[SoftwareLine]:
    part = rows[rows["申请类型"].eq(kind)]
    return [SoftwareLine(name=text(n), version=text(v)) for n, v in zip(part["软件名称"], part["软件版本"])]


def upgrade_lines(rows: pd.DataFrame) -> list[UpgradeLine]:
    part = rows[rows["申请类型"].eq("升级")]
    return [UpgradeLine(before=SoftwareLine(name=text(a), version=text(b)),
                        after=SoftwareLine(name=text(c), version=text(d)))
            for a, b, c, d in zip(part["软件名称"], part["软件版本"], part["升级后软件名称"], part["升级后软件版本"])]


def annex10(ledger: Ledger, options: PrintOptions) -> list[MaintenanceRequest]:
    machines = computer_info(ledger)
    forms = []
    for key, rows in groups(ledger.df(schema.A10), "申请编号", options.ids, "附件10 的申请编号"):
        computer = first_text(rows["计算机编号"])
        brand = first_text(rows["计算机品牌"]) or machines.get(computer, {}).get("计算机品牌", "")
        installs, uninstalls, upgrades = request_lines(rows, "安装"), request_lines(rows, "卸载"), upgrade_lines(rows)
        forms.append(MaintenanceRequest(
            key=key, dept=first_text(rows["申请部门"]), applicant=first_text(rows["申请人"]),
            applied_on=cn_day(rows["申请时间"].dropna().min()), computer=computer, brand=brand,
            installs=installs, uninstalls=uninstalls, upgrades=upgrades, reason=joined(rows["申请原因"]),
            dept_review=review(rows["部门审核人"], rows["部门审核日期"], options.filled),
            it_review=review(rows["信息化部审核人"], rows["信息化部审核日期"], options.filled),
            density=lines_density(installs, uninstalls, upgrades)))
    return forms
