"""Templates -> HTML -> PDF.

Templates live in the top-level `templates/` folder, installed as the package
`workbook_tools.templates`; they are read through importlib.resources so that
editable and normal installs both find them (and a plain source checkout too).
All items of a form go into one HTML document, rendered by WeasyPrint in one call.
"""
from __future__ import annotations

import functools
import logging
import webbrowser
from collections.abc import Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import jinja2
from pydantic import BaseModel

from workbook_tools.forms.common import DateParts
from workbook_tools.io.errors import os_reason
from workbook_tools.model import LedgerError

TEMPLATE_PACKAGE = "workbook_tools.templates"
BASE_TEMPLATE = "base.html.j2"


class EngineMissing(Exception):
    """WeasyPrint (or the Pango libraries under it) cannot be loaded on this machine."""


def template_root() -> Traversable:
    """The installed template package, or `templates/` next to the package in a source checkout."""
    try:
        root = resources.files(TEMPLATE_PACKAGE)
        if root.joinpath(BASE_TEMPLATE).is_file():
            return root
    except ModuleNotFoundError:
        pass
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if checkout.joinpath(BASE_TEMPLATE).is_file():
        return checkout
    raise LedgerError("找不到表单模板（templates），请重新安装本工具", 2)


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    root = template_root()

    def load(name: str) -> str | None:
        path = root.joinpath(name)
        return path.read_text(encoding="utf-8") if path.is_file() else None

    env = jinja2.Environment(loader=jinja2.FunctionLoader(load), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.globals["blank_date"] = DateParts()
    return env


class FormInfo(BaseModel):
    """What the base layout needs to know about the form being printed."""

    number: int
    title: str
    landscape: bool

    @property
    def label(self) -> str:
        return f"附件{self.number}"


def render_html(info: FormInfo, template: str, items: Sequence[BaseModel]) -> str:
    try:
        return environment().get_template(template).render(form=info, items=items)
    except jinja2.TemplateError as exc:
        raise LedgerError(f"表单模板 {template} 有误", 2, detail=str(exc)) from None


def _weasyprint():
    try:
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        logging.getLogger("fontTools").setLevel(logging.ERROR)
        import weasyprint  # noqa: PLC0415 - heavy, and absent or broken on some Windows machines
    except (ImportError, OSError) as exc:
        raise EngineMissing(str(exc)) from None
    return weasyprint


def write_pdf(html: str, out: Path) -> int:
    """Render `html` to the PDF file `out` in one call; returns the page count."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=str(out.parent)).render()
    try:
        document.write_pdf(out)
    except OSError as exc:
        raise LedgerError(f"无法写入 {out.name}：{os_reason(exc)}", 2, detail=str(exc)) from None
    return len(document.pages)


def write_html(html: str, out: Path) -> None:
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise LedgerError(f"无法写入 {out.name}：{os_reason(exc)}", 2, detail=str(exc)) from None


def open_in_browser(path: Path) -> bool:
    try:
        return webbrowser.open(path.resolve().as_uri())
    except webbrowser.Error:
        return False
