"""Calc on a virtual X display (Xvfb) with the extension's 「正版化台账」 toolbar and menu, the findings list of
校验台账 open: a screenshot (docs/libreoffice.png is one of these)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from lokit import Office, missing, open_dir, unopkg_wrapper
from servekit import TODAY, demo, plant
from wpskit import Service

from workbook_tools.dist.lo import IDENTIFIER
from workbook_tools.dist.lo import install as lo_install

XVFB, IMPORT = shutil.which("Xvfb"), shutil.which("import")
REASON = missing() or (None if XVFB and IMPORT else "needs Xvfb and ImageMagick's import (scripts/system-deps.sh)")
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")
SCREEN = "1280x800x24"


@pytest.fixture
def display():
    """A fresh Xvfb; its display number read from -displayfd."""
    read, write = os.pipe()
    proc = subprocess.Popen([XVFB, "-displayfd", str(write), "-screen", "0", SCREEN, "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as fh:
        number = fh.readline().strip()
    assert number.isdigit(), "Xvfb did not start"
    yield f":{number}"
    proc.terminate()
    proc.wait(timeout=15)


def test_screenshot_of_calc_with_the_toolbar_and_the_findings_list(display, tmp_path):
    folder, state = tmp_path / "served", tmp_path / "state"
    folder.mkdir()
    ledger = demo(folder / "2026台账.xlsx")
    plant(ledger)
    service = Service(folder, None, env={"XDG_STATE_HOME": str(state)})
    profile = open_dir("lo-profile-")
    office = None
    try:
        lo_install.install(folder, unopkg=unopkg_wrapper(tmp_path), profile=profile, platform="linux",
                           env={"HOME": str(tmp_path / "home"), "PATH": os.environ.get("PATH", "")})
        office = Office(profile, {"XDG_STATE_HOME": str(state), "DISPLAY": display, "SAL_USE_VCLPLUGIN": "gen"},
                        headless=False)
        office.run({"do": "open", "path": str(ledger)})
        toolbars = office.run({"do": "toolbars", "path": str(ledger)})[0]
        assert [f"private:resource/toolbar/addon_{IDENTIFIER}.toolbar", True] in toolbars
        out = office.click(ledger, "check", Today=TODAY.isoformat(), Pick=0)
        assert out["outcome"]["ok"] and out["outcome"]["body"]["findings"]
        office.run({"do": "wait", "seconds": 2})
        shot = tmp_path / "libreoffice.png"
        subprocess.run([IMPORT, "-display", display, "-window", "root", str(shot)], check=True, timeout=60)
        colours = subprocess.run(["identify", "-format", "%k", str(shot)], capture_output=True, text=True, timeout=60)
        assert shot.stat().st_size > 20_000 and int(colours.stdout) > 50      # a drawn window, not a blank screen
    finally:
        if office is not None:
            office.stop()
        service.stop()
        shutil.rmtree(profile, ignore_errors=True)
