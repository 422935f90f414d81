"""Command-line usage errors (typer's bundled click) as one Chinese line: its own texts are English."""
from __future__ import annotations

import re


def click_exceptions():
    """The click exceptions module: bundled inside newer typer releases, the click package before."""
    try:
        from typer._click import exceptions  # noqa: PLC0415
    except ImportError:
        from click import exceptions  # noqa: PLC0415
    return exceptions

_COMMAND = re.compile(r"No such command '(.+)'")
_EXTRA = re.compile(r"unexpected extra arguments?(?:\(s\))? \((.+)\)")


def _hint(exc) -> str:
    param = getattr(exc, "param", None)
    if getattr(exc, "param_hint", None):
        hint = exc.param_hint
        return " / ".join(hint) if isinstance(hint, (list, tuple)) else str(hint)
    if param is None:
        return ""
    return " / ".join(param.opts) if getattr(param, "param_type_name", "") == "option" else (param.name or "")


_KINDS = (("int", "整数"), ("float", "数字"), ("bool", "是或否"), ("date", "日期"), ("path", "路径"))


def _expected(exc) -> str:
    """What the value should have been: from pydantic's reason (newer typer) or the click type (older)."""
    cause = exc.__cause__
    errors = cause.errors() if hasattr(cause, "errors") else []
    if errors:
        kind, context = errors[0].get("type", ""), errors[0].get("ctx") or {}
        choices = re.search(r"is not one of (.+)\.", str(context.get("error", ""))) or \
            re.search(r"(.+)", str(context.get("expected", ""))) if (context.get("error") or context.get("expected")) else None
        if choices:
            return "，应为 " + "、".join(re.findall(r"'([^']*)'", choices[1])) + " 之一"
    else:
        param_type = getattr(getattr(exc, "param", None), "type", None)
        if getattr(param_type, "choices", None):
            return "，应为 " + "、".join(map(str, param_type.choices)) + " 之一"
        kind = type(param_type).__name__.lower()
    return next((f"，应为{text}" for key, text in _KINDS if key in kind), "")


def _message(exc) -> str:
    e = click_exceptions()
    hint = _hint(exc)
    if isinstance(exc, e.MissingParameter):
        what = "选项" if hint.startswith("-") else "参数"
        return f"缺少{what} {hint}".rstrip()
    if isinstance(exc, e.NoSuchOption):
        maybe = f"（是否想用 {'、'.join(sorted(exc.possibilities))}？）" if exc.possibilities else ""
        return f"没有选项 {exc.option_name}{maybe}"
    if isinstance(exc, e.BadOptionUsage):
        return f"选项 {exc.option_name} 的用法不对（是否缺少它的值？）"
    if isinstance(exc, e.BadParameter):
        return f"{hint or '参数'} 的值无效{_expected(exc)}"
    text = str(getattr(exc, "message", exc))
    if found := _COMMAND.search(text):
        return f"没有命令「{found[1]}」"
    if found := _EXTRA.search(text):
        return f"多余的参数：{found[1]}"
    return "命令行的用法不对"


def usage_message(exc) -> str:
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "ledger"
    return f"{_message(exc)}（用 {where} --help 查看用法）"
