"""`ledger init` against the contract (LEDGER_SPEC §2, §8): sheets, headers, dropdowns, formats, print setup.

The expected sheet names and headers are copied from LEDGER_SPEC §2 on purpose (not taken from
schema.py), so that a drift of the schema away from the contract fails here.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from workbook_tools.core import presets, schema
from workbook_tools.faces.cli import main
from workbook_tools.read.reader import load_ledger

SPEC_SHEETS: dict[str, list[str]] = {
    "设置": ["项目", "值"],
    "部门": ["部门名称", "部门类型", "负责人", "联系电话"],
    "人员": ["部门", "姓名", "职务", "使用计算机", "承诺书签署日期", "状态"],
    "计算机": ["计算机编号", "计算机品牌", "设备类型", "使用人", "使用部门", "启用日期", "状态", "报废日期"],
    "附件1 领导小组": ["职务", "姓名", "单位职务"],
    "附件3 软件使用需求申请": ["申请编号", "申请部门", "经手人", "联系电话", "填表日期", "软件类别", "软件用途", "功能需求",
                          "申请许可数", "选定软件编号", "信息化部门审核人", "信息化部门审核日期", "资产部门审核人",
                          "资产部门审核日期", "备注"],
    "附件4 软件采购计划": ["序号", "软件名称", "软件版本", "单价", "许可数", "合计", "软件类别", "产地", "依据申请编号", "备注"],
    "附件5 信息统计表": [],
    "附件6 可使用免费软件清单": ["序号", "软件编号", "软件名称", "软件版本", "软件来源", "软件厂商名称", "软件厂商客服联系方式",
                            "使用部门", "使用原因"],
    "附件7 软件使用情况汇总表": ["序号", "软件编号", "软件名称", "软件版本", "软件类型", "采购时间", "采购金额", "许可类型",
                            "许可数量", "可使用版本", "许可期限", "序列号", "安装数量", "获取方式", "软件类别", "产地",
                            "状态", "报废日期", "报废原因", "备注"],
    "附件8 软件使用情况明细表": ["序号", "部门", "姓名", "计算机编号", "计算机品牌", "软件编号", "软件名称", "软件版本",
                            "许可期限", "软件类型", "安装日期"],
    "附件9 软件安装维护情况明细表": ["序号", "软件编号", "操作", "计算机编号", "计算机品牌", "使用人", "使用部门", "版本", "日期",
                              "安装数量", "统一部署", "申请编号", "确认单号", "经办人", "备注"],
    "附件10 软件安装维护申请": ["申请编号", "申请部门", "申请人", "申请时间", "计算机编号", "计算机品牌", "申请类型", "软件名称",
                           "软件版本", "升级后软件名称", "升级后软件版本", "申请原因", "部门审核人", "部门审核日期",
                           "信息化部审核人", "信息化部审核日期", "状态"],
    "附件11 软件安装维护确认单": ["确认单号", "日期", "计算机编号", "计算机品牌", "使用人", "使用部门", "安装维护人", "已签字", "备注"],
    "校验结果": [],
    "变更记录": ["时间", "操作", "表", "行", "内容"],
    "软件名称对照": ["顺序", "匹配字段", "匹配方式", "匹配内容", "动作", "软件编号", "版本取值", "备注"],
}
SPEC_SETTINGS = [("单位名称", ""), ("填表人", ""), ("联系电话", ""), ("负责部门", ""), ("负责部门负责人", ""),
                 ("负责部门电话", ""), ("负责部门传真", ""), ("商业软件编号前缀", "SY"), ("OEM软件编号前缀", "OEM"),
                 ("免费软件编号前缀", "MF"), ("上次半年更新日期", ""), ("上次半年更新期间", "")]
TABLE_SHEETS = [s.name for s in schema.SHEETS if s.columns]


def run_init(path: Path, *options: str) -> None:
    with pytest.raises(SystemExit) as done:
        main(["init", str(path), *options])
    assert done.value.code in (0, None)


@pytest.fixture(scope="module")
def init_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("init") / "台账.xlsx"
    run_init(path)
    return path


@pytest.fixture(scope="module")
def wb(init_file):
    return openpyxl.load_workbook(init_file)


def header_row(ws) -> list[str]:
    return [c.value for c in ws[1] if c.value is not None]


def test_every_sheet_of_the_contract_exists(wb):
    assert set(SPEC_SHEETS) <= set(wb.sheetnames)
    assert len(wb.sheetnames) == len(set(wb.sheetnames))


@pytest.mark.parametrize("name", [n for n, h in SPEC_SHEETS.items() if h])
def test_headers_are_exact_and_in_contract_order(wb, name):
    headers = header_row(wb[name])
    assert headers[: len(SPEC_SHEETS[name])] == SPEC_SHEETS[name]
    assert headers == list(schema.BY_NAME[name].headers)  # anything beyond the contract is appended at the end


@pytest.mark.parametrize("name", TABLE_SHEETS)
def test_header_frozen_and_printed_on_every_a4_page(wb, name):
    ws = wb[name]
    assert ws.freeze_panes == "A2"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


@pytest.mark.parametrize("name", [schema.A7, schema.A8, schema.A9])
def test_wide_annexes_print_landscape(wb, name):
    assert wb[name].page_setup.orientation == "landscape"


def validations(ws) -> dict[str, tuple[str, object]]:
    """column letter -> (formula1, data validation) of the init dropdowns."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            assert rng.min_row == 2 and rng.max_row == 1048576 and rng.min_col == rng.max_col
            out[get_column_letter(rng.min_col)] = (dv.formula1, dv)
    return out


@pytest.mark.parametrize("name", TABLE_SHEETS)
def test_every_enum_and_reference_column_has_its_dropdown(wb, name):
    spec = schema.BY_NAME[name]
    found = validations(wb[name])
    expected = {}
    for j, column in enumerate(spec.columns, start=1):
        if column.choices:
            expected[get_column_letter(j)] = '"' + ",".join(column.choices) + '"'
        elif column.ref:
            expected[get_column_letter(j)] = column.ref
    assert {k: f for k, (f, _) in found.items()} == expected
    for formula, dv in found.values():
        assert dv.type == "list" and dv.showErrorMessage and dv.allow_blank
        expected_style = ("stop", None) if formula.startswith('"') else ("warning",)
        assert dv.errorStyle in expected_style


def test_reference_lists_are_defined_names_on_the_source_column(wb):
    for name, (sheet_name, header) in schema.REF_SOURCES.items():
        letter = get_column_letter(list(schema.BY_NAME[sheet_name].headers).index(header) + 1)
        quoted = f"'{sheet_name}'" if " " in sheet_name or not sheet_name.isascii() else sheet_name
        assert wb.defined_names[name].attr_text == f"{quoted}!${letter}$2:${letter}$1048576"


def test_dropdowns_use_the_standard_part_only(init_file):
    with zipfile.ZipFile(init_file) as zf:
        assert not any(b"<x14:dataValidation" in zf.read(n) for n in zf.namelist() if n.endswith(".xml"))
        sheets = [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sum(x.count(b"<dataValidation ") for x in sheets) > 40
    assert not [x for x in sheets if b"x14:" in x or b"<formula1>=" in x]


@pytest.mark.parametrize("name", TABLE_SHEETS)
def test_column_formats_follow_the_kind(wb, name):
    ws = wb[name]
    expected = {schema.Kind.ID: "@", schema.Kind.VERSION: "@", schema.Kind.DATE: "yyyy-mm-dd",
                schema.Kind.MONEY: "#,##0.00"}
    for j, column in enumerate(schema.BY_NAME[name].columns, start=1):
        if column.kind in expected:
            assert ws.column_dimensions[get_column_letter(j)].number_format == expected[column.kind], column.header
        minimum = 12 if column.kind is schema.Kind.DATE else 8  # a date must not print as ###
        assert ws.column_dimensions[get_column_letter(j)].width >= minimum, column.header


def test_settings_hold_every_key_with_its_default(init_file):
    ws = openpyxl.load_workbook(init_file)[schema.SETTINGS]
    rows = [(r[0], r[1] or "") for r in ws.iter_rows(min_row=2, max_col=2, values_only=True)]
    assert rows[: len(SPEC_SETTINGS)] == SPEC_SETTINGS
    ledger = load_ledger(init_file)
    assert [ledger.prefix(t) for t in schema.SOFTWARE_TYPES] == ["SY", "OEM", "MF"]


def test_new_ledger_reads_back_clean(init_file):
    ledger = load_ledger(init_file)
    assert not ledger.findings
    assert all(len(t) == 0 for name, t in ledger.tables.items() if name != schema.NAME_MAP)


def test_preset_fills_the_unit(tmp_path):
    path = tmp_path / "鞍山.xlsx"
    run_init(path, "--preset")
    ledger = load_ledger(path)
    assert ledger.setting("单位名称") == presets.UNIT
    depts = ledger.df(schema.DEPTS)
    assert list(depts["部门名称"]) == [d[0] for d in presets.DEPARTMENTS] and len(depts) == 22
    assert list(depts["部门类型"]) == [d[1] for d in presets.DEPARTMENTS]
    group = ledger.df(schema.A1)
    assert list(zip(group["职务"], group["姓名"], group["单位职务"])) == list(presets.LEADING_GROUP)
    assert not ledger.findings


def test_init_appends_the_xlsx_suffix(tmp_path):
    run_init(tmp_path / "台账")
    assert (tmp_path / "台账.xlsx").is_file()
