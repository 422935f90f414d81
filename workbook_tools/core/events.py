"""Replaying the install/uninstall log (附件9) — the source of truth for what is installed.

One pass over the events in date order (worksheet order breaks ties) keeps, per
(计算机编号, 软件编号), whether it is installed and by which 安装 event.  The rules,
the roll-up, the operations and the scan reconciliation all use this one replay.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbook_tools.core.ledger import ROW

COMPUTER, SOFTWARE, OP, DATE, COUNT, VERSION = "计算机编号", "软件编号", "操作", "日期", "安装数量", "版本"
INSTALL, UNINSTALL = "安装", "卸载"
BASELINE_REMARK = "初始登记"   # 备注 of the 安装 rows `ledger baseline` writes
RENEWAL_REMARK = "续订："      # 备注 of the paired rows `ledger renew` writes (续订：OLD→NEW)
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


def baseline_rows(events: pd.DataFrame) -> pd.Series:
    """Mask of the baseline (初始登记) rows: 统一部署 安装 rows whose 备注 begins with 初始登记.

    They register installations that existed before the log was kept: no visit, no slip to sign.
    """
    remark = events["备注"].astype(object).where(events["备注"].notna(), "")
    marked = remark.map(lambda r: str(r).startswith(BASELINE_REMARK)).astype(bool)
    return marked & (events[OP] == INSTALL) & (events["统一部署"] == "是")


def renewal_rows(events: pd.DataFrame) -> pd.Series:
    """Mask of the renewal (续订) rows: 统一部署 rows whose 备注 begins with 续订：.

    A renewal moves an installation to the licence that replaces the old one: nothing is done on
    the computer, so there is no visit and no slip to sign (README «对规范的补充»).
    """
    remark = events["备注"].astype(object).where(events["备注"].notna(), "")
    marked = remark.map(lambda r: str(r).startswith(RENEWAL_REMARK)).astype(bool)
    return marked & (events["统一部署"] == "是")


def _after_install(ordered: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per event of `ordered` (grouped by key, replay order inside): is it an 安装, does the same key's
    previous event leave it installed, is it the key's last event."""
    computer, software = ordered[COMPUTER].to_numpy(), ordered[SOFTWARE].to_numpy()
    install = (ordered[OP] == INSTALL).to_numpy()
    same_key = np.zeros(len(ordered), dtype=bool)
    same_key[1:] = (computer[1:] == computer[:-1]) & (software[1:] == software[:-1])
    installed_before = np.zeros(len(ordered), dtype=bool)
    installed_before[1:] = install[:-1]
    installed_before &= same_key
    last = np.ones(len(ordered), dtype=bool)
    last[:-1] = ~same_key[1:]
    return install, installed_before, last


def replay(events: pd.DataFrame, until: dt.date | None = None) -> Replay:
    """Replay 附件9 (a Table.df of the events sheet) up to and including `until`.

    An 安装 always leaves the software installed and a 卸载 always leaves it uninstalled, so
    each event's outcome depends only on the previous event of the same (计算机编号, 软件编号):
    the replay is computed on whole columns, grouped by that key.
    """
    needed = [c for c in (*LIVE_COLUMNS, OP) if c in events.columns]   # copy only what the replay reads
    usable = usable_events(events[needed], until).reset_index(drop=True)   # index = replay order
    result = Replay(live=pd.DataFrame(columns=LIVE_COLUMNS))
    if usable.empty:
        return result
    ordered = usable.sort_values([COMPUTER, SOFTWARE], kind="stable")
    install, installed_before, last = _after_install(ordered)
    rows, rank = ordered[ROW].to_numpy(), ordered.index.to_numpy()
    in_order = np.argsort(rank, kind="stable")
    result.double_rows = rows[in_order][(install & installed_before)[in_order]].tolist()
    result.orphan_rows = rows[in_order][(~install & ~installed_before)[in_order]].tolist()
    undo = ~install & installed_before
    result.undone = dict(zip(rows[undo].tolist(), np.roll(rows, 1)[undo].tolist()))
    live = last & install
    if live.any():
        # the order the sequential replay gave: by the 安装 that began each live installation
        began = np.maximum.accumulate(np.where(install & ~installed_before, np.arange(len(ordered)), -1))
        kept = ordered[live].iloc[np.argsort(rank[began[live]], kind="stable")]
        # built from lists, as pandas infers each column's dtype (text columns become `str`)
        result.live = pd.DataFrame({c: kept[c].tolist() if c != DATE else kept[c].to_numpy() for c in LIVE_COLUMNS})
        result.live[COUNT] = result.live[COUNT].fillna(1.0).astype(float)
        result.live[DATE] = pd.to_datetime(result.live[DATE])
    return result


def live_installations(events: pd.DataFrame, until: dt.date | None = None) -> pd.DataFrame:
    """Shortcut: the live installations at `until`."""
    return replay(events, until).live
