"""NUM-* rules: 软件编号 of 附件7 (台账管理规定 一.2–一.9) and the identity of a software entry."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd

from workbook_tools.core.ledger import ROW
from workbook_tools.core.model import Finding
from workbook_tools.rules.context import (
    COMMERCIAL,
    FREE,
    NAME,
    NUMBER,
    OEM,
    TYPE,
    VERSION,
    CheckContext,
    norm_series,
    show,
)
from workbook_tools.rules.registry import rule

A7 = "附件7 软件使用情况汇总表"
# 台账管理规定 一.3: every one of these differing makes a different commercial entry.
COMMERCIAL_KEY = (NAME, VERSION, "采购时间", "采购金额", "许可类型", "许可数量", "可使用版本", "许可期限", "序列号")
OEM_KEY = (NAME, VERSION)          # 一.5
FREE_KEY = (NAME,)                 # 一.7, 一.8: versions share one number
IDENTITY = {COMMERCIAL: COMMERCIAL_KEY, OEM: OEM_KEY, FREE: FREE_KEY}
SPLIT_CODE = {COMMERCIAL: "NUM-COMMERCIAL-SPLIT", OEM: "NUM-OEM-SPLIT", FREE: "NUM-FREE-SPLIT"}
SPLIT_CLAUSE = {COMMERCIAL: "台账管理规定 一.3", OEM: "台账管理规定 一.5", FREE: "台账管理规定 一.8"}
SPLIT_WHAT = {COMMERCIAL: "名称、版本、采购时间、采购金额、许可类型、许可数量、可使用版本、许可期限、序列号均相同",
              OEM: "名称与版本相同", FREE: "名称相同（不同版本共用一个编号）"}


def _key_part(series: pd.Series) -> pd.Series:
    """Comparable form of one identity field: text normalised, dates and numbers as text."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d").astype(object).where(series.notna(), None)
    if pd.api.types.is_float_dtype(series):
        return series.round(2).astype(object).where(series.notna(), None)
    return norm_series(series)


def identity_keys(a7: pd.DataFrame) -> pd.Series:
    """Per 附件7 row, the tuple that says which rows are the same software (None: unknown type)."""
    keys = pd.Series([None] * len(a7), index=a7.index, dtype=object)
    for software_type, fields in IDENTITY.items():
        mask = a7[TYPE] == software_type
        if not mask.any():
            continue
        parts = [_key_part(a7.loc[mask, f]) for f in fields]
        keys[mask] = [(software_type, *values) for values in zip(*parts)]
    return keys


@rule("NUM-MISSING")
def num_missing(ctx: CheckContext) -> Iterator[Finding]:
    rows = ctx.a7[ctx.a7[NUMBER].isna()]
    for row, name in zip(rows[ROW], rows[NAME]):
        label = f"（{name}）" if name else ""
        yield ctx.finding("NUM-MISSING", A7, row, NUMBER,
                          f"附件7第 {row} 行{label}没有软件编号，可执行 ledger number 自动分配（台账管理规定 三.2–三.3）")


@rule("NUM-DUPLICATE")
def num_duplicate(ctx: CheckContext) -> Iterator[Finding]:
    df = ctx.a7[ctx.a7[NUMBER].notna()]
    first = pd.Series(df.index, index=df.index).groupby(df[NUMBER], sort=False).transform("first")
    names, types = norm_series(df[NAME]), df[TYPE]
    # free software of one name keeps one number whatever its versions (一.8)
    same_free = ((types == FREE) & (types[first].to_numpy() == FREE)
                 & (names.to_numpy() == names[first].to_numpy()))
    dups = df[df.duplicated(NUMBER, keep="first") & ~same_free]
    for idx, number, row in zip(dups.index, dups[NUMBER], dups[ROW]):
        yield ctx.finding("NUM-DUPLICATE", A7, row, NUMBER,
                          f"软件编号「{number}」已用于第 {df.at[first[idx], ROW]} 行，"
                          f"同一编号只能登记一行（台账管理规定 一.2、一.5、一.7）")


def _splits(ctx: CheckContext, software_type: str) -> Iterator[Finding]:
    df = ctx.a7[(ctx.a7[TYPE] == software_type) & ctx.a7[NUMBER].notna()]
    if len(df) < 2:
        return
    keys = identity_keys(df)
    first_number = df.groupby(keys, sort=False)[NUMBER].transform("first")
    first_row = df.groupby(keys, sort=False)[ROW].transform("first")
    bad = df[keys.notna() & (df[NUMBER] != first_number)]
    code = SPLIT_CODE[software_type]
    for idx, row in zip(bad.index, bad[ROW]):
        yield ctx.finding(code, A7, row, NUMBER,
                          f"「{df.at[idx, NAME]}」与第 {first_row[idx]} 行{SPLIT_WHAT[software_type]}，"
                          f"应使用同一软件编号「{first_number[idx]}」而不是「{df.at[idx, NUMBER]}」"
                          f"（{SPLIT_CLAUSE[software_type]}）")


@rule("NUM-COMMERCIAL-SPLIT")
def num_commercial_split(ctx: CheckContext) -> Iterator[Finding]:
    return _splits(ctx, COMMERCIAL)


@rule("NUM-OEM-SPLIT")
def num_oem_split(ctx: CheckContext) -> Iterator[Finding]:
    return _splits(ctx, OEM)


@rule("NUM-FREE-SPLIT")
def num_free_split(ctx: CheckContext) -> Iterator[Finding]:
    return _splits(ctx, FREE)


def number_pattern(prefix: str) -> re.Pattern[str]:
    """Prefix from 设置, an optional '-', then digits (SY-0001)."""
    return re.compile(rf"{re.escape(prefix)}-?\d+")


@rule("NUM-FORMAT")
def num_format(ctx: CheckContext) -> Iterator[Finding]:
    df = ctx.a7[ctx.a7[NUMBER].notna()]
    for software_type in IDENTITY:
        prefix = ctx.ledger.prefix(software_type)
        part = df[df[TYPE] == software_type]
        ok = part[NUMBER].astype(str).str.fullmatch(number_pattern(prefix).pattern)
        for number, row in zip(part.loc[~ok, NUMBER], part.loc[~ok, ROW]):
            yield ctx.finding("NUM-FORMAT", A7, row, NUMBER,
                              f"{software_type}的软件编号「{show(number)}」应为「设置」中的前缀 {prefix} 加数字，"
                              f"如 {prefix}-0001（台账管理规定 三.2）")
