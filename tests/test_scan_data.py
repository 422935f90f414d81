"""The scan test unit (a ledger matching tests/data/scan) and checks on the sample files themselves.

Other tests_scan* modules import `scan_unit`, `scan_rules`, `SAMPLES`, `ASSET_COLUMNS`.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from builders import clean_unit

from workbook_tools.scan.files import COLLECTOR_HEADERS
from workbook_tools.scan.rules import BY_NAME, BY_PUBLISHER, IGNORE, MAP, REGEX

SAMPLES = Path(__file__).parent / "data" / "scan"
PS_SAMPLE = SAMPLES / "WIN-ZHANGSAN.csv"
ASSET_COLUMNS = {"host": "资产名称", "name": "软件", "publisher": "发行商"}
DAY = dt.date(2026, 3, 1)
d = dt.date

# The rules this unit's clerk keeps in 软件名称对照 (what `ledger init` wrote as examples before the
# recognition library existed); with their numbers filled in they win over the library.
def _rule(order: int, field: str, mode: str, pattern: str, action: str, group: str | None, note: str) -> dict:
    return {"顺序": order, "匹配字段": field, "匹配方式": mode, "匹配内容": pattern, "动作": action,
            "软件编号": None, "版本取值": group, "备注": note}


# Rows `ledger init` writes into new workbooks.  The 对应 examples carry no 软件编号: the
# number is the unit's own (see docs/scan.md); until it is filled in, entries they match are
# reported as SCAN-UNMAPPED with a pointer to the rule.
UNIT_RULES: tuple[dict, ...] = (
    _rule(10, BY_NAME, REGEX, r"^Microsoft Visual C\+\+ .*(Redistributable|Runtime)", IGNORE, None,
          "VC++ 运行库，随其他软件安装"),
    _rule(20, BY_NAME, REGEX, r"^Microsoft (ASP\.NET|\.NET)|^Microsoft Windows Desktop Runtime", IGNORE, None,
          ".NET 运行库"),
    _rule(30, BY_NAME, REGEX, r"KB\d{6,}|^(Security )?Update for |^Hotfix for ", IGNORE, None, "系统补丁与更新"),
    _rule(40, BY_NAME, REGEX, r"驱动程序|\bDrivers?(?:$|[^ \w]| [^B]| B[^o])|芯片组|Chipset|Management Engine|Rapid Storage|Serial IO",
          IGNORE, None, "硬件驱动程序"),
    _rule(50, BY_PUBLISHER, REGEX,
          r"^(Intel|Realtek|Advanced Micro Devices|Synaptics|ELAN|Conexant|Dolby|Broadcom|Qualcomm|Microchip)\b",
          IGNORE, None, "硬件厂商发布的驱动与工具"),
    _rule(60, BY_NAME, REGEX, r"^Microsoft Edge( WebView2 Runtime| Update)?$|^Microsoft Update Health Tools$", IGNORE,
          None, "随 Windows 提供的组件"),
    _rule(100, BY_NAME, REGEX, r"^Microsoft Windows (?P<v>\d+)", MAP, "v",
          "示例：Windows 操作系统（采集脚本输出的“操作系统”行），请填写本单位的软件编号"),
    _rule(110, BY_NAME, REGEX, r"^(银河麒麟|Kylin|统信|UOS)", MAP, None, "示例：麒麟/统信操作系统，请填写软件编号"),
    _rule(120, BY_NAME, REGEX, r"^WPS Office(?: (?P<v>20\d\d))?", MAP, "v",
          "示例：WPS Office（含按用户安装的个人版）；名称带年份时取年份为版本，否则取 DisplayVersion"),
    _rule(130, BY_NAME, REGEX,
          r"^Microsoft Office (专业增强版|Professional Plus|标准版|Standard) ?(?P<v>20\d\d)", MAP, "v",
          "示例：Microsoft Office 专业增强版 2019 - zh-cn，版本取名称中的年份；不同版本请分行对应不同编号"),
    _rule(140, BY_NAME, REGEX, r"^360(安全卫士|杀毒| ?Total Security)", MAP, None, "示例：360 安全卫士/杀毒"),
    _rule(150, BY_PUBLISHER, REGEX, r"奇安信|Qi ?An ?Xin|^QAX", MAP, None, "示例：奇安信（天擎等），按发布者对应"),
    _rule(160, BY_NAME, REGEX, r"^7-Zip (?P<v>\d+(\.\d+)*)", MAP, "v", "示例：7-Zip，版本在名称中（7-Zip 23.01 (x64)）"),
)


NUMBERS = {100: "OEM-0001", 110: "OEM-0002", 120: "SY-0001", 130: "SY-0002", 150: "SY-0003", 160: "MF-0001"}
BAD_RULE = {"顺序": 170, "匹配字段": "DisplayName", "匹配方式": "正则", "匹配内容": "^Foxit (Reader", "动作": "对应",
            "软件编号": "SY-0001"}


def scan_rules() -> list[dict]:
    """The shipped rules with this unit's numbers filled in, plus one broken regex."""
    rows = [dict(r, 软件编号=NUMBERS.get(r["顺序"])) for r in UNIT_RULES]
    return [*rows, BAD_RULE]


def _event(no: int, number: str, op: str, pc: str, version: str | None, day: dt.date) -> dict:
    return {"序号": no, "软件编号": number, "操作": op, "计算机编号": pc, "版本": version, "日期": day,
            "安装数量": 1, "统一部署": "是"}


def scan_unit() -> dict:
    """clean_unit plus three computers, Office/奇安信/麒麟 and their installations (see tests/data/scan).

    At 2026-03-01 the samples must give exactly: UNREGISTERED (PC-001, SY-0002) and (PC-001, MF-0001);
    MISSING (PC-002, SY-0003); VERSION (PC-002, MF-0001); UNLICENSED SY-0002 许可数量; UNKNOWN-COMPUTER
    PC-099; UNMAPPED Foxit PDF Reader (2 computers) and 腾讯QQ (1); NOT-SCANNED PC-004; RULE-INVALID.
    """
    unit = clean_unit()
    unit["计算机"][0]["主机名"] = "WIN-ZHANGSAN"
    common = {"计算机品牌": "联想", "设备类型": "台式机", "使用人": "李四", "使用部门": "网络平台处", "启用日期": d(2024, 1, 1)}
    unit["计算机"] += [
        {"计算机编号": "PC-003", **common, "状态": "在用", "主机名": "kylin-pc03"},
        {"计算机编号": "PC-004", **common, "状态": "在用"},
        {"计算机编号": "PC-005", **common, "状态": "报废", "报废日期": d(2025, 1, 1)},
    ]
    a7 = {"获取方式": "采购", "软件类别": "办公软件", "产地": "国外", "状态": "在用"}
    unit["附件7"] += [
        {"序号": 4, "软件编号": "SY-0002", "软件名称": "Microsoft Office 专业增强版", "软件版本": "2019",
         "软件类型": "商业软件", "采购时间": d(2024, 1, 2), "采购金额": 3000, "许可类型": "单机许可", "许可数量": 1,
         "许可期限": "永久", "序列号": "SN-2", **a7},
        {"序号": 5, "软件编号": "SY-0003", "软件名称": "奇安信天擎", "软件版本": "10.0", "软件类型": "商业软件",
         "采购时间": d(2024, 1, 1), "采购金额": 9000, "许可类型": "场地许可", "许可数量": 1, "许可期限": "3年",
         "序列号": "SN-3", **a7, "软件类别": "杀毒软件", "产地": "国内"},
        {"序号": 6, "软件编号": "OEM-0002", "软件名称": "银河麒麟桌面操作系统", "软件版本": "V10", "软件类型": "OEM软件",
         "获取方式": "随机预装", "软件类别": "操作系统", "产地": "国内", "状态": "在用"},
    ]
    unit["附件9"] += [
        _event(4, "OEM-0001", "安装", "PC-002", "10", d(2023, 1, 1)),
        _event(5, "SY-0002", "安装", "PC-002", "2019", d(2025, 3, 1)),
        _event(6, "SY-0003", "安装", "PC-002", "10.0", d(2025, 3, 1)),
        _event(7, "OEM-0002", "安装", "PC-003", "V10", d(2024, 3, 1)),
        _event(8, "SY-0001", "安装", "PC-003", "2019", d(2024, 3, 10)),
        _event(9, "SY-0003", "安装", "PC-003", "10.0", d(2024, 3, 10)),
        _event(10, "OEM-0001", "安装", "PC-004", "10", d(2024, 1, 1)),
        _event(11, "MF-0001", "安装", "PC-001", "23.01", d(2024, 1, 1)),
        _event(12, "MF-0001", "卸载", "PC-001", "23.01", d(2024, 6, 1)),
    ]
    unit["软件名称对照"] = scan_rules()
    return unit


def test_powershell_sample_is_what_windows_powershell_51_writes():
    data = PS_SAMPLE.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].split(b"\r\n")
    assert lines[-1] == b"" and all(b"\n" not in line for line in lines)
    header = lines[0].decode("utf-8")
    assert header == ",".join(f'"{h}"' for h in COLLECTOR_HEADERS)
    assert all(line.startswith(b'"') and line.endswith(b'"') for line in lines[:-1])


def test_asset_export_sample_is_gbk_with_semicolons():
    data = (SAMPLES / "asset_export.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    text = data.decode("gbk")
    assert text.splitlines()[0].split(";")[0].strip('"') == ASSET_COLUMNS["host"]
