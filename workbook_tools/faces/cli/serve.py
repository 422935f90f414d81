"""`ledger serve` (LEDGER_SPEC §10): the actions as a local service on 127.0.0.1 and a page in the browser."""
from __future__ import annotations

import contextlib
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from workbook_tools.core.model import LedgerError
from workbook_tools.faces.cli.app import app


@app.command("serve", help="本机服务：在 127.0.0.1 上提供网页和接口（校验、半年更新、打印、统计、扫描核对……），"
                           "只能使用给出的台账或文件夹中的台账；第一行输出网页地址（含本次启动的访问令牌）。")
def serve_command(
    paths: Annotated[list[Path] | None, typer.Argument(help="台账（.xlsx）或存放台账的文件夹，可多个；默认当前文件夹",
                                                       show_default=False)] = None,
    port: Annotated[int, typer.Option("--port", help="端口（默认由系统分配一个空闲端口）")] = 0,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="不自动打开浏览器")] = False,
    allow_origin: Annotated[list[str] | None, typer.Option(
        "--allow-origin", help="另外允许跨域调用的网页来源（如 WPS 加载项的地址），可重复", show_default=False)] = None,
    info: Annotated[Path | None, typer.Option(
        "--info-file", help="写入地址与令牌的发现文件，须为 .json（默认：用户目录下 workbook_tools/serve.json）",
        show_default=False)] = None,
    wps_key_file: Annotated[Path | None, typer.Option(
        "--wps-key-file", help="WPS 加载项的密钥文件（ledger wps install 生成；给出时同时在 /wps/ 下提供加载项）",
        show_default=False)] = None,
) -> None:
    # Lazy and the one edge between faces: `ledger serve` is the command that starts the service (its
    # starlette/uvicorn stack is loaded only then; docs/ARCHITECTURE.md).
    from workbook_tools.faces.service.run import (  # noqa: PLC0415
        STOP_SIGNALS,
        Running,
        check_info_path,
        info_file,
        read_key,
    )

    if not 0 <= port <= 65535:
        raise LedgerError(f"--port {port} 不是有效端口（0–65535）", 2)
    target = check_info_path(info or info_file())
    key = read_key(wps_key_file) if wps_key_file else None
    running = Running(paths or [Path.cwd()], port, tuple(allow_origin or ()), key)
    server = running.server
    for sig in STOP_SIGNALS:   # until uvicorn takes over: a signal now still removes the discovery file
        signal.signal(sig, server._stop)
    running.write_info(target)
    try:
        print(running.url, flush=True)
        print(f"本机服务已启动（只接受本机访问）：{'、'.join(str(p) for p in (*running.scope.files, *running.scope.folders))}"
              + (f"\nWPS 加载项：{running.addin_url}" if key else "") + "\n按 Ctrl-C 停止。", file=sys.stderr, flush=True)
        if not no_browser and not server.should_exit:
            import webbrowser  # noqa: PLC0415 - lazy: `ledger --help` (docs/ARCHITECTURE.md)

            webbrowser.open(running.url)
        running.serve()
    finally:
        running.remove_info(target)
    how = {getattr(signal, "SIGINT", None): "（Ctrl-C）", getattr(signal, "SIGHUP", None): "（终端已关闭）",
           getattr(signal, "SIGTERM", None): "（收到停止信号）"}.get(server.stopped_by, "")
    with contextlib.suppress(OSError, ValueError):   # the terminal is gone (SIGHUP): nothing to tell
        print(f"本机服务已停止{how}。", file=sys.stderr, flush=True)
