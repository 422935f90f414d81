"""Starting `ledger serve`: a socket on 127.0.0.1 only, a fresh token, the URL line, the browser, the discovery file.

The discovery file (`serve.json`: url, port, token, pid) lets a local client such as an office
add-in find the running service; it is readable by the user only and removed at exit.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import sys
import threading
from pathlib import Path

from workbook_tools.core.model import LedgerError
from workbook_tools.faces.service.scope import Scope

HOST = "127.0.0.1"
SCRIPT_PREFIX = "window.LEDGER_SERVE = "   # a `.js` discovery file (the WPS add-in loads it)


def info_file() -> Path:
    """Where the running service is described: %LOCALAPPDATA%\\workbook_tools, else ~/.local/state/workbook_tools."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "workbook_tools" / "serve.json"


def bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        raise LedgerError(f"端口 {port} 已被占用，请换一个端口（--port）或不指定端口", 2) from None
    sock.listen(64)
    return sock


class Running:
    """One service: its socket, token, URL and the uvicorn server that answers on it."""

    def __init__(self, roots: list[Path], port: int = 0, origins: tuple[str, ...] = ()):
        import uvicorn

        from workbook_tools.faces.service.app import Service

        self.scope = Scope(roots)
        self.sock = bind(port)
        self.port = self.sock.getsockname()[1]
        self.token = secrets.token_urlsafe(32)
        self.url = f"http://{HOST}:{self.port}/?token={self.token}"
        app = Service(self.scope, self.port, self.token, origins).app()
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)

    def write_info(self, path: Path) -> None:
        """The discovery file, readable by the user only: JSON, or for a `.js` path a script a local page
        (the WPS add-in) can load with a <script> tag, defining `window.LEDGER_SERVE` as that JSON."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"url": self.url, "port": self.port, "token": self.token, "pid": os.getpid(),
                "roots": [str(p) for p in (*self.scope.files, *self.scope.folders)]}
        text = json.dumps(data, ensure_ascii=False)
        if path.suffix.lower() == ".js":
            text = f"{SCRIPT_PREFIX}{text};\n"
        with contextlib.suppress(FileNotFoundError):
            path.unlink()   # created anew, so the mode below holds even if an older file was readable by others
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)

    def remove_info(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
            if json.loads(text.removeprefix(SCRIPT_PREFIX).rstrip().rstrip(";")).get("token") == self.token:
                path.unlink()
        except (OSError, ValueError):
            pass

    def serve(self) -> None:
        self.server.run(sockets=[self.sock])

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve, daemon=True, name="ledger-serve")
        thread.start()
        while not self.server.started and thread.is_alive():
            threading.Event().wait(0.02)
        return thread

    def stop(self, thread: threading.Thread | None = None) -> None:
        self.server.should_exit = True
        if thread is not None:
            thread.join(timeout=10)
        self.sock.close()
