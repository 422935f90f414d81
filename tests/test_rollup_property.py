"""Property: for any valid event log, the roll-up is what a naive replay says, and it is idempotent.

Everything stays in memory: ledgers are parsed from raw rows with parse_workbook, the plan is
applied back to the raw rows, and compute_rollup runs again.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook_tools.core import schema
from workbook_tools.ops.rollup import compute_rollup
from workbook_tools.read.parse import parse_workbook

START = dt.date(2025, 1, 1)
PEOPLE = [("办公室", "张三"), ("网络平台处", "李四"), ("办公室", "王五")]
# 计算机编号 -> (品牌, 使用人, 使用部门); PC-3 leaves 使用部门 blank: it comes from 人员
COMPUTERS = {"PC-1": ("联想", "张三", "办公室"), "PC-2": ("华为", "李四", "网络平台处"), "PC-3": ("戴尔", "王五", None)}
SOFTWARE = {"SY-0001": ("WPS Office", "商业软件", "永久"), "OEM-0001": ("Windows 10", "OEM软件", None),
            "MF-0001": ("7-Zip", "免费软件", None)}
STAFF_DEPT = {name: dept for dept, name in PEOPLE}


@dataclass
class Event:
    computer: str
    number: str
    op: str
    day: dt.date
    version: str
    count: int
    row: int = 0


@st.composite
def event_logs(draw) -> list[Event]:
    """A valid log: 卸载 only of what is installed; re-installs allowed; same-day events keep their order."""
    installed: set[tuple[str, str]] = set()
    day, events = START, []
    for _ in range(draw(st.integers(0, 25))):
        day += dt.timedelta(days=draw(st.integers(0, 40)))
        key = (draw(st.sampled_from(sorted(COMPUTERS))), draw(st.sampled_from(sorted(SOFTWARE))))
        op = "卸载" if key in installed and draw(st.integers(0, 3)) else "安装"
        installed ^= {key} if op == "卸载" or key not in installed else set()
        events.append(Event(*key, op, day, draw(st.sampled_from(["1", "2", "2.5"])), draw(st.integers(1, 3))))
    # worksheet order: whole days shuffled, events of one day in their order
    rank = {d: draw(st.integers(0, 1000)) for d in {e.day for e in events}}
    for row, event in enumerate(sorted(events, key=lambda e: rank[e.day]), start=2):
        event.row = row
    return sorted(events, key=lambda e: e.row)


def raw_sheets(events: list[Event], a8: list[list] | None = None, counts: dict[str, float] | None = None,
               settings_rows: list[list] | None = None) -> dict:
    def sheet(name: str, rows: list[list]) -> tuple:
        return [list(schema.BY_NAME[name].headers), *rows], 1, 0

    raw = {s.name: sheet(s.name, []) for s in schema.data_sheets() if s.kind is not schema.SheetKind.SETTINGS}
    raw[schema.SETTINGS] = ([["项目", "值"], *(settings_rows or [])], 1, 0)
    raw[schema.STAFF] = sheet(schema.STAFF, [[d, n, None, "是", None, "在职"] for d, n in PEOPLE])
    raw[schema.COMPUTERS] = sheet(schema.COMPUTERS, [[c, b, "台式机", u, d, None, "在用", None, None]
                                                     for c, (b, u, d) in COMPUTERS.items()])
    raw[schema.A7] = sheet(schema.A7, [[None, n, name, None, kind, None, None, None, None, None, term, None,
                                        (counts or {}).get(n)] for n, (name, kind, term) in SOFTWARE.items()])
    raw[schema.A9] = sheet(schema.A9, [[None, e.number, e.op, e.computer, None, None, None, e.version,
                                        dt.datetime.combine(e.day, dt.time()), e.count]
                                       for e in sorted(events, key=lambda e: e.row)])
    raw[schema.A8] = sheet(schema.A8, a8 or [])
    return raw


def naive(events: list[Event], until: dt.date) -> tuple[list[tuple], dict[str, float]]:
    live: dict[tuple[str, str], Event] = {}
    for e in sorted(events, key=lambda e: (e.day, e.row)):
        if e.day > until:
            continue
        if e.op == "安装":
            live[(e.computer, e.number)] = e
        else:
            del live[(e.computer, e.number)]
    rows = []
    for (pc, number), e in live.items():
        brand, user, dept = COMPUTERS[pc]
        name, kind, term = SOFTWARE[number]
        rows.append((dept or STAFF_DEPT[user], user, pc, brand, number, name, e.version, term, kind, e.day))
    counts: dict[str, float] = {}
    for (_, number), e in live.items():
        counts[number] = counts.get(number, 0.0) + e.count
    return sorted(rows, key=lambda r: r[:2] + r[2:5:2]), counts


def plan_rows(plan) -> list[tuple]:
    headers = [h for h in schema.BY_NAME[schema.A8].headers if h != "序号"]
    return [tuple(r[h].date() if h == "安装日期" else r[h] for h in headers) for r in plan.rows]


def applied(events: list[Event], plan) -> dict:
    """The raw sheets after writing `plan`, as write_a8/write_counts/write_settings do."""
    headers = schema.BY_NAME[schema.A8].headers
    a8 = [[r[h].to_pydatetime() if h == "安装日期" else r[h] for h in headers] for r in plan.rows]
    counts = {n: plan.counts.get(n, 0.0) for n in SOFTWARE}
    stamp = [[c.key, dt.datetime.combine(c.new, dt.time()) if isinstance(c.new, dt.date) else c.new]
             for c in plan.setting_changes]
    return raw_sheets(events, a8, counts, stamp)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=event_logs(), offset=st.integers(0, 400))
def test_rollup_equals_a_naive_replay_and_is_idempotent(events, offset):
    until = START + dt.timedelta(days=offset)
    plan = compute_rollup(parse_workbook(raw_sheets(events)), until)
    rows, counts = naive(events, until)
    assert plan_rows(plan) == rows
    assert [r["序号"] for r in plan.rows] == [str(i) for i in range(1, len(rows) + 1)]
    assert {c.software: c.new for c in plan.count_changes} == {n: counts.get(n, 0.0) for n in SOFTWARE}
    again = compute_rollup(parse_workbook(applied(events, plan)), until)
    assert not again.changed and again.rows == plan.rows and again.counts == plan.counts
