"""The single truth of the workbook layout (LEDGER_SPEC §1, §2).

Every reader, writer, the `init` command, dropdowns, rules and forms take sheet
names, header texts, column kinds and fixed lists from here.  A new column is one
line in this module.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    """How a column's cells are read and written."""

    TEXT = "text"          # free text
    ID = "id"              # key or reference kept as text (numbers lose their ".0")
    VERSION = "version"    # software version, text ("2016", "10.1")
    DATE = "date"          # real Excel date
    MONEY = "money"        # yuan; accepts ¥￥,元 and 万
    COUNT = "count"        # non-negative number of licences / installations
    ENUM = "enum"          # one of a fixed list
    TERM = "term"          # licence term: a date, 永久/长期, or a span such as 3年
    DATETIME = "datetime"  # timestamp (变更记录)


# Fixed lists of LEDGER_SPEC §1/§2.
SOFTWARE_TYPES = ("商业软件", "OEM软件", "免费软件")
SOFTWARE_CATEGORIES = ("操作系统", "办公软件", "杀毒软件", "其他软件")
ORIGINS = ("国内", "国外")
ACQUISITIONS = ("采购", "受赠", "调剂", "随机预装", "免费获取")
DEVICE_TYPES = ("服务器", "台式机", "便携机")
OPERATIONS = ("安装", "卸载")
YES_NO = ("是", "否")
DEPT_TYPES = ("处室", "窗口", "其他")
STAFF_STATES = ("在职", "调离")
COMPUTER_STATES = ("在用", "报废")
SOFTWARE_STATES = ("在用", "已报废")
LEADER_ROLES = ("组长", "副组长", "成员")
REQUEST_TYPES = ("安装", "卸载", "升级")
REQUEST_STATES = ("待审核", "已批准", "已驳回", "已完成")
SCRAP_REASONS = ("1", "2", "3")  # 配置管理规定 二.7 (1)(2)(3)
MATCH_FIELDS = ("DisplayName", "Publisher")
MATCH_MODES = ("等于", "正则")
MATCH_ACTIONS = ("对应", "忽略")


class SheetKind(str, Enum):
    SETTINGS = "settings"    # key/value
    REGISTER = "register"
    TABLE = "table"
    DERIVED = "derived"      # rebuilt by the roll-up, still read
    EVENTS = "events"
    GENERATED = "generated"  # rebuilt by a command, never read as data
    LOG = "log"              # append-only


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    choices: tuple[str, ...] = ()
    required: bool = False      # always required (conditional rules live in the rules)
    derived: bool = False       # copied from another sheet by the tool
    ref: str | None = None      # name of the dropdown list (defined name) it refers to
    width: float | None = None  # column width in characters; None = from the header

    @property
    def is_numeric(self) -> bool:
        return self.kind in (Kind.MONEY, Kind.COUNT)


@dataclass(frozen=True)
class Sheet:
    name: str
    kind: SheetKind
    columns: tuple[Column, ...]
    required: bool = True       # a workbook without it cannot be read
    landscape: bool = True

    @property
    def short(self) -> str:
        """Short name used in messages: the text before the first space."""
        return self.name.split(" ", 1)[0]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def column(self, header: str) -> Column:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(header)


def C(header: str, kind: Kind = Kind.TEXT, choices: tuple[str, ...] = (), **kw) -> Column:
    if choices and kind is Kind.TEXT:
        kind = Kind.ENUM
    return Column(header, kind, choices, **kw)


# Defined names used by reference dropdowns (written by `init`).
REF_SOFTWARE = "软件编号列表"
REF_COMPUTER = "计算机编号列表"
REF_PERSON = "人员姓名列表"
REF_DEPT = "部门名称列表"
REF_REQUEST = "申请编号列表"
REF_SLIP = "确认单号列表"

# Sheet names (exact, LEDGER_SPEC §2).
SETTINGS = "设置"
DEPTS = "部门"
STAFF = "人员"
COMPUTERS = "计算机"
A1 = "附件1 领导小组"
A3 = "附件3 软件使用需求申请"
A4 = "附件4 软件采购计划"
A5 = "附件5 信息统计表"
A6 = "附件6 可使用免费软件清单"
A7 = "附件7 软件使用情况汇总表"
A8 = "附件8 软件使用情况明细表"
A9 = "附件9 软件安装维护情况明细表"
A10 = "附件10 软件安装维护申请"
A11 = "附件11 软件安装维护确认单"
RESULTS = "校验结果"
CHANGES = "变更记录"
NAME_MAP = "软件名称对照"   # LEDGER_SPEC §9
GUIDE = "说明"              # added: a short how-to for clerks

SETTING_KEYS: tuple[tuple[str, str], ...] = (
    ("单位名称", ""),
    ("填表人", ""),
    ("联系电话", ""),
    ("负责部门", ""),
    ("负责部门负责人", ""),
    ("负责部门电话", ""),
    ("负责部门传真", ""),
    ("商业软件编号前缀", "SY"),
    ("OEM软件编号前缀", "OEM"),
    ("免费软件编号前缀", "MF"),
    ("上次半年更新日期", ""),
    ("上次半年更新期间", ""),
)
# Keys appended by this implementation (README «对规范的补充»): the 附件7 header block.
HEADER_COUNT_KEYS = ("总人数", "使用计算机人数", "服务器数", "台式机数", "便携机数")
# Keys appended by this implementation that a ledger may lack (README «对规范的补充»; LEDGER_SPEC §9a).
EXTRA_SETTING_KEYS: tuple[tuple[str, str], ...] = (
    ("合法KMS主机", ""),     # the unit's own KMS hosts, separated by commas (§9a)
)
ALL_SETTING_KEYS = tuple(k for k, _ in SETTING_KEYS) + tuple(f"附件7.{k}" for k in HEADER_COUNT_KEYS)

D = Kind.DATE
ID = Kind.ID

SHEETS: tuple[Sheet, ...] = (
    Sheet(SETTINGS, SheetKind.SETTINGS, (C("项目", required=True, width=22), C("值", width=40)), landscape=False),
    Sheet(DEPTS, SheetKind.REGISTER, (
        C("部门名称", required=True, width=22), C("部门类型", choices=DEPT_TYPES),
        C("负责人"), C("联系电话", ID),
    ), landscape=False),
    Sheet(STAFF, SheetKind.REGISTER, (
        C("部门", required=True, ref=REF_DEPT, width=20), C("姓名", required=True), C("职务", width=16),
        C("使用计算机", choices=YES_NO), C("承诺书签署日期", D), C("状态", choices=STAFF_STATES),
    ), landscape=False),
    Sheet(COMPUTERS, SheetKind.REGISTER, (
        C("计算机编号", ID, required=True), C("计算机品牌"), C("设备类型", choices=DEVICE_TYPES),
        C("使用人", ref=REF_PERSON), C("使用部门", ref=REF_DEPT, width=20), C("启用日期", D),
        C("状态", choices=COMPUTER_STATES), C("报废日期", D),
        # Appended (README): the machine's host name, to match scan files (LEDGER_SPEC §9).
        C("主机名", width=18),
    )),
    Sheet(A1, SheetKind.TABLE, (
        C("职务", choices=LEADER_ROLES), C("姓名", required=True), C("单位职务", width=48),
    ), landscape=False),
    Sheet(A3, SheetKind.TABLE, (
        C("申请编号", ID, required=True), C("申请部门", ref=REF_DEPT, width=20), C("经手人"), C("联系电话", ID),
        C("填表日期", D), C("软件类别", choices=SOFTWARE_CATEGORIES), C("软件用途", width=20),
        C("功能需求", width=24), C("申请许可数", Kind.COUNT), C("选定软件编号", ID, ref=REF_SOFTWARE),
        C("信息化部门审核人"), C("信息化部门审核日期", D), C("资产部门审核人"), C("资产部门审核日期", D),
        C("备注", width=20),
    )),
    Sheet(A4, SheetKind.TABLE, (
        C("序号", ID), C("软件名称", required=True, width=24), C("软件版本", Kind.VERSION),
        C("单价", Kind.MONEY), C("许可数", Kind.COUNT), C("合计", Kind.MONEY),
        C("软件类别", choices=SOFTWARE_CATEGORIES), C("产地", choices=ORIGINS),
        C("依据申请编号", ID, ref=REF_REQUEST), C("备注", width=20),
    )),
    Sheet(A5, SheetKind.GENERATED, (), required=False, landscape=False),
    Sheet(A6, SheetKind.TABLE, (
        C("序号", ID), C("软件编号", ID, required=True, ref=REF_SOFTWARE), C("软件名称", required=True, width=24),
        C("软件版本", Kind.VERSION), C("软件来源", width=20), C("软件厂商名称", width=20),
        C("软件厂商客服联系方式", width=16), C("使用部门", width=20), C("使用原因", width=24),
    )),
    Sheet(A7, SheetKind.TABLE, (
        C("序号", ID), C("软件编号", ID, required=True), C("软件名称", required=True, width=26),
        C("软件版本", Kind.VERSION), C("软件类型", choices=SOFTWARE_TYPES, required=True),
        C("采购时间", D), C("采购金额", Kind.MONEY), C("许可类型", width=14), C("许可数量", Kind.COUNT),
        C("可使用版本", width=14), C("许可期限", Kind.TERM, width=14), C("序列号", ID, width=20),
        C("安装数量", Kind.COUNT, derived=True), C("获取方式", choices=ACQUISITIONS),
        C("软件类别", choices=SOFTWARE_CATEGORIES), C("产地", choices=ORIGINS),
        C("状态", choices=SOFTWARE_STATES), C("报废日期", D), C("报废原因", ID, choices=SCRAP_REASONS),
        C("备注", width=20),
    )),
    Sheet(A8, SheetKind.DERIVED, (
        C("序号", ID), C("部门", derived=True, width=20), C("姓名", derived=True),
        C("计算机编号", ID, required=True, ref=REF_COMPUTER), C("计算机品牌", derived=True),
        C("软件编号", ID, required=True, ref=REF_SOFTWARE), C("软件名称", derived=True, width=26),
        C("软件版本", Kind.VERSION), C("许可期限", Kind.TERM, derived=True, width=14),
        C("软件类型", choices=SOFTWARE_TYPES, derived=True), C("安装日期", D),
    )),
    Sheet(A9, SheetKind.EVENTS, (
        C("序号", ID), C("软件编号", ID, required=True, ref=REF_SOFTWARE), C("操作", choices=OPERATIONS, required=True),
        C("计算机编号", ID, required=True, ref=REF_COMPUTER), C("计算机品牌", derived=True),
        C("使用人", derived=True, ref=REF_PERSON), C("使用部门", derived=True, ref=REF_DEPT, width=20),
        C("版本", Kind.VERSION), C("日期", D, required=True), C("安装数量", Kind.COUNT),
        C("统一部署", choices=YES_NO), C("申请编号", ID, ref=REF_REQUEST), C("确认单号", ID, ref=REF_SLIP),
        C("经办人"), C("备注", width=20),
    )),
    Sheet(A10, SheetKind.TABLE, (
        C("申请编号", ID, required=True), C("申请部门", ref=REF_DEPT, width=20), C("申请人", ref=REF_PERSON),
        C("申请时间", D), C("计算机编号", ID, ref=REF_COMPUTER), C("计算机品牌"),
        C("申请类型", choices=REQUEST_TYPES), C("软件名称", width=24), C("软件版本", Kind.VERSION),
        C("升级后软件名称", width=24), C("升级后软件版本", Kind.VERSION), C("申请原因", width=24),
        C("部门审核人"), C("部门审核日期", D), C("信息化部审核人"), C("信息化部审核日期", D),
        C("状态", choices=REQUEST_STATES),
    )),
    Sheet(A11, SheetKind.REGISTER, (
        C("确认单号", ID, required=True), C("日期", D), C("计算机编号", ID, ref=REF_COMPUTER), C("计算机品牌"),
        C("使用人", ref=REF_PERSON), C("使用部门", ref=REF_DEPT, width=20), C("安装维护人"),
        C("已签字", choices=YES_NO), C("备注", width=20),
    ), landscape=False),
    Sheet(NAME_MAP, SheetKind.TABLE, (
        C("顺序", Kind.COUNT), C("匹配字段", choices=MATCH_FIELDS), C("匹配方式", choices=MATCH_MODES),
        C("匹配内容", width=40), C("动作", choices=MATCH_ACTIONS), C("软件编号", ID, ref=REF_SOFTWARE),
        C("版本取值", width=16), C("备注", width=24),
    ), required=False),
    Sheet(RESULTS, SheetKind.GENERATED, (
        C("规则", width=24), C("级别"), C("表", width=28), C("单元格"), C("说明", width=80),
    ), required=False),
    Sheet(CHANGES, SheetKind.LOG, (
        C("时间", Kind.DATETIME, width=20), C("操作", width=16), C("表", width=28), C("行", Kind.COUNT),
        C("内容", width=80),
    ), required=False),
)

BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}
BY_SHORT: dict[str, Sheet] = {s.short: s for s in SHEETS}

# Where each reference dropdown takes its values: defined name -> (sheet, header).
REF_SOURCES: dict[str, tuple[str, str]] = {
    REF_SOFTWARE: (A7, "软件编号"),
    REF_COMPUTER: (COMPUTERS, "计算机编号"),
    REF_PERSON: (STAFF, "姓名"),
    REF_DEPT: (DEPTS, "部门名称"),
    REF_REQUEST: (A10, "申请编号"),
    REF_SLIP: (A11, "确认单号"),
}


def sheet(name: str) -> Sheet:
    """Look a sheet up by its full name, short name (附件7) or number (7)."""
    if name in BY_NAME:
        return BY_NAME[name]
    if name in BY_SHORT:
        return BY_SHORT[name]
    if name.isdigit() and f"附件{name}" in BY_SHORT:
        return BY_SHORT[f"附件{name}"]
    raise KeyError(name)


def short(name: str) -> str:
    return name.split(" ", 1)[0]


def data_sheets() -> tuple[Sheet, ...]:
    """Sheets whose rows are read as data (everything but generated output)."""
    return tuple(s for s in SHEETS if s.kind is not SheetKind.GENERATED)
