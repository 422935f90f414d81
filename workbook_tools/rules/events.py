"""EVENT-* rules over the install/uninstall log 附件9 (台账管理规定 三; 安装维护管理规定)."""
from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from workbook_tools.core import schema
from workbook_tools.core.events import baseline_rows, renewal_rows
from workbook_tools.core.ledger import ROW
from workbook_tools.core.licence import version_key
from workbook_tools.core.model import Finding
from workbook_tools.rules.context import (
    COMMERCIAL,
    NAME,
    NUMBER,
    TYPE,
    VERSION,
    CheckContext,
    lookup,
    norm_series,
    show,
)
from workbook_tools.rules.registry import rule

A9 = schema.A9
COMPUTER, OP, DATE = "计算机编号", "操作", "日期"


def _day(value: object) -> str:
    return show(value) or "（无日期）"


def _at_rows(ctx: CheckContext, rows: list[int]) -> pd.DataFrame:
    events = ctx.events
    return events[events[ROW].isin(rows)]


@rule("EVENT-UNINSTALL-ORPHAN")
def uninstall_orphan(ctx: CheckContext) -> Iterator[Finding]:
    bad = _at_rows(ctx, ctx.replay.orphan_rows)
    yield from ctx.emit("EVENT-UNINSTALL-ORPHAN", A9, bad[ROW], OP, (
        f"{_day(d)} 在计算机「{c}」上卸载「{n}」，但此前没有该计算机上仍在的安装记录（台账管理规定 三.4）"
        for d, c, n in zip(bad[DATE], bad[COMPUTER], bad[NUMBER])))


@rule("EVENT-DOUBLE-INSTALL")
def double_install(ctx: CheckContext) -> Iterator[Finding]:
    bad = _at_rows(ctx, ctx.replay.double_rows)
    yield from ctx.emit("EVENT-DOUBLE-INSTALL", A9, bad[ROW], OP, (
        f"{_day(d)} 在计算机「{c}」上安装「{n}」，但它已安装且未登记卸载（台账管理规定 三.4）"
        for d, c, n in zip(bad[DATE], bad[COMPUTER], bad[NUMBER])))


@rule("EVENT-FUTURE")
def future(ctx: CheckContext) -> Iterator[Finding]:
    events = ctx.events
    bad = events[events[DATE] > pd.Timestamp(ctx.today)]
    yield from ctx.emit("EVENT-FUTURE", A9, bad[ROW], DATE, (
        f"日期 {_day(d)} 晚于今天 {ctx.today.isoformat()}（台账管理规定 三.4：安装或卸载后登记）" for d in bad[DATE]))


@rule("EVENT-UPGRADE-HALF")
def upgrade_half(ctx: CheckContext) -> Iterator[Finding]:
    """A computer with two live numbers of one commercial name at different versions: the old 卸载 is missing."""
    live, sw = ctx.live, ctx.software
    live = live[(lookup(sw[TYPE], live[NUMBER]) == COMMERCIAL).to_numpy()].copy()
    if live.empty:
        return
    live["_name"] = norm_series(lookup(sw[NAME], live[NUMBER]).astype(object))
    live["_version"] = norm_series(lookup(sw[VERSION], live[NUMBER]).astype(object))
    live = live[live["_name"].notna()]
    live = live[(live.groupby([COMPUTER, "_name"])["_version"].transform("nunique") > 1).to_numpy()]
    live["_order"] = live["_version"].map(lambda v: version_key(v) if v else ())
    live = live.sort_values(["_order", DATE, ROW])  # the newest version last
    for (computer, _), group in live.groupby([COMPUTER, "_name"], sort=False):
        new = group.iloc[-1]
        old = "、".join(group[NUMBER].iloc[:-1].unique())
        yield ctx.finding("EVENT-UPGRADE-HALF", A9, new[ROW], NUMBER,
                          f"计算机「{computer}」升级安装了「{new[NUMBER]}」，但旧版本「{old}」仍未登记卸载"
                          "（台账管理规定 三.5，安装维护管理规定 二.5）")


@rule("EVENT-NO-REQUEST")
def no_request(ctx: CheckContext) -> Iterator[Finding]:
    events = ctx.events
    requests = ctx.df(schema.A10)["申请编号"].dropna().unique()
    missing = events["申请编号"].isna() & (events["统一部署"] != "是")
    absent = events["申请编号"].notna() & ~events["申请编号"].isin(requests)
    bad = events[events[OP].notna() & (missing | absent)]
    yield from ctx.emit("EVENT-NO-REQUEST", A9, bad[ROW], "申请编号", (
        f"{show(op)}「{show(n)}」不是统一部署，缺少软件安装维护申请（附件10）（安装维护管理规定 一.2–一.3）"
        if pd.isna(req) else
        f"申请编号「{req}」在附件10中不存在（安装维护管理规定 一.2）"
        for op, n, req in zip(bad[OP], bad[NUMBER], bad["申请编号"])))


@rule("EVENT-NO-SLIP")
def no_slip(ctx: CheckContext) -> Iterator[Finding]:
    events = ctx.events
    slips = ctx.df(schema.A11)
    signed = slips.loc[slips["已签字"] == "是", "确认单号"].dropna().unique()
    bad = events[events[OP].notna() & ~events["确认单号"].isin(signed) & ~baseline_rows(events)
                & ~renewal_rows(events)]
    yield from ctx.emit("EVENT-NO-SLIP", A9, bad[ROW], "确认单号", (
        f"{_day(d)} 在计算机「{show(c)}」上{show(op)}「{show(n)}」，" + (
            "没有填写确认单号（附件11）（安装维护管理规定 一.4）" if pd.isna(slip) else
            f"确认单「{slip}」在附件11中不存在或使用人尚未签字（安装维护管理规定 一.4）")
        for d, c, op, n, slip in zip(bad[DATE], bad[COMPUTER], bad[OP], bad[NUMBER], bad["确认单号"])))


def _scrap_dates(df: pd.DataFrame, key: str, state: str) -> pd.Series:
    scrapped = df[df[key].notna() & (df["状态"] == state) & df["报废日期"].notna()]
    return scrapped.drop_duplicates(key).set_index(key)["报废日期"]


@rule("EVENT-DEAD-TARGET")
def dead_target(ctx: CheckContext) -> Iterator[Finding]:
    events = ctx.events
    for key, dates, what in ((COMPUTER, _scrap_dates(ctx.df(schema.COMPUTERS), "计算机编号", "报废"), "计算机"),
                             (NUMBER, _scrap_dates(ctx.a7, NUMBER, "已报废"), "软件")):
        scrapped_on = lookup(dates, events[key])
        bad = events[scrapped_on.notna() & (events[DATE] > scrapped_on)]
        yield from ctx.emit("EVENT-DEAD-TARGET", A9, bad[ROW], key, (
            f"{_day(d)} 的{show(op)}针对的{what}「{k}」已于 {_day(s)} 报废（配置管理规定 二.7）"
            for d, op, k, s in zip(bad[DATE], bad[OP], bad[key], scrapped_on[bad.index])))
