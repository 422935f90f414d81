"""The LibreOffice extension's sources (lo/): toolbar and menu generated from the one action registry, the .oxt
built from them, the package data that carries them, and the code LibreOffice's Python runs (its link to the
service is tested here against a real `ledger serve`; the UNO side in tests/test_lo_real.py)."""
from __future__ import annotations

import ast
import fnmatch
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from servekit import TODAY, Served, demo, plant

from workbook_tools.core.model import LedgerError
from workbook_tools.dist.lo import IDENTIFIER, PROTOCOL
from workbook_tools.dist.lo import build as generator
from workbook_tools.dist.lo.build import build_oxt, sources_dir
from workbook_tools.dist.wps import ribbon as wps_ribbon
from workbook_tools.tasks.registry import REGISTRY as ACTIONS
from workbook_tools.tasks.registry import Group

ROOT = Path(__file__).resolve().parents[1]
LO = ROOT / "lo"
PYTHONPATH = LO / "pythonpath"
OOR = "{http://openoffice.org/2001/registry}"
MANIFEST = "{http://openoffice.org/2001/manifest}"


@pytest.fixture(scope="module")
def extension_modules():
    """buttons.py and service.py of the extension (no UNO in them), imported as LibreOffice's Python does."""
    sys.path.insert(0, str(PYTHONPATH))
    try:
        from workbook_tools_lo import buttons, service

        yield buttons, service
    finally:
        sys.path.remove(str(PYTHONPATH))
        for name in [n for n in sys.modules if n.startswith("workbook_tools_lo")]:
            del sys.modules[name]


def nodes(element, name: str) -> list:
    return [n for n in element if n.get(f"{OOR}name") == name]


def props(node) -> dict[str, str]:
    return {p.get(f"{OOR}name"): (p.findtext("value") or "") for p in node.findall("prop")}


def addon_entries(xcu: Path) -> tuple[list[dict], list[dict]]:
    """(menu entries, toolbar entries) of Addons.xcu, separators included, in order."""
    root = SafeET.parse(xcu).getroot()
    [ui] = nodes(root, "AddonUI")
    [menubar], [toolbars] = nodes(ui, "OfficeMenuBar"), nodes(ui, "OfficeToolBar")
    [menu] = list(menubar)
    [submenu] = nodes(menu, "Submenu")
    [toolbar] = list(toolbars)
    assert props(menu)["Title"] == "正版化台账" and props(menu)["Context"] == generator.CALC
    assert toolbar.get(f"{OOR}name") == f"{IDENTIFIER}.toolbar"
    return [props(n) for n in submenu], [props(n) for n in toolbar]


def test_generated_files_are_current() -> None:
    for name, make in generator.GENERATED.items():
        assert (LO / name).read_text(encoding="utf-8") == make(), f"run python -m workbook_tools.dist.lo.build ({name})"


def test_excel_wps_and_libreoffice_show_the_same_registry() -> None:
    """The three office faces list the same buttons — tags, labels, groups, order — which are ACTIONS."""
    registry = [(a.tag, a.label, a.group.value) for a in sorted(ACTIONS.values(), key=lambda a: list(Group).index(a.group))]
    assert registry == [(a.tag, a.label, a.group.value) for a in ACTIONS.values()]   # registered in group order

    def ribbon(path: Path, ns: str) -> list[tuple[str, str, str]]:
        root = SafeET.parse(path).getroot()
        return [(b.get("tag"), b.get("label"), g.get("label"))
                for g in root.iter(f"{{{ns}}}group") for b in g.findall(f"{{{ns}}}button")]

    excel = ribbon(ROOT / "macros" / "customUI14.xml", "http://schemas.microsoft.com/office/2009/07/customui")
    wps = ribbon(ROOT / "wps" / "ribbon.xml", wps_ribbon.CUSTOMUI_NS)
    menu, toolbar = addon_entries(LO / "Addons.xcu")
    groups, calc = [], []
    for entries in (menu, toolbar):
        seen, group = [], 0
        for entry in entries:
            if entry["URL"] == generator.SEPARATOR:
                group += 1
                continue
            assert entry["URL"].startswith(PROTOCOL) and entry["Context"] == generator.CALC
            seen.append((entry["URL"][len(PROTOCOL):], entry["Title"], group))
        calc.append([(tag, label) for tag, label, _ in seen])
        groups.append([g for *_, g in seen])
    group_index = [g.value for g in Group if any(a.group is g for a in ACTIONS.values())]
    registry_groups = [group_index.index(g) for *_, g in registry]
    lo_json = json.loads((LO / "pythonpath" / "workbook_tools_lo" / "registry.json").read_text(encoding="utf-8"))
    assert excel == wps == registry and len(registry) == 18
    assert calc[0] == calc[1] == [(t, label) for t, label, _ in registry]
    assert groups[0] == groups[1] == registry_groups
    assert [(b["tag"], b["label"], b["group"]) for b in lo_json["buttons"]] == registry


def test_every_button_has_a_behaviour_and_an_icon(extension_modules) -> None:
    buttons, _ = extension_modules
    assert set(buttons.BEHAVIOUR) == set(ACTIONS)
    writes = {tag for tag in ACTIONS if buttons.writes(tag)}
    assert writes == {"validate", "number", "fix_blanks", "rollup", "install", "uninstall", "upgrade", "renew", "stats",
                      "plan", "overview", "review", "scan"}
    images = SafeET.parse(LO / "Addons.xcu").getroot()
    urls = [props(n)["URL"] for n in images.iter("node") if n.get(f"{OOR}name") in ACTIONS and "URL" in props(n)]
    assert sorted(urls) == sorted(PROTOCOL + t for t in ACTIONS)
    assert all((generator.icons_dir() / f"{a.image}.svg").is_file() for a in ACTIONS.values())


def test_the_extension_code_runs_on_the_python_libreoffice_ships() -> None:
    """LibreOffice for Windows ships its own Python (3.8 in 7.x): no newer syntax in the extension's code."""
    files = [LO / "ledger_dispatch.py", *sorted(PYTHONPATH.rglob("*.py"))]
    for file in files:
        tree = ast.parse(file.read_text(encoding="utf-8"), str(file), feature_version=(3, 8))
        imported = {n.names[0].name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert "workbook_tools" not in imported, file       # LibreOffice's Python cannot import the package
    assert len(files) == 5


def test_the_oxt_holds_the_sources_the_manifest_names_and_is_reproducible(tmp_path) -> None:
    first = build_oxt(tmp_path / "a.oxt")
    second = build_oxt(tmp_path / "b.oxt")
    assert first.path.read_bytes() == second.path.read_bytes() and first.buttons == len(ACTIONS)
    with zipfile.ZipFile(first.path) as oxt:
        names = oxt.namelist()
        assert names[0] == "META-INF/manifest.xml" and len(names) == first.files
        manifest = SafeET.fromstring(oxt.read("META-INF/manifest.xml"))
        entries = {e.get(f"{MANIFEST}full-path"): e.get(f"{MANIFEST}media-type") for e in manifest}
        assert entries == {"ledger_dispatch.py": "application/vnd.sun.star.uno-component;type=Python",
                           "ProtocolHandler.xcu": "application/vnd.sun.star.configuration-data",
                           "CalcWindowState.xcu": "application/vnd.sun.star.configuration-data",
                           "Addons.xcu": "application/vnd.sun.star.configuration-data"}
        assert set(entries) | {"description.xml"} <= set(names)
        description = SafeET.fromstring(oxt.read("description.xml"))
        ns = "{http://openoffice.org/extensions/description/2006}"
        assert description.find(f"{ns}identifier").get("value") == IDENTIFIER
        handler = SafeET.fromstring(oxt.read("ProtocolHandler.xcu"))
        assert [v.text for v in handler.iter("value")] == [PROTOCOL + "*"]
        state = SafeET.fromstring(oxt.read("CalcWindowState.xcu"))
        assert [n.get(f"{OOR}name") for n in state.iter("node")][-1] == f"private:resource/toolbar/addon_{IDENTIFIER}.toolbar"
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_build_refuses_to_overwrite_without_force(tmp_path) -> None:
    target = tmp_path / "x.oxt"
    build_oxt(target)
    with pytest.raises(LedgerError):
        build_oxt(target)
    assert build_oxt(target, force=True).path == target
    with pytest.raises(LedgerError):
        build_oxt(tmp_path / "x.zip")


def test_the_cli_builds_it(tmp_path) -> None:
    done = subprocess.run([sys.executable, "-m", "workbook_tools", "lo", "build", "-o", str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and zipfile.is_zipfile(tmp_path / "workbook-tools.oxt"), done.stderr


def test_package_data_carries_every_source() -> None:
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"]["workbook_tools.dist.lo.extension"] == "lo"
    patterns = config["package-data"]["workbook_tools.dist.lo.extension"]
    for path in LO.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            name = path.relative_to(LO).as_posix()
            matched = any(fnmatch.fnmatch(name, p) and name.count("/") == p.count("/") for p in patterns)
            assert matched or name == "ledger_dispatch.py", name     # a module of the mapped package itself
    assert sources_dir() == LO


def test_the_discovery_file_is_where_the_service_writes_it(extension_modules, tmp_path, monkeypatch) -> None:
    _, service = extension_modules
    from workbook_tools.faces.service.run import info_file

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert Path(service.info_path()) == info_file()
    windows = {"LOCALAPPDATA": r"C:\Users\张三\AppData\Local"}
    assert service.info_path(windows, "win32") == r"C:\Users\张三\AppData\Local" + "/workbook_tools/serve.json".replace(
        "/", "\\" if sys.platform == "win32" else "/")


def test_the_extension_talks_to_the_real_service(extension_modules, tmp_path) -> None:
    """service.py (run here by the venv's Python, as LibreOffice's Python runs it) finds `ledger serve` through
    serve.json and gets the findings (as a job, polled); a stale file or a wrong token counts as not running."""
    _, service = extension_modules
    folder = tmp_path / "served"
    folder.mkdir()
    ledger = demo(folder / "台账.xlsx")
    plant(ledger)
    served = Served([folder])
    env = {"XDG_STATE_HOME": str(tmp_path / "state"), "HOME": str(tmp_path)}
    info = Path(service.info_path(env))
    try:
        with pytest.raises(service.Refusal) as refused:
            service.connect(env)
        assert refused.value.message == service.NOT_RUNNING
        served.running.write_info(info)
        link = service.connect(env)
        answer = link.call("check", {"path": str(ledger), "today": TODAY.isoformat()})
        rules = {f["rule"] for f in answer.body["findings"]}      # the CLI's findings: tests/test_lo_real.py
        assert answer.ok and answer.body["workbook"] == ledger.name and {"BLANK-OEM", "NUM-MISSING"} <= rules
        assert link.in_scope(str(ledger)) and not link.in_scope(str(tmp_path / "别处.xlsx"))
        outside = link.call("check", {"path": str(tmp_path / "别处.xlsx")})
        assert outside.status == 403 and "ledger lo install --folder" in link.explain(outside)
        data = json.loads(info.read_text(encoding="utf-8"))
        info.unlink()
        info.write_text(json.dumps({**data, "token": "wrong"}), encoding="utf-8")
        with pytest.raises(service.Refusal):
            service.connect(env)
    finally:
        served.stop()
