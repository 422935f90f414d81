"""考核评议 (领导小组职责 (9), 责任制度 四): the year's violations per department and per person.

`build_review(ledger, year, today, stored)` is pure.  It gathers what the ledger knows of the year:
- 附件9 events of the year that no request or no signed slip covers (EVENT-NO-REQUEST, EVENT-NO-SLIP),
- people on the staff without a signed pledge (STAFF-NO-PLEDGE),
- installations beyond the licences (LIC-OVERUSE: the installations made after the licences were
  used up, in the order of the log),
- what scans found and the last `ledger scan --annotate` kept in 校验结果 (`stored`): private
  installations (SCAN-UNREGISTERED) and unlicensed or pirated software (SCAN-UNLICENSED,
  SCAN-PIRACY, SCAN-PERSONAL-EDITION), on the computer's user and department,
and names for each the consequence the regulation gives.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import pandas as pd
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, Field

from workbook_tools.core import events, schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.licence import unlimited_seats
from workbook_tools.core.model import Change, Finding
from workbook_tools.core.registers import active_staff
from workbook_tools.core.values import is_missing as blank
from workbook_tools.core.values import show_exact as show
from workbook_tools.rules import run_check
from workbook_tools.xlsx.newbook import DATE_FORMAT, put, style_header

if TYPE_CHECKING:
    from workbook_tools.xlsx.book import Book

DEPT_RULE = ("各部门没有落实软件正版化工作相关规定，存在工作人员使用盗版软件的，一经发现，"
             "取消该部门年度评优资格。")
PERSON_RULE = "工作人员违反软件正版化工作相关规定，私自安装或卸载软件的，一经发现，取消年度评优评奖资格。"
CLAUSE_DUTY = "软件正版化工作责任制度 四"
DEPT_LOSES = "取消该部门年度评优资格"
PERSON_LOSES = "取消年度评优评奖资格"
PIRACY_CODES = frozenset({"LIC-OVERUSE", "SCAN-UNLICENSED", "SCAN-PIRACY", "SCAN-PERSONAL-EDITION"})
PRIVATE_CODES = frozenset({"SCAN-UNREGISTERED"})
SCAN_CODES = PIRACY_CODES | PRIVATE_CODES
# code -> (what it means for the review, clause, what is asked of the person when no sanction applies)
MEANING = {
    "SCAN-UNREGISTERED": ("私自安装软件（扫描发现，台账无记录）", "安装维护管理规定 一.1", PERSON_LOSES),
    "SCAN-UNLICENSED": ("使用超出许可或许可已到期的软件（扫描发现）", "配置管理规定 一.1", PERSON_LOSES),
    "SCAN-PIRACY": ("使用盗版软件（扫描发现破解或非法激活）", "配置管理规定 一.1", PERSON_LOSES),
    "SCAN-PERSONAL-EDITION": ("在单位计算机上使用仅限个人使用的软件（扫描发现）", "配置管理规定 一.1", PERSON_LOSES),
    "LIC-OVERUSE": ("许可用尽后仍安装（超出许可数量）", "配置管理规定 一.1", "卸载或补购许可"),
    "EVENT-NO-REQUEST": ("安装卸载未经申请审核", "安装维护管理规定 一.2", "补办申请；核实是否私自安装或卸载"),
    "EVENT-NO-SLIP": ("安装卸载未经使用人签字确认", "安装维护管理规定 一.4", "补签确认单"),
    "STAFF-NO-PLEDGE": ("未签署使用正版软件承诺书", "软件正版化工作责任制度 三", "签署承诺书（附件2）"),
}


class Item(BaseModel):
    """One violation of the year, on one person of one department."""

    dept: str = ""
    person: str = ""
    date: dt.date | None = None
    sheet: str
    cell: str | None = None
    rule: str
    problem: str
    clause: str
    asked: str                     # what the person is asked, or the sanction of 责任制度 四

    @property
    def piracy(self) -> bool:
        return self.rule in PIRACY_CODES

    @property
    def private(self) -> bool:
        return self.rule in PRIVATE_CODES


class PersonVerdict(BaseModel):
    dept: str
    person: str
    items: list[Item]

    @property
    def loses(self) -> bool:
        """责任制度 四: a private installation or pirated software found on the person's computer."""
        return any(i.private or (i.piracy and i.rule != "LIC-OVERUSE") for i in self.items)

    @property
    def consequence(self) -> str:
        if self.loses:
            return f"{PERSON_LOSES}（{CLAUSE_DUTY}）"
        return "限期整改：" + "；".join(dict.fromkeys(i.asked for i in self.items))


class DeptVerdict(BaseModel):
    dept: str
    people: list[PersonVerdict]

    @property
    def items(self) -> list[Item]:
        return [i for p in self.people for i in p.items]

    @property
    def loses(self) -> bool:
        return any(i.piracy for i in self.items)

    @property
    def consequence(self) -> str:
        if self.loses:
            return f"{DEPT_LOSES}（{CLAUSE_DUTY}）"
        return "督促本部门人员整改（软件正版化工作责任制度 二）"


class Review(BaseModel):
    year: int
    unit: str = ""
    until: dt.date
    depts: list[DeptVerdict] = Field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [i for d in self.depts for i in d.items]


# --- gathering ---------------------------------------------------------------------------------

def _item(code: str, dept: object, person: object, day: object, sheet: str, cell: str | None, detail: str) -> Item:
    meaning, clause, asked = MEANING[code]
    date = None if blank(day) else pd.Timestamp(day).date()
    return Item(dept=show(dept), person=show(person), date=date, sheet=schema.short(sheet), cell=cell, rule=code,
                problem=f"{meaning}：{detail}" if detail else meaning, clause=clause, asked=asked)


def _event_items(ledger: Ledger, findings: Iterable[Finding], year: int) -> list[Item]:
    log = ledger.df(schema.A9).set_index(ROW, drop=False)
    out = []
    for f in findings:
        if f.sheet != schema.A9 or f.row not in log.index or f.rule not in ("EVENT-NO-REQUEST", "EVENT-NO-SLIP"):
            continue
        e = log.loc[f.row]
        if blank(e["日期"]) or pd.Timestamp(e["日期"]).year != year:
            continue
        detail = f"{show(e['操作'])}「{show(e['软件编号'])}」于计算机「{show(e['计算机编号'])}」"
        out.append(_item(f.rule, e["使用部门"], e["使用人"], e["日期"], schema.A9, f.cell, detail))
    return out


def _pledge_items(ledger: Ledger, until: dt.date) -> list[Item]:
    table = ledger[schema.STAFF]
    staff = table.df
    missing = staff[active_staff(staff) & staff["承诺书签署日期"].isna()]
    return [_item("STAFF-NO-PLEDGE", d, p, None, schema.STAFF, table.cell(r, "承诺书签署日期"), "")
            for d, p, r in zip(missing["部门"], missing["姓名"], missing[ROW])]


def _overuse_items(ledger: Ledger, until: dt.date) -> list[Item]:
    """The installations beyond a number's licences, taken in the order they were made."""
    sw = ledger.df(schema.A7)
    sw = sw[(sw["软件类型"] == "商业软件") & sw["许可数量"].notna() & sw["软件编号"].notna()].drop_duplicates("软件编号")
    limits = {n: q for n, q, k in zip(sw["软件编号"], sw["许可数量"], sw["许可类型"]) if not unlimited_seats(k)}
    live = events.replay(ledger.df(schema.A9), until).live
    live = live[live[events.SOFTWARE].isin(limits)].sort_values([events.DATE, ROW])
    used = live.groupby(events.SOFTWARE)[events.COUNT].cumsum()
    over = live[used > live[events.SOFTWARE].map(limits)]
    pcs = ledger.df(schema.COMPUTERS).drop_duplicates("计算机编号").set_index("计算机编号")
    table, out = ledger[schema.A9], []
    for pc, number, day, row in zip(over[events.COMPUTER], over[events.SOFTWARE], over[events.DATE], over[ROW]):
        user = pcs.loc[pc] if pc in pcs.index else {}
        detail = f"「{number}」（许可 {show(limits[number])} 套）安装于计算机「{pc}」"
        out.append(_item("LIC-OVERUSE", user.get("使用部门"), user.get("使用人"), day, schema.A9,
                         table.cell(row, "软件编号"), detail))
    return out


def _scan_items(ledger: Ledger, stored: Iterable[Finding]) -> list[Item]:
    pcs = ledger.df(schema.COMPUTERS).set_index(ROW, drop=False)
    out = []
    for f in stored:
        if f.rule not in SCAN_CODES or f.sheet != schema.COMPUTERS or f.row not in pcs.index:
            continue
        pc = pcs.loc[f.row]
        out.append(_item(f.rule, pc["使用部门"], pc["使用人"], None, schema.COMPUTERS, f.cell, f.message))
    return out


def _verdicts(items: list[Item]) -> list[DeptVerdict]:
    people: dict[tuple[str, str], list[Item]] = {}
    for item in sorted(items, key=lambda i: (i.dept, i.person, i.date or dt.date.min, i.sheet, i.cell or "")):
        people.setdefault((item.dept, item.person), []).append(item)
    depts: dict[str, list[PersonVerdict]] = {}
    for (dept, person), mine in people.items():
        depts.setdefault(dept, []).append(PersonVerdict(dept=dept, person=person, items=mine))
    return [DeptVerdict(dept=d, people=p) for d, p in depts.items()]


def build_review(ledger: Ledger, year: int, today: dt.date, stored: Iterable[Finding] = ()) -> Review:
    """The 考核评议 of `year` as of `today` (the year's end when it is over)."""
    until = min(today, dt.date(year, 12, 31))
    found = run_check(ledger, until, select=["EVENT-NO-REQUEST", "EVENT-NO-SLIP"]).findings
    items = _event_items(ledger, found, year) + _pledge_items(ledger, until) + _overuse_items(ledger, until)
    if today.year == year:      # 校验结果 holds the last scan: it speaks of now, i.e. of this year only
        items += _scan_items(ledger, stored)
    return Review(year=year, unit=ledger.setting("单位名称"), until=until, depts=_verdicts(items))


# --- output ------------------------------------------------------------------------------------

def review_lines(review: Review) -> list[str]:
    """The review as the terminal shows it: a department, its consequence, then each person's items."""
    head = f"{review.unit}{review.year}年度软件正版化工作考核评议（截至 {review.until.isoformat()}）"
    if not review.depts:
        return [head, "本年度未发现违反软件正版化工作规定的情况。"]
    lines = [head, f"责任追究（{CLAUSE_DUTY}）：{DEPT_RULE}{PERSON_RULE}", ""]
    for d in review.depts:
        lines.append(f"【{d.dept or '（未登记部门）'}】{len(d.items)} 项 —— {d.consequence}")
        for p in d.people:
            lines.append(f"  {p.person or '（未登记人员）'}：{p.consequence}")
            lines += [f"    {i.date.isoformat() if i.date else '—'} {i.sheet} {i.cell or ''} {i.rule}："
                      f"{i.problem}（{i.clause}）" for i in p.items]
    return lines


def sheet_rows(review: Review) -> list[dict[str, object]]:
    """Rows of the 考核评议 sheet: per department a summary row, then its people's items."""
    rows: list[dict[str, object]] = []
    for d in review.depts:
        rows.append({"对象": "部门", "部门": d.dept, "问题": f"本年度问题 {len(d.items)} 项"
                     + (f"，其中使用盗版或超出许可 {sum(i.piracy for i in d.items)} 项" if d.loses else ""),
                     "条款": CLAUSE_DUTY, "责任追究": d.consequence})
        for p in d.people:
            rows += [{"对象": "个人", "部门": d.dept, "姓名": p.person, "日期": i.date, "表": i.sheet, "单元格": i.cell,
                      "规则": i.rule, "问题": i.problem, "条款": i.clause, "责任追究": p.consequence} for i in p.items]
    return rows


def build_sheet(ws: Worksheet, review: Review) -> None:
    """The generated 考核评议 sheet: header row 1 (frozen), one row per line of `sheet_rows`."""
    spec = schema.BY_NAME[schema.REVIEW]
    for j, column in enumerate(spec.columns, start=1):
        style_header(put(ws, 1, j, column.header))
        ws.column_dimensions[ws.cell(1, j).column_letter].width = column.width or 10
    ws.freeze_panes = "A2"
    for i, row in enumerate(sheet_rows(review), start=2):
        for j, header in enumerate(spec.headers, start=1):
            cell = put(ws, i, j, row.get(header))
            if header == "日期" and row.get(header) is not None:
                cell.number_format = DATE_FORMAT
            cell.alignment = Alignment(wrap_text=header in ("问题", "责任追究"), vertical="top")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def review_edit(review: Review) -> Callable[[Book], list[Change]]:
    def edit(book: Book) -> list[Change]:
        after = next((n for n in (schema.INSPECTIONS, schema.TRAININGS, schema.PROOFS, schema.A11) if book.has(n)), None)
        book.generate(schema.REVIEW, lambda ws: build_sheet(ws, review), after=after)
        return [Change(action="考核评议", sheet=schema.REVIEW,
                       content=f"重建「考核评议」（{review.year}年度，{len(review.depts)} 个部门，{len(review.items)} 项）")]
    return edit
