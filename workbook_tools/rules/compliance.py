"""LIC-*, SCRAP-INSTALLED, ROLLUP-STALE, STAFF-NO-PLEDGE, HEADER-COUNTS: compliance and a current ledger."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW
from workbook_tools.core.licence import NEVER, term_end, unlimited_seats
from workbook_tools.core.model import Finding
from workbook_tools.core.registers import active_staff, header_counts
from workbook_tools.read.coerce import to_number
from workbook_tools.rules.context import COMMERCIAL, NAME, NUMBER, TYPE, CheckContext, pairs_in, show
from workbook_tools.rules.fields import scrap_reason
from workbook_tools.rules.registry import rule

A7, A8 = schema.A7, schema.A8
EXPIRING_DAYS = 90
ROLLUP_MAX_DAYS = 184   # 台账管理规定 一.13, 二.3: at least every half year


def _seats(n: float) -> str:
    return show(float(n))


def _installed_commercial(ctx: CheckContext) -> pd.DataFrame:
    sw = ctx.software
    commercial = sw[sw[TYPE] == COMMERCIAL].copy()
    commercial["_installed"] = ctx.installed(commercial.index.to_series())
    return commercial[commercial["_installed"] > 0]


@rule("LIC-OVERUSE")
def lic_overuse(ctx: CheckContext) -> Iterator[Finding]:
    sw = _installed_commercial(ctx)
    limited = ~sw["许可类型"].map(unlimited_seats).astype(bool)
    bad = sw[limited & sw["许可数量"].notna() & (sw["_installed"] > sw["许可数量"])]
    yield from ctx.emit("LIC-OVERUSE", A7, bad[ROW], "许可数量", (
        f"「{show(name)}」（{n}）安装 {_seats(i)} 套，超过许可数量 {_seats(q)}（配置管理规定 一.1）"
        for n, name, i, q in zip(bad.index, bad[NAME], bad["_installed"], bad["许可数量"])))


def _ends(sw: pd.DataFrame) -> pd.Series:
    bought = sw["采购时间"].dt.date.where(sw["采购时间"].notna(), None)
    return pd.Series([term_end(t, b) for t, b in zip(sw["许可期限"], bought)], index=sw.index, dtype=object)


@rule("LIC-EXPIRED")
def lic_expired(ctx: CheckContext) -> Iterator[Finding]:
    sw = _installed_commercial(ctx)
    ends = _ends(sw)
    bad = ends.map(lambda e: e is not None and e != NEVER and e < ctx.today).astype(bool)
    rows = sw[bad]
    yield from ctx.emit("LIC-EXPIRED", A7, rows[ROW], "许可期限", (
        f"「{show(name)}」（{n}）的许可期限「{show(t)}」已于 {e.isoformat()} 到期，仍安装 {_seats(i)} 套（配置管理规定 一.1）"
        for n, name, t, e, i in zip(rows.index, rows[NAME], rows["许可期限"], ends[bad], rows["_installed"])))


@rule("LIC-EXPIRING")
def lic_expiring(ctx: CheckContext) -> Iterator[Finding]:
    sw = _installed_commercial(ctx)
    ends = _ends(sw)
    horizon = ctx.today + dt.timedelta(days=EXPIRING_DAYS)
    soon = ends.map(lambda e: e is not None and e != NEVER and ctx.today <= e <= horizon).astype(bool)
    rows = sw[soon]
    yield from ctx.emit("LIC-EXPIRING", A7, rows[ROW], "许可期限", (
        f"「{show(name)}」（{n}）的许可期限将于 {e.isoformat()} 到期（{EXPIRING_DAYS} 天内），请及时续订或卸载（配置管理规定 一.1）"
        for n, name, e in zip(rows.index, rows[NAME], ends[soon])))


@rule("SCRAP-INSTALLED")
def scrap_installed(ctx: CheckContext) -> Iterator[Finding]:
    sw = ctx.software
    scrapped = sw[sw["状态"] == "已报废"]
    seats = ctx.installed(scrapped.index.to_series())
    live = scrapped[seats > 0]
    yield from ctx.emit("SCRAP-INSTALLED", A7, live[ROW], "状态", (
        f"「{show(name)}」（{n}）已报废，但仍安装 {_seats(seats[n])} 套（配置管理规定 二.7–二.8）"
        for n, name in zip(live.index, live[NAME])))
    a7 = ctx.a7
    reasons = a7["报废原因"].map(scrap_reason).astype(object)
    wrong = (reasons.notna() & ~reasons.isin(schema.SCRAP_REASONS)) | ((a7["状态"] == "已报废") & reasons.isna())
    rows = a7[wrong]
    yield from ctx.emit("SCRAP-INSTALLED", A7, rows[ROW], "报废原因", (
        f"报废原因「{show(r)}」应为配置管理规定 二.7 的第 1、2、3 种情形之一（填 1、2 或 3）"
        for r in rows["报废原因"]))


def _rollup_age(ctx: CheckContext) -> Iterator[Finding]:
    last = ctx.ledger.last_rollup()
    if last is None and len(ctx.events):
        yield ctx.setting_finding("ROLLUP-STALE", "上次半年更新日期",
                                  "尚未进行半年更新（上次半年更新日期为空），请执行 ledger rollup（台账管理规定 一.13、二.3）")
    elif last is not None and (ctx.today - last).days > ROLLUP_MAX_DAYS:
        yield ctx.setting_finding("ROLLUP-STALE", "上次半年更新日期",
                                  f"上次半年更新是 {last.isoformat()}，已超过半年，请执行 ledger rollup（台账管理规定 一.13、二.3）")


def _a8_vs_log(ctx: CheckContext) -> Iterator[Finding]:
    a8, live = ctx.df(A8), ctx.live
    known = a8[a8["计算机编号"].notna() & a8[NUMBER].notna()]
    stale = known[~pairs_in(known["计算机编号"], known[NUMBER], live["计算机编号"], live["软件编号"])]
    yield from ctx.emit("ROLLUP-STALE", A8, stale[ROW], NUMBER, (
        f"附件8 记录计算机「{c}」安装了「{n}」，但按附件9 的安装卸载记录它现在未安装（台账管理规定 二.3）"
        for c, n in zip(stale["计算机编号"], stale[NUMBER])))
    missing = live[~pairs_in(live["计算机编号"], live["软件编号"], known["计算机编号"], known[NUMBER])]
    if len(missing):
        sample = "、".join(f"{c}/{n}" for c, n in zip(missing["计算机编号"][:5], missing["软件编号"][:5]))
        yield ctx.finding("ROLLUP-STALE", A8, None, None,
                          f"附件9 中有 {len(missing)} 项现有安装未列入附件8（如 {sample}），请执行 ledger rollup（台账管理规定 二.3）")


def _a7_counts(ctx: CheckContext) -> Iterator[Finding]:
    sw = ctx.software
    actual = ctx.installed(sw.index.to_series())
    recorded = sw["安装数量"].fillna(0.0)
    bad = sw[(recorded - actual).abs() > 1e-9]
    yield from ctx.emit("ROLLUP-STALE", A7, bad[ROW], "安装数量", (
        f"「{n}」的安装数量为 {_seats(r)}，按附件9 应为 {_seats(a)}，请执行 ledger rollup（台账管理规定 一.13）"
        for n, r, a in zip(bad.index, recorded[bad.index], actual[bad.index])))


@rule("ROLLUP-STALE")
def rollup_stale(ctx: CheckContext) -> Iterator[Finding]:
    yield from _rollup_age(ctx)
    yield from _a8_vs_log(ctx)
    yield from _a7_counts(ctx)


@rule("STAFF-NO-PLEDGE")
def staff_no_pledge(ctx: CheckContext) -> Iterator[Finding]:
    staff = ctx.staff
    column = "承诺书签署日期"
    bad = staff[active_staff(staff) & staff[column].isna() & ctx.readable(schema.STAFF, staff, column)]
    yield from ctx.emit("STAFF-NO-PLEDGE", schema.STAFF, bad[ROW], column, (
        f"在职人员「{p}」（{show(d)}）没有签署使用正版软件承诺书（附件2）（软件正版化工作责任制度 三）"
        for p, d in zip(bad["姓名"], bad["部门"])))


@rule("HEADER-COUNTS")
def header_counts_rule(ctx: CheckContext) -> Iterator[Finding]:
    for key, expected in header_counts(ctx.ledger, ctx.today).items():
        raw = ctx.ledger.settings.get(f"附件7.{key}")
        stored = to_number(raw) if raw not in (None, "") else None
        if stored is None:
            continue
        if not isinstance(stored, float) or abs(stored - expected) > 1e-9:
            yield ctx.setting_finding("HEADER-COUNTS", f"附件7.{key}",
                                      f"附件7 表头「{key}」为 {show(raw)}，按「人员」「计算机」登记应为 {expected}"
                                      "（台账管理规定 一.1、一.11）")
