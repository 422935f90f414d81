"""The action registry: every button of the ribbons (Excel and WPS) and every `ledger` command, as plain data.

One entry per action: its tag, Chinese label, ribbon group, icon (an Office imageMso name), the line
of help it shows, whether it needs a ledger open, the `ledger` command that does the same on a file
and the `tasks` function behind it (a "module:function" reference, resolved on use so that reading
the registry stays cheap).  The Excel ribbon (faces/excel and macros/customUI14.xml), the WPS add-in
(dist/wps/ribbon.py generates its ribbon.xml and js/registry.js), the page of `ledger serve`
(GET /api/info) and the help of the ribbon all read this module; a test keeps COMMANDS equal to the
commands the CLI registers.

Adding a button = one `Entry(...)` in `ENTRIES`, its adapter in faces/excel (ADAPTERS there), its
`<button>` line in macros/customUI14.xml, and `python -m workbook_tools.dist.wps.ribbon`.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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


class Entry(BaseModel):
    """One action as every face shows it."""

    model_config = ConfigDict(frozen=True)

    tag: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # goes into a VBA string: keep it plain ASCII
    label: str
    group: Group
    image: str = Field(pattern=r"^[A-Za-z0-9]+$")    # an Office imageMso name
    description: str                                  # the button's supertip and help line
    needs_ledger: bool = True                         # refuse unless 附件7 is in the workbook
    command: str | None = None                        # the `ledger` command doing the same on a file
    task: str | None = None                           # "module:function" under workbook_tools.tasks

    @property
    def button_id(self) -> str:
        return f"btn_{self.tag}"

    def task_function(self) -> Callable[..., Any] | None:
        """The tasks function behind the action (imported now), or None for an action of the face alone."""
        if self.task is None:
            return None
        module, name = self.task.split(":")
        function: Callable[..., Any] = getattr(importlib.import_module(f"workbook_tools.tasks.{module}"), name)
        return function


ENTRIES: tuple[Entry, ...] = (
    Entry(tag="check", label="校验台账", group=Group.VALIDATE, image="DataValidation", command="check",
          task="sheets:check",
          description="按管理办法的全部规则校验当前台账，列出有问题的单元格（不修改台账）"),
    Entry(tag="validate", label="校验并标记", group=Group.VALIDATE, image="DataValidationCircleInvalid",
          command="check", task="sheets:annotate",
          description="按全部规则校验当前台账，标记有问题的单元格并重建「校验结果」表（同 ledger check --annotate）"),
    Entry(tag="number", label="自动编号", group=Group.UPDATE, image="FillSeries", command="number", task="sheets:number",
          description="为附件7 中没有软件编号的行分配编号（同 ledger number）"),
    Entry(tag="fix_blanks", label="清除应空栏目", group=Group.UPDATE, image="ClearAll", command="fix-blanks",
          task="sheets:fix_blanks",
          description="清除 OEM软件、免费软件、受赠/调剂商业软件不应填写的栏目，原值记入变更记录（同 ledger fix-blanks）"),
    Entry(tag="rollup", label="半年更新", group=Group.UPDATE, image="RefreshAll", command="rollup", task="sheets:rollup",
          description="按附件9 截至今天的安装卸载记录重建附件8，更新附件7 安装数量（同 ledger rollup）"),
    Entry(tag="install", label="登记安装", group=Group.UPDATE, image="SheetRowsInsert", command="install",
          task="requests:apply_requests",
          description="为附件10 中选中的已批准安装申请在附件9 登记安装记录，日期为今天（同 ledger install）"),
    Entry(tag="uninstall", label="登记卸载", group=Group.UPDATE, image="SheetRowsDelete", command="uninstall",
          task="requests:apply_requests",
          description="为附件10 中选中的已批准卸载申请在附件9 登记卸载记录，日期为今天（同 ledger uninstall）"),
    Entry(tag="upgrade", label="登记升级", group=Group.UPDATE, image="ReplaceDialog", command="upgrade",
          task="requests:apply_requests",
          description="为附件10 中选中的已批准升级申请在附件9 登记旧版本卸载和新版本安装，日期为今天（同 ledger upgrade）"),
    Entry(tag="renew", label="续订", group=Group.UPDATE, image="Repeat", command="renew",
          task="cycle:renew_pending",
          description="把附件7 中备注“续订 原软件编号”的续订行所替代的许可的全部安装转到续订行（同 ledger renew）"),
    Entry(tag="print_slip", label="打印确认单", group=Group.PRINT, image="FilePrint", command="print",
          task="printing:print_file",
          description="为附件9 中选中行的确认单号生成附件11 安装维护确认单 PDF 并打开（同 ledger print 附件11 --id）"),
    Entry(tag="print_form", label="打印表单", group=Group.PRINT, image="FilePrintPreview", command="print",
          task="printing:print_file",
          description="把当前附件工作表生成可打印的 A4 PDF 并打开（同 ledger print 附件N）"),
    Entry(tag="stats", label="统计 附件5", group=Group.STATS, image="PivotTableInsert", command="stats",
          task="sheets:stats",
          description="重建今年的「附件5 信息统计表」（同 ledger stats --year 今年）"),
    Entry(tag="plan", label="采购计划", group=Group.STATS, image="TableInsertExcel", command="plan", task="sheets:plan",
          description="根据附件3 需求申请计算许可缺口，把采购建议写入附件4（同 ledger plan）"),
    Entry(tag="overview", label="概览", group=Group.STATS, image="ChartTypeColumnInsertGallery", command="overview",
          task="sheets:overview",
          description="重建「概览」工作表：合规率、超装与即将到期的许可及图表（同 ledger overview）"),
    Entry(tag="review", label="考核评议", group=Group.INSPECT, image="ReviewNewComment", command="review",
          task="cycle:review",
          description="重建今年的「考核评议」工作表：按部门和人员列出违反软件正版化规定的情况及责任追究（同 ledger review）"),
    Entry(tag="scan", label="导入扫描结果", group=Group.INSPECT, image="GetExternalDataFromText", command="scan",
          task="scanning:scan",
          description="用台账所在文件夹下「扫描结果」文件夹中的扫描文件核对台账，写入校验结果和扫描建议"
                      "（同 ledger scan --annotate --propose）"),
    Entry(tag="help", label="使用说明", group=Group.HELP, image="Help", needs_ledger=False,
          description="列出各按钮的作用和可用的 ledger 命令"),
    Entry(tag="about", label="运行环境", group=Group.HELP, image="PropertySheet", needs_ledger=False,
          description="显示 Python、xlwings 和本工具的版本，并试读当前台账（各表行数与用时）"),
)

REGISTRY: dict[str, Entry] = {e.tag: e for e in ENTRIES}

# Every `ledger` command and command group, in the order help lists them; tests/test_registry.py checks it
# against the commands the CLI registers, so the ribbon's help and the WPS add-in never name a missing one.
COMMANDS: tuple[str, ...] = (
    "add-free", "add-sheets", "addin", "baseline", "bundle", "check", "fix-blanks", "init", "install", "lo", "number",
    "overview", "plan", "pledge", "print", "renew", "review", "rollup", "scan", "scan-apply", "scrap-computer",
    "scrap-software", "serve", "slip", "stats", "uninstall", "upgrade", "wps",
)


def by_group() -> list[tuple[Group, list[Entry]]]:
    """The groups that have entries, in ribbon order, each with its entries in registry order."""
    groups = [(g, [e for e in ENTRIES if e.group is g]) for g in Group]
    return [(g, entries) for g, entries in groups if entries]


def help_lines(version: str) -> list[str]:
    """The ribbon's 使用说明: every button, then the commands of the file-only actions."""
    lines = [f"正版化台账加载项（workbook_tools {version}）", "", "按钮："]
    lines += [f"【{e.group.value}】{e.label}：{e.description}" for e in ENTRIES]
    lines += ["", "其余功能请在保存并关闭工作簿后用命令行 ledger 完成：",
              "ledger " + "、".join(COMMANDS), "（在命令后加 --help 查看说明，如 ledger init --help）"]
    lines += ["", "安装与验收步骤见 docs/excel.md。WPS 表格中的同样按钮：ledger wps install（docs/wps.md）。"]
    return lines
