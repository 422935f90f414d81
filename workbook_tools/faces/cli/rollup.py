"""`ledger rollup` (LEDGER_SPEC §5) and `ledger baseline`."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import typer

from workbook_tools.core.model import Finding
from workbook_tools.faces.cli.app import LedgerPath, TodayOption, app, parse_day, today
from workbook_tools.faces.cli.progress import progress_bar

DATE_HELP = "截止日期（YYYY-MM-DD），默认今天"


def print_findings(findings: Iterable[Finding], title: str) -> None:
    findings = list(findings)
    if not findings:
        return
    print(title)
    for f in findings:
        place = f.cell or (f"第 {f.row} 行" if f.row else "")
        print(f"  [{f.rule}] {(f.sheet or '').split(' ', 1)[0]} {place}：{f.message}")


@app.command("rollup", short_help="半年更新：按附件9 重建附件8，更新附件7 安装数量、表头人数与计算机数",
             help="半年更新：按附件9 截至 --date 的安装卸载记录重建附件8，更新附件7 安装数量、表头人数与计算机数，"
                            "并记录更新日期。附件9 或引用有错误、附件8 有无记录可说明的行时拒绝执行，除非加 --force。")
def rollup_command(
    path: LedgerPath,
    date: Annotated[str | None, typer.Option("--date", help=DATE_HELP)] = None,
    force: Annotated[bool, typer.Option("--force", help="即使存在阻止更新的错误也执行（被移除的附件8 行完整记入变更记录）")] = False,
    today_: TodayOption = None,
) -> None:
    from workbook_tools.tasks import sheets  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    try:
        with progress_bar("半年更新") as progress:
            outcome = sheets.apply_rollup(path, parse_day(date), force, today(today_), progress)
    except sheets.RollupRefused as exc:
        print_findings(exc.findings, "以下问题阻止了半年更新：")
        raise
    print_findings(outcome.ignored, "已按 --force 忽略以下问题：")
    plan = outcome.plan
    if not outcome.written:
        print(f"附件7、附件8 已是截至 {plan.date.isoformat()} 的结果（{plan.period}），未作任何修改。")
        return
    print("\n".join(plan.summary()))
    print(f"已写入 {path}（原文件备份：{outcome.backup}）")


@app.command("baseline", short_help="初始登记：把已有的附件8 登记为附件9 的安装记录（尚无记录的单位）",
             help="初始登记：把现有附件8 的每一行登记为附件9 中的安装记录（日期取附件8 的安装日期，未填的取 --date；"
                              "统一部署，备注“初始登记”，无需确认单），此后附件8 即由安装卸载记录生成。"
                              "附件9 已有这些行的记录时拒绝执行。")
def baseline_command(
    path: LedgerPath,
    date: Annotated[str, typer.Option("--date", help="初始登记日期（YYYY-MM-DD）：附件8 所反映的日期，"
                                                     "也是未填安装日期的行的安装日期", show_default=False)],
    today_: TodayOption = None,
) -> None:
    from workbook_tools.tasks import operations  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    day = parse_day(date)
    assert day is not None  # --date is required
    done = operations.baseline(path, day, today(today_))
    print("\n".join(done.lines))
    print(f"已写入 {path}（原文件备份：{done.backup}）")
