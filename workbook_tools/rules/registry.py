"""Stable rule codes of LEDGER_SPEC §3: severity, family and a short Chinese title per code.

Family modules register the functions that implement a code with `@rule(code)`; the
engine runs them.  TYPE-DATE / TYPE-NUMBER / TYPE-TEXT are found while reading (io.parse) and
RULE-CRASH by the engine itself, so they may have no function here.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbook_tools.core.model import Finding, Severity

if TYPE_CHECKING:
    from workbook_tools.rules.context import CheckContext

E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class RuleSpec:
    code: str
    severity: Severity
    family: str
    title: str


_SPECS = (
    RuleSpec("NUM-MISSING", E, "numbering", "附件7 行缺少软件编号"),
    RuleSpec("NUM-DUPLICATE", E, "numbering", "同一软件编号出现在附件7 的多行"),
    RuleSpec("NUM-COMMERCIAL-SPLIT", E, "numbering", "同一商业软件（各要素相同）使用了不同编号"),
    RuleSpec("NUM-OEM-SPLIT", E, "numbering", "同名同版本的 OEM软件使用了不同编号"),
    RuleSpec("NUM-FREE-SPLIT", E, "numbering", "同名免费软件使用了不同编号"),
    RuleSpec("NUM-FORMAT", W, "numbering", "软件编号与「设置」中的编号前缀不符"),
    RuleSpec("BLANK-OEM", E, "fields", "OEM软件填写了应空的栏目"),
    RuleSpec("BLANK-FREE", E, "fields", "免费软件填写了应空的栏目"),
    RuleSpec("BLANK-DONATED", E, "fields", "受赠/调剂的商业软件填写了采购时间或采购金额"),
    RuleSpec("REQ-FIELD", E, "fields", "必填栏目为空"),
    RuleSpec("TYPE-ENUM", E, "fields", "取值不在固定列表中"),
    RuleSpec("TYPE-DATE", E, "fields", "日期无法识别"),
    RuleSpec("TYPE-NUMBER", E, "fields", "数字无法识别"),
    # appended (README «对规范的补充»): an id written in full-width characters, matched in its half-width form
    RuleSpec("ID-WIDTH", W, "fields", "编号含全角字符"),
    RuleSpec("TYPE-TEXT", E, "fields", "文字无法保存在 Excel 中（控制字符、超过 32,767 个字符、工作表名中的禁用字符）"),
    RuleSpec("REF-SOFTWARE", E, "references", "软件编号在附件7 中不存在"),
    RuleSpec("REF-COMPUTER", E, "references", "计算机编号在「计算机」中不存在"),
    RuleSpec("REF-PERSON", W, "references", "人员未登记或部门与登记不符"),
    RuleSpec("REF-DEPT", W, "references", "部门未在「部门」中登记"),
    RuleSpec("MISMATCH-DERIVED", W, "references", "复制的栏目与来源不一致"),
    RuleSpec("FREE-NOT-LISTED", E, "references", "免费软件与可使用免费软件清单（附件6）不一致"),
    RuleSpec("VERSION-NOT-LICENSED", E, "references", "安装的商业软件版本不在许可范围内"),
    RuleSpec("EVENT-UNINSTALL-ORPHAN", E, "events", "卸载记录之前没有对应的安装"),
    RuleSpec("EVENT-DOUBLE-INSTALL", W, "events", "重复安装同一软件编号"),
    RuleSpec("EVENT-FUTURE", E, "events", "安装维护日期晚于今天"),
    RuleSpec("EVENT-UPGRADE-HALF", W, "events", "升级后未登记旧版本的卸载"),
    RuleSpec("EVENT-NO-REQUEST", W, "events", "非统一部署的安装维护缺少申请"),
    RuleSpec("EVENT-NO-SLIP", W, "events", "安装维护缺少已签字的确认单"),
    RuleSpec("EVENT-DEAD-TARGET", E, "events", "对已报废的计算机或软件进行安装维护"),
    RuleSpec("LIC-OVERUSE", E, "compliance", "安装数量超过许可数量"),
    RuleSpec("LIC-EXPIRED", E, "compliance", "许可期限已过仍在使用"),
    RuleSpec("LIC-EXPIRING", W, "compliance", "许可期限将在 90 天内到期"),
    RuleSpec("SCRAP-INSTALLED", E, "compliance", "已报废软件仍有安装或报废原因不合规"),
    RuleSpec("ROLLUP-STALE", W, "compliance", "附件7/附件8 未按安装维护记录及时更新"),
    RuleSpec("STAFF-NO-PLEDGE", W, "compliance", "在职人员未签署承诺书"),
    RuleSpec("HEADER-COUNTS", W, "compliance", "附件7 表头人数/计算机数与登记表不符"),
    RuleSpec("PROOF-MISSING", W, "cycle", "采购的商业软件缺少采购合同、授权证书等资料"),
    RuleSpec("PROOF-MISMATCH", W, "cycle", "采购资料与附件7 的许可数量或授权方式不符"),
    RuleSpec("CYCLE-NO-TRAINING", W, "cycle", "本年度尚未举办软件正版化工作培训"),
    RuleSpec("CYCLE-NO-INSPECTION", W, "cycle", "本年度尚未开展软件使用情况全面检查"),
    RuleSpec("CYCLE-NOT-REPORTED", W, "cycle", "全面检查发现的问题未通报或未按期整改"),
    RuleSpec("RULE-CRASH", E, "engine", "规则执行失败"),
)
SPECS: dict[str, RuleSpec] = {s.code: s for s in _SPECS}
CODES: tuple[str, ...] = tuple(SPECS)
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(s.family for s in _SPECS))

RuleFn = Callable[["CheckContext"], Iterable[Finding]]
IMPLEMENTATIONS: dict[str, list[RuleFn]] = defaultdict(list)
READER_CODES = frozenset({"TYPE-DATE", "TYPE-NUMBER", "TYPE-TEXT", "ID-WIDTH"})  # also reported by the reader itself
# Codes this implementation adds to LEDGER_SPEC §3 (README 「对规范的补充」).
ADDED_CODES = frozenset({"TYPE-TEXT", "ID-WIDTH"})
ENGINE_CODES = frozenset({"RULE-CRASH"})


def rule(code: str) -> Callable[[RuleFn], RuleFn]:
    """Register a function as (one of) the implementations of `code`."""
    if code not in SPECS:
        raise KeyError(code)

    def register(fn: RuleFn) -> RuleFn:
        if fn not in IMPLEMENTATIONS[code]:
            IMPLEMENTATIONS[code].append(fn)
        fn.rule_code = code  # type: ignore[attr-defined]
        return fn

    return register


def severity(code: str) -> Severity:
    return SPECS[code].severity
