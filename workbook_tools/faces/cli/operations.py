"""`ledger install | uninstall | upgrade | scrap-computer | scrap-software`: what a clerk registers."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workbook_tools.core.model import LedgerError
from workbook_tools.faces.cli.app import LedgerPath, TodayOption, app, parse_day, today

if TYPE_CHECKING:
    from workbook_tools.tasks.operations import Planner


Computer = Annotated[str, typer.Option("--computer", help="计算机编号（「计算机」表中登记的）", show_default=False)]
Software = Annotated[str, typer.Option("--software", help="软件编号（附件7）", show_default=False)]
Day = Annotated[str | None, typer.Option("--date", help="安装维护日期（YYYY-MM-DD），默认今天")]
ScrapDay = Annotated[str | None, typer.Option("--date", help="报废日期（YYYY-MM-DD），默认今天")]
Request = Annotated[str | None, typer.Option("--request", help="申请编号（附件10）")]
Unified = Annotated[bool, typer.Option("--unified", help="统一部署（无须个人申请）")]
Handler = Annotated[str | None, typer.Option("--handler", help="经办人")]
Slip = Annotated[str | None, typer.Option("--slip", help="确认单号（附件11）；写 auto 自动生成 QR-年月日-序号。"
                                                       "同一次上门的多条记录用同一个单号")]
Force = Annotated[bool, typer.Option("--force", help="超出许可、许可到期、重复安装等情况下仍执行（须用 --reason 说明）")]
Reason = Annotated[str | None, typer.Option("--reason", help="使用 --force 的原因，记入备注")]
Version = Annotated[str | None, typer.Option("--version", help="安装的版本，默认附件7 的软件版本")]


class ScrapReason(str, Enum):
    r1 = "1"
    r2 = "2"
    r3 = "3"


def _visit(computer: str, date: str | None, request: str | None, unified: bool, handler: str | None,
           slip: str | None, force: bool = False, reason: str | None = None, today_: str | None = None) -> dict:
    return {"computer": computer.strip(), "date": parse_day(date) or today(today_), "request": request,
            "unified": unified, "handler": handler, "slip": slip, "force": force, "reason": reason}


def _one_of(positional: str | None, option: str | None, what: str, flag: str) -> str:
    """The id given either as the argument or as the option (as install takes it), not two different ones."""
    given = [v.strip() for v in (positional, option) if v is not None and v.strip()]
    if not given:
        raise LedgerError(f"缺少{what}：写在台账路径之后，或用 {flag} 给出", 2)
    if len(set(given)) > 1:
        raise LedgerError(f"{what}给了两个不同的值：{'、'.join(given)}", 2)
    return given[0]


def _run(path: Path, planner: Planner, req: Any, today_: str | None) -> None:
    from workbook_tools.tasks.operations import operate  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    done = operate(path, planner, req, today(today_))
    print("\n".join(done.lines))
    print(f"已写入 {path}（原文件备份：{done.backup}）")


@app.command("install", help="登记一次软件安装（附件9 追加一行安装记录，计算机品牌、使用人、使用部门取自「计算机」表）。")
def install_command(path: LedgerPath, computer: Computer, software: Software, version: Version = None, date: Day = None,
                    request: Request = None, unified: Unified = False,
                    count: Annotated[float, typer.Option("--count", help="安装数量（套）", show_default="1")] = 1.0,
                    handler: Handler = None, slip: Slip = None, force: Force = False, reason: Reason = None,
                    today_: TodayOption = None) -> None:
    from workbook_tools.tasks.operations import (
        Install,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
        plan_install,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
    )
    from workbook_tools.tasks.operations import request as operation_request  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    req = operation_request(Install, software=software.strip(), version=version, count=count,
                           **_visit(computer, date, request, unified, handler, slip, force, reason, today_))
    _run(path, plan_install, req, today_)


@app.command("uninstall", help="登记一次软件卸载（该计算机上必须有这一软件编号的安装记录）。")
def uninstall_command(path: LedgerPath, computer: Computer, software: Software, date: Day = None,
                      request: Request = None, unified: Unified = False, handler: Handler = None, slip: Slip = None,
                      force: Force = False, reason: Reason = None, today_: TodayOption = None) -> None:
    from workbook_tools.tasks.operations import (
        Uninstall,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
        plan_uninstall,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
    )

    req = Uninstall(software=software.strip(),
                    **_visit(computer, date, request, unified, handler, slip, force, reason, today_))
    _run(path, plan_uninstall, req, today_)


@app.command("upgrade", short_help="登记一次软件升级：旧编号卸载、新编号安装（同一申请编号与确认单号）",
             help="登记一次软件升级：同一天写入旧编号的卸载和新编号的安装，两行使用同一申请编号和确认单号，"
                             "备注“升级：旧→新”（安装维护管理规定 二，台账管理规定 三.5）。")
def upgrade_command(path: LedgerPath, computer: Computer,
                    old: Annotated[str, typer.Option("--from", help="升级前的软件编号", show_default=False)],
                    new: Annotated[str, typer.Option("--to", help="升级后的软件编号（免费软件可与升级前相同）", show_default=False)],
                    version: Version = None, date: Day = None, request: Request = None, unified: Unified = False,
                    count: Annotated[float | None, typer.Option("--count", help="升级后的安装数量，默认与升级前相同")] = None,
                    handler: Handler = None, slip: Slip = None, force: Force = False, reason: Reason = None,
                    today_: TodayOption = None) -> None:
    from workbook_tools.tasks.operations import (
        Upgrade,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
        plan_upgrade,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
    )
    from workbook_tools.tasks.operations import request as operation_request  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    req = operation_request(Upgrade, old=old.strip(), new=new.strip(), version=version, count=count,
                           **_visit(computer, date, request, unified, handler, slip, force, reason, today_))
    _run(path, plan_upgrade, req, today_)


@app.command("scrap-computer", help="计算机报废：「计算机」表状态改为报废并填写报废日期，并为其上仍安装的每个软件登记卸载。")
def scrap_computer_command(path: LedgerPath,
                           computer: Annotated[str | None, typer.Argument(
                               help="计算机编号（也可用 --computer，同 install）", show_default=False)] = None,
                           computer_option: Annotated[str | None, typer.Option(
                               "--computer", help="计算机编号（与位置参数二选一）", show_default=False)] = None,
                           date: ScrapDay = None, request: Request = None, unified: Unified = False,
                           handler: Handler = None, slip: Slip = None, today_: TodayOption = None) -> None:
    from workbook_tools.tasks.operations import (
        Visit,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
        plan_scrap_computer,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
    )

    computer = _one_of(computer, computer_option, "计算机编号", "--computer")
    visit = Visit(**_visit(computer, date, request, unified, handler, slip, today_=today_))
    _run(path, plan_scrap_computer, visit, today_)


@app.command("scrap-software", help="软件报废（配置管理规定 二.7）：附件7 状态改为已报废，填写报废日期和报废原因；仍有安装时拒绝执行。")
def scrap_software_command(path: LedgerPath,
                           reason: Annotated[ScrapReason, typer.Option(
                               "--reason", help="报废原因：1 达到最低使用年限且无法继续使用；2 因技术进步等原因无法继续使用；"
                                                "3 因计算机硬件报废且无法迁移", show_default=False)],
                           software: Annotated[str | None, typer.Argument(
                               help="软件编号（也可用 --software，同 install）", show_default=False)] = None,
                           date: ScrapDay = None,
                           software_option: Annotated[str | None, typer.Option(
                               "--software", help="软件编号（与位置参数二选一）", show_default=False)] = None,
                           today_: TodayOption = None) -> None:
    from workbook_tools.tasks.operations import (
        ScrapSoftware,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
        plan_scrap_software,  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)
    )

    software = _one_of(software, software_option, "软件编号", "--software")
    req = ScrapSoftware(software=software, date=parse_day(date) or today(today_), reason=reason.value)
    _run(path, plan_scrap_software, req, today_)
