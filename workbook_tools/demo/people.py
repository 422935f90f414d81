"""Departments, staff and computers of the synthetic unit."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from workbook_tools.core import presets
from workbook_tools.demo import vocab

DAY = dt.timedelta(days=1)
LEFT_SHARE = 0.05  # staff who have left (调离) but stay in the register


@dataclass(slots=True)
class Person:
    dept: str
    name: str
    rank: str
    uses_pc: bool = True
    pledge: dt.date | None = None
    active: bool = True
    leader: bool = False


@dataclass(slots=True)
class Computer:
    id: str
    brand: str
    kind: str                  # 设备类型
    user: Person
    enabled: dt.date
    scrapped: dt.date | None = None
    host: str = ""

    @property
    def dept(self) -> str:
        return self.user.dept


def days(rng: random.Random, lo: int, hi: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(lo, max(lo, hi)))


def pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


HEADS = {name: head for name, _, head in presets.DEPARTMENTS}
DEPT_INDEX = {name: i for i, (name, _, _) in enumerate(presets.DEPARTMENTS)}


def dept_phone(dept: str) -> str:
    index = DEPT_INDEX[dept]
    return f"{vocab.AREA_CODE}-55{index + 10:02d}{(index * 37) % 100:02d}0"


def leader_place(role: str, title: str) -> tuple[str, str]:
    """(department, rank) of a leading-group member, read from the title of 附件1."""
    if role != "成员":
        if "政务服务中心主任" in title:
            return "政务服务中心", "副局长"
        return "办公室", "局长" if role == "组长" else "副局长"
    for alias, dept in vocab.DEPT_ALIASES.items():
        if title.startswith(alias):
            title = dept + title[len(alias):]
    for dept, _, _ in sorted(presets.DEPARTMENTS, key=lambda d: -len(d[0])):
        if title.startswith(dept):
            return dept, title[len(dept):] or "负责人"
    return "办公室", title


class NameMaker:
    """Unique, plausible Chinese names."""

    def __init__(self, rng: random.Random, taken: list[str]):
        self.rng = rng
        self.taken = set(taken)
        self.weights = [1.0 / (rank + 8) for rank in range(len(vocab.SURNAMES))]

    def __call__(self) -> str:
        while True:
            surname = self.rng.choices(vocab.SURNAMES, self.weights)[0]
            size = 1 if self.rng.random() < 0.3 else 2
            name = surname + "".join(self.rng.choice(vocab.GIVEN) for _ in range(size))
            if name not in self.taken and name[1:2] != name[2:3]:
                self.taken.add(name)
                return name


def dept_sizes(rng: random.Random, total: int) -> dict[str, int]:
    names = [d[0] for d in presets.DEPARTMENTS]
    rest = 1.0 - sum(vocab.DEPT_WEIGHTS.values())
    plain = [n for n in names if n not in vocab.DEPT_WEIGHTS]
    weights = {n: vocab.DEPT_WEIGHTS.get(n, rest / len(plain) * rng.uniform(0.7, 1.3)) for n in names}
    scale = max(0, total - len(names)) / sum(weights.values())
    sizes = {n: 1 + int(weights[n] * scale) for n in names}
    for n in rng.sample(names, len(names)):  # hand out what rounding left over
        if sum(sizes.values()) >= total:
            break
        sizes[n] += 1
    return sizes


def rank_for(rng: random.Random, dept_type: str, dept: str) -> str:
    if dept_type == "窗口":
        return pick(rng, vocab.WINDOW_RANKS)
    if dept == "热线办":
        return pick(rng, vocab.HOTLINE_RANKS)
    return pick(rng, vocab.OFFICE_RANKS)


def leading_group() -> list[Person]:
    out = []
    for role, name, title in presets.LEADING_GROUP:
        dept, rank = leader_place(role, title)
        out.append(Person(dept, name, rank, leader=True))
    return out


def sign_pledges(rng: random.Random, people: list[Person], start: dt.date, today: dt.date) -> None:
    """Most signed in the campaign when the ledger was set up, newcomers later; a few who left never did."""
    span = (today - start).days
    for p in people:
        if p.active or rng.random() < 0.8:
            p.pledge = start + days(rng, 0, 45) if rng.random() < 0.85 else start + days(rng, 0, span)


def make_staff(rng: random.Random, total: int, start: dt.date, today: dt.date) -> list[Person]:
    """The leading group first, then generated staff, grouped by department in register order."""
    by_dept: dict[str, list[Person]] = {d[0]: [] for d in presets.DEPARTMENTS}
    for p in leading_group():
        by_dept[p.dept].append(p)
    names = NameMaker(rng, [p.name for group in by_dept.values() for p in group])
    sizes = dept_sizes(rng, total - len(presets.LEADING_GROUP))
    for dept, dept_type, _ in presets.DEPARTMENTS:
        for _ in range(sizes[dept]):
            rank = rank_for(rng, dept_type, dept)
            uses_pc = not (rank in vocab.NO_COMPUTER_RANKS and rng.random() < 0.85) and rng.random() > 0.02
            by_dept[dept].append(Person(dept, names(), rank, uses_pc))
    people = [p for d in presets.DEPARTMENTS for p in by_dept[d[0]]]
    others = [p for p in people if not p.leader]
    for p in rng.sample(others, max(1, round(len(others) * LEFT_SHARE)) if others else 0):
        p.active = False
    sign_pledges(rng, people, start, today)
    return people


def dept_rows() -> list[list[object]]:
    return [[name, kind, head, dept_phone(name)] for name, kind, head in presets.DEPARTMENTS]


def kinds_of(total: int) -> tuple[int, int, int]:
    """(servers, desktops, laptops) for a number of computers."""
    servers = max(2, round(total * 0.024))
    laptops = round(total * 0.2)
    return servers, total - servers - laptops, laptops


def assign_users(rng: random.Random, kinds: list[str], users: list[Person]) -> list[Person]:
    """Everyone gets a computer first (desktops first); spare ones go to senior staff first."""
    first = rng.sample(users, len(users))
    keys = {id(p): (p.rank not in vocab.SENIOR_RANKS, rng.random()) for p in users}
    second = sorted(users, key=lambda p: keys[id(p)])
    order = (first + second) * (len(kinds) // (2 * len(users)) + 1)
    return order[:len(kinds)]


def new_pc(rng: random.Random, kind: str, user: Person, enabled: dt.date) -> Computer:
    brands = vocab.DESKTOP_BRANDS if kind == "台式机" else vocab.LAPTOP_BRANDS
    return Computer("", pick(rng, brands), kind, user, enabled)


def live_pcs(rng: random.Random, kinds: list[str], users: list[Person], start: dt.date, span: int) -> list[Computer]:
    out = []
    for kind, user in zip(kinds, assign_users(rng, kinds, users)):
        enabled = start - days(rng, 30, 1800) if rng.random() < 0.85 else start + days(rng, 20, span - 5)
        out.append(new_pc(rng, kind, user, enabled))
    return out


def scrapped_pcs(rng: random.Random, kinds: list[str], live: list[Computer], leavers: list[Person],
                 start: dt.date, span: int) -> list[Computer]:
    """Scrapped computers: those of people who left, and old ones replaced by a newer live computer."""
    spare = rng.sample(live, len(live))
    out = []
    for i, kind in enumerate(kinds):
        scrap = start + days(rng, 30, span - 20)
        user = leavers[i] if i < min(len(leavers), (len(kinds) + 1) // 2) else None
        if user is None:
            twin = next((c for c in spare if c.kind == kind), None)
            if twin is not None:
                spare.remove(twin)
                twin.enabled = scrap + days(rng, 1, 5)
                user = twin.user
            else:
                user = live[i % len(live)].user
        pc = new_pc(rng, kind, user, start - days(rng, 200, 2000))
        pc.scrapped = scrap
        out.append(pc)
    return out


def servers(rng: random.Random, count: int, admins: list[Person], start: dt.date, span: int) -> list[Computer]:
    out = []
    for i in range(count):
        enabled = start - days(rng, 100, 1500) if i or rng.random() < 0.7 else start + days(rng, 30, span - 30)
        out.append(Computer("", pick(rng, vocab.SERVER_BRANDS), "服务器", admins[i % len(admins)], enabled))
    return out


def number_computers(computers: list[Computer]) -> list[Computer]:
    """Register numbers by type, in the order the computers were put into use."""
    out = []
    for kind, prefix in vocab.ID_PREFIX.items():
        group = sorted((c for c in computers if c.kind == kind), key=lambda c: c.enabled)
        for i, c in enumerate(group, start=1):
            c.id, c.host = f"{prefix}-{i:04d}", f"SPJ-{prefix}{i:04d}"
            out.append(c)
    return out


def make_computers(rng: random.Random, total: int, people: list[Person], start: dt.date,
                   today: dt.date) -> list[Computer]:
    span = (today - start).days
    users = [p for p in people if p.active and p.uses_pc]
    admins = [p for p in users if p.dept == vocab.IT_DEPT] or users[:1]
    leavers = rng.sample([p for p in people if not p.active], sum(1 for p in people if not p.active))
    n_srv, n_desk, n_lap = kinds_of(total)
    kinds = ["台式机"] * n_desk + ["便携机"] * n_lap
    scrap_at = set(rng.sample(range(len(kinds)), max(1, round(total * 0.08))))
    live = live_pcs(rng, [k for i, k in enumerate(kinds) if i not in scrap_at], users, start, span)
    dead = scrapped_pcs(rng, [k for i, k in enumerate(kinds) if i in scrap_at], live, leavers, start, span)
    return number_computers(servers(rng, n_srv, admins, start, span) + live + dead)
