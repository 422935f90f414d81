"""Progress callbacks of the long library functions, and the CLI's bar only on a terminal."""
from __future__ import annotations

import io
import sys

from servekit import TODAY, demo, scan_files

from workbook_tools.faces.cli.progress import progress_bar
from workbook_tools.ops.rollup import ROLLUP_STEPS
from workbook_tools.tasks.many import consolidate
from workbook_tools.tasks.scanning import read_scans
from workbook_tools.tasks.sheets import apply_rollup


def recorder():
    seen: list[tuple[int, int, str]] = []
    return seen, lambda done, total, step: seen.append((done, total, step))


def test_library_functions_report_each_unit_of_work(tmp_path):
    path = demo(tmp_path / "台账.xlsx")
    seen, progress = recorder()
    apply_rollup(path, TODAY, today=TODAY, progress=progress)
    assert [s[2] for s in seen] == [*ROLLUP_STEPS, "完成"] and seen[-1][:2] == (4, 4)
    mine = tmp_path / "四个扫描"          # beside the demo ledger, 扫描结果/ holds the demo's own scans
    mine.mkdir()
    for name, data in scan_files(path, 4):
        (mine / name).write_bytes(data)
    seen, progress = recorder()
    read_scans([mine], progress=progress)
    assert [s[:2] for s in seen] == [(i, 4) for i in range(5)]
    seen, progress = recorder()
    consolidate([path], 2026, TODAY, progress=progress)
    assert [s[:2] for s in seen] == [(0, 1), (1, 1)] and path.name in seen[0][2]


def test_the_bar_appears_only_on_a_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress_bar("测试") as progress:
        assert progress is None

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    with progress_bar("测试") as progress:
        progress(1, 2, "一半")
    assert progress is not None
