"""Forms built from the install/uninstall log: 附件9 (one per 软件编号) and 附件11 (one per 确认单号)."""
from __future__ import annotations

import pandas as pd
from pydantic import BaseModel, Field

from workbook_tools import schema
from workbook_tools.forms.common import (
    DateParts, PrintOptions, UnitHeader, computer_info, count, density, first_text, is_blank, iso_day,
    select, software_info, text, unit_header,
)
from workbook_tools.forms.requests import SoftwareLine, UpgradeLine
from workbook_tools.ledger import ROW, Ledger
from workbook_tools.model import LedgerError

INSTALL, UNINSTALL = schema.OPERATIONS
Record = dict[str, object]


class EventLine(BaseModel):
    install: bool
    uninstall: bool
    computer: str = ""
    brand: str = ""
    user: str = ""
    dept: str = ""
    version: str = ""
    date: str = ""
    count: str = ""


class SoftwareRecord(BaseModel):
    """附件9 for one 软件编号: its 附件7 basic information and its events."""

    key: str
    header: UnitHeader = Field(default_factory=UnitHeader)
    name: str = ""
    version: str = ""
    software_type: str = ""
    licences: str = ""
    usable: str = ""
    term: str = ""
    events: list[EventLine] = Field(default_factory=list)


class Slip(BaseModel):
    """附件11 软件安装维护确认单 for one 确认单号."""

    key: str
    date: DateParts = Field(default_factory=DateParts)
    computer: str = ""
    brand: str = ""
    user: str = ""
    dept: str = ""
    installs: list[SoftwareLine] = Field(default_factory=list)
    uninstalls: list[SoftwareLine] = Field(default_factory=list)
    upgrades: list[UpgradeLine] = Field(default_factory=list)
    done: bool = False

    @property
    def density(self) -> str:
        return density(sum(max(1, len(x)) for x in (self.installs, self.uninstalls, self.upgrades)))


def ordered_events(ledger: Ledger) -> pd.DataFrame:
    return ledger.df(schema.A9).sort_values(["日期", ROW], kind="stable", na_position="last")


def event_line(record: Record, machines: dict[str, dict[str, str]]) -> EventLine:
    """One 附件9 row; copied computer fields left blank in the log are taken from the register."""
    computer = text(record["计算机编号"])
    known = machines.get(computer, {})
    return EventLine(
        install=record["操作"] == INSTALL, uninstall=record["操作"] == UNINSTALL, computer=computer,
        brand=text(record["计算机品牌"]) or known.get("计算机品牌", ""),
        user=text(record["使用人"]) or known.get("使用人", ""),
        dept=text(record["使用部门"]) or known.get("使用部门", ""),
        version=text(record["版本"]), date=iso_day(record["日期"]), count=count(record["安装数量"]))


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
        forms.append(SoftwareRecord(
            key=key, header=header, name=text(row["软件名称"]), version=text(row["软件版本"]),
            software_type=text(row["软件类型"]), licences=count(row["许可数量"]), usable=text(row["可使用版本"]),
            term=text(row["许可期限"]), events=[event_line(r, machines) for r in rows]))
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
               machines: dict[str, dict[str, str]]) -> Slip:
    slip = split_operations(records, software)
    computer = first_text(r["计算机编号"] for r in records) or text(registered.get("计算机编号"))
    known = machines.get(computer, {})

    def pick(header: str) -> str:
        return first_text(r[header] for r in records) or text(registered.get(header)) or known.get(header, "")

    day = registered.get("日期")
    if is_blank(day):
        day = min((r["日期"] for r in records if not is_blank(r["日期"])), default=None)
    return slip.model_copy(update={
        "key": key, "date": DateParts.of(day), "computer": computer, "brand": pick("计算机品牌"),
        "user": pick("使用人"), "dept": pick("使用部门"), "done": bool(records)})


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
    return [build_slip(k, by_number.get(k, []), registered.get(k, {}), software, machines) for k in keys]
