"""`ledger init`: a new ledger workbook from the schema, optionally with the unit's presets or a demo unit."""
from __future__ import annotations

from pathlib import Path

from workbook_tools import demo
from workbook_tools.core import presets
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
    settings = dict(presets.SETTINGS) if preset else {}
    wb = create.build_workbook(settings, default_name_rules())
    if preset:
        create.fill_preset(wb)
    summary = demo.fill(wb, spec) if spec is not None else ""
    save_new(wb, path, overwrite=force)
    lines = [f"已创建台账：{path}", *([summary] if summary else [])]
    if spec is not None:     # the demo's scans: `ledger scan 示例台账.xlsx 扫描结果/` on day one (docs/scan.md)
        from workbook_tools.tasks.scanning import write_demo_scans  # noqa: PLC0415

        folder, count = write_demo_scans(path, spec.today, force)
        lines.append(f"已在「{folder}」写入 {count} 个示例扫描文件（每台在用计算机一个）；核对：ledger scan {path} {folder}")
    return Done.of(lines, path=str(path))
