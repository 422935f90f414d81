"""`ledger bundle windows`: the offline bundle resolves every requirement for 64-bit Windows without an index.

The bundle is built once per session from PyPI (network, marker `network`); the wheels stay
in .cache/bundle-wheels (ignored by git), so a second run downloads nothing.  Everything after
the build is offline: `pip install --dry-run --no-index --find-links <bundle wheels>` for each
supported Python version, and the Windows-only requirements pip cannot see from Linux.
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from workbook_tools.dist import bundle
from workbook_tools.dist.lo import install as lo_install
from workbook_tools.dist.wheels import missing_on_windows

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "bundle-wheels"
FOLDER = bundle.FOLDER


def pip_environment() -> dict[str, str]:
    """No pip configuration of this machine (its local find-links would hide a missing wheel)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return env | {"PIP_CONFIG_FILE": os.devnull, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def pypi_reachable() -> bool:
    try:
        urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=15).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the zip, the folder it was extracted to)."""
    if not pypi_reachable():
        pytest.skip("PyPI is unreachable: the offline bundle is built from PyPI (wheels cached in .cache/)")
    out = tmp_path_factory.mktemp("bundle")
    path = out / "正版化台账离线安装包.zip"
    bundle.build_bundle(path, CACHE)
    with zipfile.ZipFile(path) as z:
        z.extractall(out / "x")
    return path, out / "x" / FOLDER




@pytest.mark.network
@pytest.mark.parametrize("version", bundle.PYTHON_VERSIONS)
def test_every_requirement_resolves_offline_for_windows(version: str, built, tmp_path: Path) -> None:
    _, folder = built
    args = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--find-links", str(folder / "wheels"),
            "--platform", "win_amd64", "--python-version", version, "--only-binary=:all:",
            "--target", str(tmp_path / "target"), "workbook_tools"]
    done = subprocess.run(args, capture_output=True, text=True, env=pip_environment(), check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Would install" in done.stdout and "workbook_tools-" in done.stdout.replace("workbook-tools-", "workbook_tools-")


@pytest.mark.network
@pytest.mark.parametrize("version", bundle.PYTHON_VERSIONS)
def test_windows_only_requirements_are_in_the_bundle(version: str, built) -> None:
    _, folder = built
    tag = f"cp{version.replace('.', '')}"
    wheels = [w for w in (folder / "wheels").glob("*.whl") if tag in w.name or "-none-any" in w.name or "abi3" in w.name]
    assert missing_on_windows(wheels, version) == []
    names = {w.name.split("-")[0].lower() for w in wheels}
    assert {"pywin32", "colorama", "xlwings", "workbook_tools"} <= names  # pywin32/colorama: Windows markers


@pytest.mark.network
def test_the_bundle_holds_scripts_addin_readme_and_checksums(built) -> None:
    path, folder = built
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(["安装.cmd", "卸载.cmd", "install.ps1", "uninstall.ps1", "说明.txt", "ledger.xlam",
                            "WPS加载项.cmd", "install-wps.ps1", "LibreOffice扩展.cmd", "install-lo.ps1", "bundle.json",
                            "wheels"])
    manifest = json.loads((folder / "bundle.json").read_text(encoding="utf-8"))
    for name, sha in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == sha, name
    assert len(manifest["files"]) == len(list((folder / "wheels").iterdir())) + 1
    import xlwings
    assert manifest["xlwings"] == xlwings.__version__ and manifest["python_versions"] == list(bundle.PYTHON_VERSIONS)
    assert manifest["python_installer"]["file"] not in names  # named, not included
    assert path.stat().st_size > 10_000_000


@pytest.mark.network
def test_scripts_are_in_the_encodings_windows_reads(built) -> None:
    _, folder = built
    for cmd in ("安装.cmd", "卸载.cmd", "WPS加载项.cmd", "LibreOffice扩展.cmd"):
        data = (folder / cmd).read_bytes()
        assert data.isascii() and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
        assert b"powershell.exe" in data and b"-ExecutionPolicy Bypass" in data
    for text in ("install.ps1", "uninstall.ps1", "说明.txt", "install-wps.ps1", "install-lo.ps1"):
        data = (folder / text).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")  # BOM: PowerShell 5.1, Notepad
        assert b"{{" not in data


@pytest.mark.network
def test_install_script_does_each_step(built) -> None:
    _, folder = built
    script = (folder / "install.ps1").read_text(encoding="utf-8-sig")
    installer = bundle.PythonInstaller()
    for needed in ("[Environment]::OSVersion.Version", "Get-FileHash", installer.sha256, installer.file,
                   "-m venv", "--no-index --find-links", "addin install --addin", "Unblock-File", "Get-Process -Name EXCEL"):
        assert needed in script, needed
    assert '"3.11,3.12,3.13"' in script
    for step in ("检查 Windows 版本", "查找 Python", "创建虚拟环境", "不联网", "XLSTART", "ledger.conf"):
        assert step in script


@pytest.mark.network
def test_readme_names_the_failure_cases_and_what_to_ask_it(built) -> None:
    _, folder = built
    readme = (folder / "说明.txt").read_text(encoding="utf-8-sig")
    for needed in ("Windows 7", "D4F940AB-401B-4EFC-AADC-AD5F3C50688A", "360", "天擎", "数字签名", "受保护的视图",
                   "受信任位置", "启用编辑", "宋体", bundle.PythonInstaller().sha256, "卸载.cmd"):
        assert needed in readme, needed


# --- offline: the Windows marker check itself -------------------------------------------------

def fake_wheel(folder: Path, name: str, version: str, requires: list[str]) -> Path:
    path = folder / f"{name}-{version}-py3-none-any.whl"
    meta = "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name}-{version}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{meta}")
    return path


def test_windows_markers_are_followed_that_pip_on_linux_skips(tmp_path: Path) -> None:
    pytest.importorskip("packaging")
    wheels = [fake_wheel(tmp_path, "workbook_tools", "0.1.0", ["xlwings>=0.33", "typer>=0.12"]),
              fake_wheel(tmp_path, "xlwings", "0.37.8", ['pywin32>=224; platform_system == "Windows"',
                                                         'appscript>=1.0.1; platform_system == "Darwin"',
                                                         'Jinja2; extra == "reports"']),
              fake_wheel(tmp_path, "typer", "0.15.0", ["click>=8", 'fonttools[woff]; python_version >= "3.12"']),
              fake_wheel(tmp_path, "click", "8.1.8", ["colorama; platform_system == 'Windows'"]),
              fake_wheel(tmp_path, "fonttools", "4.55.0", ['brotli>=1.0.1; extra == "woff"'])]
    assert missing_on_windows(wheels, "3.12") == ["brotli>=1.0.1", "colorama", "pywin32>=224"]
    assert missing_on_windows(wheels, "3.11") == ["colorama", "pywin32>=224"]
    wheels += [fake_wheel(tmp_path, "pywin32", "223", []), fake_wheel(tmp_path, "colorama", "0.4.6", [])]
    assert missing_on_windows(wheels, "3.11") == ["pywin32>=224"]  # too old a version counts as missing


@pytest.mark.network
def test_the_wps_add_in_installs_from_the_bundles_wheel(built) -> None:
    _, folder = built
    script = (folder / "install-wps.ps1").read_text(encoding="utf-8-sig")
    for needed in ("wps install --folder", "FolderBrowserDialog", "wscript.exe", "workbook-tools-serve.vbs"):
        assert needed in script, needed
    assert "wps uninstall" in (folder / "uninstall.ps1").read_text(encoding="utf-8-sig")
    own = next((folder / "wheels").glob("workbook_tools-*.whl"))
    with zipfile.ZipFile(own) as wheel:
        names = set(wheel.namelist())
    assert {"workbook_tools/dist/wps/addin/ribbon.xml", "workbook_tools/dist/wps/addin/index.html",
            "workbook_tools/dist/wps/addin/js/ribbon.js", "workbook_tools/dist/wps/addin/images/Help.svg"} <= names


@pytest.mark.network
def test_the_libreoffice_extension_installs_from_the_bundles_wheel(built) -> None:
    """LibreOffice扩展.cmd runs `ledger lo install` from the bundle's venv; the wheel carries the extension's sources
    and the login launcher the script starts is the one `ledger lo install` writes on Windows."""
    _, folder = built
    script = (folder / "install-lo.ps1").read_text(encoding="utf-8-sig")
    launcher = lo_install.layout("win32", {"APPDATA": "C:/u/AppData/Roaming", "LOCALAPPDATA": "C:/u/AppData/Local"})
    assert launcher.launcher is not None and launcher.record.name == "lo-install.json"
    for needed in ("lo install --folder", "FolderBrowserDialog", "Get-Process -Name soffice", "wscript.exe",
                   launcher.launcher.name):
        assert needed in script, needed
    uninstall = (folder / "uninstall.ps1").read_text(encoding="utf-8-sig")
    assert "lo uninstall" in uninstall and "lo-install.json" in uninstall
    assert "LibreOffice扩展.cmd" in (folder / "说明.txt").read_text(encoding="utf-8-sig")
    own = next((folder / "wheels").glob("workbook_tools-*.whl"))
    with zipfile.ZipFile(own) as wheel:
        names = set(wheel.namelist())
    assert {"workbook_tools/dist/lo/extension/description.xml", "workbook_tools/dist/lo/extension/Addons.xcu",
            "workbook_tools/dist/lo/extension/META-INF/manifest.xml"} <= names
