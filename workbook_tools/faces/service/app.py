"""The Starlette application of `ledger serve`: the page, `POST /api/<action>`, jobs, errors as one Chinese line.

A call answers at once (JSON, or the PDF for print/slip), or — with the request header
`Prefer: respond-async` — 202 with a job id whose progress and result are polled at
`GET /api/jobs/<id>`.  Every failure is `{"ok": false, "message": "<one Chinese line>"}` with a
4xx status (5xx only for an internal error), never a traceback: a malformed body, type or path is a 4xx.

`/wps/<key>/…` serves the WPS add-in (WPS's online add-in mode) when the service was started with the
add-in's key (`ledger serve --wps-key-file`, as the login launcher does); the add-in gets the token from
`POST /wps/<key>/session`, same origin, so no file anywhere holds it.
"""
from __future__ import annotations

import hmac
import json
import logging
from importlib import resources
from pathlib import Path
from urllib.parse import quote, urlencode

from python_multipart.exceptions import FormParserError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from workbook_tools import __version__
from workbook_tools.core.hints import page_hint
from workbook_tools.core.model import LedgerError
from workbook_tools.faces.service.actions import ACTIONS, UPLOADS, Call
from workbook_tools.faces.service.guard import Guard
from workbook_tools.faces.service.jobs import Job, Jobs, Reply
from workbook_tools.faces.service.scope import WRITES, PathRefused, Scope
from workbook_tools.tasks import Locked, os_reason
from workbook_tools.tasks.registry import ENTRIES
from workbook_tools.tasks.sheets import RollupRefused

MAX_BODY = 1 << 20            # a JSON call
MAX_UPLOAD = 64 << 20         # the scan files of one call, together
MAX_DEPTH = 20                # nesting of a JSON body (no action needs more than 2)
MAX_FILES, MAX_FIELDS = 2000, 50
CLIENT_HEADER = "x-ledger-client"   # the WPS add-in's session request carries it: a form of another page cannot
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
        reply = ACTIONS[action](call)
    except BaseException as exc:  # noqa: BLE001 - every failure becomes one Chinese line
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        reply = failure(exc)
    if isinstance(reply.body, dict):
        reply.body = hinted(reply.body)
    elif action == "check" and call.body.get("hints") is True:   # only asked for: the default is §6 byte for byte
        reply.body = hinted(json.loads(reply.body))
    return reply


def hinted(body: dict) -> dict:
    """The answer with `page_hint` beside every message that names a CLI command: on the answer itself and on
    each finding (in `findings`, `check.findings`, `scan.findings`).  Nothing else changes."""
    def add(item: dict) -> dict:
        hint = page_hint(item.get("message")) if isinstance(item.get("message"), str) else None
        return {**item, "page_hint": hint} if hint else item

    out = add(body)
    for holder in (out, out.get("check"), out.get("scan")):
        if isinstance(holder, dict) and isinstance(holder.get("findings"), list):
            holder["findings"] = [add(f) if isinstance(f, dict) else f for f in holder["findings"]]
    return out


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


def _depth(value, limit: int) -> int:
    """How deeply `value` nests (lists and objects), counted without recursion; stops past `limit`."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _has_nul(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _checked(body: dict) -> dict:
    if _depth(body, MAX_DEPTH) > MAX_DEPTH:
        raise LedgerError(f"请求内容嵌套过深（超过 {MAX_DEPTH} 层），已拒绝", 2)
    if _has_nul(body):
        raise LedgerError("请求中含有空字符（\\0），路径和文字都不能含有它，已拒绝", 2)
    return body


async def _form(request: Request):
    try:
        return await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS)
    except (MultiPartException, HTTPException, FormParserError, ValueError, KeyError) as exc:
        detail = str(getattr(exc, "detail", None) or getattr(exc, "message", None) or exc).lower()
        if "boundary" in detail:
            raise LedgerError("上传内容缺少 multipart 分隔符（boundary），无法读取：请用网页或 multipart/form-data 正常上传", 2) \
                from None
        if "too many files" in detail:
            raise LedgerError(f"一次最多上传 {MAX_FILES} 个文件，请分批上传", 2) from None
        if "too many fields" in detail:
            raise LedgerError(f"上传的表单字段过多（最多 {MAX_FIELDS} 个），已拒绝", 2) from None
        raise LedgerError("上传内容的格式不正确（multipart/form-data 无法解析），已拒绝", 2) from None


async def parse(request: Request, action: str) -> tuple[dict, list[tuple[str, bytes]]]:
    kind = request.headers.get("content-type", "")
    if action in UPLOADS and kind.lower().startswith("multipart/"):
        await read_body(request, MAX_UPLOAD)
        form = await _form(request)
        body = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        uploads = [(v.filename or "扫描文件.csv", await v.read()) for k, v in form.multi_items()
                   if not isinstance(v, str)]
        return _checked(body), uploads
    raw = await read_body(request, MAX_BODY)
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except RecursionError:
        raise LedgerError(f"请求内容嵌套过深（超过 {MAX_DEPTH} 层），已拒绝", 2) from None
    except (UnicodeDecodeError, ValueError):
        raise LedgerError("请求内容不是 JSON：请以 Content-Type: application/json 发送 {\"path\": …}", 2) from None
    if not isinstance(body, dict):
        raise LedgerError("请求内容应为 JSON 对象，如 {\"path\": \"台账.xlsx\"}", 2)
    return _checked(body), []


# The ribbon's buttons (tasks/registry.py) as GET /api/info lists them: what a page or add-in offers and calls.
BUTTONS = [{"tag": e.tag, "label": e.label, "group": e.group.value, "description": e.description,
            "command": e.command} for e in ENTRIES]


class Service:
    """State of one `ledger serve`: scope, jobs; `app()` is the ASGI application (wrapped by the guard)."""

    def __init__(self, scope: Scope, port: int, token: str, origins: tuple[str, ...] = (), wps_key: str | None = None):
        self.scope, self.port, self.token, self.origins, self.wps_key = scope, port, token, origins, wps_key
        self.jobs = Jobs()

    async def action(self, request: Request) -> Response:
        action = request.path_params["action"]
        if action not in ACTIONS:
            return refused(404, f"没有这个操作：{action}（可用：{'、'.join(ACTIONS)}）")
        try:
            body, uploads = await parse(request, action)
        except LedgerError as exc:
            return respond(failure(exc))
        call = Call(body=body, scope=self.scope.for_writing() if action in WRITES else self.scope, uploads=uploads)
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

    # --- the WPS add-in (online mode) -------------------------------------------------------------

    def _key_ok(self, request: Request) -> bool:
        given = request.path_params.get("key", "")
        return bool(self.wps_key) and hmac.compare_digest(given.encode(), (self.wps_key or "").encode())

    async def addin_file(self, request: Request) -> Response:
        from workbook_tools.dist.wps.online import files, media_type  # noqa: PLC0415 - lazy: only the WPS add-in's files need it

        name = request.path_params["name"] or "index.html"
        data = files().get(name) if self._key_ok(request) else None
        if data is None:
            return refused(404, f"没有这个地址：{request.url.path if self._key_ok(request) else '/wps/…'}")
        return Response(data, media_type=media_type(name))

    async def addin_session(self, request: Request) -> Response:
        """The token for the add-in page (same origin, with its key and the X-Ledger-Client header)."""
        if not self._key_ok(request):
            return refused(404, "没有这个地址：/wps/…")
        if request.headers.get(CLIENT_HEADER) != "wps":
            return refused(403, "缺少请求头 X-Ledger-Client，已拒绝")
        return JSONResponse({"ok": True, "token": self.token, "port": self.port,
                             "url": f"http://127.0.0.1:{self.port}/?token={self.token}",
                             "roots": [str(p) for p in (*self.scope.files, *self.scope.folders)]})

    async def addin_open(self, request: Request) -> Response:
        """The page in the browser for someone holding the add-in's key (`ledger wps open`, the fallback)."""
        if not self._key_ok(request):
            return refused(404, "没有这个地址：/wps/…")
        query = {"token": self.token}
        if request.query_params.get("path"):
            query["path"] = request.query_params["path"]
        return RedirectResponse("/?" + urlencode(query), status_code=303)

    def app(self):
        folder = resources.files("workbook_tools.faces.service") / "static"
        routes = [Route("/", self.page), Route("/api/info", self.info), Route("/api/ledgers", self.ledgers),
                  Route("/api/jobs/{job}", self.job), Route("/api/jobs/{job}/file", self.job_file),
                  Route("/api/{action}", self.action, methods=["POST"]),
                  Route("/wps/{key}/session", self.addin_session, methods=["POST"]),
                  Route("/wps/{key}/open", self.addin_open),
                  Route("/wps/{key}/{name:path}", self.addin_file),
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
