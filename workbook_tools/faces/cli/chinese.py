"""The command line in Chinese: help pages, command summaries and usage errors.

Typer/Click write their own words ("Usage:", "Options", "Show this message and exit.", "Invalid
value for '--reason'") in English.  Every command of `ledger` uses the classes below: a help
formatter that writes the fixed words in Chinese, and summaries taken from the first clause of each
command's help so that `ledger --help` never shows a cut-off "...".  Usage errors are turned into
one Chinese line by `usage_message` (called by cli.main).
"""
from __future__ import annotations

import difflib
import inspect
import re
import sys
import typing
import unicodedata
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

# The exceptions of the click that typer runs on: older typer releases use click itself, newer ones a copy
# inside typer (typer._click, a private module, whose classes are not click's).  Taken from the module of the public
# `typer.BadParameter`, so no private module is imported by name and both kinds of typer work.
if TYPE_CHECKING:   # for mypy, click's own classes stand for both kinds
    from click import exceptions as click_errors
else:
    click_errors = sys.modules[typer.BadParameter.__module__]

HELP_OPTION = "显示本帮助并退出"
SECTIONS = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}
WORDS = (
    (re.compile(r"Show this message and exit\.?"), HELP_OPTION),
    (re.compile(r"\[default: \(([^)\]]*)\)\]"), r"[默认：\1]"),   # a show_default text, which typer wraps in ()
    (re.compile(r"\[default: ([^\]]*)\]"), r"[默认：\1]"),
    (re.compile(r"\[required\]"), "[必填]"),
    (re.compile(r"\[env var: ([^\]]*)\]"), r"[环境变量：\1]"),
    (re.compile(r"\bINTEGER\b"), "整数"),
    (re.compile(r"\bFLOAT\b"), "数字"),
    (re.compile(r"\bTEXT\b"), "文本"),
    (re.compile(r"\bPATH\b"), "路径"),
    (re.compile(r"<list\[(\w+)\]>"), lambda m: f"<{m.group(1).lower()}>"),  # a repeatable option: as one value
    (re.compile(r"<str>"), "<文本>"),
    (re.compile(r"<int>"), "<整数>"),
    (re.compile(r"<float>"), "<数字>"),
    (re.compile(r"<path>"), "<路径>"),
    (re.compile(r"\[OPTIONS\]"), "[选项]"),
    (re.compile(r"COMMAND \[ARGS\]\.\.\."), "命令 [参数]..."),
)
# Arguments by their Chinese names in usage lines and the 参数 section ("{path}" is typer's own form).
ARGUMENTS = {"path": "台账", "paths": "台账", "form": "表单", "computer": "计算机编号", "software": "软件编号",
             "scan_files": "扫描文件"}
ARGUMENT = re.compile(r"(?<![\w-])[{\[]?(" + "|".join(ARGUMENTS) + r")[}\]]?(?=\.\.\.| |$)")
SUMMARY_END = re.compile(r"[。；]")
SUMMARY_MAX = 48


def chinese(text: str) -> str:
    for pattern, replacement in WORDS:
        text = pattern.sub(replacement, text)
    return text


def summary(help_text: str | None) -> str | None:
    """A command's summary in `ledger --help`: its help up to the first 。 or ；, or its head clause."""
    if not help_text:
        return None
    first = SUMMARY_END.split(help_text.strip(), 1)[0]
    if len(first) > SUMMARY_MAX and "：" in first:
        first = first.split("：", 1)[0]
    return first


def _arguments(text: str) -> str:
    """`{path}` / `[paths]` / a 参数 row's leading `path` → the argument's Chinese name, keeping [] of optional ones."""
    def name(m: re.Match) -> str:
        label = ARGUMENTS[m.group(1)]
        return f"[{label}]" if m.group(0).startswith("[") else label
    return ARGUMENT.sub(name, text)


_Context = TyperCommand.context_class
_Formatter = _Context.formatter_class
_FORMATTING: Any = inspect.getmodule(_Formatter.write_dl)  # click's formatting module, whose term_len aligns columns


class ChineseFormatter(_Formatter):  # type: ignore[misc, valid-type]
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, _arguments(chinese(args)), "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{SECTIONS.get(heading, heading)}：\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        from rich.cells import cell_len  # noqa: PLC0415 - only help pages need it

        rows = [(_arguments(chinese(a)), chinese(b)) for a, b in rows]
        # Click aligns the second column by len(); a Chinese character takes two columns of a terminal.
        narrow, _FORMATTING.term_len = _FORMATTING.term_len, cell_len
        try:
            super().write_dl(rows, col_max, col_spacing)
        finally:
            _FORMATTING.term_len = narrow


class ChineseContext(_Context):  # type: ignore[misc, valid-type]
    formatter_class = ChineseFormatter


class LedgerCommand(TyperCommand):
    context_class = ChineseContext


class ChineseUsageError(click_errors.UsageError):
    """A usage error whose message is already the Chinese line."""


def near_commands(name: str, commands: list[str]) -> list[str]:
    """The commands a mistyped name most likely meant (case and width do not matter)."""
    key = unicodedata.normalize("NFKC", name).casefold()
    exact = [c for c in commands if c.casefold() == key]
    return exact or difflib.get_close_matches(key, commands, n=3, cutoff=0.6)


class LedgerGroup(TyperGroup):
    context_class = ChineseContext

    def resolve_command(self, ctx, args):
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            near = near_commands(name, self.list_commands(ctx))
            raise ChineseUsageError(f"没有命令「{name}」" + (f"，是否指 {'、'.join(near)}？" if near else ""), ctx)
        return super().resolve_command(ctx, args)


class LedgerTyper(typer.Typer):
    """typer.Typer whose commands speak Chinese (see the module doc)."""

    def __init__(self, **kwargs: typing.Any):
        super().__init__(cls=LedgerGroup, **kwargs)

    def command(self, name: str | None = None, *, help: str | None = None, short_help: str | None = None,
                **kwargs: typing.Any):
        kwargs.setdefault("cls", LedgerCommand)
        return super().command(name, help=help, short_help=short_help or summary(help), **kwargs)


# --- usage errors --------------------------------------------------------------------------------

def _hint(param: object) -> str:
    opts = getattr(param, "opts", None) or []
    if getattr(param, "param_type_name", "") == "argument":
        return f"参数「{getattr(param, 'help', None) or getattr(param, 'name', '')}」"
    return "/".join(opts) or str(getattr(param, "name", ""))


def _annotation(param: object) -> object:
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return args[0] if len(args) == 1 and typing.get_origin(annotation) is not list else annotation


def _expected(param: object) -> str:
    annotation = _annotation(param)
    choices = getattr(getattr(param, "type", None), "choices", None)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = [str(e.value) for e in annotation]
    if choices:
        return f"只能是：{'、'.join(map(str, choices))}"
    name = getattr(annotation, "__name__", "") or getattr(getattr(param, "type", None), "name", "")
    return {"int": "应为整数", "integer": "应为整数", "float": "应为数字", "Path": "应为文件或文件夹路径",
            "path": "应为文件或文件夹路径", "bool": "应为是/否"}.get(name, "取值不正确")


def _given(args: list[str], param: object) -> str | None:
    """The value the user wrote for an option, read back from the command line."""
    opts = getattr(param, "opts", None) or []
    for i, arg in enumerate(args):
        for opt in opts:
            if arg == opt and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(opt + "="):
                return arg[len(opt) + 1:]
    return None


def _bad_parameter(exc: click_errors.BadParameter, args: list[str]) -> str:
    param = exc.param
    if param is None:
        return "参数取值不正确"
    given = _given(args, param)
    value = f"「{given}」" if given is not None else ""
    return f"{_hint(param)} 的值{value}无效：{_expected(param)}"


def _missing(exc: click_errors.MissingParameter) -> str:
    param = exc.param
    if param is None:
        return "缺少必填的参数"
    if getattr(param, "param_type_name", "") == "argument":
        return f"缺少{_hint(param)}"
    help_text = getattr(param, "help", None)
    return f"缺少必填选项 {_hint(param)}" + (f"（{help_text}）" if help_text else "")


GENERIC = (
    (re.compile(r"No such command '?(.+?)'?\.?$"), "没有命令「{0}」"),
    (re.compile(r"Got unexpected extra argument(?:\(s\)|s)? \((.*)\)"), "多余的参数：{0}"),
    (re.compile(r"Missing command"), "缺少命令"),
    (re.compile(r"Option '?(\S+?)'? requires an argument"), "选项 {0} 后面须写一个值"),
    (re.compile(r"Option '?(\S+?)'? does not take a value"), "选项 {0} 不带值"),
    (re.compile(r"Option '?(\S+?)'? requires (\d+) arguments"), "选项 {0} 后面须写 {1} 个值"),
)


def _generic(message: str) -> str:
    for pattern, text in GENERIC:
        m = pattern.search(message)
        if m:
            return text.format(*m.groups())
    return f"命令行用法不正确：{message}"


def usage_message(exc: click_errors.UsageError, args: list[str], root: object = None) -> str:
    """One Chinese line for a usage error, with where to read the command's help."""
    if isinstance(exc, click_errors.MissingParameter):
        text = _missing(exc)
    elif isinstance(exc, click_errors.BadParameter):
        text = _bad_parameter(exc, args)
    elif isinstance(exc, click_errors.NoSuchOption):
        near = "、".join(sorted(exc.possibilities or ()))
        text = f"没有选项 {exc.option_name}" + (f"（是否要用 {near}？）" if near else "")
    elif isinstance(exc, ChineseUsageError):
        text = exc.message
    else:
        text = _generic(exc.message)
    command = exc.ctx.command_path if exc.ctx is not None else command_path(root, args)
    return f"{text}（{command} --help 查看用法）"


def command_path(root: object, args: list[str]) -> str:
    """`ledger check` for an error the parser raised without its command (an option missing its value)."""
    path, command = ["ledger"], root
    for arg in args:
        if arg.startswith("-"):
            continue
        sub = getattr(command, "commands", {}).get(arg)
        if sub is None:
            break
        path.append(arg)
        command = sub
    return " ".join(path)


def file_message(exc: click_errors.FileError) -> str:
    return f"无法打开文件 {Path(exc.filename).name}"
