"""Cost of the recognition library in `ledger scan`: 1,000 scan files, with the library and without it.

    python benchmarks/scan_library.py [--computers 1000] [--entries 150] [--reps 3] [--compare-src DIR]

A demo unit of `--computers` computers (cached in benchmarks/cache/), one scan file per computer in use
as `ledger init --demo` writes them (the live installations under their installers' names, activation
rows), padded to `--entries` entries with the runtimes, drivers and tools of the realistic office-PC
scans in tests/data/scan_office.  Reading the files and reconciling them is timed (best of --reps) once
with the shipped library and once with an empty one (every entry falls through to 软件名称对照, as
before the library existed); the ratio is what the library costs.  `--compare-src DIR` times the same
files with the package of another checkout (e.g. `git archive main | tar -x -C DIR`: the release before).
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from benchmarks.config import CACHE, TODAY  # noqa: E402

OFFICE = ROOT.parent / "tests" / "data" / "scan_office"


def _unit(computers: int) -> Path:
    from workbook_tools import demo
    from workbook_tools.files.create import build_workbook

    path = CACHE / f"scan-library-{computers}.xlsx"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        wb = build_workbook()
        demo.fill(wb, demo.DemoSpec(staff=max(200, computers), computers=computers, software=40, years=2, today=TODAY))
        wb.save(path)
    return path


def _padding() -> list[list[str]]:
    """What else the realistic office scans list: runtimes, drivers, OEM tools (the library ignores them) and
    the unit's own business clients (nobody knows them)."""
    from workbook_tools.scan.library import shipped

    rows = []
    for f in sorted(OFFICE.glob("*.csv")):
        for r in csv.reader(io.StringIO(f.read_text(encoding="utf-8-sig"))):
            if r[0] == "计算机名" or r[5] not in ("HKLM", "HKLM\\WOW6432Node"):
                continue
            product = shipped().classify(r[1], r[3])
            if (product is None or product.ignore) and r not in rows:
                rows.append(r[1:])
    return rows


def _scans(path: Path, entries: int) -> Path:
    from workbook_tools.demo.scans import demo_scans
    from workbook_tools.read.reader import load_ledger

    folder = path.with_name(path.stem + f"-scans-{entries}")
    if folder.is_dir():
        return folder
    folder.mkdir()
    padding = _padding()
    for i, (name, data) in enumerate(demo_scans(load_ledger(path), TODAY).items()):
        lines = data.decode("utf-8-sig").rstrip("\r\n").split("\r\n")
        host = name[:-4]
        k = 0
        while len(lines) - 1 < entries:
            row = padding[(i * 7 + k) % len(padding)]
            lines.append(",".join('"' + c.replace('"', '""') + '"' for c in (host, *row)))
            k += 1
        (folder / name).write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return folder


def _time(path: Path, folder: Path, reps: int, empty: bool) -> tuple[float, int, int]:
    from workbook_tools.read.reader import load_ledger
    from workbook_tools.scan import library, reconcile
    from workbook_tools.tasks.scanning import read_scans

    chosen = library.Library([], []) if empty else library.shipped()
    ledger = load_ledger(path)
    best, issues, entries = float("inf"), 0, 0
    for _ in range(reps):
        start = time.perf_counter()
        scans = read_scans([folder])
        result, _ = reconcile(ledger, scans, TODAY, chosen)
        best = min(best, time.perf_counter() - start)
        issues, entries = len(result.issues), len(scans.entries)
    return best, issues, entries


TIMER = """
import sys, time
from pathlib import Path
from workbook_tools.read.reader import load_ledger
from workbook_tools.scan import reconcile
try:
    from workbook_tools.tasks.scanning import read_scans
except ImportError:          # an older checkout
    from workbook_tools.scan import read_scans
import datetime as dt
ledger = load_ledger(Path(sys.argv[1]))
best = float("inf")
for _ in range(int(sys.argv[4])):
    start = time.perf_counter()
    result, _ = reconcile(ledger, read_scans([Path(sys.argv[2])]), dt.date.fromisoformat(sys.argv[3]))
    best = min(best, time.perf_counter() - start)
print(best, len(result.issues))
"""


def _time_other(src: Path, path: Path, folder: Path, reps: int) -> tuple[float, int]:
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, "-c", TIMER, str(path), str(folder), TODAY.isoformat(), str(reps)],
                         env=env, capture_output=True, text=True, check=True, cwd=src).stdout.split()
    return float(out[0]), int(out[1])


def main() -> None:
    p = argparse.ArgumentParser(description="识别库对 ledger scan 用时的影响")
    p.add_argument("--computers", type=int, default=1000)
    p.add_argument("--entries", type=int, default=150)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--compare-src", type=Path, help="另一份源代码（如上一版）的文件夹：用它核对同样的扫描文件")
    args = p.parse_args()
    path = _unit(args.computers)
    folder = _scans(path, args.entries)
    files = len(list(folder.glob("*.csv")))
    without = _time(path, folder, args.reps, empty=True)
    with_lib = _time(path, folder, args.reps, empty=False)
    print(f"{files} 个扫描文件，{with_lib[2]:,} 条：不用识别库 {without[0]:.2f} 秒（{without[1]:,} 条结果），"
          f"用识别库 {with_lib[0]:.2f} 秒（{with_lib[1]:,} 条结果），比值 {with_lib[0] / without[0]:.2f}")
    if args.compare_src:
        other = _time_other(args.compare_src, path, folder, args.reps)
        print(f"{args.compare_src} 的代码：{other[0]:.2f} 秒（{other[1]:,} 条结果）；本版 / 该版 = {with_lib[0] / other[0]:.2f}")


if __name__ == "__main__":
    main()
