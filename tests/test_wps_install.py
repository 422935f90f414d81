"""`ledger wps install | uninstall | doctor` into a temporary home: exactly the files docs/wps.md names, merged
lists, idempotent, undone exactly; the login launcher's command really starts the service serving the add-in."""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from wpskit import ROOT

from workbook_tools.core.model import LedgerError
from workbook_tools.dist.wps import ADDIN_NAME, ADDIN_VERSION, KEY_FORM, autostart, plugins
from workbook_tools.dist.wps.install import install, layout, served_folder, uninstall

DOC = (ROOT / "docs" / "wps.md").read_text(encoding="utf-8")
OTHER = ('<?xml version="1.0" encoding="UTF-8"?>\n<jsplugins>\n  <!-- 另一个加载项 -->\n'
         '  <jsplugin name="other" type="wps" url="http://127.0.0.1:3889/" version="1.0.0"/>\n</jsplugins>\n')


def documented(platform: str) -> list[str]:
    block = re.search(rf"<!-- install-files: {platform} -->\s*```\n(.*?)```", DOC, re.S)
    assert block, platform
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def linux_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"HOME": str(home)}


def windows_env(tmp_path: Path) -> dict[str, str]:
    profile = tmp_path / "Users" / "张三"
    (profile / "AppData" / "Roaming").mkdir(parents=True, exist_ok=True)
    return {"APPDATA": str(profile / "AppData" / "Roaming"), "LOCALAPPDATA": str(profile / "AppData" / "Local"),
            "USERPROFILE": str(profile)}


def expand(entry: str, platform: str, env: dict[str, str]) -> tuple[Path, bool]:
    """A documented path as a real one, and whether it names a folder."""
    text = entry.replace("<版本>", ADDIN_VERSION)
    if platform == "linux":
        text = text.replace("~", env["HOME"], 1)
    else:
        text = text.replace("%APPDATA%", env["APPDATA"]).replace("%LOCALAPPDATA%", env["LOCALAPPDATA"]).replace("\\", "/")
    return Path(text.rstrip("/")), text.endswith("/")


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def installed(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("platform,make_env", [("linux", linux_env), ("win32", windows_env)])
def test_install_creates_exactly_the_documented_files_and_uninstall_removes_them(platform, make_env, tmp_path):
    env = make_env(tmp_path)
    folder = tmp_path / "台账"
    folder.mkdir()
    before = tree(tmp_path)
    record = install(folder, Path(sys.executable), platform=platform, env=env)
    doc = "linux" if platform == "linux" else "windows"
    expected = [expand(e, doc, env) for e in documented(doc)]
    assert {p for p, _ in expected} == installed(tmp_path)
    place = layout(platform, env)
    key = place.key_file.read_text()
    assert KEY_FORM.fullmatch(key) and record.url == f"http://127.0.0.1:{record.port}/wps/{key}/"
    for private in (place.key_file, place.record, place.jsaddons / "publish.xml", place.jsaddons / "jsplugins.xml"):
        assert private.stat().st_mode & 0o077 == 0, private   # they hold the key: the user's only
    assert record.folder == folder.resolve()
    assert record.lists == {str(place.jsaddons / "publish.xml"): True, str(place.jsaddons / "jsplugins.xml"): True}
    removed = uninstall(platform=platform, env=env)
    assert tree(tmp_path) == before and not removed.kept
    assert {p for p, _ in expected} == set(removed.removed)


def test_lists_of_other_add_ins_are_merged_kept_and_restored(tmp_path):
    env = linux_env(tmp_path)
    place = layout("linux", env)
    place.jsaddons.mkdir(parents=True)
    for name in plugins.LISTS:
        (place.jsaddons / name).write_text(OTHER, encoding="utf-8")
    other_addin = place.jsaddons / "other_1.0.0"
    other_addin.mkdir()
    (other_addin / "ribbon.xml").write_text("<customUI/>")
    first_record = install(tmp_path, Path(sys.executable), platform="linux", env=env)
    first = {n: (place.jsaddons / n).read_bytes() for n in plugins.LISTS}
    for name in plugins.LISTS:
        entries = plugins.entries(place.jsaddons / name)
        assert [e["name"] for e in entries] == ["other", ADDIN_NAME]
        ours = entries[1]
        assert ours["url"] == first_record.url and ours["type"] == "et"
        if name == "publish.xml":   # the online form of publish.xml
            assert ours["tag"] == "jspluginonline" and (ours["enable"], ours["install"]) == ("enable_dev", "null")
        else:
            assert ours["tag"] == "jsplugin" and ours["version"] == ADDIN_VERSION
    record = install(tmp_path, Path(sys.executable), platform="linux", env=env)   # again: the same bytes, key, port
    assert {n: (place.jsaddons / n).read_bytes() for n in plugins.LISTS} == first
    assert record.url == first_record.url and record.port == first_record.port
    assert set(record.lists.values()) == {False}
    removed = uninstall(platform="linux", env=env)
    assert {n: (place.jsaddons / n).read_text(encoding="utf-8") for n in plugins.LISTS} == dict.fromkeys(plugins.LISTS, OTHER)
    assert set(removed.kept) == {place.jsaddons / n for n in plugins.LISTS}
    assert (other_addin / "ribbon.xml").is_file() and not place.key_file.exists()


def test_an_offline_add_in_folder_of_an_older_version_is_removed(tmp_path):
    """Versions before the online add-in copied a folder into jsaddons (loaded from file://, origin null)."""
    from workbook_tools.dist.wps.build import build_addin

    env = linux_env(tmp_path)
    place = layout("linux", env)
    old = build_addin(place.jsaddons / "workbook-tools_0.0.9").path
    place.state.mkdir(parents=True)
    place.record.write_text(json.dumps({"version": "0.0.9", "addin": str(old), "lists": {"jsplugins.xml": True},
                                        "launcher": str(place.launcher), "folder": str(tmp_path), "command": [],
                                        "installed_at": "2026-01-01T00:00:00"}))
    record = install(tmp_path, Path(sys.executable), platform="linux", env=env)
    assert not old.exists() and record.addin is None
    assert record.lists[str(place.jsaddons / "jsplugins.xml")] is True    # still ours to delete


def test_a_broken_list_is_refused_and_left_alone(tmp_path):
    env = linux_env(tmp_path)
    place = layout("linux", env)
    place.jsaddons.mkdir(parents=True)
    (place.jsaddons / "jsplugins.xml").write_text("<jsplugins><oops></jsplugins>", encoding="utf-8")
    with pytest.raises(LedgerError, match="不是有效的 XML"):
        install(tmp_path, Path(sys.executable), platform="linux", env=env)
    assert (place.jsaddons / "jsplugins.xml").read_text(encoding="utf-8") == "<jsplugins><oops></jsplugins>"


def test_uninstall_without_an_install_says_so(tmp_path):
    with pytest.raises(LedgerError, match="没有找到") as refused:
        uninstall(platform="linux", env=linux_env(tmp_path))
    assert refused.value.exit_code == 1


def test_the_served_folder_defaults_to_the_current_folder_or_the_documents(tmp_path, monkeypatch):
    env = linux_env(tmp_path)
    home = Path(env["HOME"])
    work = tmp_path / "台账文件夹"
    work.mkdir()
    monkeypatch.chdir(work)
    assert served_folder(None, "linux", env, home) == work.resolve()
    (home / "文档").mkdir()
    monkeypatch.chdir(home)
    assert served_folder(None, "linux", env, home) == (home / "文档").resolve()
    with pytest.raises(LedgerError, match="不存在"):
        served_folder(tmp_path / "没有", "linux", env, home)
    with pytest.raises(LedgerError):
        layout("darwin", env)


def parse_exec(value: str) -> list[str]:
    """The Exec key of a desktop entry back into argv (Desktop Entry Specification: string escapes, then quoting)."""
    value = value.replace("%%", "\x00")
    unescaped = re.sub(r"\\(.)", lambda m: {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}.get(m.group(1), m.group(1)), value)
    args, current, quoted, i, started = [], "", False, 0, False
    while i < len(unescaped):
        c = unescaped[i]
        if quoted and c == "\\" and i + 1 < len(unescaped):
            current, i = current + unescaped[i + 1], i + 2
            continue
        if c == '"':
            quoted, started = not quoted, True
        elif c == " " and not quoted:
            if started or current:
                args.append(current)
            current, started = "", False
        else:
            current += c
        i += 1
    if started or current:
        args.append(current)
    return [a.replace("\x00", "%") for a in args]


def test_the_desktop_entry_round_trips_awkward_paths(tmp_path):
    argv = ["/opt/py thon/bin/python3", "-m", "workbook_tools", "serve", '/home/张三/台账 "2026" $HOME 100%', "a\\b`c"]
    entry = autostart.desktop_entry(argv)
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    assert parse_exec(exec_line[5:]) == argv
    assert "NoDisplay=true" in entry and "Terminal=false" in entry


def test_the_windows_launcher_runs_the_command_hidden(tmp_path):
    argv = [r"C:\Users\张三\AppData\Local\workbook_tools\venv\Scripts\python.exe", "-m", "workbook_tools", "serve",
            "--no-browser", "--info-file", r"C:\Users\张三\AppData\Roaming\kingsoft\wps\jsaddons\x\serve-info.js",
            r"D:\正版化台账 2026"]
    data = autostart.vbs_launcher(argv)
    assert data.startswith(b"\xff\xfe")   # UTF-16 LE with BOM: Windows Script Host reads the Chinese paths
    text = data[2:].decode("utf-16-le")
    run = re.search(r'^shell\.Run "(.*)", 0, False\r$', text, re.M)
    assert run and run.group(1).replace('""', '"') == subprocess.list2cmdline(argv)


def test_the_login_command_starts_the_service_for_the_add_in(tmp_path):
    env = linux_env(tmp_path)
    folder = tmp_path / "台账 文件夹"
    folder.mkdir()
    record = install(folder, Path(sys.executable), origins=("http://wps.local",), platform="linux", env=env)
    entry = record.launcher.read_text(encoding="utf-8")
    argv = parse_exec(next(line for line in entry.splitlines() if line.startswith("Exec="))[5:])
    assert argv == record.command and argv[-1] == str(folder.resolve()) and "--allow-origin" in argv
    key = layout("linux", env).key_file.read_text()
    assert key not in " ".join(argv)          # the key is read from its file, never on a command line
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "HOME": env["HOME"], "XDG_STATE_HOME": ""})
    info = Path(env["HOME"]) / ".local" / "state" / "workbook_tools" / "serve.json"
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith(f"http://127.0.0.1:{record.port}/?token=")
        deadline = time.monotonic() + 30
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert info.stat().st_mode & 0o077 == 0
        data = json.loads(info.read_text(encoding="utf-8"))
        assert data["url"] == url and data["roots"] == [str(folder.resolve())]
        with urllib.request.urlopen(record.url + "ribbon.xml", timeout=30) as answer:
            assert answer.status == 200 and "正版化台账" in answer.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def test_the_cli_installs_and_uninstalls(tmp_path):
    env = {**os.environ, **linux_env(tmp_path), "XDG_CONFIG_HOME": "", "XDG_STATE_HOME": ""}
    folder = tmp_path / "台账"
    folder.mkdir()
    run = [sys.executable, "-m", "workbook_tools", "wps"]
    done = subprocess.run([*run, "install", "--folder", str(folder)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    command = done.stdout.strip().splitlines()[-1].strip()
    assert shlex.split(command)[-1] == str(folder.resolve()) and "正版化台账" in done.stdout
    done = subprocess.run([*run, "uninstall"], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "已删除" in done.stdout, done.stderr
    done = subprocess.run([*run, "uninstall"], capture_output=True, text=True, env=env)
    assert done.returncode == 1 and done.stderr.startswith("错误：")
