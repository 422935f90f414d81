"""The generated history as sheet rows: 附件9 events, 附件10 requests, 附件11 slips."""
from __future__ import annotations

import datetime as dt
import random
from itertools import groupby

from workbook_tools.demo import catalog, vocab
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


def slip_note(group: list[Event]) -> str:
    """What one slip covers: the occasion (建账登记, 新机部署, 计算机报废) or the number of changes."""
    if all(e.note == group[0].note for e in group) and group[0].note in NOTES.values():
        return group[0].note or ""
    installs = sum(1 for e in group if e.op == INSTALL)
    upgrades = sum(1 for e in group if e.op == INSTALL and (e.note or "").startswith("升级"))
    counts = (("升级", upgrades), ("安装", installs - upgrades), ("卸载", len(group) - installs - upgrades))
    return "、".join(f"{what}{n}项" for what, n in counts if n)


def event_rows(rng: random.Random, events: list[Event], techs: list[Person]) -> tuple[list[list], list[list]]:
    """附件9 rows and 附件11 rows: one slip per computer and day, signed by the user."""
    rows: list[list] = []
    slips: list[list] = []
    seq: dict[dt.date, int] = {}
    for (day, _), group_iter in groupby(events, key=lambda e: (e.day, e.cid)):
        group = list(group_iter)
        c = group[0].computer
        seq[day] = seq.get(day, 0) + 1      # QR-YYYYMMDD-NNN, as ledger slip numbers a visit
        slip, tech = f"QR-{day:%Y%m%d}-{seq[day]:03d}", rng.choice(techs).name
        slips.append([slip, day, c.id, c.brand, c.user.name, c.dept, tech, "是", slip_note(group)])
        for e in group:
            rows.append([len(rows) + 1, e.number, e.op, c.id, c.brand, c.user.name, c.dept, e.version, day, 1,
                         "是" if e.unified else "否", e.action.number if e.action else None, slip, tech, e.note])
    return rows, slips


def request_reason(a: Action) -> str:
    if a.kind != INSTALL:
        return REASONS[a.kind]
    assert a.new is not None  # an installation installs something
    sw = a.new[0]
    return sw.template.reason if sw.type == FREE and isinstance(sw.template, catalog.Free) else "业务工作需要"


def request_rows(rng: random.Random, actions: list[Action], floor: dt.date) -> list[list]:
    """附件10: one completed request per action, numbered per year in the order they were filed."""
    dated = []
    for a in actions:
        applied = max(a.day - days(rng, 1, 6), min(a.day, max(floor, a.computer.enabled)))
        dept_day = min(a.day, applied + days(rng, 0, 1))
        dated.append((applied, dept_day, min(a.day, dept_day + days(rng, 0, 2)), a))
    dated.sort(key=lambda d: (d[0], d[3].day, d[3].computer.id))
    seq: dict[int, int] = {}
    rows = []
    for applied, dept_day, it_day, a in dated:
        seq[applied.year] = seq.get(applied.year, 0) + 1
        a.number = f"SQ-{applied.year}-{seq[applied.year]:04d}"
        c, first = a.computer, a.old or a.new
        assert first is not None  # an action has software before or after it
        after = a.new if a.kind == "升级" else None
        rows.append([a.number, c.dept, c.user.name, applied, c.id, c.brand, a.kind, first[0].name, first[1],
                     after and after[0].name, after and after[1], request_reason(a), HEADS[c.dept], dept_day,
                     HEADS[vocab.IT_DEPT], it_day, "已完成"])
    return rows
