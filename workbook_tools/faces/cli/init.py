"""`ledger init`."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbook_tools.faces.cli.app import app
from workbook_tools.faces.cli.app import today as parse_today


@app.command("init", help="新建台账工作簿（全部工作表、表头、下拉列表、格式与打印设置）。")
def init_command(
    path: Annotated[Path, typer.Argument(help="要创建的台账路径（.xlsx）", show_default=False)],
    demo: Annotated[bool, typer.Option("--demo", help="填入一个模拟单位的完整示例数据")] = False,
    preset: Annotated[bool, typer.Option("--preset", help="填入鞍山市行政审批局的部门与领导小组（附件1）")] = False,
    force: Annotated[bool, typer.Option("--force", help="目标文件已存在时覆盖（原文件先备份）")] = False,
    staff: Annotated[int, typer.Option("--staff", help="示例数据：人员数")] = 200,
    computers: Annotated[int, typer.Option("--computers", help="示例数据：计算机数")] = 250,
    software: Annotated[int, typer.Option("--software", help="示例数据：软件编号数")] = 30,
    years: Annotated[int, typer.Option("--years", help="示例数据：安装维护记录覆盖的年数")] = 4,
    seed: Annotated[int, typer.Option("--seed", help="示例数据：随机种子（相同种子生成相同数据）")] = 2024,
    events: Annotated[int, typer.Option("--events", help="示例数据：目标安装维护记录（附件9）条数，0 = 按单位规模自然生成")] = 0,
    today: Annotated[str | None, typer.Option("--today", help="示例数据的“今天”（YYYY-MM-DD）")] = None,
    gaps: Annotated[bool, typer.Option("--gaps", help="示例数据：留下供考核评议、校验演示的缺漏（一项采购没有采购资料）")] = False,
) -> None:
    from workbook_tools.tasks.create import (
        DemoSpec,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
        new_ledger,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
    )

    spec = DemoSpec(staff=staff, computers=computers, software=software, years=years, seed=seed,
                    today=parse_today(today), events=events, gaps=gaps) if demo else None
    print("\n".join(new_ledger(path, preset, spec, force).lines))
