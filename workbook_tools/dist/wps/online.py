"""The add-in as `ledger serve` serves it (WPS's online add-in mode): every file of the add-in, by its path.

WPS reads an online add-in from the URL of its entry in publish.xml/jsplugins.xml: `<url>manifest.xml`
and `<url>ribbon.xml` when the application starts, `<url>index.html` (and what it includes) when the
add-in runs.  The service answers these under `/wps/<key>/`, so the add-in's pages have the service's
own origin: the API needs no cross-origin permission at all, and `Origin: null` (a local file) is never
allowed.  No file here holds a token: the add-in asks `POST /wps/<key>/session` for it (same origin).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from workbook_tools.dist.wps import ADDIN_NAME, ADDIN_VERSION
from workbook_tools.dist.wps.build import SOURCES, sources_dir
from workbook_tools.dist.wps.ribbon import GENERATED

TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".xml": "application/xml; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json"}


def manifest_xml() -> str:
    """The add-in's description WPS fetches beside ribbon.xml (the form of the wpsjs project template)."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<JsPlugin>\n  <ApiVersion>1.0.0</ApiVersion>\n'
            f"  <Name>{ADDIN_NAME}</Name>\n  <Version>{ADDIN_VERSION}</Version>\n"
            "  <Description>正版化台账：按钮通过本机服务 ledger serve 处理台账</Description>\n</JsPlugin>\n")


@lru_cache(maxsize=1)
def files() -> dict[str, bytes]:
    """Path inside the add-in -> bytes: the sources of wps/, with ribbon.xml and js/registry.js generated anew."""
    root = sources_dir()
    out: dict[str, bytes] = {}
    for name in SOURCES:
        item = root / name
        paths = [item] if item.is_file() else sorted(p for p in item.rglob("*") if p.is_file())
        for path in paths:
            if path.suffix.lower() in TYPES:
                out[path.relative_to(root).as_posix()] = path.read_bytes()
    for name, make in GENERATED.items():
        out[name] = make().encode("utf-8")
    out["manifest.xml"] = manifest_xml().encode("utf-8")
    return out


def media_type(name: str) -> str:
    return TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
