"""What a clerk does to the ledger: install, uninstall, upgrade, scrap, and the baseline of an old 附件8.

Each operation is a pure planner `plan_*(ledger, request, today) -> OperationPlan` that either
refuses (LedgerError, exit 1, one Chinese line) or returns the rows to append and the cells to
set; `workbook_tools.tasks.operations.apply_operation` reads the file, plans and writes in one save.
The command line and the Excel ribbon call the same planners.  Whether an event is possible is
decided by the one shared replay of 附件9 (events.replay), run on the log with the new rows
added, so backdated entries that would clash with later ones are refused too.

Refusals that --force (with --reason, kept in 备注) overrides: already installed there, licence
over-used, expired, version not licensed, free software missing from 附件6.  Never overridden:
unknown computer or number, scrapped computer or software, an uninstall of what is not
installed, a date after today, a slip that belongs to another visit.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import pandas as pd
from pydantic import BaseModel, Field, field_validator

from workbook_tools.core import events, schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.licence import NEVER, term_end, unlimited_seats, version_covered
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.core.registers import did_you_mean
from workbook_tools.core.values import is_missing as _blank
from workbook_tools.core.values import show_exact as show
from workbook_tools.ops.rollup import seats as _num

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book

A6, A7, A8, A9, A11, PCS = schema.A6, schema.A7, schema.A8, schema.A9, schema.A11, schema.COMPUTERS
COMPUTER, NUMBER, INSTALL, UNINSTALL = events.COMPUTER, events.SOFTWARE, events.INSTALL, events.UNINSTALL
COMMERCIAL, FREE = "商业软件", "免费软件"
BASELINE_REMARK = events.BASELINE_REMARK
BASELINE_BACKUP = "初始登记前"   # tag of the backup of the file as it was before the baseline
SLIP_AUTO = "auto"
FORCE_HINT = "；如确需执行，请加 --force 并用 --reason 说明原因"
Record = dict[str, Any]


def narrow_id(value: object) -> object:
    """An id as the sheets are matched: NFKC (full-width ＰＣ－００１ is PC-001), trimmed."""
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


class Visit(BaseModel):
    """One visit to one computer on one date (the options every operation shares)."""

    _ids = field_validator("computer", "request", "slip", "software", "old", "new", mode="before",
                           check_fields=False)(narrow_id)

    computer: str
    date: dt.date
    request: str | None = None       # 申请编号 (附件10)
    unified: bool = False            # 统一部署
    handler: str | None = None       # 经办人
    slip: str | None = None          # 确认单号, or "auto"
    force: bool = False
    reason: str | None = None        # why --force was needed, kept in 备注


class Install(Visit):
    software: str
    version: str | None = None
    count: float = Field(1.0, gt=0)


class Uninstall(Visit):
    software: str


class Upgrade(Visit):
    old: str
    new: str
    version: str | None = None
    count: float | None = Field(None, gt=0)


class ScrapSoftware(BaseModel):
    _ids = field_validator("software", mode="before")(narrow_id)

    software: str
    date: dt.date
    reason: Literal["1", "2", "3"]   # 配置管理规定 二.7 (1)(2)(3)


class RowEdit(BaseModel):
    """Cells to set on one worksheet row (`row` None: a new row appended to the sheet)."""

    sheet: str
    values: Record
    note: str                        # the 变更记录 line
    row: int | None = None


class OperationPlan(BaseModel):
    action: str                                           # 操作 in 变更记录
    edits: list[RowEdit] = Field(default_factory=list)    # in order: 附件9 events, a new 附件11 slip, updates
    forced: list[str] = Field(default_factory=list)       # problems overridden by --force

    @property
    def appended(self) -> list[RowEdit]:
        return [e for e in self.edits if e.row is None]

    def summary(self) -> list[str]:
        return [e.note for e in self.edits] + [f"已按 --force 执行：{p}" for p in self.forced]


def refuse(message: str) -> NoReturn:
    raise LedgerError(message, 1)


def _day(value: object) -> str:
    return show(value) or "（无日期）"


# --- lookups -------------------------------------------------------------------------------------

def record(ledger: Ledger, sheet: str, key: str, value: str, what: str) -> Record:
    df = ledger.df(sheet)
    hit = df[df[key] == value]
    if hit.empty:
        refuse(f"{what}「{value}」未在{'附件7' if sheet == A7 else '「计算机」表'}中登记{did_you_mean(value, df[key])}")
    found: Record = hit.iloc[0].to_dict()
    return found


def computer_of(ledger: Ledger, pc: str) -> Record:
    return record(ledger, PCS, COMPUTER, pc, "计算机")


def software_of(ledger: Ledger, number: str) -> Record:
    return record(ledger, A7, NUMBER, number, "软件编号")


def scrapped_before(rec: Record, state: str, date: dt.date | None) -> bool:
    """Marked scrapped (on or before `date` when given; any date when None)."""
    if rec.get("状态") != state:
        return False
    when = rec.get("报废日期")
    return date is None or _blank(when) or pd.Timestamp(when).date() < date


def refuse_dead(pc: Record, sw: Record | None, date: dt.date | None) -> None:
    if scrapped_before(pc, "报废", date):
        refuse(f"计算机「{pc[COMPUTER]}」已于 {_day(pc.get('报废日期'))} 报废，不能再安装维护")
    if sw is not None and scrapped_before(sw, "已报废", date):
        refuse(f"软件「{sw[NUMBER]}」（{sw.get('软件名称') or ''}）已于 {_day(sw.get('报废日期'))} 报废，不能再安装")


def check_date(date: dt.date, today: dt.date) -> None:
    if date > today:
        refuse(f"日期 {date.isoformat()} 晚于今天 {today.isoformat()}，只能登记已经完成的安装维护")


# --- the event log -----------------------------------------------------------------------------------

def log_of(ledger: Ledger, column: str, value: str) -> pd.DataFrame:
    log = ledger.df(A9)
    return log[log[column] == value]


def live_at(ledger: Ledger, pc: str, date: dt.date | None) -> pd.DataFrame:
    """Live installations on one computer at `date` (None = after every event)."""
    return events.replay(log_of(ledger, COMPUTER, pc), date).live


def simulate(log: pd.DataFrame, new: list[Record]) -> tuple[events.Replay, list[int]]:
    """Replay `log` with `new` events appended after its last row; also the rows given to them."""
    start = int(log[ROW].max()) + 1 if len(log) else 1
    rows = list(range(start, start + len(new)))
    added = pd.DataFrame([{**r, ROW: row} for r, row in zip(new, rows)], columns=list(log.columns))
    added[events.DATE] = pd.to_datetime(added[events.DATE])
    added[events.COUNT] = added[events.COUNT].astype(float)
    return events.replay(pd.concat([log, added], ignore_index=True) if len(log) else added), rows


def log_conflicts(ledger: Ledger, pc: str, new: list[Record]) -> list[str]:
    """Replay with the new events: a new orphan 卸载 is refused outright, a new double 安装 is a problem."""
    log = log_of(ledger, COMPUTER, pc)
    before = events.replay(log)
    after, rows = simulate(log, new)
    by_row = dict(zip(rows, new))
    for row in sorted(set(after.orphan_rows) - set(before.orphan_rows)):
        event = by_row.get(row)
        if event is None:
            refuse(f"这次登记会使附件9 第 {row} 行的卸载失去对应的安装，请检查日期")
        refuse(f"计算机「{pc}」在 {_day(event[events.DATE])} 没有安装「{event[NUMBER]}」，不能卸载")
    problems = []
    for row in sorted(set(after.double_rows) - set(before.double_rows)):
        event = by_row.get(row)
        problems.append(f"附件9 第 {row} 行的安装会与这次登记重复" if event is None else
                        f"「{event[NUMBER]}」在 {_day(event[events.DATE])} 已安装在计算机「{pc}」上")
    return problems


def licence_problems(ledger: Ledger, sw: Record, version: str | None, adding: float, today: dt.date) -> list[str]:
    """Seats, term, version (商业软件) and the free-software list (免费软件) for one more installation."""
    number, name = sw[NUMBER], sw.get("软件名称") or ""
    if sw.get("软件类型") == FREE:
        listed = set(ledger.df(A6)[NUMBER].dropna())
        return [] if number in listed else [f"免费软件「{number}」（{name}）不在可使用免费软件清单（附件6）中"]
    if sw.get("软件类型") != COMMERCIAL:
        return []
    problems = []
    seats = sw.get("许可数量")
    if adding > 0 and not _blank(seats) and not unlimited_seats(sw.get("许可类型")):
        live = events.replay(log_of(ledger, NUMBER, number)).count_by_software().get(number, 0.0)
        if live + adding > seats:
            problems.append(f"「{number}」（{name}）已安装 {_num(live)} 套，再安装 {_num(adding)} 套将超过许可数量 {_num(seats)}")
    bought = sw.get("采购时间")
    end = term_end(sw.get("许可期限"), None if _blank(bought) else pd.Timestamp(bought).date())
    if end is not None and end != NEVER and end < today:
        problems.append(f"「{number}」（{name}）的许可期限已于 {end.isoformat()} 到期")
    if not version_covered(version, sw.get("软件版本"), sw.get("可使用版本")):
        problems.append(f"「{number}」（{name}）的版本「{version}」不在许可范围内（附件7 软件版本、可使用版本）")
    return problems


def problem_list(problems: list[str]) -> str:
    """Every problem --force would override, in one line (a clerk decides on all of them at once)."""
    if len(problems) == 1:
        return problems[0]
    circled = "①②③④⑤⑥⑦⑧⑨⑩"
    return f"有 {len(problems)} 个问题：" + "；".join(
        f"{circled[i] if i < len(circled) else f'({i + 1})'}{p}" for i, p in enumerate(problems))


def settle(problems: list[str], visit: Visit) -> str | None:
    """Refuse unless forced; with --force the reason goes to 备注."""
    if not problems:
        return None
    if not visit.force:
        refuse(problem_list(problems) + FORCE_HINT)
    if not (visit.reason or "").strip():
        refuse("使用 --force 时必须用 --reason 说明原因（将记入备注）")
    return f"强制执行：{(visit.reason or '').strip()}"


# --- rows ----------------------------------------------------------------------------------------

def next_serial(ledger: Ledger) -> int:
    log = ledger.df(A9)
    serials = [int(s) for s in log["序号"].dropna() if str(s).isdigit()]
    return max(serials + [len(log)]) + 1


def event_row(serial: int, op: str, number: str, pc: Record, visit: Visit, slip: str | None,
              version: str | None, count: float, remark: str | None) -> Record:
    return {"序号": str(serial), "软件编号": number, "操作": op, "计算机编号": pc[COMPUTER],
            "计算机品牌": pc.get("计算机品牌"), "使用人": pc.get("使用人"), "使用部门": pc.get("使用部门"),
            "版本": version, "日期": visit.date, "安装数量": count, "统一部署": "是" if visit.unified else "否",
            "申请编号": visit.request, "确认单号": slip, "经办人": visit.handler, "备注": remark}


def event_note(event: Record) -> str:
    version = f"，版本 {event['版本']}" if not _blank(event["版本"]) else ""
    return (f"{event['操作']}「{event[NUMBER]}」于计算机「{event[COMPUTER]}」，{_day(event['日期'])}"
            f"{version}，{_num(event['安装数量'])} 套")


def with_remark(rows: list[Record], extra: str | None) -> list[Record]:
    return [{**r, "备注": "；".join(p for p in (r["备注"], extra) if p) or None} for r in rows]


# --- slips (附件11) -----------------------------------------------------------------------------------

def auto_slip(ledger: Ledger, date: dt.date) -> str:
    """QR-YYYYMMDD-NNN, the next number of that day not used in 附件9 or 附件11."""
    stem = f"QR-{date:%Y%m%d}-"
    pattern = re.compile(rf"^{re.escape(stem)}(\d+)$", re.IGNORECASE)
    used = pd.concat([ledger.df(A9)["确认单号"], ledger.df(A11)["确认单号"]]).dropna()
    serials = [int(m[1]) for m in map(pattern.match, map(str, used)) if m]
    return f"{stem}{max(serials, default=0) + 1:03d}"


def _refuse_other_visit(rows: pd.DataFrame, number: str, visit: Visit) -> None:
    for pc, day in zip(rows[COMPUTER], rows["日期"]):
        if (not _blank(pc) and pc != visit.computer) or (not _blank(day) and pd.Timestamp(day).date() != visit.date):
            refuse(f"确认单「{number}」属于计算机「{pc}」在 {_day(day)} 的安装维护，不能用于这次登记（一张确认单只对应一次上门）")


def resolve_slip(ledger: Ledger, visit: Visit, pc: Record) -> tuple[str | None, RowEdit | None]:
    """The 确认单号 of this visit and, when 附件11 does not have it yet, its new 附件11 row."""
    if not visit.slip:
        return None, None
    number = auto_slip(ledger, visit.date) if visit.slip.strip().lower() == SLIP_AUTO else visit.slip.strip()
    slips, log = ledger.df(A11), ledger.df(A9)
    mine = slips[slips["确认单号"] == number]
    _refuse_other_visit(mine, number, visit)
    _refuse_other_visit(log[log["确认单号"] == number], number, visit)
    if (mine["已签字"] == "是").any():
        refuse(f"确认单「{number}」已经签字，不能再追加记录，请使用新的确认单号")
    if len(mine):
        return number, None
    values = {"确认单号": number, "日期": visit.date, COMPUTER: visit.computer, "计算机品牌": pc.get("计算机品牌"),
              "使用人": pc.get("使用人"), "使用部门": pc.get("使用部门"),
              "安装维护人": visit.handler or ledger.setting("填表人") or None, "已签字": "否"}
    return number, RowEdit(sheet=A11, values=values, note=f"新建确认单「{number}」（计算机「{visit.computer}」，{visit.date}）")


def _plan(action: str, rows: list[Record], slip_row: RowEdit | None, forced: list[str],
          updates: list[RowEdit] | None = None) -> OperationPlan:
    appends = [RowEdit(sheet=A9, values=r, note=event_note(r)) for r in rows]
    return OperationPlan(action=action, edits=appends + ([slip_row] if slip_row else []) + (updates or []),
                         forced=forced)


# --- planners ------------------------------------------------------------------------------------

def plan_install(ledger: Ledger, req: Install, today: dt.date) -> OperationPlan:
    check_date(req.date, today)
    pc, sw = computer_of(ledger, req.computer), software_of(ledger, req.software)
    refuse_dead(pc, sw, None)
    version = req.version or (sw.get("软件版本") if sw.get("软件类型") != FREE else None)
    slip, slip_row = resolve_slip(ledger, req, pc)
    rows = [event_row(next_serial(ledger), INSTALL, req.software, pc, req, slip, version, req.count, None)]
    problems = log_conflicts(ledger, req.computer, rows) + licence_problems(ledger, sw, version, req.count, today)
    return _plan(INSTALL, with_remark(rows, settle(problems, req)), slip_row, problems)


def _live_install(ledger: Ledger, pc: str, number: str, date: dt.date, verb: str = "卸载") -> Record:
    live = live_at(ledger, pc, date)
    hit = live[live[NUMBER] == number]
    if hit.empty:
        refuse(f"计算机「{pc}」在 {date.isoformat()} 没有安装「{number}」（按附件9 的记录），不能{verb}")
    found: Record = hit.iloc[0].to_dict()
    return found


def plan_uninstall(ledger: Ledger, req: Uninstall, today: dt.date) -> OperationPlan:
    check_date(req.date, today)
    pc = computer_of(ledger, req.computer)
    software_of(ledger, req.software)
    refuse_dead(pc, None, req.date)
    live = _live_install(ledger, req.computer, req.software, req.date)
    slip, slip_row = resolve_slip(ledger, req, pc)
    rows = [event_row(next_serial(ledger), UNINSTALL, req.software, pc, req, slip, live[events.VERSION],
                      live[events.COUNT], None)]
    problems = log_conflicts(ledger, req.computer, rows)
    return _plan(UNINSTALL, with_remark(rows, settle(problems, req)), slip_row, problems)


def plan_upgrade(ledger: Ledger, req: Upgrade, today: dt.date) -> OperationPlan:
    """卸载 of the old number and 安装 of the new one, same date, 申请编号 and slip (安装维护管理规定 二)."""
    check_date(req.date, today)
    pc, new = computer_of(ledger, req.computer), software_of(ledger, req.new)
    software_of(ledger, req.old)
    refuse_dead(pc, new, None)
    old = _live_install(ledger, req.computer, req.old, req.date, "升级")
    version = req.version or (new.get("软件版本") if new.get("软件类型") != FREE else None)
    if req.old == req.new and (version is None or version == old[events.VERSION]):
        refuse(f"升级前后是同一软件编号「{req.old}」，请用 --version 写明升级后的版本")
    count = req.count or old[events.COUNT]
    slip, slip_row = resolve_slip(ledger, req, pc)
    note, serial = f"升级：{req.old}→{req.new}", next_serial(ledger)
    rows = [event_row(serial, UNINSTALL, req.old, pc, req, slip, old[events.VERSION], old[events.COUNT], note),
            event_row(serial + 1, INSTALL, req.new, pc, req, slip, version, count, note)]
    adding = count - (old[events.COUNT] if req.old == req.new else 0.0)
    problems = log_conflicts(ledger, req.computer, rows) + licence_problems(ledger, new, version, adding, today)
    return _plan("升级", with_remark(rows, settle(problems, req)), slip_row, problems)


def _refuse_later_events(log: pd.DataFrame, date: dt.date, what: str) -> None:
    later = log[log[events.DATE] > pd.Timestamp(date)]
    if len(later):
        first = later.sort_values([events.DATE, ROW]).iloc[0]
        refuse(f"{what}在 {date.isoformat()} 之后还有安装维护记录（附件9 第 {int(first[ROW])} 行，{_day(first[events.DATE])}），"
               "报废日期不能早于它")


def plan_scrap_computer(ledger: Ledger, req: Visit, today: dt.date) -> OperationPlan:
    """Mark the computer 报废 and uninstall everything still on it (same date, same slip)."""
    check_date(req.date, today)
    pc = computer_of(ledger, req.computer)
    if pc.get("状态") == "报废":
        refuse(f"计算机「{req.computer}」已于 {_day(pc.get('报废日期'))} 报废")
    _refuse_later_events(log_of(ledger, COMPUTER, req.computer), req.date, f"计算机「{req.computer}」")
    live = live_at(ledger, req.computer, req.date).sort_values(NUMBER)
    slip, slip_row = resolve_slip(ledger, req, pc) if len(live) else (None, None)
    serial = next_serial(ledger)
    rows = [event_row(serial + i, UNINSTALL, n, pc, req, slip, v, c, "计算机报废")
            for i, (n, v, c) in enumerate(zip(live[NUMBER], live[events.VERSION], live[events.COUNT]))]
    updates = [RowEdit(sheet=PCS, row=int(r), values={"状态": "报废", "报废日期": req.date},
                          note=f"计算机「{req.computer}」状态改为报废，报废日期 {req.date.isoformat()}")
               for r in ledger.df(PCS).loc[ledger.df(PCS)[COMPUTER] == req.computer, ROW]]
    return _plan("计算机报废", rows, slip_row, [], updates)


def plan_scrap_software(ledger: Ledger, req: ScrapSoftware, today: dt.date) -> OperationPlan:
    """附件7 状态=已报废 with date and reason, once no installation remains (配置管理规定 二.7)."""
    check_date(req.date, today)
    sw = software_of(ledger, req.software)
    if sw.get("状态") == "已报废":
        refuse(f"软件「{req.software}」已于 {_day(sw.get('报废日期'))} 报废")
    log = log_of(ledger, NUMBER, req.software)
    _refuse_later_events(log, req.date, f"软件「{req.software}」")
    live = events.replay(log).live
    if len(live):
        pcs = "、".join(sorted(live[COMPUTER])[:5]) + ("等" if len(live) > 5 else "")
        refuse(f"软件「{req.software}」仍安装在 {len(live)} 台计算机上（{pcs}），请先登记卸载再报废")
    a7 = ledger.df(A7)
    updates = [RowEdit(sheet=A7, row=int(r), values={"状态": "已报废", "报废日期": req.date, "报废原因": req.reason},
                          note=f"软件「{req.software}」状态改为已报废，报废日期 {req.date.isoformat()}，报废原因 {req.reason}")
               for r in a7.loc[a7[NUMBER] == req.software, ROW]]
    return OperationPlan(action="软件报废", edits=updates)


def _by_id(ledger: Ledger, sheet: str, key: str) -> dict[str, Record]:
    df = ledger.df(sheet)
    return {r[key]: r for r in df[df[key].notna()].drop_duplicates(key).to_dict("records")}


def _baseline_refusals(ledger: Ledger, a8: pd.DataFrame) -> None:
    if a8.empty:
        refuse("附件8 没有数据行，无需初始登记")
    missing = a8[a8[COMPUTER].isna() | a8[NUMBER].isna()]
    if len(missing):
        refuse(f"附件8 第 {int(missing[ROW].iloc[0])} 行缺少计算机编号或软件编号，请先补全")
    logged = set(zip(ledger.df(A9)[COMPUTER], ledger.df(A9)[NUMBER]))
    clash = a8[pd.Series([(c, n) in logged for c, n in zip(a8[COMPUTER], a8[NUMBER])], index=a8.index, dtype=bool)]
    if len(clash):
        first = clash.iloc[0]
        refuse(f"附件9 已有附件8 中 {len(clash)} 行的安装维护记录（如第 {int(first[ROW])} 行 {first[COMPUTER]}/{first[NUMBER]}），"
               "不能再做初始登记")


def baseline_day(installed: object, date: dt.date, row: int) -> dt.date:
    """The date of a baseline event: the inventory's 安装日期 where it has one, else the baseline date."""
    if _blank(installed):
        return date
    day: dt.date = pd.Timestamp(installed).date()
    if day > date:
        refuse(f"附件8 第 {row} 行的安装日期 {day.isoformat()} 晚于初始登记日期 {date.isoformat()}，"
               "请核对安装日期或改用较晚的初始登记日期")
    return day


def plan_baseline(ledger: Ledger, date: dt.date, today: dt.date) -> OperationPlan:
    """Every 附件8 row becomes an 安装 event (统一部署, 备注 初始登记), dated by its 安装日期 or else `date`."""
    check_date(date, today)
    a8 = ledger.df(A8)
    _baseline_refusals(ledger, a8)
    pcs, sws = _by_id(ledger, PCS, COMPUTER), _by_id(ledger, A7, NUMBER)
    visit = Visit(computer="", date=date, unified=True)
    rows: list[Record] = []
    serial = next_serial(ledger)
    columns = [COMPUTER, NUMBER, "软件版本", "安装日期", ROW]
    for pc_id, number, version, installed, row in a8.drop_duplicates([COMPUTER, NUMBER])[columns].itertuples(index=False):
        pc, sw = pcs.get(pc_id), sws.get(number)
        if pc is None or sw is None:
            what = f"计算机「{pc_id}」未在「计算机」中登记" if pc is None else f"软件编号「{number}」未在附件7中登记"
            refuse(f"附件8 第 {int(row)} 行：{what}，请先补登")
        refuse_dead(pc, sw, date)
        day = visit.model_copy(update={"date": baseline_day(installed, date, int(row))})
        rows.append(event_row(serial + len(rows), INSTALL, number, pc, day, None, version, 1.0, BASELINE_REMARK))
    return _plan("初始登记", rows, None, [])


# --- writing -------------------------------------------------------------------------------------

def operation_edit(plan: OperationPlan) -> Callable[[Book], list[Change]]:
    def edit(book: Book) -> list[Change]:
        changes = []
        for e in plan.edits:
            table = book.table(e.sheet)
            row = table.append(e.values) if e.row is None else e.row
            if e.row is not None:
                table.set_row(row, e.values)
            changes.append(Change(action=plan.action, sheet=e.sheet, row=row, content=e.note))
        return changes

    return edit
