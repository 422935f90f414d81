"""统计 of several units: one consolidated 附件5 and the per-unit table (`ledger stats A.xlsx B.xlsx -o …`).

Each unit's file is read here (one that cannot be read is listed, not fatal); the figures are summed
by ops/stats.py.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from typing import Any

from workbook_tools.core.model import LedgerError
from workbook_tools.core.progress import Progress, each
from workbook_tools.files.errors import os_reason
from workbook_tools.files.outputs import Output, check_output
from workbook_tools.files.writer import save_new
from workbook_tools.ops.stats import (
    Consolidation,
    UnitResult,
    breakdown_columns,
    breakdown_row,
    compute_stats,
    consolidation_workbook,
    note_lines,
    sum_stats,
)
from workbook_tools.read import reader
from workbook_tools.tasks import Done


def ledger_files(items: list[Path]) -> list[Path]:
    """Files as given; a folder stands for its .xlsx/.xlsm files (subfolders too, backups and temp files not)."""
    out: list[Path] = []
    for item in items:
        if not item.is_dir():
            out.append(item)
            continue
        found = [p for p in sorted(item.rglob("*")) if p.suffix.lower() in (".xlsx", ".xlsm")
                 and not p.name.startswith(("~$", ".")) and "备份" not in p.relative_to(item).parts[:-1]]
        out.extend(found)
    return out


def unit_result(path: Path, year: int, today: dt.date) -> UnitResult:
    try:
        ledger = reader.load_ledger(path)
        stats = compute_stats(ledger, year, today)
    except LedgerError as exc:
        return UnitResult(path=str(path), name=path.stem, error=exc.message)
    except OSError as exc:
        return UnitResult(path=str(path), name=path.stem, error=f"无法读取（{os_reason(exc)}）")
    except Exception as exc:  # noqa: BLE001 - one odd unit must not stop the others
        return UnitResult(path=str(path), name=path.stem, error=f"无法统计（内部错误 {type(exc).__name__}）")
    return UnitResult(path=str(path), name=stats.header.单位名称 or path.stem, stats=stats, sha256=ledger.sha256)


def _same_unit(a: UnitResult, b: UnitResult) -> str | None:
    """Why two read units are one (same file, same content, same 单位名称), or None."""
    if Path(a.path).resolve() == Path(b.path).resolve():
        return "是同一个文件"
    assert a.stats is not None and b.stats is not None  # units that were read
    if a.sha256 and a.sha256 == b.sha256:
        return "内容完全相同"
    if a.stats.header.单位名称 and norm_unit(a.stats.header.单位名称) == norm_unit(b.stats.header.单位名称):
        return f"的单位名称都是「{a.stats.header.单位名称}」"
    return None


def norm_unit(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def refuse_duplicates(units: list[UnitResult]) -> None:
    """Every unit is counted once: summing one ledger twice would double every figure."""
    good = [u for u in units if u.stats is not None]
    for i, a in enumerate(good):
        for b in good[i + 1:]:
            why = _same_unit(a, b)
            if why:
                raise LedgerError(f"汇总已拒绝：{Path(a.path).name} 与 {Path(b.path).name} {why}，同一单位只能汇总一次"
                                  "（请去掉重复的文件，或在「设置」中改正单位名称）", 1)


def consolidate(paths: list[Path], year: int, today: dt.date | None = None, name: str | None = None,
                exclude: Path | None = None, progress: Progress | None = None) -> Consolidation:
    """附件5 of many units; `exclude` (the output file) is never read as a unit."""
    today = today or dt.date.today()
    files = [p for p in ledger_files(paths) if exclude is None or p.resolve() != exclude.resolve()]
    units = [unit_result(p, year, today) for p in each(files, progress, lambda p: f"读取 {p.name}")]
    refuse_duplicates(units)
    good = [(u, u.stats) for u in units if u.stats is not None]
    total = sum_stats([s for _, s in good], year, today, name or f"{len(good)} 个单位汇总")
    for u, s in good:
        total.notes += [f"{u.name}：{line}" for line in note_lines(s)[2:]]
    total.notes += [f"未能读取：{Path(u.path).name}（{u.error}）" for u in units if u.stats is None]
    return Consolidation(total=total, units=units)




def consolidated(paths: list[Path], output: Path, year: int, today: dt.date, name: str | None = None,
                 force: bool = False, progress: Progress | None = None) -> tuple[Consolidation, Path]:
    """Read every unit, sum them, save the summary workbook; returns (Consolidation, output path)."""
    if output.suffix.lower() != ".xlsx":
        output = output.with_suffix(".xlsx")
    check_output(output, Output.WORKBOOK, ledgers=[p for p in paths if p.is_file()], force=force)
    cons = consolidate(paths, year, today, name, exclude=output, progress=progress)
    if not any(u.stats is not None for u in cons.units):
        raise LedgerError("没有可以汇总的台账（全部无法读取或未找到 .xlsx 文件）")
    save_new(consolidation_workbook(cons), output, overwrite=force)
    return cons, output


def units_table(cons: Consolidation) -> dict[str, Any]:
    """The 分单位明细 sheet as columns and rows (what the summary workbook holds)."""
    rows = [breakdown_row(u.name, Path(u.path).name, u.stats) for u in cons.units if u.stats is not None]
    return {"columns": breakdown_columns(), "rows": rows}


def stats_many(paths: list[Path], output: Path, year: int, today: dt.date, name: str | None = None,
               force: bool = False, progress: Progress | None = None) -> Done:
    cons, out = consolidated(paths, output, year, today, name, force, progress)
    good = [u for u in cons.units if u.stats is not None]
    lines = [f"已汇总 {len(good)} 个单位到 {out}（工作表：附件5 信息统计表、分单位明细、未能读取的单位）"]
    lines += [f"未能读取：{Path(u.path).name}（{u.error}）" for u in cons.failures]
    return Done.of(lines, None, output=str(out), total=cons.total.model_dump(mode="json"), units=units_table(cons),
                   failures=[{"file": Path(u.path).name, "error": u.error} for u in cons.failures])
