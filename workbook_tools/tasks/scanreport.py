"""The printable 检查通报 (PDF, A4, Typst template templates/scan_report.typ): the summary by department and
the findings grouped by kind, as `--report 检查通报.pdf` writes it (日常使用管理规定 四.1: 通报检查结果)."""
from __future__ import annotations

from pathlib import Path

from workbook_tools.files.outputs import write_output
from workbook_tools.forms.common import UnitHeader, cn_day
from workbook_tools.scan.context import ScanContext, show
from workbook_tools.scan.grouping import LEDGER_WIDE, SEVERITY_TEXT, group
from workbook_tools.scan.report import NO_DEPT, SUMMARY_HEADERS, UNKNOWN, dept_summary
from workbook_tools.scan.result import ScanResult

TEMPLATE = "scan_report.typ"
SUMMARY_WIDTHS = (2.6, 1.1, 1, 1, 1, 1.2, 1, 1, 1, 1.2, 1.2, 1.2, 2.6)


def _dept(ctx: ScanContext, computer: str, known: bool) -> str:
    if not known:
        return UNKNOWN
    if computer not in ctx.computers.index:
        return ""
    return show(ctx.computers.loc[computer, "使用部门"]) or NO_DEPT


def report_data(result: ScanResult, ctx: ScanContext) -> dict:
    """The data document of the template: one copy, the whole report."""
    grouped = group(result, ctx.who)
    kinds = []
    for kind in grouped.kinds:
        rows = []
        for g in kind.computers:
            known = g.computer != LEDGER_WIDE and not g.who.startswith("未登记")
            dept = _dept(ctx, g.computer, known) if g.computer != LEDGER_WIDE else ""
            for issue in g.issues:
                rows.append([dept, g.who if g.computer != LEDGER_WIDE else "—", issue.finding.message])
        kinds.append({"heading": f"{SEVERITY_TEXT[kind.severity]}｜{kind.title}（{kind.code}）：{kind.count} 条",
                      "clause": kind.clause, "advice": kind.advice, "rows": rows})
    counts, s = result.counts, result.stats
    overview = (f"本次扫描核对收到扫描文件 {s.files} 个，覆盖计算机 {s.hosts} 台（其中已登记 {len(s.computers)} 台），"
                f"软件条目 {s.entries:,} 条（运行库、驱动等忽略 {s.ignored:,} 条，未能识别 {s.unmapped} 条）；"
                f"发现错误 {counts['error']} 个、警告 {counts['warning']} 个。台账按 {cn_day(result.date)} 的安装情况计。")
    summary = [[str(v) for v in row.cells()] for row in dept_summary(result, ctx)]
    unit = ctx.ledger.setting("单位名称")
    item = {"title": f"{unit}软件正版化检查情况通报" if unit else "软件正版化检查情况通报",
            "period": f"技术检查，截至{cn_day(result.date)}",
            "header": UnitHeader(unit=unit, filler=ctx.ledger.setting("填表人"), phone=ctx.ledger.setting("联系电话"),
                                 filled_on=cn_day(result.date)).model_dump(),
            "overview": overview,
            "summary": {"head": list(SUMMARY_HEADERS), "rows": summary, "widths": list(SUMMARY_WIDTHS)},
            "kinds": kinds, "not_scanned": grouped.not_scanned.line() if grouped.not_scanned.count else "",
            "issuer": ctx.ledger.setting("负责部门") or "软件正版化工作领导小组办公室", "issued_on": ""}
    return {"form": {"number": 0, "label": "", "title": "检查通报", "landscape": False}, "plans": {},
            "copies": [{"key": "检查通报", "part": {"head": False, "tail": True, "split": False, "first": 0},
                        "item": item}]}


def report_pdf(result: ScanResult, ctx: ScanContext) -> bytes:
    from workbook_tools.forms import engine  # noqa: PLC0415 - loads the PDF engine

    pdf, _ = engine.compile_pdf(TEMPLATE, report_data(result, ctx))
    return pdf


def save_report_pdf(result: ScanResult, ctx: ScanContext, path: Path) -> None:
    """Write the PDF atomically (the target was checked by report.check_report_path)."""
    data = report_pdf(result, ctx)

    def save(tmp: Path) -> None:
        tmp.write_bytes(data)

    write_output(path, save)
