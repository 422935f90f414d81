"""Excel features openpyxl silently drops on save, found in a file's zip parts.

`scan` counts them per place; `lost` names what a saved copy no longer has, so the
writer refuses instead of losing a user's work.
"""
from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree

from workbook_tools.io.sniff import ZIP_ERRORS
from workbook_tools.model import LedgerError

Features = Counter  # (feature label, where) -> count

# Markers inside worksheet XML (mostly the x14 extension list openpyxl does not keep).
SHEET_MARKERS: dict[bytes, str] = {
    b"<x14:dataValidation ": "跨表下拉列表（Excel 2010 扩展格式）",
    b"<x14:conditionalFormatting": "扩展条件格式",
    b"<x14:sparklineGroup": "迷你图",
    b"<x14:slicerList": "切片器",
    b"<mc:AlternateContent": "表单控件",
}
# Parts whose folder alone says what they are.
PART_MARKERS: dict[str, str] = {
    "xl/slicers/": "切片器",
    "xl/slicerCaches/": "切片器缓存",
    "xl/timelines/": "日程表",
    "customXml/": "自定义 XML",
    "xl/ctrlProps/": "表单控件",
    "xl/activeX/": "ActiveX 控件",
    "xl/embeddings/": "嵌入对象",
    "xl/threadedComments/": "新版批注（对话式）",
    "xl/charts/chart": "图表",
    "xl/media/": "图片",
}
_SHAPE = re.compile(rb"<(?:xdr:)?sp>|<(?:xdr:)?sp ")


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """worksheet part path -> sheet name."""
    try:
        wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for el in wb.iter():
        if el.tag.endswith("}sheet"):
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            out[part] = el.get("name", "")
    return out


def scan(path: Path) -> Features:
    try:
        return _scan(path)
    except ZIP_ERRORS:  # a member damaged beyond what the sniffing read
        raise LedgerError(f"{path.name} 已损坏或不完整（无法解压）") from None


def _scan(path: Path) -> Features:
    found: Features = Counter()
    with zipfile.ZipFile(path) as zf:
        names = _sheet_names(zf)
        for info in zf.infolist():
            name = info.filename
            for prefix, label in PART_MARKERS.items():
                if name.startswith(prefix):
                    found[(label, "")] += 1
            if name.startswith("xl/worksheets/sheet") and name.endswith(".xml"):
                data = zf.read(info)
                where = names.get(name, name)
                for marker, label in SHEET_MARKERS.items():
                    n = data.count(marker)
                    if n:
                        found[(label, where)] += n
            elif name.startswith("xl/drawings/drawing") and name.endswith(".xml"):
                n = len(_SHAPE.findall(zf.read(info)))
                if n:
                    found[("形状/文本框", "")] += n
    return found


def lost(before: Features, after: Features) -> list[str]:
    """Human-readable list of what `after` has fewer of than `before`."""
    out = []
    for (label, where), count in sorted(before.items()):
        missing = count - after.get((label, where), 0)
        if missing > 0:
            out.append(f"{label}{f'（工作表「{where}」）' if where else ''} {missing} 处")
    return out
