"""What the reader needs from workbook.xml itself: the date system, and a repaired copy for calamine.

The date system: `<workbookPr date1904="1"/>` (old Excel for Mac files) makes serial numbers count from
1904-01-01; python-calamine applies it to date-formatted cells, the coercer to plain numbers in date columns.

A repaired copy, in memory, that python-calamine can open although the file itself it cannot: Excel 2013 can save a
`<sheet … r:id=""/>` in workbook.xml: a sheet entry that points to no part.
Excel, LibreOffice and openpyxl skip such an entry; python-calamine refuses the whole workbook
("Relationship not found").  The reader then reads a copy in memory in which only those entries are
left out of workbook.xml (every other member as it is, stored uncompressed so nothing is deflated
again).  The file on disk is never changed; a write keeps the entry as it was (xlsx/workbookxml.py
skips it the same way).
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path, PurePosixPath

from lxml import etree

from workbook_tools.read.sniff import ZIP_ERRORS

_REL = "/relationships/officeDocument"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _workbook_part(zf: zipfile.ZipFile, names: dict[str, str]) -> str | None:
    rels = names.get("_rels/.rels")
    if rels is None:
        return None
    for rel in etree.fromstring(zf.read(rels), _PARSER):
        if rel.get("Type", "").endswith(_REL):
            return names.get(rel.get("Target", "").lstrip("/").lower())
    return None


def _rels_of(part: str) -> str:
    path = PurePosixPath(part)
    return str(path.parent / "_rels" / (path.name + ".rels"))


def dangling_sheets(workbook: bytes, rels: bytes | None) -> tuple[etree._Element, list[etree._Element]]:
    """workbook.xml parsed, and its <sheet> entries whose r:id names no relationship."""
    root = etree.fromstring(workbook, _PARSER)
    ids = {el.get("Id") for el in etree.fromstring(rels, _PARSER)} if rels else set()
    bad = []
    for el in root.iter("{*}sheet"):
        rid = next((v for k, v in el.attrib.items() if isinstance(k, str) and k.endswith("}id")), None)
        if not rid or rid not in ids:
            bad.append(el)
    return root, bad


def is_date1904(path: Path) -> bool:
    """True for a workbook in the 1904 date system; False also when workbook.xml cannot be read (the reader
    then reports the damage itself)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.lower(): n for n in zf.namelist()}
            part = _workbook_part(zf, names) or names.get("xl/workbook.xml")
            if part is None:
                return False
            root = etree.fromstring(zf.read(part), _PARSER)
    except (*ZIP_ERRORS, KeyError, etree.XMLSyntaxError):
        return False
    pr = next(root.iter("{*}workbookPr"), None)
    return pr is not None and pr.get("date1904", "").lower() in ("1", "true")


def repaired_copy(path: Path) -> io.BytesIO | None:
    """The workbook without its dangling sheet entries, or None when it has none (or cannot be read)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = {n.lower(): n for n in zf.namelist()}
            part = _workbook_part(zf, names)
            if part is None:
                return None
            rels = names.get(_rels_of(part).lower())
            root, bad = dangling_sheets(zf.read(part), zf.read(rels) if rels else None)
            if not bad:
                return None
            for el in bad:
                parent = el.getparent()
                assert parent is not None  # a <sheet> inside <sheets>
                parent.remove(el)
            fixed = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
                for info in zf.infolist():
                    copy.writestr(info.filename, fixed if info.filename == part else zf.read(info))
    except (*ZIP_ERRORS, KeyError, etree.XMLSyntaxError):
        return None
    out.seek(0)
    return out
