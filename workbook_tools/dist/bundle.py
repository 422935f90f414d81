"""`ledger bundle windows`: one zip that installs the tool and the add-in on a Windows PC without internet.

Built on any machine that reaches PyPI.  The zip holds, under one folder:

* ``wheels/`` — win_amd64 wheels of workbook_tools and every requirement, for each supported
  Python version, fetched by ``pip download --platform win_amd64 --python-version X
  --only-binary=:all:``.  pip evaluates environment markers for the machine it runs on,
  not for the target (``pywin32; platform_system == "Windows"`` would be left out on
  Linux), so the requirements of every wheel are read again with a Windows environment
  and what is missing is downloaded too, until nothing is;
* ``ledger.xlam`` — the add-in, built from the same xlwings version the wheels pin;
* ``安装.cmd`` / ``卸载.cmd`` calling ``install.ps1`` / ``uninstall.ps1`` (Windows PowerShell 5.1);
* ``WPS加载项.cmd`` calling ``install-wps.ps1``: ``ledger wps install`` for a folder the user picks, and the
  service started at once (the WPS add-in itself is package data of the workbook_tools wheel);
* ``LibreOffice扩展.cmd`` calling ``install-lo.ps1``: the same for LibreOffice Calc (``ledger lo install``: the
  extension, built from the wheel's ``lo/`` sources, added by LibreOffice's own unopkg);
* ``说明.txt`` — steps, failure cases and what to ask the IT department;
* ``bundle.json`` — versions, the Python installer expected beside the scripts (name,
  size, SHA-256; python.org's installer is not on the package registries) and every file's SHA-256.

The scripts and the data folder have ASCII names, so an unzip tool that garbles the
Chinese names does not break the installation.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

from workbook_tools import __version__
from workbook_tools.core.model import LedgerError
from workbook_tools.dist.excel.addin import build_addin
from workbook_tools.dist.wheels import missing_on_windows

# The wheels' Python versions (64-bit CPython).  Not 3.10: the add-in's VBA must match the xlwings version
# of the wheels, and xlwings 0.37.1 and later require Python 3.11.
PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
PLATFORM = "win_amd64"
FOLDER = "正版化台账离线安装包"


class PythonInstaller(BaseModel):
    """python.org's Windows installer the scripts run when no supported Python is installed."""

    version: str = "3.12.10"   # the last 3.12 release with a Windows installer; Windows 8.1 and later
    file: str = "python-3.12.10-amd64.exe"
    size: int = 26964224
    sha256: str = "67b5635e80ea51072b87941312d00ec8927c4db9ba18938f7ad2d27b328b95fb"
    url: str = "https://www.python.org/ftp/python/3.12.10/python-3.12.10-amd64.exe"


class BundleReport(BaseModel):
    path: Path
    wheels: list[str]
    python_versions: list[str]
    xlwings_version: str
    size: int


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, encoding="utf-8", errors="replace", check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise LedgerError(f"{what}失败：{' '.join(tail)}（需要能访问 PyPI）", 2)


def project_root() -> Path:
    """The source checkout the command runs in (the wheel of workbook_tools is built from it)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise LedgerError("ledger bundle 需要在 workbook_tools 的源代码目录中运行（找不到 pyproject.toml），"
                          "或用 --wheel 指定本工具的 wheel", 2)
    return root


def build_wheel(out: Path) -> Path:
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(project_root())],
         "构建 workbook_tools 的 wheel ")
    found = sorted(out.glob("workbook_tools-*.whl"))
    if not found:
        raise LedgerError("构建 workbook_tools 的 wheel 失败：没有生成 .whl 文件", 2)
    return found[-1]


def download(requirements: list[str], version: str, dest: Path, cache: Path, constraints: Path) -> None:
    """Windows wheels of `requirements` and their dependencies for CPython `version`, into `dest`."""
    args = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
            "--dest", str(dest), "--find-links", str(cache), "--constraint", str(constraints),
            "--platform", PLATFORM, "--python-version", version, "--implementation", "cp",
            "--only-binary=:all:", *requirements]
    _run(args, f"下载 Python {version} 的 Windows 依赖包")
    for wheel in dest.glob("*.whl"):
        if not (cache / wheel.name).exists():
            shutil.copyfile(wheel, cache / wheel.name)


def collect_wheels(own: Path, cache: Path, work: Path, versions: tuple[str, ...]) -> list[Path]:
    """Every wheel the supported versions need on Windows: pip's resolution, then the Windows-only markers."""
    import xlwings  # noqa: PLC0415 - the add-in's VBA and the xlwings wheel must be the same version

    constraints = work / "constraints.txt"
    constraints.write_text(f"xlwings=={xlwings.__version__}\n", encoding="utf-8")
    cache.mkdir(parents=True, exist_ok=True)
    chosen: dict[str, Path] = {}
    for version in versions:
        dest = work / f"py{version}"
        dest.mkdir()
        requirements = [str(own)]
        for _ in range(5):
            download(requirements, version, dest, cache, constraints)
            missing = missing_on_windows(sorted(dest.glob("*.whl")), version)
            if not missing:
                break
            requirements = [str(own), *missing]
        else:
            raise LedgerError(f"Python {version} 的 Windows 依赖无法补齐：{'、'.join(missing)}", 2)
        chosen.update({w.name: w for w in dest.glob("*.whl")})
    return [chosen[name] for name in sorted(chosen)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _text(name: str, **values: str) -> bytes:
    """A script or text of resources/bundle/ with {{placeholders}} filled, CRLF, BOM for PowerShell/Notepad."""
    text = (resources.files("workbook_tools.dist") / "resources" / "bundle" / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    if name.endswith(".cmd"):
        return text.encode("ascii")  # cmd.exe reads a batch file in the OEM code page: keep it ASCII
    return ("\ufeff" + text).encode("utf-8")


def _manifest(wheels: list[Path], addin: Path, versions: tuple[str, ...], xlwings_version: str) -> dict:
    return {"workbook_tools": __version__, "built": dt.date.today().isoformat(), "platform": PLATFORM,
            "python_versions": list(versions), "xlwings": xlwings_version,
            "python_installer": PythonInstaller().model_dump(),
            "files": {f"wheels/{w.name}": _sha256(w) for w in wheels} | {"ledger.xlam": _sha256(addin)}}


def _placeholders(versions: tuple[str, ...]) -> dict[str, str]:
    installer = PythonInstaller()
    return {"VERSIONS": ",".join(versions), "VERSIONS_TEXT": "、".join(versions),
            "PY_FILE": installer.file, "PY_SHA256": installer.sha256, "PY_VERSION": installer.version,
            "PY_SIZE": str(installer.size), "PY_URL": installer.url, "TOOL_VERSION": __version__}


def write_zip(output: Path, wheels: list[Path], addin: Path, versions: tuple[str, ...], xlwings_version: str) -> None:
    values = _placeholders(versions)
    texts = {"安装.cmd": "install.cmd", "卸载.cmd": "uninstall.cmd", "install.ps1": "install.ps1",
             "uninstall.ps1": "uninstall.ps1", "说明.txt": "readme.txt",
             "WPS加载项.cmd": "install-wps.cmd", "install-wps.ps1": "install-wps.ps1",
             "LibreOffice扩展.cmd": "install-lo.cmd", "install-lo.ps1": "install-lo.ps1"}
    staged = output.with_name(output.name + ".tmp")
    with zipfile.ZipFile(staged, "w", zipfile.ZIP_DEFLATED) as z:
        for target, source in texts.items():
            z.writestr(f"{FOLDER}/{target}", _text(source, **values))
        z.write(addin, f"{FOLDER}/ledger.xlam")
        for wheel in wheels:
            z.write(wheel, f"{FOLDER}/wheels/{wheel.name}", compress_type=zipfile.ZIP_STORED)  # already compressed
        manifest = _manifest(wheels, addin, versions, xlwings_version)
        z.writestr(f"{FOLDER}/bundle.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    staged.replace(output)


def build_bundle(output: Path, cache: Path, wheel: Path | None = None,
                 versions: tuple[str, ...] = PYTHON_VERSIONS) -> BundleReport:
    """Build the offline bundle at `output` (written atomically); wheels are kept in `cache` between runs."""
    if output.suffix.lower() != ".zip":
        raise LedgerError(f"安装包文件名应以 .zip 结尾：{output}", 2)
    if not output.resolve().parent.is_dir():
        raise LedgerError(f"目标文件夹不存在：{output.parent}", 2)
    with tempfile.TemporaryDirectory(prefix="ledger-bundle-") as tmp:
        work = Path(tmp)
        own = wheel.resolve() if wheel else build_wheel(work / "own")
        wheels = collect_wheels(own, cache, work, versions)
        built = build_addin(work / "ledger.xlam")
        write_zip(output, wheels, built.path, versions, built.xlwings_version)
    return BundleReport(path=output.resolve(), wheels=[w.name for w in wheels], python_versions=list(versions),
                        xlwings_version=built.xlwings_version, size=output.stat().st_size)
