"""The synthetic unit of `ledger init --demo`: shape, internal consistency, determinism, a clean check."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from workbook_tools import demo
from workbook_tools.core import presets, schema
from workbook_tools.core.ledger import ROW, Ledger
from workbook_tools.core.model import LedgerError
from workbook_tools.files.create import build_workbook
from workbook_tools.read.reader import load_ledger

TODAY = dt.date(2026, 11, 26)
SMALL = {"staff": 80, "computers": 40, "software": 20, "years": 2}


def make_demo(path: Path, **options) -> tuple[Path, str]:
    wb = build_workbook()
    summary = demo.fill(wb, demo.DemoSpec(today=TODAY, **options))
    wb.save(path)
    return path, summary


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[Path, str]:
    return make_demo(tmp_path_factory.mktemp("demo") / "demo.xlsx")


@pytest.fixture(scope="module")
def ledger(made) -> Ledger:
    return load_ledger(made[0])


def events(ledger: Ledger) -> pd.DataFrame:
    return ledger.df(schema.A9).sort_values(["日期", ROW], kind="stable")


def test_summary_names_the_unit(made):
    assert "示例市行政审批局" in made[1] and "安装维护记录" in made[1]


def test_registers_have_the_expected_size(ledger):
    staff, pcs = ledger.df(schema.STAFF), ledger.df(schema.COMPUTERS)
    assert len(ledger.df(schema.DEPTS)) == len(presets.DEPARTMENTS)
    assert len(staff) == 200 and staff["姓名"].is_unique
    assert 0 < (staff["状态"] == "调离").sum() < 20
    assert staff.loc[staff["状态"] == "在职", "承诺书签署日期"].notna().all()
    assert (staff["使用计算机"] == "是").mean() > 0.85
    assert len(pcs) == 250 and pcs["计算机编号"].is_unique
    assert set(pcs["设备类型"]) == set(schema.DEVICE_TYPES)
    assert (pcs["状态"] == "报废").sum() > 5
    assert set(pcs.loc[pcs["设备类型"] == "服务器", "使用部门"]) == {"网络平台处"}
    assert {"联想", "华为", "清华同方", "长城", "戴尔", "惠普"} <= set(pcs["计算机品牌"])
    assert [tuple(r) for r in ledger.df(schema.A1)[["职务", "姓名", "单位职务"]].itertuples(index=False)] == \
        list(presets.LEADING_GROUP)


def test_settings_describe_the_unit(ledger):
    s = ledger.settings
    assert s["单位名称"] == "示例市行政审批局" and s["负责部门"] == "网络平台处"
    assert all(s[k] for k in ("填表人", "联系电话", "负责部门负责人", "负责部门电话", "负责部门传真"))
    assert s["上次半年更新日期"] == TODAY.isoformat() and s["上次半年更新期间"] == "2026年下半年"


def test_computers_in_use_belong_to_staff_in_their_department(ledger):
    staff = ledger.df(schema.STAFF).set_index("姓名")
    pcs = ledger.df(schema.COMPUTERS)
    live = pcs[pcs["状态"] == "在用"]
    assert (staff.loc[live["使用人"], "状态"] == "在职").all()
    assert (staff.loc[pcs["使用人"], "部门"].to_numpy() == pcs["使用部门"].to_numpy()).all()
    dead = pcs[pcs["状态"] == "报废"]
    assert dead["报废日期"].notna().all() and pcs.loc[pcs["状态"] == "在用", "报废日期"].isna().all()


def test_software_numbers_types_and_blank_fields(ledger):
    a7 = ledger.df(schema.A7)
    prefixes = {"商业软件": "SY", "OEM软件": "OEM", "免费软件": "MF"}
    assert len(a7) == 30 and a7["软件编号"].is_unique
    assert all(re.fullmatch(prefixes[t] + r"-\d{4}", n) for n, t in zip(a7["软件编号"], a7["软件类型"]))
    counts = a7["软件类型"].value_counts()
    assert counts["商业软件"] >= 10 and counts["OEM软件"] >= 4 and counts["免费软件"] >= 8
    licence = ["采购时间", "采购金额", "许可类型", "许可数量", "可使用版本", "许可期限", "序列号"]
    assert a7.loc[a7["软件类型"] != "商业软件", licence].isna().all().all()
    assert a7.loc[a7["软件类型"] == "免费软件", "软件版本"].isna().all()
    assert a7[["软件类别", "产地", "获取方式"]].notna().all().all()
    gifts = a7[a7["获取方式"].isin(["受赠", "调剂"])]
    assert len(gifts) >= 2 and gifts[["采购时间", "采购金额"]].isna().all().all()
    assert gifts[["许可类型", "许可数量"]].notna().all().all()
    assert a7["许可类型"].eq("场地授权").any()
    assert set(a7.loc[a7["软件类型"] == "免费软件", "软件编号"]) == set(ledger.df(schema.A6)["软件编号"])


def test_upgrade_is_an_uninstall_and_an_install_on_one_day(ledger):
    log = ledger.df(schema.A9)
    ups = log[log["备注"].fillna("").str.startswith("升级：SY-") & log["申请编号"].notna()]
    assert len(ups) >= 2
    pair = ups[ups["申请编号"] == ups["申请编号"].iloc[0]]
    old, new = pair["备注"].iloc[0].removeprefix("升级：").split("→")
    assert set(zip(pair["操作"], pair["软件编号"])) == {("卸载", old), ("安装", new)}
    assert pair["日期"].nunique() == 1 and pair["计算机编号"].nunique() == 1
    assert (ledger.df(schema.A10).set_index("申请编号").loc[pair["申请编号"].iloc[0], "申请类型"]) == "升级"


def test_scrapped_computer_loses_everything_on_its_scrap_day(ledger):
    pcs = ledger.df(schema.COMPUTERS)
    log = events(ledger)
    for _, pc in pcs[pcs["状态"] == "报废"].iterrows():
        mine = log[log["计算机编号"] == pc["计算机编号"]]
        assert (mine["日期"] <= pc["报废日期"]).all()
        before = mine[mine["日期"] < pc["报废日期"]]
        net = before.assign(n=before["操作"].map({"安装": 1, "卸载": -1})).groupby("软件编号")["n"].sum()
        gone = mine[(mine["日期"] == pc["报废日期"]) & (mine["操作"] == "卸载")]
        assert set(net[net > 0].index) == set(gone["软件编号"]) != set()


def test_free_software_is_installed_at_two_versions_under_one_number(ledger):
    a8 = ledger.df(schema.A8)
    versions = a8[a8["软件类型"] == "免费软件"].groupby("软件编号")["软件版本"].nunique()
    assert (versions >= 2).any()


def test_licences_are_never_overused_nor_expired(ledger):
    a7 = ledger.df(schema.A7).set_index("软件编号")
    commercial = a7[a7["软件类型"] == "商业软件"]
    seats = {n: 0 for n in commercial.index}
    for number, op, day, version in zip(*(events(ledger)[c] for c in ("软件编号", "操作", "日期", "版本"))):
        if number not in seats:
            continue
        row = commercial.loc[number]
        seats[number] += 1 if op == "安装" else -1
        assert "场地" in row["许可类型"] or seats[number] <= row["许可数量"], number
        assert op == "卸载" or version == row["软件版本"]
        term = row["许可期限"]
        assert term == "永久" or day.date() <= end_of(row), number
    for number, n in seats.items():
        if n and commercial.loc[number, "许可期限"] != "永久":
            assert end_of(commercial.loc[number]) > TODAY + dt.timedelta(days=90)


def end_of(row) -> dt.date:
    """Last day of a 许可期限: an end date, or a span in years from the purchase (the renewal due)."""
    from workbook_tools.core.licence import term_end

    return term_end(row["许可期限"], row["采购时间"].date())


def test_every_event_has_its_paperwork(ledger):
    log, requests, slips = ledger.df(schema.A9), ledger.df(schema.A10), ledger.df(schema.A11)
    assert (log["日期"] <= pd.Timestamp(TODAY)).all()
    asked = log[log["统一部署"] == "否"]
    assert len(asked) and asked["申请编号"].isin(requests["申请编号"]).all()
    assert (requests["状态"] == "已完成").all()
    done = asked.groupby("申请编号")["日期"].min()
    dates = requests.set_index("申请编号")[["申请时间", "部门审核日期", "信息化部审核日期"]]
    assert (dates["申请时间"] <= dates["部门审核日期"]).all()
    assert (dates["部门审核日期"] <= dates["信息化部审核日期"]).all()
    assert (dates.loc[done.index, "信息化部审核日期"] <= done).all()
    assert requests["申请时间"].is_monotonic_increasing
    signed = slips.loc[slips["已签字"] == "是", "确认单号"]
    assert log["确认单号"].isin(signed).all()


def test_slip_numbers_follow_the_format_of_ledger_slip(ledger):
    """QR-YYYYMMDD-NNN, the date being the slip's own date (as `ledger slip` and `install --slip auto` number them)."""
    slips = ledger.df(schema.A11)
    numbers = slips["确认单号"].astype(str)
    assert numbers.str.fullmatch(r"QR-\d{8}-\d{3,}").all(), numbers.head().tolist()
    assert (numbers.str[3:11] == slips["日期"].dt.strftime("%Y%m%d")).all()
    assert numbers.is_unique


def test_rollup_outputs_are_current(ledger):
    from workbook_tools.ops.rollup import compute_rollup

    plan = compute_rollup(ledger, TODAY)
    assert not plan.changed and len(plan.rows) == len(ledger.df(schema.A8)) > 1000


def test_check_finds_nothing(ledger):
    from workbook_tools.rules import run_check

    result = run_check(ledger, TODAY)
    assert [(f.rule, f.sheet, f.row) for f in result.findings] == []


def test_cells_are_typed_as_the_schema_says(made):
    import openpyxl

    wb = openpyxl.load_workbook(made[0])
    log = wb[schema.A9]
    cell = {header.value: c for header, c in zip(log[1], log[2])}
    assert cell["序号"].value == "1" and cell["序号"].number_format == "@"
    assert cell["软件编号"].number_format == "@" and cell["计算机编号"].number_format == "@"
    assert isinstance(cell["日期"].value, dt.datetime) and cell["日期"].number_format == "yyyy-mm-dd"
    assert cell["安装数量"].value == 1 and cell["操作"].value in ("安装", "卸载")
    a7 = wb[schema.A7]
    money = next(c for c in a7[1] if c.value == "采购金额").column
    assert any(isinstance(a7.cell(r, money).value, (int, float)) for r in range(2, a7.max_row + 1))


def cell_values(path: Path) -> dict[str, list[tuple]]:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_same_seed_same_cells_other_seed_other_cells(tmp_path):
    first = cell_values(make_demo(tmp_path / "a.xlsx", seed=7, **SMALL)[0])
    again = cell_values(make_demo(tmp_path / "b.xlsx", seed=7, **SMALL)[0])
    assert first == again and len(first[schema.A9]) > 100
    other = demo.build(demo.DemoSpec(today=TODAY, seed=8, **SMALL))
    assert demo.build(demo.DemoSpec(today=TODAY, seed=7, **SMALL)).sheets[schema.A9] != other.sheets[schema.A9]


DIGEST = ("import datetime as dt, hashlib, json\n"
          "from workbook_tools import demo\n"
          "u = demo.build(demo.DemoSpec(today=dt.date(2026, 11, 26), seed=7, staff=80, computers=40, software=20))\n"
          "digest = hashlib.sha256(json.dumps([u.sheets, u.settings], default=str).encode()).hexdigest()\n")


def test_rows_do_not_depend_on_the_process_hash_seed():
    import os
    import subprocess
    import sys

    mine: dict = {}
    exec(DIGEST, mine)
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    child = subprocess.run([sys.executable, "-c", DIGEST + "print(digest)"], env=env, capture_output=True,
                           text=True, check=True, cwd=Path(__file__).resolve().parents[1])
    assert child.stdout.strip() == mine["digest"]


def test_event_target_steers_the_log_size():
    unit = demo.build(demo.DemoSpec(today=TODAY, staff=100, computers=120, software=40, events=9000))
    assert 8100 <= len(unit.sheets[schema.A9]) <= 9900


@pytest.mark.parametrize("option", [{"software": 5}, {"staff": 10}, {"years": 0}, {"events": -1}])
def test_out_of_range_sizes_are_refused(option):
    with pytest.raises(LedgerError) as exc:
        demo.fill(build_workbook(), demo.DemoSpec(today=TODAY, **option))
    assert exc.value.exit_code == 1


def test_numbers_use_the_prefixes_of_the_settings(tmp_path):
    from workbook_tools.rules import run_check

    wb = build_workbook({"商业软件编号前缀": "ZB", "免费软件编号前缀": "MFRJ"})
    demo.fill(wb, demo.DemoSpec(today=TODAY, **SMALL))
    wb.save(tmp_path / "p.xlsx")
    ledger = load_ledger(tmp_path / "p.xlsx")
    numbers = ledger.df(schema.A7)["软件编号"]
    assert numbers.str.startswith("ZB-").sum() >= 10 and numbers.str.startswith("MFRJ-").any()
    assert numbers.str.startswith("OEM-").any()
    assert run_check(ledger, TODAY).findings == []


def test_demo_after_preset_keeps_one_copy_of_departments_and_leading_group(tmp_path):
    from workbook_tools.files.create import fill_preset

    wb = build_workbook()
    fill_preset(wb)
    demo.fill(wb, demo.DemoSpec(today=TODAY, **SMALL))
    wb.save(tmp_path / "p.xlsx")
    ledger = load_ledger(tmp_path / "p.xlsx")
    assert len(ledger.df(schema.DEPTS)) == len(presets.DEPARTMENTS)
    assert len(ledger.df(schema.A1)) == len(presets.LEADING_GROUP)


def test_init_command_builds_a_clean_demo(tmp_path, capsys):
    from workbook_tools.faces.cli import main

    path = tmp_path / "示例台账.xlsx"
    args = ["init", str(path), "--demo", "--today", TODAY.isoformat(), "--events", "1500"]
    args += [x for k, v in SMALL.items() for x in (f"--{k}", str(v))]
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert (exc.value.code or 0) == 0 and path.exists()
    with pytest.raises(SystemExit) as exc:
        main(["check", str(path), "--today", TODAY.isoformat()])
    assert (exc.value.code or 0) == 0
    assert "示例市行政审批局" in capsys.readouterr().out


MARKS = {"SCAN-PIRACY": ("KMSELDI", "kms.03k.org"), "SCAN-PERSONAL-EDITION": ("WPS Office (11.1",),
         "SCAN-FREE-NOT-LISTED": ("迅雷",), "SCAN-IRRELEVANT": ("英雄联盟",)}


def test_init_demo_writes_scans_that_find_exactly_the_planted_problems(tmp_path, capsys):
    """`ledger init --demo` + `ledger scan 示例台账.xlsx 扫描结果/`: the day-one walk-through."""
    import json

    from workbook_tools.faces.cli import main

    path = tmp_path / "示例台账.xlsx"
    args = ["init", str(path), "--demo", "--today", TODAY.isoformat(), "--events", "1500"]
    args += [x for k, v in SMALL.items() for x in (f"--{k}", str(v))]
    with pytest.raises(SystemExit):
        main(args)
    folder = tmp_path / "扫描结果"
    in_use = load_ledger(path).df(schema.COMPUTERS).query("状态 != '报废'")
    assert len(list(folder.glob("*.csv"))) == len(in_use)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(["scan", str(path), str(folder), "--today", TODAY.isoformat(), "--format", "json"])
    assert exc.value.code == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    rules = sorted(f["rule"] for f in findings)
    assert rules == sorted(["SCAN-PIRACY", "SCAN-PIRACY", "SCAN-PERSONAL-EDITION", "SCAN-FREE-NOT-LISTED",
                            "SCAN-FREE-NOT-LISTED", "SCAN-IRRELEVANT"])
    for f in findings:     # each on the computer whose scan carries what was planted there
        text = Path(f["scan_file"]).read_text(encoding="utf-8-sig")
        assert any(mark in text for mark in MARKS[f["rule"]]) and f["sheet"] == schema.COMPUTERS
    assert len({f["cell"] for f in findings}) == 6      # six computers, one planted problem each


def test_demo_text_report_groups_by_kind(tmp_path, capsys):
    from workbook_tools.faces.cli import main

    path = tmp_path / "示例台账.xlsx"
    args = ["init", str(path), "--demo", "--today", TODAY.isoformat(), "--events", "1500"]
    args += [x for k, v in SMALL.items() for x in (f"--{k}", str(v))]
    with pytest.raises(SystemExit):
        main(args)
    scans = sorted((tmp_path / "扫描结果").glob("*.csv"))
    for gone in scans[:5]:            # five computers left without a scan: one summary line, not five blocks
        gone.unlink()
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["scan", str(path), str(tmp_path / "扫描结果"), "--today", TODAY.isoformat()])
    out = capsys.readouterr().out.splitlines()
    heads = [line for line in out if line.startswith("【")]
    assert heads and all("【错误】" in h for h in heads[:1])
    assert [h for h in heads if "【警告】" in h] == heads[len(heads) - len([h for h in heads if "【警告】" in h]):]
    summary = [line for line in out if line.startswith("未扫描的在用计算机")]
    assert len(summary) == 1 and "SCAN-NOT-SCANNED" in summary[0]
    assert not any("SCAN-NOT-SCANNED" in h for h in heads)


def test_demo_scans_keep_files_already_there(tmp_path):
    """扫描结果/ may hold the clerk's own scans: only --force replaces a file of the same name."""
    from workbook_tools.tasks.scanning import write_demo_scans

    path, _ = make_demo(tmp_path / "示例台账.xlsx", **SMALL)
    folder, written = write_demo_scans(path, TODAY)
    first = sorted(folder.glob("*.csv"))
    assert written == len(first) > 0
    first[0].write_bytes(b"mine")
    assert write_demo_scans(path, TODAY)[1] == 0 and first[0].read_bytes() == b"mine"
    assert write_demo_scans(path, TODAY, force=True)[1] == len(first) and first[0].read_bytes() != b"mine"


def test_the_readme_first_command_leaves_nothing_untracked(tmp_path):
    """`ledger init 示例台账.xlsx --demo` in the repository root: the workbook and its backup folder are ignored."""
    import re
    import shutil
    import subprocess

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    created = re.search(r"ledger init (\S+\.xlsx) --demo", readme).group(1)
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    for name in (created, f"备份/{Path(created).stem}.20260101-000000-000000.xlsx", "扫描结果/TSJ-0001.csv"):
        assert subprocess.run(["git", "check-ignore", "-q", name], cwd=root).returncode == 0, name


def test_templates_package_describes_the_typst_templates():
    import workbook_tools.templates as templates

    folder = Path(templates.__file__).parent
    assert "Typst" in templates.__doc__ and "Jinja" not in templates.__doc__ and "CSS" not in templates.__doc__
    assert {p.name for p in folder.glob("*.typ")} >= {"base.typ", "slip.typ", "overlay.typ", "annex01.typ"}
