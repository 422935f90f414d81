"""`ledger init`: a new ledger workbook from the schema, optionally with the unit's presets or a demo unit."""
from __future__ import annotations

from pathlib import Path

from workbook_tools import demo
from workbook_tools.files import create
from workbook_tools.files.writer import save_new
from workbook_tools.scan.rules import DEFAULT_RULES
from workbook_tools.tasks import Done

__all__ = ["DemoSpec", "default_name_rules", "new_ledger"]

DemoSpec = demo.DemoSpec


def default_name_rules() -> list[dict[str, object]]:
    """Rows for 软件名称对照 shipped with new workbooks (the built-in rules of the scan)."""
    return [dict(r) for r in DEFAULT_RULES]


def new_ledger(path: Path, preset: bool = False, spec: DemoSpec | None = None, force: bool = False) -> Done:
    """A new ledger at `path` (.xlsx added when missing); `spec` fills in a demo unit."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        path = path.with_suffix(".xlsx")
    settings = dict(create.presets.SETTINGS) if preset else {}
    wb = create.build_workbook(settings, default_name_rules())
    if preset:
        create.fill_preset(wb)
    summary = demo.fill(wb, spec) if spec is not None else ""
    save_new(wb, path, overwrite=force)
    return Done.of([f"已创建台账：{path}", *([summary] if summary else [])], path=str(path))
