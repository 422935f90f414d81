"""`ledger lo install | uninstall` with the real unopkg: the extension added to and removed from a LibreOffice
profile, the login launcher and the install record written and taken away."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lokit import UNOPKG, open_dir, unopkg_wrapper

from workbook_tools.dist.lo import IDENTIFIER

pytestmark = pytest.mark.skipif(UNOPKG is None or (os.geteuid() == 0 and shutil.which("setpriv") is None),
                                reason="needs LibreOffice's unopkg (and setpriv when run as root)")


def ledger(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbook_tools", "lo", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def listed(unopkg: Path, profile: Path) -> str:
    done = subprocess.run([str(unopkg), "list", f"-env:UserInstallation={profile.as_uri()}"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_install_adds_the_extension_and_uninstall_removes_everything(tmp_path):
    home, folder, profile = tmp_path / "home", tmp_path / "台账", open_dir("lo-profile-")
    folder.mkdir()
    unopkg = unopkg_wrapper(tmp_path)
    env = {**os.environ, "HOME": str(home)}
    env.pop("XDG_CONFIG_HOME", None), env.pop("XDG_STATE_HOME", None)
    try:
        done = ledger(env, "install", "--folder", str(folder), "--unopkg", str(unopkg), "--profile", str(profile))
        assert done.returncode == 0, done.stderr
        launcher = home / ".config" / "autostart" / "workbook-tools-lo-serve.desktop"
        record = home / ".local" / "state" / "workbook_tools" / "lo-install.json"
        assert sorted(p for p in home.rglob("*") if p.is_file()) == [launcher, record]
        assert f"Identifier: {IDENTIFIER}" in listed(unopkg, profile)
        exec_line = next(x for x in launcher.read_text(encoding="utf-8").splitlines() if x.startswith("Exec="))
        assert exec_line.endswith(f"serve --no-browser {folder}") or str(folder) in exec_line
        again = ledger(env, "install", "--folder", str(folder), "--unopkg", str(unopkg), "--profile", str(profile))
        assert again.returncode == 0, again.stderr                  # a second install replaces the first
        gone = ledger(env, "uninstall")
        assert gone.returncode == 0, gone.stderr
        assert IDENTIFIER not in listed(unopkg, profile)
        assert not [p for p in home.rglob("*") if p.is_file()]
        twice = ledger(env, "uninstall")
        assert twice.returncode == 1 and twice.stderr.startswith("错误：") and len(twice.stderr.splitlines()) == 1
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="unopkg's refusal of root")
def test_as_root_unopkgs_refusal_is_one_chinese_line(tmp_path):
    profile = open_dir("lo-profile-")
    try:
        done = ledger({**os.environ, "HOME": str(tmp_path)}, "install", "--folder", str(tmp_path), "--profile", str(profile))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert done.returncode == 2 and done.stderr.startswith("错误：") and "root" in done.stderr
    assert len(done.stderr.splitlines()) == 1
    assert not list(tmp_path.rglob("workbook-tools-lo-serve*")) and not list(tmp_path.rglob("lo-install.json"))


def test_a_missing_unopkg_is_one_chinese_line(tmp_path):
    done = ledger({**os.environ, "HOME": str(tmp_path)}, "install", "--folder", str(tmp_path),
                  "--unopkg", str(tmp_path / "没有"))
    assert done.returncode == 2 and done.stderr.startswith("错误：") and len(done.stderr.splitlines()) == 1
