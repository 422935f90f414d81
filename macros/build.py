"""Rebuild the add-in from this folder: `python macros/build.py [OUTPUT.xlam]`.

The same as `ledger addin build -o OUTPUT.xlam`, for a source checkout where the
`ledger` console script is not installed.  The sources next to this file are:

* customUI14.xml   the ribbon (UTF-8; Chinese labels live here),
* LedgerRibbon.bas the VBA callback module (ASCII only: code page 1252),
* ledger.conf      the settings line `ledger addin install` writes for Excel.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbook_tools.cli import main  # noqa: E402

if __name__ == "__main__":
    main(["addin", "build", "-o", sys.argv[1] if len(sys.argv) > 1 else "ledger.xlam"])
