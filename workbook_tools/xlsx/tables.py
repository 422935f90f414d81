"""Excel Tables (ListObjects) over a sheet: their range follows rows the tool appends or clears."""
from __future__ import annotations

from lxml import etree

from workbook_tools.core.a1 import col_letters, parse_ref
from workbook_tools.xlsx.package import MAIN_NS, Package, to_xml

TABLE_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"


def _span(ref: str) -> tuple[int, int, int, int] | None:
    parts = ref.split(":")
    try:
        (r1, c1), (r2, c2) = parse_ref(parts[0]), parse_ref(parts[-1])
    except ValueError:
        return None
    return r1, c1, r2, c2


def _ref(r1: int, c1: int, r2: int, c2: int) -> str:
    return f"{col_letters(c1)}{r1}:{col_letters(c2)}{r2}"


def resize_tables(pkg: Package, sheet_part: str, old_last: int, new_last: int) -> list[str]:
    """Tables whose last row is `old_last` now end at `new_last` (never above their first data row).

    Returns the table parts changed.
    """
    changed = []
    for rel in pkg.rels(sheet_part):
        if rel.type != TABLE_TYPE or rel.external:
            continue
        part = pkg.target(sheet_part, rel)
        if not pkg.has(part):
            continue
        root = pkg.xml(part)
        span = _span(root.get("ref", ""))
        if span is None:
            continue
        r1, c1, r2, c2 = span
        totals = int(root.get("totalsRowCount", "0") or 0)
        if totals or r2 != old_last or new_last == r2:
            continue
        end = max(new_last, r1 + 1)
        root.set("ref", _ref(r1, c1, end, c2))
        for flt in root.iter(f"{{{MAIN_NS}}}autoFilter"):
            fspan = _span(flt.get("ref", ""))
            if fspan is not None:
                flt.set("ref", _ref(fspan[0], fspan[1], end, fspan[3]))
        pkg.set(part, to_xml(root))
        changed.append(part)
    return changed


__all__ = ["etree", "resize_tables"]
