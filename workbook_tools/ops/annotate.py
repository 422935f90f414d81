"""`check --annotate`: write the findings into the workbook (LEDGER_SPEC §3, last paragraph).

Rebuilds 校验结果 (one row per finding, the cell as a hyperlink), fills each flagged cell and
adds a note (author AUTHOR) where the cell has none.  The previous check's marks are removed
first: 校验结果 keeps, in the appended column 原填充, the cell format the cell had before the
tool painted it (`xf:N`, an id of the append-only styles.xml), so the next run puts exactly
that format back — unless the user has recoloured the cell since.  The user's own fills and
notes are never removed.  Only the flagged cells' formats, the notes of the annotated sheets
and 校验结果 change; nothing else of the workbook is rewritten.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from lxml import etree
from openpyxl.styles import Alignment, Font
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from workbook_tools.core import schema
from workbook_tools.core.a1 import parse_ref
from workbook_tools.core.model import SEVERITY_TEXT, Change, Finding, Note, Severity
from workbook_tools.rules.engine import CheckResult
from workbook_tools.xlsx.newbook import put, style_header

if TYPE_CHECKING:  # the edit API the plans are written against; tasks/ applies them through files.writer
    from workbook_tools.xlsx.book import Book, TableEdit

AUTHOR = "正版化台账校验"
ACTION = "校验标注"
HIGHLIGHT = {Severity.ERROR: "FFFFC7CE", Severity.WARNING: "FFFFEB9C"}
ORIGINAL_FILL = "原填充"   # appended to 校验结果 (docs/check.md 「对规范的补充」)
HEADERS = (*schema.BY_NAME[schema.RESULTS].headers, ORIGINAL_FILL)
WIDTHS = (24, 8, 28, 10, 80, 12)
NOTE_SIZE = (320, 120)
NO_FILL = "无"
XF_PREFIX = "xf:"
_ADDRESS = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _fill_xml(pattern: str | None, fg: str | None = None, bg: str | None = None) -> etree._Element:
    fill = etree.Element(f"{{{MAIN_NS}}}fill")
    pf = etree.SubElement(fill, f"{{{MAIN_NS}}}patternFill")
    pf.set("patternType", pattern or "none")
    for tag, rgb in (("fgColor", fg), ("bgColor", bg)):
        if rgb:
            etree.SubElement(pf, f"{{{MAIN_NS}}}{tag}").set("rgb", rgb)
    return fill


def highlight_fill(severity: Severity) -> etree._Element:
    return _fill_xml("solid", HIGHLIGHT[severity], HIGHLIGHT[severity])


def _legacy_fill(text: str) -> etree._Element:
    """原填充 as written by earlier versions: 无, or the pattern and colours as JSON."""
    try:
        data = json.loads(text) if text != NO_FILL else {}
    except ValueError:
        data = {}
    colour = {k: (v or {}).get("value") if (v or {}).get("type") == "rgb" else None
              for k, v in (("fg", data.get("fg")), ("bg", data.get("bg")))}
    return _fill_xml(data.get("fill"), colour["fg"], colour["bg"])


def _previous_marks(book: Book) -> list[tuple[str, str, str | None]]:
    """(sheet, cell, original format or None) of each row the previous annotation wrote."""
    if not book.has(schema.RESULTS):
        return []
    rows = book.raw(schema.RESULTS)
    header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]
    if not all(h in header for h in ("表", "单元格")):
        return []
    sheet_i, cell_i = header.index("表"), header.index("单元格")
    fill_i = header.index(ORIGINAL_FILL) if ORIGINAL_FILL in header else None
    marks = []
    for row in rows[1:]:
        sheet, cell = (row[i] if i < len(row) else None for i in (sheet_i, cell_i))
        if sheet and cell and _ADDRESS.match(str(cell)):
            original = row[fill_i] if fill_i is not None and fill_i < len(row) else None
            marks.append((str(sheet), str(cell), str(original) if original not in (None, "") else None))
    return marks


def _sheet(book: Book, name: str) -> TableEdit | None:
    if name not in schema.BY_NAME or name == schema.RESULTS or not book.has(name):
        return None
    try:
        return book.table(name)
    except Exception:  # noqa: BLE001 - a sheet whose header cannot be found is simply not annotated
        return None


def _is_highlight(book: Book, style: int) -> bool:
    return book.styles.solid_rgb(style) in HIGHLIGHT.values()


def _always(style: int) -> Callable[[int], int]:
    """A restyle that sets one style id whatever the cell had."""
    return lambda _old: style


def clear_previous(book: Book, sheets: set[str]) -> tuple[int, dict[tuple[str, str], int]]:
    """Undo the previous annotation's fills and notes: (cells touched, restored format per cell)."""
    touched: set[tuple[str, str]] = set()
    restored: dict[tuple[str, str], int] = {}
    marks = _previous_marks(book)
    for name in sheets | {m[0] for m in marks}:
        table = _sheet(book, name)
        if table is not None:
            touched |= {(name, ref) for ref in book.sheet_notes(table).remove_by(AUTHOR)}
    for name, address, original in marks:
        table = _sheet(book, name)
        if table is None or not original:
            continue
        row, col = parse_ref(address)
        current = table.style_at(row, col)
        if not _is_highlight(book, current):
            continue   # recoloured by the user since: keep theirs
        if original.startswith(XF_PREFIX) and original[len(XF_PREFIX):].isdigit():
            back = int(original[len(XF_PREFIX):])
        else:
            back = book.styles.with_fill(current, _legacy_fill(original))
        table.restyle(row, col, _always(back))
        restored[(name, address)] = back
        touched.add((name, address))
    return len(touched), restored


def _in_merge(table: TableEdit, row: int, col: int) -> bool:
    return any(r1 <= row <= r2 and c1 <= col <= c2 and (row, col) != (r1, c1) for r1, c1, r2, c2 in table.merged())


def _note(findings: list[Finding]) -> Note:
    lines = [f"[{f.rule}] {f.message}" for f in findings]
    return Note(ref="", text=f"{AUTHOR}：\n" + "\n".join(lines), width=NOTE_SIZE[0],
                height=NOTE_SIZE[1] + 40 * (len(lines) - 1))


def mark_cells(book: Book, findings: Iterable[Finding], restored: dict[tuple[str, str], int]) -> dict[tuple[str, str], str]:
    """Fill and note every flagged cell; returns (sheet, cell) -> its format before, as 原填充 text."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet and f.cell and _ADDRESS.match(f.cell):
            groups.setdefault((f.sheet, f.cell), []).append(f)
    originals = {}
    for (name, address), group in groups.items():
        table = _sheet(book, name)
        row, col = parse_ref(address)
        if table is None or _in_merge(table, row, col):
            continue
        before = restored.get((name, address), table.style_at(row, col))
        originals[(name, address)] = f"{XF_PREFIX}{before}"
        worst = Severity.ERROR if any(f.severity is Severity.ERROR for f in group) else Severity.WARNING
        painted = book.styles.with_fill(before, highlight_fill(worst))
        table.restyle(row, col, _always(painted))
        notes = book.sheet_notes(table)
        if address not in notes.refs():
            note = _note(group)
            note.ref = address
            notes.add(note, AUTHOR)
    return originals


def build_results(ws: Worksheet, findings: list[Finding], originals: dict[tuple[str, str], str],
                  sheets: set[str]) -> None:
    for j, (header, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        style_header(put(ws, 1, j, header))
        ws.column_dimensions[ws.cell(1, j).column_letter].width = width
    ws.freeze_panes = "A2"
    link_font = Font(color="0563C1", underline="single")
    pending = dict(originals)
    for i, f in enumerate(findings, start=2):
        values = (f.rule, SEVERITY_TEXT[f.severity], f.sheet, f.cell, f.message,
                  pending.pop((f.sheet, f.cell), None) if f.sheet and f.cell else None)
        for j, value in enumerate(values, start=1):
            put(ws, i, j, value)
        ws.cell(i, 5).alignment = Alignment(wrap_text=True, vertical="top")
        if f.sheet and f.cell and f.sheet in sheets:
            link = ws.cell(i, 4)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_sheetname(f.sheet)}!{f.cell}")
            link.font = link_font


def annotate_edit(result: CheckResult) -> Callable[[Book], list[Change]]:
    def edit(book: Book) -> list[Change]:
        had_results = book.has(schema.RESULTS) and len(book.raw(schema.RESULTS)) > 1
        flagged = {f.sheet for f in result.findings if f.sheet}
        cleared, restored = clear_previous(book, flagged)
        originals = mark_cells(book, result.findings, restored)
        if not (result.findings or cleared or had_results):
            return []
        names = set(book.sheet_names)
        book.generate(schema.RESULTS, lambda ws: build_results(ws, result.findings, originals, names))
        counts = result.counts
        return [Change(action=ACTION, sheet=schema.RESULTS, content=(
            f"写入校验结果 {len(result.findings)} 条（错误 {counts['error']}，警告 {counts['warning']}），"
            f"标记 {len(originals)} 个单元格，清除上次标记 {cleared} 个单元格"))]
    return edit
