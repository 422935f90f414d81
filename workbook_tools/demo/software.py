"""附件7 rows of the synthetic unit: which templates, their numbers, dates and licence terms."""
from __future__ import annotations

import datetime as dt
import math
import random
import string
from dataclasses import dataclass, field

from workbook_tools.demo import catalog
from workbook_tools.demo.people import DAY, days

COMMERCIAL, OEM, FREE = "商业软件", "OEM软件", "免费软件"


@dataclass(frozen=True)
class Timeline:
    """Fixed points of the unit's history, as shares of the years covered."""

    start: dt.date
    today: dt.date

    @property
    def span(self) -> int:
        return (self.today - self.start).days

    def at(self, share: float) -> dt.date:
        return self.start + dt.timedelta(days=int(self.span * share))

    @property
    def av_switch(self) -> dt.date:
        """Day the unified antivirus upgrade starts (it takes up to two weeks)."""
        return self.at(0.5)

    @property
    def far_term(self) -> str:
        return f"{(self.today + dt.timedelta(days=400)).year}-12-31"


@dataclass(slots=True)
class Software:
    role: str
    type: str
    name: str
    version: str | None
    category: str
    origin: str
    acquisition: str
    available: dt.date                  # first day it may be installed
    template: catalog.Commercial | catalog.Oem | catalog.Free | None = None   # the catalog entry it was made from
    price: float = 0.0
    licence: str | None = None
    count: int | None = None            # 许可数量, set from the history (never over-used)
    usable: str | None = None
    term: str | None = None
    serial: str | None = None
    state: str = "在用"
    scrap_date: dt.date | None = None
    scrap_reason: str | None = None
    note: str | None = None
    number: str = ""
    releases: list[tuple[str, dt.date]] = field(default_factory=list)  # free: (version, release day)

    @property
    def purchased(self) -> bool:
        return self.type == COMMERCIAL and self.acquisition == "采购"

    @property
    def amount(self) -> float | None:
        return round(self.price * self.count, 2) if self.purchased and self.count is not None else None

    def version_at(self, day: dt.date) -> str:
        """Free software: the newest version released by `day`."""
        current = self.releases[0][0]
        for version, released in self.releases:
            if released <= day:
                current = version
        return current


def composition(total: int) -> tuple[int, int, int]:
    """(commercial, OEM, free) numbers for a wanted total."""
    oem = min(len(catalog.OEM), max(4, round(total * 0.13)))
    commercial = max(12, round(total * 0.35))
    free = min(len(catalog.FREE), total - oem - commercial)
    return total - oem - free, oem, free


def serial(rng: random.Random) -> str:
    alphabet = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"
    return "-".join("".join(rng.choice(alphabet) for _ in range(5)) for _ in range(5))


# Days before the history starts that the unit-wide products were bought.
BOUGHT_BEFORE = {"office-wps": 90, "office-2016": 300, "os-kylin": 200, "os-uos": 180, "av-old": 400,
                 "os-server": 500, "os-server-win": 500, "av-server": 60}
# Newer generations, bought during the history (share of the years covered).
BOUGHT_DURING = {"office-2019": 0.25, "office-2021": 0.6}


def availability(rng: random.Random, tpl: catalog.Commercial, tl: Timeline) -> dt.date:
    """Purchase (or receipt) day of a product: the first day it may be installed."""
    if tpl.role in BOUGHT_BEFORE:
        return tl.start - dt.timedelta(days=BOUGHT_BEFORE[tpl.role])
    if tpl.role in BOUGHT_DURING:
        return tl.at(BOUGHT_DURING[tpl.role])
    if tpl.role == "av-new":  # bought shortly before the unified upgrade, while V6.0 still runs
        return tl.av_switch - 20 * DAY
    if rng.random() < 0.6:
        return tl.start - days(rng, 30, 400)
    return tl.at(rng.uniform(0.1, 0.7))


def from_template(rng: random.Random, tpl: catalog.Commercial, tl: Timeline, day: dt.date | None = None) -> Software:
    day = day or availability(rng, tpl, tl)
    sw = Software(tpl.role, COMMERCIAL, tpl.name, tpl.version, tpl.category, tpl.origin, tpl.acquisition, day,
                  tpl, tpl.price, tpl.licence, usable=tpl.usable or tpl.version, serial=serial(rng),
                  note=tpl.note or None)
    sw.term = tl.far_term if tpl.dated else "永久"
    return sw


def batch_days(first: dt.date, count: int, tl: Timeline) -> list[dt.date]:
    """Purchase days of extra batches: earlier purchases when the first predates the history."""
    if first < tl.start:
        return [first - dt.timedelta(days=150 * i) for i in range(1, count + 1)]
    step = max(1, (tl.today - 30 * DAY - first).days // (count + 1))
    return [first + dt.timedelta(days=step * i) for i in range(1, count + 1)]


def commercial_rows(rng: random.Random, count: int, tl: Timeline) -> list[Software]:
    chosen = [from_template(rng, t, tl) for t in catalog.COMMERCIAL[:count]]
    batchable = [sw for sw in chosen if isinstance(sw.template, catalog.Commercial) and sw.template.batchable]
    extra = count - len(chosen)
    for i, base in enumerate(batchable):
        assert isinstance(base.template, catalog.Commercial)
        n = extra // len(batchable) + (1 if i < extra % len(batchable) else 0)
        chosen += [from_template(rng, base.template, tl, day) for day in batch_days(base.available, n, tl)]
    return chosen


def oem_rows(count: int, tl: Timeline) -> list[Software]:
    return [Software(t.role, OEM, t.name, t.version, t.category, t.origin, "随机预装", tl.start - 3650 * DAY, t)
            for t in catalog.OEM[:count]]


def free_rows(count: int, tl: Timeline) -> list[Software]:
    out = []
    for t in catalog.FREE[:count]:
        sw = Software("free", FREE, t.name, None, t.category, t.origin, "免费获取", tl.start - 3650 * DAY, t)
        step = 0.95 / len(t.versions)
        sw.releases = [(v, tl.start - 200 * DAY if i == 0 else tl.at(step * i)) for i, v in enumerate(t.versions)]
        out.append(sw)
    return out


DEFAULT_PREFIXES = {COMMERCIAL: "SY", OEM: "OEM", FREE: "MF"}


def make_software(rng: random.Random, total: int, tl: Timeline,
                  prefixes: dict[str, str] | None = None) -> list[Software]:
    """All 附件7 rows, numbered per type (prefix by 软件类型) in the order they were acquired."""
    n_com, n_oem, n_free = composition(total)
    com = sorted(commercial_rows(rng, n_com, tl), key=lambda s: s.available)
    rows = com + oem_rows(n_oem, tl) + free_rows(n_free, tl)
    counters = {COMMERCIAL: 0, OEM: 0, FREE: 0}
    prefixes = {**DEFAULT_PREFIXES, **(prefixes or {})}
    for sw in rows:
        counters[sw.type] += 1
        sw.number = f"{prefixes[sw.type]}-{counters[sw.type]:04d}"
    return rows


def settle_licences(rng: random.Random, rows: list[Software], peaks: dict[str, int], staff: int, tl: Timeline,
                    last_use: dict[str, dt.date]) -> None:
    """Licence counts from the most seats ever used, terms that outlive every installation."""
    for sw in rows:
        if sw.type != COMMERCIAL:
            continue
        peak = peaks.get(sw.number, 0)
        if sw.licence == "场地授权":
            sw.count = int(math.ceil((staff + 1) / 50.0) * 50)
        elif peak == 0:
            sw.count = 5
        elif peak <= 10:
            sw.count = peak + rng.choice((0, 0, 1, 2))
        else:
            sw.count = int(math.ceil(peak / 10.0) * 10)
        if sw.role == "av-old":
            end = last_use.get(sw.number, sw.available)
            sw.term = (end + 45 * DAY).isoformat()
            sw.state, sw.scrap_reason = "已报废", "1"
            sw.scrap_date = min(tl.today, end + 15 * DAY)
            sw.note = "许可到期前已统一升级，经网络平台处鉴定报废"
