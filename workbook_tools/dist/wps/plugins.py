"""The add-in's entry in WPS's add-in lists: publish.xml and jsplugins.xml of the jsaddons folder, and the
list oem.ini's JSPluginsServer names (政务版/企业版).

Every entry is an online add-in: its url is the add-in served by `ledger serve` (http://127.0.0.1:PORT/wps/KEY/).
publish.xml (the per-user "publish" mode of WPS 2019+ and of current builds) takes `<jspluginonline … enable
="enable_dev" install="null"/>`; jsplugins.xml (Kylin/UOS, the oem.ini mode) takes `<jsplugin name type url
version/>`.  The lists are shared with other add-ins: an entry of ours is
replaced or removed by its name, every other element, attribute and comment is kept, and the
whitespace around our entry is what it was before it was added (so installing twice gives the same
bytes, and uninstalling gives back the others' entries unchanged).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lxml import etree

from workbook_tools.core.model import LedgerError
from workbook_tools.dist.wps import ADDIN_NAME, ADDIN_VERSION
from workbook_tools.files.errors import os_reason

LISTS = ("jsplugins.xml", "publish.xml")
ROOT = "jsplugins"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


def entry(list_name: str, url: str) -> tuple[str, dict[str, str]]:
    """Our entry (tag, attributes): an online add-in of WPS 表格 (type et); publish.xml also wants it enabled."""
    if list_name == "publish.xml":
        return "jspluginonline", {"name": ADDIN_NAME, "type": "et", "url": url, "debug": "", "enable": "enable_dev",
                                  "install": "null"}
    return "jsplugin", {"name": ADDIN_NAME, "type": "et", "url": url, "version": ADDIN_VERSION}


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


def _append(root: etree._Element, tag: str, attrs: dict[str, str]) -> None:
    element = etree.SubElement(root, tag, attrs)   # attribute order as given
    siblings = [e for e in root if e is not element]
    if siblings:
        element.tail = siblings[-1].tail
        siblings[-1].tail = root.text if (root.text or "").strip() == "" and root.text else "\n  "
    else:
        root.text, element.tail = "\n  ", "\n"


def _write(path: Path, tree: etree._ElementTree) -> None:
    """The list written anew (atomic replace); a list created here is readable by the user only (it holds the
    add-in's key in the url), an existing one keeps its mode."""
    text = DECLARATION + etree.tostring(tree, encoding="unicode") + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.chmod(temp, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise LedgerError(f"无法写入 WPS 加载项列表 {path}：{os_reason(exc)}", 2) from None


def add(path: Path, tag_attrs: tuple[str, dict[str, str]]) -> bool:
    """Our entry in the list at `path` (replacing an older one); True when the list did not exist."""
    created = not path.exists()
    tree = etree.ElementTree(etree.fromstring(f"<{ROOT}/>")) if created else _parse(path)
    root = tree.getroot()
    for element in _ours(root):
        _remove(root, element)
    _append(root, *tag_attrs)
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
