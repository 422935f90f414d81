"""Build small ledgers inline for tests.

    path = make_ledger(tmp_path, **{"附件7": [{"软件编号": "SY-0001", "软件名称": "WPS", ...}],
                                    "设置": {"上次半年更新日期": "2026-06-30"}})

Sheet keys may be full names, short names (附件7) or numbers ("7"). Rows are dicts of
header -> typed value (str, number, datetime.date); text in a date or number column is
stored as typed, to build messy input. 设置 takes a dict of key -> value.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl.workbook import Workbook

from workbook_tools.core import schema
from workbook_tools.core.schema import Kind
from workbook_tools.files.create import build_workbook
from workbook_tools.xlsx.newbook import append_rows, last_data_row, sheet_map, write_cell

SettingValue = str | float | int | dt.date | None


def set_settings(wb: Workbook, values: Mapping[str, SettingValue]) -> None:
    """Overwrite (or append) keys of 设置."""
    ws, smap = sheet_map(wb, schema.SETTINGS)
    key_col, value_col = smap.cols["项目"], smap.cols["值"]
    column = smap.spec.column("值")
    rows = {ws.cell(r, key_col).value: r for r in range(smap.first_data_row, ws.max_row + 1)}
    for key, value in values.items():
        row = rows.get(key)
        if row is None:
            row = append_rows(ws, smap, [{"项目": key}])[0]
        if isinstance(value, dt.date):
            ws.cell(row, value_col).value = value
            ws.cell(row, value_col).number_format = "yyyy-mm-dd"
        else:
            write_cell(ws, row, value_col, column, value)


def append_raw(ws, smap, rows: Sequence[Mapping[str, object]]) -> list[int]:
    """Like io.sheets.append_rows, but text in a date/number column is stored as typed (messy input)."""
    start = last_data_row(ws, smap) + 1
    for offset, values in enumerate(rows):
        for header, value in values.items():
            column = smap.spec.column(header)
            if isinstance(value, str) and column.kind in (Kind.DATE, Kind.MONEY, Kind.COUNT):
                ws.cell(start + offset, smap.cols[header]).value = value
            else:
                write_cell(ws, start + offset, smap.cols[header], column, value)
    return list(range(start, start + len(rows)))


def fill(wb: Workbook, sheets: Mapping[str, Sequence[Mapping[str, object]] | Mapping[str, SettingValue]]) -> None:
    for key, rows in sheets.items():
        name = schema.sheet(key).name
        if name == schema.SETTINGS:
            set_settings(wb, rows)  # type: ignore[arg-type]
            continue
        ws, smap = sheet_map(wb, name)
        append_raw(ws, smap, rows)  # type: ignore[arg-type]


def make_ledger(tmp_path: Path, filename: str = "ledger.xlsx", **sheets) -> Path:
    """A new ledger (every sheet of the schema) with the given rows, saved under tmp_path."""
    wb = build_workbook()
    fill(wb, sheets)
    path = Path(tmp_path) / filename
    wb.save(path)
    return path


def clean_unit() -> dict:
    """A small unit whose ledger passes every check on 2026-03-01 (a fresh copy each call).

    Two departments, two people, two computers; one commercial (SY-0001), one OEM (OEM-0001)
    and one free (MF-0001) entry; their installations in 附件9 with requests and signed slips;
    附件8 and 附件7.安装数量 rolled up on 2026-01-01.
    """
    d = dt.date
    a7_common = {"软件类别": "办公软件", "产地": "国内", "状态": "在用"}
    return {
        "设置": {"单位名称": "测试单位", "上次半年更新日期": d(2026, 1, 1), "上次半年更新期间": "2025年下半年"},
        "部门": [{"部门名称": "办公室", "部门类型": "处室", "负责人": "张三"},
                 {"部门名称": "网络平台处", "部门类型": "处室", "负责人": "李四"}],
        "人员": [{"部门": "办公室", "姓名": "张三", "职务": "科员", "使用计算机": "是",
                  "承诺书签署日期": d(2024, 1, 1), "状态": "在职"},
                 {"部门": "网络平台处", "姓名": "李四", "职务": "科员", "使用计算机": "是",
                  "承诺书签署日期": d(2024, 1, 1), "状态": "在职"}],
        "计算机": [{"计算机编号": "PC-001", "计算机品牌": "联想", "设备类型": "台式机", "使用人": "张三",
                    "使用部门": "办公室", "启用日期": d(2023, 1, 1), "状态": "在用"},
                   {"计算机编号": "PC-002", "计算机品牌": "戴尔", "设备类型": "便携机", "使用人": "李四",
                    "使用部门": "网络平台处", "启用日期": d(2023, 1, 1), "状态": "在用"}],
        "附件7": [
            {"序号": 1, "软件编号": "SY-0001", "软件名称": "WPS Office", "软件版本": "2019", "软件类型": "商业软件",
             "采购时间": d(2024, 1, 2), "采购金额": 1200, "许可类型": "单机许可", "许可数量": 5,
             "可使用版本": "2019、2016", "许可期限": "永久", "序列号": "SN-1", "安装数量": 1, "获取方式": "采购",
             **a7_common},
            {"序号": 2, "软件编号": "OEM-0001", "软件名称": "Windows", "软件版本": "10", "软件类型": "OEM软件",
             "安装数量": 1, "获取方式": "随机预装", **a7_common, "软件类别": "操作系统", "产地": "国外"},
            {"序号": 3, "软件编号": "MF-0001", "软件名称": "7-Zip", "软件类型": "免费软件", "安装数量": 1,
             "获取方式": "免费获取", **a7_common, "软件类别": "其他软件", "产地": "国外"},
        ],
        "附件6": [{"序号": 1, "软件编号": "MF-0001", "软件名称": "7-Zip", "软件来源": "官网"}],
        "采购资料": [{"软件编号": "SY-0001", "合同编号": "HT-2024-001", "合同日期": d(2023, 12, 20), "供应商": "某软件公司",
                      "授权方式": "单机许可", "许可数量": 5, "使用年限": "永久", "授权证书编号": "ZS-2024-001",
                      "资料存放位置": "网络平台处档案柜"}],
        "附件8": [
            {"序号": 1, "部门": "办公室", "姓名": "张三", "计算机编号": "PC-001", "计算机品牌": "联想",
             "软件编号": "SY-0001", "软件名称": "WPS Office", "软件版本": "2019", "许可期限": "永久",
             "软件类型": "商业软件", "安装日期": d(2025, 1, 5)},
            {"序号": 2, "部门": "办公室", "姓名": "张三", "计算机编号": "PC-001", "计算机品牌": "联想",
             "软件编号": "OEM-0001", "软件名称": "Windows", "软件版本": "10", "软件类型": "OEM软件",
             "安装日期": d(2023, 1, 1)},
            {"序号": 3, "部门": "网络平台处", "姓名": "李四", "计算机编号": "PC-002", "计算机品牌": "戴尔",
             "软件编号": "MF-0001", "软件名称": "7-Zip", "软件版本": "23.01", "软件类型": "免费软件",
             "安装日期": d(2025, 2, 1)},
        ],
        "附件9": [
            {"序号": 1, "软件编号": "OEM-0001", "操作": "安装", "计算机编号": "PC-001", "计算机品牌": "联想",
             "使用人": "张三", "使用部门": "办公室", "版本": "10", "日期": d(2023, 1, 1), "安装数量": 1,
             "统一部署": "是", "确认单号": "QR-001"},
            {"序号": 2, "软件编号": "SY-0001", "操作": "安装", "计算机编号": "PC-001", "计算机品牌": "联想",
             "使用人": "张三", "使用部门": "办公室", "版本": "2019", "日期": d(2025, 1, 5), "安装数量": 1,
             "统一部署": "是", "确认单号": "QR-002"},
            {"序号": 3, "软件编号": "MF-0001", "操作": "安装", "计算机编号": "PC-002", "计算机品牌": "戴尔",
             "使用人": "李四", "使用部门": "网络平台处", "版本": "23.01", "日期": d(2025, 2, 1), "安装数量": 1,
             "统一部署": "否", "申请编号": "SQ-001", "确认单号": "QR-003"},
        ],
        "附件10": [{"申请编号": "SQ-001", "申请部门": "网络平台处", "申请人": "李四", "申请时间": d(2025, 1, 20),
                    "计算机编号": "PC-002", "计算机品牌": "戴尔", "申请类型": "安装", "软件名称": "7-Zip",
                    "状态": "已完成"}],
        "附件11": [{"确认单号": f"QR-00{i}", "日期": day, "计算机编号": pc, "使用人": who, "已签字": "是"}
                   for i, day, pc, who in ((1, d(2023, 1, 1), "PC-001", "张三"), (2, d(2025, 1, 5), "PC-001", "张三"),
                                           (3, d(2025, 2, 1), "PC-002", "李四"))],
    }


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """Run `ledger ARGS` in-process: (exit status, stdout, stderr)."""
    import pytest

    from workbook_tools.faces.cli import main

    with pytest.raises(SystemExit) as exc:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return exc.value.code or 0, out, err
