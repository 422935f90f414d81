"""The generated history as sheet rows: 附件9 events, 附件10 requests, 附件11 slips."""
from __future__ import annotations

import datetime as dt
import random
from itertools import groupby

from workbook_tools.demo import vocab
from workbook_tools.demo.history import INSTALL, NOTES, Action, Event
from workbook_tools.demo.people import HEADS, Person, days
from workbook_tools.demo.software import FREE

REASONS = {"卸载": "不再使用，申请卸载", "升级": "需使用新版本功能"}


def sort_events(events: list[Event]) -> None:
    events.sort(key=lambda e: (e.day, e.cid, e.rank, e.number))


def usage(events: list[Event]) -> tuple[dict[str, int], dict[str, dt.date]]:
    """Most seats in use at once per number (in log order), and the last day each number was touched."""
    live: dict[str, int] = {}
    peaks: dict[str, int] = {}
    last: dict[str, dt.date] = {}
    for e in events:
        n = live.get(e.number, 0) + (1 if e.op == INSTALL else -1)
        live[e.number] = n
        if n > peaks.get(e.number, 0):
            peaks[e.number] = n
        last[e.number] = e.day
    return peaks, last


def number_requests(actions: list[Action]) -> None:
    actions.sort(key=lambda a: (a.day, a.computer.id))
    seq: dict[int, int] = {}
    for a in actions:
        seq[a.day.year] = seq.get(a.day.year, 0) + 1
        a.number = f"SQ-{a.day.year}-{seq[a.day.year]:04d}"


def slip_note(group: list[Event]) -> str:
    notes = {e.note for e in group}
    if len(notes) == 1 and group[0].note in NOTES.values():
        return group[0].note
    installs = sum(1 for e in group if e.op == INSTALL)
    parts = [f"安装{installs}项" if installs else "", f"卸载{len(group) - installs}项" if len(group) > installs else ""]
    return "、".join(p for p in parts if p)


def event_rows(rng: random.Random, events: list[Event], techs: list[Person]) -> tuple[list[list], list[list]]:
    """附件9 rows and 附件11 rows: one slip per computer and day, signed by the user."""
    rows: list[list] = []
    slips: list[list] = []
    seq: dict[int, int] = {}
    for (day, _), group_iter in groupby(events, key=lambda e: (e.day, e.cid)):
        group = list(group_iter)
        c = group[0].computer
        seq[day.year] = seq.get(day.year, 0) + 1
        slip, tech = f"QR-{day.year}-{seq[day.year]:05d}", rng.choice(techs).name
        slips.append([slip, day, c.id, c.brand, c.user.name, c.dept, tech, "是", slip_note(group)])
        for e in group:
            rows.append([len(rows) + 1, e.number, e.op, c.id, c.brand, c.user.name, c.dept, e.version, day, 1,
                         "是" if e.unified else "否", e.action.number if e.action else None, slip, tech, e.note])
    return rows, slips


def request_reason(a: Action) -> str:
    if a.kind != INSTALL:
        return REASONS[a.kind]
    sw = a.new[0]
    return sw.template.reason if sw.type == FREE else "业务工作需要"


def request_rows(rng: random.Random, actions: list[Action]) -> list[list]:
    rows = []
    it_head = HEADS[vocab.IT_DEPT]
    for a in actions:
        c = a.computer
        applied = a.day - days(rng, 1, 6)
        dept_day = applied + days(rng, 0, 1)
        it_day = min(a.day, dept_day + days(rng, 0, 2))
        first = a.old or a.new
        after = a.new if a.kind == "升级" else None
        rows.append([a.number, c.dept, c.user.name, applied, c.id, c.brand, a.kind, first[0].name, first[1],
                     after and after[0].name, after and after[1], request_reason(a), HEADS[c.dept], dept_day,
                     it_head, it_day, "已完成"])
    return rows
