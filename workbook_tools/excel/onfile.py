"""Buttons that change many sheets: save, close, run the `ledger` library function on the file, reopen.

These actions rebuild whole sheets (附件8, 附件5, 附件4, 概览 …) with the same
functions the command line uses, through the safe file writer (backup, 变更记录,
verification).  Excel keeps an open workbook's file locked on Windows, so the
writer cannot replace it while it is open; the button therefore asks, saves the
workbook, closes it, runs the function on the saved file and opens it again —
also when the function refuses or fails, so the user always gets the workbook back.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from workbook_tools.excel import live
from workbook_tools.excel.actions import Context, Outcome, clip
from workbook_tools.io.writer import WriteResult, write_workbook
from workbook_tools.model import Finding, LedgerError

SCAN_FOLDER = "扫描结果"   # scan files are taken from this folder next to the workbook
Work = Callable[[Path, Context], list[str]]


def saved_path(book: live.BookLike) -> Path:
    """The workbook's file; refuses a workbook never saved or stored online."""
    fullname = getattr(book, "fullname", "") or ""
    path = Path(fullname)
    if "://" in fullname or not path.suffix or not path.parent.is_dir():
        raise LedgerError("当前台账还没有保存为本机上的 .xlsx 文件（或存放在网络位置）：请先「另存为」本机文件夹后再点按钮")
    return path


def on_saved_file(ctx: Context, what: str, work: Work) -> Outcome:
    """Ask, save, close, run `work` on the file, reopen; `what` names the action in the question."""
    path = saved_path(ctx.book)
    app = ctx.book.app
    question = (f"{what}\n\n将先保存工作簿「{ctx.book.name}」并暂时关闭，处理完成后自动重新打开"
                "（原文件备份在同一文件夹的「备份」中）。是否继续？")
    if app.alert(question, title="正版化台账", buttons="ok_cancel", mode="info") != "ok":
        return Outcome(message="已取消，工作簿未改动。")
    ctx.book.save()
    ctx.book.close()
    try:
        lines = work(path, ctx)
    finally:
        ctx.book = app.books.open(str(path))
    return Outcome(message=clip(lines))


def written(result: WriteResult) -> str:
    return f"原文件备份在 {result.backup}" if result.written else "工作簿内容已是最新，未改动。"


def finding_lines(findings: list[Finding]) -> list[str]:
    return [f"[{f.rule}] {(f.sheet or '').split(' ', 1)[0]} {f.cell or (f'第 {f.row} 行' if f.row else '')}：{f.message}"
            for f in findings]


# --- the works: each calls the library function of its `ledger` command ---------------------------

def number_work(path: Path, ctx: Context) -> list[str]:
    from workbook_tools.io.reader import load_ledger
    from workbook_tools.numbering import apply_numbers, describe, plan_numbers

    ledger = load_ledger(path)
    plan = plan_numbers(ledger)
    lines = [f"附件7第 {s.row} 行（{s.name or ''}）未编号：{s.reason}" for s in plan.skipped]
    if not plan.assigned:
        return [*lines, "没有需要分配编号的行，工作簿未改动。"]
    result = apply_numbers(path, plan, ledger=ledger)
    lines += [f"附件7第 {a.row} 行：{describe(a)}" for a in plan.assigned]
    return [f"已分配 {len(plan.assigned)} 个编号，合并 {len(plan.merges)} 行；{written(result)}", *lines]


def fix_blanks_work(path: Path, ctx: Context) -> list[str]:
    from workbook_tools.io.reader import load_ledger
    from workbook_tools.rules.fixes import apply_blanks, plan_blanks

    ledger = load_ledger(path)
    clears = plan_blanks(ledger)
    if not clears:
        return ["没有需要清除的栏目，工作簿未改动。"]
    result = apply_blanks(path, clears, ledger=ledger)
    lines = [f"{c.cell} 第 {c.row} 行「{c.name or ''}」{c.column}：{c.old}（{c.rule}）" for c in clears]
    return [f"已清除附件7 中 {len(result.changes)} 个单元格，原值已记入「变更记录」；{written(result)}", *lines]


def rollup_work(path: Path, ctx: Context) -> list[str]:
    from workbook_tools.rollup import RollupRefused, apply_rollup

    try:
        outcome = apply_rollup(path, ctx.today)
    except RollupRefused as exc:
        raise LedgerError(clip([exc.message, *finding_lines(exc.findings)]), 1) from None
    if not outcome.written:
        return [f"附件7、附件8 已是截至 {outcome.plan.date.isoformat()} 的结果（{outcome.plan.period}），未作任何修改。"]
    return [*outcome.plan.summary(), f"原文件备份在 {outcome.backup}"]


def stats_work(path: Path, ctx: Context) -> list[str]:
    from workbook_tools.io.reader import load_ledger
    from workbook_tools.stats import compute_stats, write_stats_sheet

    ledger = load_ledger(path)
    year = ctx.today.year
    stats = compute_stats(ledger, year, ctx.today)
    result = write_workbook(path, lambda book: write_stats_sheet(book, stats), "统计", ledger=ledger)
    return [f"已重建工作表「附件5 信息统计表」（{year}年；其他年度请用 ledger stats --year）。", written(result)]


def plan_work(path: Path, ctx: Context) -> list[str]:
    from workbook_tools.io.reader import load_ledger
    from workbook_tools.plan import apply_plan, compute_plan

    ledger = load_ledger(path)
    plan = compute_plan(ledger, ctx.today)
    kept_before = len(plan.kept)
    result = write_workbook(path, apply_plan(ledger, plan), "采购计划", ledger=ledger)
    lines = [f"附件4：{len(plan.proposals)} 行采购建议及共计行。", written(result)]
    return lines + [f"保留附件4 第 {k.row} 行（{k.软件名称 or ''}）：{k.reason}" for k in plan.kept[kept_before:]]


def overview_work(path: Path, ctx: Context) -> list[str]:
    from workbook_tools.io.reader import load_ledger
    from workbook_tools.overview import SHEET, overview_edit

    ledger = load_ledger(path)
    keep: list = []
    result = write_workbook(path, overview_edit(ledger, ctx.today, keep), "概览", ledger=ledger)
    ov = keep[0]
    rate = "—" if ov.rate is None else f"{ov.rate:.1%}"
    return [f"已重建工作表「{SHEET}」：商业软件 {len(ov.software)} 个编号，合规 {ov.compliant} 个，合规率 {rate}。",
            written(result)]


def scan_folder(path: Path) -> Path:
    folder = path.parent / SCAN_FOLDER
    if not folder.is_dir():
        raise LedgerError(f"没有找到扫描结果文件夹「{folder}」：请把终端扫描导出的 .csv/.tsv 文件放进与台账同一文件夹下的"
                          f"「{SCAN_FOLDER}」文件夹后再点按钮")
    return folder


def scan_work(path: Path, ctx: Context) -> list[str]:
    from workbook_tools.annotate import annotate_edit
    from workbook_tools.io.reader import load_ledger
    from workbook_tools.rules.engine import CheckResult
    from workbook_tools.scan import read_scans, reconcile
    from workbook_tools.scan.propose import proposals, propose_edit

    folder = scan_folder(path)
    ledger = load_ledger(path)
    result, sctx = reconcile(ledger, read_scans([folder]), ctx.today)
    edits = [annotate_edit(CheckResult(checked_at=result.checked_at, today=result.date, findings=result.findings)),
             propose_edit(proposals(result, sctx))]
    write = write_workbook(path, lambda book: [c for e in edits for c in e(book)], "扫描核对", ledger=ledger)
    proposed = sum(c.sheet == "扫描建议" for c in write.changes)
    counts = result.counts
    head = (f"已用文件夹「{folder}」中的扫描结果核对台账：{counts['error']} 个错误，{counts['warning']} 个警告，"
            "已写入「校验结果」并标记单元格。")
    return [head,
            f"「扫描建议」新增 {proposed} 条：在「确认」栏填写 是/否 后执行 ledger scan-apply。", written(write)]


def _on_file(what: str, work: Work) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        return on_saved_file(ctx, what, work)
    run.__name__ = work.__name__.removesuffix("_work")
    return run


def _scan(ctx: Context) -> Outcome:
    scan_folder(saved_path(ctx.book))  # refuse before asking to close the workbook
    return on_saved_file(ctx, f"将用「{SCAN_FOLDER}」文件夹中的扫描结果核对台账。", scan_work)


number = _on_file("将为附件7 中没有软件编号的行分配编号。", number_work)
fix_blanks = _on_file("将清除 OEM软件、免费软件、受赠/调剂商业软件不应填写的栏目（原值记入「变更记录」）。", fix_blanks_work)
rollup = _on_file("将按附件9 截至今天的安装卸载记录重建附件8，并更新附件7 安装数量。", rollup_work)
stats = _on_file("将重建「附件5 信息统计表」（今年）。", stats_work)
plan = _on_file("将根据附件3 需求申请计算许可缺口，把采购建议写入附件4。", plan_work)
overview = _on_file("将重建「概览」工作表。", overview_work)
scan = _scan
