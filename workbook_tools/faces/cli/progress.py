"""A rich progress bar on stderr for long commands, only when stderr is a terminal (pipes and JSON stay clean)."""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from workbook_tools.core.progress import Progress


@contextmanager
def progress_bar(title: str) -> Iterator[Progress | None]:
    """`with progress_bar("半年更新") as progress: library(..., progress=progress)`; None without a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console  # noqa: PLC0415 - lazy: only a long command shows progress
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn  # noqa: PLC0415 - lazy: only a long command shows progress
    from rich.progress import Progress as Bar

    bar = Bar(TextColumn(f"{title}："), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
              TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    task = bar.add_task("", total=None)

    def update(done: int, total: int, step: str) -> None:
        bar.update(task, completed=done, total=max(total, 1), description=step)

    with bar:
        yield update
