"""What every rule of one check shares: the ledger, "today", and data derived once.

The event log is replayed once per check (`replay`); the per-number view of 附件7, the
live installation counts and the registers keyed by id are computed on first use and
reused by all rules.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cached_property

import numpy as np
import pandas as pd

from workbook_tools.core import events, schema
from workbook_tools.core.events import Replay
from workbook_tools.core.ledger import ROW, Ledger, Table
from workbook_tools.core.model import Finding
from workbook_tools.core.values import show  # noqa: F401  (the display every rule uses, imported from here)
from workbook_tools.rules.registry import severity

NUMBER, NAME, VERSION, TYPE = "软件编号", "软件名称", "软件版本", "软件类型"
COMMERCIAL, OEM, FREE = schema.SOFTWARE_TYPES
_SPACE = re.compile(r"\s+")


def norm_key(value: object) -> str | None:
    """Comparison form of a name/text: NFKC, case-folded, without any whitespace."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = _SPACE.sub("", unicodedata.normalize("NFKC", str(value))).casefold()
    return text or None


def norm_series(series: pd.Series) -> pd.Series:
    """norm_key over a column, computed once per distinct value."""
    uniques = {v: norm_key(v) for v in series.dropna().unique()}
    return series.map(uniques).astype(object).where(series.notna(), None)


class CheckContext:
    """Shared inputs of one check run; cached properties are computed at most once."""

    def __init__(self, ledger: Ledger, today: dt.date):
        self.ledger = ledger
        self.today = today

    # --- findings -----------------------------------------------------------------------
    def finding(self, code: str, sheet: str, row: int | None, header: str | None, message: str) -> Finding:
        table = self.table(sheet)
        row = None if row is None else int(row)
        # every field is built here with its declared type: skip pydantic's validation (many findings)
        return Finding.model_construct(rule=code, severity=severity(code), sheet=table.name, row=row, column=header,
                                       cell=table.cell(row, header), message=message, scan_file=None, scan_line=None)

    def emit(self, code: str, sheet: str, rows: Iterable[int], header: str | None,
             messages: Iterable[str]) -> list[Finding]:
        return [self.finding(code, sheet, r, header, m) for r, m in zip(rows, messages)]

    def setting_finding(self, code: str, key: str, message: str) -> Finding:
        table = self.ledger.settings_table
        row = None
        if table is not None:
            hits = table.df.loc[table.df["项目"] == key, ROW]
            row = int(hits.iloc[0]) if len(hits) else None
        cell = table.cell(row, "值") if table is not None else None
        return Finding(rule=code, severity=severity(code), sheet=schema.SETTINGS, row=row,
                       column="值" if row else None, cell=cell, message=message)

    def table(self, sheet: str) -> Table:
        return self.ledger[sheet]

    def df(self, sheet: str) -> pd.DataFrame:
        return self.ledger.df(sheet)

    @cached_property
    def type_cells(self) -> frozenset[tuple[str | None, int | None, str | None]]:
        """Cells the reader already reported as unreadable (TYPE-*): other rules stay quiet there."""
        return frozenset((f.sheet, f.row, f.column) for f in self.ledger.findings if f.rule.startswith("TYPE-"))

    def readable(self, sheet: str, df: pd.DataFrame, header: str) -> pd.Series:
        """Mask of rows whose `header` cell was not reported unreadable by the reader."""
        name = self.table(sheet).name
        bad = {row for s, row, col in self.type_cells if s == name and col == header}
        return ~df[ROW].isin(bad) if bad else pd.Series(True, index=df.index)

    # --- 附件7 --------------------------------------------------------------------------
    @cached_property
    def a7(self) -> pd.DataFrame:
        return self.df(schema.A7)

    @cached_property
    def software(self) -> pd.DataFrame:
        """附件7 by 软件编号: the first row of every number (index = number)."""
        numbered = self.a7[self.a7[NUMBER].notna()]
        return numbered.drop_duplicates(NUMBER).set_index(NUMBER)

    def software_types(self, numbers: pd.Series) -> pd.Series:
        return lookup(self.software[TYPE], numbers).astype(object)

    # --- events -------------------------------------------------------------------------
    @cached_property
    def events(self) -> pd.DataFrame:
        return self.df(schema.A9)

    @cached_property
    def replay(self) -> Replay:
        """The one replay of 附件9 up to today that every event/compliance rule uses."""
        return events.replay(self.events, self.today)

    @cached_property
    def live(self) -> pd.DataFrame:
        return self.replay.live

    @cached_property
    def live_rows(self) -> frozenset[int]:
        return frozenset(int(r) for r in self.live[ROW])

    @cached_property
    def live_counts(self) -> pd.Series:
        """Installed seats per 软件编号 at today (sum of 安装数量 of live installations)."""
        return self.replay.count_by_software().astype(float)

    def installed(self, numbers: pd.Series) -> pd.Series:
        """Seats installed at today for each number of a column (0 when none)."""
        return lookup(self.live_counts, numbers).astype(float).fillna(0.0)

    # --- registers ----------------------------------------------------------------------
    @cached_property
    def computers(self) -> pd.DataFrame:
        df = self.df(schema.COMPUTERS)
        return df[df["计算机编号"].notna()].drop_duplicates("计算机编号").set_index("计算机编号")

    @cached_property
    def staff(self) -> pd.DataFrame:
        return self.df(schema.STAFF)

    @cached_property
    def staff_names(self) -> frozenset[str]:
        return frozenset(self.staff["姓名"].dropna())

    @cached_property
    def staff_pairs(self) -> pd.DataFrame:
        """(姓名, 部门) rows of the register; a person may appear more than once."""
        return self.staff[self.staff["姓名"].notna() & self.staff["部门"].notna()][["姓名", "部门"]]

    def in_staff(self, names: pd.Series, depts: pd.Series) -> pd.Series:
        """Mask: does 人员 register this person in this department?"""
        pairs = self.staff_pairs
        return pairs_in(names, depts, pairs["姓名"], pairs["部门"])

    @cached_property
    def dept_names(self) -> frozenset[str]:
        return frozenset(self.df(schema.DEPTS)["部门名称"].dropna())


def lookup(mapping: pd.Series, keys: pd.Series) -> pd.Series:
    """mapping[key] for every key of a column (NaN/NaT where absent); mapping's index must be unique."""
    return mapping.reindex(keys.to_numpy()).set_axis(keys.index)


def pairs_in(a: pd.Series, b: pd.Series, other_a: Sequence[object], other_b: Sequence[object]) -> pd.Series:
    """Mask: is (a[i], b[i]) one of the pairs zip(other_a, other_b)? Computed on integer codes."""
    left = [np.asarray(a, dtype=object), np.asarray(b, dtype=object)]
    right = [np.asarray(other_a, dtype=object), np.asarray(other_b, dtype=object)]
    codes_a, _ = pd.factorize(np.concatenate([left[0], right[0]]))
    codes_b, uniques_b = pd.factorize(np.concatenate([left[1], right[1]]))
    key = codes_a.astype(np.int64) * (len(uniques_b) + 1) + codes_b
    return pd.Series(np.isin(key[:len(a)], key[len(a):]), index=a.index)


def rows_of(df: pd.DataFrame) -> Sequence[int]:
    return df[ROW].tolist()
