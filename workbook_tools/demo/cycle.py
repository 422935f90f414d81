"""The demo unit's yearly cycle (LEDGER_SPEC §11): purchase files, trainings, inspections, a renewal due.

Every purchased commercial number in use has its 采购资料 row; each year has a training (June) and a
全面检查 (October) with its 通报 and 整改; the latest dated-term licence in use becomes a term counted
in years that ends between 91 and 365 days after "today" (a renewal to demonstrate with `ledger renew`,
not yet a LIC-EXPIRING warning).  With `gaps`, one purchase file is left out (PROOF-MISSING), one
person has not signed the pledge (STAFF-NO-PLEDGE) and one installation of this year lacks its request
(EVENT-NO-REQUEST): what `ledger review` gathers.
"""
from __future__ import annotations

import datetime as dt
import random

from workbook_tools.core import schema
from workbook_tools.core.licence import NEVER, term_end
from workbook_tools.demo import vocab

A7_HEADERS = schema.BY_NAME[schema.A7].headers
SUPPLIERS = ("辽宁某信息技术有限公司", "鞍山某科技有限公司", "某软件股份有限公司（直销）", "某电子政务服务有限公司")
SHELF = "网络平台处档案柜（软件正版化资料盒）"
TRAINING_DAY, INSPECTION_DAY = (6, 15), (10, 20)
NOTICE_DAYS, FIXED_DAYS = 7, 30


def _get(row: list, header: str) -> object:
    return row[A7_HEADERS.index(header)]


def _day(value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    assert isinstance(value, dt.date), value  # the demo's dates
    return value


def _purchased(a7: list[list]) -> list[list]:
    return [r for r in a7 if _get(r, "软件类型") == "商业软件" and _get(r, "获取方式") == "采购"
            and _get(r, "状态") != "已报废"]


def renewal_due(a7: list[list], today: dt.date) -> str | None:
    """Turn the latest dated-term licence in use into a term in years ending 91–365 days after today."""
    dated = [r for r in _purchased(a7) if _day(_get(r, "采购时间")) is not None
             and isinstance(term_end(_get(r, "许可期限"), None), dt.date) and term_end(_get(r, "许可期限"), None) != NEVER]
    if not dated:
        return None
    row = max(dated, key=lambda r: _day(_get(r, "采购时间")) or dt.date.min)   # every one is dated
    bought = _day(_get(row, "采购时间"))
    for years in range(1, 16):
        end = term_end(f"{years}年", bought)
        if isinstance(end, dt.date) and (end - today).days > 90:
            if (end - today).days > 365:
                return None
            row[A7_HEADERS.index("许可期限")] = f"{years}年"
            row[A7_HEADERS.index("备注")] = "按年订阅，到期续订"
            return str(_get(row, "软件编号"))
    return None


def proof_rows(rng: random.Random, a7: list[list], gaps: bool) -> list[list]:
    rows = []
    for i, r in enumerate(_purchased(a7), start=1):
        bought = _day(_get(r, "采购时间"))
        if bought is None:
            continue
        signed = bought - dt.timedelta(days=rng.randint(7, 30))
        rows.append([_get(r, "软件编号"), f"HT-{signed.year}-{i:03d}", signed, rng.choice(SUPPLIERS),
                     _get(r, "许可类型"), _get(r, "许可数量"), _get(r, "许可期限"), f"ZS-{bought:%Y%m%d}-{i:02d}",
                     "随授权证书存档", SHELF, f"采购资料/{_get(r, '软件编号')}.pdf", None])
    if gaps and rows:
        rows.pop(rng.randrange(len(rows)))      # the planted gap: a purchase whose file was never filed
    return rows


def training_rows(rng: random.Random, start: dt.date, today: dt.date, staff: int) -> list[list]:
    rows = []
    for year in range(start.year, today.year + 1):
        day = dt.date(year, *TRAINING_DAY)
        if start <= day <= today:
            rows.append([day, "培训", f"{year}年度软件正版化工作培训", vocab.IT_DEPT, max(20, staff // 3 + rng.randint(-5, 5)),
                         "各部门", "讲授管理办法及安装维护流程"])
            rows.append([day + dt.timedelta(days=3), "网站", "单位网站发布软件正版化工作宣传", vocab.IT_DEPT, None,
                         None, None])
    return rows


def inspection_rows(rng: random.Random, start: dt.date, today: dt.date, computers: int) -> list[list]:
    """One 全面检查 a year, entered once its 通报 and 整改 are done (so no year stands half-reported)."""
    rows = []
    for year in range(start.year, today.year + 1):
        day = dt.date(year, *INSPECTION_DAY)
        if day < start or day + dt.timedelta(days=FIXED_DAYS) > today:
            continue
        problems = rng.randint(1, 6)
        rows.append([day, "全面检查", "扫描检查与现场核对", computers, problems, day + dt.timedelta(days=FIXED_DAYS),
                     day + dt.timedelta(days=NOTICE_DAYS), f"发现未登记安装 {problems} 处，已卸载或补办手续"])
    return rows


def plant_gaps(sheets: dict[str, list[list]], today: dt.date) -> None:
    """For the review to find: a person who never signed the pledge, an installation done without a request."""
    staff = [r for r in sheets[schema.STAFF] if r[5] == "在职" and r[3] == "是"]
    if staff:
        staff[-1][4] = None
    a9 = schema.BY_NAME[schema.A9].headers
    at = {h: a9.index(h) for h in ("操作", "日期", "统一部署", "申请编号")}
    mine = [r for r in sheets[schema.A9] if r[at["操作"]] == "安装" and r[at["统一部署"]] == "否"
            and r[at["申请编号"]] and (_day(r[at["日期"]]) or dt.date.min).year == today.year]
    if mine:
        mine[-1][at["申请编号"]] = None


def add_cycle(sheets: dict[str, list[list]], seed: int, start: dt.date, today: dt.date, staff: int,
              computers: int, gaps: bool = False) -> str | None:
    """Fill the three §11 sheets in `sheets`; returns the number whose renewal is due (if any)."""
    rng = random.Random(seed * 31 + 11)   # its own stream: the rest of the unit stays as it was
    due = renewal_due(sheets[schema.A7], today)
    sheets[schema.PROOFS] = proof_rows(rng, sheets[schema.A7], gaps)
    sheets[schema.TRAININGS] = training_rows(rng, start, today, staff)
    sheets[schema.INSPECTIONS] = inspection_rows(rng, start, today, computers)
    if gaps:
        plant_gaps(sheets, today)
    return due
