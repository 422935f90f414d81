"""`ledger wps build`: the add-in folder (the sources of wps/, with ribbon.xml and js/registry.js generated anew)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from pydantic import BaseModel

from workbook_tools.core.model import LedgerError
from workbook_tools.dist import common
from workbook_tools.dist.wps import ADDIN_FOLDER
from workbook_tools.dist.wps.ribbon import write_generated
from workbook_tools.files.errors import os_reason
from workbook_tools.tasks.registry import ENTRIES

ENTRY = ("index.html", "ribbon.xml")       # what makes a folder a WPS add-in
SOURCES = ("index.html", "taskpane.html", "js", "css", "images")


class BuildReport(BaseModel):
    path: Path
    files: int
    buttons: int


def sources_dir() -> Path:
    """wps/: inside the installed package (workbook_tools/dist/wps/addin) or at the root of a source checkout."""
    return common.find_sources(__file__, "addin", "wps", SOURCES,
                               "找不到 WPS 加载项源文件（wps/index.html 等）：请从完整的 workbook_tools 安装包重新安装")


def is_addin(folder: Path) -> bool:
    return all((folder / name).is_file() for name in ENTRY)


def _prepare(target: Path, force: bool) -> None:
    if target.exists() and not target.is_dir():
        raise LedgerError(f"{target} 已存在且不是文件夹", 2)
    if target.is_dir() and any(target.iterdir()):
        if not force:
            raise LedgerError(f"文件夹 {target} 不是空的：加 --force 覆盖以前生成的加载项", 2)
        if not is_addin(target):  # never empty a folder that is not an add-in built here
            raise LedgerError(f"文件夹 {target} 不是加载项文件夹（没有 index.html 和 ribbon.xml），不会覆盖它", 2)
        shutil.rmtree(target)


def build_addin(target: Path, force: bool = False) -> BuildReport:
    """The add-in folder at `target` (a staging copy is renamed into place, so a half copy is never left)."""
    target = Path(os.path.abspath(target))
    _prepare(target, force)
    staging = target.with_name(f".{target.name}.tmp")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(sources_dir(), staging, ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.pyc"))
        write_generated(staging)
        if target.is_dir():
            target.rmdir()
        os.replace(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise LedgerError(f"无法生成加载项文件夹 {target}：{os_reason(exc)}", 2) from None
    files = sum(1 for p in target.rglob("*") if p.is_file())
    return BuildReport(path=target, files=files, buttons=len(ENTRIES))


def default_output() -> Path:
    return Path(ADDIN_FOLDER)
