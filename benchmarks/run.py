"""Benchmark of a large unit against the bare cost of reading and writing the same file.

    python benchmarks/run.py [--scale full|half|quarter|eighth] [--reps N] [--quick]
                             [--only check,rollup] [--no-scaling] [--rebuild] [--profile NAME]

Builds the unit once (benchmarks/cache/, keyed by its parameters), measures every step in a
fresh child process, prints the table and writes benchmarks/results/latest.json.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import report
from benchmarks.config import (
    CACHE,
    DEMO,
    LATEST,
    ROLLUP_DATE,
    ROLLUP_FORCE,
    SCALES,
    SERIES,
    UnitSpec,
)
from benchmarks.measure import (
    Job,
    Measured,
    check_job,
    demo_jobs,
    measure_all,
    rollup_job,
    scan_job,
    unit_jobs,
)
from benchmarks.unit import UnitInfo, ensure_scans, ensure_unit


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="台账性能基准：与直接读写同一文件的耗时相比。")
    p.add_argument("--scale", choices=list(SCALES), default="full", help="主测量的规模（默认 full）")
    p.add_argument("--reps", type=int, default=3, help="每项测量的次数，报告中位数（默认 3）")
    p.add_argument("--quick", action="store_true", help="每项只测 1 次，不测规模序列")
    p.add_argument("--only", help="只测这些项（逗号分隔：floor-read,floor-write,peer,check,rollup,install,annotate,print,print-a8,scan,demo）")
    p.add_argument("--no-scaling", action="store_true", help="不测规模序列")
    p.add_argument("--rebuild", action="store_true", help="重新生成测试台账（不用缓存）")
    p.add_argument("--profile", help="用 pyinstrument 剖析该项的最后一次测量，写入 benchmarks/cache/profile-<项>.txt")
    p.add_argument("--output", type=Path, default=LATEST, help="结果 JSON（默认 benchmarks/results/latest.json）")
    p.add_argument("--show", type=Path, help="不测量：显示一个已有结果 JSON 的表格并重写其 .md")
    args = p.parse_args(argv)
    if args.quick:
        args.reps, args.no_scaling = 1, True
    return args


def has_scan() -> bool:
    return importlib.util.find_spec("workbook_tools.scan.run") is not None


def demo_only(only: set[str] | None) -> bool:
    """Only the demo unit's jobs asked for: the large unit is neither built nor measured."""
    return bool(only) and all(o == "demo" or o.startswith("demo-") for o in only)


def main_jobs(info: UnitInfo, only: set[str] | None) -> list[Job]:
    if demo_only(only):
        return [j for j in demo_jobs(info) if "demo" in only or j.name in only]
    jobs = unit_jobs(info)
    if has_scan() and (only is None or "scan" in only):
        jobs.append(scan_job(info, ensure_scans(info)))
    if only is None or "demo" in only or any(o.startswith("demo-") for o in only):
        jobs += demo_jobs(ensure_unit(DEMO))
    return [j for j in jobs if only is None or j.name in only or ("demo" in only and j.name.startswith("demo-"))]


def run_jobs(jobs: list[Job], reps: int, profile: str | None) -> dict[str, Measured]:
    for job in jobs:
        print(f"{job.name}：{job.label}")
    return measure_all(jobs, reps, profile={profile: CACHE / f"profile-{profile}.txt"} if profile else None)


def series_row(scale: str, info: UnitInfo, check: Measured, rollup: Measured) -> dict:
    per_10k = 10_000 / info.events
    return {"scale": scale, "events": info.events, "a8_rows": info.a8_rows, "size_mb": info.size_mb,
            "check_seconds": check.seconds, "check_per_10k": round(check.seconds * per_10k, 3),
            "rollup_seconds": rollup.seconds, "rollup_per_10k": round(rollup.seconds * per_10k, 3)}


def run_series(main_scale: str, main: dict[str, Measured], reps: int) -> list[dict]:
    rows = []
    for scale in SERIES:
        info = ensure_unit(UnitSpec.at(scale))
        if scale == main_scale and {"check", "rollup"} <= main.keys():
            check, rollup = main["check"], main["rollup"]
        else:
            print(f"规模 {scale}（附件9 {info.events:,} 条）")
            found = measure_all([check_job(info), rollup_job(info)], reps)
            check, rollup = found["check"], found["rollup"]
        rows.append(series_row(scale, info, check, rollup))
    return rows


def unit_summary(info: UnitInfo) -> dict:
    return {**info.model_dump(mode="json", exclude={"slip_ids", "path"}), "file": info.path.name,
            "printed_slips": len(info.slip_ids), "rollup_date": ROLLUP_DATE.isoformat(), "rollup_force": ROLLUP_FORCE}


def write(doc: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    path.with_suffix(".md").write_text(report.markdown(doc), encoding="utf-8")
    print(f"结果已写入 {path}（表格另存为 {path.with_suffix('.md').name}）")


def show_saved(path: Path) -> int:
    doc = json.loads(path.read_text(encoding="utf-8"))
    results = {k: Measured.model_validate(m) for k, m in doc["measurements"].items()}
    doc.setdefault("cpu_ratios", report.ratios(results, "cpu_seconds"))
    report.show(doc, results, {})
    path.with_suffix(".md").write_text(report.markdown(doc), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.show:
        return show_saved(args.show)
    only = {x.strip() for x in args.only.split(",")} if args.only else None
    if demo_only(only):
        args.no_scaling = True
    info = ensure_unit(DEMO if demo_only(only) else UnitSpec.at(args.scale), rebuild=args.rebuild)
    print(f"测试台账：{info.path.name}（{info.size_mb} MB，附件9 {info.events:,} 条，附件8 {info.a8_rows:,} 行）")
    results = run_jobs(main_jobs(info, only), args.reps, args.profile)
    series = None if args.no_scaling else report.scaling(run_series(args.scale, results, args.reps))
    options = {"scale": args.scale, "reps": args.reps, "quick": args.quick, "only": sorted(only) if only else None}
    doc = report.document(results, unit_summary(info), options, series)
    before = report.previous(args.output)
    report.show(doc, results, before)
    write(doc, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
