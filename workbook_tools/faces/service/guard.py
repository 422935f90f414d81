"""Every request passes here first: Host (DNS rebinding), token (other programs and web pages), headers.

* `Host` must be `127.0.0.1:PORT` or `localhost:PORT`, else 421 — a page of another site that
  rebinds its name to 127.0.0.1 still sends its own name.
* `/api/*` needs the header `X-Ledger-Token` (401 without it, 403 when wrong).  A header, never a
  cookie: a form or image of another web page cannot set it, so no cross-site request can act.
* `Origin`: a request to `/api/*` or `/wps/*` that names an origin other than this service's own (or one
  given with --allow-origin) is refused with 403 before the token is looked at.  `null` (a local file,
  a sandboxed frame, a redirect) is never allowed: any HTML file the user opens from disk has it.
* CORS: only an origin given with --allow-origin gets a preflight answer; the page and the WPS add-in
  are served by the service itself (same origin) and need none.
* Responses carry a strict Content-Security-Policy (no inline script, nothing from elsewhere).
"""
from __future__ import annotations

import hmac
import json
import re

from workbook_tools.core.model import LedgerError

TOKEN_HEADER = "x-ledger-token"
ORIGIN_FORM = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$")
GUARDED = ("/api/", "/wps/")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "frame-src 'self' blob:; object-src 'self' blob:; connect-src 'self' blob:; base-uri 'none'; "
       "form-action 'none'; frame-ancestors 'none'")
HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
           (b"content-security-policy", CSP.encode()), (b"cache-control", b"no-store"),
           (b"x-frame-options", b"DENY")]
# The WPS add-in's pages: WPS may host a task pane in a frame of its own, so they may be framed (by nobody who
# lacks the key to their URL); everything else as above.
ADDIN_HEADERS = [(k, v) for k, v in HEADERS if k != b"x-frame-options" and k != b"content-security-policy"] + [
    (b"content-security-policy", CSP.replace("; frame-ancestors 'none'", "").encode())]
ALLOW_HEADERS = b"X-Ledger-Token, Content-Type, Prefer"


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


def _shown(origin: str | None) -> str:
    return (origin or "")[:80].encode("ascii", "replace").decode()


async def refuse(send, status: int, message: str, extra: list | None = None) -> None:
    body = json.dumps({"ok": False, "message": message}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"), *HEADERS, *(extra or [])]})
    await send({"type": "http.response.body", "body": body})


def check_origins(origins: tuple[str, ...]) -> tuple[str, ...]:
    """Origins given with --allow-origin: `scheme://host[:port]` only; `null` and `*` are refused."""
    for origin in origins:
        if not ORIGIN_FORM.match(origin):
            raise LedgerError(f"--allow-origin「{origin}」不是网页来源（应为 http://主机:端口；null 和 * 不允许："
                              "本地文件打开的任何网页的来源都是 null）", 2)
    return origins


class Guard:
    """ASGI middleware around the app: see the module doc."""

    def __init__(self, app, port: int, token: str, origins: tuple[str, ...] = ()):
        self.app, self.token = app, token
        self.hosts = {f"127.0.0.1:{port}", f"localhost:{port}"}
        self.own = {f"http://127.0.0.1:{port}", f"http://localhost:{port}"}
        self.extra = set(check_origins(origins))

    def origin_allowed(self, origin: str | None) -> bool:
        """Whether a request naming `origin` may act (no Origin header: not a cross-site browser request)."""
        return origin is None or origin in self.own or origin in self.extra

    def cors(self, origin: str | None) -> list:
        if origin is None or origin not in self.extra:
            return []
        return [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin"),
                (b"access-control-expose-headers", b"X-Ledger-Lines, Content-Disposition, Location")]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if (_header(scope, b"host") or "").lower() not in self.hosts:
            return await refuse(send, 421, "请求的主机名不是本机服务的地址（127.0.0.1 或 localhost 加端口），已拒绝")
        origin = _header(scope, b"origin")
        if scope["method"] == "OPTIONS":
            return await self.preflight(send, origin)
        extra = self.cors(origin)
        if scope["path"].startswith(GUARDED) and not self.origin_allowed(origin):
            return await refuse(send, 403, "请求来自别的网页（来源 " + _shown(origin) + "），已拒绝：只有本服务自己的网页和"
                                "加载项可以调用接口")
        if scope["path"].startswith("/api/"):
            given = _header(scope, TOKEN_HEADER.encode())
            if not given:
                return await refuse(send, 401, "缺少访问令牌（请求头 X-Ledger-Token），已拒绝", extra)
            if not hmac.compare_digest(given.encode(), self.token.encode()):
                return await refuse(send, 403, "访问令牌不正确，已拒绝（令牌在每次启动 ledger serve 时重新生成）", extra)

        added = ADDIN_HEADERS if scope["path"].startswith("/wps/") else HEADERS

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *added, *extra]}
            await send(message)

        return await self.app(scope, receive, send_with_headers)

    async def preflight(self, send, origin: str | None) -> None:
        if origin is None or origin not in self.extra:
            return await refuse(send, 403, "不允许该来源的跨域请求")
        await send({"type": "http.response.start", "status": 204, "headers": [
            *self.cors(origin), (b"access-control-allow-methods", b"GET, POST"),
            (b"access-control-allow-headers", ALLOW_HEADERS), (b"access-control-max-age", b"600")]})
        await send({"type": "http.response.body", "body": b""})
