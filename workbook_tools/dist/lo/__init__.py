"""The LibreOffice side: a Calc extension (.oxt) whose toolbar and menu 「正版化台账」 call `ledger serve`
(docs/libreoffice.md).

The extension's sources are in the top-level folder lo/ (installed as the package
`workbook_tools.dist.lo.extension`): a Python UNO component, the protocol handler of the URLs
`vnd.workbooktools.ledger:<tag>`, and the code it runs in LibreOffice's own Python (pythonpath/).

* `build`     — Addons.xcu (toolbar and menu), description.xml and pythonpath/workbook_tools_lo/registry.json,
  generated from the one action registry; `ledger lo build`: the .oxt;
* `install`   — `ledger lo install | uninstall`: `unopkg add | remove` for the current user, and `ledger serve`
  started at login.
"""
from __future__ import annotations

from workbook_tools import __version__

IDENTIFIER = "org.workbooktools.ledger"        # the extension's identifier (unopkg remove takes it)
PROTOCOL = "vnd.workbooktools.ledger:"           # the URL of a button is PROTOCOL + tag
OXT_NAME = "workbook-tools.oxt"
VERSION = __version__
