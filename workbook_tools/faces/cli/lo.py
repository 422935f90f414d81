"""`ledger lo build | install | uninstall`: the LibreOffice Calc extension (docs/libreoffice.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbook_tools.dist.lo import OXT_NAME
from workbook_tools.faces.cli.app import app
from workbook_tools.faces.cli.chinese import LedgerTyper

lo_app = LedgerTyper(
    help="LibreOffice Calc 扩展「正版化台账」（Windows、Linux、macOS）：工具栏和菜单的按钮通过本机服务 ledger serve 处理台账。",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(lo_app, name="lo", short_help="LibreOffice Calc 的扩展「正版化台账」：生成、安装、卸载")


@lo_app.command("build", help="生成 LibreOffice 扩展文件 .oxt（工具栏、菜单和按钮的代码；任何系统均可运行）。")
def build(
    output: Annotated[Path, typer.Option("-o", "--output", help="生成的 .oxt 文件（或所在文件夹）",
                                         show_default=True)] = Path(OXT_NAME),
    force: Annotated[bool, typer.Option("--force", help="文件已存在时覆盖")] = False,
) -> None:
    from workbook_tools.dist.lo.build import build_oxt

    report = build_oxt(output, force=force)
    print(f"已生成 LibreOffice 扩展：{report.path}（{report.files} 个文件，按钮 {report.buttons} 个）")


@lo_app.command("install", help="为当前用户安装 LibreOffice 扩展（unopkg add），并设置登录时自动启动本机服务"
                                "（不需要管理员权限；请先退出 LibreOffice）。")
def install(
    folder: Annotated[Path | None, typer.Option(
        "--folder", help="本机服务使用的台账文件夹（默认：当前文件夹；在用户主目录中运行时为“文档”文件夹）",
        show_default=False)] = None,
    python: Annotated[Path | None, typer.Option("--python", help="启动本机服务的 Python（默认：运行本命令的 Python）",
                                                show_default=False)] = None,
    unopkg: Annotated[Path | None, typer.Option("--unopkg", help="LibreOffice 的 unopkg（默认：在 PATH 和常见安装位置中查找）",
                                                show_default=False)] = None,
    profile: Annotated[Path | None, typer.Option(
        "--profile", help="安装到另一个 LibreOffice 用户配置文件夹（如便携版 LibreOffice；默认：当前用户的配置）",
        show_default=False)] = None,
) -> None:
    from workbook_tools.dist.lo.install import describe
    from workbook_tools.dist.lo.install import install as run

    record = run(folder, python, unopkg, profile)
    print("\n".join(describe(record)))


@lo_app.command("uninstall", help="删除 ledger lo install 安装的全部内容：扩展（unopkg remove）、登录启动项和安装记录。")
def uninstall() -> None:
    from workbook_tools.dist.lo.install import uninstall as run

    for path in run():
        print(f"已删除：{path}")
    print("LibreOffice 扩展「正版化台账」已卸载；已在运行的本机服务在下次登录时不再启动。")
