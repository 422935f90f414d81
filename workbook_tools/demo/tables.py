"""Rows of the registers and of 附件1/3/4/6/7/8, in the schema's header order."""
from __future__ import annotations

import datetime as dt
import random

from workbook_tools.core import presets
from workbook_tools.demo import catalog, vocab
from workbook_tools.demo.people import HEADS, Computer, Person, days, dept_phone
from workbook_tools.demo.software import FREE, Software

PURPOSES = {"操作系统": "计算机操作系统", "办公软件": "日常办公", "杀毒软件": "终端安全防护", "其他软件": "业务专用"}


def staff_rows(people: list[Person]) -> list[list]:
    return [[p.dept, p.name, p.rank, "是" if p.uses_pc else "否", p.pledge, "在职" if p.active else "调离"]
            for p in people]


def computer_rows(computers: list[Computer]) -> list[list]:
    return [[c.id, c.brand, c.kind, c.user.name, c.dept, c.enabled, "报废" if c.scrapped else "在用", c.scrapped,
             c.host] for c in computers]


def leading_group_rows() -> list[list]:
    return [[role, name, title] for role, name, title in presets.LEADING_GROUP]


def software_rows(rows: list[Software]) -> list[list]:
    """附件7; 安装数量 is left to the roll-up."""
    out = []
    for i, sw in enumerate(rows, start=1):
        licensed = sw.type == "商业软件"
        out.append([i, sw.number, sw.name, sw.version, sw.type, sw.available if sw.purchased else None, sw.amount,
                    sw.licence if licensed else None, sw.count if licensed else None,
                    sw.usable if licensed else None, sw.term if licensed else None,
                    sw.serial if licensed else None, None, sw.acquisition, sw.category,
                    sw.origin, sw.state, sw.scrap_date, sw.scrap_reason, note(sw)])
    return out


def note(sw: Software) -> str | None:
    if sw.type == "商业软件" and not sw.purchased:
        return f"{sw.note}（{sw.available.year}年{sw.available.month}月）"
    return sw.note


def free_list_rows(rows: list[Software], today: dt.date, used_in: dict[str, set[str]]) -> list[list]:
    """附件6: every free number; a tool meant for some departments lists them unless it spread further."""
    out: list[list[object]] = []
    for sw in (s for s in rows if s.type == FREE):
        tpl = sw.template
        assert isinstance(tpl, catalog.Free)
        local = tpl.depts and used_in.get(sw.number, set()) <= set(tpl.depts)
        depts = "、".join(tpl.depts) if local else "各部门"
        out.append([len(out) + 1, sw.number, sw.name, sw.version_at(today), "官方网站下载", tpl.vendor, tpl.site,
                    depts, tpl.reason])
    return out


def need_row(rng: random.Random, ref: str, sw: Software, filled: dt.date, licences: int | None, note: str | None) -> list:
    """One 附件3 line: the using department asks, 网络平台处 and 办公室 (assets) review."""
    tpl = sw.template
    dept = tpl.depts[0] if isinstance(tpl, (catalog.Commercial, catalog.Free)) and tpl.depts else vocab.IT_DEPT
    return [ref, dept, HEADS[dept], dept_phone(dept), filled, sw.category, PURPOSES[sw.category],
            f"{sw.name} {sw.version}", licences, sw.number, HEADS[vocab.IT_DEPT], filled + days(rng, 3, 7),
            HEADS["办公室"], filled + days(rng, 8, 14), note]


def purchase_rows(rng: random.Random, rows: list[Software], today: dt.date) -> tuple[list[list], list[list]]:
    """附件3 needs and 附件4 plan lines behind every purchased number, plus this year's open needs."""
    needs: list[list[object]] = []
    plan: list[list[object]] = []
    seq: dict[int, int] = {}
    for sw in (s for s in rows if s.purchased):
        filled = sw.available - days(rng, 45, 90)
        seq[filled.year] = seq.get(filled.year, 0) + 1
        ref = f"XQ-{filled.year}-{seq[filled.year]:02d}"
        needs.append(need_row(rng, ref, sw, filled, sw.count, None))
        plan.append([len(plan) + 1, sw.name, sw.version, sw.price, sw.count, sw.amount, sw.category, sw.origin, ref,
                     f"{sw.available.year}年采购"])
    return needs + open_needs(rng, rows, today, seq), plan


def open_needs(rng: random.Random, rows: list[Software], today: dt.date, seq: dict[int, int]) -> list[list]:
    """A few needs filed for next year's purchase plan (附件4 not drawn up yet: see `ledger plan`)."""
    superseded = ("office-2016", "av-old")
    wanted = [s for s in rows if s.purchased and s.state == "在用" and s.licence != "场地授权"
              and s.role not in superseded]
    chosen = sorted(((today - days(rng, 20, 60), sw) for sw in rng.sample(wanted, min(3, len(wanted)))),
                    key=lambda pair: (pair[0], pair[1].number))
    out = []
    for filled, sw in chosen:
        seq[filled.year] = seq.get(filled.year, 0) + 1
        ref = f"XQ-{filled.year}-{seq[filled.year]:02d}"
        out.append(need_row(rng, ref, sw, filled, rng.choice((5, 8, 10, 15, 20)), f"{today.year + 1}年度需求"))
    return out
