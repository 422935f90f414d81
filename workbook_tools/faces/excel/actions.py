"""The ribbon's actions: one registry entry per button of macros/customUI14.xml.

A button's `tag` is the key of `ACTIONS`; the VBA callback passes it to
`workbook_tools.faces.excel.dispatch`.  An action is a thin adapter: it takes a
`Context` (the clicked workbook, read live on demand) and returns an `Outcome`
(a Chinese message).  The work itself belongs to the library, shared with the
`ledger` command line.

Adding a button = one `Action(...)` entry in `_REGISTERED` plus its `<button>`
line in macros/customUI14.xml (tests/test_addin_ribbon.py checks that both agree).
"""
from __future__ import annotations

import datetime as dt
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from workbook_tools import __version__
from workbook_tools.core import schema
from workbook_tools.faces.excel import live
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import Finding

MAX_LINES = 25  # an alert box longer than this no longer fits on an office screen


class Group(str, Enum):
    """Ribbon groups of the 正版化台账 tab, in display order (value = label)."""

    VALIDATE = "校验"
    UPDATE = "台账更新"
    PRINT = "打印"
    STATS = "统计"
    INSPECT = "检查"
    HELP = "帮助"


GROUP_IDS: dict[Group, str] = {
    Group.VALIDATE: "grpValidate",
    Group.UPDATE: "grpUpdate",
    Group.PRINT: "grpPrint",
    Group.STATS: "grpStats",
    Group.INSPECT: "grpInspect",
    Group.HELP: "grpHelp",
}


class Outcome(BaseModel):
    """What the user is told after a click."""

    message: str
    ok: bool = True


@dataclass
class Context:
    """The clicked workbook; the ledger is read live once, on first use."""

    book: live.BookLike
    today: dt.date = field(default_factory=dt.date.today)
    calculation: str | None = None   # the user's calculation mode, before the button switched it to manual
    _ledger: Ledger | None = None

    @property
    def is_ledger(self) -> bool:
        return live.is_ledger(self.book)

    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = live.read_ledger(self.book)
        return self._ledger


class Action(BaseModel):
    """One ribbon button: its tag, Chinese label, group, icon and the callable it runs."""

    model_config = ConfigDict(frozen=True)

    tag: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # goes into a VBA string: keep it plain ASCII
    label: str
    group: Group
    image: str = Field(pattern=r"^[A-Za-z0-9]+$")    # an Office imageMso name
    description: str                                  # the button's supertip and help line
    run: Callable[[Context], Outcome]
    needs_ledger: bool = True                         # refuse unless 附件7 is in the workbook

    @property
    def button_id(self) -> str:
        return f"btn_{self.tag}"


def clip(lines: list[str], limit: int = MAX_LINES) -> str:
    """Join lines for an alert box, cutting long lists with a count of what was left out."""
    if len(lines) <= limit:
        return "\n".join(lines)
    return "\n".join([*lines[: limit - 1], f"……另有 {len(lines) - limit + 1} 行未显示"])


def _cli_commands() -> list[str]:
    """Names of the `ledger` commands, read from the CLI itself so the list never goes stale."""
    try:
        from workbook_tools.faces.cli import load_commands  # noqa: PLC0415
        from workbook_tools.faces.cli.app import app  # noqa: PLC0415

        load_commands()
    except Exception:  # noqa: BLE001 - help must show even if a command module is broken
        return []
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    names += [g.name or "" for g in app.registered_groups]
    return sorted(n for n in names if n)


def show_help(ctx: Context) -> Outcome:
    lines = [f"正版化台账加载项（workbook_tools {__version__}）", "", "按钮："]
    lines += [f"【{a.group.value}】{a.label}：{a.description}" for a in ACTIONS.values()]
    commands = _cli_commands()
    if commands:
        lines += ["", "其余功能请在保存并关闭工作簿后用命令行 ledger 完成：",
                  "ledger " + "、".join(commands), "（在命令后加 --help 查看说明，如 ledger init --help）"]
    lines += ["", "安装与验收步骤见 docs/excel.md。WPS 表格中的同样按钮：ledger wps install（docs/wps.md）。"]
    return Outcome(message=clip(lines, limit=MAX_LINES * 2))


def _versions() -> list[str]:
    try:
        import xlwings  # noqa: PLC0415

        xlwings_version = xlwings.__version__
    except ImportError:
        xlwings_version = "未安装"
    return [f"workbook_tools {__version__} · xlwings {xlwings_version} · Python {platform.python_version()}",
            f"Python 路径：{sys.executable}"]


def show_environment(ctx: Context) -> Outcome:
    lines = [*_versions(), f"工作簿：{getattr(ctx.book, 'fullname', '') or ctx.book.name}"]
    if not ctx.is_ledger:
        lines.append(f"当前工作簿不是台账（没有工作表「{schema.A7}」），未读取。")
        return Outcome(message=clip(lines))
    start = time.perf_counter()
    ledger = ctx.ledger()
    seconds = time.perf_counter() - start
    present = [t for t in ledger.tables.values() if t.present]
    lines.append(f"读取台账：{len(present)} 张表，用时 {seconds:.2f} 秒")
    lines += [f"  {t.spec.short}：{len(t)} 行" for t in present]
    unreadable = [f for f in ledger.findings if f.rule.startswith("TYPE-")]
    if unreadable:
        lines.append(f"无法识别的日期或数字：{len(unreadable)} 处（如 {unreadable[0].cell}）")
    return Outcome(message=clip(lines))


def _finding_line(f: Finding) -> str:
    from workbook_tools.ops.annotate import SEVERITY_TEXT  # noqa: PLC0415

    place = f.cell or (f"第 {f.row} 行" if f.row else "")
    where = " ".join(x for x in (schema.short(f.sheet) if f.sheet else "", place) if x)
    return f"【{SEVERITY_TEXT[f.severity]}】{where} {f.rule}：{f.message}"


def run_validation(ctx: Context) -> Outcome:
    """LEDGER_SPEC §3 on the open workbook (the same `run_check` as `ledger check`); nothing is written."""
    from workbook_tools.rules import run_check  # noqa: PLC0415

    result = run_check(ctx.ledger(), ctx.today)
    counts = result.counts
    head = f"校验完成（今天按 {result.today.isoformat()} 计）：{counts['error']} 个错误，{counts['warning']} 个警告。"
    if not result.findings:
        return Outcome(message=f"{head}\n未发现问题。")
    lines = [head, *(_finding_line(f) for f in result.findings)]
    tail = "全部结果：保存并关闭后运行 ledger check 文件名 --annotate，写入「校验结果」表并标记单元格。"
    return Outcome(ok=not result.has_errors, message=f"{clip(lines)}\n\n{tail}")


# The adapters import Context/Outcome/clip from this module, so they are imported once those exist.
from workbook_tools.faces.excel import marks, onfile, printing, register  # noqa: E402

_REGISTERED: tuple[Action, ...] = (
    Action(tag="check", label="校验台账", group=Group.VALIDATE, image="DataValidation", run=run_validation,
           description="按管理办法的全部规则校验当前台账，列出有问题的单元格（不修改台账）"),
    Action(tag="validate", label="校验并标记", group=Group.VALIDATE, image="DataValidationCircleInvalid", run=marks.validate,
           description="按全部规则校验当前台账，标记有问题的单元格并重建「校验结果」表（同 ledger check --annotate）"),
    Action(tag="number", label="自动编号", group=Group.UPDATE, image="FillSeries", run=onfile.number,
           description="为附件7 中没有软件编号的行分配编号（同 ledger number）"),
    Action(tag="fix_blanks", label="清除应空栏目", group=Group.UPDATE, image="ClearAll", run=onfile.fix_blanks,
           description="清除 OEM软件、免费软件、受赠/调剂商业软件不应填写的栏目，原值记入变更记录（同 ledger fix-blanks）"),
    Action(tag="rollup", label="半年更新", group=Group.UPDATE, image="RefreshAll", run=onfile.rollup,
           description="按附件9 截至今天的安装卸载记录重建附件8，更新附件7 安装数量（同 ledger rollup）"),
    Action(tag="install", label="登记安装", group=Group.UPDATE, image="SheetRowsInsert",
           run=register.install,
           description="为附件10 中选中的已批准安装申请在附件9 登记安装记录，日期为今天（同 ledger install）"),
    Action(tag="uninstall", label="登记卸载", group=Group.UPDATE, image="SheetRowsDelete", run=register.uninstall,
           description="为附件10 中选中的已批准卸载申请在附件9 登记卸载记录，日期为今天（同 ledger uninstall）"),
    Action(tag="upgrade", label="登记升级", group=Group.UPDATE, image="ReplaceDialog", run=register.upgrade,
           description="为附件10 中选中的已批准升级申请在附件9 登记旧版本卸载和新版本安装，日期为今天（同 ledger upgrade）"),
    Action(tag="renew", label="续订", group=Group.UPDATE, image="DateAndTimeInsert", run=onfile.renew,
           description="把附件7 中备注“续订 原软件编号”的续订行所替代的许可的全部安装转到续订行（同 ledger renew）"),
    Action(tag="print_slip", label="打印确认单", group=Group.PRINT, image="FilePrint", run=printing.print_slip,
           description="为附件9 中选中行的确认单号生成附件11 安装维护确认单 PDF 并打开（同 ledger print 附件11 --id）"),
    Action(tag="print_form", label="打印表单", group=Group.PRINT, image="FilePrintPreview",
           run=printing.print_sheet_form,
           description="把当前附件工作表生成可打印的 A4 PDF 并打开（同 ledger print 附件N）"),
    Action(tag="stats", label="统计 附件5", group=Group.STATS, image="PivotTableInsert", run=onfile.stats,
           description="重建今年的「附件5 信息统计表」（同 ledger stats --year 今年）"),
    Action(tag="plan", label="采购计划", group=Group.STATS, image="TableInsertExcel", run=onfile.plan,
           description="根据附件3 需求申请计算许可缺口，把采购建议写入附件4（同 ledger plan）"),
    Action(tag="overview", label="概览", group=Group.STATS, image="ChartTypeColumnInsertGallery", run=onfile.overview,
           description="重建「概览」工作表：合规率、超装与即将到期的许可及图表（同 ledger overview）"),
    Action(tag="review", label="考核评议", group=Group.INSPECT, image="ReviewNewComment", run=onfile.review,
           description="重建今年的「考核评议」工作表：按部门和人员列出违反软件正版化规定的情况及责任追究（同 ledger review）"),
    Action(tag="scan", label="导入扫描结果", group=Group.INSPECT, image="GetExternalDataFromText", run=onfile.scan,
           description="用台账所在文件夹下「扫描结果」文件夹中的扫描文件核对台账，写入校验结果和扫描建议"
                       "（同 ledger scan --annotate --propose）"),
    Action(tag="help", label="使用说明", group=Group.HELP, image="Help", run=show_help, needs_ledger=False,
           description="列出各按钮的作用和可用的 ledger 命令"),
    Action(tag="about", label="运行环境", group=Group.HELP, image="PropertySheet", run=show_environment,
           needs_ledger=False, description="显示 Python、xlwings 和本工具的版本，并试读当前台账（各表行数与用时）"),
)

ACTIONS: dict[str, Action] = {a.tag: a for a in _REGISTERED}
