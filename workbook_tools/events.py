"""Replaying the install/uninstall log (附件9) — the source of truth for what is installed.

One pass over the events in date order (worksheet order breaks ties) keeps, per
(计算机编号, 软件编号), whether it is installed and by which 安装 event.  The rules,
the roll-up, the operations and the scan reconciliation all use this one replay.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from workbook_tools.ledger import ROW

COMPUTER, SOFTWARE, OP, DATE, COUNT, VERSION = "计算机编号", "软件编号", "操作", "日期", "安装数量", "版本"
INSTALL, UNINSTALL = "安装", "卸载"
LIVE_COLUMNS = [COMPUTER, SOFTWARE, VERSION, DATE, COUNT, ROW]


@dataclass
class Replay:
    """Outcome of replaying the log up to a date."""

    live: pd.DataFrame                                   # one row per live installation (LIVE_COLUMNS)
    orphan_rows: list[int] = field(default_factory=list)  # 卸载 of something not installed
    double_rows: list[int] = field(default_factory=list)  # 安装 of something already installed
    # worksheet row of an event -> row of the 安装 it undid (for 卸载) — lets rules explain history
    undone: dict[int, int] = field(default_factory=dict)

    def count_by_software(self) -> pd.Series:
        """Installed seats per 软件编号 (sum of 安装数量 of live installations)."""
        if self.live.empty:
            return pd.Series(dtype=float)
        return self.live.groupby(SOFTWARE)[COUNT].sum()


def usable_events(events: pd.DataFrame, until: dt.date | None = None) -> pd.DataFrame:
    """Events that can be replayed (known computer, number, operation and date), in replay order."""
    ok = events[COMPUTER].notna() & events[SOFTWARE].notna() & events[DATE].notna() & events[OP].isin([INSTALL, UNINSTALL])
    usable = events[ok]
    if until is not None:
        usable = usable[usable[DATE] <= pd.Timestamp(until)]
    return usable.sort_values([DATE, ROW], kind="stable")


def replay(events: pd.DataFrame, until: dt.date | None = None) -> Replay:
    """Replay 附件9 (a Table.df of the events sheet) up to and including `until`."""
    usable = usable_events(events, until)
    state: dict[tuple[str, str], tuple] = {}
    result = Replay(live=pd.DataFrame(columns=LIVE_COLUMNS))
    counts = usable[COUNT].fillna(1.0).tolist()
    for computer, software, op, version, date, count, row in zip(
            usable[COMPUTER].tolist(), usable[SOFTWARE].tolist(), usable[OP].tolist(),
            usable[VERSION].tolist(), usable[DATE].tolist(), counts, usable[ROW].tolist()):
        key = (computer, software)
        if op == INSTALL:
            if key in state:
                result.double_rows.append(row)
            state[key] = (computer, software, version, date, count, row)
        elif key in state:
            result.undone[row] = state.pop(key)[5]
        else:
            result.orphan_rows.append(row)
    if state:
        result.live = pd.DataFrame(list(state.values()), columns=LIVE_COLUMNS)
        result.live[DATE] = pd.to_datetime(result.live[DATE])
        result.live[COUNT] = result.live[COUNT].astype(float)
    return result


def live_installations(events: pd.DataFrame, until: dt.date | None = None) -> pd.DataFrame:
    """Shortcut: the live installations at `until`."""
    return replay(events, until).live
