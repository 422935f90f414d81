"""ribbon.xml and js/registry.js of the WPS add-in, generated from the action registry.

`workbook_tools.tasks.registry` is the one list of buttons: tag, label, group, icon and
description.  The WPS ribbon shows the same buttons in the same groups; its button ids are the
Excel ids (`btn_<tag>`), every button calls the one JS callback `OnLedgerButton`, and its icon is
`images/<imageMso name>.svg`.  Both files are committed in wps/ and a test checks them against
this module; after changing the registry run ``python -m workbook_tools.dist.wps.ribbon``.
"""
from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

from workbook_tools import __version__
from workbook_tools.core import schema
from workbook_tools.dist import common
from workbook_tools.tasks.registry import COMMANDS, ENTRIES, GROUP_IDS, Entry, Group, by_group

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"   # the namespace WPS add-ins use
TAB_ID, TAB_LABEL = "ledgerTab", "正版化台账"
ON_LOAD, ON_ACTION, GET_IMAGE, GET_ENABLED = "OnAddinLoad", "OnLedgerButton", "GetImage", "GetEnabled"
HEADER = ("<!-- Generated from workbook_tools/tasks/registry.py by `python -m workbook_tools.dist.wps.ribbon`: "
          "edit the registry, not this file. -->")


def icon(action: Entry) -> str:
    """The button's icon inside the add-in folder (named after the Excel icon, so one name serves both)."""
    return f"images/{action.image}.svg"


def _button(action: Entry) -> str:
    attrs = {"id": action.button_id, "tag": action.tag, "label": action.label, "size": "large",
             "getImage": GET_IMAGE, "getEnabled": GET_ENABLED, "screentip": action.label,
             "supertip": action.description, "onAction": ON_ACTION}
    return "          <button " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + "/>"


def _group(group: Group, actions: list[Entry]) -> list[str]:
    return [f"        <group id={quoteattr(GROUP_IDS[group])} label={quoteattr(group.value)}>",
            *(_button(a) for a in actions), "        </group>"]


def ribbon_xml() -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', HEADER,
             f'<customUI xmlns="{CUSTOMUI_NS}" onLoad="{ON_LOAD}">', '  <ribbon startFromScratch="false">',
             "    <tabs>", f'      <tab id="{TAB_ID}" label="{TAB_LABEL}">']
    for group, actions in by_group():
        lines += _group(group, actions)
    lines += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>"]
    return "\n".join(lines) + "\n"


def registry() -> dict[str, object]:
    buttons = [{"tag": a.tag, "id": a.button_id, "label": a.label, "group": a.group.value, "icon": icon(a),
                "description": a.description, "needsLedger": a.needs_ledger} for a in ENTRIES]
    sheets = {"a7": schema.A7, "a9": schema.A9, "a10": schema.A10, "results": schema.RESULTS}
    return {"version": __version__, "title": TAB_LABEL, "sheets": sheets, "buttons": buttons,
            "commands": list(COMMANDS)}


def registry_js() -> str:
    body = json.dumps(registry(), ensure_ascii=False, indent=2)
    return (f"// {HEADER[5:-4]}\n"
            f'"use strict";\n// eslint-disable-next-line no-unused-vars\nvar LEDGER_REGISTRY = {body};\n')


GENERATED = {"ribbon.xml": ribbon_xml, "js/registry.js": registry_js}


def write_generated(folder: Path) -> list[Path]:
    return common.write_generated(folder, GENERATED)


if __name__ == "__main__":
    from workbook_tools.dist.wps.build import sources_dir

    for path in write_generated(sources_dir()):
        print(path)
