"""Progress of long work: `progress(done, total, step)` callbacks that library functions accept.

A library function that can take long (roll-up, printing many copies, reading many scan files,
statistics of many units) takes `progress: Progress | None = None` and calls it as it goes:
`done` of `total` units of work are finished, `step` says in Chinese what is being done.  The
command line turns it into a progress bar on stderr, the local service into a job's state.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

Progress = Callable[[int, int, str], None]
T = TypeVar("T")


def report(progress: Progress | None, done: int, total: int, step: str) -> None:
    """Tell `progress` (when there is one) that `done` of `total` are finished."""
    if progress is not None:
        progress(done, total, step)


def each(items: Sequence[T], progress: Progress | None, step: Callable[[T], str]) -> Iterator[T]:
    """Yield `items`, reporting each one before it is worked on and the end after the last."""
    total = len(items)
    for done, item in enumerate(items):
        report(progress, done, total, step(item))
        yield item
    report(progress, total, total, "完成")


def steps(names: Iterable[str], progress: Progress | None) -> Callable[[int], None]:
    """A reporter for a fixed list of named steps: `mark(i)` says step i (0-based) begins."""
    labels = list(names)

    def mark(i: int) -> None:
        report(progress, i, len(labels), labels[i] if i < len(labels) else "完成")
    return mark
