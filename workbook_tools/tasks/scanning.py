"""导入扫描结果 / `ledger scan`: endpoint scans reconciled with the ledger, results and proposals written."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from workbook_tools.files.writer import WriteResult, write_workbook
from workbook_tools.core.model import LedgerError
from workbook_tools.core.progress import Progress
from workbook_tools.tasks import Done, written

SCAN_FOLDER = "扫描结果"   # 导入扫描结果 of a ribbon button takes the scan files of this folder next to the ledger


def scan_folder(path: Path) -> Path:
    """The 扫描结果 folder next to the ledger at `path`, refused when it does not exist."""
    folder = path.parent / SCAN_FOLDER
    if not folder.is_dir():
        raise LedgerError(f"没有找到扫描结果文件夹「{folder}」：请把终端扫描导出的 .csv/.tsv 文件放进与台账同一文件夹下的"
                          f"「{SCAN_FOLDER}」文件夹后再点按钮")
    return folder


def write_scan(path: Path, result, ctx, annotate: bool, propose: bool) -> WriteResult:
    """--annotate (校验结果 and marks) and --propose (扫描建议) in one safe write."""
    from workbook_tools.ops.annotate import annotate_edit
    from workbook_tools.rules.engine import CheckResult
    from workbook_tools.scan.propose import proposals, propose_edit

    edits = []
    if annotate:
        edits.append(annotate_edit(CheckResult(checked_at=result.checked_at, today=result.date,
                                               findings=result.findings)))
    if propose:
        edits.append(propose_edit(proposals(result, ctx)))
    return write_workbook(path, lambda book: [c for edit in edits for c in edit(book)], "扫描核对", ledger=ctx.ledger)


def proposed(result: WriteResult) -> int:
    return sum(c.sheet == "扫描建议" for c in result.changes)


def scan(path: Path, inputs: Iterable[Path], today: dt.date, date: dt.date | None = None, columns=None,
         progress: Progress | None = None) -> Done:
    """The scans in `inputs` (files or folders) reconciled as of `date`; results and proposals written."""
    from workbook_tools.read.reader import load_ledger
    from workbook_tools.scan import read_scans, reconcile

    scans = read_scans(list(inputs), columns, progress)
    result, ctx = reconcile(load_ledger(path), scans, date or today)
    write = write_scan(path, result, ctx, annotate=True, propose=True)
    counts = result.counts
    lines = [f"扫描核对：{result.stats.files} 个扫描文件，{counts['error']} 个错误，{counts['warning']} 个警告，"
             "已写入「校验结果」并标记单元格。",
             f"「扫描建议」新增 {proposed(write)} 条：在「确认」栏填写 是/否 后执行 ledger scan-apply。", written(write)]
    from workbook_tools.scan.grouping import group

    return Done.of(lines, write, scan=result.as_json(workbook=path.name), scan_groups=group(result, ctx.who).as_json())


def write_demo_scans(path: Path, today: dt.date, force: bool = False) -> tuple[Path, int]:
    """The demo unit's scan files in 扫描结果/ beside the demo ledger at `path`: (folder, files written).

    Files already there are kept unless `force` (another run's scans, or the clerk's own)."""
    from workbook_tools.demo.scans import demo_scans
    from workbook_tools.read.reader import load_ledger

    folder = path.parent / SCAN_FOLDER
    files = demo_scans(load_ledger(path), today)
    folder.mkdir(exist_ok=True)
    written = 0
    for name, data in files.items():
        target = folder / name
        if target.exists() and not force:
            continue
        target.write_bytes(data)
        written += 1
    return folder, written


def save_scan_report(result, ctx, report: Path, ledger_path: Path, force: bool = False) -> None:
    """--report: the 检查通报 as a workbook (.xlsx) or a printable PDF (.pdf), never over the ledger."""
    from workbook_tools.scan.report import check_report_path, report_workbook, save_report

    if report.suffix.lower() == ".pdf":
        from workbook_tools.scan.pdf import save_report_pdf

        check_report_path(report, ledger_path, force)
        save_report_pdf(result, ctx, report)
    else:
        save_report(report_workbook(result, ctx), report, ledger_path, force)
