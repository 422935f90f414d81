"""Value formatting and models shared by every printed form.

Everything here is pure: typed cells of a `Ledger` in, display text out.  Blank
cells (None, NaN, NaT, "") always print as an empty string, never as "nan".
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

import pandas as pd
from pydantic import BaseModel, Field

from workbook_tools import schema
from workbook_tools.ledger import Ledger
from workbook_tools.model import LedgerError

BOX_ON, BOX_OFF = "☑", "□"
FULL_SPACE = "\u3000"
_ALNUM = re.compile(r"[0-9A-Za-z]")


class PrintOptions(BaseModel):
    """What the user asked for on the command line (`ledger print`)."""

    ids: list[str] = Field(default_factory=list)
    year: int | None = None
    unsigned: bool = False
    show_serials: bool = False
    today: dt.date = Field(default_factory=dt.date.today)

    @property
    def report_year(self) -> int:
        return self.year or self.today.year


class DateParts(BaseModel):
    """A date as the forms print it: 「2026 年 11 月 27 日」, blanks when unknown."""

    year: str = ""
    month: str = ""
    day: str = ""

    @classmethod
    def of(cls, value: object) -> DateParts:
        day = as_date(value)
        if day is None:
            return cls()
        return cls(year=str(day.year), month=str(day.month), day=str(day.day))


class UnitHeader(BaseModel):
    """The line above most forms: 单位名称（盖章）、填表人、联系电话、填表日期 (from 设置)."""

    unit: str = ""
    filler: str = ""
    phone: str = ""
    filled_on: DateParts = Field(default_factory=DateParts)


def unit_header(ledger: Ledger, filled_on: dt.date | None) -> UnitHeader:
    return UnitHeader(unit=ledger.setting("单位名称"), filler=ledger.setting("填表人"),
                      phone=ledger.setting("联系电话"), filled_on=DateParts.of(filled_on))


def is_blank(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def text(value: object) -> str:
    """Display text of any typed cell."""
    if is_blank(value):
        return ""
    if isinstance(value, (pd.Timestamp, dt.date)):
        return iso_day(value)
    if isinstance(value, float):
        return count(value)
    return str(value).strip()


def as_date(value: object) -> dt.date | None:
    if is_blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def iso_day(value: object) -> str:
    day = as_date(value)
    return day.isoformat() if day else ""


def count(value: object) -> str:
    """A count: 3 rather than 3.0; blank when unknown."""
    if is_blank(value):
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def money(value: object) -> str:
    """Yuan with thousands separators and two decimals."""
    if is_blank(value):
        return ""
    return f"{float(value):,.2f}"


def density(lines: int) -> str:
    """CSS class that keeps a one-page form (附件10, 附件11) on one page however many lines it has."""
    return "normal" if lines <= 6 else "compact" if lines <= 12 else "dense"


def box(ticked: bool) -> str:
    return BOX_ON if ticked else BOX_OFF


def spaced_name(name: str) -> str:
    """Two-character names get a full-width space, as the regulation prints 「吕　品」."""
    return f"{name[0]}{FULL_SPACE}{name[1]}" if len(name) == 2 else name


def mask_serial(serial: str) -> str:
    """Keep the first group and the last four characters: ABCD-EFGH-IJKL-1234 -> ABCD-****-****-1234."""
    positions = [i for i, ch in enumerate(serial) if _ALNUM.match(ch)]
    if len(positions) <= 4:
        return serial
    group = re.match(r"[0-9A-Za-z]+", serial)
    head = group.end() if group and group.end() < len(serial) else 4
    if head + 4 >= len(positions):
        head = 0
    visible = set(positions[:head]) | set(positions[-4:])
    hidden = set(positions) - visible
    return "".join("*" if i in hidden else ch for i, ch in enumerate(serial))


def first_text(values: Iterable[object]) -> str:
    """First non-blank value of a column, as text."""
    for value in values:
        if not is_blank(value):
            return text(value)
    return ""


def joined(values: Iterable[object], sep: str = "；") -> str:
    """Distinct non-blank values in order, joined."""
    seen: list[str] = []
    for value in values:
        item = text(value)
        if item and item not in seen:
            seen.append(item)
    return sep.join(seen)


def display(column: schema.Column, value: object) -> str:
    """Display text of a cell according to its column kind."""
    if column.kind is schema.Kind.MONEY:
        return money(value)
    return text(value)


def display_rows(spec: schema.Sheet, df: pd.DataFrame) -> list[dict[str, str]]:
    """Every row of a sheet as header -> display text."""
    columns = [spec.column(h) for h in spec.headers]
    return [{c.header: display(c, record[c.header]) for c in columns} for record in df.to_dict("records")]


def select(keys: list[str], wanted: list[str], what: str) -> list[str]:
    """Keep the keys the user named with --id (all when none); unknown ids are refused."""
    if not wanted:
        return keys
    unknown = [w for w in wanted if w not in keys]
    if unknown:
        raise LedgerError(f"{what}中没有：{'、'.join(unknown)}", 1)
    return [k for k in keys if k in wanted]


def computer_info(ledger: Ledger) -> dict[str, dict[str, str]]:
    """计算机编号 -> 计算机品牌 / 使用人 / 使用部门 from the 计算机 register."""
    df = ledger.df(schema.COMPUTERS)
    info: dict[str, dict[str, str]] = {}
    for number, brand, user, dept in zip(df["计算机编号"], df["计算机品牌"], df["使用人"], df["使用部门"]):
        if not is_blank(number):
            info.setdefault(text(number), {"计算机品牌": text(brand), "使用人": text(user), "使用部门": text(dept)})
    return info


def software_info(ledger: Ledger) -> dict[str, dict[str, object]]:
    """软件编号 -> its 附件7 row (first one when numbers repeat)."""
    df = ledger.df(schema.A7)
    rows: dict[str, dict[str, object]] = {}
    for record in df.to_dict("records"):
        key = text(record["软件编号"])
        if key:
            rows.setdefault(key, record)
    return rows
