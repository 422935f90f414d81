"""`ledger wps build | install | uninstall`: the WPS add-in (docs/wps.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbook_tools.dist.wps import ADDIN_FOLDER
from workbook_tools.faces.cli.app import app
from workbook_tools.faces.cli.chinese import LedgerTyper

wps_app = LedgerTyper(
    help="WPS 加载项「正版化台账」（WPS 表格，Windows 与麒麟、统信等 Linux）：按钮通过本机服务 ledger serve 处理台账。",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(wps_app, name="wps", short_help="WPS 表格的加载项「正版化台账」：生成、安装、卸载")


@wps_app.command("build", help="生成 WPS 加载项文件夹（ribbon.xml、index.html、脚本和图标；任何系统均可运行）。")
def build(
    output: Annotated[Path, typer.Option("-o", "--output", help="生成的加载项文件夹",
                                         show_default=True)] = Path(ADDIN_FOLDER),
    force: Annotated[bool, typer.Option("--force", help="文件夹中已有以前生成的加载项时覆盖")] = False,
) -> None:
    from workbook_tools.dist.wps.build import build_addin  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    report = build_addin(output, force=force)
    print(f"已生成 WPS 加载项：{report.path}（{report.files} 个文件，按钮 {report.buttons} 个）")


@wps_app.command("install", help="为当前用户安装 WPS 加载项：复制到 WPS 的 jsaddons 文件夹、登记到 jsplugins.xml 和 "
                                 "publish.xml，并设置登录时自动启动本机服务（不需要管理员权限，不启动 WPS）。")
def install(
    folder: Annotated[Path | None, typer.Option(
        "--folder", help="本机服务使用的台账文件夹（默认：当前文件夹；在用户主目录中运行时为“文档”文件夹）",
        show_default=False)] = None,
    python: Annotated[Path | None, typer.Option("--python", help="启动本机服务的 Python（默认：运行本命令的 Python）",
                                                show_default=False)] = None,
    allow_origin: Annotated[list[str] | None, typer.Option(
        "--allow-origin", help="另外允许跨域调用本机服务的来源（WPS 加载项页面的来源不是 null 时），可重复",
        show_default=False)] = None,
) -> None:
    from workbook_tools.dist.wps import install as wps_install  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    record = wps_install.install(folder, python, tuple(allow_origin or ()))
    print("\n".join(wps_install.describe(record)))


@wps_app.command("uninstall", help="删除 ledger wps install 安装的全部内容：加载项文件夹、列表中的登记、登录启动项和安装记录。")
def uninstall() -> None:
    from workbook_tools.dist.wps import install as wps_install  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    result = wps_install.uninstall()
    for path in result.removed:
        print(f"已删除：{path}")
    for path in result.kept:
        print(f"已从 {path} 中去掉本加载项的登记（其他加载项的登记保留）")
    print("WPS 加载项「正版化台账」已卸载；已在运行的本机服务在下次登录时不再启动。")
