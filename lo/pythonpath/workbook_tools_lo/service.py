"""The extension's link to `ledger serve`: the discovery file, calls, jobs (standard library only).

Runs in LibreOffice's own Python (Debian: the system python3 through python3-uno; Windows: the Python
that LibreOffice ships), which cannot import workbook_tools; so nothing here imports it.  Written for
Python 3.8 and later.

The service describes itself in `serve.json` in the user's state folder (readable by the user only):
`%LOCALAPPDATA%\\workbook_tools\\serve.json` on Windows, `$XDG_STATE_HOME/workbook_tools/serve.json`
(default `~/.local/state/...`) elsewhere.  It is read with Python's file API: no web page is involved.
"""
from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request

NOT_RUNNING = "本机服务未运行：请运行 ledger serve 或重新登录"
POLL_SECONDS = 0.3
TIMEOUT = 30          # seconds for one request; a long job is polled, never waited for in one request
LONGEST = 3600        # a job still running after this is given up (the service keeps running it)


class Refusal(Exception):
    """A one-line Chinese reason the button does nothing (shown to the user as it is)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def info_path(environ=None, platform: str = sys.platform) -> str:
    """The discovery file of `ledger serve` (the same rule as workbook_tools.faces.service.run.info_file)."""
    env = os.environ if environ is None else environ
    if platform == "win32" and env.get("LOCALAPPDATA"):
        base = env["LOCALAPPDATA"]
    else:
        base = env.get("XDG_STATE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "workbook_tools", "serve.json")


def read_info(path: str):
    try:
        with open(path, encoding="utf-8") as fh:
            info = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or not isinstance(info.get("port"), int) or not info.get("token"):
        return None
    return info


class Answer:
    """What the service answered: HTTP status and JSON body."""

    def __init__(self, status: int, body: dict):
        self.status = status
        self.body = body

    @property
    def ok(self) -> bool:
        return self.status < 400 and self.body.get("ok") is not False


class Service:
    """The running service found through its discovery file."""

    def __init__(self, info: dict):
        self.info = info
        self.port = int(info["port"])
        self.token = str(info["token"])
        self.roots = [str(r) for r in info.get("roots") or []]
        self.base = "http://127.0.0.1:%d" % self.port

    def send(self, method: str, path: str, body=None) -> Answer:
        headers = {"X-Ledger-Token": self.token}
        data = None
        if body is not None:
            headers.update({"Content-Type": "application/json", "Prefer": "respond-async"})
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # never through a proxy
        try:
            with opener.open(request, timeout=TIMEOUT) as response:
                return Answer(response.status, _json(response.read(), response.headers.get("Content-Type", "")))
        except urllib.error.HTTPError as error:
            return Answer(error.code, _json(error.read(), error.headers.get("Content-Type", "")))
        except (OSError, ValueError):
            raise Refusal("与本机服务的连接中断（ledger serve 是否已停止？）：" + NOT_RUNNING) from None

    def alive(self) -> bool:
        try:
            return self.send("GET", "/api/info").status == 200
        except Refusal:
            return False

    def call(self, action: str, body: dict, progress=None) -> Answer:
        """POST /api/<action> as a job, polled to its end: what the synchronous call would answer."""
        answer = self.send("POST", "/api/" + action, body)
        if answer.status != 202:
            return answer
        started = time.monotonic()
        while time.monotonic() - started < LONGEST:
            job = self.send("GET", "/api/jobs/%s" % answer.body.get("job")).body
            if job.get("state") != "running":
                return Answer(int(job.get("status") or 500), job.get("result") or job)
            if progress is not None:
                progress(job.get("step") or "", int(job.get("done") or 0), int(job.get("total") or 0))
            time.sleep(POLL_SECONDS)
        raise Refusal("本机服务长时间没有完成，请稍后查看台账或重新执行")

    def in_scope(self, path: str) -> bool:
        """Whether `path` lies in a folder the service opened (a first check before the document is closed;
        the service checks again, resolving links).  Windows paths compare without case."""
        def norm(p: str) -> str:
            text = str(p).replace("\\", "/").rstrip("/")
            return text.lower() if len(text) > 1 and text[1] == ":" else text

        target = norm(path)
        return not self.roots or any(target == norm(r) or target.startswith(norm(r) + "/") for r in self.roots)

    def explain(self, answer: Answer) -> str:
        message = answer.body.get("message") or ("本机服务返回错误 %d" % answer.status)
        if answer.status == 403 and self.roots:
            message += "\n本机服务打开的文件夹：" + "、".join(self.roots) + "（安装时用 ledger lo install --folder 指定）"
        return message


def _json(data: bytes, content_type: str) -> dict:
    if "json" not in content_type:
        return {}
    value = json.loads(data.decode("utf-8"))
    return value if isinstance(value, dict) else {}


def connect(environ=None) -> Service:
    """The running service: its discovery file, checked by a call with its token."""
    info = read_info(info_path(environ))
    if info is not None:
        service = Service(info)
        if service.alive():
            return service
    raise Refusal(NOT_RUNNING)
