"""The ribbon sources (macros/) and the action registry must agree."""
from __future__ import annotations

import re
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest
from pydantic import ValidationError

from workbook_tools.dist.excel import addin, install
from workbook_tools.faces.excel.actions import ACTIONS, GROUP_IDS, Action, Group, Outcome

MACROS = Path(__file__).resolve().parents[1] / "macros"
NS = {"ui": addin.CUSTOMUI_NS}
SUB = re.compile(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(\s*(?:ByRef\s+|ByVal\s+)?\w+\s+As\s+IRibbonControl\s*\)",
                 re.IGNORECASE | re.MULTILINE)


@pytest.fixture(scope="module")
def ribbon():
    return SafeET.parse(MACROS / "customUI14.xml").getroot()


@pytest.fixture(scope="module")
def vba() -> str:
    return (MACROS / "LedgerRibbon.bas").read_text(encoding="utf-8")


def buttons(ribbon) -> list:
    return ribbon.findall(".//ui:button", NS)


def test_sources_are_found_in_the_checkout() -> None:
    assert addin.sources_dir().resolve() == MACROS


def test_ribbon_is_an_office_2010_customui_with_one_tab(ribbon) -> None:
    assert ribbon.tag == f"{{{addin.CUSTOMUI_NS}}}customUI"
    tabs = ribbon.findall("ui:ribbon/ui:tabs/ui:tab", NS)
    assert [t.get("label") for t in tabs] == ["正版化台账"]


def test_every_button_has_an_action_and_every_action_a_button(ribbon) -> None:
    tags = [b.get("tag") for b in buttons(ribbon)]
    assert len(tags) == len(set(tags))
    assert set(tags) == set(ACTIONS)


def test_ids_are_unique(ribbon) -> None:
    ids = [e.get("id") for e in ribbon.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_buttons_match_their_actions(ribbon) -> None:
    for group in ribbon.findall(".//ui:group", NS):
        for button in group.findall("ui:button", NS):
            action = ACTIONS[button.get("tag")]
            assert button.get("id") == action.button_id
            assert button.get("label") == action.label == button.get("screentip")
            assert button.get("imageMso") == action.image
            assert button.get("supertip") == action.description
            assert group.get("label") == action.group.value
            assert group.get("id") == GROUP_IDS[action.group]


def test_groups_follow_the_registry_order_and_none_is_empty(ribbon) -> None:
    groups = ribbon.findall(".//ui:group", NS)
    assert all(g.findall("ui:button", NS) for g in groups)
    order = [g.get("id") for g in groups]
    expected = [GROUP_IDS[g] for g in Group if any(a.group is g for a in ACTIONS.values())]
    assert order == expected
    in_xml = [b.get("tag") for b in buttons(ribbon)]
    registered = sorted(ACTIONS, key=lambda t: list(Group).index(ACTIONS[t].group))
    assert in_xml == registered


def test_every_on_action_names_a_vba_sub_taking_iribboncontrol(ribbon, vba: str) -> None:
    module = re.search(r'^Attribute VB_Name = "(\w+)"', vba, re.MULTILINE).group(1)
    subs = set(SUB.findall(vba))
    callbacks = {e.get("onAction") for e in ribbon.iter() if e.get("onAction")}
    assert callbacks
    for callback in callbacks:
        name, sub = callback.split(".")
        assert name == module == addin.RIBBON_MODULE
        assert sub in subs


def test_vba_is_ascii_and_its_code_points_are_chinese_text(vba: str) -> None:
    assert vba.isascii()
    texts = ["".join(chr(int(c, 16)) for c in codes.split()) for codes in re.findall(r'Zh\("([0-9A-F ]+)"\)', vba)]
    assert len(texts) == 4
    for text in texts:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text) and text.isprintable()


def test_the_python_statement_built_by_vba_calls_dispatch(vba: str, monkeypatch: pytest.MonkeyPatch) -> None:
    template = re.search(r'RunPython "(.*)"\s*$', vba, re.MULTILINE).group(1)
    assert '"' not in template.replace('" & control.Tag & "', "")  # single quotes only inside
    import workbook_tools.faces.excel as excel
    called = []
    monkeypatch.setattr(excel, "dispatch", lambda tag: called.append(tag))
    for tag in ACTIONS:
        statement = template.replace('" & control.Tag & "', tag)
        exec(compile(statement, "<RunPython>", "exec"), {})
    assert called == list(ACTIONS)


def test_a_tag_must_stay_plain_ascii() -> None:
    with pytest.raises(ValidationError):
        Action(tag="x'); import os; ('", label="x", group=Group.HELP, image="Help", description="x",
               run=lambda ctx: Outcome(message=""))


def test_config_template_sets_the_interpreter_and_keeps_the_workbook_folder_off_sys_path() -> None:
    win = install.config_lines(Path("C:/Python311/python.exe"), platform="win32")
    mac = install.config_lines(Path("/usr/local/bin/python3"), platform="darwin")
    assert win[0].startswith('"INTERPRETER_WIN","') and win[0].endswith('python.exe"')
    assert mac == ['"INTERPRETER_MAC","/usr/local/bin/python3"', '"ADD_WORKBOOK_TO_PYTHONPATH","False"']
    assert win[1:] == mac[1:]
