"""Value formatting and models shared by every printed form.

Everything here is pure: typed cells of a `Ledger` in, display text out.  Blank
cells (None, NaN, NaT, "") always print as an empty string, never as "nan".  Dates print in
one style, 2026年11月27日; a blank date prints as the form's 「    年    月    日」 to fill in.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import SupportsFloat, cast

import pandas as pd
from pydantic import BaseModel, Field

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import LedgerError
from workbook_tools.core.registers import did_you_mean
from workbook_tools.core.values import is_blank

FULL_SPACE = "\u3000"
_ALNUM = re.compile(r"[0-9A-Za-z]")


class PrintOptions(BaseModel):
    """What the user asked for on the command line (`ledger print`)."""

    ids: list[str] = Field(default_factory=list)
    year: int | None = None
    unsigned: bool = False
    show_serials: bool = False
    filled: bool = False          # 附件3, 附件10: print the reviewers' names and dates from the sheet
    in_use: bool = False          # 附件7: leave scrapped software out
    today: dt.date = Field(default_factory=dt.date.today)

    @property
    def report_year(self) -> int:
        return self.year or self.today.year


class Printable(BaseModel):
    """One copy of a form (a letter, a slip, a table).  `rows` is its long table, if it has one:
    a copy whose table is too long for one compilation is printed in pieces of rows."""

    key: str
    rows: list[list[str | bool]] = Field(default_factory=list)


class UnitHeader(BaseModel):
    """The line above most forms: 单位名称（盖章）、填表人、联系电话、填表日期 (from 设置)."""

    unit: str = ""
    filler: str = ""
    phone: str = ""
    filled_on: str = ""


def unit_header(ledger: Ledger, filled_on: dt.date | None) -> UnitHeader:
    return UnitHeader(unit=ledger.setting("单位名称"), filler=ledger.setting("填表人"),
                      phone=ledger.setting("联系电话"), filled_on=cn_day(filled_on))




def text(value: object) -> str:
    """Display text of any typed cell."""
    if is_blank(value):
        return ""
    if isinstance(value, (pd.Timestamp, dt.date)):
        return cn_day(value)
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


def cn_day(value: object) -> str:
    """2026年3月5日 (the one date style of every form); "" when blank."""
    day = as_date(value)
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def cn_term(value: object) -> str:
    """许可期限 as printed: an ISO date text (how the ledger stores an end date) in the forms' style."""
    shown = text(value)
    match = ISO_DAY.match(shown)
    return f"{int(match[1])}年{int(match[2])}月{int(match[3])}日" if match else shown


def count(value: object) -> str:
    """A count: 3 rather than 3.0; blank when unknown."""
    if is_blank(value):
        return ""
    number = float(cast(SupportsFloat, value))   # a count cell: a number when not blank
    return str(int(number)) if number.is_integer() else f"{number:g}"


def money(value: object) -> str:
    """Yuan with thousands separators and two decimals."""
    if is_blank(value):
        return ""
    return f"{float(cast(SupportsFloat, value)):,.2f}"


def density(lines: int) -> str:
    """Row heights that keep a one-page form (附件10, 附件11) on one page however many lines it has."""
    return "normal" if lines <= 6 else "compact" if lines <= 16 else "dense" if lines <= 26 else "tiny"


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
    if column.kind is schema.Kind.TERM:
        return cn_term(value)
    return text(value)


def display_column(column: schema.Column, values: pd.Series) -> list[str]:
    """Display text of a whole column: each distinct value is formatted once (long tables repeat them)."""
    shown: dict[object, str] = {}
    out = []
    for value in values.tolist():
        key = value if not is_blank(value) else None
        if key not in shown:
            shown[key] = display(column, value)
        out.append(shown[key])
    return out


def display_rows(spec: schema.Sheet, df: pd.DataFrame, headers: list[str]) -> list[list[str]]:
    """The rows of a sheet as lists of display text, for `headers` in that order."""
    columns = [display_column(spec.column(h), df[h]) for h in headers]
    return [list(row) for row in zip(*columns)] if columns else []


def select(keys: list[str], wanted: list[str], what: str) -> list[str]:
    """Keep the keys the user named with --id (all when none); unknown ids are refused."""
    if not wanted:
        return keys
    unknown = [w for w in wanted if w not in keys]
    if unknown:
        near = "".join(did_you_mean(w, keys) for w in unknown)
        raise LedgerError(f"{what}中没有：{'、'.join(unknown)}{near}", 1)
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
