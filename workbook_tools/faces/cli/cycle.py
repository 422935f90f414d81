"""`ledger review | renew | add-sheets`: the regulation's yearly cycle (LEDGER_SPEC §11)."""
from __future__ import annotations

from typing import Annotated

import typer

from workbook_tools.faces.cli.app import LedgerPath, TodayOption, app, parse_day, today


def _say(done) -> None:
    print("\n".join(done.lines))


@app.command("review", help="年度考核评议（领导小组职责 (9)、责任制度 四）：按部门和人员列出本年度违反软件正版化规定的情况、"
                            "所在单元格和条款，以及应予的责任追究；结果写入「考核评议」工作表，"
                            "可用 ledger print 考核评议 打印。")
def review_command(path: LedgerPath,
                   year: Annotated[int | None, typer.Option("--year", help="评议年度（默认今年）", show_default=False)] = None,
                   no_write: Annotated[bool, typer.Option("--no-write", help="只显示，不写入「考核评议」工作表")] = False,
                   today_: TodayOption = None) -> None:
    from workbook_tools.core.model import LedgerError  # noqa: PLC0415 - lazy: `ledger --help`
    from workbook_tools.tasks.cycle import review  # noqa: PLC0415 - lazy: `ledger --help`

    day = today(today_)
    year = year or day.year
    if not 1990 <= year <= day.year:
        raise LedgerError(f"--year 的年份应在 1990–{day.year} 之间", 2)
    _say(review(path, year, day, write=not no_write))


@app.command("renew", help="软件续订（台账管理规定 一.3）：为续订的许可在附件7 新增一行（新的软件编号、采购时间、许可期限），"
                           "把原编号的全部现有安装转到新编号（附件9 每台计算机一对卸载/安装记录，统一部署，备注“续订：原→新”）；"
                           "新许可数量不足时拒绝执行。")
def renew_command(
    path: LedgerPath,
    old: Annotated[str, typer.Option("--from", help="续订前的软件编号", show_default=False)],
    new: Annotated[str | None, typer.Option("--number", help="续订后的软件编号：附件7 已登记的行，或新行的编号"
                                                            "（默认自动分配）", show_default=False)] = None,
    date: Annotated[str | None, typer.Option("--date", help="续订日期（新行的采购时间，YYYY-MM-DD），默认今天")] = None,
    term: Annotated[str | None, typer.Option("--term", help="新行的许可期限（如 1年、2027-12-31），默认同原行",
                                             show_default=False)] = None,
    count: Annotated[float | None, typer.Option("--count", help="新行的许可数量，默认同原行", show_default=False)] = None,
    amount: Annotated[float | None, typer.Option("--amount", help="新行的采购金额（元）；新增行时必填",
                                                 show_default=False)] = None,
    version: Annotated[str | None, typer.Option("--version", help="新行的软件版本，默认同原行", show_default=False)] = None,
    serial: Annotated[str | None, typer.Option("--serial", help="新行的序列号，默认同原行", show_default=False)] = None,
    contract: Annotated[str | None, typer.Option("--contract", help="合同编号：同时在「采购资料」登记", show_default=False)] = None,
    certificate: Annotated[str | None, typer.Option("--certificate", help="授权证书编号：同时在「采购资料」登记",
                                                    show_default=False)] = None,
    supplier: Annotated[str | None, typer.Option("--supplier", help="供应商（「采购资料」）", show_default=False)] = None,
    handler: Annotated[str | None, typer.Option("--handler", help="经办人", show_default=False)] = None,
    today_: TodayOption = None,
) -> None:
    from workbook_tools.tasks.cycle import Renewal, renew  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
    from workbook_tools.tasks.operations import request  # noqa: PLC0415 - lazy: `ledger --help`

    req = request(Renewal, old=old.strip(), new=new.strip() if new else None, date=parse_day(date) or today(today_),
                 term=term, count=count, amount=amount, version=version, serial=serial, contract=contract,
                 certificate=certificate, supplier=supplier, handler=handler)
    _say(renew(path, req, today(today_)))


@app.command("add-sheets", help="为较早建立的台账补充「采购资料」「培训宣传」「检查记录」三张工作表（其余内容不变）。")
def add_sheets_command(path: LedgerPath) -> None:
    from workbook_tools.tasks.cycle import add_sheets  # noqa: PLC0415 - lazy: `ledger --help`

    _say(add_sheets(path))
