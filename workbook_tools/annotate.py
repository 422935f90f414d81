"""`check --annotate`: write the findings into the workbook (LEDGER_SPEC §3, last paragraph).

Rebuilds 校验结果 (one row per finding, the cell as a hyperlink), fills each flagged cell and
adds a note (author AUTHOR) where the cell has none.  The previous check's marks are removed
first: 校验结果 keeps, in the appended column 原填充, the fill a cell had before the tool
painted it, so the next run restores it — unless the user has recoloured the cell since.
The user's own fills and comments are never removed.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Color, Font, PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from workbook_tools import schema
from workbook_tools.io.sheets import style_header
from workbook_tools.io.writer import WriteResult, write_workbook
from workbook_tools.model import Change, Finding, Severity
from workbook_tools.rules.engine import CheckResult

AUTHOR = "正版化台账校验"
ACTION = "校验标注"
HIGHLIGHT = {Severity.ERROR: "FFFFC7CE", Severity.WARNING: "FFFFEB9C"}
SEVERITY_TEXT = {Severity.ERROR: "错误", Severity.WARNING: "警告"}
ORIGINAL_FILL = "原填充"   # appended to 校验结果 (docs/check.md 「对规范的补充」)
HEADERS = (*schema.BY_NAME[schema.RESULTS].headers, ORIGINAL_FILL)
WIDTHS = (24, 8, 28, 10, 80, 12)
NOTE_SIZE = (320, 120)
_ADDRESS = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")


def _color(color: Color | None) -> dict | None:
    if color is None:
        return None
    return {"type": color.type, "value": color.value, "tint": color.tint}


def _uncolor(data: dict | None) -> Color | None:
    if not data:
        return None
    return Color(**{data["type"]: data["value"]}, tint=data.get("tint") or 0.0)


def is_pattern(fill: object) -> bool:
    """A pattern fill (cells return their style through a proxy, so no isinstance)."""
    return getattr(fill, "tagname", None) == "patternFill"


NO_FILL = "无"


def fill_to_text(fill: object) -> str:
    """The fill a cell had, as kept in 原填充: 无, or the pattern and colours as JSON."""
    if not is_pattern(fill) or not fill.fill_type:
        return NO_FILL
    return json.dumps({"fill": fill.fill_type, "fg": _color(fill.fgColor), "bg": _color(fill.bgColor)},
                      separators=(",", ":"))


def fill_from_text(text: str) -> PatternFill:
    try:
        data = json.loads(text) if text != NO_FILL else {}
    except ValueError:
        data = {}
    if not data.get("fill"):
        return PatternFill(fill_type=None)
    return PatternFill(fill_type=data["fill"], fgColor=_uncolor(data.get("fg")), bgColor=_uncolor(data.get("bg")))


def is_highlight(fill: object) -> bool:
    if not is_pattern(fill) or fill.fill_type != "solid" or fill.fgColor is None:
        return False
    return fill.fgColor.type == "rgb" and str(fill.fgColor.value).upper() in HIGHLIGHT.values()


def _previous_marks(wb: Workbook) -> list[tuple[str, str, str | None]]:
    """(sheet, cell, original fill or None) of each row the previous annotation wrote."""
    if schema.RESULTS not in wb.sheetnames:
        return []
    ws = wb[schema.RESULTS]
    header = [c.value for c in ws[1]]
    if not all(h in header for h in ("表", "单元格")):
        return []
    sheet_i, cell_i = header.index("表"), header.index("单元格")
    fill_i = header.index(ORIGINAL_FILL) if ORIGINAL_FILL in header else None
    marks = []
    for row in ws.iter_rows(min_row=2, values_only=True):
        sheet, cell = row[sheet_i], row[cell_i]
        if sheet and cell and _ADDRESS.match(str(cell)):
            original = row[fill_i] if fill_i is not None and fill_i < len(row) else None
            marks.append((str(sheet), str(cell), original or None))
    return marks


def clear_previous(wb: Workbook) -> int:
    """Undo the previous annotation's fills and notes; returns how many cells were touched."""
    touched = set()
    for sheet, address, original in _previous_marks(wb):
        if sheet not in wb.sheetnames or sheet == schema.RESULTS:
            continue
        cell = wb[sheet][address]
        if isinstance(cell, MergedCell):
            continue
        if cell.comment is not None and cell.comment.author == AUTHOR:
            cell.comment = None
            touched.add((sheet, address))
        if original and is_highlight(cell.fill):
            cell.fill = fill_from_text(original)
            touched.add((sheet, address))
    return len(touched)


def _note(findings: list[Finding]) -> Comment:
    lines = [f"[{f.rule}] {f.message}" for f in findings]
    note = Comment(f"{AUTHOR}：\n" + "\n".join(lines), AUTHOR)
    note.width, note.height = NOTE_SIZE[0], NOTE_SIZE[1] + 40 * (len(lines) - 1)
    return note


def mark_cells(wb: Workbook, findings: Iterable[Finding]) -> dict[tuple[str, str], str]:
    """Fill and note every flagged cell; returns (sheet, cell) -> its fill before."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        if f.sheet and f.cell and f.sheet in wb.sheetnames and f.sheet != schema.RESULTS:
            groups.setdefault((f.sheet, f.cell), []).append(f)
    originals = {}
    for (sheet, address), group in groups.items():
        cell = wb[sheet][address]
        if isinstance(cell, MergedCell) or not is_pattern(cell.fill):
            continue
        originals[(sheet, address)] = fill_to_text(cell.fill)
        worst = Severity.ERROR if any(f.severity is Severity.ERROR for f in group) else Severity.WARNING
        cell.fill = PatternFill("solid", fgColor=HIGHLIGHT[worst], bgColor=HIGHLIGHT[worst])
        if cell.comment is None:
            cell.comment = _note(group)
    return originals


def _result_sheet(wb: Workbook) -> Worksheet:
    index = wb.sheetnames.index(schema.RESULTS) if schema.RESULTS in wb.sheetnames else len(wb.sheetnames)
    if schema.RESULTS in wb.sheetnames:
        wb.remove(wb[schema.RESULTS])
    ws = wb.create_sheet(schema.RESULTS, index)
    for j, (header, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        style_header(ws.cell(1, j, header))
        ws.column_dimensions[ws.cell(1, j).column_letter].width = width
    ws.freeze_panes = "A2"
    return ws


def write_results(wb: Workbook, findings: list[Finding], originals: dict[tuple[str, str], str]) -> None:
    ws = _result_sheet(wb)
    link_font = Font(color="0563C1", underline="single")
    pending = dict(originals)
    for i, f in enumerate(findings, start=2):
        values = (f.rule, SEVERITY_TEXT[f.severity], f.sheet, f.cell, f.message,
                  pending.pop((f.sheet, f.cell), None) if f.sheet and f.cell else None)
        for j, value in enumerate(values, start=1):
            ws.cell(i, j, value)
        ws.cell(i, 5).alignment = Alignment(wrap_text=True, vertical="top")
        if f.sheet and f.cell and f.sheet in wb.sheetnames:
            link = ws.cell(i, 4)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"{quote_sheetname(f.sheet)}!{f.cell}")
            link.font = link_font


def annotate_edit(result: CheckResult):
    def edit(wb: Workbook) -> list[Change]:
        had_results = schema.RESULTS in wb.sheetnames and wb[schema.RESULTS].max_row > 1
        cleared = clear_previous(wb)
        originals = mark_cells(wb, result.findings)
        write_results(wb, result.findings, originals)
        if not (result.findings or cleared or had_results):
            return []
        counts = result.counts
        return [Change(action=ACTION, sheet=schema.RESULTS, content=(
            f"写入校验结果 {len(result.findings)} 条（错误 {counts['error']}，警告 {counts['warning']}），"
            f"标记 {len(originals)} 个单元格，清除上次标记 {cleared} 个单元格"))]
    return edit


def annotate(path: str | Path, result: CheckResult, expected_sha: str | None = None) -> WriteResult:
    """Write `result` into the workbook at `path` through the safe writer."""
    return write_workbook(path, annotate_edit(result), ACTION, expected_sha=expected_sha)
