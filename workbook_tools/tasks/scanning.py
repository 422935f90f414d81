"""导入扫描结果 / `ledger scan`: endpoint scans reconciled with the ledger, results and proposals written."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from openpyxl import Workbook

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.core.progress import Progress
from workbook_tools.files.errors import os_reason
from workbook_tools.files.outputs import Output, check_output, write_output
from workbook_tools.files.writer import WriteResult, write_workbook
from workbook_tools.ops.annotate import annotate_edit
from workbook_tools.read import reader
from workbook_tools.rules.engine import CheckResult
from workbook_tools.scan import ColumnMap, ScanResult, parse_scans, reconcile
from workbook_tools.scan import library as lib
from workbook_tools.scan.apply import ACTION as APPLY_ACTION
from workbook_tools.scan.apply import ApplyOutcome, apply_edit
from workbook_tools.scan.context import ScanContext
from workbook_tools.scan.files import SCAN_SUFFIXES, ScanOpenError, ScanSet
from workbook_tools.scan.propose import proposals, propose_edit
from workbook_tools.scan.report import SUMMARY_HEADERS, DeptRow, dept_summary, report_workbook
from workbook_tools.tasks import Done, written
from workbook_tools.xlsx.package import utf8_package

__all__ = [
    "SCAN_FOLDER",
    "SUMMARY_HEADERS",
    "ColumnMap",
    "DeptRow",
    "ScanContext",
    "ScanResult",
    "check_report_path",
    "dept_summary",
    "read_scans",
    "recognition_library",
    "reconciled",
    "save_report",
    "scan",
    "scan_apply",
    "scan_folder",
    "scan_paths",
    "text_report",
    "write_demo_scans",
    "write_report",
    "write_scan",
]

SCAN_FOLDER = "扫描结果"   # 导入扫描结果 of a ribbon button takes the scan files of this folder next to the ledger


def scan_folder(path: Path) -> Path:
    """The 扫描结果 folder next to the ledger at `path`, refused when it does not exist."""
    folder = path.parent / SCAN_FOLDER
    if not folder.is_dir():
        raise LedgerError(f"没有找到扫描结果文件夹「{folder}」：请把终端扫描导出的 .csv/.tsv 文件放进与台账同一文件夹下的"
                          f"「{SCAN_FOLDER}」文件夹后再点按钮")
    return folder


def scan_paths(inputs: Iterable[Path]) -> list[tuple[Path, str]]:
    """Files to read, folders expanded recursively (*.csv, *.tsv), each once: (path, label)."""
    out: dict[Path, tuple[Path, str]] = {}
    for given in inputs:
        if given.is_dir():
            found = sorted(p for p in given.rglob("*") if p.is_file() and p.suffix.lower() in SCAN_SUFFIXES
                           and not p.name.startswith(("~$", ".")))
            for p in found:
                out.setdefault(p.resolve(), (p, str(p)))
        elif given.is_file():
            out.setdefault(given.resolve(), (given, str(given)))
        else:
            raise LedgerError(f"扫描文件不存在：{given}")
    return list(out.values())


def read_bytes(path: Path) -> tuple[bytes, float]:
    """A scan file's bytes and modification time; an OSError becomes its one Chinese reason."""
    try:
        return path.read_bytes(), path.stat().st_mtime
    except OSError as exc:
        raise ScanOpenError(os_reason(exc)) from None


def read_scans(inputs: Iterable[Path], given: ColumnMap | None = None, progress: Progress | None = None) -> ScanSet:
    """Read every scan file (folders expanded); one that cannot be read becomes a finding, the rest are read."""
    return parse_scans(scan_paths(inputs), read_bytes, given, progress)


def recognition_library(path: Path) -> lib.Library:
    """The shipped recognition library, with the 软件识别库.csv beside the ledger at `path` (if any) in front."""
    user = path.parent / lib.USER_FILE
    if not user.is_file():
        return lib.shipped()
    try:
        from workbook_tools.scan.files import UnreadableScan, decode  # noqa: PLC0415

        text = decode(user.read_bytes(), user.name)
    except (OSError, UnreadableScan):
        text = ""
    return lib.with_user_text(text, user.name)


def text_report(result: ScanResult, ctx: ScanContext) -> list[str]:
    """The text of `ledger scan`: by kind (errors first) then computer, unscanned computers on one line,
    the summary by department, the totals (LEDGER_SPEC §9a)."""
    from workbook_tools.scan.grouping import group, text_lines  # noqa: PLC0415
    from workbook_tools.scan.report import summary_lines  # noqa: PLC0415

    s, counts = result.stats, result.counts
    lines = [f"扫描核对：扫描文件 {s.files} 个（较早的 {s.superseded_files} 个未使用），计算机 {s.hosts} 台"
             f"（已登记 {len(s.computers)} 台），软件条目 {s.entries} 条（忽略 {s.ignored}，未识别 {s.unmapped}）；"
             f"台账按 {result.date.isoformat()} 的安装情况计。"]
    lines += text_lines(group(result, ctx.who), _place)
    lines += ["", *summary_lines(dept_summary(result, ctx)), "", f"共 {counts['error']} 个错误，{counts['warning']} 个警告。"]
    return lines


def _place(f) -> str:
    if f.scan_file and f.scan_line:
        return f"{Path(f.scan_file).name}:{f.scan_line}"
    if f.cell:
        return f"{f.sheet.split(' ', 1)[0]}!{f.cell}"
    return Path(f.scan_file).name if f.scan_file else ""


def write_demo_scans(path: Path, today: dt.date, force: bool = False) -> tuple[Path, int]:
    """The demo unit's scan files in 扫描结果/ beside the demo ledger at `path`: (folder, files written).

    Files already there are kept unless `force` (another run's scans, or the clerk's own)."""
    from workbook_tools.demo.scans import demo_scans  # noqa: PLC0415

    folder = path.parent / SCAN_FOLDER
    files = demo_scans(reader.load_ledger(path), today)
    folder.mkdir(exist_ok=True)
    written = 0
    for name, data in files.items():
        target = folder / name
        if target.exists() and not force:
            continue
        target.write_bytes(data)
        written += 1
    return folder, written


def write_scan(path: Path, result: ScanResult, ctx: ScanContext, annotate: bool, propose: bool) -> WriteResult:
    """--annotate (校验结果 and marks) and --propose (扫描建议) in one safe write."""
    edits = []
    if annotate:
        edits.append(annotate_edit(CheckResult(checked_at=result.checked_at, today=result.date,
                                               findings=result.findings)))
    if propose:
        edits.append(propose_edit(proposals(result, ctx)))
    return write_workbook(path, lambda book: [c for edit in edits for c in edit(book)], "扫描核对", ledger=ctx.ledger)


def proposed(result: WriteResult) -> int:
    return sum(c.sheet == "扫描建议" for c in result.changes)


def scan(path: Path, inputs: Iterable[Path], today: dt.date, date: dt.date | None = None,
         columns: ColumnMap | None = None, progress: Progress | None = None) -> Done:
    """The scans in `inputs` (files or folders) reconciled as of `date`; results and proposals written."""
    scans = read_scans(list(inputs), columns, progress)
    result, ctx = reconcile(reader.load_ledger(path), scans, date or today, recognition_library(path))
    write = write_scan(path, result, ctx, annotate=True, propose=True)
    counts = result.counts
    lines = [f"扫描核对：{result.stats.files} 个扫描文件，{counts['error']} 个错误，{counts['warning']} 个警告，"
             "已写入「校验结果」并标记单元格。",
             f"「扫描建议」新增 {proposed(write)} 条：在「确认」栏填写 是/否 后执行 ledger scan-apply。", written(write)]
    from workbook_tools.scan.grouping import group  # noqa: PLC0415

    return Done.of(lines, write, scan=result.as_json(workbook=path.name), scan_groups=group(result, ctx.who).as_json())


def reconciled(path: Path, inputs: Iterable[Path], day: dt.date, columns: ColumnMap | None = None,
               progress: Progress | None = None) -> tuple[ScanResult, ScanContext]:
    """`ledger scan` before anything is written: the ledger at `path` and the scans in `inputs`, compared at `day`."""
    ledger = reader.load_ledger(path)
    return reconcile(ledger, read_scans(inputs, columns, progress), day, recognition_library(path))


def check_report_path(path: Path, ledger_path: Path | None, force: bool = False) -> None:
    """The report is a new .xlsx (the workbook) or .pdf (the printable 检查通报): never the ledger, another
    ledger or, without --force, an existing file."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        raise LedgerError(f"检查报告应保存为 .xlsx（工作簿）或 .pdf（可打印的检查通报）文件：{path}")
    kind = Output.PDF if suffix == ".pdf" else Output.WORKBOOK
    check_output(path, kind, ledgers=[ledger_path] if ledger_path is not None else [], force=force)


def save_report(wb: Workbook, path: Path, ledger_path: Path | None, force: bool = False) -> None:
    """Write the report file atomically; see check_report_path."""
    check_report_path(path, ledger_path, force)

    def save(tmp: Path) -> None:
        wb.save(tmp)
        utf8_package(tmp)   # CJK as UTF-8, as the ledger's own parts are written

    write_output(path, save)


def write_report(result: ScanResult, ctx: ScanContext, path: Path, ledger_path: Path | None, force: bool = False) -> None:
    """`ledger scan --report`: the report by 处室 and the problems in detail, as a new workbook (.xlsx) or the
    printable 检查通报 (.pdf)."""
    if path.suffix.lower() == ".pdf":
        from workbook_tools.tasks.scanreport import save_report_pdf  # noqa: PLC0415 - loads the PDF engine

        check_report_path(path, ledger_path, force)
        save_report_pdf(result, ctx, path)
        return
    save_report(report_workbook(result, ctx), path, ledger_path, force)


def scan_apply(path: Path, handler: str | None = None, today: dt.date | None = None) -> Done:
    """`ledger scan-apply`: the confirmed proposals of 扫描建议 appended to 附件9 (one safe write)."""
    ledger = reader.load_ledger(path)
    ledger[schema.A9].ensure_room()
    outcome = ApplyOutcome()
    edit = apply_edit(ledger, handler, today or dt.date.today(), outcome)
    result = write_workbook(path, edit, APPLY_ACTION, ledger=ledger)
    lines = []
    for c in outcome.applied:
        e = c.event or {}
        lines.append(f"扫描建议第 {c.row} 行：已登记附件9 —— {e['操作']} {e['软件编号']}（{e['计算机编号']}，"
                     f"{e['日期'].isoformat()}）")
    lines += [f"扫描建议第 {c.row} 行：跳过 —— {c.skip}" for c in outcome.skipped]
    if not outcome.applied and not outcome.skipped:
        return Done.of(["「扫描建议」中没有确认为“是”且尚未应用的行，工作簿未改动。"], result)
    lines.append(f"已登记 {len(outcome.applied)} 条，跳过 {len(outcome.skipped)} 条；原文件备份在 {result.backup}")
    return Done.of(lines, result)
