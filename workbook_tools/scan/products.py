"""One product, several ledger numbers: a scanned installation is reconciled against all of them.

A product bought in two batches (Office 2019 of 2024 and of 2026) stands on two 附件7 rows with two
numbers (台账管理规定 一.3), and a computer holds one of them.  A scan cannot tell the batches apart,
so an entry that the name dictionary maps to one number of a product is taken as the number of the
same product (same 软件名称) that is installed on that computer and whose version covers the scanned
one.  A 软件名称对照 rule may therefore name the product (its 软件名称) instead of one number.
"""
from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from workbook_tools.core.licence import same_version, version_covered, version_key
from workbook_tools.rules.context import norm_key

COMMERCIAL = "商业软件"


def _is_year(key: tuple[int, ...]) -> bool:
    return bool(key) and 1990 <= key[0] <= 2099


def versions_agree(ledger_version: object, scanned: object) -> bool:
    """Same version, or one is a more precise form of the other (2019 / 2019.1, 11.1 / 11.1.0.11830).

    A year (2019) and an internal build number (11.1.0.11830) cannot be compared: they agree.
    """
    if same_version(ledger_version, scanned):
        return True
    a, b = version_key(ledger_version), version_key(scanned)
    if not (a and b) or _is_year(a) != _is_year(b):
        return True
    return a == b[:len(a)] or b == a[:len(b)]


class Products:
    """附件7 numbers grouped by product (软件名称 compared as names are: NFKC, case and spaces folded)."""

    def __init__(self, software: pd.DataFrame, known: dict[str, str] | None = None):
        """`software`: 附件7 by 软件编号 (index), first row of every number; `known`: number -> the
        recognition library's product, which groups numbers whose 软件名称 differ (Office 2019 and Office
        LTSC 2021 are one product)."""
        self.software = software
        self.product_of: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}
        known = known or {}
        for number, name in zip(software.index, software["软件名称"]):
            key = f"\0{known[number]}" if number in known else norm_key(name)
            if key:
                self.product_of[number] = key
                self.members.setdefault(key, []).append(number)

    def number_named(self, text: object) -> str | None:
        """The first number of the product whose 软件名称 is `text` (a rule naming a product), else None."""
        members = self.members.get(norm_key(text) or "")
        return members[0] if members else None

    def siblings(self, number: str) -> list[str]:
        """Every number of the product of `number` (itself first)."""
        others = self.members.get(self.product_of.get(number, ""), [])
        return [number, *(n for n in others if n != number)]

    def covers(self, number: str, versions: Iterable[str]) -> bool:
        """Does the licence/version of `number` cover one of the scanned versions (none scanned: yes)?"""
        versions = [v for v in versions if v]
        if not versions or number not in self.software.index:
            return True
        row = self.software.loc[number]
        if row["软件类型"] == COMMERCIAL:
            return any(version_covered(v, row["软件版本"], row["可使用版本"]) or versions_agree(row["软件版本"], v)
                       for v in versions)
        return pd.isna(row["软件版本"]) or any(versions_agree(row["软件版本"], v) for v in versions)

    def resolve(self, computer: str, number: str, versions: list[str], live: set[tuple[str, str]]) -> str:
        """The ledger number a scanned installation of `number`'s product on `computer` stands for."""
        if (computer, number) in live:
            return number
        family = self.siblings(number)
        if len(family) == 1:
            return number
        installed = [n for n in family if (computer, n) in live and self.covers(n, versions)]
        if installed:
            return installed[0]
        return next((n for n in family if self.covers(n, versions)), number)
