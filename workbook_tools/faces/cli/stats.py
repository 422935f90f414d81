"""`ledger stats`, `ledger plan`, `ledger add-free`, `ledger pledge`, `ledger overview`."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.faces.cli.app import LedgerPath, app, parse_day, today
from workbook_tools.faces.cli.progress import progress_bar

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from workbook_tools.tasks import WriteResult, sheets


TODAY_HELP = "把“今天”固定为该日期（YYYY-MM-DD），使结果可重复"
TodayOption = Annotated[str | None, typer.Option("--today", help=TODAY_HELP)]


WIDE = 200   # without a terminal (a pipe, a file) tables are not folded at 80 columns


def _console() -> Console:
    from rich.console import Console  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal:
        console.width = WIDE
    return console


def _table(title: str, headers: list[str], caption: str | None = None) -> Table:
    from rich.table import Table  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    table = Table(title=title, caption=caption, title_justify="left", caption_justify="left", show_header=True,
                  header_style="bold")
    for i, header in enumerate(headers):
        table.add_column(header, overflow="fold", no_wrap=i == 0)
    return table


def _n(value: float | None) -> str:
    if value is None:
        return "不限"
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _written(result: WriteResult) -> str:
    return f"；原文件备份在 {result.backup}" if result.backup else ""


# --- stats -----------------------------------------------------------------------------------------

def print_stats(stats: sheets.Stats, console: Console) -> None:
    from workbook_tools.tasks.sheets import (
        DOMESTIC,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
        FOREIGN,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
        FORM_CATEGORIES,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
        SUM,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
        TOTAL,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
    )

    h, d = stats.header, stats.department
    console.print(f"[bold]软件正版化工作信息统计表（{stats.year}年）[/bold]  单位：{h.单位名称}  填表人：{h.填表人}  "
                  f"联系电话：{h.联系电话}  填表日期：{h.填表日期}")
    console.print(f"一、负责部门：{d.部门名称}  负责人：{d.部门负责人姓名}  电话：{d.部门负责人电话}  传真：{d.部门传真}")
    console.print(f"二、总人数 {stats.总人数}，使用计算机人数 {stats.使用计算机人数}")
    c = stats.computers
    console.print(f"三、服务器 {c['服务器']}，台式机 {c['台式机']}，便携机 {c['便携机']}，合计 {stats.计算机合计}"
                  f"（截至 {stats.as_of}）")
    cats = (*FORM_CATEGORIES, TOTAL)
    table = _table("四、本年度软件采购情况（许可数 / 金额万元）", ["软件属性", *cats], "操作系统不含预装；总计含其他软件")
    for origin in (DOMESTIC, FOREIGN, SUM):
        cells = [stats.purchases[k][origin] for k in cats]
        table.add_row(origin, *(f"{_n(f.licences)} / {f.wan:.4f}" for f in cells))
    console.print(table)
    table = _table(f"五、累计拥有软件许可情况（截至 {stats.as_of}）", ["软件属性", *cats], "操作系统含预装；总计含其他软件")
    for origin in (DOMESTIC, FOREIGN, SUM):
        table.add_row(origin, *(_n(stats.holdings[k][origin]) for k in cats))
    console.print(table)
    for u in stats.unclassified:
        console.print(f"[yellow]注意[/yellow]：附件7 第 {u.row} 行（{u.软件编号 or '无编号'}）{u.reason}，未计入四、五")
    for note in stats.notes:
        console.print(f"[yellow]注意[/yellow]：{note}")


def _stats_one(path: Path, year: int, day: dt.date) -> None:
    from workbook_tools.tasks import sheets  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    figures, ledger = sheets.stats_preview(path, year, day)
    print_stats(figures, _console())
    _, result = sheets.rebuild_stats(path, year, day, ledger)
    print(f"已重建工作表「附件5 信息统计表」（{year}年）{_written(result)}")


def _stats_many(paths: list[Path], output: Path, year: int, day: dt.date, name: str | None, force: bool) -> None:
    from workbook_tools.tasks import many  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    with progress_bar("汇总") as progress:
        cons, output = many.consolidated(paths, output, year, day, name, force, progress)
    good = [u for u in cons.units if u.stats is not None]
    print_stats(cons.total, _console())
    print(f"已汇总 {len(good)} 个单位到 {output}（工作表：附件5 信息统计表、分单位明细、未能读取的单位）"
          + (f"；{len(cons.failures)} 个文件未能读取，见上" if cons.failures else ""))


@app.command("stats", help="生成附件5 信息统计表：一个台账时重建其「附件5 信息统计表」；"
                           "多个台账或文件夹时汇总为 -o 指定的新工作簿（含分单位明细）。")
def stats_command(
    paths: Annotated[list[Path], typer.Argument(help="台账路径（.xlsx），可多个，也可以是文件夹", show_default=False)],
    year: Annotated[int | None, typer.Option("--year", help="统计年度，如 2026（默认今年，同 ledger print 附件5）",
                                             show_default=False)] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="汇总结果写入的新工作簿（多个台账时必填）")] = None,
    name: Annotated[str | None, typer.Option("--name", help="汇总表的单位名称（默认“N 个单位汇总”）")] = None,
    force: Annotated[bool, typer.Option("--force", help="汇总结果文件已存在时覆盖（原文件先备份）")] = False,
    today_: TodayOption = None,
) -> None:
    day = today(today_)
    year = day.year if year is None else year
    if not 1990 <= year <= 2100:
        raise LedgerError(f"--year {year} 不是有效年度")
    if output is None:
        if len(paths) != 1 or paths[0].is_dir():
            raise LedgerError("汇总多个台账（或一个文件夹）时须用 -o 指定汇总结果文件")
        _stats_one(paths[0], year, day)
    else:
        _stats_many(paths, output, year, day, name, force)


# --- plan ------------------------------------------------------------------------------------------

def print_plan(plan: sheets.Plan, console: Console) -> None:
    from workbook_tools.tasks.sheets import plan_totals, year_lines  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    for line in year_lines(plan):
        console.print(line, highlight=False)
    if not plan.gaps:
        console.print(f"{plan.year} 年度没有需要计算许可缺口的申请（须填写选定软件编号）。")
    table = _table("许可缺口（按选定软件编号）", ["软件编号", "软件名称", "版本", "申请", "许可", "已安装", "空余",
                                                  "缺口", "依据申请", "说明"])
    for g in plan.gaps:
        table.add_row(g.软件编号, g.软件名称 or "", g.软件版本 or "", _n(g.requested), _n(g.held), _n(g.installed),
                      _n(g.free), _n(g.shortage), ",".join(g.requests), g.note)
    if plan.gaps:
        console.print(table)
    if plan.proposals:
        table = _table("附件4 建议（ledger plan 建议）", ["软件名称", "版本", "单价（元）", "许可数", "合计（元）", "依据申请"])
        for p in plan.proposals:
            price = "待填" if p.单价 is None else f"{p.单价:,.2f}"
            total = "待填" if p.合计 is None else f"{p.合计:,.2f}"
            table.add_row(p.软件名称 or "", p.软件版本 or "", price, _n(p.许可数), total, p.依据申请编号)
        console.print(table)
        totals = plan_totals([{"许可数": p.许可数, "合计": p.合计} for p in plan.proposals])
        console.print(f"共计：许可 {_n(totals.licences)} 个，合计 {totals.amount:,.2f} 元"
                      + (f"（{totals.note()}）" if totals.note() else ""))
    for k in plan.kept:
        console.print(f"保留附件4 第 {k.row} 行（{k.软件名称 or ''}）：{k.reason}，工具不改动")
    for number in plan.covered_by_hand:
        console.print(f"{number} 的缺口已有手工填写的附件4 行，未另行建议；请核对数量")
    for w in plan.pending:
        console.print(f"[yellow]待选型[/yellow]：附件3 第 {w.row} 行 {w.申请编号 or ''} {w.申请部门 or ''} "
                      f"{w.软件类别 or ''} 申请 {_n(w.申请许可数 or 0)} 个，尚未填写选定软件编号")


def _go_ahead(yes: bool, question: str) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        print("未写入（加 --yes 写入）。")
        return False
    return typer.confirm(question, default=False)


@app.command("plan", help="根据附件3 需求申请与现有许可、安装情况计算许可缺口，生成附件4 采购计划建议。"
             "已由之后的采购满足的申请、选定软件已报废的申请不计入。")
def plan_command(
    path: LedgerPath,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不询问，直接把建议写入附件4")] = False,
    year: Annotated[int | None, typer.Option(
        "--year", help="计划年度：只计入该年填表的申请（未填填表日期的也计入）；默认为附件3 最新申请所在的年份",
        show_default=False)] = None,
    today_: TodayOption = None,
) -> None:
    from workbook_tools.tasks import sheets  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    plan, ledger = sheets.plan_preview(path, today(today_), year)
    console = _console()
    print_plan(plan, console)
    if not _go_ahead(yes, "把以上建议写入附件4（替换工具上次的建议与共计行）？"):
        return
    kept_before = len(plan.kept)
    result = sheets.write_plan(path, ledger, plan)
    for k in plan.kept[kept_before:]:
        console.print(f"保留附件4 第 {k.row} 行（{k.软件名称 or ''}）：{k.reason}，工具不改动")
    if result.written:
        print(f"已更新附件4：{len(plan.proposals)} 行建议及共计行{_written(result)}")
    else:
        print("附件4 已是最新，未改动。")


# --- free software, pledges, overview ------------------------------------------------------------------

@app.command("add-free", help="登记一个免费软件：同时写入附件6 可使用免费软件清单和附件7，使用同一个软件编号。")
def add_free_command(
    path: LedgerPath,
    name: Annotated[str, typer.Option("--name", help="软件名称", show_default=False)],
    version: Annotated[str | None, typer.Option("--version", help="软件版本（只写入附件6）")] = None,
    source: Annotated[str | None, typer.Option("--source", help="软件来源，如官方网站")] = None,
    vendor: Annotated[str | None, typer.Option("--vendor", help="软件厂商名称")] = None,
    contact: Annotated[str | None, typer.Option("--contact", help="软件厂商客服联系方式")] = None,
    dept: Annotated[str | None, typer.Option("--dept", help="使用部门")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="使用原因")] = None,
    category: Annotated[str | None, typer.Option("--category", help="软件类别（操作系统/办公软件/杀毒软件/其他软件）")] = None,
    origin: Annotated[str | None, typer.Option("--origin", help="产地（国内/国外）")] = None,
) -> None:
    from workbook_tools.tasks import people  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    if not name.strip():
        raise LedgerError("--name 不能为空")
    sw = people.FreeSoftware(软件名称=name.strip(), 软件版本=version, 软件来源=source, 软件厂商名称=vendor,
                      软件厂商客服联系方式=contact, 使用部门=dept, 使用原因=reason,
                      软件类别=people.choice(category, schema.SOFTWARE_CATEGORIES, "--category"),
                      产地=people.choice(origin, schema.ORIGINS, "--origin"))
    print("\n".join(people.add_free(path, sw).lines))


@app.command("pledge", help="使用正版软件承诺书（附件2）：列出未签署的在职人员，或登记某人的签署日期。")
def pledge_command(
    path: LedgerPath,
    list_: Annotated[bool, typer.Option("--list", help="列出未签署承诺书的在职人员（默认）")] = False,
    signed: Annotated[str | None, typer.Option("--signed", help="登记签署人的姓名")] = None,
    dept: Annotated[str | None, typer.Option("--dept", help="签署人的部门（同名时必填）")] = None,
    date: Annotated[str | None, typer.Option("--date", help="签署日期（YYYY-MM-DD）")] = None,
    force: Annotated[bool, typer.Option("--force", help="已有签署日期时改为新日期")] = False,
    today_: TodayOption = None,
) -> None:
    from workbook_tools.tasks import people  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    if signed is None:
        lines, staff = people.unsigned_lines(path)
        print(lines[0])
        if staff:
            table = _table("", ["行", "部门", "姓名", "职务"])
            for p in staff:
                table.add_row(str(p.row), p.部门 or "", p.姓名, p.职务 or "")
            _console().print(table)
        for line in lines[1:]:
            print(line)
        return
    day = parse_day(date, "--date")
    if day is None:
        raise LedgerError("登记签署须用 --date 给出签署日期")
    print("\n".join(people.sign_pledge(path, signed, dept, day, today(today_), force).lines))


@app.command("overview", help="重建「概览」工作表：合规率、超装与即将到期的许可，以及三张图表。")
def overview_command(path: LedgerPath, today_: TodayOption = None) -> None:
    from workbook_tools.tasks import sheets  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    ov, result = sheets.rebuild_overview(path, today(today_))
    rate = "—" if ov.rate is None else f"{ov.rate:.1%}"
    print(f"商业软件 {len(ov.software)} 个编号，合规 {ov.compliant} 个，合规率 {rate}")
    for flag, label in (("over", "超装"), ("expired", "已过期仍安装"), ("expiring", f"{sheets.EXPIRING_DAYS} 天内到期")):
        numbers = ov.numbers(flag)
        print(f"{label}：{len(numbers)} 个" + (f"（{'、'.join(numbers)}）" if numbers else ""))
    if ov.checked_now:
        print(f"工作簿中没有保存的校验结果，「各部门问题数」按今天（{ov.today.isoformat()}）执行的校验列出；"
              "执行 ledger check --annotate 可保存校验结果。")
    print(f"已重建工作表「{sheets.OVERVIEW_SHEET}」{_written(result)}")
