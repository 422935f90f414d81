"""统计 of several units: one consolidated 附件5 and the per-unit table (`ledger stats A.xlsx B.xlsx -o …`)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook_tools.core.model import LedgerError
from workbook_tools.core.progress import Progress
from workbook_tools.tasks import Done


def consolidated(paths: list[Path], output: Path, year: int, today: dt.date, name: str | None = None,
                 force: bool = False, progress: Progress | None = None):
    """Read every unit, sum them, save the summary workbook; returns (Consolidation, output path)."""
    from workbook_tools.files.outputs import Output, check_output
    from workbook_tools.files.writer import save_new
    from workbook_tools.ops.stats import consolidate, consolidation_workbook

    if output.suffix.lower() != ".xlsx":
        output = output.with_suffix(".xlsx")
    check_output(output, Output.WORKBOOK, ledgers=[p for p in paths if p.is_file()], force=force)
    cons = consolidate(paths, year, today, name, exclude=output, progress=progress)
    if not any(u.stats is not None for u in cons.units):
        raise LedgerError("没有可以汇总的台账（全部无法读取或未找到 .xlsx 文件）")
    save_new(consolidation_workbook(cons), output, overwrite=force)
    return cons, output


def units_table(cons) -> dict:
    """The 分单位明细 sheet as columns and rows (what the summary workbook holds)."""
    from workbook_tools.ops.stats import breakdown_columns, breakdown_row

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
