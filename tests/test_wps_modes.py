"""Each way a WPS build finds add-ins, against a fake WPS installation in a temporary home and root:

* Windows personal builds (current ones with the listV3/pool store too): publish.xml in jsaddons;
* Linux (Kylin, UOS): jsplugins.xml in jsaddons;
* 政务版/企业版: the list oem.ini's JSPluginsServer names — written when the user may, else a line for IT;
* blocked third-party add-ins (jsaddinblockhost.ini) or JS add-ins switched off: one Chinese line, and the
  browser page opens instead.

`ledger wps install` writes the entries; the login launcher's command starts the service; the fake WPS
(tests/wps_harness.js) reads the list its mode reads, fetches the add-in from the url it finds there and
clicks 校验台账 — the same findings as `ledger check`.
"""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from servekit import TODAY, copy, demo, plant
from wpskit import NODE, Service, run

from workbook_tools.dist.wps import ADDIN_NAME, plugins, probe
from workbook_tools.dist.wps.install import doctor, install, layout, uninstall

OTHER = ('<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n'
         '  <jsplugin name="other" type="wps" url="http://10.0.0.1/other/" version="1.0.0"/>\n</jsplugins>\n')
needs_node = pytest.mark.skipif(NODE is None, reason="needs node (20 or later)")


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    path = demo(tmp_path_factory.mktemp("demo") / "台账.xlsx")
    plant(path)
    return path


def windows(tmp_path: Path, version: str = "12.1.0.16910", listv3: bool = True) -> dict[str, str]:
    profile = tmp_path / "Users" / "张三"
    env = {"APPDATA": str(profile / "AppData" / "Roaming"), "LOCALAPPDATA": str(profile / "AppData" / "Local"),
           "USERPROFILE": str(profile), "ProgramFiles(x86)": str(tmp_path / "Program Files (x86)")}
    (Path(env["LOCALAPPDATA"]) / "Kingsoft" / "WPS Office" / version / "office6" / "cfgs").mkdir(parents=True)
    if listv3:
        (Path(env["APPDATA"]) / "kingsoft" / "wps" / "addons" / "listV3" / "win-i386").mkdir(parents=True)
        (Path(env["APPDATA"]) / "kingsoft" / "wps" / "addons" / "pool" / "win-i386").mkdir(parents=True)
    return env


def linux(tmp_path: Path) -> tuple[dict[str, str], Path]:
    home, root = tmp_path / "home", tmp_path / "root"
    home.mkdir()
    (root / "opt" / "kingsoft" / "wps-office" / "office6" / "cfgs").mkdir(parents=True)
    return {"HOME": str(home), "XDG_CONFIG_HOME": "", "XDG_STATE_HOME": ""}, root


def oem_ini(office6: Path, text: str) -> Path:
    path = office6 / "cfgs" / "oem.ini"
    path.write_text(text, encoding="utf-8")
    return path


def served(tmp_path: Path, source: Path) -> tuple[Path, Path]:
    folder = tmp_path / "台账文件夹"
    folder.mkdir()
    return folder, copy(source, folder / "台账.xlsx")


def click_check(record, env: dict, wps: dict, ledger: Path, tmp_path: Path) -> dict:
    """The service started by the login command; the fake WPS finds the add-in in its list and clicks 校验台账."""
    service = Service(argv=record.command, env={**env, "HOME": env.get("HOME") or str(tmp_path)})
    try:
        out = run(wps, tmp_path, ledger, "check", today=TODAY.isoformat())
    finally:
        service.stop()
    expected = json.loads(subprocess.run([sys.executable, "-m", "workbook_tools", "check", str(ledger), "--format", "json",
                                          "--today", TODAY.isoformat()], capture_output=True, text=True).stdout)
    assert out["url"] == record.url and out["result"]["ok"] is True
    assert out["pane"]["findings"] == expected["findings"] and expected["findings"]
    return out


# --- the install modes, end to end ------------------------------------------------------------------

@needs_node
def test_windows_personal_and_current_builds_read_publish_xml(source, tmp_path):
    env = windows(tmp_path)
    folder, ledger = served(tmp_path, source)
    record = install(folder, Path(sys.executable), platform="win32", env=env)
    found = probe.probe("win32", env)
    assert found.version == "12.1.0.16910" and found.listv3 is not None and found.blocked_reason() is None
    assert record.blocked is None
    wps = {"platform": "win32", "jsaddons": str(found.jsaddons)}
    out = click_check(record, {}, wps, ledger, tmp_path)
    assert out["list"] == str(found.jsaddons / "publish.xml") and out["entry"].startswith("<jspluginonline")


@needs_node
def test_kylin_and_uos_read_jsplugins_xml(source, tmp_path):
    env, root = linux(tmp_path)
    folder, ledger = served(tmp_path, source)
    record = install(folder, Path(sys.executable), platform="linux", env=env, root=root)
    found = probe.probe("linux", env, root)
    assert found.office6 == root / "opt/kingsoft/wps-office/office6" and found.blocked_reason() is None
    out = click_check(record, env, {"platform": "linux", "jsaddons": str(found.jsaddons)}, ledger, tmp_path)
    assert out["list"] == str(found.jsaddons / "jsplugins.xml") and out["entry"].startswith("<jsplugin ")


@needs_node
def test_a_managed_build_reads_the_list_oem_ini_names(source, tmp_path):
    """政务版/企业版: oem.ini's JSPluginsServer names a local list the user may write: our entry joins the others."""
    env, root = linux(tmp_path)
    managed = tmp_path / "单位配置" / "jsplugins.xml"
    managed.parent.mkdir()
    managed.write_text(OTHER, encoding="utf-8")
    office6 = root / "opt/kingsoft/wps-office/office6"
    ini = oem_ini(office6, f"[Setup]\nBUILD_VERSION=11.8.2.1132\n[Support]\nJsApiPlugin=true\n"
                           f"[Server]\nJSPluginsServer={managed.as_uri()}\n")
    folder, ledger = served(tmp_path, source)
    record = install(folder, Path(sys.executable), platform="linux", env=env, root=root)
    found = probe.probe("linux", env, root)
    assert found.version == "11.8.2.1132" and found.jsapi is True and found.managed_list == managed
    assert str(managed) in record.lists and record.lists[str(managed)] is False
    assert [e["name"] for e in plugins.entries(managed)] == ["other", ADDIN_NAME]
    out = click_check(record, env, {"platform": "linux", "jsaddons": str(found.jsaddons), "oemIni": str(ini)},
                      ledger, tmp_path)
    assert out["list"] == str(managed)
    uninstall(platform="linux", env=env)
    assert managed.read_text(encoding="utf-8") == OTHER      # the others' entries, byte for byte


# --- when the buttons cannot appear ------------------------------------------------------------------

@pytest.mark.parametrize("case", ["remote list", "read-only list", "js off", "blocked"])
def test_a_build_that_cannot_show_the_buttons_is_named_in_one_line(case, tmp_path):
    env, root = linux(tmp_path)
    office6 = root / "opt/kingsoft/wps-office/office6"
    if case == "remote list":
        oem_ini(office6, "[Server]\nJSPluginsServer=http://oa.example.gov.cn/wps/jsplugins.xml\n")
    elif case == "read-only list":
        locked = tmp_path / "locked"
        locked.mkdir()
        (locked / "jsplugins.xml").write_text(OTHER, encoding="utf-8")
        (locked / "jsplugins.xml").chmod(stat.S_IRUSR)
        locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
        oem_ini(office6, f"[Server]\nJSPluginsServer={locked / 'jsplugins.xml'}\n")
    elif case == "js off":
        oem_ini(office6, "[Support]\nJsApiPlugin=false\n")
    else:
        block = Path(env["HOME"]) / ".local/share/Kingsoft/wps/jsaddons/jsaddinblockhost.ini"
        block.parent.mkdir(parents=True)
        block.write_text("[blockhost]\net=1\n")
    if case == "read-only list" and os.access(tmp_path / "locked" / "jsplugins.xml", os.W_OK):
        pytest.skip("running as a user who may write any file")
    folder = tmp_path / "台账"
    folder.mkdir()
    record = install(folder, Path(sys.executable), platform="linux", env=env, root=root)
    assert record.blocked and "\n" not in record.blocked
    verdict = next(line for line in doctor("linux", env, root) if line.startswith("结论"))
    assert verdict.startswith("结论：按钮不会出现") and record.blocked in verdict
    if case == "read-only list":
        assert (tmp_path / "locked" / "jsplugins.xml").read_text(encoding="utf-8") == OTHER
        (tmp_path / "locked").chmod(stat.S_IRWXU)


def test_the_cli_opens_the_browser_page_when_the_buttons_cannot_appear(tmp_path):
    """`ledger wps install` on a blocked WPS: one line, the service started, the browser sent to the page."""
    env, _ = linux(tmp_path)
    block = Path(env["HOME"]) / ".local/share/Kingsoft/wps/jsaddons/jsaddinblockhost.ini"
    block.parent.mkdir(parents=True)
    block.write_text("[blockhost]\net=1\n")
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.py"
    browser.write_text(f"import sys\nopen({str(opened)!r}, 'w').write(sys.argv[1])\n")
    folder = tmp_path / "台账"
    folder.mkdir()
    full = {**os.environ, **env, "BROWSER": f"{sys.executable} {browser} %s"}
    done = subprocess.run([sys.executable, "-m", "workbook_tools", "wps", "install", "--folder", str(folder)],
                          capture_output=True, text=True, env=full, timeout=120)
    record = layout("linux", env).record
    port = json.loads(record.read_text())["port"]
    try:
        assert done.returncode == 0, done.stderr
        warning = [line for line in done.stdout.splitlines() if "按钮不会出现" in line]
        assert len(warning) == 1 and "jsaddinblockhost.ini" in warning[0] and "已在浏览器中打开台账网页" in done.stdout
        url = opened.read_text()
        assert url == json.loads(record.read_text())["url"] + "open"
        with urllib.request.urlopen(url, timeout=30) as page:     # follows 303 to /?token=…: the page itself
            assert page.status == 200 and "软件正版化台账" in page.read().decode()
            assert page.url.startswith(f"http://127.0.0.1:{port}/?token=")
    finally:
        info = Path(env["HOME"]) / ".local/state/workbook_tools/serve.json"
        pid = json.loads(info.read_text())["pid"] if info.exists() else None
        if pid:
            os.kill(pid, 15)


def test_doctor_names_version_lists_store_and_trust(tmp_path):
    env = windows(tmp_path, "12.1.0.26200")
    jsaddons = Path(env["APPDATA"]) / "kingsoft" / "wps" / "jsaddons"
    jsaddons.mkdir(parents=True)
    (jsaddons / "authaddin.json").write_text(json.dumps({ADDIN_NAME: {"enable": True, "isload": False}}))
    lines = "\n".join(doctor("win32", env))
    assert "12.1.0.26200" in lines and "listV3" in lines and "不再读取 jsplugins.xml" in lines
    assert '"isload": false' in lines and "未安装" in lines
    install(tmp_path / "Users", Path(sys.executable), platform="win32", env=env)
    lines = "\n".join(doctor("win32", env))
    assert "本机服务：未运行" in lines and "登记缺失" not in lines
    (jsaddons / "publish.xml").write_text("<jsplugins/>")
    assert "登记缺失" in "\n".join(doctor("win32", env))
