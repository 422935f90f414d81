"""The §9a findings: what the recognition library says about an entry, and the evidence of piracy.

SCAN-IRRELEVANT / SCAN-PERSONAL-EDITION / SCAN-FREE-NOT-LISTED, and SCAN-UNREGISTERED for a commercial
product absent from 附件7, come from the library's marks of entries that no 软件名称对照 rule matched
(a clerk's rule wins); one finding per computer and product.  SCAN-PIRACY comes from activator traces
(痕迹:服务/计划任务/文件 rows and activators among installed programs) and from 激活 rows: a KMS host
that is not in 设置「合法KMS主机」, or a volume channel when 附件7 holds no volume licence of the product.
SCAN-EDITION compares the edition Windows/Office report on a 激活 row with the edition the ledger
registers on that computer.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cached_property

from workbook_tools.scan import codes
from workbook_tools.scan import library as lib
from workbook_tools.scan.context import ACTIVATION, COMPUTER, KEY, KIND, NUMBER, PRODUCT, TOOL, TRACE, ScanContext, show
from workbook_tools.scan.files import CHANNEL, FILE, KMS, LINE, NAME, SOURCE, STATE, VERSION
from workbook_tools.scan.hosts import host_key
from workbook_tools.scan.result import ScanIssue
from workbook_tools.scan.rules import IGNORE

Issues = Iterator[ScanIssue]
KMS_SETTING = "合法KMS主机"
_SPLIT = re.compile(r"[,，;；、\s]+")
# 许可类型 texts that stand for a volume licence (批量许可, KMS, MAK, 大客户/开放许可, 企业协议, 场地授权)
VOLUME_LICENCE = re.compile(r"批量|大客户|开放|企业协议|场地|KMS|MAK|Volume|VL\b|Open|EA\b|Select", re.IGNORECASE)
# Edition words: what Windows/Office report (EditionID, SKU) and what a clerk writes, both to one class.
_REPORTED = (
    (r"HomeStudent", "家庭和学生版"), (r"HomeBusiness", "小型企业版"), (r"ProPlus", "专业增强版"),
    (r"O365|365", "Microsoft 365"), (r"^Professional\d", "专业版"), (r"^Standard", "标准版"),
    (r"^ProfessionalWorkstation", "专业工作站版"), (r"^ProfessionalEducation", "专业教育版"),
    (r"^Core|^Home", "家庭版"), (r"^Professional$|^ProfessionalN$|^Pro$", "专业版"),
    (r"^(IoT)?Enterprise", "企业版"), (r"^Education", "教育版"), (r"^ServerStandard", "标准版"),
    (r"^ServerDatacenter", "数据中心版"),
)
_WRITTEN = (("专业工作站", "专业工作站版"), ("专业教育", "专业教育版"), ("专业增强", "专业增强版"),
            ("家庭和学生", "家庭和学生版"), ("小型企业", "小型企业版"), ("家庭", "家庭版"), ("专业", "专业版"),
            ("企业", "企业版"), ("教育", "教育版"), ("数据中心", "数据中心版"), ("标准", "标准版"),
            ("Microsoft 365", "Microsoft 365"))


def reported_edition(text: object) -> str | None:
    value = show(text).replace(" ", "")
    for word, edition in _WRITTEN:           # a collector on a Chinese system may give 专业版 itself
        if word.replace(" ", "") in value:
            return edition
    for pattern, edition in _REPORTED:
        if re.search(pattern, value):
            return edition
    return None


def written_edition(text: str) -> str | None:
    for word, edition in _WRITTEN:
        if word in text:
            return edition
    return None


def family(name: object) -> str | None:
    """Which licensing family an 激活 row is about: Windows or Office (Visio, Project, 365 included)."""
    text = show(name)
    if re.search(r"Office|Visio|Project|365", text, re.IGNORECASE):
        return "Office"
    if re.search(r"Windows", text, re.IGNORECASE):
        return "Windows"
    return None


def _in_family(product_key: str, fam: str) -> bool:
    if fam == "Windows":
        return product_key.startswith("Windows")
    return product_key.startswith("Microsoft ")


class Evidence:
    """What the piracy and edition checks derive once."""

    def __init__(self, ctx: ScanContext):
        self.ctx = ctx

    @cached_property
    def legal_hosts(self) -> frozenset[str]:
        text = self.ctx.ledger.setting(KMS_SETTING)
        return frozenset(k for h in _SPLIT.split(text) if (k := _kms_key(h)))

    def legal(self, host: str) -> bool:
        """Listed as such, or the same machine named with and without its DNS suffix (kms01 / kms01.unit.gov.cn)."""
        key = _kms_key(host)
        if key in self.legal_hosts:
            return True
        short = key.split(".", 1)[0]
        return any(short == h.split(".", 1)[0] and ("." not in h or "." not in key) for h in self.legal_hosts)

    @cached_property
    def volume_families(self) -> frozenset[str]:
        """Families with a volume licence in 附件7 (not 报废)."""
        sw = self.ctx.software
        out = set()
        for number, kind, state in zip(sw.index, sw["许可类型"], sw["状态"]):
            product = self.ctx.number_product.get(number)
            if product is None or show(state) == "报废" or not VOLUME_LICENCE.search(show(kind)):
                continue
            out |= {fam for fam in ("Windows", "Office") if _in_family(product, fam)}
        return frozenset(out)


def _kms_key(host: object) -> str:
    key = host_key(host)
    return re.sub(r":\d+$", "", key)


def _place(ctx: ScanContext, row: dict) -> tuple[dict, str, bool]:
    computer = row[COMPUTER]
    if computer:
        return ctx.computer_cell(computer), computer, True
    return {}, row[KEY][1:], False


def _who(ctx: ScanContext, computer: str, known: bool) -> str:
    return ctx.who(computer) if known else f"未登记的计算机「{computer}」"


def library_kinds(ctx: ScanContext) -> Issues:
    """IRRELEVANT / PERSONAL-EDITION / FREE-NOT-LISTED / UNREGISTERED (commercial, not in 附件7) by product."""
    df = ctx.entries
    rows = df[df[PRODUCT].notna() & (df["action"] != IGNORE) & df["order"].isna()]
    if rows.empty:
        return
    listed = listed_products(ctx)
    for row in rows.drop_duplicates([KEY, PRODUCT]).to_dict("records"):
        product = ctx.library.products[row[PRODUCT]]
        code, why = _judge(ctx, product, listed)
        if code is None:
            continue
        cell, computer, known = _place(ctx, row)
        version = show(row["version"])
        shown = row[NAME] if not version or version in row[NAME] else f"{row[NAME]}（版本 {version}）"
        message = (f"{_who(ctx, computer, known)} 上扫描到「{shown}」（{product.name}，{product.licence or '未注明许可'}）："
                   f"{why}（{codes.CLAUSE[code]}）")
        yield ScanIssue(finding=codes.make(code, message, **cell, scan_file=row[FILE], scan_line=int(row[LINE])),
                        computer=computer, known=known, software=row[NUMBER] if show(row[NUMBER]) else None,
                        scanned_name=row[NAME], scanned_version=version or None)


def _judge(ctx: ScanContext, product: lib.Product, listed: set[str]) -> tuple[str | None, str]:
    if product.irrelevant:
        return codes.IRRELEVANT, "与工作无关的软件，不得配置"
    if product.licence == lib.PERSONAL:
        return codes.PERSONAL_EDITION, f"该版本只许个人使用，单位计算机不得安装{('；' + product.note) if product.note else ''}"
    if product.licence == lib.FREE and product.key not in listed:
        return codes.FREE_NOT_LISTED, "免费软件，但未列入附件6 免费软件清单，不得擅自安装"
    if product.licence == lib.COMMERCIAL and not ctx.numbers_of(product.key):
        return codes.UNREGISTERED, "商业软件，附件7 中没有这一软件：未经采购或未登记即安装"
    return None, ""


def listed_products(ctx: ScanContext) -> set[str]:
    """Library products named on 附件6 (by its 软件编号's 附件7 product, or by its own 软件名称)."""
    a6 = ctx.ledger.df("附件6")
    out = set()
    for number, name in zip(a6["软件编号"], a6["软件名称"]):
        key = ctx.number_product.get(number) if show(number) else None
        if key is None:
            product = ctx.library.product_named(name)
            key = product.key if product is not None else None
        if key is not None:
            out.add(key)
    return out


def traces(ctx: ScanContext) -> Issues:
    """Activator services, tasks, files and installed activators: one SCAN-PIRACY per computer and tool."""
    df = ctx.entries
    rows = df[(df[KIND] == TRACE) | df[TOOL].notna()]
    if rows.empty:
        return
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows.to_dict("records"):
        tool = show(row[TOOL]) or ctx.library.tool(row[NAME]) or "激活/破解工具"
        groups.setdefault((row[KEY], tool), []).append(row)
    for (_, tool), found in sorted(groups.items()):
        first = found[0]
        cell, computer, known = _place(ctx, first)
        what = "、".join(dict.fromkeys(f"{_trace_kind(r)}「{r[NAME]}」" for r in found))
        message = (f"{_who(ctx, computer, known)} 上发现激活/破解工具 {tool} 的痕迹：{what}："
                   f"盗版激活的证据（{codes.CLAUSE[codes.PIRACY]}）")
        yield ScanIssue(finding=codes.make(codes.PIRACY, message, **cell, scan_file=first[FILE],
                                           scan_line=int(first[LINE])),
                        computer=computer, known=known, scanned_name=first[NAME])


def _trace_kind(row: dict) -> str:
    source = show(row[SOURCE])
    return source.split(":", 1)[1] if source.startswith(TRACE + ":") else "已安装程序"


def activations(ctx: ScanContext) -> Issues:
    """激活 rows: a foreign KMS host, or a volume channel without a volume licence -> SCAN-PIRACY."""
    df = ctx.entries
    rows = df[df[KIND] == ACTIVATION]
    if rows.empty:
        return
    ev = Evidence(ctx)
    for row in rows.to_dict("records"):
        reasons = _piracy_reasons(ev, row)
        if not reasons:
            continue
        cell, computer, known = _place(ctx, row)
        state = show(row[STATE])
        message = (f"{_who(ctx, computer, known)} 的 {row[NAME]}（{show(row[VERSION]) or '版本未知'}"
                   f"{'，' + state if state else ''}）：{'；'.join(reasons)}（{codes.CLAUSE[codes.PIRACY]}）")
        yield ScanIssue(finding=codes.make(codes.PIRACY, message, **cell, scan_file=row[FILE], scan_line=int(row[LINE])),
                        computer=computer, known=known, scanned_name=row[NAME])


def _piracy_reasons(ev: Evidence, row: dict) -> list[str]:
    kms, channel = show(row[KMS]), show(row[CHANNEL])
    reasons = []
    if kms and not ev.legal(kms):
        listed = f"（本单位的是 {ev.ctx.ledger.setting(KMS_SETTING)}）" if ev.legal_hosts else "（「设置」中没有登记合法KMS主机）"
        reasons.append(f"向 KMS 主机 {kms} 激活，它不是本单位的 KMS 主机{listed}")
    fam = family(row[NAME])
    if channel.startswith("Volume") and fam and fam not in ev.volume_families:
        reasons.append(f"许可通道为 {channel}（批量许可），但附件7 中没有 {fam} 的批量许可")
    return reasons


def editions(ctx: ScanContext) -> Issues:
    """激活 rows whose edition differs from the edition registered on that computer -> SCAN-EDITION."""
    df = ctx.entries
    rows = df[(df[KIND] == ACTIVATION) & df[COMPUTER].notna()]
    if rows.empty or ctx.live.empty:
        return
    numbers = {pc: list(dict.fromkeys(group[NUMBER])) for pc, group in ctx.live.groupby(COMPUTER, sort=False)}
    for row in rows.to_dict("records"):
        fam, scanned = family(row[NAME]), reported_edition(row[VERSION])
        if fam is None or scanned is None:
            continue
        registered: dict[str, str] = {}
        for number in numbers.get(row[COMPUTER], []):
            product = ctx.number_product.get(number)
            if product is None or not _in_family(product, fam):
                continue
            sw = ctx.software.loc[number]
            edition = written_edition(f"{show(sw['软件名称'])} {show(sw['软件版本'])}")
            if edition is not None:
                registered.setdefault(edition, number)
        if not registered or scanned in registered:      # one of the editions registered there: fine
            continue
        edition, number = next(iter(registered.items()))
        message = (f"{ctx.who(row[COMPUTER])} 的 {row[NAME]} 激活的是{scanned}（{show(row[VERSION])}），"
                   f"台账登记的是 {ctx.title(number)}（{edition}）（{codes.CLAUSE[codes.EDITION]}）")
        yield ScanIssue(finding=codes.make(codes.EDITION, message, **ctx.computer_cell(row[COMPUTER]),
                                           scan_file=row[FILE], scan_line=int(row[LINE])),
                        computer=row[COMPUTER], software=number, scanned_name=row[NAME],
                        scanned_version=show(row[VERSION]))

