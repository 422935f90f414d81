"""The Starlette application of `ledger serve`: the page, `POST /api/<action>`, jobs, errors as one Chinese line.

A call answers at once (JSON, or the PDF for print/slip), or — with the request header
`Prefer: respond-async` — 202 with a job id whose progress and result are polled at
`GET /api/jobs/<id>`.  Every failure is `{"ok": false, "message": "<one Chinese line>"}` with a
4xx status (5xx for an internal error), never a traceback.
"""
from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from workbook_tools import __version__
from workbook_tools.core.model import LedgerError
from workbook_tools.faces.service.actions import ACTIONS, UPLOADS, Call
from workbook_tools.faces.service.guard import Guard
from workbook_tools.faces.service.jobs import Job, Jobs, Reply
from workbook_tools.faces.service.scope import PathRefused, Scope
from workbook_tools.tasks import Locked, os_reason
from workbook_tools.tasks.registry import ENTRIES
from workbook_tools.tasks.sheets import RollupRefused

MAX_BODY = 1 << 20            # a JSON call
MAX_UPLOAD = 64 << 20         # the scan files of one call, together
log = logging.getLogger("workbook_tools.faces.service")


class TooLarge(LedgerError):
    def __init__(self, limit: int):
        super().__init__(f"上传的内容超过 {limit >> 20} MB 的上限，请分批上传", 2)


def failure(exc: BaseException) -> Reply:
    """The reply of a failed action: the library's Chinese line, with the status it deserves."""
    if isinstance(exc, RollupRefused):
        return Reply(409, {"ok": False, "message": exc.message, "exit_code": 1,
                           "findings": [f.as_json() for f in exc.findings]})
    if isinstance(exc, LedgerError):
        status = 413 if isinstance(exc, TooLarge) else 403 if isinstance(exc, PathRefused) else \
            423 if isinstance(exc, Locked) else 409 if exc.exit_code == 1 else 400
        return Reply(status, {"ok": False, "message": exc.message.replace("\n", "；"), "exit_code": exc.exit_code})
    if isinstance(exc, MemoryError):
        return Reply(500, {"ok": False, "message": "内存不足，无法完成；请关闭其他程序后再试"})
    if isinstance(exc, OSError):
        return Reply(500, {"ok": False, "message": os_reason(exc)})
    log.exception("internal error")
    return Reply(500, {"ok": False, "message": f"内部错误（{type(exc).__name__}），未完成；详情见 ledger serve 的窗口"})


def answer(action: str, call: Call) -> Reply:
    try:
        return ACTIONS[action](call)
    except BaseException as exc:  # noqa: BLE001 - every failure becomes one Chinese line
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return failure(exc)


def respond(reply: Reply) -> Response:
    if isinstance(reply.body, str):
        return Response(reply.body.encode(), status_code=reply.status, media_type="application/json; charset=utf-8")
    if reply.file and reply.status < 400:
        name = Path(reply.file).name
        return FileResponse(reply.file, media_type="application/pdf", headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}",
            "X-Ledger-Lines": quote(json.dumps(reply.lines, ensure_ascii=False))})
    return JSONResponse(reply.body, status_code=reply.status)


def refused(status: int, message: str) -> Response:
    return JSONResponse({"ok": False, "message": message}, status_code=status)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it grows past `limit` (a stated length too)."""
    stated = request.headers.get("content-length")
    if stated and stated.isdigit() and int(stated) > limit:
        raise TooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise TooLarge(limit)
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body   # later parsing (request.form) reads this copy, not the spent stream
    return body


async def parse(request: Request, action: str) -> tuple[dict, list[tuple[str, bytes]]]:
    kind = request.headers.get("content-type", "")
    if action in UPLOADS and kind.startswith("multipart/form-data"):
        await read_body(request, MAX_UPLOAD)
        form = await request.form(max_files=2000, max_fields=50)
        body = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        uploads = [(v.filename or "扫描文件.csv", await v.read()) for k, v in form.multi_items()
                   if not isinstance(v, str)]
        return body, uploads
    raw = await read_body(request, MAX_BODY)
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError):
        raise LedgerError("请求内容不是 JSON：请以 Content-Type: application/json 发送 {\"path\": …}", 2) from None
    if not isinstance(body, dict):
        raise LedgerError("请求内容应为 JSON 对象，如 {\"path\": \"台账.xlsx\"}", 2)
    return body, []


# The ribbon's buttons (tasks/registry.py) as GET /api/info lists them: what a page or add-in offers and calls.
BUTTONS = [{"tag": e.tag, "label": e.label, "group": e.group.value, "description": e.description,
            "command": e.command} for e in ENTRIES]


class Service:
    """State of one `ledger serve`: scope, jobs; `app()` is the ASGI application (wrapped by the guard)."""

    def __init__(self, scope: Scope, port: int, token: str, origins: tuple[str, ...] = ()):
        self.scope, self.port, self.token, self.origins = scope, port, token, origins
        self.jobs = Jobs()

    async def action(self, request: Request) -> Response:
        action = request.path_params["action"]
        if action not in ACTIONS:
            return refused(404, f"没有这个操作：{action}（可用：{'、'.join(ACTIONS)}）")
        try:
            body, uploads = await parse(request, action)
        except LedgerError as exc:
            return respond(failure(exc))
        call = Call(body=body, scope=self.scope, uploads=uploads)
        if "respond-async" in request.headers.get("prefer", ""):
            job = self.jobs.start(action, lambda j: answer(action, _with_progress(call, j)))
            return JSONResponse(job.view(), status_code=202, headers={"Location": f"/api/jobs/{job.id}"})
        return respond(await run_in_threadpool(answer, action, call))

    async def job(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["job"])
        if job is None:
            return refused(404, "没有这个任务（任务只保存在本次启动的服务中）")
        return JSONResponse(job.view())

    async def job_file(self, request: Request) -> Response:
        job = self.jobs.get(request.path_params["job"])
        if job is None or job.reply is None or not job.reply.file:
            return refused(404, "这个任务没有生成文件")
        if not Path(job.reply.file).is_file():
            return refused(410, "生成的文件已被移走或删除")
        return respond(Reply(200, {}, file=job.reply.file, lines=job.reply.lines))

    async def ledgers(self, request: Request) -> Response:
        listing = await run_in_threadpool(self.scope.listing)
        return JSONResponse({"ok": True, "ledgers": listing, "folders": [str(f) for f in self.scope.folders]})

    async def info(self, request: Request) -> Response:
        return JSONResponse({"ok": True, "service": "workbook_tools", "version": __version__, "port": self.port,
                             "actions": sorted(ACTIONS), "buttons": BUTTONS})

    async def page(self, request: Request) -> Response:
        return Response(static("index.html"), media_type="text/html; charset=utf-8")

    def app(self):
        folder = resources.files("workbook_tools.faces.service") / "static"
        routes = [Route("/", self.page), Route("/api/info", self.info), Route("/api/ledgers", self.ledgers),
                  Route("/api/jobs/{job}", self.job), Route("/api/jobs/{job}/file", self.job_file),
                  Route("/api/{action}", self.action, methods=["POST"]),
                  Mount("/static", StaticFiles(directory=str(folder)), name="static")]
        handlers = {404: _not_found, 405: _not_allowed}
        return Guard(Starlette(routes=routes, exception_handlers=handlers), self.port, self.token, self.origins)


async def _not_found(request: Request, exc: Exception) -> Response:
    return refused(404, f"没有这个地址：{request.url.path}")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return refused(405, "请用 POST 调用操作（GET 只用于 /api/info、/api/ledgers 和 /api/jobs/…）")


def _with_progress(call: Call, job: Job) -> Call:
    call.progress = job.progress
    return call


def static(name: str) -> bytes:
    return (resources.files("workbook_tools.faces.service") / "static" / name).read_bytes()
