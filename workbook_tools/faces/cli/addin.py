"""`ledger addin build|install`: the Excel ribbon add-in (see docs/excel.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbook_tools.faces.cli.app import app
from workbook_tools.faces.cli.chinese import LedgerTyper

addin_app = LedgerTyper(
    help="Excel 功能区加载项「正版化台账」（仅 Microsoft Excel；WPS 用 ledger wps）。",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(addin_app, name="addin")


@addin_app.command("build", help="由 macros/ 中的源文件和本机 xlwings 的模板生成加载项 .xlam（任何系统均可运行）。")
def build(
    output: Annotated[Path, typer.Option("-o", "--output", help="生成的加载项文件",
                                         show_default=True)] = Path("ledger.xlam"),
    force: Annotated[bool, typer.Option("--force", help="加载项文件已存在时覆盖")] = False,
) -> None:
    from workbook_tools.dist.excel.addin import build_checked  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    report = build_checked(output, force)
    print(f"已生成加载项：{report.path}（xlwings {report.xlwings_version}，按钮 {report.buttons} 个）")


@addin_app.command("install", help="生成加载项并复制到 Excel 启动文件夹（XLSTART，不启动 Excel），"
                                    "写入 Python 路径配置（仅 Windows/macOS）。")
def install(
    interpreter: Annotated[Path | None, typer.Option("--interpreter",
                                                     help="Excel 按钮调用的 Python（默认：运行本命令的 Python）")] = None,
    addin: Annotated[Path | None, typer.Option("--addin",
                                               help="安装这个已生成的 .xlam（如离线安装包中的 ledger.xlam），不重新生成")] = None,
) -> None:
    from workbook_tools.dist.excel.install import install_addin  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    report = install_addin(interpreter, built=addin)
    print(f"已安装加载项：{report.addin}")
    print(f"已写入配置：{report.config}（Python：{report.interpreter}）")
    print("请重新启动 Excel，打开台账后功能区会出现「正版化台账」选项卡。")
