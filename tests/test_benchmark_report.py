"""benchmarks/: CPU seconds beside wall time, ratios in both."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import report
from benchmarks.measure import Measured, children_cpu


def measured(name: str, seconds: float, cpu: float) -> Measured:
    return Measured(name=name, label=name, seconds=seconds, cpu_seconds=cpu, process_cpu_seconds=cpu + 0.3,
                    peak_mb=100, samples=[seconds], peaks=[100])


def test_ratios_of_wall_and_of_cpu_time():
    results = {"check": measured("check", 2.0, 3.0), "floor-read": measured("floor-read", 1.0, 1.0)}
    assert report.ratios(results)["check_vs_floor_read"] == 2.0
    assert report.ratios(results, "cpu_seconds")["check_vs_floor_read"] == 3.0
    doc = report.document(results, {"file": "x", "size_mb": 1, "events": 1, "a8_rows": 1, "slips": 1},
                          {"reps": 1}, None)
    assert doc["cpu_ratios"]["check_vs_floor_read"] == 3.0
    assert report.parallelism(results["check"]) == 1.5
    text = report.markdown(doc)
    assert "进程 CPU 秒" in text and "| `check_vs_floor_read` | 2.00 | 3.00 |" in text


def test_the_cpu_of_a_finished_child_is_counted():
    before = children_cpu()
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)
    assert children_cpu() - before > 0.05
