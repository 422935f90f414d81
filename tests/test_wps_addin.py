"""The WPS add-in's sources (wps/): customUI ribbon from the Excel ribbon's registry, callbacks the JS defines,
scripts node accepts, the built folder and the package data that carries it."""
from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from wpskit import NODE, ROOT

from workbook_tools.core.model import LedgerError
from workbook_tools.dist.wps import ribbon as generator
from workbook_tools.dist.wps.build import build_addin, sources_dir
from workbook_tools.faces.excel.actions import ACTIONS, GROUP_IDS, Group

WPS = ROOT / "wps"
NS = {"ui": generator.CUSTOMUI_NS}
CALLBACK_ATTRS = ("onLoad", "onAction", "getImage", "getEnabled", "getLabel", "getVisible", "getSupertip")
needs_node = pytest.mark.skipif(NODE is None, reason="needs node (20 or later)")


@pytest.fixture(scope="module")
def ribbon():
    return SafeET.parse(WPS / "ribbon.xml").getroot()


def scripts() -> list[Path]:
    return sorted(WPS.rglob("*.js"))


def node_eval(code: str) -> object:
    """Run `code` after the scripts index.html loads, in one context, as WPS would; its last value as JSON."""
    loader = (f"const vm=require('vm'),fs=require('fs');const c={{console}};c.window=c;vm.createContext(c);"
              f"for(const f of {json.dumps([str(p) for p in page_scripts('index.html')])})"
              f"vm.runInContext(fs.readFileSync(f,'utf8'),c,{{filename:f}});"
              f"process.stdout.write(JSON.stringify(vm.runInContext({json.dumps(code)},c)));")
    done = subprocess.run([NODE, "-e", loader], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def page_scripts(page: str) -> list[Path]:
    return [WPS / src for src in re.findall(r'<script src="([^"]+)"', (WPS / page).read_text(encoding="utf-8"))]


def test_generated_files_are_current() -> None:
    for name, make in generator.GENERATED.items():
        assert (WPS / name).read_text(encoding="utf-8") == make(), f"run python -m workbook_tools.dist.wps.ribbon ({name})"


def test_ribbon_is_customui_valid_against_the_ribbon_schema(ribbon) -> None:
    """WPS reads the Office 2007 customUI namespace; the elements and attributes used are the same in the
    Office 2010 schema vendored for the Excel ribbon (tests/data/ribbon), so it is validated against that."""
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema10(str(ROOT / "tests" / "data" / "ribbon" / "customui14.xsd"), validation="strict")
    text = (WPS / "ribbon.xml").read_text(encoding="utf-8")
    assert ribbon.tag == f"{{{generator.CUSTOMUI_NS}}}customUI"
    schema.validate(text.replace(generator.CUSTOMUI_NS, "http://schemas.microsoft.com/office/2009/07/customui"))
    assert [t.get("label") for t in ribbon.findall("ui:ribbon/ui:tabs/ui:tab", NS)] == ["正版化台账"]


def test_the_buttons_are_the_excel_ribbons_registry(ribbon) -> None:
    groups = ribbon.findall(".//ui:group", NS)
    expected_groups = [g for g in Group if any(a.group is g for a in ACTIONS.values())]
    assert [(g.get("id"), g.get("label")) for g in groups] == [(GROUP_IDS[g], g.value) for g in expected_groups]
    seen = []
    for group in groups:
        for button in group.findall("ui:button", NS):
            action = ACTIONS[button.get("tag")]
            seen.append(action.tag)
            assert (button.get("id"), button.get("label"), button.get("screentip"), button.get("supertip")) == \
                (action.button_id, action.label, action.label, action.description)
            assert group.get("label") == action.group.value
            assert (WPS / generator.icon(action)).is_file()
    assert seen == sorted(ACTIONS, key=lambda t: list(Group).index(ACTIONS[t].group))


def test_icons_are_svg() -> None:
    for action in ACTIONS.values():
        root = SafeET.parse(WPS / generator.icon(action)).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 32 32"


@needs_node
def test_node_accepts_every_script() -> None:
    for path in [*scripts(), ROOT / "tests" / "wps_harness.js"]:
        done = subprocess.run([NODE, "--check", str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, (path, done.stderr)


@needs_node
def test_every_callback_of_the_ribbon_is_a_function_the_scripts_define(ribbon) -> None:
    names = sorted({e.get(a) for e in ribbon.iter() for a in CALLBACK_ATTRS if e.get(a)})
    assert {"OnAddinLoad", "OnLedgerButton", "GetImage", "GetEnabled"} <= set(names)
    defined = node_eval(f"{json.dumps(names)}.filter(n => typeof this[n] === 'function')")
    assert defined == names


@needs_node
def test_every_registered_button_has_a_behaviour_and_its_icon() -> None:
    assert node_eval("Object.keys(BEHAVIOUR)") == list(ACTIONS)
    icons = node_eval("LEDGER_REGISTRY.buttons.map(b => GetImage({Id: b.id}))")
    assert icons == [generator.icon(a) for a in ACTIONS.values()]


def test_scripts_stay_within_es2017_for_the_chromium_of_older_wps() -> None:
    """No optional chaining or nullish coalescing (Chromium 80), which WPS 2019's engine may lack."""
    for path in scripts():
        code = re.sub(r"//.*|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", "", path.read_text(encoding="utf-8"))
        assert not re.search(r"\?\.(?!\d)|\?\?", code), path


def test_pages_load_only_local_files() -> None:
    for page in ("index.html", "taskpane.html"):
        text = (WPS / page).read_text(encoding="utf-8")
        assert not re.search(r'(src|href)="(https?:)?//', text)
        assert all(p.is_file() for p in page_scripts(page))


def test_build_makes_the_folder_and_refuses_to_empty_another(tmp_path) -> None:
    report = build_addin(tmp_path / "addin")
    built = {p.relative_to(report.path) for p in report.path.rglob("*") if p.is_file()}
    assert built == {p.relative_to(WPS) for p in WPS.rglob("*") if p.is_file() and p.suffix != ".py"}
    assert report.buttons == len(ACTIONS)
    with pytest.raises(LedgerError):
        build_addin(report.path)                # not without --force
    build_addin(report.path, force=True)        # replaces an add-in built here
    other = tmp_path / "别的文件夹"
    other.mkdir()
    (other / "台账.xlsx").write_bytes(b"x")
    with pytest.raises(LedgerError, match="不是加载项文件夹"):
        build_addin(other, force=True)
    assert (other / "台账.xlsx").read_bytes() == b"x"


def test_the_cli_builds_it(tmp_path) -> None:
    done = subprocess.run([sys.executable, "-m", "workbook_tools", "wps", "build", "-o", str(tmp_path / "a")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "a" / "ribbon.xml").is_file(), done.stderr


def test_package_data_carries_every_source() -> None:
    tomllib = pytest.importorskip("tomllib")   # Python 3.11+
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert config["package-dir"]["workbook_tools.dist.wps.addin"] == "wps"
    patterns = config["package-data"]["workbook_tools.dist.wps.addin"]
    for path in WPS.rglob("*"):
        if path.is_file():
            name = path.relative_to(WPS).as_posix()
            assert any(fnmatch.fnmatch(name, p) and name.count("/") == p.count("/") for p in patterns), name
    assert sources_dir() == WPS
