"""Render a form's copies in bounded pieces and join them into one PDF.

The engine's memory grows with the pages of one compilation, so copies are compiled in
pieces of about `PIECE_ROWS` table rows (or `PIECE_COPIES` copies) and the pieces' PDFs are
joined with pypdf.  A copy whose own table is longer than a piece (附件8 of a large unit runs
to thousands of pages) is compiled piece by piece: each piece ends with a partly filled page,
which is dropped, and the next piece starts with that page's first row, so every kept page is
full.  Such a copy's page numbers (第i页，共N页) are known only when its last piece is done:
they are stamped on its pages afterwards from one small overlay document.

Every other copy is numbered by the engine itself.  The output file is written next to `out`
and moved into place only when it is complete.
"""
from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel
from pypdf import PdfReader, PdfWriter

from workbook_tools.core.model import LedgerError
from workbook_tools.core.progress import Progress, report
from workbook_tools.forms import engine
from workbook_tools.forms.common import Printable

PIECE_ROWS = 600          # table rows (slip lines count as rows too) per compilation
PIECE_COPIES = 25        # copies per compilation: 2,000 slips peak at 575 MB and take 17.1 s (50: 643 MB, 18.6 s)
COPY_ROWS = 6             # what a copy's own title, header lines and blocks weigh, in rows
OVERLAY = "overlay.typ"
OVERLAY_PAGES = 300       # page numbers stamped per overlay compilation


class Part(BaseModel):
    """Where a piece of a copy stands in it: `head` prints what comes above its table, `tail` what
    comes below; `split` copies are printed in several pieces and numbered by the overlay."""

    head: bool = True
    tail: bool = True
    split: bool = False
    first: int = 0            # index of the piece's first row in the copy's table


class Piece(BaseModel):
    """A compiled piece: its PDF file and how many of its pages are kept."""

    path: Path
    keep: int


class Split(BaseModel):
    """The pages of the output that belong to one split copy (for the overlay)."""

    start: int
    pages: int


def weight(item: Printable) -> int:
    return COPY_ROWS + len(item.rows)


def groups(items: Sequence[Printable]) -> Iterator[list[Printable]]:
    """Copies in print order, grouped into pieces; a copy too long for a piece comes alone."""
    group: list[Printable] = []
    load = 0
    for item in items:
        heavy = weight(item) > PIECE_ROWS
        if group and (heavy or load + weight(item) > PIECE_ROWS or len(group) >= PIECE_COPIES):
            yield group
            group, load = [], 0
        group.append(item)
        load += weight(item)
        if heavy:
            yield group
            group, load = [], 0
    if group:
        yield group


class Job:
    """One print run: the form's fixed data, a scratch folder, the pieces compiled so far."""

    def __init__(self, spec, items: Sequence[Printable], scratch: Path):
        self.spec = spec
        self.scratch = scratch
        self.base = {"form": {"number": spec.number, "label": spec.mark, "title": spec.title,
                              "landscape": spec.landscape}, "plans": spec.plans(items)}
        self.pieces: list[Piece] = []
        self.splits: list[Split] = []
        self.pages = 0

    def data(self, copies: list[tuple[Printable, Part]]) -> dict:
        """The data document of one piece (the templates' only input besides the fonts)."""
        return {**self.base, "copies": [{"key": item.key, "part": part.model_dump(),
                                         "item": item.model_dump(mode="json")} for item, part in copies]}

    def compile(self, copies: list[tuple[Printable, Part]]) -> tuple[int, object]:
        """Compile one piece; returns its page count and the engine (to query its layout)."""
        pdf, compiled = engine.compile_pdf(self.spec.template, self.data(copies))
        path = self.scratch / f"piece-{len(self.pieces):05d}.pdf"
        path.write_bytes(pdf)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        self.pieces.append(Piece(path=path, keep=pages))
        return pages, compiled

    def whole(self, group: list[Printable]) -> None:
        pages, _ = self.compile([(item, Part()) for item in group])
        self.pages += pages
        engine.forget()

    def split(self, item: Printable) -> None:
        """A copy too long for one piece: pieces of rows, each continuing where the last full page ended."""
        rows, start, first_page = item.rows, 0, self.pages
        while start < len(rows):
            end = min(len(rows), start + PIECE_ROWS)
            part = Part(head=start == 0, tail=end == len(rows), split=True, first=start)
            pages, compiled = self.compile([(item.model_copy(update={"rows": rows[start:end]}), part)])
            carry = engine.query_value(compiled, "carry") if not part.tail else None
            engine.forget()
            if isinstance(carry, int) and start < carry < end and pages > 1:
                self.pieces[-1].keep, start = pages - 1, carry
            else:
                start = end
            self.pages += self.pieces[-1].keep
        self.splits.append(Split(start=first_page, pages=self.pages - first_page))

    def join(self, out: Path) -> None:
        writer = PdfWriter()
        for piece in self.pieces:
            writer.append(str(piece.path), pages=(0, piece.keep), import_outline=False)
        for split in self.splits:
            self.stamp(writer, split)
        writer.add_metadata({"/Title": f"{self.spec.label} {self.spec.title}"})
        temp = out.with_name(f".{out.name}.part")
        try:
            with open(temp, "wb") as handle:
                writer.write(handle)
            os.replace(temp, out)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise LedgerError(f"无法写入 {out}（文件可能正在被其他程序打开）：{exc.strerror or exc}", 2) from None

    def stamp(self, writer: PdfWriter, split: Split) -> None:
        """Page numbers of a split copy, from overlays of at most OVERLAY_PAGES pages each (memory stays
        bounded whatever the copy's length), merged onto its pages."""
        for first in range(1, split.pages + 1, OVERLAY_PAGES):
            count = min(OVERLAY_PAGES, split.pages - first + 1)
            data = {**self.base, "copies": [], "pages": split.pages, "first": first, "count": count}
            pdf, _ = engine.compile_pdf(OVERLAY, data, main=True)
            overlay = PdfReader(io.BytesIO(pdf))
            start = split.start + first - 1
            for page, numbers in zip(writer.pages[start:start + count], overlay.pages):
                page.merge_page(numbers)
                page.compress_content_streams()   # merging leaves the page's content uncompressed
            engine.forget()


def form_data(spec, items: Sequence[Printable]) -> dict:
    """The data document of all copies of a form in one piece."""
    return Job(spec, items, Path()).data([(item, Part()) for item in items])


def render(spec, items: Sequence[Printable], out: Path, progress: Progress | None = None) -> int:
    """Print `items` as the form `spec` into `out`; returns the page count."""
    if not out.parent.is_dir():
        raise LedgerError(f"无法写入 {out}：文件夹 {out.parent} 不存在", 2)
    total, done = len(items), 0
    with tempfile.TemporaryDirectory(prefix="ledger-print-") as scratch:
        job = Job(spec, items, Path(scratch))
        for group in groups(items):
            report(progress, done, total, f"排版第 {done + 1}–{done + len(group)} 份（共 {total} 份）")
            if len(group) == 1 and weight(group[0]) > PIECE_ROWS:
                job.split(group[0])
            else:
                job.whole(group)
            done += len(group)
        report(progress, total, total, "合并为一个 PDF")
        job.join(out)
    return job.pages
