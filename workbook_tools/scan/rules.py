"""The name dictionary 软件名称对照 (LEDGER_SPEC §9): ordered rules, first match wins.

Each rule looks at DisplayName or Publisher, `等于` (same text after NFKC, case and
whitespace folding) or `正则` (a regular expression, searched anywhere, case-insensitive, run by RE2 in time linear in the
text: no pattern can make a scan hang; see docs/scan.md),
and either maps the entry to a 软件编号 (`对应`; the cell may also hold a 附件7 软件名称, naming the
product; version from DisplayVersion, from the named/numbered group of 匹配内容 given in 版本取值,
or from a regex of its own given there, searched in the matched field) or drops it (`忽略`).  Rules are compiled once; a rule that
cannot be used becomes a SCAN-RULE-INVALID finding, never a crash.  Classification runs
once per distinct (DisplayName, Publisher) pair and is mapped back onto all entries.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, NamedTuple

import pandas as pd
import re2
from pydantic import BaseModel, ConfigDict

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import Finding
from workbook_tools.scan import codes
from workbook_tools.scan.files import NAME, PUBLISHER, VERSION
from workbook_tools.scan.products import Products

MAP, IGNORE = schema.MATCH_ACTIONS            # 对应, 忽略
EQUALS, REGEX = schema.MATCH_MODES            # 等于, 正则
BY_NAME, BY_PUBLISHER = schema.MATCH_FIELDS   # DisplayName, Publisher
SHEET = schema.NAME_MAP
_SPACE = re.compile(r"\s+")


# Rows `ledger init` writes into new workbooks: none.  The recognition library (scan/library.py) knows
# the products, runtimes and drivers; 软件名称对照 holds only the unit's own rules, which win over it.
# (Earlier releases wrote example 对应 rows with an empty 软件编号; such a row no longer shadows the
# library: a 对应 rule without a number is passed over, see NameRule.blank.)
DEFAULT_RULES: tuple[dict, ...] = ()


def norm_text(value: object) -> str:
    """NFKC, trimmed, inner whitespace collapsed — the text rules are matched against."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


class Match(NamedTuple):
    action: str | None          # 对应 / 忽略 / None (no rule matched)
    number: str | None          # 软件编号 of a 对应 rule (None: the rule has none, or an unknown one)
    version: str | None         # version taken from the name by 版本取值 (None: use DisplayVersion)
    rule_row: int | None        # worksheet row of the rule (None for built-in defaults)
    order: float | None = None  # 顺序 of the rule


class NameRule(BaseModel):
    """One usable rule, compiled."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    order: float
    row: int | None
    field: str
    mode: str
    text: str                       # 等于: the folded text; 正则: the pattern
    regex: Any                      # the compiled RE2 pattern (正则), else None
    action: str
    number: str | None              # None when empty or not a 附件7 number (or product name)
    group: str | int | None         # a group of `regex` holding the version
    version_regex: Any = None       # or: a regex of its own (RE2), searched in the matched field
    blank: bool = False             # a 对应 rule whose 软件编号 cell is empty: passed over (the library decides)

    def match(self, name: str, publisher: str) -> Match | None:
        subject = name if self.field == BY_NAME else publisher
        if self.regex is None:
            return self._result(None, subject) if subject.casefold() == self.text else None
        found = self.regex.search(subject)
        return self._result(found, subject) if found else None

    def _version(self, found: Any, subject: str) -> str | None:
        if self.version_regex is not None:
            hit = self.version_regex.search(subject)
            return (hit.group(1) if hit.re.groups else hit.group(0)) if hit else None
        return found.group(self.group) if found is not None and self.group is not None else None

    def _result(self, found: Any, subject: str) -> Match:
        version = self._version(found, subject)
        return Match(self.action, self.number if self.action == MAP else None, version or None, self.row, self.order)


class RuleSet(BaseModel):
    """The usable rules in order, and the numbers they can map to (the ones a scan can see)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    rules: list[NameRule]
    targets: frozenset[str]
    from_defaults: bool = False

    def classify(self, name: str, publisher: str) -> Match:
        for rule in self.rules:
            if rule.blank:
                continue
            hit = rule.match(name, publisher)
            if hit is not None:
                return hit
        return Match(None, None, None, None)

    def classify_entries(self, entries: pd.DataFrame) -> pd.DataFrame:
        """Match fields per entry (version falls back to DisplayVersion); each distinct (name, publisher) once."""
        cache: dict[tuple[object, object], Match] = {}
        matches = []
        for key in zip(entries[NAME].tolist(), entries[PUBLISHER].tolist()):
            hit = cache.get(key)
            if hit is None:
                hit = cache[key] = self.classify(norm_text(key[0]), norm_text(key[1]))
            matches.append(hit)
        out = pd.DataFrame(matches, columns=list(Match._fields), index=entries.index, dtype=object)
        out["version"] = out["version"].where(out["version"].notna(), entries[VERSION])
        return out


# --- compiling the sheet ----------------------------------------------------------------

class _Problem(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


def _choice(value: object, choices: tuple[str, ...], default: str, column: str) -> str:
    text = norm_text(value)
    if not text:
        return default
    for choice in choices:
        if text.casefold() == choice.casefold():
            return choice
    raise _Problem(column, f"「{column}」应为 {'或'.join(choices)}，现为「{text}」")


def _re2_options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False      # RE2 would print its English reason on stderr
    return options


_WORD_OUTSIDE, _WORD_INSIDE, _NOT_WORD = r"[\p{L}\p{N}_]", r"\p{L}\p{N}_", r"[^\p{L}\p{N}_]"


def unicode_words(pattern: str) -> str:
    r"""`\w` (and `\W` outside [...]) as Python means them, letters and digits of every script: RE2's are ASCII only."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        pair = pattern[i:i + 2]
        if pair == "\\w":
            out.append(_WORD_INSIDE if in_class else _WORD_OUTSIDE)
        elif pair == "\\W" and not in_class:
            out.append(_NOT_WORD)
        elif ch == "\\":
            out.append(pair)
        elif ch == "[" and not in_class:
            opening = re.match(r"\[\^?\]?", pattern[i:])   # a ] right after [ or [^ is a literal
            assert opening is not None  # pattern[i] is "["
            start = opening.group()
            out.append(start)
            in_class = True
            i += len(start)
            continue
        else:
            in_class = in_class and ch != "]"
            out.append(ch)
            i += 1
            continue
        i += 2
    return "".join(out)


def _regex(pattern: str) -> Any:
    try:
        return re2.compile(unicode_words(unicodedata.normalize("NFKC", pattern)), _re2_options())
    except re2.error:
        raise _Problem("匹配内容", f"正则表达式「{pattern}」无效或使用了不支持的写法（前后查找 (?=…)/(?<=…)、"
                                   "反向引用 \\1 等；见 docs/scan.md）") from None


_GROUP_NAME = re.compile(r"^(?:\d+|[A-Za-z_]\w*)$")


def _group(value: object, regex: Any) -> str | int | None:
    """版本取值 as a group of 匹配内容: its number (1) or name (v)."""
    text = norm_text(value)
    if not text or not _GROUP_NAME.match(text):
        return None
    if regex is None:
        raise _Problem("版本取值", f"「版本取值」{text} 是分组名或序号，只能用于匹配方式为“正则”的规则；"
                                   "也可以写一个正则表达式，如 (\\d{4})")
    group: str | int = int(text) if text.isdigit() else text
    if (isinstance(group, int) and not 0 < group <= regex.groups) or \
            (isinstance(group, str) and group not in regex.groupindex):
        raise _Problem("版本取值", f"「版本取值」{text} 不是匹配内容中的分组（可用分组名、序号，或一个正则表达式）")
    return group


def _version_regex(value: object) -> Any:
    """版本取值 as a regex of its own (anything but a group name or number), e.g. (\\d{4}) or V\\d+(\\.\\d+)*;
    run by RE2 like 匹配内容."""
    text = norm_text(value)
    if not text or _GROUP_NAME.match(text):
        return None
    try:
        return _regex(text)
    except _Problem:
        raise _Problem("版本取值", f"「版本取值」的正则表达式「{text}」无效或使用了不支持的写法") from None


def _target(text: str | None, known: frozenset[str], products: Products | None) -> tuple[str | None, _Problem | None]:
    """软件编号 of a 对应 rule: a 附件7 number, or a 附件7 软件名称 naming the product (its first number)."""
    if not text or text in known:
        return text, None
    named = products.number_named(text) if products is not None else None
    if named is not None:
        return named, None
    return None, _Problem("软件编号", f"「{text}」既不是附件7 中的软件编号，也不是附件7 中的软件名称")


def compile_rule(row: dict, known: frozenset[str], products: Products | None = None) -> tuple[NameRule, _Problem | None]:
    """One sheet row -> a usable rule, or _Problem when it cannot be used at all.

    A 对应 rule whose 软件编号 is neither a 附件7 number nor a product name is still used (its
    entries are reported unmapped), and the problem is returned alongside.
    """
    field = _choice(row.get("匹配字段"), schema.MATCH_FIELDS, BY_NAME, "匹配字段")
    mode = _choice(row.get("匹配方式"), schema.MATCH_MODES, EQUALS, "匹配方式")
    action = _choice(row.get("动作"), schema.MATCH_ACTIONS, "", "动作")
    if not action:
        raise _Problem("动作", "「动作」为空，应为 对应 或 忽略")
    pattern = norm_text(row.get("匹配内容"))
    if not pattern:
        raise _Problem("匹配内容", "「匹配内容」为空")
    regex = _regex(pattern) if mode == REGEX else None
    number, warning = _target(norm_text(row.get("软件编号")) or None, known, products) if action == MAP else (None, None)
    order = row.get("顺序")
    rule = NameRule(order=float(order) if order is not None and not pd.isna(order) else float("inf"),
                    row=row.get(ROW), field=field, mode=mode, text=pattern if regex else pattern.casefold(),
                    regex=regex, action=action, number=number, group=_group(row.get("版本取值"), regex),
                    version_regex=_version_regex(row.get("版本取值")),
                    blank=action == MAP and not norm_text(row.get("软件编号")))
    return rule, warning


def _finding(ledger: Ledger | None, row: int | None, problem: _Problem) -> Finding:
    table = ledger[SHEET] if ledger is not None and row is not None else None
    what = "有误" if problem.column == "软件编号" else "无法使用"
    where = f"第 {row} 行的规则" if row is not None else "内置默认规则"
    return codes.make(codes.RULE_INVALID, f"「{SHEET}」{where}{what}：{problem.message}（日常使用管理规定 四.2）",
                      sheet=SHEET if row is not None else None, row=row, column=problem.column,
                      cell=table.cell(row, problem.column) if table else None)


def compile_rows(rows: list[dict], known: frozenset[str], ledger: Ledger | None = None,
                 products: Products | None = None) -> tuple[RuleSet, list[Finding]]:
    rules: list[NameRule] = []
    findings: list[Finding] = []
    for row in rows:
        try:
            rule, warning = compile_rule(row, known, products)
        except _Problem as problem:
            findings.append(_finding(ledger, row.get(ROW), problem))
            continue
        if warning is not None:
            findings.append(_finding(ledger, row.get(ROW), warning))
        rules.append(rule)
    rules.sort(key=lambda r: (r.order, r.row if r.row is not None else 0))
    targets = frozenset(r.number for r in rules if r.action == MAP and r.number)
    return RuleSet(rules=rules, targets=targets), findings


def load_rules(ledger: Ledger) -> tuple[RuleSet, list[Finding]]:
    """The workbook's 软件名称对照 compiled; the built-in DEFAULT_RULES when the sheet is absent."""
    a7 = ledger.df(schema.A7)
    known = frozenset(a7["软件编号"].dropna())
    products = Products(a7[a7["软件编号"].notna()].drop_duplicates("软件编号").set_index("软件编号"))
    table = ledger[SHEET]
    if not table.present:
        ruleset, findings = compile_rows([dict(r) for r in DEFAULT_RULES], known, products=products)
        ruleset.from_defaults = True
        return ruleset, findings
    rows = table.df.astype(object).where(table.df.notna(), None).to_dict("records")
    return compile_rows(rows, known, ledger, products)
