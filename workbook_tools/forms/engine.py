"""The PDF engine: Typst (PyPI `typst`, the compiler is inside the wheel on Windows, Linux and macOS).

A form is compiled from its template in the top-level `templates/` folder (installed as the
package `workbook_tools.templates`) and one JSON document of data, passed in `sys.inputs`.
The templates only ever show the data's strings as text: no value is parsed as Typst markup or
code, so a software name such as `#panic()` or `*粗体*` prints as written.

Typst keeps the layouts of recent compilations in a process-wide cache and drops an entry once
it has gone unused for ten compilations; `forget` runs ten empty compilations after a chunk, so
that memory stays bounded by one chunk however many chunks a form has.
"""
from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path

from workbook_tools.core.model import LedgerError
from workbook_tools.forms.fonts import form_fonts, system_fonts

TEMPLATE_PACKAGE = "workbook_tools.templates"
BASE = "base.typ"
MAIN = "main.typ"
CACHE_AGE = 10            # compilations after which Typst's cache drops an unused layout
EMPTY = b"#set page(width: 1pt, height: 1pt)\n"


@functools.lru_cache(maxsize=1)
def template_root() -> Path:
    """The installed template folder, or `templates/` next to the package in a source checkout."""
    try:
        root = Path(str(resources.files(TEMPLATE_PACKAGE)))
        if (root / BASE).is_file():
            return root
    except (ModuleNotFoundError, TypeError):
        pass
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if (checkout / BASE).is_file():
        return checkout
    raise LedgerError("找不到表单模板（templates），请重新安装本工具", 2)


def _typst():
    try:
        import typst  # noqa: PLC0415 - loaded only when something is printed
    except ImportError as exc:
        raise LedgerError(f"无法加载 PDF 组件 typst（{exc}），请重新安装本工具：pip install typst", 2) from None
    return typst


def compiler(source: str | bytes, inputs: dict[str, str]):
    """A compiler of `source` (a file in the template folder, or the text of a main file: such a
    compiler compiles once only)."""
    typst = _typst()
    main = str(template_root() / source) if isinstance(source, str) else source
    return typst.Compiler(main, root=str(template_root()), font_paths=system_fonts(), sys_inputs=inputs)


def compile_pdf(template: str, data: dict, main: bool = False) -> tuple[bytes, object]:
    """PDF bytes of `data` laid out by the form `template` (through MAIN), or by the main file
    `template` itself, and the compiler, for queries on the same layout."""
    typst = _typst()
    doc = {**data, "fonts": form_fonts().model_dump()}
    inputs = {"data": json.dumps(doc, ensure_ascii=False), "template": template}
    engine = compiler(template if main else MAIN, inputs)
    try:
        pdf = engine.compile(format="pdf", pdf_tags=False)
    except typst.TypstError as exc:
        raise LedgerError(f"表单模板 {template} 有误：{exc.message}", 2) from None
    return pdf, engine


def query_value(engine: object, label: str) -> object:
    """The value of the one metadata element carrying `label` (None when there is none)."""
    found = json.loads(engine.query(f"<{label}>", field="value", format="json"))  # type: ignore[attr-defined]
    return found[0] if found else None


def forget() -> None:
    """Let Typst's cache drop the layouts of the chunk just compiled (see the module doc)."""
    for _ in range(CACHE_AGE + 1):
        compiler(EMPTY, {}).compile(format="svg")
