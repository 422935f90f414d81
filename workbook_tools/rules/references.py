"""REF-*, MISMATCH-DERIVED, FREE-NOT-LISTED, VERSION-NOT-LICENSED: sheets that name each other."""
from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW
from workbook_tools.core.licence import version_covered
from workbook_tools.core.model import Finding
from workbook_tools.rules.context import (
    COMMERCIAL,
    FREE,
    NAME,
    NUMBER,
    TYPE,
    VERSION,
    CheckContext,
    lookup,
    pairs_in,
    show,
)
from workbook_tools.rules.registry import rule

A6, A7, A8, A9 = schema.A6, schema.A7, schema.A8, schema.A9
COMPUTER = "计算机编号"
# (sheet, person column, department column, compare the department with 人员?)
PERSON_COLUMNS = (
    (schema.COMPUTERS, "使用人", "使用部门", "all"),
    (A8, "姓名", "部门", "all"),
    (A9, "使用人", "使用部门", "none"),   # an event records who used the computer on its date (history)
    (schema.A10, "申请人", "申请部门", "none"),
    (schema.A11, "使用人", "使用部门", "none"),
)
DEPT_COLUMNS = ((schema.STAFF, "部门"), (schema.COMPUTERS, "使用部门"), (schema.A3, "申请部门"), (A8, "部门"),
                (A9, "使用部门"), (schema.A10, "申请部门"), (schema.A11, "使用部门"))
# copied field -> source field, per source
A8_FROM_A7 = {NAME: NAME, TYPE: TYPE, "许可期限": "许可期限"}
FROM_COMPUTER = {A8: {"计算机品牌": "计算机品牌", "姓名": "使用人", "部门": "使用部门"},
                 A9: {"计算机品牌": "计算机品牌", "使用人": "使用人", "使用部门": "使用部门"}}


def _unknown(ctx: CheckContext, sheet: str, column: str, known: pd.Index) -> pd.DataFrame:
    df = ctx.df(sheet)
    return df[df[column].notna() & ~df[column].isin(known)]


@rule("REF-SOFTWARE")
def ref_software(ctx: CheckContext) -> Iterator[Finding]:
    for sheet in (A6, A8, A9):
        bad = _unknown(ctx, sheet, NUMBER, ctx.software.index)
        yield from ctx.emit("REF-SOFTWARE", sheet, bad[ROW], NUMBER,
                            (f"软件编号「{n}」在附件7中不存在（台账管理规定 三.2）" for n in bad[NUMBER]))


@rule("REF-COMPUTER")
def ref_computer(ctx: CheckContext) -> Iterator[Finding]:
    for sheet in (A8, A9, schema.A10, schema.A11):
        bad = _unknown(ctx, sheet, COMPUTER, ctx.computers.index)
        yield from ctx.emit("REF-COMPUTER", sheet, bad[ROW], COMPUTER,
                            (f"计算机编号「{c}」未在「计算机」中登记（台账管理规定 二.2）" for c in bad[COMPUTER]))


def _dept_checked(ctx: CheckContext, sheet: str, df: pd.DataFrame, scope: str) -> pd.Series:
    if scope == "all":
        return pd.Series(True, index=df.index)
    if scope == "live":
        return df[ROW].isin(ctx.live_rows)
    return pd.Series(False, index=df.index)


def _registered_depts(ctx: CheckContext, names: pd.Series) -> dict[str, str]:
    staff = ctx.staff_pairs
    staff = staff[staff["姓名"].isin(names.unique())]
    return {name: "、".join(group.unique()) for name, group in staff.groupby("姓名")["部门"]}


@rule("REF-PERSON")
def ref_person(ctx: CheckContext) -> Iterator[Finding]:
    for sheet, person, dept, scope in PERSON_COLUMNS:
        df = ctx.df(sheet)
        named = df[df[person].notna()]
        unknown = named[~named[person].isin(ctx.staff_names)]
        yield from ctx.emit("REF-PERSON", sheet, unknown[ROW], person,
                            (f"「{p}」未在「人员」中登记（台账管理规定 二.1）" for p in unknown[person]))
        known = named[named[person].isin(ctx.staff_names) & named[dept].notna()]
        known = known[_dept_checked(ctx, sheet, known, scope)]
        moved = known[~ctx.in_staff(known[person], known[dept])]
        registered = _registered_depts(ctx, moved[person])
        yield from ctx.emit("REF-PERSON", sheet, moved[ROW], dept,
                            (f"「{p}」在「人员」中登记的部门是「{registered.get(p, '')}」，此处为「{d}」（台账管理规定 二.1）"
                             for p, d in zip(moved[person], moved[dept])))


@rule("REF-DEPT")
def ref_dept(ctx: CheckContext) -> Iterator[Finding]:
    for sheet, column in DEPT_COLUMNS:
        df = ctx.df(sheet)
        bad = df[df[column].notna() & ~df[column].isin(ctx.dept_names)]
        yield from ctx.emit("REF-DEPT", sheet, bad[ROW], column,
                            (f"部门「{d}」未在「部门」中登记（软件正版化工作责任制度 二）" for d in bad[column]))


def _differs(copy: pd.Series, source: pd.Series) -> pd.Series:
    mine, theirs = copy.to_numpy(dtype=object), source.to_numpy(dtype=object)
    return pd.Series(~pd.isna(mine) & (pd.isna(theirs) | (mine != theirs)), index=copy.index)


def _mismatches(ctx: CheckContext, sheet: str, df: pd.DataFrame, source: pd.DataFrame, key: str,
                fields: dict[str, str], where: str, blank_source_ok: bool = False) -> Iterator[Finding]:
    df = df[df[key].isin(source.index)]
    for copy, src in fields.items():
        expected = lookup(source[src], df[key]).astype(object)
        bad = _differs(df[copy], expected)
        if blank_source_ok:
            bad &= expected.notna()
        if sheet == A8 and copy == "部门":  # the roll-up may take it from the person's register entry
            bad &= ~ctx.in_staff(df["姓名"], df["部门"])
        rows = df[bad]
        yield from ctx.emit("MISMATCH-DERIVED", sheet, rows[ROW], copy, (
            f"「{copy}」为「{show(v)}」，与{where}中{show(k)}的「{src}」「{show(e)}」不一致（台账管理规定 二.1、三.1）"
            for v, k, e in zip(rows[copy], rows[key], expected[bad])))


def _slips(ctx: CheckContext) -> pd.DataFrame:
    """附件11 by 确认单号: the signed record of who used the computer on the day of a visit."""
    slips = ctx.df(schema.A11)
    return slips[slips["确认单号"].notna()].drop_duplicates("确认单号").set_index("确认单号")


@rule("MISMATCH-DERIVED")
def mismatch_derived(ctx: CheckContext) -> Iterator[Finding]:
    """附件8 against 附件7 and today's registers; 附件9 against what holds on its date.

    A computer's brand never changes, so every event is compared with 「计算机」.  Who used it and
    in which department is history: the registers keep no dates, so an event's 使用人/使用部门 are
    compared with the slip of the same visit (附件11, written the same day), not with today's registers.
    """
    a8, a9 = ctx.df(A8), ctx.events
    yield from _mismatches(ctx, A8, a8, ctx.software, NUMBER, A8_FROM_A7, "附件7")
    yield from _mismatches(ctx, A8, a8, ctx.computers, COMPUTER, FROM_COMPUTER[A8], "「计算机」")
    yield from _mismatches(ctx, A9, a9, ctx.computers, COMPUTER, {"计算机品牌": "计算机品牌"}, "「计算机」")
    people = {k: v for k, v in FROM_COMPUTER[A9].items() if k != "计算机品牌"}
    yield from _mismatches(ctx, A9, a9, _slips(ctx), "确认单号", people, "附件11 确认单", blank_source_ok=True)


@rule("FREE-NOT-LISTED")
def free_not_listed(ctx: CheckContext) -> Iterator[Finding]:
    listed = set(ctx.df(A6)[NUMBER].dropna())
    sw = ctx.software
    free = sw[(sw[TYPE] == FREE) & (ctx.installed(sw.index.to_series()) > 0)]
    missing = free[~free.index.isin(listed)]
    yield from ctx.emit("FREE-NOT-LISTED", A7, missing[ROW], NUMBER, (
        f"免费软件「{n}」（{show(name)}）已安装，但不在可使用免费软件清单（附件6）中（配置管理规定 二.2）"
        for n, name in zip(missing.index, missing[NAME])))
    a6 = ctx.df(A6)
    kinds = ctx.software_types(a6[NUMBER])
    wrong = a6[a6[NUMBER].isin(sw.index) & (kinds != FREE)]
    yield from ctx.emit("FREE-NOT-LISTED", A6, wrong[ROW], NUMBER, (
        f"软件编号「{n}」在附件7中登记为{show(k)}，不是免费软件，不应列入附件6（台账管理规定 一.12）"
        for n, k in zip(wrong[NUMBER], kinds[wrong.index])))


def _unlicensed(ctx: CheckContext, df: pd.DataFrame, column: str) -> pd.Series:
    """Mask of rows whose installed commercial version is not licensed (judged once per pair)."""
    sw = ctx.software
    commercial = sw[sw[TYPE] == COMMERCIAL]
    rows = df.loc[df[NUMBER].isin(commercial.index) & df[column].notna(), [NUMBER, column]]
    pairs = rows.drop_duplicates()
    bad = [(n, v) for n, v in zip(pairs[NUMBER], pairs[column])
           if not version_covered(v, commercial.at[n, VERSION], commercial.at[n, "可使用版本"])]
    mask = pd.Series(False, index=df.index)
    if bad:
        numbers, versions = zip(*bad)
        mask[rows.index] = pairs_in(rows[NUMBER], rows[column], numbers, versions).to_numpy()
    return mask


def _usable_text(usable: object) -> str:
    return f"也不在可使用版本「{show(usable)}」内" if show(usable) else "且未登记可使用版本"


@rule("VERSION-NOT-LICENSED")
def version_not_licensed(ctx: CheckContext) -> Iterator[Finding]:
    sw = ctx.software
    installs = ctx.events["操作"] == "安装"
    for sheet, df, column, mask in ((A8, ctx.df(A8), VERSION, None), (A9, ctx.events, "版本", installs)):
        unlicensed = _unlicensed(ctx, df, column)
        bad = df[unlicensed if mask is None else unlicensed & mask]
        yield from ctx.emit("VERSION-NOT-LICENSED", sheet, bad[ROW], column, (
            f"{show(n)} 安装的版本「{show(v)}」不是附件7登记的版本「{show(sw.at[n, VERSION])}」，"
            f"{_usable_text(sw.at[n, '可使用版本'])}（配置管理规定 一.1，安装维护管理规定 二.1）"
            for n, v in zip(bad[NUMBER], bad[column])))
