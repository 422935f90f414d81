"""PROOF-*, CYCLE-*: the regulation's yearly cycle around the annexes (LEDGER_SPEC §11).

A ledger without the sheets `采购资料`, `培训宣传`, `检查记录` is read as one in which nothing has
been recorded: the proof of every purchase is missing and, from 12-01, the year had no training
and no inspection.  A clean check therefore means the paperwork is there (docs/cycle.md).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW
from workbook_tools.core.model import Finding
from workbook_tools.rules.context import COMMERCIAL, NAME, NUMBER, TYPE, CheckContext, norm_series, show
from workbook_tools.rules.fields import donated
from workbook_tools.rules.registry import rule

A7, PROOFS, TRAININGS, INSPECTIONS = schema.A7, schema.PROOFS, schema.TRAININGS, schema.INSPECTIONS
YEAR_END = (12, 1)            # "by 12-01": December is left to hold the year's training and inspection
FOLLOW_UP_DAYS = 60           # 整改 of an inspection's problems is due within this many days
PROOF_FIELDS = ("合同编号", "授权证书编号")   # 配置管理规定 二.5: 合同, 授权证书 (序列号 stands in 附件7)
CLAUSE_PROOF = "配置管理规定 二.4–二.5"
TRAINING, FULL = "培训", "全面检查"


def purchased(ctx: CheckContext) -> pd.DataFrame:
    """附件7 rows (first per number) of purchased commercial software still in use."""
    sw = ctx.software
    return sw[(sw[TYPE] == COMMERCIAL) & ~donated(sw) & (sw["状态"] != "已报废")]


def proof_rows(ctx: CheckContext) -> pd.DataFrame:
    df = ctx.df(PROOFS)
    return df[df[NUMBER].notna()]


@rule("PROOF-MISSING")
def proof_missing(ctx: CheckContext) -> Iterator[Finding]:
    sw, proofs = purchased(ctx), proof_rows(ctx)
    absent = sw[~sw.index.isin(proofs[NUMBER])]
    yield from ctx.emit("PROOF-MISSING", A7, absent[ROW], NUMBER, (
        f"采购的商业软件「{show(name)}」（{n}）在「采购资料」中没有登记采购合同和授权证书，"
        f"请登记合同编号、授权证书编号和资料存放位置（{CLAUSE_PROOF}）"
        for n, name in zip(absent.index, absent[NAME])))
    mine = proofs[proofs[NUMBER].isin(sw.index)]
    for field in PROOF_FIELDS:
        lacking = mine[mine[field].isna()]
        yield from ctx.emit("PROOF-MISSING", PROOFS, lacking[ROW], field, (
            f"「{n}」的采购资料缺少{field}（{CLAUSE_PROOF}）" for n in lacking[NUMBER]))


@rule("PROOF-MISMATCH")
def proof_mismatch(ctx: CheckContext) -> Iterator[Finding]:
    sw = ctx.software
    proofs = proof_rows(ctx)
    proofs = proofs[proofs[NUMBER].isin(sw.index)]
    seats = sw["许可数量"].reindex(proofs[NUMBER].to_numpy()).to_numpy()
    differs = proofs["许可数量"].notna() & pd.notna(seats) & ((proofs["许可数量"] - seats).abs() > 1e-9)
    bad = proofs[differs]
    yield from ctx.emit("PROOF-MISMATCH", PROOFS, bad[ROW], "许可数量", (
        f"「{n}」的采购资料许可数量为 {show(q)}，附件7 为 {show(a)}，请核对合同与台账（{CLAUSE_PROOF}）"
        for n, q, a in zip(bad[NUMBER], bad["许可数量"], seats[differs.to_numpy()])))
    kinds = sw["许可类型"].reindex(proofs[NUMBER].to_numpy())
    ours, theirs = norm_series(proofs["授权方式"]), norm_series(pd.Series(kinds.to_numpy(), index=proofs.index))
    differs = ours.notna() & theirs.notna() & (ours != theirs)
    bad = proofs[differs]
    yield from ctx.emit("PROOF-MISMATCH", PROOFS, bad[ROW], "授权方式", (
        f"「{n}」的采购资料授权方式为「{show(m)}」，附件7 许可类型为「{show(k)}」，请核对合同与台账（{CLAUSE_PROOF}）"
        for n, m, k in zip(bad[NUMBER], bad["授权方式"], kinds.to_numpy()[differs.to_numpy()])))


def year_closing(today: dt.date) -> bool:
    return today >= dt.date(today.year, *YEAR_END)


def in_year(dates: pd.Series, year: int) -> pd.Series:
    return dates.notna() & (dates.dt.year == year)


@rule("CYCLE-NO-TRAINING")
def cycle_no_training(ctx: CheckContext) -> Iterator[Finding]:
    df = ctx.df(TRAININGS)
    held = in_year(df["日期"], ctx.today.year) & (df["形式"] == TRAINING)
    if year_closing(ctx.today) and not held.any():
        yield ctx.finding("CYCLE-NO-TRAINING", TRAININGS, None, None,
                          f"{ctx.today.year}年「培训宣传」中没有形式为“培训”的记录；每年至少举办一次软件正版化工作培训，"
                          "请在年底前举办并登记（日常使用管理规定 五.1）")


@rule("CYCLE-NO-INSPECTION")
def cycle_no_inspection(ctx: CheckContext) -> Iterator[Finding]:
    df = ctx.df(INSPECTIONS)
    held = in_year(df["检查日期"], ctx.today.year) & (df["范围"] == FULL)
    if year_closing(ctx.today) and not held.any():
        yield ctx.finding("CYCLE-NO-INSPECTION", INSPECTIONS, None, None,
                          f"{ctx.today.year}年「检查记录」中没有全面检查；每年至少开展一次软件使用情况全面检查并通报结果，"
                          "请在年底前完成并登记（日常使用管理规定 四.1）")


def _with_problems(ctx: CheckContext) -> pd.DataFrame:
    """全面检查 of this or last year that found problems (a December inspection is followed up in January)."""
    df = ctx.df(INSPECTIONS)
    dates = df["检查日期"]
    recent = dates.notna() & (dates.dt.year >= ctx.today.year - 1) & (dates <= pd.Timestamp(ctx.today))
    return df[recent & (df["范围"] == FULL) & (df["发现问题数"].fillna(0) > 0)]


@rule("CYCLE-NOT-REPORTED")
def cycle_not_reported(ctx: CheckContext) -> Iterator[Finding]:
    found = _with_problems(ctx)
    unreported = found[found["通报日期"].isna()]
    yield from ctx.emit("CYCLE-NOT-REPORTED", INSPECTIONS, unreported[ROW], "通报日期", (
        f"{show(d)} 的全面检查发现问题 {show(n)} 个，尚未通报检查结果（日常使用管理规定 四.1）"
        for d, n in zip(unreported["检查日期"], unreported["发现问题数"])))
    due = found["检查日期"] + pd.Timedelta(days=FOLLOW_UP_DAYS)
    late = found[found["整改完成日期"].isna() & (due < pd.Timestamp(ctx.today))]
    yield from ctx.emit("CYCLE-NOT-REPORTED", INSPECTIONS, late[ROW], "整改完成日期", (
        f"{show(d)} 的全面检查发现的问题已过 {FOLLOW_UP_DAYS} 天仍未登记整改完成日期，请督促相关部门整改（日常使用管理规定 四.1）"
        for d in late["检查日期"]))
