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

from workbook_tools.core.model import Finding, LedgerError
from workbook_tools.faces.excel import live
from workbook_tools.faces.excel.context import Context, Outcome, clip
from workbook_tools.tasks import cycle, scanning, sheets
from workbook_tools.tasks.scanning import SCAN_FOLDER, scan_folder

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
    # Excel writes the application's calculation mode into the file it saves: save with the user's own
    # mode, not the manual mode the button runs in, or the next session silently stops recalculating.
    app.calculation = ctx.calculation or "automatic"
    ctx.book.save()
    ctx.book.close()
    try:
        lines = work(path, ctx)
    finally:
        ctx.book = app.books.open(str(path))
    return Outcome(message=clip(lines))


def finding_lines(findings: list[Finding]) -> list[str]:
    return [f"[{f.rule}] {(f.sheet or '').split(' ', 1)[0]} {f.cell or (f'第 {f.row} 行' if f.row else '')}：{f.message}"
            for f in findings]


# --- the works: each calls the library function of its `ledger` command (workbook_tools.tasks) ------

def number_work(path: Path, ctx: Context) -> list[str]:
    return sheets.number(path).lines


def fix_blanks_work(path: Path, ctx: Context) -> list[str]:
    return sheets.fix_blanks(path).lines


def rollup_work(path: Path, ctx: Context) -> list[str]:
    try:
        return sheets.rollup(path, ctx.today).lines
    except sheets.RollupRefused as exc:
        raise LedgerError(clip([exc.message, *finding_lines(exc.findings)]), 1) from None


def stats_work(path: Path, ctx: Context) -> list[str]:
    lines = sheets.stats(path, ctx.today.year, ctx.today).lines
    return [lines[0].replace("）。", "；其他年度请用 ledger stats --year）。"), *lines[1:]]


def plan_work(path: Path, ctx: Context) -> list[str]:
    return sheets.plan(path, ctx.today).lines


def overview_work(path: Path, ctx: Context) -> list[str]:
    return sheets.overview(path, ctx.today).lines


def review_work(path: Path, ctx: Context) -> list[str]:
    return cycle.review(path, ctx.today.year, ctx.today).lines


def renew_work(path: Path, ctx: Context) -> list[str]:
    return cycle.renew_pending(path, ctx.today).lines


def scan_work(path: Path, ctx: Context) -> list[str]:
    folder = scan_folder(path)
    return [f"扫描文件夹：{folder}", *scanning.scan(path, [folder], ctx.today).lines]


def _on_file(what: str, work: Work) -> Callable[[Context], Outcome]:
    def run(ctx: Context) -> Outcome:
        return on_saved_file(ctx, what, work)
    run.__name__ = work.__name__.removesuffix("_work")
    return run


def _scan(ctx: Context) -> Outcome:
    scan_folder(saved_path(ctx.book))  # refuse before asking to close the workbook
    return on_saved_file(ctx, f"将用「{SCAN_FOLDER}」文件夹中的扫描结果核对台账。", scan_work)


Button = Callable[[Context], Outcome]   # what a ribbon button runs

number: Button = _on_file("将为附件7 中没有软件编号的行分配编号。", number_work)
fix_blanks: Button = _on_file("将清除 OEM软件、免费软件、受赠/调剂商业软件不应填写的栏目（原值记入「变更记录」）。", fix_blanks_work)
rollup: Button = _on_file("将按附件9 截至今天的安装卸载记录重建附件8，并更新附件7 安装数量。", rollup_work)
stats: Button = _on_file("将重建「附件5 信息统计表」（今年）。", stats_work)
plan: Button = _on_file("将根据附件3 需求申请计算许可缺口，把采购建议写入附件4。", plan_work)
overview: Button = _on_file("将重建「概览」工作表。", overview_work)
review: Button = _on_file("将重建今年的「考核评议」工作表（按部门和人员列出违反软件正版化规定的情况及责任追究）。", review_work)
renew: Button = _on_file("将把附件7 中备注“续订 原软件编号”的续订行所替代的许可的全部安装转到续订行（附件9 成对登记卸载和安装）。",
                 renew_work)
scan: Button = _scan
