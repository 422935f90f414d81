"""Finding codes of the scan reconciliation (LEDGER_SPEC §9, plus SCAN-RULE-INVALID)."""
from __future__ import annotations

from workbook_tools.core.model import Finding, Severity
from workbook_tools.rules.registry import RuleSpec

E, W = Severity.ERROR, Severity.WARNING

UNREGISTERED = "SCAN-UNREGISTERED"
MISSING = "SCAN-MISSING"
UNMAPPED = "SCAN-UNMAPPED"
UNKNOWN_COMPUTER = "SCAN-UNKNOWN-COMPUTER"
VERSION = "SCAN-VERSION"
UNLICENSED = "SCAN-UNLICENSED"
NOT_SCANNED = "SCAN-NOT-SCANNED"
RULE_INVALID = "SCAN-RULE-INVALID"   # an addition (docs/scan.md 「对规范的补充」)
FILE_UNREADABLE = "SCAN-FILE-UNREADABLE"   # an addition: one scan file could not be read, the others are
FREE_NOT_LISTED = "SCAN-FREE-NOT-LISTED"   # §9a
PERSONAL_EDITION = "SCAN-PERSONAL-EDITION"
IRRELEVANT = "SCAN-IRRELEVANT"
PIRACY = "SCAN-PIRACY"
EDITION = "SCAN-EDITION"

_SPECS = (
    RuleSpec(UNREGISTERED, E, "scan", "扫描发现安装，台账无安装记录（私自安装）"),
    RuleSpec(MISSING, W, "scan", "台账记录已安装，扫描未发现"),
    RuleSpec(UNMAPPED, W, "scan", "扫描到的软件名称，识别库和对照规则都不认识"),
    RuleSpec(UNKNOWN_COMPUTER, W, "scan", "扫描文件的计算机不在「计算机」登记表中"),
    RuleSpec(VERSION, W, "scan", "安装的版本与台账记录不同"),
    RuleSpec(UNLICENSED, E, "scan", "扫描发现的安装超过许可数量或许可已到期"),
    RuleSpec(NOT_SCANNED, W, "scan", "在用计算机没有扫描结果"),
    RuleSpec(RULE_INVALID, W, "scan", "「软件名称对照」中的规则无效"),
    RuleSpec(FILE_UNREADABLE, E, "scan", "扫描文件无法读取（其余文件照常核对）"),
    RuleSpec(PIRACY, E, "scan", "盗版激活迹象（激活工具痕迹、非本单位 KMS 主机、无批量许可的批量激活）"),
    RuleSpec(PERSONAL_EDITION, E, "scan", "单位计算机上安装了仅限个人使用的版本"),
    RuleSpec(FREE_NOT_LISTED, E, "scan", "安装了未列入附件6 的免费软件"),
    RuleSpec(IRRELEVANT, W, "scan", "安装了与工作无关的软件"),
    RuleSpec(EDITION, W, "scan", "激活的版本与许可的版本不同"),
)
SPECS: dict[str, RuleSpec] = {s.code: s for s in _SPECS}
CODES: tuple[str, ...] = tuple(SPECS)

# The clause each kind rests on and one line of advice: the text report, the 检查通报 and the page show them.
CLAUSE: dict[str, str] = {
    UNREGISTERED: "安装维护管理规定 一.1；台账管理规定 三.4",
    MISSING: "台账管理规定 三.4",
    UNMAPPED: "日常使用管理规定 四.2",
    UNKNOWN_COMPUTER: "台账管理规定 二.2",
    VERSION: "台账管理规定 三.4、三.5",
    UNLICENSED: "配置管理规定 一.1",
    NOT_SCANNED: "日常使用管理规定 四.1",
    RULE_INVALID: "日常使用管理规定 四.2",
    FILE_UNREADABLE: "日常使用管理规定 四.2",
    PIRACY: "配置管理规定 一.1",
    PERSONAL_EDITION: "配置管理规定 一.1",
    FREE_NOT_LISTED: "配置管理规定 一.2、二.2",
    IRRELEVANT: "配置管理规定 一.2",
    EDITION: "配置管理规定 一.1；台账管理规定 三.4",
}
ADVICE: dict[str, str] = {
    UNREGISTERED: "核实来源：经批准的补登附件9（ledger scan --propose），未经批准的卸载",
    MISSING: "核实后补登卸载记录（附件9）",
    UNMAPPED: "在「软件名称对照」或台账旁的「软件识别库.csv」中补充规则",
    UNKNOWN_COMPUTER: "在「计算机」表登记这台计算机，或在其「主机名」栏填写扫描中的名称",
    VERSION: "按软件类型登记升级或更正附件9 的版本",
    UNLICENSED: "卸载超出许可的安装，或补充采购、续期许可",
    NOT_SCANNED: "在这些计算机上运行采集脚本，补交扫描结果",
    RULE_INVALID: "改正「软件名称对照」中的该行规则",
    FILE_UNREADABLE: "重新采集该计算机的扫描文件",
    PIRACY: "立即卸载激活工具、恢复正版激活（本单位 KMS、MAK 或 OEM），并检查该计算机上的其他软件",
    PERSONAL_EDITION: "卸载个人版，改装本单位已采购的版本（如 WPS 专业版/政务版），或采购单位授权",
    FREE_NOT_LISTED: "确属工作需要的列入附件6 并登记附件7/附件9，否则卸载",
    IRRELEVANT: "卸载与工作无关的软件",
    EDITION: "核实激活所用的密钥与附件7 登记的许可是否一致，更正台账或改用所购版本的密钥",
}


def make(code: str, message: str, sheet: str | None = None, row: int | None = None, column: str | None = None,
         cell: str | None = None, scan_file: str | None = None, scan_line: int | None = None) -> Finding:
    """A finding of `code` with its fixed severity."""
    return Finding(rule=code, severity=SPECS[code].severity, sheet=sheet, row=row, column=column, cell=cell,
                   message=message, scan_file=scan_file, scan_line=scan_line)
