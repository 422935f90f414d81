"""Running measurements: each repetition in a fresh child process, the median reported."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

from benchmarks.config import ANNOTATE_TODAY, REPO, ROLLUP_DATE, ROLLUP_FORCE, ROOT
from benchmarks.unit import ScanSet, UnitInfo

CHILD = ROOT / "child.py"
Prepare = Callable[[Path], dict]


class Measured(BaseModel):
    """One measurement: median seconds over the repetitions, the largest peak memory."""

    name: str
    label: str
    seconds: float
    cpu_seconds: float = 0.0       # median CPU time (all threads) of the timed part; above `seconds` when threads overlap
    process_cpu_seconds: float = 0.0   # median user+sys CPU of the whole child process (start-up, imports, its children)
    peak_mb: float
    samples: list[float]
    peaks: list[float]
    note: str = ""
    exit: int | None = None


@dataclass
class Job:
    name: str
    label: str
    task: str
    prepare: Prepare           # scratch folder -> the child's arguments for one repetition
    exits: tuple[int, ...] = (0,)
    note_from: str = "stdout"  # where the command says what it did


def children_cpu() -> float:
    """User + system CPU seconds of every child process this one has waited for (0 where the platform
    has no getrusage, i.e. Windows)."""
    try:
        import resource
    except ImportError:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_child(task: str, args: dict, scratch: Path) -> dict:
    """One repetition; a child that fails stops the benchmark with its own error text.

    Besides what the child measures of its timed part, the outcome carries `process_cpu_seconds`:
    the CPU the whole child process used (user + sys of all its threads, and of any process it
    started), taken from the parent's RUSAGE_CHILDREN around the run."""
    args = {**args, "result": str(scratch / "result.json")}
    before = children_cpu()
    proc = subprocess.run([sys.executable, str(CHILD), task, json.dumps(args, ensure_ascii=False)], cwd=REPO,
                          capture_output=True, text=True, check=False)
    spent = children_cpu() - before
    if proc.returncode != 0:
        raise RuntimeError(f"{task} 失败（退出码 {proc.returncode}）：{proc.stderr[-2000:]}")
    outcome = json.loads((scratch / "result.json").read_text(encoding="utf-8"))
    return {**outcome, "process_cpu_seconds": spent}


def _cli_outcome(job: Job, outcome: dict) -> tuple[str, int]:
    detail = json.loads(outcome["note"])
    if detail["exit"] not in job.exits:
        raise RuntimeError(f"{job.name}：退出码 {detail['exit']}，{detail['stderr']}")
    lines = (detail[job.note_from] or detail["stdout"] or detail["stderr"]).strip().splitlines()
    return (lines[0] if lines else ""), int(detail["exit"] or 0)


def _sample(job: Job, rep: int, profile: Path | None, log) -> dict:
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        args = job.prepare(Path(tmp))
        if profile is not None:
            args["profile"] = str(profile)
        outcome = run_child(job.task, args, Path(tmp))
    log(f"  {job.name} #{rep + 1}: {outcome['seconds']:.2f} 秒（CPU {outcome['cpu_seconds']:.2f} 秒，"
        f"整个进程 CPU {outcome['process_cpu_seconds']:.2f} 秒），{outcome['peak_mb']:.0f} MB")
    return outcome


def _summary(job: Job, outcomes: list[dict]) -> Measured:
    samples = [round(o["seconds"], 3) for o in outcomes]
    peaks = [round(o["peak_mb"], 1) for o in outcomes]
    note, code = _cli_outcome(job, outcomes[-1]) if job.task == "cli" else (outcomes[-1]["note"], None)
    return Measured(name=job.name, label=job.label, seconds=round(statistics.median(samples), 3),
                    cpu_seconds=round(statistics.median(o["cpu_seconds"] for o in outcomes), 3),
                    process_cpu_seconds=round(statistics.median(o.get("process_cpu_seconds", 0.0) for o in outcomes), 3),
                    peak_mb=max(peaks),
                    samples=samples, peaks=peaks, note=note, exit=code)


def measure_all(jobs: list[Job], reps: int, log=print, profile: dict[str, Path] | None = None) -> dict[str, Measured]:
    """Every job `reps` times, in rounds (each round runs every job once), so that a machine that
    slows down for a while affects all measurements alike instead of one of them."""
    outcomes: dict[str, list[dict]] = {job.name: [] for job in jobs}
    for rep in range(reps):
        log(f"第 {rep + 1}/{reps} 轮")
        for job in jobs:
            target = (profile or {}).get(job.name) if rep == reps - 1 else None
            outcome = _sample(job, rep, target, log)
            if job.task == "cli":
                _cli_outcome(job, outcome)   # stop at once on an unexpected exit status
            outcomes[job.name].append(outcome)
    return {job.name: _summary(job, outcomes[job.name]) for job in jobs}


# --- the jobs --------------------------------------------------------------------------------------

def _copy(path: Path, tmp: Path) -> Path:
    import shutil

    target = tmp / path.name
    shutil.copy2(path, target)
    return target


def check_job(info: UnitInfo) -> Job:
    argv = ["check", str(info.path), "--format", "json", "--today", info.spec.today.isoformat()]
    return Job("check", "ledger check --format json", "cli", lambda tmp: {"argv": argv})


def rollup_job(info: UnitInfo, name: str = "rollup") -> Job:
    def prepare(tmp: Path) -> dict:
        argv = ["rollup", str(_copy(info.path, tmp)), "--date", ROLLUP_DATE.isoformat(), "--today",
                info.spec.today.isoformat()]
        return {"argv": argv + ["--force"] * ROLLUP_FORCE, "capture": True}

    return Job(name, f"ledger rollup --date {ROLLUP_DATE.isoformat()}（每次用新副本）", "cli", prepare)


def install_job(info: UnitInfo, name: str = "install") -> Job:
    day = info.spec.today.isoformat()

    def prepare(tmp: Path) -> dict:
        return {"argv": ["install", str(_copy(info.path, tmp)), "--computer", info.install_computer, "--software",
                         info.install_software, "--date", day, "--today", day, "--unified", "--force",
                         "--reason", "性能基准"], "capture": True}
    return Job(name, "ledger install（一行，每次用新副本）", "cli", prepare)


def annotate_job(info: UnitInfo, name: str = "annotate") -> Job:
    def prepare(tmp: Path) -> dict:
        return {"argv": ["check", str(_copy(info.path, tmp)), "--annotate", "--format", "json", "--today",
                         ANNOTATE_TODAY.isoformat()], "capture": True}
    return Job(name, f"ledger check --annotate --today {ANNOTATE_TODAY.isoformat()}（每次用新副本）", "cli", prepare,
               exits=(0, 1), note_from="stderr")


def demo_jobs(info: UnitInfo) -> list[Job]:
    """Every kind of write on the 200-person demo unit (target: each within DEMO_WRITE_SECONDS)."""
    day = info.spec.today.isoformat()

    def on_copy(*args: str):
        return lambda tmp: {"argv": [args[0], str(_copy(info.path, tmp)), *args[1:]], "capture": True}
    jobs = [rollup_job(info, "demo-rollup"), install_job(info, "demo-install"), annotate_job(info, "demo-annotate")]
    jobs += [Job(f"demo-{cmd}", f"示例单位 ledger {cmd}", "cli", on_copy(cmd, *extra), exits=(0, 1))
             for cmd, extra in (("stats", ("--year", str(info.spec.today.year), "--today", day)),
                                ("plan", ("--yes", "--today", day)), ("overview", ("--today", day)))]
    return jobs


def unit_jobs(info: UnitInfo) -> list[Job]:
    """The floors, the peer and the commands on the unit."""
    path = str(info.path)
    argv_print = ["print", "附件11", path, "-o", None, *[x for i in info.slip_ids for x in ("--id", i)]]
    return [
        Job("floor-read", "python-calamine 读出全部工作表的全部单元格", "floor-read", lambda tmp: {"path": path}),
        Job("floor-write", "openpyxl load_workbook + save", "floor-write",
            lambda tmp: {"path": path, "out": str(tmp / "out.xlsx")}),
        Job("peer", 'pandas.read_excel(sheet_name=None, engine="openpyxl")', "peer", lambda tmp: {"path": path}),
        check_job(info),
        rollup_job(info),
        install_job(info),
        annotate_job(info),
        Job("print", f"ledger print 附件11（{len(info.slip_ids):,} 张确认单）", "cli",
            lambda tmp: {"argv": [a if a is not None else str(tmp / "附件11.pdf") for a in argv_print], "capture": True},
            note_from="stderr"),
        Job("print-a8", f"ledger print 附件8（{info.a8_rows:,} 行）", "cli",
            lambda tmp: {"argv": ["print", "附件8", path, "-o", str(tmp / "附件8.pdf")], "capture": True},
            note_from="stderr"),
    ]


def scan_job(info: UnitInfo, scans: ScanSet) -> Job:
    day = info.spec.today.isoformat()
    argv = ["scan", str(scans.ledger), str(scans.folder), "--date", day, "--today", day, "--format", "json"]
    return Job("scan", f"ledger scan（{scans.files} 个扫描文件，{scans.entries:,} 条）", "cli",
               lambda tmp: {"argv": argv}, exits=(0, 1))
