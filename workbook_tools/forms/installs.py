"""Forms built from the install/uninstall log: 附件9 (one per 软件编号) and 附件11 (one per 确认单号)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from pydantic import Field

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import LedgerError
from workbook_tools.forms.common import (
    Printable,
    PrintOptions,
    UnitHeader,
    cn_day,
    cn_term,
    computer_info,
    count,
    first_text,
    is_blank,
    joined,
    select,
    software_info,
    text,
    unit_header,
)
from workbook_tools.forms.layout import Column
from workbook_tools.forms.requests import SoftwareLine, UpgradeLine, lines_density

INSTALL, UNINSTALL = schema.OPERATIONS
Record = dict[str, object]


def col(key: str, *head: str, mark: bool = False) -> Column:
    return Column(key=key, head=list(head or (key,)), mark=mark)


INFO_COLUMNS = [col("软件编号", "软件", "编号"), col("软件名称", "软件", "名称"), col("软件版本", "软件", "版本"),
                *(col(t, t[:-2], t[-2:], mark=True) for t in schema.SOFTWARE_TYPES), col("许可数量", "许可", "数量"),
                col("可使用版本"), col("许可期限", "许可", "期限")]
EVENT_COLUMNS = [col("序号"), col("安装", mark=True), col("卸载", mark=True), col("计算机编号", "计算机", "编号"),
                 col("计算机品牌", "计算机", "品牌"), col("使用人"), col("使用部门", "使用", "部门"),
                 col("版本", "安装/卸载", "版本"), col("日期", "安装/卸载", "日期"), col("安装数量", "安装", "数量")]


class SoftwareRecord(Printable):
    """附件9 for one 软件编号: its 附件7 basic information (one row of INFO_COLUMNS) and its events
    (`rows`, cells of EVENT_COLUMNS)."""

    header: UnitHeader = Field(default_factory=UnitHeader)
    info: list[str | bool] = Field(default_factory=list)


def info_rows(item: Printable) -> list[Sequence[object]]:
    """The one row of the basic-information table of 附件9."""
    assert isinstance(item, SoftwareRecord), type(item)
    return [item.info]


class Slip(Printable):
    """附件11 软件安装维护确认单 for one 确认单号."""

    date: str = ""
    computer: str = ""
    brand: str = ""
    user: str = ""
    dept: str = ""
    installs: list[SoftwareLine] = Field(default_factory=list)
    uninstalls: list[SoftwareLine] = Field(default_factory=list)
    upgrades: list[UpgradeLine] = Field(default_factory=list)
    done: bool = False
    maintainer: str = ""        # 安装维护人, printed in its signature block
    density: str = "normal"


def ordered_events(ledger: Ledger) -> pd.DataFrame:
    return ledger.df(schema.A9).sort_values(["日期", ROW], kind="stable", na_position="last")


def event_line(number: int, record: Record, machines: dict[str, dict[str, str]]) -> list[str | bool]:
    """One 附件9 row as EVENT_COLUMNS; computer fields left blank in the log come from the register."""
    computer = text(record["计算机编号"])
    known = machines.get(computer, {})
    return [str(number), record["操作"] == INSTALL, record["操作"] == UNINSTALL, computer,
            text(record["计算机品牌"]) or known.get("计算机品牌", ""), text(record["使用人"]) or known.get("使用人", ""),
            text(record["使用部门"]) or known.get("使用部门", ""), text(record["版本"]), cn_day(record["日期"]),
            count(record["安装数量"])]


def info_row(key: str, row: Record) -> list[str | bool]:
    kind = text(row["软件类型"])
    return [key, text(row["软件名称"]), text(row["软件版本"]), *(kind == t for t in schema.SOFTWARE_TYPES),
            count(row["许可数量"]), text(row["可使用版本"]), cn_term(row["许可期限"])]


def annex9(ledger: Ledger, options: PrintOptions) -> list[SoftwareRecord]:
    software = software_info(ledger)
    keys = select(list(software), options.ids, "附件7 的软件编号")
    if not keys:
        raise LedgerError("附件7 中没有软件编号，没有可打印的附件9", 1)
    events = ordered_events(ledger)
    by_number = {k: g for k, g in events.groupby(events["软件编号"].map(text), sort=False)}
    machines, header = computer_info(ledger), unit_header(ledger, None)
    forms = []
    for key in keys:
        row = software[key]
        rows = by_number.get(key, events.iloc[0:0]).to_dict("records")
        forms.append(SoftwareRecord(key=key, header=header, info=info_row(key, row),
                                    rows=[event_line(i, r, machines) for i, r in enumerate(rows, start=1)]))
    return forms


def software_line(record: Record, software: dict[str, Record]) -> SoftwareLine:
    known = software.get(text(record["软件编号"]), {})
    return SoftwareLine(name=text(known.get("软件名称")) or text(record["软件编号"]),
                        version=text(record["版本"]) or text(known.get("软件版本")))


def split_operations(records: list[Record], software: dict[str, Record]) -> Slip:
    """Installs, uninstalls and upgrades of one slip: an upgrade is a 卸载 and an 安装 of the same
    software name under two numbers, or under one number at two versions (free software keeps its number)."""
    names = {id(r): software_line(r, software).name for r in records}
    installs = [r for r in records if r["操作"] == INSTALL]
    uninstalls = [r for r in records if r["操作"] == UNINSTALL]
    upgrades = []
    for old in list(uninstalls):
        new = next((r for r in installs if names[id(r)] == names[id(old)]
                    and (text(r["软件编号"]), text(r["版本"])) != (text(old["软件编号"]), text(old["版本"]))), None)
        if new is not None:
            upgrades.append(UpgradeLine(before=software_line(old, software), after=software_line(new, software)))
            installs.remove(new)
            uninstalls.remove(old)
    return Slip(key="", installs=[software_line(r, software) for r in installs],
                uninstalls=[software_line(r, software) for r in uninstalls], upgrades=upgrades)


def build_slip(key: str, records: list[Record], registered: Record, software: dict[str, Record],
               machines: dict[str, dict[str, str]], clerk: str = "") -> Slip:
    slip = split_operations(records, software)
    computer = first_text(r["计算机编号"] for r in records) or text(registered.get("计算机编号"))
    known = machines.get(computer, {})

    def pick(header: str) -> str:
        return first_text(r[header] for r in records) or text(registered.get(header)) or known.get(header, "")

    day = registered.get("日期")
    if is_blank(day):
        dates: list[Any] = [r["日期"] for r in records if not is_blank(r["日期"])]   # Timestamps
        day = min(dates, default=None)
    # 安装维护人: as registered, else the records' 经办人, else the unit's 填表人 (设置) who keeps the log
    maintainer = text(registered.get("安装维护人")) or joined((r["经办人"] for r in records), "、") or clerk
    return slip.model_copy(update={
        "key": key, "date": cn_day(day), "computer": computer, "brand": pick("计算机品牌"),
        "user": pick("使用人"), "dept": pick("使用部门"), "done": bool(records), "maintainer": maintainer,
        "density": lines_density(slip.installs, slip.uninstalls, slip.upgrades)})


def annex11(ledger: Ledger, options: PrintOptions) -> list[Slip]:
    events = ordered_events(ledger)
    numbers = events["确认单号"].map(text)
    register = ledger.df(schema.A11)
    registered = {text(r["确认单号"]): r for r in register.to_dict("records") if text(r["确认单号"])}
    keys = select(sorted(set(numbers[numbers != ""]) | set(registered)), options.ids, "确认单号")
    if not keys:
        raise LedgerError("附件9 和附件11 中都没有确认单号，没有可打印的确认单", 1)
    software, machines = software_info(ledger), computer_info(ledger)
    chosen = numbers.isin(keys)   # only the slips being printed: a unit has tens of thousands
    by_number = {k: g.to_dict("records") for k, g in events[chosen].groupby(numbers[chosen], sort=False)}
    clerk = ledger.setting("填表人")
    return [build_slip(k, by_number.get(k, []), registered.get(k, {}), software, machines, clerk) for k in keys]
