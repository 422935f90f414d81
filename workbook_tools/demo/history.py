"""Who got which software when: installation chains per computer, turned into 附件9 events.

A chain is one software slot of one computer: its first installation, then upgrades
(卸载 of the old number/version + 安装 of the new one on the same day), and an
optional end (卸载 on request, or on the computer's 报废日期).
"""
from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from typing import NamedTuple

from workbook_tools.demo import catalog, vocab
from workbook_tools.demo.people import Computer, days
from workbook_tools.demo.software import Software, Timeline

BASE, DEPLOY, UNIFIED, REQUEST, SCRAP = "base", "deploy", "unified", "request", "scrap"
INSTALL, UNINSTALL = "安装", "卸载"
NOTES = {BASE: "建账登记", DEPLOY: "新机部署", UNIFIED: "统一部署", SCRAP: "计算机报废"}


@dataclass(slots=True)
class Action:
    """One 附件10 request (申请类型 安装/卸载/升级)."""

    kind: str
    computer: Computer
    day: dt.date
    old: tuple[Software, str | None] | None
    new: tuple[Software, str | None] | None
    number: str = ""


class Event(NamedTuple):
    day: dt.date
    cid: str
    rank: int             # 卸载 (0) before 安装 (1) on the same day and computer
    number: str
    op: str
    software: Software
    version: str | None
    computer: Computer
    unified: bool
    action: Action | None
    note: str | None


class Seg(NamedTuple):
    software: Software
    version: str | None
    day: dt.date
    how: str


@dataclass
class Density:
    """How much free software and how many version updates (see `free.py`)."""

    update_rate: float = 0.3
    target: int = 0           # wanted number of events; 0 = as popular as each tool is


@dataclass
class Generator:
    rng: random.Random
    tl: Timeline
    software: list[Software]
    events: list[Event] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_key: dict[tuple[str, str, str | None], list[Software]] = {}
        self.by_role: dict[str, list[Software]] = {}
        for sw in self.software:
            self.by_key.setdefault((sw.role, sw.name, sw.version), []).append(sw)
            self.by_role.setdefault(sw.role, []).append(sw)

    # --- building blocks -----------------------------------------------------------------

    def between(self, lo: dt.date, hi: dt.date) -> dt.date | None:
        """A random day strictly between lo and hi, None when there is none."""
        gap = (hi - lo).days
        return lo + dt.timedelta(days=self.rng.randint(1, gap - 1)) if gap >= 2 else None

    def pick(self, group: list[Software] | None, day: dt.date) -> Software | None:
        ready = [sw for sw in group or () if sw.available <= day]
        return self.rng.choice(ready) if ready else None

    def role(self, role: str, day: dt.date) -> Software | None:
        return self.pick(self.by_role.get(role), day)

    def emit(self, c: Computer, op: str, seg: Seg, how: str, action: Action | None, note: str | None) -> None:
        self.events.append(Event(seg.day, c.id, 1 if op == INSTALL else 0, seg.software.number, op, seg.software,
                                 seg.version, c, how != REQUEST, action, note))

    def request(self, kind: str, c: Computer, day: dt.date, old: Seg | None, new: Seg | None) -> Action:
        action = Action(kind, c, day, old and (old.software, old.version), new and (new.software, new.version))
        self.actions.append(action)
        return action

    def chain(self, c: Computer, segs: list[Seg], end: tuple[dt.date, str] | None = None) -> None:
        first = segs[0]
        action = self.request(INSTALL, c, first.day, None, first) if first.how == REQUEST else None
        self.emit(c, INSTALL, first, first.how, action, NOTES.get(first.how))
        for old, new in itertools.pairwise(segs):
            note = f"升级：{old.software.number}→{new.software.number}"
            action = self.request("升级", c, new.day, old, new) if new.how == REQUEST else None
            self.emit(c, UNINSTALL, old._replace(day=new.day), new.how, action, note)
            self.emit(c, INSTALL, new, new.how, action, note)
        if end is None and c.scrapped is not None:
            end = (c.scrapped, SCRAP)
        if end is not None:
            last = segs[-1]._replace(day=end[0])
            action = self.request(UNINSTALL, c, end[0], last, None) if end[1] == REQUEST else None
            self.emit(c, UNINSTALL, last, end[1], action, NOTES.get(end[1]))

    def begin(self, c: Computer) -> tuple[dt.date, str]:
        """First day of the computer in the history and how its first installations are recorded."""
        return (self.tl.start, BASE) if c.enabled <= self.tl.start else (c.enabled, DEPLOY)

    def hi(self, c: Computer) -> dt.date:
        return c.scrapped or self.tl.today

    def single(self, c: Computer, sw: Software | None) -> None:
        if sw is not None:
            day, how = self.begin(c)
            self.chain(c, [Seg(sw, sw.version, day, how)])

    # --- slots ---------------------------------------------------------------------------

    def oem_os(self, c: Computer) -> Software | None:
        new = c.enabled >= dt.date(2022, 1, 1)
        if c.kind == "便携机":
            wanted = "win-laptop" if not new else "win-laptop-pro" if self.rng.random() < 0.2 else "win-laptop-new"
        elif not new:
            old = c.enabled < dt.date(2020, 1, 1)
            wanted = "win-desktop-old" if old else (
                "win-workstation" if c.dept in ("规划审批处", vocab.IT_DEPT) else "win-desktop")
        else:
            wanted = "win-desktop-new"
        fallback = {"win-laptop-pro": "win-laptop-new", "win-laptop-new": "win-laptop", "win-desktop-old":
                    "win-desktop", "win-workstation": "win-desktop", "win-desktop-new": "win-desktop"}
        while wanted not in self.by_role and wanted in fallback:
            wanted = fallback[wanted]
        return self.role(wanted, c.enabled if c.enabled > self.tl.start else self.tl.start)

    def xinchuang(self, c: Computer) -> bool:
        return c.kind == "台式机" and c.brand in vocab.XINCHUANG_OS

    def os(self, c: Computer) -> None:
        day, _ = self.begin(c)
        if c.kind == "服务器":
            if "win-server" in self.by_role and self.rng.random() < 0.25:
                sw = self.role("win-server", day)
            elif "os-server-win" in self.by_role and self.rng.random() < 0.34:
                sw = self.role("os-server-win", day)
            else:
                sw = self.role("os-server", day)
        elif self.xinchuang(c):
            role = vocab.XINCHUANG_OS[c.brand]
            sw = self.role(role if role in self.by_role else "os-kylin", day)
        else:
            sw = self.oem_os(c)
        self.single(c, sw)

    def office(self, c: Computer) -> None:
        if c.kind == "服务器":
            return
        day, how = self.begin(c)
        self.single(c, self.role("office-wps", day))
        if self.xinchuang(c):
            return
        if c.kind == "便携机" and "oem-office" in self.by_role and self.rng.random() < 0.45:
            late = c.enabled >= dt.date(2022, 1, 1) and "oem-office-new" in self.by_role
            self.single(c, self.role("oem-office-new" if late else "oem-office", day))
        elif self.rng.random() < 0.35:
            self.ms_office(c, day, how)

    def ms_office(self, c: Computer, day: dt.date, how: str) -> None:
        gens = [g for g in ("office-2016", "office-2019", "office-2021") if g in self.by_role]
        current = next((i for i in range(len(gens) - 1, -1, -1) if self.role(gens[i], day)), None)
        if current is None:
            return
        sw = self.role(gens[current], day)
        assert sw is not None  # found just above
        segs = [Seg(sw, sw.version, day, how)]
        for gen, chance in zip(gens[current + 1:], (0.45, 0.25)):  # users asking for the next version
            first = min(sw.available for sw in self.by_role[gen])
            when = self.between(max(segs[-1].day, first), self.hi(c))
            if when is None or self.rng.random() >= chance:
                break
            sw = self.role(gen, when)
            assert sw is not None  # `when` is after the first one is available
            segs.append(Seg(sw, sw.version, when, REQUEST))
        self.chain(c, segs)

    def antivirus(self, c: Computer) -> None:
        day, how = self.begin(c)
        if c.kind == "服务器" and "av-server" in self.by_role:
            return self.single(c, self.role("av-server", day))
        old, new = self.role("av-old", day), self.by_role["av-new"][0]
        if old is None or day >= self.tl.av_switch:
            return self.chain(c, [Seg(new, new.version, day, how)])
        segs = [Seg(old, old.version, day, how)]
        switch = self.tl.av_switch + days(self.rng, 0, 14)
        if switch < self.hi(c):
            segs.append(Seg(new, new.version, switch, UNIFIED))
        self.chain(c, segs)

    def extra(self, c: Computer, group: list[Software], how_late: str) -> None:
        """Specialised software: at the start when it was already owned, or later (on request)."""
        first = min(sw.available for sw in group)
        day, how = self.begin(c)
        if not (first <= day and self.rng.random() < 0.5):
            later = self.between(max(day, first), self.hi(c))
            if later is None:
                return
            day, how = later, how_late
        sw = self.pick(group, day)
        assert sw is not None  # `day` is after the first one is available
        end = None
        if how == REQUEST and self.rng.random() < 0.06:
            out = self.between(day, self.hi(c))
            end = (out, REQUEST) if out else None
        self.chain(c, [Seg(sw, sw.version, day, how)], end)

    def specialised(self, computers: list[Computer]) -> None:
        servers = [c for c in computers if c.kind == "服务器"]
        for (role, _, _), group in self.by_key.items():
            tpl = group[0].template
            if role == "server":
                assert isinstance(tpl, catalog.Commercial)
                count = max(1, round(tpl.share * len(servers)))
                for c in self.rng.sample(servers, min(count, len(servers))):
                    self.extra(c, group, UNIFIED)
            elif role == "dept":
                assert isinstance(tpl, catalog.Commercial)
                for c in computers:
                    if (c.kind != "服务器" and c.dept in tpl.depts and self.rng.random() < tpl.share
                            and (tpl.origin == "国内" or not self.xinchuang(c))):
                        self.extra(c, group, REQUEST)

    def base_slots(self, computers: list[Computer]) -> None:
        for c in computers:
            self.os(c)
            self.office(c)
            self.antivirus(c)
        self.specialised(computers)
