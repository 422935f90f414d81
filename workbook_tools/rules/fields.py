"""BLANK-*, REQ-FIELD, TYPE-* rules: which 附件7 fields must be empty, filled, or from a list."""
from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd

from workbook_tools.core import schema
from workbook_tools.core.clauses import clause
from workbook_tools.core.ledger import ROW
from workbook_tools.core.licence import term_readable, unlimited_seats
from workbook_tools.core.model import Finding
from workbook_tools.rules.context import COMMERCIAL, FREE, NAME, NUMBER, OEM, TYPE, VERSION, CheckContext, show
from workbook_tools.rules.registry import rule

A7 = schema.A7
LICENCE_FIELDS = ("采购时间", "采购金额", "许可类型", "许可数量", "可使用版本", "许可期限", "序列号")
BLANK_OEM = LICENCE_FIELDS                      # 台账管理规定 一.6
BLANK_FREE = (VERSION, *LICENCE_FIELDS)         # 一.9
BLANK_DONATED = ("采购时间", "采购金额")          # 一.4
DONATED = ("受赠", "调剂")
PURCHASED_REQUIRED = ("采购时间", "采购金额", "许可类型", "许可数量", "许可期限")
DONATED_REQUIRED = ("许可类型", "许可数量")
SEATS = "许可数量"
_REASON_NOISE = re.compile(r"[\s()（）第项条款.、]")


def scrap_reason(value: object) -> str | None:
    """报废原因 as one of 1/2/3 when written '1', '（1）', '第1项'; anything else unchanged."""
    if value is None or pd.isna(value):
        return None
    return _REASON_NOISE.sub("", str(value)) or None


# columns whose values are compared after normalising (报废原因 also counts for SCRAP-INSTALLED)
ENUM_NORMALISE = {(A7, "报废原因"): scrap_reason}


def donated(df: pd.DataFrame) -> pd.Series:
    return df["获取方式"].isin(DONATED)


def blank_violations(df: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame, str]]:
    """(rule code, offending rows, field) of every BLANK-* rule; shared with `fix-blanks`."""
    checks = (("BLANK-OEM", df[TYPE] == OEM, BLANK_OEM),
              ("BLANK-FREE", df[TYPE] == FREE, BLANK_FREE),
              ("BLANK-DONATED", (df[TYPE] == COMMERCIAL) & donated(df), BLANK_DONATED))
    for code, mask, fields in checks:
        if not mask.any():
            continue
        part = df[mask]
        for field in fields:
            filled = part[part[field].notna()]
            if len(filled):
                yield code, filled, field


BLANK_TEXT = {
    "BLANK-OEM": ("OEM软件", "台账管理规定 一.6"),
    "BLANK-FREE": ("免费软件", "台账管理规定 一.9"),
    "BLANK-DONATED": ("通过受赠、调剂获得的商业软件", "台账管理规定 一.4"),
}


def _blank(ctx: CheckContext, wanted: str) -> Iterator[Finding]:
    for code, rows, field in blank_violations(ctx.a7):
        if code != wanted:
            continue
        what, clause = BLANK_TEXT[code]
        for row, name, value in zip(rows[ROW], rows[NAME], rows[field]):
            yield ctx.finding(code, A7, row, field,
                              f"{what}「{show(name)}」不填写{field}（现为「{show(value)}」）（{clause}）")


@rule("BLANK-OEM")
def blank_oem(ctx: CheckContext) -> Iterator[Finding]:
    return _blank(ctx, "BLANK-OEM")


@rule("BLANK-FREE")
def blank_free(ctx: CheckContext) -> Iterator[Finding]:
    return _blank(ctx, "BLANK-FREE")


@rule("BLANK-DONATED")
def blank_donated(ctx: CheckContext) -> Iterator[Finding]:
    return _blank(ctx, "BLANK-DONATED")


def _required_a7(df: pd.DataFrame) -> Iterator[tuple[pd.Series, str, str]]:
    """(row mask, field, why) of the conditional required fields of 附件7."""
    commercial = df[TYPE] == COMMERCIAL
    # a site/unlimited licence (许可类型 含 场地/不限) has no count to write (配置管理规定 一.3)
    counted = ~df["许可类型"].map(unlimited_seats).astype(bool)
    yield pd.Series(True, index=df.index), NAME, "每个软件"
    yield pd.Series(True, index=df.index), TYPE, "每个软件"
    yield commercial | (df[TYPE] == OEM), VERSION, "商业软件和OEM软件"
    for field in PURCHASED_REQUIRED:
        yield commercial & ~donated(df) & (counted if field == SEATS else True), field, "采购的商业软件"
    for field in DONATED_REQUIRED:
        yield commercial & donated(df) & (counted if field == SEATS else True), field, "受赠、调剂的商业软件"


@rule("REQ-FIELD")
def req_field_a7(ctx: CheckContext) -> Iterator[Finding]:
    df = ctx.a7
    for mask, field, why in _required_a7(df):
        empty = df[mask & df[field].isna() & ctx.readable(A7, df, field)]
        for row, number in zip(empty[ROW], empty[NUMBER]):
            label = f"（{number}）" if number else ""
            yield ctx.finding("REQ-FIELD", A7, row, field,
                              f"附件7第 {row} 行{label}：{why}须填写「{field}」（台账管理规定 一.1–一.4，配置管理规定 二.4）")


@rule("REQ-FIELD")
def req_field_sheets(ctx: CheckContext) -> Iterator[Finding]:
    """Columns every row of a sheet needs (schema `required`), 附件7 aside (see above, NUM-MISSING)."""
    for spec in schema.data_sheets():
        if spec.name == A7 or spec.kind is schema.SheetKind.SETTINGS or not ctx.table(spec.name).present:
            continue
        df = ctx.df(spec.name)
        for column in spec.columns:
            if not column.required:
                continue
            empty = df[df[column.header].isna() & ctx.readable(spec.name, df, column.header)]
            for row in empty[ROW]:
                yield ctx.finding("REQ-FIELD", spec.name, row, column.header,
                                  f"{spec.short}第 {row} 行须填写「{column.header}」（{clause(spec.name)}）")


# registers whose 状态 decides a count: (sheet, key column, how a blank counts, the figures it enters)
STATE_COLUMNS = ((schema.STAFF, "姓名", "在职", "总人数、使用计算机人数和承诺书检查"),
                 (schema.COMPUTERS, "计算机编号", "在用（已填报废日期的自该日起按报废）", "服务器数、台式机数、便携机数"))


@rule("REQ-FIELD")
def req_state(ctx: CheckContext) -> Iterator[Finding]:
    """A blank 状态 in 人员/计算机: counted as 在职/在用 (registers.py), and reported so that it is filled."""
    for sheet, key, assumed, figures in STATE_COLUMNS:
        spec = schema.BY_NAME[sheet]
        df = ctx.df(sheet)
        blank = df[df[key].notna() & df["状态"].isna() & ctx.readable(sheet, df, "状态")]
        choices = "或".join(spec.column("状态").choices)
        yield from ctx.emit("REQ-FIELD", sheet, blank[ROW], "状态", (
            f"{spec.short}「{show(k)}」的「状态」为空：按{assumed}计入{figures}，请填写{choices}（{clause(sheet)}）"
            for k in blank[key]))


@rule("TYPE-ENUM")
def type_enum(ctx: CheckContext) -> Iterator[Finding]:
    for spec in schema.data_sheets():
        if spec.kind is schema.SheetKind.SETTINGS or not ctx.table(spec.name).present:
            continue
        df = ctx.df(spec.name)
        for column in spec.columns:
            if not column.choices:
                continue
            values = df[column.header]
            normalise = ENUM_NORMALISE.get((spec.name, column.header))
            if normalise is not None:
                values = values.map(normalise).astype(object)
            bad = df[values.notna() & ~values.isin(column.choices)]
            for row, value in zip(bad[ROW], bad[column.header]):
                yield ctx.finding("TYPE-ENUM", spec.name, row, column.header,
                                  f"{spec.short}「{column.header}」的值「{show(value)}」不在可选范围内"
                                  f"（只能填写：{'、'.join(column.choices)}）（{clause(spec.name)}）")


@rule("TYPE-DATE")
def type_term(ctx: CheckContext) -> Iterator[Finding]:
    """许可期限 is a date, 永久/长期 or a span; anything else cannot be checked for expiry."""
    df = ctx.a7[(ctx.a7[TYPE] == COMMERCIAL) & ctx.a7["许可期限"].notna()]
    terms = df["许可期限"]
    readable = terms.map({t: term_readable(t) for t in terms.unique()}).astype(bool)
    for row, term in zip(df.loc[~readable, ROW], terms[~readable]):
        yield ctx.finding("TYPE-DATE", A7, row, "许可期限",
                          f"许可期限「{term}」无法识别（可写 2026-12-31、永久、长期、3年、36个月）"
                          "（配置管理规定 二.4）")
