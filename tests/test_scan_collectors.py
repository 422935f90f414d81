"""The collectors we ship: the PowerShell script's encoding and contract, the Linux script run on fakes."""
from __future__ import annotations

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
