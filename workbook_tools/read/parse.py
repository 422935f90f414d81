"""From a sheet's raw 2-D values to a typed Table — no file access here.

The file reader (python-calamine) and the Excel layer (a live sheet's used range read
in one call) both feed this module, passing the position of the block's first cell
so that findings name the right cells.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from workbook_tools.core import schema
from workbook_tools.core.a1 import a1
from workbook_tools.core.clauses import clause
from workbook_tools.core.ledger import ROW, Ledger, Table
from workbook_tools.core.model import Finding, LedgerError, Severity
from workbook_tools.core.schema import Kind
from workbook_tools.core.values import is_blank
from workbook_tools.read.coerce import BAD, CONTROL_CHARS, EXCEL_MAX_TEXT, clean_text, coerce

HEADER_SEARCH_ROWS = 10
_WS = re.compile(r"[\s\u3000]+")

Rows = Sequence[Sequence[object]]


def norm_header(value: object) -> str:
    text = clean_text(value)
    return _WS.sub("", text) if text else ""


def find_header(rows: Rows, spec: schema.Sheet) -> tuple[int, dict[str, int]] | None:
    """(index of the header row, header -> column index), searching the first rows."""
    wanted = {norm_header(h): h for h in spec.headers}
    best: tuple[int, dict[str, int]] | None = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for j, value in enumerate(row):
            header = wanted.get(norm_header(value))
            if header is not None and header not in found:
                found[header] = j
        if found and (best is None or len(found) > len(best[1])):
            best = (i, found)
    if best is None or len(best[1]) < max(1, (len(spec.headers) + 1) // 2):
        return None
    return best


def _type_finding(spec: schema.Sheet, kind: Kind, header: str, row: int, col: int, raw: object) -> Finding:
    if kind in TEXT_KINDS:
        return _text_finding(spec, header, row, col, raw)
    if kind in (Kind.DATE, Kind.DATETIME, Kind.TERM):
        rule, what = "TYPE-DATE", "不是可识别的日期（可写 2024-03-05、2024/3/5、2024.3.5、2024年3月5日 或 Excel 日期）"
    else:
        rule, what = "TYPE-NUMBER", "不是可识别的非负数（可写 1200、1,200.50、¥1200、1.2万）"
        if kind is Kind.COUNT:
            what = "不是可识别的数量（可写 5、5个、5套、5份）"
    return Finding(rule=rule, severity=Severity.ERROR, sheet=spec.name, row=row, column=header, cell=a1(row, col),
                   message=f"{spec.short}「{header}」的值「{clean_text(raw)}」{what}（{clause(spec.name)}）")


# ids that sheets name each other by: matched in NFKC form (a full-width ＰＣ－０２１ is PC-021)
KEY_IDS = frozenset({"计算机编号", "软件编号", "申请编号", "确认单号", "选定软件编号", "依据申请编号"})


def _narrow(typed: np.ndarray) -> np.ndarray:
    """NFKC of each distinct id in place; mask of the ones that changed (written in full-width)."""
    changed = np.zeros(len(typed), dtype=bool)
    for i, value in enumerate(typed):
        if isinstance(value, str) and not value.isascii():
            narrow = unicodedata.normalize("NFKC", value).strip(_STRIP)
            if narrow != value and narrow:
                typed[i], changed[i] = narrow, True
    return changed


def _width_finding(spec: schema.Sheet, header: str, row: int, col: int, raw: object, narrow: object) -> Finding:
    return Finding(rule="ID-WIDTH", severity=Severity.WARNING, sheet=spec.name, row=row, column=header,
                   cell=a1(row, col), message=f"{spec.short}「{header}」的值「{clean_text(raw)}」与「{narrow}」只差全角/半角，"
                                              f"已按「{narrow}」比对；请改为半角（{clause(spec.name)}）")


def text_problem(text: str) -> str | None:
    """Why a text cannot be kept in an Excel cell as it is, or None."""
    if len(text) > EXCEL_MAX_TEXT:
        return f"有 {len(text):,} 个字符，超过 Excel 单元格最多 {EXCEL_MAX_TEXT:,} 个字符的限制"
    found = CONTROL_CHARS.search(text)
    if found:
        return f"含有控制字符 U+{ord(found.group()):04X}（不能保存在 Excel 文件中，读取时已去掉）"
    return None


def _text_finding(spec: schema.Sheet, header: str, row: int, col: int, raw: object) -> Finding:
    text = str(raw)
    shown = CONTROL_CHARS.sub("?", text[:20]) + ("…" if len(text) > 20 else "")
    return Finding(rule="TYPE-TEXT", severity=Severity.ERROR, sheet=spec.name, row=row, column=header,
                   cell=a1(row, col), message=f"{spec.short}「{header}」的值「{shown}」{text_problem(text)}")


def _typed_series(kind: Kind, values: list[object]) -> pd.Series:
    if kind in (Kind.DATE, Kind.DATETIME):
        return pd.to_datetime(pd.Series(values, dtype=object), errors="coerce")
    if kind in (Kind.MONEY, Kind.COUNT):
        return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype(float)
    return pd.Series(values, dtype=object)


def _block(rows: Rows, start: int) -> np.ndarray:
    """rows[start:] as a 2-D object array (short rows padded with None)."""
    body = rows[start:]
    lengths = set(map(len, body))
    width = max(lengths, default=0)
    if len(lengths) > 1:
        body = [list(r) + [None] * (width - len(r)) for r in body]
    out = np.empty((len(body), width), dtype=object)
    if len(body) and width:
        out[:] = body
    return out


TEXT_KINDS = (Kind.TEXT, Kind.ID, Kind.VERSION, Kind.ENUM)
_STRIP = " \u3000\t\r\n"


def _clean_texts(values: Sequence[object]) -> list[object]:
    """clean_text over many values, with the common cases (text, whole numbers) inline."""
    out: list[object] = []
    for v in values:
        if type(v) is str:
            out.append(v.strip(_STRIP) or None)
        elif type(v) is float and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(clean_text(v))
    return out


def _hides_bools(column: np.ndarray, uniques: Sequence[object]) -> bool:
    """True == 1 for hashing: booleans may hide behind the distinct numbers 0 and 1."""
    types = set(map(type, uniques))
    if bool in types:
        return True
    return bool(types & {int, float}) and any(type(v) is bool for v in column)


# None and BAD as 0-d object arrays: element-wise comparisons with them, in a form numpy's type stubs accept
_NONE = np.array(None, dtype=object)
_BAD = np.array(BAD, dtype=object)


def _objects(values: Sequence[object]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _coerced(kind: Kind, column: np.ndarray, date1904: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(codes, typed value per distinct raw value, blank mask): each distinct value is coerced once.

    None when the column holds booleans (they would be merged with the numbers 0 and 1).
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    uniques = list(uniques)
    if _hides_bools(column, uniques):
        return None
    typed = _objects(_clean_texts(uniques) if kind in TEXT_KINDS else coerce(kind, uniques, date1904))
    # a coercer gives None exactly for blank input; code -1 (None/NaN) is blank too
    blank = np.append(np.equal(typed, _NONE), True)[codes]
    return codes, typed, blank


def _bad(kind: Kind, typed: np.ndarray) -> np.ndarray:
    """Mask of the distinct values that could not be read; text fails when Excel could not hold it."""
    if kind in TEXT_KINDS:
        texts = [t for t in typed if type(t) is str]
        if not texts or (max(map(len, texts)) <= EXCEL_MAX_TEXT and not CONTROL_CHARS.search("\n".join(texts))):
            return np.zeros(len(typed), dtype=bool)   # the usual case, decided in two passes over C strings
        return np.fromiter((type(t) is str and text_problem(t) is not None for t in typed), dtype=bool,
                           count=len(typed))
    bad: np.ndarray = np.equal(typed, _BAD).astype(bool)
    return bad


def _kept_text(typed: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """Text values as the tables keep them: control characters removed, over-long text as it is."""
    out: np.ndarray = typed.copy()
    for i in np.flatnonzero(bad):
        out[i] = CONTROL_CHARS.sub("", out[i]) or None
    return out


def _nan_as_text(column: np.ndarray) -> np.ndarray:
    """A NaN read from a number or date cell is a value (`<v>NaN</v>`), not an empty cell: keep it as "NaN"."""
    nan = column != column     # only NaN differs from itself; empty cells are "" or None
    if not nan.any():
        return column
    column = column.copy()
    column[nan] = "NaN"
    return column


def _take(kind: Kind, typed: np.ndarray, bad: np.ndarray, codes: np.ndarray) -> pd.Series:
    """The typed column for the selected rows, converted once per distinct value."""
    if not len(typed):
        return _typed_series(kind, [None] * len(codes))
    clean = np.append(_kept_text(typed, bad) if kind in TEXT_KINDS else np.where(bad, _NONE, typed), _NONE)
    distinct = pd.Series(clean, dtype=object) if kind not in (Kind.DATE, Kind.DATETIME, Kind.MONEY, Kind.COUNT) \
        else _typed_series(kind, list(clean))
    return pd.Series(distinct.to_numpy()[np.where(codes < 0, len(typed), codes)], dtype=distinct.dtype)


def _slow_column(kind: Kind, raw: list[object], date1904: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fallback of `_coerced`: every value on its own (codes = positions)."""
    typed = _objects(coerce(kind, raw, date1904))
    blank = np.fromiter((is_blank(v) for v in raw), dtype=bool, count=len(raw))
    return np.arange(len(raw)), typed, blank


def _header_slot(spec: schema.Sheet, header: str, mapping: dict[str, int]) -> int | None:
    """Where a missing header should stand: right after the found header before it in the spec's
    order (or right before the one after it)."""
    order = spec.headers
    at = order.index(header)
    before = [mapping[h] for h in order[:at] if h in mapping]
    after = [mapping[h] for h in order[at + 1:] if h in mapping]
    slot = before[-1] + 1 if before else (after[0] - 1 if after else None)
    return slot if slot is not None and slot >= 0 and slot not in mapping.values() else None


def _missing_columns(spec: schema.Sheet, header_cells: Sequence[object], mapping: dict[str, int], missing: list[str],
                     row: int, first_col: int) -> str:
    """The sheet, the missing headers and, for each, the cell where it belongs and the text found there."""
    found = []
    for header in missing:
        slot = _header_slot(spec, header, mapping)
        if slot is None:
            continue
        text = clean_text(header_cells[slot]) if slot < len(header_cells) else None
        found.append(f"{a1(row, first_col + slot)} 是「{text}」" if text else f"{a1(row, first_col + slot)} 为空")
    where = f"：表头第 {row} 行 {'，'.join(found)}，应为「{'」「'.join(missing)}」" if found else f"（表头在第 {row} 行）"
    return f"工作表「{spec.name}」缺少列「{'」「'.join(missing)}」{where}"


def parse_table(spec: schema.Sheet, rows: Rows, first_row: int = 1, first_col: int = 0,
                date1904: bool = False) -> tuple[Table, list[Finding]]:
    """Parse one data sheet. `first_row`/`first_col` locate rows[0][0] in the worksheet (1-based row, 0-based col);
    `date1904`: serial numbers in date columns are of the 1904 date system."""
    found = find_header(rows, spec)
    if found is None:
        raise LedgerError(f"工作表「{spec.name}」的前 {HEADER_SEARCH_ROWS} 行中找不到表头（应有：{'、'.join(spec.headers)}）")
    h_index, mapping = found
    missing = [c.header for c in spec.columns if c.required and c.header not in mapping]
    if missing:
        raise LedgerError(_missing_columns(spec, rows[h_index], mapping, missing, first_row + h_index, first_col))
    header_cells = rows[h_index]
    extra = [clean_text(v) for j, v in enumerate(header_cells)
             if j not in mapping.values() and not is_blank(v)]
    block = _block(rows, h_index + 1)
    n, width = block.shape
    parsed: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for column in spec.columns:
        j = mapping.get(column.header)
        if j is not None and j < width:
            raw = block[:, j] if column.kind in TEXT_KINDS else _nan_as_text(block[:, j])
            block[:, j] = raw
            parsed[column.header] = (_coerced(column.kind, raw, date1904)
                                     or _slow_column(column.kind, list(raw), date1904))
    filled = np.zeros(n, dtype=bool)
    for _, _, blank in parsed.values():
        filled |= ~blank
    data_idx = np.flatnonzero(filled)
    row_numbers = (first_row + h_index + 1 + data_idx).tolist()
    findings: list[Finding] = []
    out: dict[str, pd.Series] = {}
    for column in spec.columns:
        if column.header not in parsed:
            out[column.header] = _typed_series(column.kind, [None] * len(data_idx))
            continue
        codes, typed, _ = parsed[column.header]
        codes = codes[data_idx]
        bad = _bad(column.kind, typed)
        j = mapping[column.header]
        for k in np.flatnonzero(np.append(bad, False)[codes]) if bad.any() else ():
            findings.append(_type_finding(spec, column.kind, column.header, row_numbers[k], first_col + j,
                                          block[data_idx[k], j]))
        if column.header in KEY_IDS and column.kind is Kind.ID:
            wide = _narrow(typed)
            for k in np.flatnonzero(np.append(wide, False)[codes]) if wide.any() else ():
                findings.append(_width_finding(spec, column.header, row_numbers[k], first_col + j,
                                               block[data_idx[k], j], typed[codes[k]]))
        out[column.header] = _take(column.kind, typed, bad, codes)
    df = pd.DataFrame(out, index=range(len(data_idx)))
    df[ROW] = pd.Series(row_numbers, dtype="int64")
    columns = {h: first_col + j for h, j in mapping.items()}
    table = Table(spec=spec, df=df, header_row=first_row + h_index, columns=columns,
                  extra_columns=[e for e in extra if e])
    return table, findings


def empty_table(spec: schema.Sheet) -> Table:
    table, _ = parse_table(spec, [list(spec.headers)]) if spec.columns else (None, [])
    assert table is not None, spec.name  # every data sheet has columns
    table.present = False
    return table


def parse_settings(rows: Rows) -> dict[str, str]:
    """Key/value pairs of 设置 (A: 项目, B: 值); dates become ISO text."""
    spec = schema.BY_NAME[schema.SETTINGS]
    found = find_header(rows, spec)
    start = found[0] + 1 if found else 0
    k_col = found[1].get("项目", 0) if found else 0
    v_col = found[1].get("值", 1) if found else 1
    settings: dict[str, str] = {}
    for row in rows[start:]:
        key = clean_text(row[k_col]) if k_col < len(row) else None
        if not key:
            continue
        value = row[v_col] if v_col < len(row) else None
        if isinstance(value, (dt.datetime, dt.date)):
            value = value.date() if isinstance(value, dt.datetime) else value
            settings[key] = value.isoformat()
        else:
            settings[key] = clean_text(value) or ""
    return settings


def parse_workbook(raw: Mapping[str, tuple[Rows, int, int]], sheet_names: list[str] | None = None,
                   skip: frozenset[str] = frozenset(), date1904: bool = False) -> Ledger:
    """Build a Ledger from {sheet name: (rows, first_row, first_col)} of every sheet present (but `skip`)."""
    tables: dict[str, Table] = {}
    findings: list[Finding] = []
    for spec in schema.data_sheets():
        if spec.kind is schema.SheetKind.SETTINGS:
            continue
        if spec.name not in raw:
            if spec.required and spec.name not in skip:
                raise LedgerError(f"工作簿缺少工作表「{spec.name}」")
            tables[spec.name] = empty_table(spec)
            continue
        rows, first_row, first_col = raw[spec.name]
        table, type_findings = parse_table(spec, rows, first_row, first_col, date1904)
        tables[spec.name] = table
        findings.extend(type_findings)
    if schema.SETTINGS not in raw:
        raise LedgerError(f"工作簿缺少工作表「{schema.SETTINGS}」")
    settings_raw = raw[schema.SETTINGS]
    settings = parse_settings(settings_raw[0])
    return Ledger(tables=tables, settings=settings, findings=findings,
                  sheet_names=list(sheet_names or raw.keys()), settings_table=settings_table(settings_raw))


def settings_table(raw: tuple[Rows, int, int]) -> Table | None:
    """设置 as a Table (项目, 值 and worksheet rows) so findings can name a key's cell; None without a header."""
    try:
        return parse_table(schema.BY_NAME[schema.SETTINGS], *raw)[0]
    except LedgerError:
        return None
