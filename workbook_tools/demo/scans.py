"""Scan files for the demo unit (`ledger init --demo` writes them to 扫描结果/ beside the ledger).

Every computer in use gets the file its collector would write on `today`: what 附件9 says is installed
there, under the names real installers put in the Uninstall registry (or the Linux desktop entries),
runtimes and drivers around them, and the Windows/Office activation rows.  A few computers carry what
an inspection is for: 迅雷 (free, not on 附件6), WPS Office 个人版, a game, the KMSpico activator, and a
Windows activated at a public KMS host.  Pure: rows in, file contents out.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from workbook_tools.core import events, schema
from workbook_tools.core.ledger import Ledger

LEGAL_KMS = "kms.ansz.gov.cn"
FOREIGN_KMS = "kms.03k.org:1688"
HEADER = ("计算机名", "DisplayName", "DisplayVersion", "Publisher", "InstallDate", "来源", "许可通道", "激活状态", "KMS主机")
MS = "Microsoft Corporation"
HKLM, WOW, HKCU = "HKLM", "HKLM\\WOW6432Node", "HKCU(ANSZ\\{user})"

# 附件7 软件名称 -> (DisplayName as installers write it, Publisher, DisplayVersion or None: the ledger's 版本)
WINDOWS_NAMES = {
    "Microsoft Office 专业增强版": ("Microsoft Office 专业增强版 {v} - zh-cn", MS, "16.0.10406.20006"),
    "Microsoft Office LTSC 专业增强版": ("Microsoft Office LTSC 专业增强版 {v} - zh-cn", MS, "16.0.14332.20615"),
    "Microsoft Office 家庭和学生版": ("Microsoft Office 家庭和学生版 {v} - zh-cn", MS, "16.0.17126.20132"),
    "Microsoft Visio 专业版": ("Microsoft Visio 专业版 {v} - zh-cn", MS, "16.0.10406.20006"),
    "Microsoft Project 专业版": ("Microsoft Project 专业版 {v} - zh-cn", MS, "16.0.10406.20006"),
    "WPS Office 2019 专业版": ("WPS Office 2019 专业版", "Zhuhai Kingsoft Office Software Co.,Ltd", "11.8.2.12085"),
    "奇安信天擎终端安全管理系统": ("天擎终端安全管理系统", "奇安信科技集团股份有限公司", None),
    "中望CAD 专业版": ("中望CAD {v} 简体中文", "ZWSOFT CO., LTD.(Guangzhou)", None),
    "AutoCAD": ("AutoCAD {v} - 简体中文 (Simplified Chinese)", "Autodesk", None),
    "浩辰CAD": ("浩辰CAD {v}", "苏州浩辰软件股份有限公司", None),
    "Adobe Acrobat Pro DC": ("Adobe Acrobat DC (64-bit)", "Adobe", None),
    "福昕高级PDF编辑器 专业版": ("福昕高级PDF编辑器", "福建福昕软件开发股份有限公司", None),
    "7-Zip 压缩软件": ("7-Zip {v} (x64)", "Igor Pavlov", None),
    "福昕PDF阅读器": ("福昕PDF阅读器", "福建福昕软件开发股份有限公司", None),
    "搜狗输入法": ("搜狗输入法 {v}正式版", "Sogou.com", None),
    "360安全浏览器": ("360安全浏览器", "360安全中心", None),
    "Mozilla Firefox 延长支持版": ("Mozilla Firefox ESR (x64 zh-CN)", "Mozilla", None),
    "Google Chrome 浏览器": ("Google Chrome", "Google LLC", None),
    "Notepad++ 文本编辑器": ("Notepad++ (64-bit x64)", "Notepad++ Team", None),
    "向日葵远程控制": ("向日葵远程控制", "上海贝锐信息科技股份有限公司", None),
}
NOISE_WINDOWS = (
    ("Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.38.33130", "14.38.33130.0", MS, WOW),
    ("Microsoft Visual C++ 2015-2022 Redistributable (x86) - 14.38.33130", "14.38.33130.0", MS, WOW),
    ("Microsoft Visual C++ 2010  x86 Redistributable - 10.0.40219", "10.0.40219", MS, WOW),
    ("Microsoft .NET Runtime - 6.0.25 (x64)", "48.103.20937", MS, HKLM),
    ("Microsoft Edge", "120.0.2210.91", MS, WOW),
    ("Microsoft Edge WebView2 Runtime", "120.0.2210.91", MS, WOW),
    ("Microsoft Update Health Tools", "5.72.0.0", MS, HKLM),
    ("Intel(R) Management Engine Components", "2040.100.0.1029", "Intel Corporation", WOW),
    ("Realtek High Definition Audio Driver", "6.0.9235.1", "Realtek Semiconductor Corp.", WOW),
    ("Lenovo Vantage Service", "3.13.43.0", "Lenovo Group Ltd.", HKLM),
    ("龙脉mToken GM3000 驱动", "1.1.18.1012", "龙脉科技", WOW),
)
EDITION_IDS = (("专业工作站", "ProfessionalWorkstation"), ("家庭中文", "CoreCountrySpecific"), ("家庭", "Core"),
               ("专业", "Professional"), ("企业", "Enterprise"), ("标准", "ServerStandard"))
OFFICE_SKUS = (("LTSC", "ProPlus2021VL", "Office16ProPlus2021VL_KMS_Client_AE"),
               ("专业增强", "ProPlus2019VL", "Office16ProPlus2019VL_KMS_Client_AE"),
               ("家庭和学生", "HomeStudent2019R", "Office16HomeStudent2019R_OEM"))
GAME = ("英雄联盟", "", "腾讯科技(深圳)有限公司", WOW)
THUNDER = ("迅雷", "11.4.9.2066", "深圳市迅雷网络技术有限公司", WOW)
WPS_PERSONAL = ("WPS Office (11.1.0.14309)", "11.1.0.14309", "Kingsoft Corp.")
KMSPICO = (("Service KMSELDI", "痕迹:服务"), ("AutoPico Daily Restart", "痕迹:计划任务"),
           ("C:\\Program Files\\KMSpico\\KMSELDI.exe", "痕迹:文件"))


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _row(host: str, name: str, version: str = "", publisher: str = "", date: str = "", source: str = HKLM,
         channel: str = "", state: str = "", kms: str = "") -> tuple[str, ...]:
    return (host, name, version, publisher, date, source, channel, state, kms)


def _installed(host: str, name: str, version: str, day: str, windows: bool) -> tuple[str, ...]:
    if not windows:   # the collector shows the desktop entry's name and the dpkg package
        package = LINUX_PACKAGES.get(name, "".join(c for c in name.lower() if c.isascii() and c.isalnum()) or "app")
        return _row(host, name, version, "", day, f"dpkg:{package}")
    shown, publisher, build = WINDOWS_NAMES.get(name, (f"{name} {{v}}", "", None))
    display = shown.format(v=version).strip()
    return _row(host, display, build or version, publisher, day, WOW)


def _activation(host: str, os_name: str, office: str | None, kms_host: str | None) -> list[tuple[str, ...]]:
    edition = next((e for word, e in EDITION_IDS if word in os_name), "Professional")
    if kms_host:
        rows = [_row(host, "Windows", edition, MS, "", "激活", "Volume:GVLK", "已激活", kms_host)]
    else:
        rows = [_row(host, "Windows", edition, MS, "", "激活", "OEM_DM", "已激活")]
    if office:
        sku = next((s for s in OFFICE_SKUS if s[0] in office), OFFICE_SKUS[1])
        volume = "VL" in sku[1]
        rows.append(_row(host, f"Office 16, {sku[2]} edition", sku[1], MS, "", "激活",
                         "Volume:GVLK" if volume else "OEM_DM", "已激活", f"{LEGAL_KMS}:1688" if volume else ""))
    return rows


def _linux_os(host: str, os_name: str) -> tuple[str, ...]:
    """/etc/os-release PRETTY_NAME of 麒麟/统信, desktop or server."""
    server = "服务器" in os_name
    if "麒麟" in os_name:
        pretty = "Kylin Linux Advanced Server V10 (Sword)" if server else "Kylin V10 SP1"
    else:
        pretty = "UnionTech OS Server 20" if server else "UOS Desktop 20 Professional"
    return _row(host, pretty, "V10" if "麒麟" in os_name else "20", "", "", "操作系统")


LINUX_PACKAGES = {"WPS Office 2019 专业版": "wps-office-pro", "奇安信天擎终端安全管理系统": "com.qianxin.tianqing",
                  "搜狗输入法": "sogoupinyin", "福昕PDF阅读器": "com.foxit.reader", "数科OFD阅读器": "suwell-reader",
                  "达梦数据库管理系统": "dm8", "360安全浏览器": "browser360-cn-stable"}


def demo_scans(ledger: Ledger, today: dt.date) -> dict[str, bytes]:
    """File name -> content of every demo scan file (UTF-8 with BOM, CRLF, every field quoted)."""
    computers = ledger.df(schema.COMPUTERS)
    computers = computers[computers["计算机编号"].notna()].drop_duplicates("计算机编号").set_index("计算机编号")
    software = ledger.df(schema.A7).drop_duplicates("软件编号").set_index("软件编号")
    live = events.live_installations(ledger.df(schema.A9), today)
    by_pc = {pc: group for pc, group in live.groupby("计算机编号", sort=True)}
    pcs = [pc for pc in sorted(in_use(computers, today).index) if pc in by_pc]
    windows_pcs = [pc for pc in pcs if _os_name(by_pc[pc], software).startswith("Windows")]
    roles = ("thunder", "personal", "game", "kmspico", "foreign", "thunder2")
    step = max(1, len(windows_pcs) // (len(roles) + 1))
    planted = dict(zip(roles, windows_pcs[step - 1::step]))
    return {f"{pc}.csv": _file(pc, by_pc[pc], software, today, _role(pc, planted), computers.loc[pc, "使用人"])
            for pc in pcs}


def in_use(computers: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Computers in use on `day`: not 报废 (by state or date), enabled by then (as the scan counts them)."""
    stamp = pd.Timestamp(day)
    scrapped = (computers["状态"] == "报废") | (computers["报废日期"].notna() & (computers["报废日期"] <= stamp))
    enabled = computers["启用日期"].isna() | (computers["启用日期"] <= stamp)
    return computers[~scrapped & enabled]


def _role(pc: str, planted: dict[str, str]) -> str:
    return next((role.rstrip("2") for role, who in planted.items() if who == pc), "")


def _os_name(group: pd.DataFrame, software: pd.DataFrame) -> str:
    for number in group["软件编号"]:
        if number in software.index and software.loc[number, "软件类别"] == "操作系统":
            return _text(software.loc[number, "软件名称"])
    return "Windows"


def _file(pc: str, group: pd.DataFrame, software: pd.DataFrame, today: dt.date, role: str, user: object) -> bytes:
    day = today.strftime("%Y%m%d")
    os_name = _os_name(group, software)
    windows = os_name.startswith("Windows")
    rows: list[tuple[str, ...]] = [_row(pc, f"Microsoft {os_name}", "10.0.19045", MS, "", "操作系统") if windows
                                   else _linux_os(pc, os_name)]
    office = None
    for number, version in zip(group["软件编号"], group["版本"]):
        if number not in software.index:
            continue
        name = _text(software.loc[number, "软件名称"])
        if software.loc[number, "软件类别"] == "操作系统":
            continue
        office = name if "Office" in name and "WPS" not in name else office
        rows.append(_installed(pc, name, _text(version) or _text(software.loc[number, "软件版本"]), day, windows))
    if windows:
        rows += [_row(pc, n, v, p, day, s) for n, v, p, s in NOISE_WINDOWS]
        rows += _planted(pc, role, _text(user) or "user")
        rows += _activation(pc, os_name, office, FOREIGN_KMS if role == "foreign" else None)
    lines = [",".join(f'"{c}"' for c in HEADER)]
    lines += [",".join('"' + c.replace('"', '""') + '"' for c in row) for row in rows]
    return b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _planted(pc: str, role: str, user: str) -> list[tuple[str, ...]]:
    if role == "thunder":
        return [_row(pc, *THUNDER[:3], "", THUNDER[3])]
    if role == "personal":
        return [_row(pc, *WPS_PERSONAL, "", HKCU.format(user=user))]
    if role == "game":
        return [_row(pc, *GAME[:3], "", GAME[3])]
    if role == "kmspico":
        return [_row(pc, name, source=source) for name, source in KMSPICO]
    return []
