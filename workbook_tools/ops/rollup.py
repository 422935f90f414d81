"""LEDGER_SPEC §5: the half-yearly roll-up of 附件8, 附件7 安装数量 and the 附件7 header block.

`compute_rollup(ledger, date)` is pure: from the event log up to `date` (the one shared
replay of events.py), the registers and 附件7 it derives the new 附件8 rows, the 安装数量 of
every number, the header counts and the 设置 stamp, and compares them with what the sheets
hold.  `tasks.sheets.apply_rollup` reads the file, refuses while the log or the references have errors
(or 附件8 holds rows no event explains), and writes the plan in one `write_workbook` call.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd
from pydantic import BaseModel, Field, PrivateAttr

from workbook_tools.core import events, schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import Change, Finding, LedgerError
from workbook_tools.core.registers import header_counts
from workbook_tools.core.schema import Kind
from workbook_tools.core.values import is_missing as blank
from workbook_tools.core.values import show_exact as show
from workbook_tools.ops import overview
from workbook_tools.rules import run_check
from workbook_tools.rules.registry import severity

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book, TableEdit

A7, A8, A9 = schema.A7, schema.A8, schema.A9
COMPUTER, NUMBER = events.COMPUTER, events.SOFTWARE
A8_HEADERS = schema.BY_NAME[A8].headers
ACTION = "半年更新"
DATE_KEY, PERIOD_KEY = "上次半年更新日期", "上次半年更新期间"
BLOCKING_CODES = ("REF-*", "EVENT-*", "TYPE-*", "REQ-FIELD")
Key = tuple[str | None, str | None]


class A8Change(BaseModel):
    kind: Literal["新增", "删除", "更新"]
    row: int                       # worksheet row: the new one for 新增/更新, the old one for 删除
    computer: str | None
    software: str | None
    detail: str                    # 删除: the row's full content; 更新: the fields that changed
    unexplained: bool = False      # a 删除 of a row that no event explains (only with --force)
    source: int | None = None      # 更新: the old worksheet row
    fields: list[tuple[str, str]] = []   # 更新: (header, new value shown) of each changed field


class CountChange(BaseModel):
    row: int
    software: str
    old: float | None
    new: float


class SettingChange(BaseModel):
    key: str
    old: str | None
    new: str | int | dt.date


class RollupPlan(BaseModel):
    """Everything a roll-up at `date` writes, and how it differs from the workbook."""

    date: dt.date
    period: str
    count: int                                 # rows of the new 附件8 (`rows`, `frame()`)
    first_row: int                             # worksheet row of rows[0]
    counts: dict[str, float]                   # 安装数量 per number of 附件7
    header: dict[str, int]                     # 附件7 header block (设置 附件7.*)
    unexplained: list[Finding] = Field(default_factory=list)
    a8_changes: list[A8Change] = Field(default_factory=list)
    count_changes: list[CountChange] = Field(default_factory=list)
    setting_changes: list[SettingChange] = Field(default_factory=list)
    rewrite: list[int] = Field(default_factory=list)   # indices of `rows` whose worksheet row must be written
    clear: list[int] = Field(default_factory=list)     # worksheet rows of 附件8 left over below the new rows
    moves: dict[int, int | None] = Field(default_factory=dict)  # row -> row whose extra cells it takes
    stray: list[int] = Field(default_factory=list)     # rows in `moves` that held no 附件8 data before
    _frame: pd.DataFrame | None = PrivateAttr(default=None)

    def frame(self) -> pd.DataFrame:
        """The new 附件8 in order, 序号 1..n, as a DataFrame."""
        return self._frame

    @property
    def rows(self) -> list[dict[str, Any]]:
        """The new 附件8 as one dict per row."""
        return _records(self._frame)

    @property
    def changed(self) -> bool:
        return bool(self.rewrite or self.clear or self.count_changes or self.setting_changes)

    def summary(self) -> list[str]:
        return summary_lines(self)


def period_of(day: dt.date) -> str:
    return f"{day.year}年{'上' if day.month <= 6 else '下'}半年"


def norm(value: object) -> object:
    """A cell value in the form used to compare the workbook with the plan."""
    if blank(value):
        return None
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.date()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return value if isinstance(value, dt.date) else str(value)


def first_by(df: pd.DataFrame, key: str) -> pd.DataFrame:
    return df[df[key].notna()].drop_duplicates(key).set_index(key)


def _lookup(source: pd.DataFrame, column: str, keys: pd.Series) -> pd.Series:
    return source[column].astype(object).reindex(keys.to_numpy()).set_axis(keys.index)


def person_departments(ledger: Ledger) -> pd.Series:
    """姓名 -> 部门 from 人员 where it is unambiguous (entries of people 在职 take precedence)."""
    staff = ledger.df(schema.STAFF)
    staff = staff[staff["姓名"].notna() & staff["部门"].notna()]
    active = staff[staff["状态"].ne("调离")]
    pool = pd.concat([active, staff[~staff["姓名"].isin(active["姓名"])]])
    single = pool.groupby("姓名")["部门"].nunique()
    pool = pool[pool["姓名"].isin(single[single == 1].index)]
    return pool.drop_duplicates("姓名").set_index("姓名")["部门"]


def derive_a8(ledger: Ledger, live: pd.DataFrame) -> pd.DataFrame:
    """附件8 from the live installations: one row per (计算机编号, 软件编号), sorted, numbered."""
    pcs, sw = first_by(ledger.df(schema.COMPUTERS), COMPUTER), first_by(ledger.df(A7), NUMBER)
    pc, number = live[COMPUTER].astype(object), live[NUMBER].astype(object)
    user = _lookup(pcs, "使用人", pc)
    dept = _lookup(pcs, "使用部门", pc)
    dept = dept.where(dept.notna(), person_departments(ledger).astype(object).reindex(user.to_numpy()).to_numpy())
    df = pd.DataFrame({
        "部门": dept, "姓名": user, "计算机编号": pc, "计算机品牌": _lookup(pcs, "计算机品牌", pc),
        "软件编号": number, "软件名称": _lookup(sw, "软件名称", number), "软件版本": live[events.VERSION].astype(object),
        "许可期限": _lookup(sw, "许可期限", number), "软件类型": _lookup(sw, "软件类型", number),
        "安装日期": pd.to_datetime(live[events.DATE]),
    }, index=live.index)
    df = df.sort_values(["部门", "姓名", "计算机编号", "软件编号"], na_position="last", kind="stable")
    df.insert(0, "序号", [str(i) for i in range(1, len(df) + 1)])
    return df.reset_index(drop=True)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = df.astype(object).where(df.notna(), None)
    records: list[dict[str, Any]] = out.to_dict("records")
    return records


def _norm_column(values: pd.Series) -> list[object]:
    """`norm` over a column, once per distinct value."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    normed = [norm(u) for u in uniques] + [None]
    return [normed[c] for c in codes.tolist()]


def _norm_rows(df: pd.DataFrame) -> list[tuple[Any, ...]]:
    """The rows of a 附件8 frame in the form used to compare the workbook with the plan."""
    return list(zip(*(_norm_column(df[h]) for h in A8_HEADERS))) if len(df) else []


def content(values: tuple[Any, ...], skip_serial: bool = True) -> str:
    """A 附件8 row as 变更记录 text: every filled field with its header."""
    pairs = zip(A8_HEADERS, values)
    return "；".join(f"{h}={show(v)}" for h, v in pairs if v is not None and not (skip_serial and h == "序号"))


def explained_pairs(ledger: Ledger) -> frozenset[Key]:
    log = ledger.df(A9)
    return frozenset(zip(log[COMPUTER], log[NUMBER]))


def unexplained_rows(ledger: Ledger) -> list[Finding]:
    """附件8 rows whose (计算机编号, 软件编号) no 附件9 event mentions (ROLLUP-STALE)."""
    table, known = ledger[A8], explained_pairs(ledger)
    df = table.df
    mask = [blank(c) or blank(n) or (c, n) not in known for c, n in zip(df[COMPUTER], df[NUMBER])]
    bad = df[pd.Series(mask, index=df.index, dtype=bool)]
    return [Finding(rule="ROLLUP-STALE", severity=severity("ROLLUP-STALE"), sheet=A8, row=int(r), column=NUMBER,
                    cell=table.cell(int(r), NUMBER),
                    message=f"附件8 第 {int(r)} 行（计算机「{show(c)}」、软件编号「{show(n)}」）没有任何安装维护记录（附件9）"
                            "可以说明，请先补登安装记录或执行 ledger baseline（台账管理规定 二.3）")
            for r, c, n in zip(bad[ROW], bad[COMPUTER], bad[NUMBER])]


def _a8_changes(old: pd.DataFrame, old_rows: list[tuple[Any, ...]], new_rows: list[tuple[Any, ...]], first: int,
                unexplained: set[int]) -> tuple[list[A8Change], dict[Key, int]]:
    """Added/removed/updated rows by (计算机编号, 软件编号); also each old key's worksheet row."""
    ci, ni = A8_HEADERS.index(COMPUTER), A8_HEADERS.index(NUMBER)
    old_at: dict[Key, tuple[int, tuple[Any, ...]]] = {}
    removed: list[A8Change] = []
    for row, values in zip(old[ROW].tolist(), old_rows):
        key = (values[ci], values[ni])
        if key in old_at:
            removed.append(A8Change(kind="删除", row=row, computer=key[0], software=key[1], detail=content(values)))
        else:
            old_at[key] = (row, values)
    new_keys = {(v[ci], v[ni]) for v in new_rows}
    removed += [A8Change(kind="删除", row=row, computer=k[0], software=k[1], detail=content(v), unexplained=row in unexplained)
                for k, (row, v) in old_at.items() if k not in new_keys]
    added, updated = [], []
    for i, values in enumerate(new_rows):
        key = (values[ci], values[ni])
        if key not in old_at:
            added.append(A8Change(kind="新增", row=first + i, computer=key[0], software=key[1], detail=content(values)))
            continue
        changed = [(h, a, b) for h, a, b in zip(A8_HEADERS, old_at[key][1], values) if a != b and h != "序号"]
        if changed:
            updated.append(A8Change(kind="更新", row=first + i, computer=key[0], software=key[1],
                                    detail="；".join(f"{h}：{show(a)}→{show(b)}" for h, a, b in changed),
                                    source=old_at[key][0], fields=[(h, show(b)) for h, _, b in changed]))
    return sorted(removed, key=lambda c: c.row) + added + updated, {k: r for k, (r, _) in old_at.items()}


def _positions(plan: RollupPlan, old: pd.DataFrame, old_rows: list[tuple[Any, ...]], new_rows: list[tuple[Any, ...]],
               old_row_of: dict[Key, int]) -> None:
    """Which worksheet rows differ from the new table, and where extra cells must come from."""
    ci, ni = A8_HEADERS.index(COMPUTER), A8_HEADERS.index(NUMBER)
    at = dict(zip(old[ROW].tolist(), old_rows))
    first = plan.first_row
    plan.rewrite = [i for i, values in enumerate(new_rows) if at.get(first + i) != values]
    plan.clear = sorted(r for r in at if r >= first + len(new_rows))
    for i in plan.rewrite:
        source = old_row_of.get((new_rows[i][ci], new_rows[i][ni]))
        if source != first + i:
            plan.moves[first + i] = source
    plan.moves.update({r: None for r in plan.clear})
    plan.stray = sorted(r for r in plan.moves if r not in at)


def _count_changes(ledger: Ledger, counts: dict[str, float]) -> list[CountChange]:
    a7 = ledger.df(A7)
    a7 = a7[a7[NUMBER].notna()]
    out = []
    for row, number, old in zip(a7[ROW], a7[NUMBER], a7["安装数量"]):
        new = counts.get(number, 0.0)
        if blank(old) or abs(float(old) - new) > 1e-9:
            out.append(CountChange(row=int(row), software=number, old=None if blank(old) else float(old), new=new))
    return out


def _setting_changes(ledger: Ledger, date: dt.date, header: dict[str, int]) -> list[SettingChange]:
    wanted: dict[str, str | int | dt.date] = {f"附件7.{k}": v for k, v in header.items()}
    wanted |= {DATE_KEY: date, PERIOD_KEY: period_of(date)}
    out = []
    for key, new in wanted.items():
        old = ledger.settings.get(key)
        if old in (None, "") or old != (new.isoformat() if isinstance(new, dt.date) else str(new)):
            out.append(SettingChange(key=key, old=old or None, new=new))
    return out


def compute_rollup(ledger: Ledger, date: dt.date) -> RollupPlan:
    """The roll-up at `date` (LEDGER_SPEC §5) and its difference from the workbook; no IO."""
    replayed = events.replay(ledger.df(A9), date)
    new = derive_a8(ledger, replayed.live)
    counts = {str(k): float(v) for k, v in replayed.count_by_software().items()}
    table = ledger[A8]
    plan = RollupPlan(date=date, period=period_of(date), count=len(new), first_row=table.header_row + 1,
                      counts=counts, header=header_counts(ledger, date), unexplained=unexplained_rows(ledger))
    plan._frame = new
    old_rows, new_rows = _norm_rows(table.df), _norm_rows(new)
    plan.a8_changes, old_row_of = _a8_changes(table.df, old_rows, new_rows, plan.first_row,
                                              {f.row for f in plan.unexplained if f.row is not None})
    _positions(plan, table.df, old_rows, new_rows, old_row_of)
    plan.count_changes = _count_changes(ledger, counts)
    plan.setting_changes = _setting_changes(ledger, date, plan.header)
    return plan


def seats(value: float | None) -> str:
    return "空" if value is None else (str(int(value)) if float(value).is_integer() else f"{value:g}")


def summary_lines(plan: RollupPlan) -> list[str]:
    """What the roll-up changes, by software number."""
    kinds = [c.kind for c in plan.a8_changes]
    lines = [f"半年更新截至 {plan.date.isoformat()}（{plan.period}）：附件8 共 {plan.count} 行，"
             f"新增 {kinds.count('新增')} 行、删除 {kinds.count('删除')} 行、更新 {kinds.count('更新')} 行；"
             f"附件7 安装数量变化 {len(plan.count_changes)} 项"]
    numbers = sorted({c.software or "（无编号）" for c in plan.a8_changes} | {c.software for c in plan.count_changes})
    for number in numbers:
        mine = [c.kind for c in plan.a8_changes if (c.software or "（无编号）") == number]
        parts = [f"附件8 {k} {mine.count(k)} 行" for k in ("新增", "删除", "更新") if mine.count(k)]
        parts += [f"安装数量 {seats(c.old)} → {seats(c.new)}" for c in plan.count_changes if c.software == number]
        lines.append(f"  {number}：{'，'.join(parts)}")
    lines += [f"  设置「{c.key}」：{c.old or '空'} → {show(c.new)}" for c in plan.setting_changes if c.key.startswith("附件7.")]
    lines += [f"  已移除无安装记录可说明的附件8 第 {c.row} 行（内容已记入变更记录）：{c.detail}"
              for c in plan.a8_changes if c.unexplained]
    return lines


# --- writing --------------------------------------------------------------------------------------

def _extra_columns(book: Book, table: TableEdit) -> dict[int, str]:
    """The user's own columns of a sheet: column -> header text."""
    rows = book.raw(table.name)
    ours = set(table.cols.values())
    first_row, first_col = book.origin(table.name)
    header = rows[table.header_row - first_row] if rows else []
    return {first_col + j + 1: str(h).strip() for j, h in enumerate(header)
            if first_col + j + 1 not in ours and not blank(h) and str(h).strip()}


def _extra_values(book: Book, table: TableEdit, extra: dict[int, str], rows: set[int]) -> dict[int, list[object]]:
    raw = book.raw(table.name)
    first_row, first_col = book.origin(table.name)

    def at(r: int, c: int) -> object:
        values = raw[r - first_row] if 0 <= r - first_row < len(raw) else []
        return values[c - 1 - first_col] if 0 <= c - 1 - first_col < len(values) else None
    return {r: [at(r, c) for c in extra] for r in rows}


def write_a8(book: Book, plan: RollupPlan) -> list[Change]:
    """Write only the 附件8 rows that differ; the user's extra cells follow their (计算机编号, 软件编号)."""
    table = book.table(A8)
    if plan.a8_changes:
        book.prefetch(A8)       # the old values of changed rows, as typed (变更记录), read while the rows are written
    extra = _extra_columns(book, table) if book.ledger is None or book.ledger[A8].extra_columns else {}
    grab = {r for r in plan.moves.values() if r is not None} | {c.row for c in plan.a8_changes if c.kind == "删除"}
    saved = _extra_values(book, table, extra, grab | set(plan.stray)) if extra else {}
    frame = plan.frame()
    table.set_frame([plan.first_row + i for i in plan.rewrite], frame.iloc[plan.rewrite].reset_index(drop=True), A8_HEADERS)
    table.set_frame(plan.clear, frame.iloc[:0].reindex(range(len(plan.clear))), A8_HEADERS)
    for target, source in plan.moves.items() if extra else ():
        for col in extra:
            if source is None:
                table.blank_at(target, col)
            else:
                table.copy_cell(source, target, col)
    stray = [Change(action=ACTION, sheet=A8, row=r, content=f"第 {r} 行不属于任何数据行的自定义列内容被新行占用，原内容：{kept}")
             for r in plan.stray if (kept := _extras_text(extra, saved.get(r, [])))]
    return [_a8_change(_as_typed(table, c), extra, saved) for c in plan.a8_changes] + stray + _reordered(plan)


def _as_typed(table: TableEdit, change: A8Change) -> A8Change:
    """The change with its old values as the clerk typed them (the plan holds them as read)."""
    if change.kind == "删除":
        typed = ((h, table.as_typed(change.row, h)) for h in A8_HEADERS if h != "序号")
        return change.model_copy(update={"detail": "；".join(f"{h}={v}" for h, v in typed if v != "")})
    if change.kind == "更新" and change.source is not None:
        detail = "；".join(f"{h}：{table.as_typed(change.source, h)}→{new}" for h, new in change.fields)
        return change.model_copy(update={"detail": detail})
    return change


def _extras_text(extra: dict[int, str], values: list[object]) -> str:
    return "；".join(f"{extra[c]}={show(v)}" for c, v in zip(extra, values) if not blank(v) and v != "")


def _a8_change(change: A8Change, extra: dict[int, str], saved: dict[int, list[object]]) -> Change:
    detail = change.detail
    kept = _extras_text(extra, saved.get(change.row, [])) if change.kind == "删除" else ""
    detail = f"{detail}；{kept}" if kept else detail
    prefix = "删除（无安装记录可说明，按 --force 移除）" if change.unexplained else change.kind
    key = f"计算机 {change.computer or '（空）'}、软件编号 {change.software or '（空）'}"
    return Change(action=ACTION, sheet=A8, row=change.row, content=f"{prefix}（{key}）：{detail}")


def _reordered(plan: RollupPlan) -> list[Change]:
    if plan.a8_changes or not (plan.rewrite or plan.clear):
        return []
    return [Change(action=ACTION, sheet=A8, row=None, content="按部门、姓名、计算机编号、软件编号重新排序并编排序号")]


def write_counts(book: Book, plan: RollupPlan) -> list[Change]:
    if not plan.count_changes:
        return []
    table = book.table(A7)
    out = []
    for change in plan.count_changes:
        old = table.as_typed(change.row, "安装数量") or "空"    # as typed, not as read
        table.set(change.row, "安装数量", change.new)
        out.append(Change(action=ACTION, sheet=A7, row=change.row,
                          content=f"{change.software} 安装数量：{old} → {seats(change.new)}"))
    return out


def setting_rows(book: Book) -> dict[str, int]:
    """Key of 设置 -> its worksheet row."""
    known = book.ledger.settings_table if book.ledger is not None else None
    if known is None:
        return {}
    return {str(k).strip(): int(r) for k, r in zip(known.df["项目"], known.df[ROW]) if not blank(k)}


def write_settings(book: Book, changes: list[SettingChange]) -> list[Change]:
    """Set keys of 设置 (appending missing ones); dates as real dates."""
    table = book.table(schema.SETTINGS)
    rows = setting_rows(book)
    out = []
    for change in changes:
        row = rows.get(change.key)
        old = table.as_typed(row, "值") if row is not None else ""
        if row is None:
            row = rows[change.key] = table.append({"项目": change.key})
        _set_value(table, row, change.new)
        out.append(Change(action=ACTION, sheet=schema.SETTINGS, row=row,
                          content=f"{change.key}：{old or '空'} → {show(change.new)}"))
    return out


def _set_value(table: TableEdit, row: int, value: object) -> None:
    """设置.值 holds any kind: a date as a date, a count as a number, else text."""
    kind = Kind.DATE if isinstance(value, dt.date) else Kind.COUNT if isinstance(value, int) else Kind.TEXT
    table.set_kind(row, "值", value, kind)


def rollup_edit(plan: RollupPlan) -> Callable[[Book], list[Change]]:
    def edit(book: Book) -> list[Change]:
        if not plan.changed:
            return []
        return write_a8(book, plan) + write_counts(book, plan) + write_settings(book, plan.setting_changes)

    return edit


# --- the command ----------------------------------------------------------------------------------

class RollupRefused(LedgerError):
    """The roll-up was refused; `findings` says why (exit 1)."""

    def __init__(self, message: str, findings: list[Finding]):
        super().__init__(message, 1)
        self.findings = findings


class RollupOutcome(BaseModel):
    plan: RollupPlan
    ignored: list[Finding] = Field(default_factory=list)   # blocking findings overridden by --force
    written: bool = False
    backup: Path | None = None
    changes: list[Change] = Field(default_factory=list)    # the 变更记录 lines of the write


def rollup_blockers(ledger: Ledger, today: dt.date) -> list[Finding]:
    """Errors that stop a roll-up: the log (EVENT-*, and TYPE-*/REQ-FIELD on 附件9) and references (REF-*)."""
    result = run_check(ledger, today, select=list(BLOCKING_CODES))
    return [f for f in result.errors if f.rule.startswith(("REF-", "EVENT-")) or f.sheet == A9]


def check_date(date: dt.date, today: dt.date, what: str = "半年更新") -> None:
    if date > today:
        raise LedgerError(f"{what}日期 {date.isoformat()} 晚于今天 {today.isoformat()}，不能登记未来的情况", 1)


def refuse_rollback(ledger: Ledger, date: dt.date, force: bool) -> None:
    """A roll-up to a date before 上次半年更新日期 would wind 附件8/附件7 back (scrapped software reinstalled)."""
    last = ledger.last_rollup()
    if force or last is None or date >= last:
        return
    raise LedgerError(f"半年更新日期 {date.isoformat()} 早于上次半年更新日期 {last.isoformat()}：这会把附件8、附件7 退回到 "
                      f"{date.isoformat()} 的状态（其后的安装、卸载和报废都不再计入）；请核对 --date，"
                      "如确需重新生成当时的台账请加 --force", 1)


def with_overview(edit: Callable[[Book], list[Change]], ledger: Ledger, today: dt.date) -> Callable[[Book], list[Change]]:
    """After a roll-up that changed something, refresh 概览 too when the workbook has one."""
    def wrapped(book: Book) -> list[Change]:
        changes = edit(book)
        if changes and book.has(overview.SHEET):
            changes += overview.rebuild_overview(book, ledger, today)
        return changes

    return wrapped


ROLLUP_STEPS = ("读取台账", "校验附件9 与引用", "按附件9 重建附件8", "写入台账")


def decide_rollup(ledger: Ledger, date: dt.date, force: bool, today: dt.date,
                  mark: Callable[[int], None] = lambda step: None) -> RollupOutcome:
    """The roll-up of `ledger` at `date`, or RollupRefused naming what blocks it (overridden by `force`)."""
    refuse_rollback(ledger, date, force)
    mark(1)
    blockers = rollup_blockers(ledger, today)
    mark(2)
    plan = compute_rollup(ledger, date)
    if not force and (blockers or plan.unexplained):
        what = "、".join(w for w, hit in (("附件9 或引用存在错误", blockers), ("附件8 有无安装记录可说明的行", plan.unexplained)) if hit)
        raise RollupRefused(f"半年更新已拒绝：{what}（共 {len(blockers) + len(plan.unexplained)} 处，见上方列表）；"
                            "请先改正，或加 --force 强制执行", blockers + plan.unexplained)
    return RollupOutcome(plan=plan, ignored=blockers + plan.unexplained if force else [])
