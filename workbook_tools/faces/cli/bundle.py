"""`ledger bundle windows`: the offline installation bundle for Windows PCs without internet (docs/excel.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbook_tools.faces.cli.app import app
from workbook_tools.faces.cli.chinese import LedgerTyper

bundle_app = LedgerTyper(help="生成离线安装包（在能访问 PyPI 的电脑上运行）。", no_args_is_help=True, rich_markup_mode=None)
app.add_typer(bundle_app, name="bundle")

DEFAULT_CACHE = Path.home() / ".cache" / "workbook_tools" / "wheels"


@bundle_app.command("windows", help="生成 Windows 内网电脑的离线安装包 .zip：64 位 Windows 的全部依赖包、加载项、安装/卸载脚本和说明。")
def windows(
    output: Annotated[Path, typer.Option("-o", "--output", help="生成的 .zip 文件")] = Path("正版化台账离线安装包.zip"),
    cache: Annotated[Path, typer.Option("--cache", help="下载的依赖包缓存在这里，再次生成时不重复下载")] = DEFAULT_CACHE,
    wheel: Annotated[Path | None, typer.Option("--wheel", help="使用这个 workbook_tools 的 .whl（默认：由源代码目录构建）")] = None,
) -> None:
    from workbook_tools.dist.bundle import build_bundle  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

    report = build_bundle(output, cache, wheel)
    print(f"已生成离线安装包：{report.path}（{report.size / 1e6:.1f} MB，{len(report.wheels)} 个依赖包，"
          f"Python {'、'.join(report.python_versions)}，xlwings {report.xlwings_version}）")
