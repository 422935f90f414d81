"""The action registry of tasks/ is the one list every face reads (issue 22: one API behind every face)."""
from __future__ import annotations

import inspect

from workbook_tools.faces.cli import load_commands
from workbook_tools.faces.cli.app import app
from workbook_tools.faces.excel.actions import ACTIONS
from workbook_tools.faces.service.app import BUTTONS
from workbook_tools.tasks.registry import COMMANDS, ENTRIES, REGISTRY


def _cli_names() -> list[str]:
    load_commands()
    names = [c.name or "" for c in app.registered_commands] + [g.name or "" for g in app.registered_groups]
    return sorted(n for n in names if n)


def test_the_registry_names_exactly_the_commands_the_cli_registers():
    assert list(COMMANDS) == _cli_names()


def test_every_entry_names_a_real_command_and_a_real_task_function():
    for entry in ENTRIES:
        assert entry.command is None or entry.command in COMMANDS, entry.tag
        function = entry.task_function()
        assert entry.task is None or inspect.isfunction(function), entry.tag


def test_the_excel_ribbon_and_the_service_show_the_registry_entries():
    assert list(ACTIONS) == list(REGISTRY)
    for tag, action in ACTIONS.items():
        assert action.model_dump(exclude={"run"}) == REGISTRY[tag].model_dump()
    assert [b["tag"] for b in BUTTONS] == list(REGISTRY)
    assert [b["label"] for b in BUTTONS] == [e.label for e in ENTRIES]
