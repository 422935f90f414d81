"""Who is on the staff and which computers are in use: one definition for every figure.

总人数 and 使用计算机人数 (附件7 header, 附件5, HEADER-COUNTS), the people STAFF-NO-PLEDGE and the
pledge list ask about, and 服务器数/台式机数/便携机数 are all counted here, so that one unit has one
number for one fact.  A blank 状态 counts as 在职 / 在用 (the register lists the unit's people and
machines; leaving is marked by 调离 / 报废) and is itself a finding (REQ-FIELD, rules.fields).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger

ON_STAFF, LEFT = schema.STAFF_STATES          # 在职, 调离
IN_USE, SCRAPPED = schema.COMPUTER_STATES     # 在用, 报废


def active_staff(staff: pd.DataFrame) -> pd.Series:
    """Mask of the people on the staff: a 姓名, and 状态 在职 or left blank."""
    return staff["姓名"].notna() & (staff["状态"].isna() | staff["状态"].eq(ON_STAFF))


def staff_counts(ledger: Ledger) -> tuple[int, int]:
    """(总人数, 使用计算机人数): people on the staff, and those of them with 使用计算机 = 是."""
    staff = ledger.df(schema.STAFF)
    active = active_staff(staff)
    return int(active.sum()), int((active & staff["使用计算机"].eq("是")).sum())


def computers_in_use(ledger: Ledger, day: dt.date) -> pd.DataFrame:
    """计算机 rows in use on `day`: started by then (or no 启用日期) and not scrapped by then."""
    df = ledger.df(schema.COMPUTERS)
    ts = pd.Timestamp(day)
    started = df["启用日期"].isna() | (df["启用日期"] <= ts)
    scrapped = (df["报废日期"] <= ts) | (df["状态"].eq(SCRAPPED) & df["报废日期"].isna())
    return df[df["计算机编号"].notna() & started & ~scrapped]


def header_counts(ledger: Ledger, day: dt.date | None = None) -> dict[str, int]:
    """附件7 header block (LEDGER_SPEC §5.3) on `day` (default today)."""
    people, users = staff_counts(ledger)
    in_use = computers_in_use(ledger, day or dt.date.today())
    counts = {"总人数": people, "使用计算机人数": users}
    for device in schema.DEVICE_TYPES:
        counts[f"{device}数"] = int((in_use["设备类型"] == device).sum())
    return counts


def id_key(value: object) -> str:
    """An id as compared for a suggestion: width (NFKC), case and spaces do not matter."""
    import unicodedata  # noqa: PLC0415

    return "".join(unicodedata.normalize("NFKC", str(value)).casefold().split())


def meant_ids(value: str, known: Iterable[object]) -> list[str]:
    """The registered ids a typed id means when it differs only in case, width or spaces."""
    key = id_key(value)
    return list(dict.fromkeys(str(k) for k in known if isinstance(k, str) and id_key(k) == key and k != value))


def did_you_mean(value: str, known: Iterable[object]) -> str:
    """「，是否指 TSJ-0004？」 for a message, or "" when nothing registered is that close."""
    near = meant_ids(value, known)
    return f"，是否指 {'、'.join(near)}？" if near else ""
