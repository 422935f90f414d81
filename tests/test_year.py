"""A small unit's whole year through the command line: a correct ledger ends with a clean check."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
from builders import make_ledger, run_cli

from workbook_tools.core import schema
from workbook_tools.ops.stats import compute_stats
from workbook_tools.read.reader import load_ledger
from workbook_tools.xlsx.newbook import sheet_map, write_cell

D = dt.date
COMMON = {"软件类别": "办公软件", "产地": "国内", "状态": "在用"}


def person(dept: str, name: str, uses: str = "是") -> dict:
    return {"部门": dept, "姓名": name, "职务": "科员", "使用计算机": uses, "承诺书签署日期": D(2025, 3, 1), "状态": "在职"}


def computer(pc: str, brand: str, kind: str, user: str, dept: str) -> dict:
    return {"计算机编号": pc, "计算机品牌": brand, "设备类型": kind, "使用人": user, "使用部门": dept,
            "启用日期": D(2021, 6, 1), "状态": "在用"}


def a8(dept, name, pc, brand, number, title, version, kind, day, term=None) -> dict:
    return {"部门": dept, "姓名": name, "计算机编号": pc, "计算机品牌": brand, "软件编号": number, "软件名称": title,
            "软件版本": version, "许可期限": term, "软件类型": kind, "安装日期": day}


def request(number: str, dept: str, who: str, pc: str, brand: str, kind: str, name: str, day: D) -> dict:
    return {"申请编号": number, "申请部门": dept, "申请人": who, "申请时间": day, "计算机编号": pc, "计算机品牌": brand,
            "申请类型": kind, "软件名称": name, "状态": "已批准"}


def unit() -> dict:
    sy = {"软件类型": "商业软件", "许可类型": "单机许可", "许可期限": "永久", "获取方式": "采购", **COMMON}
    return {
        "设置": {"单位名称": "测试局"},
        "部门": [{"部门名称": d, "部门类型": "处室"} for d in ("办公室", "网络平台处", "企业登记处")],
        "人员": [person("办公室", "张三"), person("网络平台处", "李四"), person("企业登记处", "王五"),
                 person("办公室", "赵六", "否")],
        "计算机": [computer("PC-001", "联想", "台式机", "张三", "办公室"),
                   computer("PC-002", "华为", "便携机", "李四", "网络平台处"),
                   computer("PC-003", "联想", "台式机", "王五", "企业登记处")],
        "附件7": [
            {"序号": 1, "软件编号": "SY-0001", "软件名称": "WPS Office", "软件版本": "2016", "采购时间": D(2021, 5, 1),
             "采购金额": 3000, "许可数量": 5, "序列号": "A-1", **sy},
            {"序号": 2, "软件编号": "SY-0002", "软件名称": "WPS Office", "软件版本": "2019", "采购时间": D(2026, 2, 1),
             "采购金额": 2000, "许可数量": 3, "序列号": "B-1", **sy},
            {"序号": 3, "软件编号": "SY-0003", "软件名称": "绘图大师", "软件版本": "5", "采购时间": D(2020, 1, 1),
             "采购金额": 900, "许可数量": 2, "序列号": "C-1", **{**sy, "软件类别": "其他软件"}},
            {"序号": 4, "软件编号": "OEM-0001", "软件名称": "Windows", "软件版本": "10", "软件类型": "OEM软件",
             "获取方式": "随机预装", **{**COMMON, "软件类别": "操作系统", "产地": "国外"}},
            {"序号": 5, "软件编号": "MF-0001", "软件名称": "7-Zip", "软件类型": "免费软件", "获取方式": "免费获取",
             **{**COMMON, "软件类别": "其他软件", "产地": "国外"}},
        ],
        # 配置管理规定 二.4–二.5: the contract and certificate of every purchase
        "采购资料": [proof("SY-0001", "HT-2021-01", D(2021, 4, 20), 5), proof("SY-0002", "HT-2026-01", D(2026, 1, 20), 3),
                     proof("SY-0003", "HT-2019-12", D(2019, 12, 20), 2)],
        "附件6": [{"序号": 1, "软件编号": "MF-0001", "软件名称": "7-Zip", "软件来源": "官网"}],
        "附件8": [
            a8("办公室", "张三", "PC-001", "联想", "SY-0001", "WPS Office", "2016", "商业软件", D(2022, 1, 10), "永久"),
            a8("办公室", "张三", "PC-001", "联想", "OEM-0001", "Windows", "10", "OEM软件", D(2021, 6, 1)),
            a8("网络平台处", "李四", "PC-002", "华为", "SY-0001", "WPS Office", "2016", "商业软件", D(2022, 3, 5), "永久"),
            a8("网络平台处", "李四", "PC-002", "华为", "MF-0001", "7-Zip", "19.00", "免费软件", D(2023, 4, 1)),
            a8("网络平台处", "李四", "PC-002", "华为", "SY-0003", "绘图大师", "5", "商业软件", None, "永久"),
            a8("企业登记处", "王五", "PC-003", "联想", "OEM-0001", "Windows", "10", "OEM软件", D(2021, 6, 1)),
            a8("企业登记处", "王五", "PC-003", "联想", "SY-0003", "绘图大师", "5", "商业软件", D(2020, 2, 1), "永久"),
        ],
        "附件10": [
            request("SQ-001", "企业登记处", "王五", "PC-003", "联想", "安装", "7-Zip", D(2026, 2, 25)),
            request("SQ-002", "办公室", "张三", "PC-001", "联想", "升级", "WPS Office", D(2026, 5, 1)),
            request("SQ-003", "企业登记处", "李四", "PC-002", "华为", "卸载", "绘图大师", D(2026, 7, 20)),
            request("SQ-004", "企业登记处", "王五", "PC-003", "联想", "卸载", "绘图大师", D(2026, 7, 20)),
        ],
    }


def with_subscription(u: dict) -> dict:
    """The unit with a yearly subscription on its three computers, renewed in November (台账管理规定 一.3)."""
    u["附件7"].append({"序号": 6, "软件编号": "SY-0004", "软件名称": "终端安全 订阅版", "软件版本": "V10", "软件类型": "商业软件",
                       "采购时间": D(2025, 12, 1), "采购金额": 600, "许可类型": "订阅许可", "许可数量": 5, "许可期限": "1年",
                       "序列号": "D-1", "获取方式": "采购", **{**COMMON, "软件类别": "杀毒软件"}})
    u["采购资料"].append({**proof("SY-0004", "HT-2025-11", D(2025, 11, 20), 5), "授权方式": "订阅许可", "使用年限": "1年"})
    u["附件8"] += [a8(dept, who, pc, brand, "SY-0004", "终端安全 订阅版", "V10", "商业软件", D(2025, 12, 10), "1年")
                   for dept, who, pc, brand in (("办公室", "张三", "PC-001", "联想"), ("网络平台处", "李四", "PC-002", "华为"),
                                                ("企业登记处", "王五", "PC-003", "联想"))]
    return u


def proof(number: str, contract: str, day: D, seats: int) -> dict:
    return {"软件编号": number, "合同编号": contract, "合同日期": day, "供应商": "某软件公司", "授权方式": "单机许可",
            "许可数量": seats, "使用年限": "永久", "授权证书编号": f"ZS-{contract[3:]}", "资料存放位置": "网络平台处档案柜"}


def type_rows(path: Path, sheet: str, rows: list[dict]) -> None:
    """A clerk types rows into a sheet in Excel."""
    from workbook_tools.xlsx.newbook import append_rows

    wb = openpyxl.load_workbook(path)
    ws, smap = sheet_map(wb, sheet)
    append_rows(ws, smap, rows)
    wb.save(path)


def cli(capsys, *args) -> str:
    code, out, err = run_cli(capsys, *args)
    assert code == 0, out + err
    return out


def signed_visit(capsys, path: Path, out: str, day: D) -> None:
    """Sign the slip a visit just got (its number is printed by the operation)."""
    import re

    for number in dict.fromkeys(re.findall(r"QR-\d{8}-\d{3}", out)):
        cli(capsys, "slip", path, "--signed", number, "--date", day.isoformat(), "--today", day.isoformat())


def transfer(path: Path, name: str, dept: str) -> None:
    """A clerk edits the registers in Excel: the person and her computer move to another department."""
    wb = openpyxl.load_workbook(path)
    for sheet, key, column in ((schema.STAFF, "姓名", "部门"), (schema.COMPUTERS, "使用人", "使用部门")):
        ws, smap = sheet_map(wb, sheet)
        for row in range(smap.first_data_row, ws.max_row + 1):
            if ws.cell(row, smap.cols[key]).value == name:
                write_cell(ws, row, smap.cols[column], smap.spec.column(column), dept)
    wb.save(path)


def run_year(capsys, tmp_path: Path) -> Path:
    path = make_ledger(tmp_path, "台账.xlsx", **with_subscription(unit()))
    cli(capsys, "baseline", path, "--date", "2025-12-31", "--today", "2026-01-05")
    cli(capsys, "rollup", path, "--date", "2025-12-31", "--today", "2026-01-05")
    out = cli(capsys, "install", path, "--computer", "PC-003", "--software", "MF-0001", "--version", "23.01",
              "--date", "2026-03-02", "--request", "SQ-001", "--slip", "auto", "--handler", "小刘", "--today", "2026-03-02")
    signed_visit(capsys, path, out, D(2026, 3, 3))
    transfer(path, "李四", "企业登记处")
    out = cli(capsys, "upgrade", path, "--computer", "PC-001", "--from", "SY-0001", "--to", "SY-0002",
              "--date", "2026-05-10", "--request", "SQ-002", "--slip", "auto", "--handler", "小刘", "--today", "2026-05-10")
    signed_visit(capsys, path, out, D(2026, 5, 11))
    cli(capsys, "rollup", path, "--date", "2026-06-30", "--today", "2026-07-01")
    for pc, req in (("PC-002", "SQ-003"), ("PC-003", "SQ-004")):
        out = cli(capsys, "uninstall", path, "--computer", pc, "--software", "SY-0003", "--date", "2026-08-01",
                  "--request", req, "--slip", "auto", "--handler", "小刘", "--today", "2026-08-01")
        signed_visit(capsys, path, out, D(2026, 8, 2))
    cli(capsys, "scrap-software", path, "SY-0003", "--date", "2026-08-15", "--reason", "2", "--today", "2026-08-15")
    # 日常使用管理规定 五.1: the year's training; 四.1: the year's 全面检查, its 通报 and its 整改
    type_rows(path, schema.TRAININGS, [{"日期": D(2026, 6, 18), "形式": "培训", "主题": "软件正版化工作培训",
                                        "组织部门": "网络平台处", "参加人数": 4, "参加部门": "各部门"}])
    type_rows(path, schema.INSPECTIONS, [{"检查日期": D(2026, 10, 20), "范围": "全面检查", "检查方式": "扫描与现场核对",
                                          "检查计算机数": 3, "发现问题数": 1, "通报日期": D(2026, 10, 26),
                                          "整改完成日期": D(2026, 11, 9)}])
    cli(capsys, "renew", path, "--from", "SY-0004", "--number", "SY-0005", "--date", "2026-11-20", "--amount", "600",
        "--term", "1年", "--contract", "HT-2026-11", "--certificate", "ZS-2026-11", "--handler", "小刘",
        "--today", "2026-11-20")
    cli(capsys, "rollup", path, "--date", "2026-12-05", "--today", "2026-12-05")
    return path


def test_a_correct_year_ends_with_a_clean_check(capsys, tmp_path):
    path = run_year(capsys, tmp_path)
    code, out, _ = run_cli(capsys, "check", path, "--format", "json", "--today", "2026-12-05")
    result = json.loads(out)
    assert [(f["rule"], f["sheet"], f["row"]) for f in result["findings"]] == []
    assert result["counts"] == {"error": 0, "warning": 0} and code == 0
    assert_history_and_one_number_for_one_fact(capsys, path)
    assert_renewal_and_review(capsys, path)


def assert_renewal_and_review(capsys, path: Path) -> None:
    """The subscription moved whole to its renewal; the year's 考核评议 finds nobody to hold to account."""
    ledger = load_ledger(path)
    log = ledger.df(schema.A9)
    moves = log[log["备注"] == "续订：SY-0004→SY-0005"]
    assert sorted(zip(moves["计算机编号"], moves["软件编号"], moves["操作"])) == [
        (pc, n, op) for pc in ("PC-001", "PC-002", "PC-003") for n, op in (("SY-0004", "卸载"), ("SY-0005", "安装"))]
    assert set(moves["统一部署"]) == {"是"} and set(moves["日期"].dt.date) == {D(2026, 11, 20)}
    a7 = ledger.df(schema.A7).set_index("软件编号")
    assert (a7.loc["SY-0005", "采购时间"].date(), a7.loc["SY-0005", "许可期限"], a7.loc["SY-0005", "安装数量"]) == \
        (D(2026, 11, 20), "1年", 3)
    assert a7.loc["SY-0004", "安装数量"] == 0
    out = cli(capsys, "review", path, "--year", "2026", "--today", "2026-12-05")
    assert "本年度未发现" in out
    sheet = openpyxl.load_workbook(path, read_only=True)[schema.REVIEW]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [list(schema.BY_NAME[schema.REVIEW].headers)]


def assert_history_and_one_number_for_one_fact(capsys, path: Path) -> None:
    """The inventory's install dates survived, the transfer shows in 附件8, 附件5 agrees with the 附件7 header."""
    ledger = load_ledger(path)
    a8 = ledger.df(schema.A8)
    rows = {(c, n): (d.date(), dept) for c, n, d, dept in zip(a8["计算机编号"], a8["软件编号"], a8["安装日期"], a8["部门"])}
    renewed = {(pc, "SY-0005"): (D(2026, 11, 20), dept)
               for pc, dept in (("PC-001", "办公室"), ("PC-002", "企业登记处"), ("PC-003", "企业登记处"))}
    assert rows == {("PC-001", "OEM-0001"): (D(2021, 6, 1), "办公室"), ("PC-001", "SY-0002"): (D(2026, 5, 10), "办公室"),
                    ("PC-002", "SY-0001"): (D(2022, 3, 5), "企业登记处"), ("PC-002", "MF-0001"): (D(2023, 4, 1), "企业登记处"),
                    ("PC-003", "OEM-0001"): (D(2021, 6, 1), "企业登记处"), ("PC-003", "MF-0001"): (D(2026, 3, 2), "企业登记处"),
                    **renewed}
    counts = dict(zip(ledger.df(schema.A7)["软件编号"], ledger.df(schema.A7)["安装数量"]))
    assert counts == {"SY-0001": 1, "SY-0002": 1, "SY-0003": 0, "OEM-0001": 2, "MF-0001": 2, "SY-0004": 0, "SY-0005": 3}
    cli(capsys, "stats", path, "--year", "2026", "--today", "2026-11-30")
    stats = compute_stats(load_ledger(path), 2026, D(2026, 11, 30))
    header = load_ledger(path).settings
    assert (stats.总人数, stats.使用计算机人数) == (int(header["附件7.总人数"]), int(header["附件7.使用计算机人数"])) == (4, 3)
    assert stats.purchases["办公软件"]["国内"].licences == 3.0   # SY-0002, bought in 2026
