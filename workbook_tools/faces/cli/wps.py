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
app.add_typer(wps_app, name="wps", short_help="WPS 表格的加载项「正版化台账」：生成、安装、检查、卸载")


@wps_app.command("build", help="生成 WPS 加载项文件夹（ribbon.xml、index.html、脚本和图标；任何系统均可运行）。")
def build(
    output: Annotated[Path, typer.Option("-o", "--output", help="生成的加载项文件夹",
                                         show_default=True)] = Path(ADDIN_FOLDER),
    force: Annotated[bool, typer.Option("--force", help="文件夹中已有以前生成的加载项时覆盖")] = False,
) -> None:
    from workbook_tools.dist.wps.build import build_addin  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    report = build_addin(output, force=force)
    print(f"已生成 WPS 加载项：{report.path}（{report.files} 个文件，按钮 {report.buttons} 个）")


@wps_app.command("install", help="为当前用户安装 WPS 加载项：登记到本机 WPS 读取的加载项列表（publish.xml、jsplugins.xml、"
                                 "单位 oem.ini 指定的列表），并设置登录时自动启动提供加载项的本机服务（不需要管理员权限，不启动 WPS）。"
                                 "本机 WPS 不能显示按钮时改为打开浏览器中的网页。")
def install(
    folder: Annotated[Path | None, typer.Option(
        "--folder", help="本机服务使用的台账文件夹（默认：当前文件夹；在用户主目录中运行时为“文档”文件夹）",
        show_default=False)] = None,
    python: Annotated[Path | None, typer.Option("--python", help="启动本机服务的 Python（默认：运行本命令的 Python）",
                                                show_default=False)] = None,
    allow_origin: Annotated[list[str] | None, typer.Option(
        "--allow-origin", help="另外允许跨域调用本机服务的网页来源（http://主机:端口；不允许 null），可重复",
        show_default=False)] = None,
    port: Annotated[int | None, typer.Option("--port", help="本机服务的固定端口（默认：沿用上次安装的，或选一个空闲端口）",
                                             show_default=False)] = None,
    no_open: Annotated[bool, typer.Option("--no-open", help="按钮不能出现时也不打开浏览器")] = False,
) -> None:
    from workbook_tools.dist.wps.install import describe, open_page  # noqa: PLC0415 - lazy: `ledger --help`
    from workbook_tools.dist.wps.install import install as run

    record = run(folder, python, tuple(allow_origin or ()), port=port)
    print("\n".join(describe(record)))
    if record.blocked and not no_open:
        print(f"已在浏览器中打开台账网页：{open_page().rsplit('/', 3)[0]}/…")


@wps_app.command("doctor", help="检查本机 WPS：版本、加载项机制（publish.xml、jsplugins.xml、oem.ini、插件池）、"
                                "是否阻止第三方加载项、本加载项的登记与本机服务。")
def doctor() -> None:
    from workbook_tools.dist.wps.install import doctor as run  # noqa: PLC0415 - lazy: `ledger --help`

    print("\n".join(run()))


@wps_app.command("open", help="在浏览器中打开台账网页（需要时先启动 ledger wps install 设置的本机服务）。")
def open_() -> None:
    from workbook_tools.dist.wps.install import open_page  # noqa: PLC0415 - lazy: `ledger --help`

    print(f"已在浏览器中打开台账网页：{open_page().rsplit('/', 3)[0]}/…")


@wps_app.command("uninstall", help="删除 ledger wps install 安装的全部内容：列表中的登记、密钥、登录启动项和安装记录。")
def uninstall() -> None:
    from workbook_tools.dist.wps import install as wps_install  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    result = wps_install.uninstall()
    for path in result.removed:
        print(f"已删除：{path}")
    for path in result.kept:
        print(f"已从 {path} 中去掉本加载项的登记（其他加载项的登记保留）")
    print("WPS 加载项「正版化台账」已卸载；已在运行的本机服务在下次登录时不再启动。")
