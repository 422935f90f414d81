"""Cost of the bounded-reading pre-scan (io/extent.py) beside the bare python-calamine read.

    python benchmarks/prescan.py LEDGER.xlsx [--reps N]

Both are timed in this process over the sheets `ledger check` reads, one sheet after another,
best of N; the ratio pre-scan / read is what bounded reading adds to every read.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from python_calamine import CalamineWorkbook  # noqa: E402

from workbook_tools.core import schema  # noqa: E402
from workbook_tools.read.extent import SheetGuard  # noqa: E402


def _names(path: Path) -> list[str]:
    with CalamineWorkbook.from_path(str(path)) as wb:
        present = set(wb.sheet_names)
    return [s.name for s in schema.data_sheets() if s.name in present]


def bare_read(path: Path, names: list[str]) -> None:
    with CalamineWorkbook.from_path(str(path)) as wb:
        for name in names:
            wb.get_sheet_by_name(name).to_python(skip_empty_area=True)


def prescan(path: Path, names: list[str]) -> None:
    guard = SheetGuard.open(path)
    try:
        for name in names:
            guard.check(name)
    finally:
        guard.close()


def best(fn, reps: int) -> tuple[float, float]:
    """Fastest (wall seconds, CPU seconds) of `reps` runs; CPU time is steadier on a busy machine."""
    runs = []
    for _ in range(reps):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description="预扫描（有界读取）相对 python-calamine 直接读取的耗时比。")
    p.add_argument("path", type=Path)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args(argv)
    names = _names(args.path)
    read = best(lambda: bare_read(args.path, names), args.reps)
    scan = best(lambda: prescan(args.path, names), args.reps)
    print(f"{args.path.name}：直接读取 {read[0]:.3f} 秒（CPU {read[1]:.3f}），预扫描 {scan[0]:.3f} 秒（CPU {scan[1]:.3f}），"
          f"比值 {scan[0] / read[0]:.3f}（CPU {scan[1] / read[1]:.3f}）")


if __name__ == "__main__":
    main()
