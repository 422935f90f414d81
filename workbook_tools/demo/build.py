"""Generating the whole synthetic unit in memory, sheet by sheet.

附件8, 附件7 安装数量, the 附件7 header block and the roll-up stamp in 设置 come from the
real half-yearly roll-up (`rollup.compute_rollup`) run over the generated rows, so the
demo holds exactly what `ledger rollup` would write.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from workbook_tools.core import presets, schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.demo import people as ppl
from workbook_tools.demo import records, tables, vocab
from workbook_tools.demo.cycle import add_cycle
from workbook_tools.demo.free import add_free
from workbook_tools.demo.history import Density, Generator
from workbook_tools.demo.software import COMMERCIAL, FREE, OEM, Software, Timeline, make_software, settle_licences
from workbook_tools.demo.spec import DemoSpec
from workbook_tools.ops.rollup import RollupPlan, compute_rollup
from workbook_tools.read.parse import parse_workbook

ROLLUP_DATE, ROLLUP_PERIOD = "上次半年更新日期", "上次半年更新期间"


@dataclass
class DemoUnit:
    """Every generated row, keyed by full sheet name, plus the 设置 values."""

    settings: dict[str, object]
    sheets: dict[str, list[list]]
    facts: dict[str, object] = field(default_factory=dict)

    def summary(self) -> str:
        f = self.facts
        return (f"已生成模拟单位「{vocab.UNIT}」：部门 {len(presets.DEPARTMENTS)} 个；人员 {f['staff']} 人"
                f"（在职 {f['active']} 人，其中使用计算机 {f['users']} 人）；计算机 {f['computers']} 台"
                f"（服务器 {f['servers']} 台、台式机 {f['desktops']} 台、便携机 {f['laptops']} 台在用，"
                f"已报废 {f['scrapped']} 台）；软件编号 {f['software']} 个（商业软件 {f['commercial']} 个、"
                f"OEM软件 {f['oem']} 个、免费软件 {f['free']} 个）；{f['start']} 至 {f['today']} 的安装维护记录 "
                f"{f['events']:,} 条（其中升级 {f['upgrades']:,} 次），安装维护申请 {f['requests']:,} 份，"
                f"确认单 {f['slips']:,} 份；软件使用情况明细 {f['details']:,} 行，已按 {f['today']} 完成半年更新。"
                + (f"许可「{f['renewal_due']}」将在一年内到期，可用 ledger renew 演示续订。" if f.get("renewal_due") else ""))


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def base_settings(people: list[ppl.Person]) -> dict[str, object]:
    it_staff = [p for p in people if p.dept == vocab.IT_DEPT and p.active and not p.leader]
    phone = ppl.dept_phone(vocab.IT_DEPT)
    return {
        "单位名称": vocab.UNIT, "填表人": it_staff[0].name if it_staff else ppl.HEADS[vocab.IT_DEPT],
        "联系电话": phone, "负责部门": vocab.IT_DEPT, "负责部门负责人": ppl.HEADS[vocab.IT_DEPT],
        "负责部门电话": phone, "负责部门传真": phone[:-1] + "9",
        "合法KMS主机": "kms.ansz.gov.cn",   # the unit's own KMS host: the demo scans' Office activates there
    }


def history(rng: random.Random, spec: DemoSpec, tl: Timeline, people: list[ppl.Person],
            computers: list[ppl.Computer], software: list[Software]) -> tuple[list[list], list[list], list[list]]:
    """附件9, 附件10 and 附件11 rows; settles the licence counts and terms of 附件7 on the way."""
    gen = Generator(rng, tl, software)
    gen.base_slots(computers)
    add_free(gen, computers, Density(0.05 if spec.events else 0.3, spec.events))
    records.sort_events(gen.events)
    peaks, last = records.usage(gen.events)
    settle_licences(rng, software, peaks, len(people), tl, last)
    a10 = records.request_rows(rng, gen.actions, tl.start)
    techs = [p for p in people if p.dept == vocab.IT_DEPT and p.active and not p.leader]
    techs = techs or [p for p in people if p.dept == vocab.IT_DEPT]
    a9, a11 = records.event_rows(rng, gen.events, techs)
    return a9, a10, a11


def used_in(event_rows: list[list]) -> dict[str, set[str]]:
    """Departments each number was ever installed in."""
    out: dict[str, set[str]] = {}
    for row in event_rows:
        out.setdefault(row[1], set()).add(row[6])
    return out


def as_ledger(sheets: dict[str, list[list]], settings: dict[str, object]) -> Ledger:
    """The generated rows read as the reader would read the saved file."""
    raw = {s.name: ([list(s.headers), *sheets.get(s.name, [])], 1, 0) for s in schema.data_sheets()
           if s.kind is not schema.SheetKind.SETTINGS}
    raw[schema.SETTINGS] = ([["项目", "值"], *([k, v] for k, v in settings.items())], 1, 0)
    return parse_workbook(raw)


def apply_rollup(unit: DemoUnit, plan: RollupPlan) -> None:
    """附件8, 安装数量, header counts and the roll-up stamp exactly as the roll-up computes them."""
    headers = schema.BY_NAME[schema.A8].headers
    unit.sheets[schema.A8] = [[r[h] for h in headers] for r in plan.rows]
    count_at = schema.BY_NAME[schema.A7].headers.index("安装数量")
    for row in unit.sheets[schema.A7]:
        row[count_at] = plan.counts.get(row[1], 0)
    unit.settings.update({f"附件7.{k}": v for k, v in plan.header.items()})
    unit.settings.update({ROLLUP_DATE: plan.date, ROLLUP_PERIOD: plan.period})


def build(spec: DemoSpec, prefixes: dict[str, str] | None = None) -> DemoUnit:
    """The synthetic unit described by a `DemoSpec`; `prefixes` maps 软件类型 to its number prefix."""
    rng = random.Random(spec.seed)
    tl = Timeline(years_before(spec.today, spec.years), spec.today)
    people = ppl.make_staff(rng, spec.staff, tl.start, tl.today)
    computers = ppl.make_computers(rng, spec.computers, people, tl.start, tl.today)
    software = make_software(rng, spec.software, tl, prefixes)
    a9, a10, a11 = history(rng, spec, tl, people, computers, software)
    a3, a4 = tables.purchase_rows(rng, software, tl.today)
    sheets = {
        schema.DEPTS: ppl.dept_rows(), schema.STAFF: tables.staff_rows(people),
        schema.COMPUTERS: tables.computer_rows(computers), schema.A1: tables.leading_group_rows(),
        schema.A3: a3, schema.A4: a4, schema.A6: tables.free_list_rows(software, tl.today, used_in(a9)),
        schema.A7: tables.software_rows(software), schema.A8: [], schema.A9: a9, schema.A10: a10, schema.A11: a11,
    }
    due = add_cycle(sheets, spec.seed, tl.start, tl.today, len(people), len(computers), spec.gaps)
    unit = DemoUnit(base_settings(people), sheets)
    apply_rollup(unit, compute_rollup(as_ledger(sheets, unit.settings), tl.today))
    unit.facts = facts(unit, people, computers, software, tl)
    unit.facts["renewal_due"] = due
    return unit


def facts(unit: DemoUnit, people: list[ppl.Person], computers: list[ppl.Computer], software: list[Software],
          tl: Timeline) -> dict[str, object]:
    """The figures the summary quotes."""
    counts = {k.split(".", 1)[1]: v for k, v in unit.settings.items() if k.startswith("附件7.")}
    a9 = unit.sheets[schema.A9]
    return {
        "staff": len(people), "active": counts["总人数"], "users": counts["使用计算机人数"],
        "computers": len(computers), "servers": counts["服务器数"], "desktops": counts["台式机数"],
        "laptops": counts["便携机数"], "scrapped": sum(c.scrapped is not None for c in computers),
        "software": len(software), "commercial": sum(s.type == COMMERCIAL for s in software),
        "oem": sum(s.type == OEM for s in software), "free": sum(s.type == FREE for s in software),
        "start": tl.start.isoformat(), "today": tl.today.isoformat(), "events": len(a9),
        "upgrades": sum(1 for r in a9 if r[2] == "安装" and (r[14] or "").startswith("升级")),
        "requests": len(unit.sheets[schema.A10]), "slips": len(unit.sheets[schema.A11]),
        "details": len(unit.sheets[schema.A8]),
    }
