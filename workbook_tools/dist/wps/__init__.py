"""The WPS Office side: a WPS JS add-in (「WPS 加载项」) whose ribbon buttons call `ledger serve` (docs/wps.md).

WPS has no VBA or COM on Linux and xlwings does not drive it, so the buttons of the Excel ribbon
are rebuilt as a JS add-in: `ribbon.xml` (customUI) and scripts in the top-level folder wps/
(installed as the package `workbook_tools.dist.wps.addin`).  Every button sends the workbook's path
to the local service, which runs the same library functions as the command line.

* `ribbon`  — ribbon.xml and js/registry.js generated from the action registry
  (`workbook_tools.tasks.registry`): one source of tags, labels, descriptions, icons;
* `build`   — `ledger wps build`: the add-in folder;
* `online`  — the add-in served by `ledger serve` itself under /wps/<key>/ (WPS's online add-in mode):
  same origin as the API, so no page of another origin (and no local file, origin `null`) may call it;
* `probe`   — what this PC's WPS is: version, edition, which add-in lists it reads, blocked add-ins;
* `install` — `ledger wps install | uninstall | doctor`: the add-in's entry in the lists this WPS reads,
  the key file, and `ledger serve` started at login (`autostart`).
"""
from __future__ import annotations

import re

from workbook_tools import __version__

ADDIN_NAME = "workbook-tools"                 # the add-in's name in jsplugins.xml (ASCII, as WPS expects)
ADDIN_VERSION = __version__
ADDIN_FOLDER = f"{ADDIN_NAME}_{ADDIN_VERSION}"  # WPS looks for <name>_<version> in its jsaddons folder
KEY_FILE = "wps-key"                          # the add-in's key, in the state folder (readable by the user only)
KEY_FORM = re.compile(r"[A-Za-z0-9_-]{32,64}")  # secrets.token_urlsafe(32): safe as a URL path segment
