"""The pure logic of collectors/windows/collect.ps1, in Python, and the activator list it carries.

collect.ps1 reads CIM (SoftwareLicensingProduct / SoftwareLicensingService, Win32_Service), scheduled
tasks and files, then turns them into 激活 and 痕迹 rows (LEDGER_SPEC §9a) with a few functions that touch
nothing: Get-ChannelName, Get-KmsHost, Get-EditionText, ConvertTo-ActivationRows, Select-Traces.  This
module is the same logic line for line, so that tests can run it over recorded CIM output (the JSON of
`Get-CimInstance ... | ConvertTo-Json`) where PowerShell is not available; a test keeps the script's
tables (channel names, licence states) and its activator block equal to the ones here.
"""
from __future__ import annotations

import re
from pathlib import Path

from workbook_tools.scan.library import shipped_activators

WINDOWS_APP_ID = "55c92734-d682-4d71-983e-d6ec3f16059f"   # SoftwareLicensingProduct.ApplicationID of Windows and Office
CHANNEL_NAMES = {"OEM:DM": "OEM_DM", "OEM:SLP": "OEM_SLP", "OEM:COA": "OEM_COA", "OEM:NONSLP": "OEM_COA",
                 "Retail": "Retail", "Volume:MAK": "Volume:MAK", "Volume:GVLK": "Volume:GVLK",
                 "Volume:CSVLK": "Volume:KMS"}
DESCRIPTION_CHANNELS = {"OEM_DM": "OEM_DM", "OEM_SLP": "OEM_SLP", "OEM_COA_NSLP": "OEM_COA", "OEM_COA_SLP": "OEM_COA",
                        "RETAIL": "Retail", "VOLUME_MAK": "Volume:MAK", "VOLUME_KMSCLIENT": "Volume:GVLK",
                        "VOLUME_KMS": "Volume:KMS", "TIMEBASED_SUB": "Retail"}
LICENSE_STATES = {0: "未授权", 1: "已激活", 2: "宽限期", 3: "宽限期", 4: "非正版宽限期", 5: "通知期", 6: "延长宽限期"}
BEGIN, END = "# BEGIN ACTIVATORS", "# END ACTIVATORS"
PS1 = Path(__file__).resolve().parents[2] / "collectors" / "windows" / "collect.ps1"


def channel_name(key_channel: str | None, description: str | None) -> str:
    """ProductKeyChannel (Windows 8+) as §9a names it, else the channel word of the (unlocalised) Description."""
    if key_channel and key_channel in CHANNEL_NAMES:
        return CHANNEL_NAMES[key_channel]
    found = re.search(r"([A-Z_]+) channel", description or "")
    if found and found.group(1) in DESCRIPTION_CHANNELS:
        return DESCRIPTION_CHANNELS[found.group(1)]
    return key_channel or ""


def kms_host(product: dict, service: dict | None) -> str:
    """The KMS host a volume client activated against: set by hand (slmgr /skms) first, then discovered (DNS)."""
    service = service or {}
    for source in (product, service):
        for name_key, port_key in (("KeyManagementServiceMachine", "KeyManagementServicePort"),
                                   ("DiscoveredKeyManagementServiceMachineName",
                                    "DiscoveredKeyManagementServiceMachinePort")):
            host = (source.get(name_key) or "").strip()
            if host:
                port = source.get(port_key) or 0
                return f"{host}:{port}" if port and int(port) != 0 else host
    return ""


def edition_text(name: str, edition_id: str) -> str:
    """The edition a 激活 row shows: EditionID of the registry for Windows, the SKU of the licence name for Office."""
    if name.startswith("Windows"):
        if edition_id:
            return edition_id
        found = re.search(r"Windows\(R\)[^,]*, (\w+) edition", name)
        return found.group(1) if found else ""
    found = re.search(r"Office\d+(\w+?)(?:_|\s|$)", name)
    return found.group(1) if found else ""


def activation_rows(products: list[dict], service: dict | None, edition_id: str) -> list[dict]:
    """One row per product with a key installed (PartialProductKey): DisplayName Windows or the Office licence name."""
    rows = []
    for p in products:
        if (p.get("ApplicationID") or "").lower() != WINDOWS_APP_ID or not p.get("PartialProductKey"):
            continue
        name = p.get("Name") or ""
        shown = "Windows" if name.startswith("Windows") else name
        channel = channel_name(p.get("ProductKeyChannel"), p.get("Description"))
        kms = kms_host(p, service) if channel.startswith("Volume") else ""
        rows.append({"DisplayName": shown, "DisplayVersion": edition_text(name, edition_id),
                     "Publisher": "Microsoft Corporation", "来源": "激活", "许可通道": channel,
                     "激活状态": LICENSE_STATES.get(int(p.get("LicenseStatus") or 0), str(p.get("LicenseStatus"))),
                     "KMS主机": kms})
    return rows


def trace_rows(services: list[dict], tasks: list[dict], files_found: list[str]) -> list[dict]:
    """Services and scheduled tasks whose name holds an activator's name (服务/计划任务/名称 of the list)."""
    names = [a.text.casefold() for a in shipped_activators() if a.kind in ("服务", "计划任务", "名称")]
    rows = []
    for kind, items, keys in (("痕迹:服务", services, ("Name", "DisplayName", "PathName")),
                              ("痕迹:计划任务", tasks, ("TaskName", "TaskPath"))):
        for item in items:
            text = " ".join(str(item.get(k) or "") for k in keys).casefold()
            if any(n in text for n in names):
                rows.append({"DisplayName": item.get(keys[0]) or "", "来源": kind})
    rows += [{"DisplayName": f, "来源": "痕迹:文件"} for f in files_found]
    return rows


def activator_block() -> str:
    """The PowerShell lines between BEGIN/END ACTIVATORS: the names and files of library/activators.csv."""
    acts = shipped_activators()
    names = sorted({a.text for a in acts if a.kind in ("服务", "计划任务", "名称")}, key=str.casefold)
    files = [a.text for a in acts if a.kind == "文件"]
    quote = lambda s: "'" + s.replace("'", "''") + "'"   # noqa: E731
    lines = [f"{BEGIN} (generated from workbook_tools/scan/library/activators.csv: python -m workbook_tools.scan.collector)",
             "$ActivatorNames = @(", *(f"    {quote(n)}" for n in names), ")",
             "$ActivatorFiles = @(", *(f"    {quote(f)}" for f in files), ")", END]
    return "\r\n".join(lines)


def update_script(path: Path = PS1) -> bool:
    """Rewrite the activator block of collect.ps1 (UTF-8 with BOM, CRLF); True when it changed."""
    data = path.read_bytes()
    text = data[3:].decode("utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + activator_block() + text[end:]
    if new == text:
        return False
    path.write_bytes(b"\xef\xbb\xbf" + new.encode("utf-8"))
    return True


if __name__ == "__main__":
    print("已更新 collect.ps1 的激活工具列表" if update_script() else "collect.ps1 的激活工具列表已是最新")
