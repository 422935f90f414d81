"""The add-in's entry in WPS's add-in lists, jsplugins.xml and publish.xml of the jsaddons folder.

WPS reads the offline add-ins it loads from these lists (jsplugins.xml on Kylin/UOS and in the
oem.ini mode, publish.xml in the per-user "publish" mode of WPS 2019+); each entry names a folder
`<name>_<version>` beside the list.  Both lists are shared with other add-ins: an entry of ours is
replaced or removed by its name, every other element, attribute and comment is kept, and the
whitespace around our entry is what it was before it was added (so installing twice gives the same
bytes, and uninstalling gives back the others' entries unchanged).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lxml import etree

from workbook_tools.files.errors import os_reason
from workbook_tools.core.model import LedgerError
from workbook_tools.dist.wps import ADDIN_NAME, ADDIN_VERSION

LISTS = ("jsplugins.xml", "publish.xml")
ROOT = "jsplugins"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def entry(list_name: str, url: str) -> dict[str, str]:
    """Our entry: an offline add-in of WPS 表格 (type et); publish.xml also wants it enabled."""
    attrs = {"name": ADDIN_NAME, "type": "et", "url": url, "version": ADDIN_VERSION}
    if list_name == "publish.xml":
        attrs |= {"enable": "enable_dev", "install": "null"}
    return attrs


def _parse(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.parse(str(path), parser)
    except (OSError, etree.XMLSyntaxError):
        raise LedgerError(f"无法读取 WPS 加载项列表 {path}（不是有效的 XML），未作改动：请检查或删除该文件后重新安装", 2) from None
    if tree.getroot().tag != ROOT:
        raise LedgerError(f"WPS 加载项列表 {path} 的根元素不是 <{ROOT}>，未作改动", 2)
    return tree


def _remove(root: etree._Element, element: etree._Element) -> None:
    """Take `element` out, leaving the text around it as it was before it was added."""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = element.tail
    else:
        root.text = element.tail
    root.remove(element)


def _ours(root: etree._Element) -> list[etree._Element]:
    return [e for e in root if isinstance(e.tag, str) and e.get("name") == ADDIN_NAME]


def _append(root: etree._Element, attrs: dict[str, str]) -> None:
    element = etree.SubElement(root, "jsplugin", attrs)   # attribute order as given
    siblings = [e for e in root if e is not element]
    if siblings:
        element.tail = siblings[-1].tail
        siblings[-1].tail = root.text if (root.text or "").strip() == "" and root.text else "\n  "
    else:
        root.text, element.tail = "\n  ", "\n"


def _write(path: Path, tree: etree._ElementTree) -> None:
    text = DECLARATION + etree.tostring(tree, encoding="unicode") + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise LedgerError(f"无法写入 WPS 加载项列表 {path}：{os_reason(exc)}", 2) from None


def add(path: Path, attrs: dict[str, str]) -> bool:
    """Our entry in the list at `path` (replacing an older one); True when the list did not exist."""
    created = not path.exists()
    tree = etree.ElementTree(etree.fromstring(f"<{ROOT}/>")) if created else _parse(path)
    root = tree.getroot()
    for element in _ours(root):
        _remove(root, element)
    _append(root, attrs)
    _write(path, tree)
    return created


def remove(path: Path, delete_if_empty: bool) -> bool:
    """Our entry taken out of the list; the list deleted when it was ours alone. True when something changed."""
    if not path.is_file():
        return False
    tree = _parse(path)
    root = tree.getroot()
    mine = _ours(root)
    for element in mine:
        _remove(root, element)
    if delete_if_empty and not any(isinstance(e.tag, str) for e in root):
        path.unlink()
        return True
    if mine:
        _write(path, tree)
    return bool(mine)


def entries(path: Path) -> list[dict[str, str]]:
    """Every add-in entry of a list (tests and `ledger wps install` read back what is there)."""
    return [{str(k): str(v) for k, v in e.items()} | {"tag": e.tag} for e in _parse(path).getroot() if isinstance(e.tag, str)]
