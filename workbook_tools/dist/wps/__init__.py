"""The WPS Office side: a WPS JS add-in (「WPS 加载项」) whose ribbon buttons call `ledger serve` (docs/wps.md).

WPS has no VBA or COM on Linux and xlwings does not drive it, so the buttons of the Excel ribbon
are rebuilt as a JS add-in: `ribbon.xml` (customUI) and scripts in the top-level folder wps/
(installed as the package `workbook_tools.dist.wps.addin`).  Every button sends the workbook's path
to the local service, which runs the same library functions as the command line.

* `ribbon`  — ribbon.xml and js/registry.js generated from the action registry
  (`workbook_tools.tasks.registry`): one source of tags, labels, descriptions, icons;
* `build`   — `ledger wps build`: the add-in folder;
* `install` — `ledger wps install | uninstall`: the folder in the user's jsaddons folder, its entry in
  jsplugins.xml and publish.xml, and `ledger serve` started at login (`autostart`).
"""
from __future__ import annotations

from workbook_tools import __version__

ADDIN_NAME = "workbook-tools"                 # the add-in's name in jsplugins.xml (ASCII, as WPS expects)
ADDIN_VERSION = __version__
ADDIN_FOLDER = f"{ADDIN_NAME}_{ADDIN_VERSION}"  # WPS looks for <name>_<version> in its jsaddons folder
INFO_FILE = "serve-info.js"                   # written into the add-in folder by the service started at login
