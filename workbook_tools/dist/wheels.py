"""Which requirements a set of wheels leaves unmet on 64-bit Windows for one Python version.

`pip download --platform win_amd64` (and `pip install --dry-run --platform …`) evaluate
environment markers for the machine pip runs on, so on Linux they skip requirements such
as ``pywin32; platform_system == "Windows"`` (xlwings) or ``colorama; platform_system ==
"Windows"`` (click).  This reads each wheel's METADATA and follows the requirements of
workbook_tools with a Windows environment instead.
"""
from __future__ import annotations

import zipfile
from email.parser import HeaderParser
from pathlib import Path

from workbook_tools.core.model import LedgerError

ROOT = "workbook_tools"


def _packaging():
    try:
        from packaging import markers, requirements, utils, version  # noqa: PLC0415
    except ImportError:
        raise LedgerError("缺少 packaging：请运行 pip install 'workbook_tools[bundle]'", 2) from None
    return markers, requirements, utils, version


def windows_environment(python: str) -> dict[str, str]:
    """PEP 508 marker variables of 64-bit CPython `python` (e.g. "3.12") on Windows 10."""
    return {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64",
            "platform_release": "10", "platform_version": "10.0.19045", "python_version": python,
            "python_full_version": f"{python}.0", "implementation_name": "cpython",
            "implementation_version": f"{python}.0", "platform_python_implementation": "CPython", "extra": ""}


def read_metadata(wheel: Path) -> tuple[str, str, list[str]]:
    """(name, version, Requires-Dist lines) of a wheel."""
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        meta = HeaderParser().parsestr(z.read(name).decode("utf-8"))
    return meta["Name"], meta["Version"], meta.get_all("Requires-Dist") or []


def missing_on_windows(wheels: list[Path], python: str) -> list[str]:
    """Requirements (without markers) of workbook_tools's tree on Windows that no wheel satisfies."""
    _, requirements, utils, version = _packaging()
    dists = {}
    for wheel in wheels:
        name, ver, requires = read_metadata(wheel)
        dists[utils.canonicalize_name(name)] = (version.Version(ver), [requirements.Requirement(r) for r in requires])
    env = windows_environment(python)
    queue: list[tuple[str, frozenset[str]]] = [(utils.canonicalize_name(ROOT), frozenset())]
    seen: set[tuple[str, frozenset[str]]] = set()
    missing: list[str] = []
    while queue:
        name, extras = queue.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        for req in dists[name][1] if name in dists else []:
            if req.marker and not any(req.marker.evaluate(env | {"extra": e}) for e in (extras or {""})):
                continue
            key = utils.canonicalize_name(req.name)
            found = dists.get(key)
            if found is None or not req.specifier.contains(found[0], prereleases=True):
                missing.append(f"{req.name}{req.specifier}")
                continue
            queue.append((key, frozenset(req.extras)))
    return sorted(set(missing))
