"""The collectors we ship: the PowerShell script's encoding and contract, the Linux script run on fakes."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from workbook_tools.scan.files import COLLECTOR_HEADERS
from workbook_tools.tasks.scanning import read_scans

ROOT = Path(__file__).parent.parent / "collectors"
PS1 = ROOT / "windows" / "collect.ps1"
SH = ROOT / "linux" / "collect.sh"


def test_powershell_script_is_utf8_with_bom_for_windows_powershell_51():
    data = PS1.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")


def test_powershell_script_contract():
    text = PS1.read_bytes()[3:].decode("utf-8")
    assert "Win32_Product" not in text.replace("不使用 Win32_Product", "")
    for needed in (r"SOFTWARE\Microsoft\Windows\CurrentVersion\Uninstall",
                   r"SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall",
                   r"Software\Microsoft\Windows\CurrentVersion\Uninstall", "RegistryHive]::Users",
                   "SystemComponent", "ParentKeyName", "KB", "-NoTypeInformation", "-Encoding UTF8"):
        assert needed in text
    order = [text.index(f"'{h}'") for h in COLLECTOR_HEADERS]
    assert order == sorted(order)
    assert not re.search(r"\$profile\b", text, re.IGNORECASE)   # the automatic $PROFILE variable


def _fake_bin(folder: Path) -> None:
    folder.mkdir()
    (folder / "hostname").write_text("#!/bin/sh\necho kylin-pc03\n")
    (folder / "dpkg-query").write_text("""#!/bin/sh
if [ "$1" = "-W" ]; then
  printf 'wps-office\\t11.1.0.11720\\tKingsoft <wps@wps.cn>\\tii \\n'
  printf 'com.qianxin.tianqing\\t10.0.0.1000\\t奇安信 <support@qianxin.com>\\tii \\n'
  printf 'libc6\\t2.31\\tGNU Libc\\tii \\n'
  printf 'removed-app\\t1.0\\tNobody\\trc \\n'
  printf 'quoted\\t1.0\\tA "B" C\\tii \\n'
elif [ "$1" = "-S" ]; then
  shift
  for f in "$@"; do case "$f" in *wps*) echo "wps-office: $f" ;; esac; done
fi
""")
    for f in folder.iterdir():
        f.chmod(0o755)


@pytest.fixture
def fake_system(tmp_path):
    apps = tmp_path / "apps" / "com.qianxin.tianqing" / "entries" / "applications"
    apps.mkdir(parents=True)
    (apps / "tianqing.desktop").write_text(
        "[Desktop Entry]\nName=Tianqing\nName[zh_CN]=天擎终端安全管理系统\n[Desktop Action New]\nName[zh_CN]=新建\n")
    desktop = tmp_path / "desktop"
    desktop.mkdir()
    (desktop / "wps-office-prometheus.desktop").write_text("[Desktop Entry]\nName=WPS Office\r\n")
    _fake_bin(tmp_path / "bin")
    env = dict(os.environ, PATH=f"{tmp_path / 'bin'}:{os.environ['PATH']}", APPS_DIR=str(tmp_path / "apps"),
               DESKTOP_DIR=str(desktop))
    return tmp_path, env


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


@needs_bash
def test_linux_collector_writes_what_the_reader_reads(fake_system):
    tmp, env = fake_system
    out = tmp / "out"
    out.mkdir()
    subprocess.run(["bash", str(SH), "-o", str(out)], env=env, check=True, capture_output=True)
    target = out / "kylin-pc03.csv"
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    df = read_scans([target]).entries
    rows = {r["source"]: (r["name"], r["version"], r["publisher"]) for _, r in df.iterrows()}
    assert rows["dpkg:com.qianxin.tianqing"] == ("天擎终端安全管理系统", "10.0.0.1000", "奇安信 <support@qianxin.com>")
    assert rows["dpkg:wps-office"] == ("WPS Office", "11.1.0.11720", "Kingsoft <wps@wps.cn>")
    assert "操作系统" in rows and set(df["host"]) == {"kylin-pc03"}
    assert not {"dpkg:libc6", "dpkg:removed-app", "dpkg:quoted"} & set(rows)


@needs_bash
def test_linux_collector_all_packages(fake_system):
    tmp, env = fake_system
    target = tmp / "all.csv"
    subprocess.run(["bash", str(SH), "--all", "-o", str(target)], env=env, check=True, capture_output=True)
    df = read_scans([target]).entries
    sources = set(df["source"])
    assert {"dpkg:libc6", "dpkg:quoted"} <= sources and "dpkg:removed-app" not in sources
    assert df.loc[df["source"] == "dpkg:quoted", "publisher"].iloc[0] == 'A "B" C'


# --- the Windows collector's activation and trace logic, over recorded CIM output -------------------

import json  # noqa: E402

from builders import clean_unit, make_ledger  # noqa: E402

from workbook_tools.read.reader import load_ledger  # noqa: E402
from workbook_tools.scan import collector, reconcile  # noqa: E402

CIM = Path(__file__).parent / "data" / "cim"


def _collect(name: str) -> list[dict]:
    """What collect.ps1 emits for one recorded machine: activation rows, then traces."""
    cim = json.loads((CIM / name).read_text(encoding="utf-8"))
    rows = collector.activation_rows(cim["SoftwareLicensingProduct"], cim["SoftwareLicensingService"], cim["EditionID"])
    return rows + collector.trace_rows(cim["Win32_Service"], cim["ScheduledTask"], cim["FilesFound"])


def _ps1() -> str:
    return PS1.read_bytes()[3:].decode("utf-8")


def _table(name: str) -> dict:
    body = re.search(r"\$" + name + r" = @\{(.*?)\}", _ps1(), re.S).group(1)
    return {(int(k) if k.isdigit() else k.strip("'")): v for k, v in re.findall(r"('[^']+'|\d+) = '([^']*)'", body)}


def test_script_tables_are_the_tested_ones():
    assert _table("ChannelNames") == collector.CHANNEL_NAMES
    assert _table("DescriptionChannels") == collector.DESCRIPTION_CHANNELS
    assert _table("LicenseStates") == collector.LICENSE_STATES
    for function in ("Get-ChannelName", "Get-KmsHost", "Get-EditionText", "ConvertTo-ActivationRows", "Select-Traces"):
        assert f"function {function} {{" in _ps1()
    for cim_class in ("SoftwareLicensingProduct", "SoftwareLicensingService", "Win32_Service", "Get-ScheduledTask",
                      "Get-AppxPackage", r"Office\ClickToRun\Configuration", "EditionID"):
        assert cim_class in _ps1()
    assert "slmgr.vbs" not in _ps1() and "cscript" not in _ps1().lower()


def test_script_carries_the_library_activator_list():
    text = _ps1()
    block = text[text.index(collector.BEGIN):text.index(collector.END) + len(collector.END)]
    assert block == collector.activator_block()
    assert "'Service KMSELDI'" in block and "'%ProgramData%\\KMSAutoS\\KMSAuto Net.exe'" in block


def test_kmspico_machine():
    rows = _collect("kmspico.json")
    activation = [r for r in rows if r["来源"] == "激活"]
    assert [(r["DisplayName"], r["DisplayVersion"], r["许可通道"], r["激活状态"], r["KMS主机"]) for r in activation] == [
        ("Windows", "Professional", "Volume:GVLK", "已激活", "127.0.0.2:1688"),
        ("Office 16, Office16ProPlusVL_KMS_Client edition", "ProPlusVL", "Volume:GVLK", "已激活", "127.0.0.2:1688")]
    assert [(r["来源"], r["DisplayName"]) for r in rows if r["来源"] != "激活"] == [
        ("痕迹:服务", "Service KMSELDI"), ("痕迹:计划任务", "AutoPico Daily Restart"),
        ("痕迹:文件", "C:\\Program Files\\KMSpico\\KMSELDI.exe")]


def test_oem_windows_and_office_at_the_units_host():
    rows = _collect("oem_and_unit_kms.json")
    assert [(r["DisplayVersion"], r["许可通道"], r["激活状态"], r["KMS主机"]) for r in rows] == [
        ("CoreCountrySpecific", "OEM_DM", "已激活", ""), ("ProPlus2019VL", "Volume:GVLK", "通知期", "kms.ansz.gov.cn:1688")]


def test_windows_7_channel_from_the_description():
    [row] = _collect("win7_description_only.json")
    assert (row["DisplayVersion"], row["许可通道"]) == ("Professional", "Retail")


def _write_scan(path: Path, host: str, rows: list[dict]) -> Path:
    headers = (*COLLECTOR_HEADERS, "许可通道", "激活状态", "KMS主机")
    lines = [",".join(f'"{h}"' for h in headers)]
    for r in rows:
        cells = [host, *(r.get(h, "") for h in headers[1:])]
        lines.append(",".join('"' + str(c).replace('"', '""') + '"' for c in cells))
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def test_collected_rows_give_the_findings(tmp_path):
    """The recorded KMSpico machine as PC-001 and the clean OEM one as PC-002 of the clean unit."""
    unit = clean_unit()
    unit["设置"]["合法KMS主机"] = "kms.ansz.gov.cn"
    ledger = load_ledger(make_ledger(tmp_path, **unit))
    files = [_write_scan(tmp_path / "PC-001.csv", "PC-001", _collect("kmspico.json")),
             _write_scan(tmp_path / "PC-002.csv", "PC-002", _collect("oem_and_unit_kms.json"))]
    result, _ = reconcile(ledger, read_scans(files), dt.date(2026, 3, 1))
    piracy = [i for i in result.issues if i.finding.rule == "SCAN-PIRACY"]
    assert len([i for i in piracy if i.computer == "PC-001"]) == 3     # the tool, Windows and Office at 127.0.0.2
    # PC-002: OEM Windows is fine; Office activates at the unit's own host, but this unit bought no volume
    # licence of Office (附件7): that alone is evidence
    [office] = [i.finding.message for i in piracy if i.computer == "PC-002"]
    assert "Office 的批量许可" in office and "不是本单位的 KMS 主机" not in office


@needs_bash
def test_linux_collector_reads_the_app_store(fake_system):
    tmp, env = fake_system
    store = tmp / "apps" / "com.qq.weixin.deepin"
    store.mkdir(parents=True)
    (store / "info").write_text('{\n  "appid": "com.qq.weixin.deepin",\n  "name": "WeChat",\n'
                                '  "version": "3.2.1.154deepin14",\n  "arch": ["amd64"]\n}\n')
    target = tmp / "store.csv"
    subprocess.run(["bash", str(SH), "-o", str(target)], env=env, check=True, capture_output=True)
    df = read_scans([target]).entries
    row = df[df["source"] == "应用商店:com.qq.weixin.deepin"].iloc[0]
    assert (row["name"], row["version"]) == ("WeChat", "3.2.1.154deepin14")
    # 天擎 is known to dpkg: listed once, as a package, not again from the store
    assert (df["source"] == "应用商店:com.qianxin.tianqing").sum() == 0


def _ps_brackets(text: str) -> list[str]:
    """The brackets of a PowerShell script outside strings and comments, in order (a parse PowerShell
    would refuse shows as an unbalanced list; PowerShell itself is not available on every test machine)."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if text.startswith("<#", i):
            i = text.index("#>", i) + 2
        elif ch == "#":
            i = text.find("\n", i) if "\n" in text[i:] else len(text)
        elif ch == "'":
            i += 1
            while not (text[i] == "'" and text[i + 1:i + 2] != "'"):
                i += 2 if text[i:i + 2] == "''" else 1
            i += 1
        elif ch == '"':
            i += 1
            while text[i] != '"' or text[i + 1:i + 2] == '"':
                i += 2 if text[i] == "`" or text[i:i + 2] == '""' else 1
            i += 1
        elif ch == "`":
            i += 2
        else:
            if ch in "(){}[]":
                out.append(ch)
            i += 1
    return out


def test_powershell_brackets_balance():
    stack = []
    pairs = {")": "(", "}": "{", "]": "["}
    for b in _ps_brackets(_ps1()):
        if b in pairs:
            assert stack and stack.pop() == pairs[b]
        else:
            stack.append(b)
    assert stack == []
