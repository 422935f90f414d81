"""The software recognition library (LEDGER_SPEC §9a): plain CSV data shipped in the package.

`library/products.csv` — one row per pattern: 产品 (the key), 匹配字段 (DisplayName / Publisher / 包名),
匹配方式 (等于 / 前缀 / 正则), 匹配内容, 版本取值 (empty: DisplayVersion; `-`: not compared; else a
regex whose first group, searched in DisplayName, is the version), then the product's 中文名, 厂商,
软件类别, 产地, 许可模式 (商业 / 免费 / 个人免费（单位使用需授权）), 与工作无关, 忽略 (是 / empty), 备注.
`library/activators.csv` — activator and crack tools: 工具, 类型 (名称 / 服务 / 计划任务 / 文件), 匹配内容.

A file `软件识别库.csv` beside the ledger, in the same columns as products.csv, adds entries that win
over the shipped ones.  All patterns of a field are compiled into one RE2 set: one pass per distinct
name finds every pattern that matches, in time linear in the name; the lowest row wins (the file's
order is its priority; the user's rows come first).  DisplayName patterns are tried before 包名,
then Publisher; for a Linux entry its package name (包名) is tried first.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import re2
from pydantic import BaseModel, ConfigDict

from workbook_tools.core import schema

HERE = Path(__file__).parent / "library"
USER_FILE = "软件识别库.csv"
BY_NAME, BY_PUBLISHER, BY_PACKAGE = "DisplayName", "Publisher", "包名"
FIELDS = (BY_NAME, BY_PACKAGE, BY_PUBLISHER)     # the order hits are looked for
EQUALS, PREFIX, REGEX = "等于", "前缀", "正则"
COMMERCIAL, FREE, PERSONAL = "商业", "免费", "个人免费（单位使用需授权）"
LICENCES = (COMMERCIAL, FREE, PERSONAL)
_LICENCE_BY_FOLD = {unicodedata.normalize("NFKC", v): v for v in LICENCES}
NO_VERSION = "-"
HEADERS = ("产品", "匹配字段", "匹配方式", "匹配内容", "版本取值", "中文名", "厂商", "软件类别", "产地", "许可模式",
           "与工作无关", "忽略", "备注")
TRACE_KINDS = ("名称", "服务", "计划任务", "文件")
_SPACE = re.compile(r"\s+")


def fold(value: object) -> str:
    """NFKC, whitespace collapsed, trimmed: the text patterns see."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


class Product(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    key: str
    name: str                 # 中文名
    vendor: str = ""
    category: str = ""
    origin: str = ""
    licence: str = ""
    irrelevant: bool = False
    ignore: bool = False
    version_rule: str = ""    # "", "-" or a regex
    note: str = ""
    version_regex: Any = None

    def version(self, name: str, display_version: object) -> str | None:
        """The version this entry is compared by (None: not compared)."""
        if self.version_rule == NO_VERSION:
            return None
        if self.version_regex is not None:
            hit = self.version_regex.search(fold(name))
            if hit:
                return hit.group(1) if hit.re.groups else hit.group(0)
        text = fold(display_version)
        return text or None


class LibraryProblem(NamedTuple):
    file: str
    line: int
    message: str


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    return options


def _pattern(mode: str, text: str) -> str:
    from workbook_tools.scan.rules import unicode_words  # noqa: PLC0415 - rules imports this module's users

    if mode == EQUALS:
        return f"^{re2.escape(text)}$"
    if mode == PREFIX:
        return f"^{re2.escape(text)}"
    return unicode_words(text)


class _FieldSet:
    """One RE2 set over every pattern of one field; index -> product key."""

    def __init__(self) -> None:
        self.set = re2.Set.SearchSet(_options())
        self.keys: list[str] = []

    def add(self, pattern: str, key: str) -> None:
        self.set.Add(pattern)
        self.keys.append(key)

    def compile(self) -> None:
        if self.keys:
            self.set.Compile()

    def first(self, text: str) -> str | None:
        if not self.keys or not text:
            return None
        hits = self.set.Match(text)
        return self.keys[min(hits)] if hits else None


class Activator(NamedTuple):
    tool: str
    kind: str       # 名称 / 服务 / 计划任务 / 文件
    text: str


def _bounded(text: str) -> str:
    """A name searched anywhere, but not inside a longer Latin word (AAct is not in 'Blackboard Aaction')."""
    escaped = re2.escape(text)
    left = r"(?:^|[^A-Za-z])" if text[:1].isascii() and text[:1].isalpha() else ""
    right = r"(?:$|[^A-Za-z])" if text[-1:].isascii() and text[-1:].isalpha() else ""
    return left + escaped + right


class Library:
    """The compiled library: products, the three pattern sets, and the activator list."""

    def __init__(self, rows: Iterable[tuple[str, int, dict]], activators: list[Activator]):
        self.products: dict[str, Product] = {}
        self.problems: list[LibraryProblem] = []
        self.sets = {f: _FieldSet() for f in FIELDS}
        for label, line, row in rows:
            try:
                self._add(row)
            except ValueError as exc:
                self.problems.append(LibraryProblem(label, line, str(exc)))
        for s in self.sets.values():
            s.compile()
        self.activators = activators
        self._tools = _FieldSet()
        for a in activators:
            if a.kind != "文件":
                self._tools.add(_bounded(fold(a.text)), a.tool)
        self._tools.compile()
        self._names = {_name_key(p.key): p.key for p in self.products.values()}
        self._names.update({_name_key(p.name): p.key for p in self.products.values() if p.name})

    def _add(self, row: dict) -> None:
        key = fold(row.get("产品"))
        text = fold(row.get("匹配内容"))
        if not key or not text:
            raise ValueError("「产品」与「匹配内容」都要填写")
        field = fold(row.get("匹配字段")) or BY_NAME
        mode = fold(row.get("匹配方式")) or EQUALS
        if field not in FIELDS:
            raise ValueError(f"「匹配字段」应为 {'、'.join(FIELDS)}，现为「{field}」")
        if mode not in (EQUALS, PREFIX, REGEX):
            raise ValueError(f"「匹配方式」应为 等于、前缀 或 正则，现为「{mode}」")
        licence = _LICENCE_BY_FOLD.get(fold(row.get("许可模式")), fold(row.get("许可模式")))
        if licence and licence not in LICENCES:
            raise ValueError(f"「许可模式」应为 {'、'.join(LICENCES)}，现为「{licence}」")
        pattern = _pattern(mode, text)
        try:
            re2.compile(pattern, _options())
        except re2.error:
            raise ValueError(f"正则表达式「{text}」无效或使用了 RE2 不支持的写法") from None
        if key not in self.products:
            self.products[key] = _product(key, row, licence)
        self.sets[field].add(pattern, key)

    # --- lookups -----------------------------------------------------------------------
    def classify(self, name: object, publisher: object = None, package: object = None) -> Product | None:
        """The product of one entry, or None when the library does not know it.  A Linux package name is the
        steadier name (the desktop entry's title is often just "WPS Office"), so it is tried first."""
        order = ((BY_PACKAGE, package), (BY_NAME, name), (BY_PUBLISHER, publisher)) if fold(package) else \
            ((BY_NAME, name), (BY_PUBLISHER, publisher))
        for field, text in order:
            key = self.sets[field].first(fold(text))
            if key is not None:
                return self.products[key]
        return None

    def tool(self, text: object) -> str | None:
        """The activator/crack tool a name, service or task name belongs to, else None."""
        return self._tools.first(fold(text))

    def product_named(self, name: object) -> Product | None:
        """The product a 附件6/附件7 软件名称 stands for: its key or 中文名, else its patterns."""
        key = self._names.get(_name_key(name))
        if key is not None:
            return self.products[key]
        hit = self.classify(name)
        return hit if hit is not None and not hit.ignore else None


def _name_key(value: object) -> str:
    return fold(value).replace(" ", "").casefold()


def _product(key: str, row: dict, licence: str) -> Product:
    rule = fold(row.get("版本取值"))
    regex = None
    if rule and rule != NO_VERSION:
        try:
            regex = re2.compile(rule, _options())
        except re2.error:
            raise ValueError(f"「版本取值」的正则表达式「{rule}」无效") from None
    category = fold(row.get("软件类别"))
    return Product(key=key, name=str(row.get("中文名") or "").strip() or key, vendor=fold(row.get("厂商")),
                   category=category if category in schema.SOFTWARE_CATEGORIES else "",
                   origin=fold(row.get("产地")), licence=licence, irrelevant=fold(row.get("与工作无关")) == "是",
                   ignore=fold(row.get("忽略")) == "是", version_rule=rule, note=str(row.get("备注") or "").strip(),
                   version_regex=regex)


def read_rows(text: str, label: str) -> list[tuple[str, int, dict]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    return [(label, reader.line_num, row) for row in reader]


@lru_cache(maxsize=1)
def _shipped_text() -> tuple[str, str]:
    return ((HERE / "products.csv").read_text(encoding="utf-8-sig"),
            (HERE / "activators.csv").read_text(encoding="utf-8-sig"))


def shipped_activators() -> list[Activator]:
    text = _shipped_text()[1]
    return [Activator(fold(r["工具"]), fold(r["类型"]), fold(r["匹配内容"]))
            for r in csv.DictReader(io.StringIO(text, newline="")) if fold(r.get("匹配内容"))]


@lru_cache(maxsize=1)
def shipped() -> Library:
    return Library(read_rows(_shipped_text()[0], "products.csv"), shipped_activators())


_USER_CACHE: dict[str, Library] = {}


def with_user_text(text: str, label: str = USER_FILE) -> Library:
    """The shipped library with the rows of a user's 软件识别库.csv (its text, read by tasks/scanning) in front."""
    if text not in _USER_CACHE:
        rows = read_rows(text, label) + read_rows(_shipped_text()[0], "products.csv")
        _USER_CACHE.clear()
        _USER_CACHE[text] = Library(rows, shipped_activators())
    return _USER_CACHE[text]


def coverage(library: Library | None = None) -> list[tuple[str, int, int]]:
    """(group, products, patterns) of the library, as docs/scan.md tabulates them."""
    library = library or shipped()
    patterns: dict[str, int] = {}
    for field_set in library.sets.values():
        for key in field_set.keys:
            patterns[key] = patterns.get(key, 0) + 1

    def group_of(p: Product) -> str:
        if p.ignore:
            return "忽略（运行库、驱动、补丁、整机厂商工具、系统组件）"
        if p.irrelevant:
            return "与工作无关（游戏、影音、直播）"
        return p.category or "其他软件"

    order = [*schema.SOFTWARE_CATEGORIES, "与工作无关（游戏、影音、直播）", "忽略（运行库、驱动、补丁、整机厂商工具、系统组件）"]
    out = {name: [0, 0] for name in order}
    for p in library.products.values():
        row = out[group_of(p)]
        row[0] += 1
        row[1] += patterns.get(p.key, 0)
    tools = {a.tool for a in library.activators}
    rows = [(name, n, k) for name, (n, k) in out.items()]
    rows.append(("激活/破解工具（activators.csv）", len(tools), len(library.activators)))
    return rows
