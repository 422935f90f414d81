"""Everything one reconciliation derives once from the ledger and the scans.

`entries` are the scan entries that count (per computer only its latest scan file), each
with its 计算机编号 (None when unknown) and what the name dictionary made of it; `found`
is one row per (计算机编号, 软件编号) the scans show; `live` the ledger's installations at
the day, from the shared replay of 附件9 (workbook_tools.core.events).
"""
from __future__ import annotations

import datetime as dt
from functools import cached_property

import pandas as pd

from workbook_tools.core import events, schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import Finding
from workbook_tools.core.values import show_raw as show
from workbook_tools.scan.files import FILE, HOST, LINE, NAME, ScanSet
from workbook_tools.scan.hosts import HostIndex, host_index
from workbook_tools.scan.products import Products
from workbook_tools.scan.rules import MAP, RuleSet, load_rules

COMPUTER, NUMBER = "计算机编号", "软件编号"
KEY = "_key"          # 计算机编号, or "?host" for a host the register lacks
SCAN_VERSION = "version"


def _merge_same(found: pd.DataFrame) -> pd.DataFrame:
    """Rows that now name the same (计算机编号, 软件编号): one row, the first place, all versions."""
    if not found.duplicated([COMPUTER, NUMBER]).any():
        return found
    grouped = found.groupby([COMPUTER, NUMBER], sort=True)
    merged = grouped[[FILE, LINE, NAME, "install_date"]].first()
    merged["versions"] = grouped["versions"].agg(lambda s: list(dict.fromkeys(v for vs in s for v in vs)))
    return merged.reset_index()


class ScanContext:
    def __init__(self, ledger: Ledger, scans: ScanSet, day: dt.date):
        self.ledger, self.scans, self.day = ledger, scans, day
        self.rules: RuleSet
        self.rule_findings: list[Finding]
        self.rules, self.rule_findings = load_rules(ledger)
        self.index: HostIndex = host_index(ledger)

    # --- registers ---------------------------------------------------------------------
    @cached_property
    def computers(self) -> pd.DataFrame:
        df = self.ledger.df(schema.COMPUTERS)
        return df[df[COMPUTER].notna()].drop_duplicates(COMPUTER).set_index(COMPUTER)

    @cached_property
    def software(self) -> pd.DataFrame:
        df = self.ledger.df(schema.A7)
        return df[df[NUMBER].notna()].drop_duplicates(NUMBER).set_index(NUMBER)

    @cached_property
    def _who(self) -> dict[str, str]:
        pcs = self.computers
        out = {}
        for number, user, dept in zip(pcs.index, pcs["使用人"], pcs["使用部门"]):
            detail = "，".join(t for t in (show(user), show(dept)) if t)
            out[number] = f"{number}（{detail}）" if detail else number
        return out

    @cached_property
    def depts(self) -> dict[str, str]:
        """计算机编号 -> 使用部门 ('' when empty)."""
        return {n: show(d) for n, d in zip(self.computers.index, self.computers["使用部门"])}

    def who(self, computer: str) -> str:
        """PC-001（张三，办公室） as messages name a computer."""
        return self._who.get(computer, computer)

    @cached_property
    def _titles(self) -> dict[str, str]:
        sw = self.software
        out = {}
        for number, name, version in zip(sw.index, sw["软件名称"], sw["软件版本"]):
            text = " ".join(t for t in (show(name), show(version)) if t)
            out[number] = f"{number}「{text}」" if text else number
        return out

    def title(self, number: str) -> str:
        """SY-0001「WPS Office 2019」."""
        return self._titles.get(number, number)

    # --- scans -------------------------------------------------------------------------
    @cached_property
    def host_computer(self) -> dict[str, str | None]:
        hosts = [h for f in self.scans.files for h in f.hosts]
        return self.index.resolve_all(hosts + self.scans.entries[HOST].dropna().unique().tolist())

    def key_of(self, host: str) -> str:
        return self.host_computer.get(host) or f"?{host}"

    @cached_property
    def latest_file(self) -> dict[str, str]:
        """Per computer (or unknown host), the label of its newest scan file."""
        best: dict[str, tuple[float, str]] = {}
        for f in self.scans.files:
            for host in f.hosts:
                key = self.key_of(host)
                best[key] = max(best.get(key, (f.mtime, f.label)), (f.mtime, f.label))
        return {key: label for key, (_, label) in best.items()}

    @cached_property
    def superseded_files(self) -> int:
        used = set(self.latest_file.values())
        return sum(f.label not in used for f in self.scans.files)

    @cached_property
    def scanned(self) -> frozenset[str]:
        return frozenset(k for k in self.latest_file if not k.startswith("?"))

    @cached_property
    def entries(self) -> pd.DataFrame:
        raw = self.scans.entries
        by_host = {h: self.key_of(h) for h in set(raw[HOST].tolist())}
        keys = [by_host[h] for h in raw[HOST].tolist()]
        keep = [file == self.latest_file.get(key) for file, key in zip(raw[FILE].tolist(), keys)]
        df = raw.loc[pd.Series(keep, index=raw.index, dtype=bool)].copy()
        kept = [key for key, ok in zip(keys, keep) if ok]
        df[KEY] = pd.Series(kept, index=df.index, dtype=object)
        df[COMPUTER] = pd.Series([None if k.startswith("?") else k for k in kept], index=df.index, dtype=object)
        classified = self.rules.classify_entries(df)
        df[["action", NUMBER, "rule_row", "order"]] = classified[["action", "number", "rule_row", "order"]]
        df[SCAN_VERSION] = classified["version"]
        return df

    @cached_property
    def mapped(self) -> pd.DataFrame:
        df = self.entries
        return df[(df["action"] == MAP) & df[NUMBER].notna()]

    @cached_property
    def products(self) -> Products:
        return Products(self.software)

    @cached_property
    def targets(self) -> frozenset[str]:
        """Numbers the scans can see: those the rules map to, and every number of the same products."""
        return frozenset(n for t in self.rules.targets for n in self.products.siblings(t))

    @cached_property
    def found(self) -> pd.DataFrame:
        """One row per (计算机编号, 软件编号) found on a registered computer: first file/line/name, all versions.

        A number is taken as the number of the same product installed on that computer (scan/products.py).
        """
        df = self.mapped[self.mapped[COMPUTER].notna()]
        grouped = df.groupby([COMPUTER, NUMBER], sort=True)
        first = grouped[[FILE, LINE, NAME, "install_date"]].first()
        first["versions"] = grouped[SCAN_VERSION].agg(lambda s: list(dict.fromkeys(v for v in s if v)))
        first = first.reset_index()
        live = self.ledger_pairs()
        first[NUMBER] = [self.products.resolve(c, n, v, live)
                         for c, n, v in zip(first[COMPUTER], first[NUMBER], first["versions"])]
        return _merge_same(first)

    # --- ledger ------------------------------------------------------------------------
    @cached_property
    def live(self) -> pd.DataFrame:
        return events.live_installations(self.ledger.df(schema.A9), self.day)

    def ledger_pairs(self) -> set[tuple[str, str]]:
        return set(zip(self.live[COMPUTER], self.live[NUMBER]))

    def found_pairs(self) -> set[tuple[str, str]]:
        return set(zip(self.found[COMPUTER], self.found[NUMBER]))

    def computer_cell(self, computer: str) -> dict:
        """Where a finding about a computer points: its 计算机编号 cell in 计算机."""
        if computer not in self.computers.index:
            return {}
        row = int(self.computers.loc[computer, ROW])
        table = self.ledger[schema.COMPUTERS]
        return {"sheet": table.name, "row": row, "column": COMPUTER, "cell": table.cell(row, COMPUTER)}

    def cell_at(self, sheet: str, row: int, column: str) -> dict:
        table = self.ledger[sheet]
        return {"sheet": table.name, "row": int(row), "column": column, "cell": table.cell(int(row), column)}
