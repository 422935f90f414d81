"""What each button sends to `ledger serve` and whether it changes the file (no UNO here).

The buttons themselves (tag, label, group, description) come from registry.json, generated from the one
action registry of the Excel ribbon, the WPS add-in and the page.  This table only says, per tag, which
service action runs and how: `question` marks a button that changes the file (the document is stored,
closed, written by the service and opened again); `body` names what is read from the selection.
"""
from __future__ import annotations

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def registry() -> dict:
    with open(os.path.join(HERE, "registry.json"), encoding="utf-8") as fh:
        return json.load(fh)


BEHAVIOUR = {
    "check": {"action": "check", "findings": "findings"},
    "validate": {"action": "annotate", "findings": "check.findings",
                 "question": "将按全部规则校验当前台账，标记有问题的单元格并重建「校验结果」表。"},
    "number": {"action": "number", "question": "将为附件7 中没有软件编号的行分配编号。"},
    "fix_blanks": {"action": "fix-blanks",
                   "question": "将清除 OEM软件、免费软件、受赠/调剂商业软件不应填写的栏目（原值记入「变更记录」）。"},
    "rollup": {"action": "rollup", "question": "将按附件9 截至今天的安装卸载记录重建附件8，并更新附件7 安装数量。"},
    "install": {"action": "install", "body": "requests", "kind": "安装"},
    "uninstall": {"action": "uninstall", "body": "requests", "kind": "卸载"},
    "upgrade": {"action": "upgrade", "body": "requests", "kind": "升级"},
    "renew": {"action": "renew",
              "question": "将把附件7 中备注“续订 原软件编号”的续订行所替代的许可的全部安装转到续订行（附件9 成对登记卸载和安装）。"},
    "print_slip": {"action": "print", "body": "slip_rows"},
    "print_form": {"action": "print", "body": "active_form"},
    "stats": {"action": "stats", "question": "将重建「附件5 信息统计表」（今年）。"},
    "plan": {"action": "plan", "question": "将根据附件3 需求申请计算许可缺口，把采购建议写入附件4。"},
    "overview": {"action": "overview", "question": "将重建「概览」工作表。"},
    "review": {"action": "review", "question": "将重建今年的「考核评议」工作表。"},
    "scan": {"action": "scan", "body": "scan_folder", "findings": "scan.findings",
             "question": "将用台账所在文件夹下「扫描结果」文件夹中的扫描文件核对台账，写入「校验结果」和「扫描建议」。"},
    "help": {"local": "help"},
    "about": {"local": "about"},
}


def writes(tag: str) -> bool:
    behaviour = BEHAVIOUR[tag]
    return "question" in behaviour or behaviour.get("body") == "requests"


def pick(body: dict, dotted: str):
    """body["check"]["findings"] for "check.findings" (None where a step is missing)."""
    value = body
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return value


def finding_line(finding: dict, shorten) -> str:
    severity = {"error": "错误", "warning": "警告"}.get(finding.get("severity"), finding.get("severity") or "")
    sheet = shorten(finding.get("sheet") or "")
    place = finding.get("cell") or ("第 %s 行" % finding["row"] if finding.get("row") else "")
    where = " ".join(x for x in (sheet, place) if x)
    message = finding.get("page_hint") or finding.get("message") or ""   # the hint worded for buttons, where given
    return "【%s】%s %s：%s" % (severity, where, finding.get("rule") or "", message)


def answer_lines(body: dict) -> list:
    lines = list(body.get("lines") or []) or [body.get("message") or "完成"]
    return lines + list(body.get("notes") or [])


def check_lines(body: dict) -> list:
    counts = body.get("counts") or {"error": 0, "warning": 0}
    head = "校验完成：%s 个错误，%s 个警告（%s，上次保存的内容）。" % (counts.get("error"), counts.get("warning"),
                                                         body.get("workbook"))
    if not body.get("findings"):
        return [head, "未发现问题。"]
    return [head, "点列表中的一行即选中该单元格。", "全部结果写入工作簿：点「校验并标记」（写入「校验结果」表并标记单元格）。"]

