"""The write path under hostile conditions: concurrent writers, kill -9, a full disk, odd file identities."""
from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from builders import clean_unit, make_ledger
from test_extent import limited_cli, with_far_value

from workbook_tools.core import schema
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.files import safety
from workbook_tools.files.writer import write_workbook
from workbook_tools.read.reader import file_sha256, load_ledger

ROOT = Path(__file__).resolve().parents[1]
PCS = [f"PC-1{i:02d}" for i in range(6)]


def ledger_with_computers(folder: Path) -> Path:
    unit = clean_unit()
    common = {"计算机品牌": "联想", "设备类型": "台式机", "使用人": "张三", "使用部门": "办公室", "状态": "在用"}
    unit["计算机"] += [{"计算机编号": pc, **common} for pc in PCS]
    return make_ledger(folder, "台账.xlsx", **unit)


def cli(*args, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-m", "workbook_tools", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def install_args(path: Path, pc: str) -> list:
    return ["install", path, "--computer", pc, "--software", "MF-0001", "--date", "2026-02-01", "--unified",
            "--today", "2026-03-01"]


def leftovers(folder: Path) -> list[str]:
    names = [p.name for p in folder.iterdir()] + [p.name for p in (folder / safety.BACKUP_DIR).glob("*")
                                                   if (folder / safety.BACKUP_DIR).is_dir()]
    return sorted(n for n in names if n.startswith(".") and (".tmp" in n or n.endswith((".partial", ".lock"))
                                                            or ".stale" in n))


def note(text: str):
    def edit(book):
        book.table(schema.A7).set(2, "备注", text)
        return [Change(action="测试", sheet=schema.A7, row=2, content=text)]
    return edit


# --- concurrent writers ----------------------------------------------------------------------------

def test_concurrent_writers_never_lose_a_reported_change(tmp_path):
    path = ledger_with_computers(tmp_path)
    procs = [(pc, cli(*install_args(path, pc), cwd=tmp_path)) for pc in PCS]
    outcomes = [(pc, p.wait(timeout=180), p.stderr.read()) for pc, p in procs]
    log = load_ledger(path).df(schema.A9)
    installed = set(log.loc[log["软件编号"].eq("MF-0001"), "计算机编号"])
    for pc, code, err in outcomes:
        assert code in (0, 1, 2), err
        if code == 0:
            assert pc in installed
        else:
            assert pc not in installed
            lines = err.strip().splitlines()
            assert len(lines) == 1 and "Traceback" not in err and any("\u4e00" <= ch <= "\u9fff" for ch in lines[0])
    assert sum(code == 0 for _, code, _ in outcomes) >= 1
    assert leftovers(tmp_path) == []


def test_a_second_writer_waits_for_the_lock_then_refuses_a_stale_read(tmp_path, monkeypatch):
    path = ledger_with_computers(tmp_path)
    ledger = load_ledger(path)
    held = safety.WriteLock(path)
    held.__enter__()
    monkeypatch.setattr(safety, "LOCK_WAIT", 0.3)
    with pytest.raises(LedgerError) as err:
        write_workbook(path, note("等不到锁"), "测试", ledger=ledger)
    assert err.value.exit_code == 1 and "另一个 ledger 命令" in err.value.message
    held.__exit__(None, None, None)
    write_workbook(path, note("先写的"), "测试", ledger=ledger)
    with pytest.raises(LedgerError):                       # read before the first write: refused
        write_workbook(path, note("后写的"), "测试", ledger=ledger)
    assert load_ledger(path).df("7")["备注"].iloc[0] == "先写的"


def test_a_stale_lock_of_a_dead_process_is_taken_over_and_said(tmp_path):
    path = ledger_with_computers(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    safety.lock_path(path).write_text(f'{{"pid": {int(dead.stdout)}, "host": "{os.uname().nodename}", "time": 0}}')
    result = write_workbook(path, note("接管"), "测试")
    assert result.written and any("接管" in n for n in result.notes)
    assert not safety.lock_path(path).exists()


# --- kill -9 anywhere in the write -----------------------------------------------------------------

def test_kill_minus_nine_never_damages_the_ledger_and_the_next_run_cleans_up(tmp_path, monkeypatch):
    path = ledger_with_computers(tmp_path)
    rnd = random.Random(13)
    good = {file_sha256(path)}
    for i in range(12):
        pc = PCS[i % len(PCS)]
        proc = cli("uninstall" if i % 2 else "install", *install_args(path, pc)[1:], cwd=tmp_path)
        time.sleep(rnd.uniform(0.05, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        load_ledger(path)                                   # always a readable ledger ...
        good.add(file_sha256(path))
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None                     # ... and a whole zip
        for backup in safety.backups_of(path):
            with zipfile.ZipFile(backup) as zf:             # no partial backup under a backup's name
                assert zf.testzip() is None
    monkeypatch.setattr(safety, "ORPHAN_AGE", 0.0)
    monkeypatch.setattr(safety, "STALE_AFTER", 0.0)
    result = write_workbook(path, note("收尾"), "测试")
    assert result.written
    assert leftovers(tmp_path) == []


# --- a full disk, a read-only folder, a file that vanishes -----------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "小盘"
    mount.mkdir()
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root on Linux")
    mounted = []

    def make(size: int) -> Path:
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], capture_output=True)
        if result.returncode != 0:
            pytest.skip(f"tmpfs cannot be mounted here: {result.stderr.decode(errors='replace').strip()}")
        mounted.append(mount)
        return mount
    yield make
    for m in mounted:
        subprocess.run(["umount", str(m)], check=False)


def _fill_to(folder: Path, free: int) -> None:
    stats = os.statvfs(folder)
    spare = stats.f_bavail * stats.f_frsize - free
    if spare > 0:
        (folder / "占位").write_bytes(b"\0" * spare)


@pytest.mark.parametrize("room", ["no room for the new file", "no room for the backup"])
def test_a_full_disk_is_one_line_and_leaves_everything_as_it_was(tmp_path, small_disk, room):
    source = ledger_with_computers(tmp_path)
    size = source.stat().st_size
    disk = small_disk(size * 4 + (64 << 10))
    path = disk / source.name
    path.write_bytes(source.read_bytes())
    before = path.read_bytes()
    _fill_to(disk, size // 2 if room == "no room for the new file" else size + size // 2)
    with pytest.raises(LedgerError) as err:
        write_workbook(path, note("写不下"), "测试")
    assert "磁盘空间不足" in err.value.message and err.value.exit_code == 2
    assert path.read_bytes() == before
    assert leftovers(disk) == []
    assert safety.backups_of(path) == []


def test_a_read_only_folder_is_one_line(tmp_path, monkeypatch):
    path = ledger_with_computers(tmp_path)
    real_open = os.open

    def refuse(file, flags, *args, **kwargs):
        if str(file).endswith(".lock"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, flags, *args, **kwargs)
    monkeypatch.setattr(safety.os, "open", refuse)
    with pytest.raises(LedgerError) as err:
        write_workbook(path, note("只读"), "测试")
    assert "不可写" in err.value.message


def test_a_ledger_deleted_during_the_write_is_one_line(tmp_path):
    path = ledger_with_computers(tmp_path)

    def edit(book):
        path.unlink()
        return note("删除")(book)
    with pytest.raises(LedgerError) as err:
        write_workbook(path, edit, "测试")
    assert "删除或移动" in err.value.message
    assert leftovers(tmp_path) == []


# --- the file keeps its identity ---------------------------------------------------------------------

def test_permission_bits_survive_a_write(tmp_path):
    path = ledger_with_computers(tmp_path)
    os.chmod(path, 0o600)
    write_workbook(path, note("权限"), "测试")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_symlinked_ledger_updates_its_target(tmp_path):
    (tmp_path / "共享").mkdir()
    target = ledger_with_computers(tmp_path / "共享")
    link = tmp_path / "我的台账.xlsx"
    link.symlink_to(target)
    write_workbook(link, note("经链接"), "测试")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert load_ledger(target).df("7")["备注"].iloc[0] == "经链接"
    assert safety.backups_of(target)                       # the backup sits next to the real file


def test_hard_links_keep_seeing_the_same_file(tmp_path):
    path = ledger_with_computers(tmp_path)
    other = tmp_path / "另一个名字.xlsx"
    os.link(path, other)
    inode = path.stat().st_ino
    write_workbook(path, note("硬链接"), "测试")
    assert path.stat().st_ino == inode == other.stat().st_ino
    assert load_ledger(other).df("7")["备注"].iloc[0] == "硬链接"


def test_print_onto_the_ledger_through_a_link_is_refused(tmp_path, capsys):
    from builders import run_cli

    path = ledger_with_computers(tmp_path)
    link = tmp_path / "链接.xlsx"
    link.symlink_to(path)
    before = path.read_bytes()
    code, _, _ = run_cli(capsys, "print", "附件1", path, "-o", link, "--force")
    assert code in (1, 2) and path.read_bytes() == before


# --- a far stray cell in the user's own sheet --------------------------------------------------------

def test_a_write_next_to_a_far_cell_in_a_user_sheet_works_under_a_memory_limit(tmp_path):
    path = make_ledger(tmp_path, "台账.xlsx", **clean_unit())
    with_far_value(path, "我的统计", "XFD1048576")
    with zipfile.ZipFile(path) as zf:
        before = {n: zf.read(n) for n in zf.namelist()}
    proc = limited_cli("install", path.name, "--computer", "PC-002", "--software", "OEM-0001", "--date", "2026-02-01",
                       "--unified", "--today", "2026-03-01", "--force", "--reason", "测试", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(path) as zf:
        after = {n: zf.read(n) for n in zf.namelist()}
    user_parts = [n for n, data in before.items() if b"XFD1048576" in data]
    assert user_parts and all(after[n] == before[n] for n in user_parts)


def test_the_next_command_cleans_up_and_says_so_in_one_line(tmp_path, capsys):
    from builders import run_cli

    path = ledger_with_computers(tmp_path)
    orphan = path.with_name(f".{path.stem}.4242.1700000000000000000.tmp{path.suffix}")
    orphan.write_bytes(b"PK half")
    (tmp_path / safety.BACKUP_DIR).mkdir()
    partial = tmp_path / safety.BACKUP_DIR / f".{path.stem}.20260101-000000-000000{path.suffix}.4242.partial"
    partial.write_bytes(b"PK half")
    old = time.time() - 3600
    for p in (orphan, partial):
        os.utime(p, (old, old))
    code, _, err = run_cli(capsys, *install_args(path, PCS[0]))
    assert code == 0
    assert not orphan.exists() and not partial.exists()
    assert [line for line in err.splitlines() if line.startswith("提示：")] == [
        f"提示：已清理上次中断留下的临时文件 2 个：{orphan.name}、{partial.name}"]


class _FakeKernel32:
    """ReplaceFileW's contract as far as the call goes: (replaced, replacement, backup, flags, …) → BOOL."""

    def __init__(self, succeed: bool):
        self.succeed, self.calls = succeed, []

    def ReplaceFileW(self, replaced, replacement, backup, flags, exclude, reserved):  # noqa: N802 - the Win32 name
        self.calls.append((replaced, replacement, backup, flags))
        if not self.succeed:
            return 0
        os.replace(replacement, replaced)
        return 1


@pytest.mark.parametrize("succeed", [True, False])
def test_windows_replace_calls_replacefilew_with_the_original_first(tmp_path, monkeypatch, succeed):
    import ctypes
    import types

    kernel32 = _FakeKernel32(succeed)
    monkeypatch.setattr(ctypes, "windll", types.SimpleNamespace(kernel32=kernel32), raising=False)
    monkeypatch.setattr(safety.time, "sleep", lambda _s: None)
    original, temp = tmp_path / "台账.xlsx", tmp_path / ".台账.tmp"
    original.write_bytes(b"old")
    temp.write_bytes(b"new")
    assert safety._replace_file_w(temp, original) is succeed
    # the file that keeps its identity (ACL, owner) is the first argument; no backup file, IGNORE_MERGE_ERRORS
    assert kernel32.calls[0] == (str(original), str(temp), None, 0x2)
    assert len(kernel32.calls) == (1 if succeed else safety.REPLACE_RETRIES)
    assert original.read_bytes() == (b"new" if succeed else b"old")
