"""Which computer of the register a scanned host name is (LEDGER_SPEC §9).

The 计算机 register's appended column 主机名 is matched first (several names may be listed,
separated by commas, semicolons, 、 or spaces — e.g. after a rename), then 计算机编号 itself.
Comparison ignores case and a DNS suffix (pc-001.example.local = PC-001).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TypeVar

import pandas as pd

from workbook_tools.core import schema

_H = TypeVar("_H")

COMPUTER = "计算机编号"
HOSTNAME = "主机名"
_SEPARATORS = re.compile(r"[,，;；、\s]+")


def host_key(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip().casefold()


def _short(key: str) -> str:
    return key.split(".", 1)[0] if "." in key and not key.replace(".", "").isdigit() else key


class HostIndex:
    """Lookup from a scanned host name to a 计算机编号 (None when the register lacks it)."""

    def __init__(self, computers: pd.DataFrame):
        self.by_host: dict[str, str] = {}
        self.by_id: dict[str, str] = {}
        for number, hosts in zip(computers[COMPUTER].tolist(), computers[HOSTNAME].tolist()):
            if number is None or pd.isna(number):
                continue
            self.by_id.setdefault(host_key(number), number)
            for host in _SEPARATORS.split(host_key(hosts)):
                if host:
                    self.by_host.setdefault(host, number)
                    self.by_host.setdefault(_short(host), number)

    def resolve(self, host: object) -> str | None:
        key = host_key(host)
        if not key:
            return None
        for table in (self.by_host, self.by_id):
            for candidate in (key, _short(key)):
                if candidate in table:
                    return table[candidate]
        return None

    def resolve_all(self, hosts: Iterable[_H]) -> dict[_H, str | None]:
        return {h: self.resolve(h) for h in dict.fromkeys(hosts)}


def host_index(ledger) -> HostIndex:
    return HostIndex(ledger.df(schema.COMPUTERS))
