"""The inspection report by department (日常使用管理规定 四.1: 通报检查结果).

`dept_summary` counts, per 处室/窗口, the computers in use, how many were scanned, and the
findings about their computers; `report_workbook` lays the summary, every finding and the
unmapped names out in a separate workbook (never the ledger) that 网络平台处 can circulate.
"""
from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel, Field

from workbook_tools.core import schema
from workbook_tools.read.coerce import CONTROL_CHARS, EXCEL_MAX_TEXT
from workbook_tools.scan import codes
from workbook_tools.scan.context import ScanContext, show
from workbook_tools.scan.reconcile import in_use
from workbook_tools.scan.result import ScanResult
from workbook_tools.xlsx.newbook import style_header

NO_DEPT = "（未填写部门）"
UNKNOWN = "（未登记的计算机）"
TOTAL = "合计"
SEVERITY_TEXT = {"error": "错误", "warning": "警告"}
COUNTED = {codes.UNREGISTERED: "unregistered", codes.MISSING: "missing", codes.VERSION: "version",
           codes.PIRACY: "piracy", codes.PERSONAL_EDITION: "personal", codes.FREE_NOT_LISTED: "free",
           codes.IRRELEVANT: "irrelevant", codes.EDITION: "edition"}
SUMMARY_HEADERS = ("部门", "在用计算机", "已扫描", "未扫描", "私自安装", "已卸载未登记", "版本不符", "盗版迹象", "个人版",
                   "未列入附件6", "与工作无关", "激活版本不符", "有问题的计算机")
COUNTS = ("in_use", "scanned", "not_scanned", "unregistered", "missing", "version", "piracy", "personal", "free",
          "irrelevant", "edition")


class DeptRow(BaseModel):
    dept: str
    in_use: int = 0
    scanned: int = 0
    not_scanned: int = 0
    unregistered: int = 0
    missing: int = 0
    version: int = 0
    piracy: int = 0
    personal: int = 0
    free: int = 0
    irrelevant: int = 0
    edition: int = 0
    problem_computers: list[str] = Field(default_factory=list)

    def cells(self) -> list[object]:
        return [self.dept, *(getattr(self, f) for f in COUNTS), "、".join(self.problem_computers)]


def _dept_of(ctx: ScanContext, computer: str) -> str:
    if computer not in ctx.computers.index:
        return UNKNOWN
    return show(ctx.computers.loc[computer, "使用部门"]) or NO_DEPT


def _ordered(ctx: ScanContext, names: set[str]) -> list[str]:
    registered = [n for n in ctx.ledger.df(schema.DEPTS)["部门名称"].dropna() if n in names]
    rest = sorted(n for n in names if n not in registered and n not in (NO_DEPT, UNKNOWN))
    return list(dict.fromkeys(registered + rest + [n for n in (NO_DEPT, UNKNOWN) if n in names]))


def dept_summary(result: ScanResult, ctx: ScanContext) -> list[DeptRow]:
    """One row per department with computers in use or findings, then the unknown computers, then 合计."""
    rows: dict[str, DeptRow] = {}
    for computer in in_use(ctx.computers, ctx.day).index:
        row = rows.setdefault(_dept_of(ctx, computer), DeptRow(dept=_dept_of(ctx, computer)))
        row.in_use += 1
        row.scanned += computer in ctx.scanned
        row.not_scanned += computer not in ctx.scanned
    for issue in result.issues:
        if issue.computer is None:
            continue
        dept = _dept_of(ctx, issue.computer) if issue.known else UNKNOWN
        row = rows.setdefault(dept, DeptRow(dept=dept))
        if not issue.known:
            row.scanned += 1
        if issue.finding.rule in COUNTED:
            setattr(row, COUNTED[issue.finding.rule], getattr(row, COUNTED[issue.finding.rule]) + 1)
            if issue.computer not in row.problem_computers:
                row.problem_computers.append(issue.computer)
    ordered = [rows[name] for name in _ordered(ctx, set(rows))]
    return ordered + [_total(ordered)]


def _total(rows: list[DeptRow]) -> DeptRow:
    total = DeptRow(dept=TOTAL)
    for field in COUNTS:
        setattr(total, field, sum(getattr(r, field) for r in rows))
    total.problem_computers = [f"{sum(len(r.problem_computers) for r in rows)} 台"]
    return total


def summary_lines(rows: list[DeptRow]) -> list[str]:
    """The summary by department as lines: the totals, then only the departments with something to say."""
    *depts, total = rows
    out = [f"各部门检查情况（日常使用管理规定 四.1）：在用计算机 {total.in_use} 台，已扫描 {total.scanned} 台，"
           f"未扫描 {total.not_scanned} 台；有问题的计算机 {sum(len(r.problem_computers) for r in depts)} 台"]
    quiet = 0
    for row in depts:
        counts = [(header, getattr(row, field)) for header, field in zip(SUMMARY_HEADERS[4:-1], COUNTS[3:])]
        said = [f"{header} {n}" for header, n in counts if n]
        if row.not_scanned:
            said.insert(0, f"未扫描 {row.not_scanned}")
        if not said:
            quiet += 1
            continue
        who = f"（{'、'.join(row.problem_computers)}）" if row.problem_computers else ""
        out.append(f"  {row.dept}：在用 {row.in_use}，已扫描 {row.scanned}；{'，'.join(said)}{who}")
    if quiet:
        out.append(f"  其余 {quiet} 个部门未发现问题。")
    return out


# --- the workbook ------------------------------------------------------------------------------

def put(ws: Worksheet, row: int, col: int, value: object):
    """Write one value: text is always a text cell (never a formula, whatever it begins with), without the
    control characters a workbook cannot hold, and at most the 32,767 characters a cell keeps."""
    cell = ws.cell(row, col)
    if isinstance(value, str):
        cell.value = CONTROL_CHARS.sub("", value)[:EXCEL_MAX_TEXT]
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def _table(ws: Worksheet, title: str, headers: tuple[str, ...], rows: list[list[object]], widths: tuple[int, ...]) -> None:
    put(ws, 1, 1, title).font = Font(bold=True, size=14)
    for j, (header, width) in enumerate(zip(headers, widths), start=1):
        style_header(ws.cell(2, j, header))
        ws.column_dimensions[ws.cell(2, j).column_letter].width = width
    for i, values in enumerate(rows, start=3):
        for j, value in enumerate(values, start=1):
            put(ws, i, j, value).alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"


def _detail_rows(result: ScanResult, ctx: ScanContext) -> list[list[object]]:
    out: list[list[object]] = []
    for issue in result.issues:
        f = issue.finding
        computer = issue.computer or ""
        user = show(ctx.computers.loc[computer, "使用人"]) if issue.known and computer in ctx.computers.index else ""
        dept = (_dept_of(ctx, computer) if issue.known else UNKNOWN) if issue.computer else ""
        out.append([dept, computer, user, SEVERITY_TEXT[f.severity.value], f.rule, codes.SPECS[f.rule].title,
                    issue.software or "", issue.scanned_name or "", f.message, f.scan_file or "", f.scan_line or ""])
    return out


def report_workbook(result: ScanResult, ctx: ScanContext) -> Workbook:
    unit = ctx.ledger.setting("单位名称")
    day = result.date.isoformat()
    wb = Workbook()
    summary = wb.active
    summary.title = "检查通报"
    _table(summary, f"{unit}软件使用情况检查结果（扫描核对，截至 {day}）", SUMMARY_HEADERS,
           [r.cells() for r in dept_summary(result, ctx)], (22, 12, 10, 10, 10, 14, 10, 10, 8, 12, 12, 12, 40))
    _table(wb.create_sheet("问题明细"), f"{unit}软件使用情况检查问题明细（截至 {day}）",
           ("部门", "计算机", "使用人", "级别", "规则", "问题", "软件编号", "扫描名称", "说明", "扫描文件", "扫描行"),
           _detail_rows(result, ctx), (18, 12, 10, 8, 22, 26, 12, 28, 80, 30, 8))
    return wb
