"""The large unit, built once per parameter set and kept in benchmarks/cache/.

`ensure_unit` runs `ledger init --demo` (as a user would) and stores beside the workbook a small
JSON with its row counts and the 确认单号 to print.  `ensure_scans` adds a copy whose
「软件名称对照」 maps every 附件7 number, and one scan file per computer made from the live
installations at the unit's "today".
"""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
from pathlib import Path

from pydantic import BaseModel

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.config import CACHE, REPO, SCAN_ENTRIES, SCAN_FILES, SLIPS, UnitSpec


class UnitInfo(BaseModel):
    """A built unit: its file and what it holds."""

    spec: UnitSpec
    path: Path
    size_mb: float
    build_seconds: float
    staff: int
    computers: int
    software: int
    events: int
    a8_rows: int
    slips: int
    slip_ids: list[str]
    install_computer: str | None = None    # a computer 在用 and a commercial number 在用 for the one-row install
    install_software: str | None = None


def _meta_path(path: Path) -> Path:
    return path.with_suffix(".json")


def _count(spec: UnitSpec, path: Path, seconds: float) -> UnitInfo:
    from workbook_tools.core import schema
    from workbook_tools.read.reader import load_ledger

    ledger = load_ledger(path)
    slips = sorted(ledger.df(schema.A11)["确认单号"].dropna().unique().tolist())
    step = max(1, len(slips) // SLIPS)
    pcs, a7 = ledger.df(schema.COMPUTERS), ledger.df(schema.A7)
    computer = pcs.loc[pcs["状态"].eq("在用"), "计算机编号"].iloc[0]
    software = a7.loc[a7["状态"].eq("在用") & a7["软件类型"].eq("商业软件"), "软件编号"].iloc[0]
    return UnitInfo(spec=spec, path=path, size_mb=round(path.stat().st_size / 1e6, 1), build_seconds=round(seconds, 1),
                    staff=len(ledger.df(schema.STAFF)), computers=len(ledger.df(schema.COMPUTERS)),
                    software=len(ledger.df(schema.A7)), events=len(ledger.df(schema.A9)),
                    a8_rows=len(ledger.df(schema.A8)), slips=len(slips), slip_ids=slips[::step][:SLIPS],
                    install_computer=computer, install_software=software)


def _in_helper(step: str, spec: UnitSpec) -> None:
    """Run a building step in its own process, so that this one stays small: a child inherits its
    parent's peak memory in ru_maxrss (the old address space's high-water mark is kept at exec)."""
    subprocess.run([sys.executable, str(Path(__file__)), step, spec.model_dump_json()], cwd=REPO, check=True)


def ensure_unit(spec: UnitSpec, rebuild: bool = False, log=print) -> UnitInfo:
    """The unit of `spec`, built now (in a helper process) unless the cache holds it."""
    path = CACHE / f"{spec.key}.xlsx"
    meta = _meta_path(path)
    if rebuild or not (path.exists() and meta.exists()):
        log(f"生成测试台账 {path.name} …")
        _in_helper("unit", spec)
    info = UnitInfo.model_validate_json(meta.read_text(encoding="utf-8"))
    if len(info.slip_ids) != min(SLIPS, info.slips) or info.install_computer is None:   # counted by an older run
        _in_helper("count", spec)
        info = UnitInfo.model_validate_json(meta.read_text(encoding="utf-8"))
    return info


def build_unit(spec: UnitSpec) -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{spec.key}.xlsx"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "workbook_tools", "init", str(path), *spec.init_args()],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    info = _count(spec, path, time.perf_counter() - start)
    _meta_path(path).write_text(info.model_dump_json(indent=1), encoding="utf-8")


def recount_unit(spec: UnitSpec) -> None:
    """Count a cached unit again (its build time is kept)."""
    path = CACHE / f"{spec.key}.xlsx"
    old = UnitInfo.model_validate_json(_meta_path(path).read_text(encoding="utf-8"))
    _meta_path(path).write_text(_count(spec, path, old.build_seconds).model_dump_json(indent=1), encoding="utf-8")


# --- scans -----------------------------------------------------------------------------------------

FILLER = (  # components every Windows PC lists; the default rules of 软件名称对照 ignore them
    ("Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.{n}", "Microsoft Corporation"),
    ("Microsoft Visual C++ 2013 Redistributable (x86) - 12.0.{n}", "Microsoft Corporation"),
    ("Microsoft .NET Runtime - 6.0.{n} (x64)", "Microsoft Corporation"),
    ("Update for Windows 10 for x64-based Systems (KB50{n:05d})", "Microsoft Corporation"),
    ("Security Update for Microsoft Office 2016 (KB45{n:05d}) 32-Bit Edition", "Microsoft Corporation"),
    ("Intel(R) Chipset Device Software 10.1.{n}", "Intel Corporation"),
    ("Realtek High Definition Audio Driver 6.0.{n}", "Realtek Semiconductor Corp."),
    ("Microsoft Edge", "Microsoft Corporation"),
)
UNMAPPED = ("腾讯QQ", "9.7.{n}", "腾讯科技(深圳)有限公司")   # in every 10th file: a name no rule knows
HEADERS = ("计算机名", "DisplayName", "DisplayVersion", "Publisher", "InstallDate", "来源")


class ScanSet(BaseModel):
    ledger: Path
    folder: Path
    files: int
    entries: int
    rules: int


def display_name(name: str, kind: str, version: str | None) -> str:
    """The name a scan shows: free software by name only (versions share a number), others with their version."""
    return name if kind == "免费软件" or not version else f"{name} {version}"


def _name_rules(ledger) -> list[dict]:
    from workbook_tools.core import schema

    a7 = ledger.df(schema.A7)
    return [{"顺序": i, "匹配字段": "DisplayName", "匹配方式": "等于", "匹配内容": display_name(n, k, v), "动作": "对应",
             "软件编号": no, "备注": "性能测试"}
            for i, (no, n, k, v) in enumerate(zip(a7["软件编号"], a7["软件名称"], a7["软件类型"], a7["软件版本"]), 1)]


def _add_rules(path: Path, rules: list[dict]) -> None:
    from workbook_tools.core import schema
    from workbook_tools.files.writer import write_workbook
    from workbook_tools.core.model import Change

    def edit(book) -> list[Change]:
        rows = book.table(schema.NAME_MAP).append_rows(rules)
        return [Change(action="性能测试", sheet=schema.NAME_MAP, row=rows[0], content=f"对照规则 {len(rows)} 条")]

    write_workbook(path, edit, "性能测试")
    shutil.rmtree(path.parent / "备份", ignore_errors=True)


def _scan_rows(host: str, live, names: dict[str, str], i: int) -> list[tuple]:
    rows = [(host, names[no], ver or "", "", day.strftime("%Y%m%d"), "HKLM")
            for no, ver, day in zip(live["软件编号"], live["版本"], live["日期"]) if no in names]
    n = 0
    while len(rows) < SCAN_ENTRIES - 1:
        pattern, publisher = FILLER[n % len(FILLER)]
        rows.append((host, pattern.format(n=1000 + 7 * n + i % 50), "", publisher, "", "HKLM"))
        n += 1
    if i % 10 == 0:
        rows.append((host, UNMAPPED[0], UNMAPPED[1].format(n=i), UNMAPPED[2], "", "HKCU"))
    return rows


def _write_scans(info: UnitInfo, folder: Path) -> int:
    from workbook_tools.core import events, schema
    from workbook_tools.read.reader import load_ledger

    ledger = load_ledger(info.path)
    a7 = ledger.df(schema.A7)
    names = {no: display_name(n, k, v) for no, n, k, v in zip(a7["软件编号"], a7["软件名称"], a7["软件类型"], a7["软件版本"])}
    live = events.replay(ledger.df(schema.A9), info.spec.today).live
    hosts = sorted(live["计算机编号"].unique())
    chosen = hosts[:: max(1, len(hosts) // SCAN_FILES)][:SCAN_FILES]
    by_host = dict(tuple(live.groupby("计算机编号")))
    total = 0
    for i, host in enumerate(chosen):
        rows = _scan_rows(host, by_host[host], names, i)
        with (folder / f"{host}.csv").open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
            writer.writerow(HEADERS)
            writer.writerows(rows)
        total += len(rows)
    return total


def _scan_base(info: UnitInfo) -> Path:
    return info.path.with_name(info.path.stem + "-scan")


def ensure_scans(info: UnitInfo, log=print) -> ScanSet:
    """The scan ledger and folder of `info`'s unit, made now (in a helper process) unless cached."""
    meta = _scan_base(info).with_suffix(".json")
    if not meta.exists():
        log(f"生成扫描文件与对照规则 {meta.stem} …")
        _in_helper("scans", info.spec)
    return ScanSet.model_validate_json(meta.read_text(encoding="utf-8"))


def build_scans(info: UnitInfo) -> None:
    from workbook_tools.read.reader import load_ledger

    base = _scan_base(info)
    ledger_path, folder = base.with_suffix(".xlsx"), base.with_name(base.name + "s")
    shutil.copy2(info.path, ledger_path)
    rules = _name_rules(load_ledger(info.path))
    _add_rules(ledger_path, rules)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    entries = _write_scans(info, folder)
    scans = ScanSet(ledger=ledger_path, folder=folder, files=len(list(folder.glob("*.csv"))), entries=entries,
                    rules=len(rules))
    base.with_suffix(".json").write_text(scans.model_dump_json(indent=1), encoding="utf-8")


if __name__ == "__main__":   # the helper process of _in_helper: python unit.py unit|count|scans SPEC_JSON
    step, unit_spec = sys.argv[1], UnitSpec.model_validate_json(sys.argv[2])
    if step == "unit":
        build_unit(unit_spec)
    elif step == "count":
        recount_unit(unit_spec)
    else:
        build_scans(UnitInfo.model_validate_json(_meta_path(CACHE / f"{unit_spec.key}.xlsx").read_text(encoding="utf-8")))
