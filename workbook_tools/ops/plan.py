"""附件3 requests → 附件4 purchase plan: the licence gap per chosen software, and proposals.

`compute_plan(ledger, today)` is pure: it compares each chosen number's requested licences
with the free seats (licences held minus live installations at `today`) and proposes one
附件4 row per shortage.  `apply_plan(plan)` returns the `write_workbook` edit that replaces
the tool's own earlier proposals and the 共计 row, keeping every row a clerk typed or
changed (a row is the tool's while its 备注 carries the marker and the fingerprint of the
values the tool wrote).  See docs/stats.md.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from pydantic import BaseModel, Field

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import Change
from workbook_tools.ops.stats import COMMERCIAL, FREE, OEM, is_site_licence, licence_ended, seats_by_software

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book, TableEdit

TOOL_MARK = "ledger plan 建议"
TOTAL = "共计"             # 序号 and 软件名称 of the closing row, as on the form; readers skip it (is_total_row)
JOIN = ","                 # 依据申请编号 of several requests
VALUE_COLUMNS = ("软件名称", "软件版本", "单价", "许可数", "合计", "软件类别", "产地", "依据申请编号")
_SPLIT = re.compile(r"[,，、;；\s]+")


class Gap(BaseModel):
    """One chosen 软件编号: what the requests ask for against what the ledger has."""

    软件编号: str
    软件名称: str | None = None
    软件版本: str | None = None
    requested: float
    held: float | None = None        # None: unlimited (场地/不限)
    installed: float = 0.0
    requests: list[str] = Field(default_factory=list)
    note: str = ""
    purchasable: bool = True

    @property
    def free(self) -> float | None:
        return None if self.held is None else self.held - self.installed

    @property
    def shortage(self) -> float:
        if not self.purchasable or self.free is None:
            return 0.0
        return max(0.0, self.requested - self.free)


class Pending(BaseModel):
    """A request line with no 选定软件编号 yet."""

    row: int
    申请编号: str | None
    申请部门: str | None
    软件类别: str | None
    申请许可数: float | None


class Proposal(BaseModel):
    软件编号: str
    软件名称: str | None
    软件版本: str | None
    单价: float | None
    许可数: float
    软件类别: str | None
    产地: str | None
    依据申请编号: str

    @property
    def 合计(self) -> float | None:  # noqa: N802 - the form's column name
        return None if self.单价 is None else round(self.单价 * self.许可数, 2)

    def values(self) -> dict[str, object]:
        values = {h: getattr(self, h) for h in VALUE_COLUMNS}
        return {**values, "备注": f"{TOOL_MARK} #{fingerprint(values)}"}


class KeptRow(BaseModel):
    """A 附件4 row the tool leaves alone because a person wrote or changed it."""

    row: int
    序号: str | None
    软件名称: str | None
    reason: str


class Skipped(BaseModel):
    """A request of the plan year that no longer counts: met by a later purchase, or for scrapped software."""

    row: int
    申请编号: str
    软件编号: str
    reason: str


class Plan(BaseModel):
    year: int | None = None
    gaps: list[Gap]
    pending: list[Pending]
    proposals: list[Proposal]
    kept: list[KeptRow] = Field(default_factory=list)
    covered_by_hand: list[str] = Field(default_factory=list)  # 软件编号 whose shortage a kept row already plans
    skipped: list[Skipped] = Field(default_factory=list)


# --- fingerprints of the tool's rows ------------------------------------------------------------

def _norm(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, (int, float)):
        return f"{float(value):.2f}"
    return str(value).strip()


def fingerprint(values: dict[str, object]) -> str:
    text = "|".join(_norm(values.get(h)) for h in VALUE_COLUMNS)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def is_total_row(row: pd.Series | dict[str, Any]) -> bool:
    """The closing 共计 row of 附件4 (no software of its own): every reader of 附件4 skips it."""
    return TOTAL in (row.get("序号"), row.get("软件名称"))


def plan_rows(a4: pd.DataFrame) -> pd.DataFrame:
    """附件4 data rows without the 共计 row."""
    return a4[~(a4["序号"].eq(TOTAL) | a4["软件名称"].eq(TOTAL))]


def is_tool_row(row: pd.Series) -> bool:
    note = row.get("备注")
    if not isinstance(note, str) or not note.startswith(TOOL_MARK):
        return False
    return note == f"{TOOL_MARK} #{fingerprint(row.to_dict())}"


# --- the gap -------------------------------------------------------------------------------------

def _request_id(row: pd.Series) -> str:
    return row["申请编号"] if isinstance(row["申请编号"], str) else f"附件3第{int(row[ROW])}行"


def _held(gap: Gap, sw: pd.Series, today: dt.date) -> None:
    scrapped_on = sw["报废日期"]
    gone = (sw["状态"] == "已报废" and pd.isna(scrapped_on)) or (not pd.isna(scrapped_on) and scrapped_on <= pd.Timestamp(today))
    if sw["软件类型"] == FREE:
        gap.held, gap.purchasable, gap.note = None, False, "免费软件，无需采购"
    elif sw["软件类型"] == OEM:
        gap.held, gap.purchasable, gap.note = gap.installed, False, "OEM软件随机预装，不列入采购计划"
    elif sw["软件类型"] != COMMERCIAL:
        gap.held, gap.purchasable, gap.note = 0.0, False, "附件7 未填软件类型"
    elif gone:
        gap.held, gap.note = 0.0, "已报废，按无许可计"
    elif licence_ended(sw["许可期限"], sw["采购时间"], today):
        gap.held, gap.note = 0.0, "许可已到期，按无许可计"
    elif is_site_licence(sw["许可类型"]):
        gap.held, gap.note = None, "场地/不限许可"
    else:
        gap.held = 0.0 if pd.isna(sw["许可数量"]) else float(sw["许可数量"])


def compute_gaps(ledger: Ledger, requests: pd.DataFrame, today: dt.date) -> list[Gap]:
    a7 = ledger.df(schema.A7).drop_duplicates("软件编号")
    software = a7.set_index("软件编号")
    seats = seats_by_software(ledger, today)
    gaps = []
    for number, group in requests.groupby("选定软件编号", sort=True):
        gap = Gap(软件编号=number, requested=float(group["申请许可数"].fillna(0).sum()),
                  installed=float(seats.get(number, 0.0)), requests=[_request_id(r) for _, r in group.iterrows()])
        if number not in software.index:
            gap.held, gap.purchasable, gap.note = 0.0, False, "附件7 中没有此软件编号"
        else:
            sw = software.loc[number].copy()
            sw["软件编号"] = number
            gap.软件名称, gap.软件版本 = sw["软件名称"], sw["软件版本"]
            _held(gap, sw, today)
        gaps.append(gap)
    return gaps


def latest_price(a7: pd.DataFrame, name: str | None) -> float | None:
    """采购金额 / 许可数量 of the most recent purchase of a software of that name."""
    rows = a7[a7["软件名称"].eq(name) & a7["采购时间"].notna() & a7["采购金额"].notna() & (a7["许可数量"] > 0)]
    if rows.empty:
        return None
    last = rows.sort_values(["采购时间", ROW], kind="stable").iloc[-1]
    return round(float(last["采购金额"]) / float(last["许可数量"]), 2)


def propose(ledger: Ledger, gap: Gap) -> Proposal:
    a7 = ledger.df(schema.A7)
    sw = a7[a7["软件编号"].eq(gap.软件编号)].iloc[0]
    return Proposal(软件编号=gap.软件编号, 软件名称=gap.软件名称, 软件版本=gap.软件版本,
                    单价=latest_price(a7, gap.软件名称), 许可数=gap.shortage, 软件类别=sw["软件类别"],
                    产地=sw["产地"], 依据申请编号=JOIN.join(gap.requests))


def pending_requests(requests: pd.DataFrame) -> list[Pending]:
    rows = requests[requests["选定软件编号"].isna()]
    return [Pending(row=int(r[ROW]), 申请编号=r["申请编号"], 申请部门=r["申请部门"], 软件类别=r["软件类别"],
                    申请许可数=None if pd.isna(r["申请许可数"]) else float(r["申请许可数"])) for _, r in rows.iterrows()]


def hand_rows(a4: pd.DataFrame) -> tuple[list[KeptRow], pd.DataFrame]:
    """Rows of 附件4 a person wrote or changed (kept), and the tool's own unchanged rows."""
    rows = plan_rows(a4)
    mine = rows.apply(is_tool_row, axis=1) if len(rows) else pd.Series(dtype=bool)
    kept = [KeptRow(row=int(r[ROW]), 序号=r["序号"], 软件名称=r["软件名称"],
                    reason="工具建议行已被手工修改" if str(r["备注"] or "").startswith(TOOL_MARK) else "手工填写的行")
            for _, r in rows[~mine].iterrows()] if len(rows) else []
    return kept, rows[mine] if len(rows) else rows


def covers(row: pd.Series, gap: Gap) -> bool:
    """A kept 附件4 row plans this gap: it cites one of the gap's requests, or cites none and names the same software.

    A row citing other requests (e.g. last year's purchase) does not hide a new need.
    """
    text = row["依据申请编号"] if isinstance(row["依据申请编号"], str) else ""
    cited = {t for t in _SPLIT.split(text) if t}
    if cited:
        return bool(cited & set(gap.requests))
    return (row["软件名称"], row["软件版本"]) == (gap.软件名称, gap.软件版本)


def default_plan_year(ledger: Ledger, today: dt.date) -> int:
    """The plan year a clerk means without --year: the year of the newest dated request of 附件3
    (this year when no request carries a 填表日期).  `ledger plan` and `print 附件4` both use it."""
    dates = ledger.df(schema.A3)["填表日期"].dropna()
    return int(dates.max().year) if len(dates) else today.year


def _scrapped(sw: pd.Series, today: dt.date) -> bool:
    scrapped_on = sw["报废日期"]
    return bool(sw["状态"] == "已报废" or (not pd.isna(scrapped_on) and scrapped_on <= pd.Timestamp(today)))


def _skip_reason(a7: pd.DataFrame, request: pd.Series, today: dt.date) -> str | None:
    """Why a request no longer counts: a purchase of its software on or after the request met it,
    or the software is scrapped (a new need names a new 软件编号)."""
    chosen = a7[a7["软件编号"].eq(request["选定软件编号"])]
    if chosen.empty:
        return None
    sw = chosen.iloc[0]
    if _scrapped(sw, today):
        return f"选定的 {sw['软件编号']} 已报废，申请不再计入（如仍需要，请选定新的软件编号）"
    asked = request["填表日期"]
    if pd.isna(asked):
        return None
    bought = a7[a7["软件名称"].eq(sw["软件名称"]) & a7["软件版本"].eq(sw["软件版本"]) & a7["软件类型"].eq(COMMERCIAL)
                & a7["采购时间"].notna() & (a7["采购时间"] >= asked)]
    if bought.empty:
        return None
    first = bought.sort_values("采购时间", kind="stable").iloc[0]
    return f"已由 {first['采购时间'].date().isoformat()} 采购的 {first['软件编号']} 满足，不再计入"


def _counted(ledger: Ledger, requests: pd.DataFrame, today: dt.date) -> tuple[pd.DataFrame, list[Skipped]]:
    a7 = ledger.df(schema.A7)
    chosen = requests[requests["选定软件编号"].notna()]
    skipped, keep = [], []
    for index, r in chosen.iterrows():
        reason = _skip_reason(a7, r, today)
        if reason is None:
            keep.append(index)
        else:
            skipped.append(Skipped(row=int(r[ROW]), 申请编号=_request_id(r), 软件编号=r["选定软件编号"], reason=reason))
    return chosen.loc[keep], skipped


def compute_plan(ledger: Ledger, today: dt.date, year: int | None = None) -> Plan:
    """Gaps, pending requests and proposals of one plan year: requests whose 填表日期 is in `year` (or
    blank), `year` defaulting to default_plan_year; requests already met by a later purchase or for
    scrapped software are listed as skipped, not counted."""
    year = year or default_plan_year(ledger, today)
    requests = ledger.df(schema.A3)
    requests = requests[requests["填表日期"].isna() | (requests["填表日期"].dt.year == year)]
    counted, skipped = _counted(ledger, requests, today)
    gaps = compute_gaps(ledger, counted, today)
    kept, _ = hand_rows(ledger.df(schema.A4))
    kept_rows = {k.row for k in kept}
    hand = [r for _, r in plan_rows(ledger.df(schema.A4)).iterrows() if int(r[ROW]) in kept_rows]
    plan = Plan(year=year, gaps=gaps, pending=pending_requests(requests), proposals=[], kept=kept, skipped=skipped)
    for gap in gaps:
        if gap.shortage <= 0:
            continue
        if any(covers(r, gap) for r in hand):
            plan.covered_by_hand.append(gap.软件编号)
        else:
            plan.proposals.append(propose(ledger, gap))
    return plan


def year_lines(plan: Plan) -> list[str]:
    """What the plan counted, for every face: its year and each request it no longer counts."""
    lines = [f"采购计划年度：{plan.year}（只计入该年填表的申请；未指定 --year 时为附件3 最新申请所在的年份）"]
    lines += [f"不计入：附件3 第 {s.row} 行 {s.申请编号}（{s.软件编号}）{s.reason}" for s in plan.skipped]
    return lines


# --- writing 附件4 ----------------------------------------------------------------------------------

def _serial(value: object) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() else 0


class Totals(BaseModel):
    """The 共计 of 附件4: every licence is counted, the amount only where a price is known."""

    licences: float = 0.0          # 许可数 of every row
    priced_licences: float = 0.0   # 许可数 of the rows with a 合计
    unpriced_rows: int = 0
    amount: float = 0.0            # sum of 合计

    @property
    def unpriced_licences(self) -> float:
        return self.licences - self.priced_licences

    def note(self) -> str:
        """What 合计 covers, said where a reader of the 共计 row sees it."""
        if not self.unpriced_rows:
            return ""
        return (f"合计只含已定价的 {_count(self.priced_licences)} 个许可；另有 {_count(self.unpriced_licences)} 个许可"
                f"（{self.unpriced_rows} 行）未填单价，未计入合计")


def _count(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _filled(value: object) -> bool:
    return value is not None and not pd.isna(value)


def plan_totals(rows: Sequence[Mapping[str, Any]]) -> Totals:
    totals = Totals()
    for r in rows:
        licences = float(r["许可数"]) if _filled(r.get("许可数")) else 0.0
        totals.licences += licences
        if _filled(r.get("合计")):
            totals.priced_licences += licences
            totals.amount += float(r["合计"])
        else:
            totals.unpriced_rows += 1
    totals.amount = round(totals.amount, 2)
    return totals


def total_values(rows: Sequence[Mapping[str, Any]]) -> dict[str, object]:
    """The 共计 row: 许可数 of every row, 合计 of the priced ones, and 备注 saying what 合计 leaves out."""
    totals = plan_totals(rows)
    note = "；".join(p for p in (TOOL_MARK, totals.note()) if p)
    return {"序号": TOTAL, "软件名称": TOTAL, "许可数": totals.licences, "合计": totals.amount, "备注": note}


def _same(current: list[dict[str, Any]], desired: list[dict[str, Any]]) -> bool:
    def key(rows: list[dict[str, Any]]) -> list[tuple[object, ...]]:
        return [tuple(_norm(r.get(h)) for h in (*VALUE_COLUMNS, "备注")) for r in rows]

    return key(current) == key(desired)


def _extra_filled(book: Book, table: TableEdit, row: int) -> bool:
    """A person typed into a column of their own on that row."""
    raw, (first_row, first_col) = book.raw(table.name), book.origin(table.name)
    values = raw[row - first_row] if 0 <= row - first_row < len(raw) else []
    ours = set(table.cols.values())
    return any(v not in (None, "") for j, v in enumerate(values) if first_col + j + 1 not in ours)


def apply_plan(ledger: Ledger, plan: Plan) -> Callable[[Book], list[Change]]:
    """The edit that puts `plan.proposals` and a fresh 共计 row into 附件4."""
    a4 = ledger.df(schema.A4)
    _, mine = hand_rows(a4)
    totals = a4[~a4.index.isin(plan_rows(a4).index)]

    def edit(book: Book) -> list[Change]:
        table = book.table(schema.A4)
        kept_rows = plan_rows(a4)[~plan_rows(a4).index.isin(mine.index)]
        touched = [r for _, r in mine.iterrows() if _extra_filled(book, table, int(r[ROW]))]
        for r in touched:
            plan.kept.append(KeptRow(row=int(r[ROW]), 序号=r["序号"], 软件名称=r["软件名称"], reason="右侧自有列有内容"))
        stale = mine[~mine[ROW].isin([int(r[ROW]) for r in touched])]
        kept_values = [r.to_dict() for _, r in kept_rows.iterrows()] + [r.to_dict() for r in touched]
        desired = [p.values() for p in plan.proposals]
        total = [total_values(kept_values + desired)] if kept_values or desired else []
        current_total = [r.to_dict() for _, r in totals.iterrows()]
        if _same([r.to_dict() for _, r in stale.iterrows()], desired) and _same(current_total, total) and not touched:
            return []
        return rewrite(table, stale, totals, kept_values, desired, total)

    return edit


def _slots(table: TableEdit, freed: list[int], kept: list[dict[str, Any]]) -> tuple[list[int], list[int]]:
    """(rows the new plan may reuse: freed rows below every kept row, freed rows to clear)."""
    last_kept = max([int(r[ROW]) for r in kept if r.get(ROW) is not None] + [table.header_row])
    usable = sorted(r for r in freed if r > last_kept)
    return usable, sorted(r for r in freed if r <= last_kept)


def rewrite(table: TableEdit, stale: pd.DataFrame, totals: pd.DataFrame, kept: list[dict[str, Any]],
            desired: list[dict[str, Any]], total: list[dict[str, Any]]) -> list[Change]:
    """The tool's rows and the 共计 row are rewritten where they stood (rows are never deleted, so the
    user's cells, formats and references elsewhere stay where they are); more rows are appended."""
    changes = [Change(action="采购计划", sheet=schema.A4, row=int(r[ROW]),
                      content=f"撤下上次的建议：{r['软件名称']} {_norm(r['许可数'])} 个") for _, r in stale.iterrows()]
    usable, cleared = _slots(table, [int(r) for r in stale[ROW]] + [int(r) for r in totals[ROW]], kept)
    first = max((_serial(r.get("序号")) for r in kept), default=0) + 1
    rows = [d | {"序号": str(first + i)} for i, d in enumerate(desired)]
    blank_row = dict.fromkeys(table.spec.headers)
    written = []
    for i, values in enumerate(rows + total):
        if i < len(usable):
            table.set_row(usable[i], blank_row | values)
            written.append(usable[i])
        else:
            written.append(table.append(values))
    for row in cleared + usable[len(rows + total):]:
        table.set_row(row, blank_row)
    for row, values in zip(written, rows):
        changes.append(Change(action="采购计划", sheet=schema.A4, row=row,
                              content=f"建议采购：{values['软件名称']} {values['软件版本'] or ''} "
                                      f"{_norm(values['许可数'])} 个，依据 {values['依据申请编号']}"))
    for t in total:
        changes.append(Change(action="采购计划", sheet=schema.A4, row=written[-1],
                              content=f"共计 {_norm(t['许可数'])} 个，{_norm(t['合计'])} 元"))
    if not total and len(totals):
        changes.append(Change(action="采购计划", sheet=schema.A4, row=int(totals[ROW].iloc[0]), content="删除共计行（已无计划行）"))
    return changes
