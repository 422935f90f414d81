"""Helpers of the LibreOffice tests: a real soffice with the extension installed by `unopkg add`, driven over UNO
by tests/lo_uno.py in the system's python3 (python3-uno is built for it, not for the project's venv)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "tests" / "lo_uno.py"
SYSTEM_PYTHON = "/usr/bin/python3"
SOFFICE = shutil.which("soffice")
UNOPKG = shutil.which("unopkg")
START_SECONDS = 60        # soffice's first start on a fresh profile; a hang fails the test instead of the run


def has_uno() -> bool:
    if not Path(SYSTEM_PYTHON).is_file():
        return False
    done = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, timeout=30)
    return done.returncode == 0


def missing() -> str | None:
    """Why the real-LibreOffice tests cannot run here (None: they can)."""
    if SOFFICE is None or UNOPKG is None:
        return "needs LibreOffice (soffice, unopkg: scripts/system-deps.sh installs libreoffice-calc)"
    if not has_uno():
        return "needs python3-uno for /usr/bin/python3 (scripts/system-deps.sh)"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "as root, needs setpriv to run unopkg as another user (unopkg refuses per-user installs by root)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def open_dir(prefix: str) -> Path:
    """A folder under the system's temp folder that unopkg, run as another user when we are root, can write."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o777)
    return path


def unopkg_wrapper(folder: Path) -> Path:
    """The unopkg to give `ledger lo install --unopkg`: unopkg itself, or as root a script running it as nobody
    (unopkg refuses to install an extension for one user as root)."""
    if os.geteuid() != 0:
        return Path(UNOPKG)
    home = open_dir("lo-unopkg-home-")
    script = folder / "unopkg-as-nobody"
    script.write_text(f'#!/bin/sh\nexec env HOME={home} setpriv --reuid=65534 --regid=65534 --clear-groups '
                      f'{UNOPKG} "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return script


class Office:
    """soffice listening on a UNO socket, its own profile; stopped (the whole process group) at the end."""

    def __init__(self, profile: Path, env: dict, headless: bool = True):
        self.port = free_port()
        argv = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--norestore", "--nologo", "--nodefault",
                "--nofirststartwizard", f"--accept=socket,host=127.0.0.1,port={self.port};urp;"]
        if headless:
            argv[1:1] = ["--headless", "--invisible"]
        self.proc = subprocess.Popen(argv, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)

    def run(self, *steps: dict, timeout: float = 120) -> list:
        done = subprocess.run([SYSTEM_PYTHON, str(DRIVER), str(self.port), json.dumps(list(steps), ensure_ascii=False)],
                              capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, (f"driver exit {done.returncode}; soffice "
                                      f"{'running' if self.proc.poll() is None else f'ended ({self.proc.returncode})'}; "
                                      f"stdout {done.stdout[-500:]!r}; stderr {done.stderr[-3000:]}")
        return json.loads(done.stdout)

    def click(self, path: Path, tag: str, before: tuple[dict, ...] = (), **args) -> dict:
        """The button `tag` pressed through its dispatch URL, unattended (its questions answered yes), after the
        steps `before` (in the same driver run)."""
        return self.run(*before, {"do": "click", "path": str(path), "url": f"vnd.workbooktools.ledger:{tag}",
                                  "args": {"Unattended": True, **args}})[-1]

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=15)


def a1(cell: str) -> tuple[int, int]:
    """(column, row), both 0-based, of an A1 address."""
    letters = "".join(c for c in cell if c.isalpha())
    column = 0
    for c in letters.upper():
        column = column * 26 + ord(c) - 64
    return column - 1, int(cell[len(letters):]) - 1


def wait_for(predicate, seconds: float = START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
