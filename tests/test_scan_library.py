"""The recognition library over realistic office-PC scans (tests/data/scan_office, 64–73 entries each, as
collect.ps1 writes them): recognition rate, every planted violation on its computer, clean PCs clean,
a clerk's rule over the library, a user library beside the ledger."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from builders import make_ledger

from workbook_tools.core.model import Severity
from workbook_tools.read.reader import load_ledger
from workbook_tools.scan import library as lib
from workbook_tools.scan import reconcile
from workbook_tools.scan.context import KIND, PRODUCT, TOOL
from workbook_tools.tasks.scanning import read_scans, reconciled

SCANS = Path(__file__).parent / "data" / "scan_office"
DAY = dt.date(2026, 3, 1)
d = dt.date
DEPTS = {"PC-101": "办公室", "PC-102": "规划审批处", "PC-103": "办公室", "PC-104": "政策法规处", "PC-105": "规划审批处",
         "PC-106": "办公室"}
WINDOWS = {"PC-105": "OEM-0003", "PC-106": "OEM-0002"}      # the others: OEM-0001 (Windows 10 专业版)
# (number, 软件名称, 软件版本, 软件类型, 许可类型, 许可数量, 可使用版本)
SOFTWARE = [
    ("OEM-0001", "Windows 10 专业版", "22H2", "OEM软件", None, None, None),
    ("OEM-0002", "Windows 10 家庭中文版", "22H2", "OEM软件", None, None, None),
    ("OEM-0003", "Windows 11 专业版", "23H2", "OEM软件", None, None, None),
    ("SY-0001", "Microsoft Office 专业增强版", "2019", "商业软件", "批量许可", 6, "2019、2016"),
    ("SY-0002", "WPS Office 2019 专业版", "2019", "商业软件", "场地授权", 1, "2019"),
    ("SY-0003", "奇安信天擎终端安全管理系统", "V10.0", "商业软件", "场地许可", 1, "V10.0"),
    ("SY-0004", "AutoCAD", "2020", "商业软件", "单机许可", 1, "2020"),
    ("SY-0005", "中望CAD 专业版", "2022", "商业软件", "单机许可", 1, "2022"),
    ("SY-0006", "浩辰CAD", "2023", "商业软件", "单机许可", 1, "2023"),
]
FREE = ["7-Zip 压缩软件", "谷歌浏览器", "搜狗输入法", "福昕PDF阅读器", "数科OFD阅读器", "腾讯会议", "微信", "企业微信",
        "CAJViewer 阅读器", "Adobe Acrobat Reader", "Everything 文件搜索", "钉钉", "Bandizip 压缩软件", "腾讯QQ",
        "Notepad++ 文本编辑器"]
COMMON = ["SY-0001", "SY-0002", "SY-0003", "MF-01", "MF-02", "MF-03", "MF-04", "MF-05", "MF-06", "MF-07"]
EXTRA = {"PC-101": ["MF-08", "MF-09", "MF-10", "MF-11"], "PC-102": ["SY-0004", "SY-0005", "SY-0006", "MF-12"],
         "PC-103": ["MF-15"], "PC-104": ["MF-14"], "PC-106": ["MF-13"]}


def office_unit() -> dict:
    people = [{"部门": DEPTS[pc], "姓名": f"用户{pc[-1]}", "使用计算机": "是", "状态": "在职"} for pc in DEPTS]
    computers = [{"计算机编号": pc, "计算机品牌": "联想", "设备类型": "台式机", "使用人": f"用户{pc[-1]}", "使用部门": dept,
                  "启用日期": d(2023, 1, 1), "状态": "在用"} for pc, dept in DEPTS.items()]
    a7 = [{"序号": i, "软件编号": n, "软件名称": name, "软件版本": v, "软件类型": t, "许可类型": lt, "许可数量": seats,
           "可使用版本": usable, "许可期限": "永久" if t == "商业软件" else None, "状态": "在用",
           "获取方式": "采购" if t == "商业软件" else "随机预装"}
          for i, (n, name, v, t, lt, seats, usable) in enumerate(SOFTWARE, start=1)]
    free = [(f"MF-{i:02d}", name) for i, name in enumerate(FREE, start=1)]
    a7 += [{"序号": len(a7) + i, "软件编号": n, "软件名称": name, "软件类型": "免费软件", "获取方式": "免费获取", "状态": "在用"}
           for i, (n, name) in enumerate(free, start=1)]
    a6 = [{"序号": i, "软件编号": n, "软件名称": name} for i, (n, name) in enumerate(free, start=1)]
    events = []
    for pc in DEPTS:
        for number in [WINDOWS.get(pc, "OEM-0001"), *COMMON, *EXTRA.get(pc, [])]:
            version = next((v for n, _, v, t, *_ in SOFTWARE if n == number and t == "商业软件"), None)
            events.append({"序号": len(events) + 1, "软件编号": number, "操作": "安装", "计算机编号": pc, "版本": version,
                           "日期": d(2024, 3, 1), "安装数量": 1, "统一部署": "是"})
    return {"设置": {"单位名称": "测试单位", "合法KMS主机": "kms.ansz.gov.cn"},
            "部门": [{"部门名称": n, "部门类型": "处室"} for n in dict.fromkeys(DEPTS.values())],
            "人员": people, "计算机": computers, "附件7": a7, "附件6": a6, "附件9": events}


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    path = make_ledger(tmp_path_factory.mktemp("office"), **office_unit())
    return reconcile(load_ledger(path), read_scans([SCANS]), DAY)


def by_computer(result) -> dict[str, set[tuple[str, str | None]]]:
    out: dict[str, set] = {}
    for i in result.issues:
        out.setdefault(i.computer, set()).add((i.finding.rule, i.scanned_name))
    return out


def test_scans_are_full_office_pcs():
    df = read_scans([SCANS]).entries
    assert set(df.groupby("host").size().between(60, 150)) == {True}


def test_recognition_rate_of_non_system_entries(office):
    _, ctx = office
    e = ctx.entries[ctx.entries[KIND].isna()]
    non_system = e[e["action"] != "忽略"]
    known = non_system[PRODUCT].notna() | non_system["order"].notna() | non_system[TOOL].notna()
    rate = known.sum() / len(non_system)
    assert len(non_system) >= 80 and rate >= 0.95, (rate, sorted(set(non_system.loc[~known, "name"])))
    ignored = e[e["action"] == "忽略"]
    assert len(ignored) > len(non_system)          # runtimes, drivers, OEM tools: most of a PC's list


def test_every_planted_violation_on_its_computer(office):
    result, _ = office
    found = by_computer(result)
    assert found["PC-103"] == {("SCAN-FREE-NOT-LISTED", "迅雷"), ("SCAN-UNREGISTERED", "WinRAR 6.24 (64-bit)"),
                               ("SCAN-IRRELEVANT", "英雄联盟"), ("SCAN-IRRELEVANT", "WeGame"),
                               ("SCAN-IRRELEVANT", "QQ音乐")}
    assert found["PC-104"] == {("SCAN-PERSONAL-EDITION", "WPS Office (11.1.0.14309)"),
                               ("SCAN-PERSONAL-EDITION", "火绒安全软件")}
    assert found["PC-105"] == {("SCAN-PIRACY", "Service KMSELDI"), ("SCAN-PIRACY", "Windows"),
                               ("SCAN-PIRACY", "Office 16, Office16ProPlus2019VL_KMS_Client_AE edition")}
    assert found["PC-106"] == {("SCAN-EDITION", "Windows")}


def test_clean_pcs_have_no_error(office):
    result, _ = office
    assert not [i for i in result.issues if i.computer in ("PC-101", "PC-102")]
    others = [i for i in result.issues if i.computer is None]
    assert {i.finding.rule for i in others} == {"SCAN-UNMAPPED"}       # the unit's own business clients
    assert all(i.finding.severity is Severity.WARNING for i in others)


def test_piracy_names_the_tool_and_the_host(office):
    result, _ = office
    piracy = [i.finding for i in result.issues if i.finding.rule == "SCAN-PIRACY"]
    kmspico = next(f for f in piracy if "KMSpico" in f.message)
    assert "AutoPico Daily Restart" in kmspico.message and kmspico.scan_file.endswith("PC-105.csv")
    assert all("kms.03k.org" in f.message for f in piracy if f is not kmspico)


def test_library_maps_by_product_and_version(office):
    _, ctx = office
    found = set(zip(ctx.found["计算机编号"], ctx.found["软件编号"]))
    assert {("PC-101", "SY-0001"), ("PC-102", "SY-0004"), ("PC-102", "SY-0005"), ("PC-105", "OEM-0003"),
            ("PC-106", "OEM-0002"), ("PC-101", "MF-01")} <= found


def _variant(tmp_path, **changes):
    unit = office_unit()
    for key, value in changes.items():
        unit[key] = value
    return load_ledger(make_ledger(tmp_path, **unit))


def test_a_clerk_rule_overrides_the_library(tmp_path):
    """迅雷 mapped by the unit's rule to a free number on 附件6: no finding left on PC-103 for it."""
    unit = office_unit()
    unit["附件7"].append({"序号": 99, "软件编号": "MF-99", "软件名称": "迅雷下载", "软件类型": "免费软件", "状态": "在用"})
    unit["附件6"].append({"序号": 99, "软件编号": "MF-99", "软件名称": "迅雷下载"})
    unit["附件9"].append({"序号": 999, "软件编号": "MF-99", "操作": "安装", "计算机编号": "PC-103", "日期": d(2024, 3, 1),
                         "安装数量": 1, "统一部署": "是"})
    unit["软件名称对照"] = [{"顺序": 1, "匹配字段": "DisplayName", "匹配方式": "等于", "匹配内容": "迅雷", "动作": "对应",
                        "软件编号": "MF-99"}]
    result, _ = reconcile(load_ledger(make_ledger(tmp_path, **unit)), read_scans([SCANS]), DAY)
    assert ("SCAN-FREE-NOT-LISTED", "迅雷") not in by_computer(result)["PC-103"]


def test_a_clerk_ignore_rule_silences_a_game(tmp_path):
    unit = office_unit()
    unit["软件名称对照"] = [{"顺序": 1, "匹配方式": "等于", "匹配内容": "QQ音乐", "动作": "忽略"}]
    result, _ = reconcile(load_ledger(make_ledger(tmp_path, **unit)), read_scans([SCANS]), DAY)
    assert ("SCAN-IRRELEVANT", "QQ音乐") not in by_computer(result)["PC-103"]


def test_user_library_beside_the_ledger_wins(tmp_path):
    """软件识别库.csv next to the workbook: 火绒 declared a unit-licensed commercial product of this unit."""
    path = make_ledger(tmp_path, **office_unit())
    row = ["火绒安全软件", "DisplayName", "前缀", "火绒", "", "火绒终端安全管理系统", "火绒", "杀毒软件", "国内", "免费", "", "", ""]
    (tmp_path / lib.USER_FILE).write_text(",".join(lib.HEADERS) + "\n" + ",".join(row) + "\n", encoding="utf-8-sig")
    result, _ = reconciled(path, [SCANS], DAY)
    assert by_computer(result)["PC-104"] == {("SCAN-PERSONAL-EDITION", "WPS Office (11.1.0.14309)"),
                                             ("SCAN-FREE-NOT-LISTED", "火绒安全软件")}


def test_legal_kms_host_is_not_piracy(tmp_path):
    unit = office_unit()
    unit["设置"]["合法KMS主机"] = "kms.ansz.gov.cn, KMS.03K.ORG"
    result, _ = reconcile(load_ledger(make_ledger(tmp_path, **unit)), read_scans([SCANS]), DAY)
    # Office (a volume licence in 附件7) is now fine; Windows is OEM here: a volume channel is still piracy
    assert by_computer(result)["PC-105"] == {("SCAN-PIRACY", "Service KMSELDI"), ("SCAN-PIRACY", "Windows")}
    windows = next(i.finding for i in result.issues if i.scanned_name == "Windows" and i.computer == "PC-105")
    assert "不是本单位的 KMS 主机" not in windows.message and "批量许可" in windows.message


def test_volume_channel_without_volume_licence_is_piracy(tmp_path):
    unit = office_unit()
    unit["附件7"][3]["许可类型"] = "单机许可"            # Office no longer bought as a volume licence
    result, _ = reconcile(load_ledger(make_ledger(tmp_path, **unit)), read_scans([SCANS]), DAY)
    office = [i for i in result.issues if i.finding.rule == "SCAN-PIRACY" and i.scanned_name.startswith("Office 16")]
    assert {i.computer for i in office} == set(DEPTS)   # every PC's Office is GVLK, at the unit's own host or not


# --- the library itself ---------------------------------------------------------------------

def test_shipped_library_compiles_without_problems():
    library = lib.shipped()
    assert library.problems == [] and len(library.products) > 200
    assert {p.licence for p in library.products.values() if not p.ignore} == set(lib.LICENCES)


@pytest.mark.parametrize("name,publisher,package,key", [
    ("Microsoft Office Professional Plus 2016", "Microsoft Corporation", None, "Microsoft Office 专业增强版"),
    ("Microsoft 365 Apps for enterprise - zh-cn", "Microsoft Corporation", None, "Microsoft 365"),
    ("WPS Office 2019 政务版", "Kingsoft Corp.", None, "WPS Office 政务版"),
    ("永中Office 2019", "", None, "永中Office"),
    ("360安全卫士", "360安全中心", None, "360安全卫士"),
    ("瑞星杀毒软件", "", None, "瑞星杀毒软件"),
    ("金山毒霸", "", None, "金山毒霸"),
    ("腾讯电脑管家", "", None, "腾讯电脑管家"),
    ("飞书", "Beijing Feishu Technology Co., Ltd.", None, "飞书"),
    ("CorelDRAW Graphics Suite 2020 (64-Bit)", "Corel Corporation", None, "CorelDRAW"),
    ("Adobe Photoshop 2023", "Adobe Inc.", None, "Adobe Photoshop"),
    ("达梦数据库", "", None, "达梦数据库"),
    ("天擎", "", "com.qianxin.tianqing", "奇安信天擎"),
    ("Kylin V10 SP1", "", None, "银河麒麟桌面操作系统"),
    ("UOS 20", "", None, "统信UOS 桌面操作系统"),
    ("WPS Office", "", "wps-office", "WPS Office 专业版"),      # 麒麟/统信 preinstalled WPS: by its package
    ("WPS Office (11.1.0.11830)", "Kingsoft Corp.", None, "WPS Office 个人版"),
])
def test_library_knows_the_products_of_government_pcs(name, publisher, package, key):
    product = lib.shipped().classify(name, publisher, package)
    assert product is not None and product.key == key


def test_version_rules():
    library = lib.shipped()
    office = library.classify("Microsoft Office 专业增强版 2019 - zh-cn")
    assert office.version("Microsoft Office 专业增强版 2019 - zh-cn", "16.0.10406.20006") == "2019"
    windows = library.classify("Microsoft Windows 11 专业版")
    assert windows.version("Microsoft Windows 11 专业版", "10.0.22631") is None
    seven = library.classify("7-Zip 23.01 (x64)")
    assert seven.version("7-Zip 23.01 (x64)", "23.01") == "23.01"


def test_activator_names_are_whole_words():
    library = lib.shipped()
    assert library.tool("AAct Network v1.2.9") == "AAct" and library.tool("Blackboard Aaction Center") is None
    assert library.tool("Service KMSELDI") == "KMSpico"


def test_matcher_is_linear_on_hostile_names():
    library = lib.shipped()
    for name in ("a" * 5000 + "!", "(" * 3000, "WPS " * 2000, "驱动" * 3000):
        library.classify(name, name, name)          # RE2: no backtracking, each call returns at once


def test_user_file_problems_are_findings(tmp_path):
    path = make_ledger(tmp_path, **office_unit())
    (tmp_path / lib.USER_FILE).write_text(",".join(lib.HEADERS) + "\nX,DisplayName,正则,(unclosed,,,,,,免费,,,\n",
                                          encoding="utf-8")
    result, _ = reconciled(path, [SCANS], DAY)
    bad = [i.finding for i in result.issues if i.finding.rule == "SCAN-RULE-INVALID"]
    assert [(f.scan_file, f.scan_line) for f in bad] == [(lib.USER_FILE, 2)]


def test_copy_of_scans_keeps_results(tmp_path, office):
    """Scans read from another folder give the same findings (nothing depends on the path)."""
    folder = tmp_path / "s"
    shutil.copytree(SCANS, folder)
    path = make_ledger(tmp_path, **office_unit())
    again, _ = reconcile(load_ledger(path), read_scans([folder]), DAY)
    assert by_computer(again) == by_computer(office[0])


def test_docs_coverage_table_is_the_library():
    docs = (Path(__file__).parent.parent / "docs" / "scan.md").read_text(encoding="utf-8")
    for group_name, products, patterns in lib.coverage():
        assert f"| {group_name} | {products} | {patterns} |" in docs


def test_kylin_office_pc_is_recognised(tmp_path):
    """A 银河麒麟 V10 office PC as collect.sh writes it (desktop apps by package, app-store apps from /opt/apps)."""
    from builders import clean_unit

    path = make_ledger(tmp_path, **clean_unit())
    result, ctx = reconcile(load_ledger(path), read_scans([Path(__file__).parent / "data" / "scan_kylin"]), DAY)
    e = ctx.entries
    non_system = e[e["action"] != "忽略"]
    known = non_system[PRODUCT].notna()
    assert len(e) >= 55 and len(non_system) >= 20
    assert known.sum() / len(non_system) >= 0.95, sorted(set(non_system.loc[~known, "name"]))
    kinds = {(i.finding.rule, i.scanned_name) for i in result.issues if i.computer == "kylin-pc07"}
    assert ("SCAN-IRRELEVANT", "网易云音乐") in kinds
    assert ("SCAN-PERSONAL-EDITION", "WPS 文字") not in kinds      # the preinstalled wps-office package


def test_general_names_in_annex7_still_map(tmp_path):
    """附件7 「Windows」 10 and 「Microsoft Office」 2019 (no edition written) take the scanned editions."""
    unit = office_unit()
    unit["附件7"][0].update(软件名称="Windows", 软件版本="10")
    unit["附件7"][3].update(软件名称="Microsoft Office")
    result, ctx = reconcile(load_ledger(make_ledger(tmp_path, **unit)), read_scans([SCANS]), DAY)
    found = set(zip(ctx.found["计算机编号"], ctx.found["软件编号"]))
    assert {("PC-101", "OEM-0001"), ("PC-101", "SY-0001")} <= found
    assert not [i for i in result.issues if i.computer in ("PC-101", "PC-102")]
