"""Ratios, targets, the scaling series, the printed table and the JSON of a run."""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import re
import subprocess
from importlib import metadata
from itertools import pairwise
from pathlib import Path

from rich.console import Console
from rich.table import Table

from benchmarks.config import LINEAR_EXPONENT, REPO, TARGETS
from benchmarks.measure import Measured

PACKAGES = ("workbook_tools", "python-calamine", "openpyxl", "pandas", "numpy", "pydantic", "typer", "typst",
            "pypdf", "rich")
PRINT_JOBS = ("print", "print-a8")
WRITE_JOBS = ("rollup", "install", "annotate")
RATIOS = {  # name -> (numerator, denominator)
    "check_vs_floor_read": ("check", "floor-read"),
    "rollup_vs_floor_read": ("rollup", "floor-read"),
    "install_vs_floor_read": ("install", "floor-read"),
    "annotate_vs_floor_read": ("annotate", "floor-read"),
    "rollup_vs_floor_write": ("rollup", "floor-write"),
    "install_vs_floor_write": ("install", "floor-write"),
    "peer_vs_check": ("peer", "check"),
}


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str | None:
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
    except OSError:
        return platform.processor() or None
    return next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("model name")), None)


def _commit() -> str | None:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False)
    return proc.stdout.strip() or None


def machine() -> dict:
    return {"cpu_count": os.cpu_count(), "cpu": _cpu_model(), "python": platform.python_version(),
            "platform": platform.platform(), "load_average": [round(x, 2) for x in os.getloadavg()],
            "commit": _commit(), "packages": {p: _version(p) for p in PACKAGES}}


def ratios(results: dict[str, Measured], measure: str = "seconds") -> dict[str, float]:
    """The RATIOS of wall time (`seconds`, what the targets use) or of CPU time (`cpu_seconds`):
    threads can hide cost on an idle machine, which the CPU ratio shows."""
    return {name: round(getattr(results[a], measure) / getattr(results[b], measure), 2)
            for name, (a, b) in RATIOS.items()
            if a in results and b in results and getattr(results[b], measure) > 0}


def parallelism(m: Measured) -> float | None:
    """CPU seconds per wall second of the timed part (above 1 when threads overlap)."""
    return round(m.cpu_seconds / m.seconds, 2) if m.seconds > 0 else None


def printed_pages(m: Measured) -> int | None:
    """Pages of a print job, from what `ledger print` says on stderr (「… 份，N 页」)."""
    found = re.search(r"([\d,]+) 页", m.note)
    return int(found.group(1).replace(",", "")) if found else None


def pages_per_second(m: Measured) -> float | None:
    pages = printed_pages(m)
    return round(pages / m.seconds, 1) if pages and m.seconds > 0 else None


def target_value(name: str, results: dict[str, Measured], found: dict[str, float]) -> float | None:
    if name == "check_peak_mb":
        return results["check"].peak_mb if "check" in results else None
    if name == "print_pages_per_second":
        return pages_per_second(results["print"]) if "print" in results else None
    if name == "print_peak_mb":
        peaks = [results[j].peak_mb for j in PRINT_JOBS if j in results]
        return max(peaks) if peaks else None
    if name == "write_peak_mb":
        peaks = [results[j].peak_mb for j in WRITE_JOBS if j in results]
        return max(peaks) if peaks else None
    if name == "demo_write_seconds":
        demo = [m.seconds for k, m in results.items() if k.startswith("demo-")]
        return max(demo) if demo else None
    return found.get(name)


AT_LEAST = ("peer_vs_check", "print_pages_per_second")


def targets(results: dict[str, Measured], found: dict[str, float]) -> list[dict]:
    rows = []
    for name, limit in TARGETS.items():
        value = target_value(name, results, found)
        if value is None:
            continue
        holds = value >= limit if name in AT_LEAST else (value < limit if name == "check_peak_mb" else value <= limit)
        rows.append({"name": name, "value": value, "limit": limit, "holds": holds})
    return rows


# --- scaling ---------------------------------------------------------------------------------------

def exponent(points: list[tuple[int, float]]) -> float | None:
    """k of time ∝ events^k, least squares on the logarithms."""
    pts = [(math.log(e), math.log(s)) for e, s in points if e > 0 and s > 0]
    if len(pts) < 2:
        return None
    mx, my = sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)
    var = sum((x - mx) ** 2 for x, _ in pts)
    return round(sum((x - mx) * (y - my) for x, y in pts) / var, 2) if var else None


def _marginal(series: list[dict], name: str) -> None:
    """Seconds per 10,000 more events from the previous size: constant when time grows linearly."""
    for prev, row in pairwise(series):
        extra = row["events"] - prev["events"]
        if extra > 0 and row.get(f"{name}_seconds") is not None and prev.get(f"{name}_seconds") is not None:
            row[f"{name}_marginal_per_10k"] = round((row[f"{name}_seconds"] - prev[f"{name}_seconds"]) * 1e4 / extra, 3)


def scaling(series: list[dict]) -> dict:
    out: dict = {"series": series, "exponent": {}, "linear": {}}
    for name in ("check", "rollup"):
        _marginal(series, name)
        k = exponent([(row["events"], row[f"{name}_seconds"]) for row in series if row.get(f"{name}_seconds")])
        out["exponent"][name] = k
        out["linear"][name] = None if k is None else k <= LINEAR_EXPONENT
    return out


# --- output ----------------------------------------------------------------------------------------

TARGET_TEXT = {
    "check_vs_floor_read": "check ≤ 1.5 × floor-read",
    "rollup_vs_floor_read": "rollup ≤ 3 × floor-read",
    "install_vs_floor_read": "一行 install ≤ 2 × floor-read",
    "write_peak_mb": "rollup、install、check --annotate 峰值内存 ≤ 1 GB",
    "demo_write_seconds": "示例单位（200 人）每种写入 ≤ 2 秒",
    "rollup_vs_floor_write": "rollup ≤ 1.5 × floor-write",
    "peer_vs_check": "peer ≥ 5 × check",
    "check_peak_mb": "check 峰值内存 < 1.5 GB",
    "print_pages_per_second": "print（确认单）≥ 100 页/秒",
    "print_peak_mb": "print、print-a8 峰值内存 ≤ 600 MB",
}


def target_shown(row: dict) -> str:
    if row["name"].endswith("_peak_mb"):
        return f"{row['value']:.0f} MB"
    if row["name"].endswith("_seconds"):
        return f"最长 {row['value']:.2f} 秒"
    if row["name"] == "print_pages_per_second":
        return f"{row['value']:.0f} 页/秒"
    return f"{row['value']:.2f} ×"


def previous(path: Path) -> dict:
    """The measurements of an earlier run's JSON (empty when there is none)."""
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("measurements", {})
    except (OSError, ValueError):
        return {}


def measurement_table(results: dict[str, Measured], before: dict) -> Table:
    table = Table(title="测量（中位数；每次在新的子进程中）", header_style="bold")
    for col in ("测量", "内容", "秒", "CPU 秒", "CPU/秒", "进程 CPU 秒", "峰值 MB", "各次（秒）", "上次（秒）"):
        table.add_column(col, justify="left" if col in ("测量", "内容") else "right")
    for m in results.values():
        prev = before.get(m.name, {}).get("seconds")
        table.add_row(m.name, m.label, f"{m.seconds:.2f}", f"{m.cpu_seconds:.2f}", f"{parallelism(m) or 0:.2f}",
                      f"{m.process_cpu_seconds:.2f}", f"{m.peak_mb:.0f}",
                      " / ".join(f"{s:.2f}" for s in m.samples), "" if prev is None else f"{prev:.2f}")
    return table


def target_table(rows: list[dict]) -> Table:
    table = Table(title="目标", header_style="bold")
    for col in ("目标", "实测", "达到"):
        table.add_column(col)
    for row in rows:
        table.add_row(TARGET_TEXT[row["name"]], target_shown(row), "是" if row["holds"] else "[red]否[/red]")
    return table


def scaling_table(found: dict) -> Table:
    table = Table(title="规模与耗时（check、rollup）", header_style="bold")
    for col in ("规模", "附件9 条数", "附件8 行数", "check 秒", "秒/万条", "增量 秒/万条",
                "rollup 秒", "秒/万条", "增量 秒/万条"):
        table.add_column(col, justify="right")
    keys = [f"{n}_{k}" for n in ("check", "rollup") for k in ("seconds", "per_10k", "marginal_per_10k")]
    for row in found["series"]:
        table.add_row(row["scale"], f"{row['events']:,}", f"{row['a8_rows']:,}",
                      *("" if row.get(k) is None else f"{row[k]:.2f}" for k in keys))
    table.caption = "；".join(f"{n} 耗时 ∝ 条数^{k}（{'不超过线性' if found['linear'][n] else '超线性'}）"
                             for n, k in found["exponent"].items() if k is not None)
    return table


def print_rates(measurements: dict) -> str:
    """「print：2,000 页，185 页/秒」 for the print jobs measured."""
    parts = []
    for name in PRINT_JOBS:
        if name in measurements:
            m = Measured.model_validate(measurements[name]) if isinstance(measurements[name], dict) else measurements[name]
            pages, rate = printed_pages(m), pages_per_second(m)
            if pages:
                parts.append(f"{name}：{pages:,} 页，{rate:.0f} 页/秒")
    return "；".join(parts)


def show(doc: dict, results: dict[str, Measured], before: dict, console: Console | None = None) -> None:
    if console is None:
        console = Console()
        if not console.is_terminal:
            console.width = 160
    console.print(measurement_table(results, before))
    if print_rates(results):
        console.print("打印：" + print_rates(results))
    console.print("比值（墙钟）：" + "，".join(f"{k} = {v:.2f}" for k, v in doc["ratios"].items()))
    console.print("比值（CPU）：" + "，".join(f"{k} = {v:.2f}" for k, v in doc.get("cpu_ratios", {}).items()))
    console.print(target_table(doc["targets"]))
    if doc.get("scaling"):
        console.print(scaling_table(doc["scaling"]))


def document(results: dict[str, Measured], unit: dict, options: dict, scaled: dict | None) -> dict:
    found = ratios(results)
    return {"date": dt.datetime.now().replace(microsecond=0).isoformat(), "machine": machine(), "options": options,
            "unit": unit, "measurements": {k: m.model_dump() for k, m in results.items()}, "ratios": found,
            "cpu_ratios": ratios(results, "cpu_seconds"), "targets": targets(results, found), "scaling": scaled}



# --- Markdown (for docs/performance.md) -------------------------------------------------------------

def _md_row(cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def _md_table(headers: list[str], rows: list[list]) -> list[str]:
    return [_md_row(headers), _md_row(["---"] * len(headers)), *(_md_row(r) for r in rows)]


def _md_machine(doc: dict) -> str:
    m = doc["machine"]
    u = doc["unit"]
    return (f"{doc['date'][:10]}，{m['cpu_count']} 核 {m['cpu'] or ''}，Python {m['python']}，"
            f"python-calamine {m['packages']['python-calamine']}，openpyxl {m['packages']['openpyxl']}，"
            f"pandas {m['packages']['pandas']}，提交 {m['commit']}；测试台账 {u['file']}（{u['size_mb']} MB，"
            f"附件9 {u['events']:,} 条，附件8 {u['a8_rows']:,} 行，确认单 {u['slips']:,} 张），每项 {doc['options']['reps']} 次取中位数。")


def markdown(doc: dict) -> str:
    """The run's tables as Markdown."""
    lines = [_md_machine(doc), ""]
    lines += _md_table(["测量", "内容", "秒（中位数）", "CPU 秒", "进程 CPU 秒", "峰值内存 MB", "各次（秒）"], [
        [f"`{k}`", m["label"], f"{m['seconds']:.2f}", f"{m.get('cpu_seconds', 0):.2f}",
         f"{m.get('process_cpu_seconds', 0):.2f}", f"{m['peak_mb']:.0f}",
         " / ".join(f"{s:.2f}" for s in m["samples"])] for k, m in doc["measurements"].items()])
    if doc.get("ratios"):
        lines += ["", *_md_table(["比值", "墙钟", "CPU"], [
            [f"`{k}`", f"{v:.2f}", "" if doc.get("cpu_ratios", {}).get(k) is None else f"{doc['cpu_ratios'][k]:.2f}"]
            for k, v in doc["ratios"].items()])]
    if print_rates(doc["measurements"]):
        lines += ["", "打印：" + print_rates(doc["measurements"])]
    lines += ["", *_md_table(["目标", "实测", "达到"], [
        [TARGET_TEXT[t["name"]], target_shown(t), "是" if t["holds"] else "**否**"] for t in doc["targets"]])]
    if doc.get("scaling"):
        keys = [f"{n}_{k}" for n in ("check", "rollup") for k in ("seconds", "per_10k", "marginal_per_10k")]
        lines += ["", *_md_table(
            ["规模", "附件9 条数", "附件8 行数", "check 秒", "秒/万条", "增量 秒/万条", "rollup 秒", "秒/万条", "增量 秒/万条"],
            [[r["scale"], f"{r['events']:,}", f"{r['a8_rows']:,}", *("" if r.get(k) is None else f"{r[k]:.2f}" for k in keys)]
             for r in doc["scaling"]["series"]])]
        lines += ["", "；".join(f"{n} 耗时 ∝ 条数^{k}" for n, k in doc["scaling"]["exponent"].items() if k is not None)]
    return "\n".join(lines) + "\n"
