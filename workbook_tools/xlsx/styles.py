"""styles.xml, append-only: a write adds cell formats, never changes or removes one.

Existing style ids (`s="N"` in every sheet the write does not touch) therefore stay valid.
A cell the tool writes keeps its own format where that suits the value; otherwise it gets a
*derived* format — a copy of its format with another number format, fill or quote prefix —
appended at the end of cellXfs.
"""
from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from workbook_tools.xlsx.package import MAIN_NS, Package, parse_xml, q, to_xml

STYLES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
                   11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm",
                   17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
                   22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)",
                   40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0",
                   49: "@"}
# Locale date formats Excel keeps by id only (27–36, 50–58 in Chinese installations).
BUILTIN_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
TEXT_FORMAT_ID = 49
GENERAL_ID = 0
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_MINIMAL = (f'<styleSheet xmlns="{MAIN_NS}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
# Order of the children of styleSheet (CT_Stylesheet), to insert a missing collection in place.
_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles",
          "colors", "extLst")


def _key(el: etree._Element) -> bytes:
    """An entry's identity: its canonical XML (attribute order does not matter)."""
    return etree.tostring(el, method="c14n")


def is_date_code(code: str) -> bool:
    bare = _QUOTED.sub("", code).lower()
    return bool(re.search(r"[ymd]", bare)) or bool(re.search(r"[hs]", bare) and ":" in bare)


@dataclass
class StyleBook:
    pkg: Package
    part: str
    root: etree._Element
    changed: bool = False
    _cache: dict[tuple[object, ...], int] = field(default_factory=dict)
    _known: dict[str, dict[bytes, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, pkg: Package, workbook_part: str) -> StyleBook:
        rel = next((r for r in pkg.rels(workbook_part) if r.type == STYLES_TYPE), None)
        if rel is not None and pkg.has(pkg.target(workbook_part, rel)):
            part = pkg.target(workbook_part, rel)
            return cls(pkg, part, pkg.xml(part))
        part = "xl/styles.xml" if not pkg.has("xl/styles.xml") else pkg.free_name("xl/styles{}.xml")
        book = cls(pkg, part, parse_xml(_MINIMAL.encode()), changed=True)
        pkg.add_rel(workbook_part, STYLES_TYPE, part)
        pkg.set_override(part, STYLES_CT)
        return book

    def save(self) -> None:
        if self.changed:
            self.pkg.set(self.part, to_xml(self.root))

    # --- collections -----------------------------------------------------------------------

    def collection(self, tag: str) -> etree._Element:
        found = self.root.find(q(tag))
        if found is not None:
            return found
        el = etree.Element(q(tag))
        later = [self.root.find(q(t)) for t in _ORDER[_ORDER.index(tag) + 1:]]
        anchor = next((x for x in later if x is not None), None)
        if anchor is None:
            self.root.append(el)
        else:
            anchor.addprevious(el)
        return el

    def _append(self, tag: str, child: etree._Element) -> int:
        """Add `child` to a collection unless an identical entry is there already (its index then):
        repeated writes never pile up copies of the same format (Excel allows about 64,000)."""
        known = self._known.get(tag)
        if known is None:
            known = self._known[tag] = {_key(el): i for i, el in reversed(list(enumerate(self.collection(tag))))}
        key = _key(child)
        if key in known:
            return known[key]
        coll = self.collection(tag)
        coll.append(child)
        coll.set("count", str(len(coll)))
        self.changed = True
        known[key] = len(coll) - 1
        return len(coll) - 1

    def xf(self, xf_id: int) -> etree._Element:
        xfs = self.collection("cellXfs")
        if len(xfs) == 0:
            self._append("cellXfs", etree.fromstring(f'<xf xmlns="{MAIN_NS}" numFmtId="0" fontId="0" fillId="0" borderId="0"/>'))
        return xfs[xf_id] if 0 <= xf_id < len(xfs) else xfs[0]

    def count(self) -> int:
        return len(self.collection("cellXfs"))

    # --- number formats --------------------------------------------------------------------

    def format_code(self, xf_id: int) -> str:
        fmt_id = int(self.xf(xf_id).get("numFmtId", "0") or 0)
        if fmt_id in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[fmt_id]
        for el in self.collection("numFmts"):
            if int(el.get("numFmtId", "-1")) == fmt_id:
                return el.get("formatCode", "General")
        return "yyyy-mm-dd" if fmt_id in BUILTIN_DATE_IDS else "General"

    def is_date(self, xf_id: int) -> bool:
        fmt_id = int(self.xf(xf_id).get("numFmtId", "0") or 0)
        return fmt_id in BUILTIN_DATE_IDS or (fmt_id not in BUILTIN_FORMATS and is_date_code(self.format_code(xf_id)))

    def is_text(self, xf_id: int) -> bool:
        return self.format_code(xf_id) == "@"

    def format_id(self, code: str) -> int:
        for fmt_id, builtin in BUILTIN_FORMATS.items():
            if builtin == code:
                return fmt_id
        fmts = self.collection("numFmts")
        for el in fmts:
            if el.get("formatCode") == code:
                return int(el.get("numFmtId", ""))
        new_id = max([163, *(int(el.get("numFmtId", "0")) for el in fmts)]) + 1
        el = etree.Element(q("numFmt"))
        el.set("numFmtId", str(new_id))
        el.set("formatCode", code)
        self._append("numFmts", el)
        return new_id

    # --- derived formats -------------------------------------------------------------------

    def _derive(self, base: int, key: tuple[object, ...], change: Callable[[etree._Element], object]) -> int:
        cache_key = (base, *key)
        if cache_key not in self._cache:
            el = copy.deepcopy(self.xf(base))
            change(el)
            self._cache[cache_key] = self._append("cellXfs", el)
        return self._cache[cache_key]

    def with_format(self, base: int, code: str) -> int:
        if self.format_code(base) == code:
            return base
        fmt_id = self.format_id(code)

        def change(el: etree._Element) -> None:
            el.set("numFmtId", str(fmt_id))
            el.set("applyNumberFormat", "1")
        return self._derive(base, ("fmt", code), change)

    def with_quote_prefix(self, base: int) -> int:
        if self.xf(base).get("quotePrefix") in ("1", "true"):
            return base
        return self._derive(base, ("quote",), lambda el: el.set("quotePrefix", "1"))

    def without_quote_prefix(self, base: int) -> int:
        if self.xf(base).get("quotePrefix") not in ("1", "true"):
            return base
        return self._derive(base, ("noquote",), lambda el: el.attrib.pop("quotePrefix", ""))

    def fill_of(self, xf_id: int) -> etree._Element | None:
        fills = self.collection("fills")
        fill_id = int(self.xf(xf_id).get("fillId", "0") or 0)
        return fills[fill_id] if 0 <= fill_id < len(fills) else None

    def solid_rgb(self, xf_id: int) -> str | None:
        """The ARGB colour of a solid pattern fill, None for any other fill."""
        fill = self.fill_of(xf_id)
        pattern = fill.find(q("patternFill")) if fill is not None else None
        if pattern is None or pattern.get("patternType") != "solid":
            return None
        fg = pattern.find(q("fgColor"))
        return (fg.get("rgb") or "").upper() if fg is not None else None

    def with_fill(self, base: int, fill: etree._Element) -> int:
        key = etree.tostring(fill)
        fill_id = self._fill_id(fill, key)

        def change(el: etree._Element) -> None:
            el.set("fillId", str(fill_id))
            el.set("applyFill", "1")
        return self._derive(base, ("fill", key), change)

    def _fill_id(self, fill: etree._Element, key: bytes) -> int:
        cache_key = ("fill-id", key)
        if cache_key not in self._cache:
            self._cache[cache_key] = self._append("fills", copy.deepcopy(fill))
        return self._cache[cache_key]

    # --- formats from another package (grafted sheets) -------------------------------------

    def import_xf(self, other: StyleBook, xf_id: int) -> int:
        """Append `other`'s cell format `xf_id` (with its font, fill, border and number format)."""
        key = ("import", id(other), xf_id)
        if key in self._cache:
            return self._cache[key]
        el = copy.deepcopy(other.xf(xf_id))
        for attr, tag in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            source = other.collection(tag)
            index = int(el.get(attr, "0") or 0)
            if 0 <= index < len(source) and index > 0:
                el.set(attr, str(self._import_child(tag, source[index])))
        fmt = int(el.get("numFmtId", "0") or 0)
        if fmt not in BUILTIN_FORMATS and fmt not in BUILTIN_DATE_IDS:
            el.set("numFmtId", str(self.format_id(other.format_code(xf_id))))
        el.set("xfId", "0")
        self._cache[key] = self._append("cellXfs", el)
        return self._cache[key]

    def _import_child(self, tag: str, child: etree._Element) -> int:
        key = ("child", tag, etree.tostring(child))
        if key not in self._cache:
            self._cache[key] = self._append(tag, copy.deepcopy(child))
        return self._cache[key]

    def import_dxf(self, other: StyleBook, dxf_id: int) -> int:
        source = other.collection("dxfs")
        if not 0 <= dxf_id < len(source):
            return dxf_id
        return self._import_child("dxfs", source[dxf_id])
