"""The in-memory ledger: one typed DataFrame per sheet, each row remembering its worksheet row."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from workbook_tools.core import schema
from workbook_tools.core.a1 import MAX_ROW, a1
from workbook_tools.core.model import Finding, LedgerError
from workbook_tools.core.values import parse_date_text

ROW = "_row"  # column holding the 1-based worksheet row of each data row


@dataclass
class Table:
    """One sheet's data rows.

    `df` has one column per schema header (always all of them, empty where the
    sheet lacks an optional one) plus ROW.  Values are typed per the schema:
    text/id/version/term/enum -> str or None, date -> Timestamp/NaT,
    money/count -> float/NaN.
    """

    spec: schema.Sheet
    df: pd.DataFrame
    header_row: int = 1
    columns: dict[str, int] = field(default_factory=dict)  # header -> 0-based sheet column
    extra_columns: list[str] = field(default_factory=list)  # the user's own columns, kept untouched
    present: bool = True                                    # False when the sheet is absent

    @property
    def name(self) -> str:
        return self.spec.name

    def cell(self, row: int | None, header: str | None) -> str | None:
        """A1 address of (worksheet row, header), None when either is unknown."""
        if row is None or header is None or header not in self.columns:
            return None
        return a1(int(row), self.columns[header])

    def __len__(self) -> int:
        return len(self.df)

    def last_row(self) -> int:
        """Worksheet row of the last data row (the header row when there is none)."""
        return int(self.df[ROW].max()) if len(self.df) else self.header_row

    def ensure_room(self, count: int = 1) -> None:
        """Refuse (exit 1) before a write that would append `count` rows past Excel's last row."""
        last = self.last_row()
        if last + count <= MAX_ROW:
            return
        row = self.df[self.df[ROW] == last].iloc[0] if len(self.df) else None
        filled = [h for h in self.spec.headers if row is not None and h in self.columns and pd.notna(row[h])]
        where = f"（{self.cell(last, filled[0])} 有内容）" if filled else ""
        raise LedgerError(f"「{self.name}」的数据已到第 {last:,} 行{where}，工作表最多 {MAX_ROW:,} 行，"
                          f"无法再追加 {count} 行；请删除表格下方远处多余的内容后再试", 1)


@dataclass
class Ledger:
    tables: dict[str, Table]
    settings: dict[str, str]
    findings: list[Finding] = field(default_factory=list)  # TYPE-* found while reading
    path: Path | None = None
    sha256: str | None = None
    sheet_names: list[str] = field(default_factory=list)   # every sheet of the workbook, in order
    settings_table: Table | None = None                     # 设置 as rows (项目, 值), to locate a key's cell
    stored: list[Finding] = field(default_factory=list)     # 校验结果 of the last annotated check/scan, read on request

    def __getitem__(self, name: str) -> Table:
        return self.tables[schema.sheet(name).name]

    def df(self, name: str) -> pd.DataFrame:
        return self[name].df

    def setting(self, key: str, default: str = "") -> str:
        value = self.settings.get(key)
        return default if value in (None, "") else str(value)

    def prefix(self, software_type: str) -> str:
        key = {"商业软件": "商业软件编号前缀", "OEM软件": "OEM软件编号前缀", "免费软件": "免费软件编号前缀"}[software_type]
        default = dict(schema.SETTING_KEYS)[key]
        return self.setting(key, default)

    def last_rollup(self) -> dt.date | None:
        raw = self.settings.get("上次半年更新日期")
        if raw in (None, ""):
            return None
        if isinstance(raw, (dt.date, dt.datetime)):
            return raw if not isinstance(raw, dt.datetime) else raw.date()
        return parse_date_text(str(raw))
