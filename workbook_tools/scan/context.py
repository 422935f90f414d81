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
from workbook_tools.scan import library as lib
from workbook_tools.scan.files import FILE, HOST, LINE, NAME, PUBLISHER, SOURCE, VERSION, ScanSet
from workbook_tools.scan.hosts import HostIndex, host_index
from workbook_tools.scan.products import Products
from workbook_tools.scan.rules import IGNORE, MAP, RuleSet, load_rules

COMPUTER, NUMBER = "计算机编号", "软件编号"
KEY = "_key"          # 计算机编号, or "?host" for a host the register lacks
SCAN_VERSION = "version"
PRODUCT, TOOL, KIND = "product", "tool", "kind"   # the library's product / activator tool; 激活 or 痕迹 rows
EVIDENCE = "证据"     # action of 激活/痕迹 rows and of installed activators: neither installations nor unmapped
ACTIVATION, TRACE = "激活", "痕迹"


def _merge_same(found: pd.DataFrame) -> pd.DataFrame:
    """Rows that now name the same (计算机编号, 软件编号): one row, the first place, all versions."""
    if not found.duplicated([COMPUTER, NUMBER]).any():
        return found
    grouped = found.groupby([COMPUTER, NUMBER], sort=True)
    merged = grouped[[FILE, LINE, NAME, "install_date"]].first()
    merged["versions"] = grouped["versions"].agg(lambda s: list(dict.fromkeys(v for vs in s for v in vs)))
    return merged.reset_index()


class ScanContext:
    def __init__(self, ledger: Ledger, scans: ScanSet, day: dt.date, library: lib.Library | None = None):
        self.ledger, self.scans, self.day = ledger, scans, day
        self.rules: RuleSet
        self.rule_findings: list[Finding]
        self.rules, self.rule_findings = load_rules(ledger)
        self.index: HostIndex = host_index(ledger)
        self.library: lib.Library = library if library is not None else lib.shipped()
        self.rule_findings += [_library_problem(p, ledger) for p in self.library.problems]

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
        self._recognise(df)
        return df

    def _recognise(self, df: pd.DataFrame) -> None:
        """Evidence rows (激活, 痕迹:*) set aside; what no rule matched, looked up in the library."""
        sources = df[SOURCE].fillna("").astype(str)
        kinds = [ACTIVATION if s == ACTIVATION else TRACE if s.startswith(TRACE) else None for s in sources]
        df[KIND] = pd.Series(kinds, index=df.index, dtype=object)
        df[PRODUCT] = pd.Series(None, index=df.index, dtype=object)
        df[TOOL] = pd.Series(None, index=df.index, dtype=object)
        evidence = df[KIND].notna()
        df.loc[evidence, "action"] = EVIDENCE
        df.loc[evidence, NUMBER] = None
        open_rows = df.index[df["action"].isna()]
        cache: dict[tuple, tuple] = {}
        updates = []
        for i, name, publisher, source, shown in zip(open_rows, df.loc[open_rows, NAME].tolist(),
                                                      df.loc[open_rows, PUBLISHER].tolist(),
                                                      sources.loc[open_rows].tolist(), df.loc[open_rows, VERSION].tolist()):
            key = (name, publisher, source)
            if key not in cache:
                cache[key] = self._look_up(name, publisher, source)
            action, number, product, tool, versioned = cache[key]
            version = (versioned.version(name, shown) if versioned is not None else None)
            updates.append((i, action, number, product, tool, version))
        if updates:
            idx = [u[0] for u in updates]
            for j, column in enumerate(("action", NUMBER, PRODUCT, TOOL, SCAN_VERSION), start=1):
                df.loc[idx, column] = pd.Series([u[j] for u in updates], index=idx, dtype=object)

    def _look_up(self, name: object, publisher: object, source: str) -> tuple:
        """(action, number, product key, tool, product for the version) of an entry no rule matched."""
        tool = self.library.tool(name)
        if tool is not None:
            return EVIDENCE, None, None, tool, None
        package = source.split(":", 1)[1] if source.startswith(("dpkg:", "rpm:", "应用商店:")) else None
        product = self.library.classify(name, publisher, package)
        if product is None:
            return None, None, None, None, None
        if product.ignore:
            return IGNORE, None, product.key, None, None
        numbers = self.numbers_of(product.key)
        return (MAP if numbers else None), (numbers[0] if numbers else None), product.key, None, product

    @cached_property
    def number_product(self) -> dict[str, str]:
        """附件7 number -> the library product its 软件名称 names (numbers the library does not know are absent)."""
        out = {}
        for number, name, version in zip(self.software.index, self.software["软件名称"], self.software["软件版本"]):
            # 「Windows」 version 10 names Windows 10: the name alone, else the name with its version
            product = self.library.product_named(name) or self.library.product_named(f"{show(name)} {show(version)}")
            if product is not None:
                out[number] = product.key
        return out

    def numbers_of(self, key: str) -> list[str] | None:
        """附件7 numbers of a library product; else those of the product it is an edition of, when the clerk
        registered the family by its general name (「Microsoft Office」 2019 for 专业增强版 2019)."""
        numbers = self.product_numbers.get(key)
        if numbers:
            return numbers
        parents = [k for k in self.product_numbers if key.startswith(k + " ")]
        return self.product_numbers[max(parents, key=len)] if parents else None

    @cached_property
    def product_numbers(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for number, key in self.number_product.items():
            out.setdefault(key, []).append(number)
        return out

    @cached_property
    def mapped(self) -> pd.DataFrame:
        df = self.entries
        return df[(df["action"] == MAP) & df[NUMBER].notna()]

    @cached_property
    def products(self) -> Products:
        return Products(self.software, self.number_product)

    @cached_property
    def targets(self) -> frozenset[str]:
        """Numbers the scans can see: those the rules map to, every number of the same products, and every
        number of a product the library knows."""
        ruled = {n for t in self.rules.targets for n in self.products.siblings(t)}
        return frozenset(ruled | set(self.number_product))

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

    @cached_property
    def _computer_rows(self) -> dict[str, int]:
        return {number: int(row) for number, row in zip(self.computers.index, self.computers[ROW])}

    def computer_cell(self, computer: str) -> dict:
        """Where a finding about a computer points: its 计算机编号 cell in 计算机."""
        row = self._computer_rows.get(computer)
        if row is None:
            return {}
        table = self.ledger[schema.COMPUTERS]
        return {"sheet": table.name, "row": row, "column": COMPUTER, "cell": table.cell(row, COMPUTER)}

    def cell_at(self, sheet: str, row: int, column: str) -> dict:
        table = self.ledger[sheet]
        return {"sheet": table.name, "row": int(row), "column": column, "cell": table.cell(int(row), column)}


def _library_problem(problem: lib.LibraryProblem, ledger: Ledger) -> Finding:
    from workbook_tools.scan import codes  # noqa: PLC0415

    return codes.make(codes.RULE_INVALID, f"软件识别库 {problem.file} 第 {problem.line} 行无法使用：{problem.message}"
                      "（该行已跳过；日常使用管理规定 四.2）", scan_file=problem.file, scan_line=problem.line)
