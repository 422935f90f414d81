"""One measurement in a fresh interpreter: `python child.py TASK ARGS_JSON`.

Only the standard library is imported before the clock starts, so the time includes the
imports a user pays for (interpreter start-up is excluded); peak memory is this process's
ru_maxrss.  The outcome is written as JSON to the file named by args["result"].
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def floor_read(a: dict) -> str:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(a["path"])
    cells = 0
    for name in wb.sheet_names:
        cells += sum(map(len, wb.get_sheet_by_name(name).to_python()))
    return f"{cells} cells"


def floor_write(a: dict) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(a["path"])
    wb.save(a["out"])
    return f"{len(wb.sheetnames)} sheets"


def peer(a: dict) -> str:
    import pandas as pd

    frames = pd.read_excel(a["path"], sheet_name=None, engine="openpyxl")
    return f"{sum(len(f) for f in frames.values())} rows"


def cli(a: dict) -> str:
    """`ledger ARGS` through workbook_tools.faces.cli.main; stdout to /dev/null unless captured."""
    from workbook_tools.faces.cli import main

    out = io.StringIO() if a.get("capture") else open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    err = io.StringIO()
    code: object = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(a["argv"])
        except SystemExit as exc:
            code = exc.code
    text = out.getvalue() if a.get("capture") else ""
    return json.dumps({"exit": code, "stdout": text[:600], "stderr": err.getvalue()[-600:]}, ensure_ascii=False)


TASKS = {"floor-read": floor_read, "floor-write": floor_write, "peer": peer, "cli": cli}


def _cpu() -> float:
    """User + system CPU seconds of every thread of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(task: str, args: dict) -> dict:
    profiler = None
    if args.get("profile"):
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.005)
        profiler.start()
    cpu_before = _cpu()
    start = time.perf_counter()
    note = TASKS[task](args)
    seconds = time.perf_counter() - start
    cpu = _cpu() - cpu_before
    if profiler is not None:
        profiler.stop()
        Path(args["profile"]).write_text(profiler.output_text(unicode=True, show_all=False), encoding="utf-8")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak, "note": note}


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    task_args = json.loads(sys.argv[2])
    outcome = run(sys.argv[1], task_args)
    Path(task_args["result"]).write_text(json.dumps(outcome, ensure_ascii=False), encoding="utf-8")
