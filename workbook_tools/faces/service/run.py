"""Starting `ledger serve`: a socket on 127.0.0.1 only, a fresh token, the URL line, the browser, the discovery file.

The discovery file (`serve.json`: url, port, token, pid) lets a local program find the running
service; it is JSON (never a script a page could include), readable by the user only, kept outside
anything the service or the WPS add-in serves, and removed at exit — also on SIGTERM and SIGHUP.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import sys
import threading
from pathlib import Path

from workbook_tools.core.model import LedgerError
from workbook_tools.dist.wps import KEY_FORM
from workbook_tools.faces.service.guard import check_origins
from workbook_tools.faces.service.scope import Scope

HOST = "127.0.0.1"
INFO_SUFFIX = ".json"        # the only form of a discovery file: a page can neither run nor read it
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK")
                     if hasattr(signal, name))


def info_file() -> Path:
    """Where the running service is described: %LOCALAPPDATA%\\workbook_tools, else ~/.local/state/workbook_tools."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "workbook_tools" / "serve.json"


def check_info_path(path: Path) -> Path:
    """A discovery file must be `.json`: a `.js`/`.html` file could be included or opened by any local page."""
    if path.suffix.lower() != INFO_SUFFIX:
        raise LedgerError(f"发现文件 {path.name} 必须以 .json 结尾：写成脚本或网页的令牌文件能被本机任何网页读到", 2)
    return path


def bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if sys.platform == "win32":   # Windows' SO_REUSEADDR would let another program take the port: exclusive use
        sock.setsockopt(socket.SOL_SOCKET, getattr(socket, "SO_EXCLUSIVEADDRUSE", -5), 1)
    else:                         # a restart on the same --port while old connections sit in TIME_WAIT
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        raise LedgerError(f"端口 {port} 已被占用，请换一个端口（--port）或不指定端口", 2) from None
    sock.listen(64)
    return sock


def read_key(path: Path) -> str:
    """The WPS add-in's key (written by `ledger wps install`, readable by the user only): the folder of its URL."""
    try:
        key = path.read_text(encoding="utf-8").strip()
    except OSError:
        raise LedgerError(f"无法读取 WPS 加载项的密钥文件 {path}：请重新执行 ledger wps install", 2) from None
    if not KEY_FORM.fullmatch(key):
        raise LedgerError(f"WPS 加载项的密钥文件 {path} 内容不正确：请重新执行 ledger wps install", 2)
    return key


def _server_class():
    import uvicorn  # noqa: PLC0415 - lazy: only when the service starts

    class Server(uvicorn.Server):
        """uvicorn's server, stopped cleanly by Ctrl-C, SIGTERM, SIGHUP (a closed terminal) and Ctrl-Break.

        uvicorn re-raises a captured signal after its shutdown, which would kill the process before the
        discovery file is removed (SIGTERM) or turn a normal stop into an interruption (SIGINT).  Here the
        signal only asks the server to stop, and which one it was is kept in `stopped_by`."""

        stopped_by: int | None = None

        @contextlib.contextmanager
        def capture_signals(self):
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            previous = {sig: signal.signal(sig, self._stop) for sig in STOP_SIGNALS}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

        def _stop(self, sig, frame):
            if self.stopped_by is None:
                self.stopped_by = sig
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            self.should_exit = True

    return Server


class Running:
    """One service: its socket, token, URL and the uvicorn server that answers on it."""

    def __init__(self, roots: list[Path], port: int = 0, origins: tuple[str, ...] = (), wps_key: str | None = None):
        import uvicorn  # noqa: PLC0415 - lazy: only when the service starts

        from workbook_tools.faces.service.app import Service  # noqa: PLC0415 - lazy: only when the service starts

        self.scope = Scope(roots)
        check_origins(origins)
        self.sock = bind(port)
        self.port = self.sock.getsockname()[1]
        self.token = secrets.token_urlsafe(32)
        self.url = f"http://{HOST}:{self.port}/?token={self.token}"
        self.wps_key = wps_key
        app = Service(self.scope, self.port, self.token, origins, wps_key).app()
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2)
        self.server = _server_class()(config)

    @property
    def addin_url(self) -> str | None:
        """The WPS add-in's URL (WPS's online add-in mode), when the service was started with its key."""
        return f"http://{HOST}:{self.port}/wps/{self.wps_key}/" if self.wps_key else None

    def write_info(self, path: Path) -> None:
        """The discovery file: JSON, readable by the user only."""
        check_info_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"url": self.url, "port": self.port, "token": self.token, "pid": os.getpid(),
                "roots": [str(p) for p in (*self.scope.files, *self.scope.folders)]}
        text = json.dumps(data, ensure_ascii=False)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()   # created anew, so the mode below holds even if an older file was readable by others
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)

    def remove_info(self, path: Path) -> None:
        try:
            text = path.read_text(encoding="utf-8")
            if json.loads(text).get("token") == self.token:
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
