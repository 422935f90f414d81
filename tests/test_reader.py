"""Reader on messy input: dates, money, counts, ids and versions as clerks really type them."""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW
from workbook_tools.files.create import build_workbook
from workbook_tools.read.reader import load_ledger

A7_HEADERS = list(schema.BY_NAME[schema.A7].headers)


def raw_sheet_ledger(tmp_path: Path, sheet: str, rows: Sequence[Sequence[object]], origin: str = "A1") -> Path:
    """A fresh ledger whose `sheet` holds exactly `rows` (raw cell values) starting at `origin`."""
    wb = build_workbook()
    ws = wb[schema.sheet(sheet).name]
    ws.delete_rows(1, ws.max_row)
    top = ws[origin]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                ws.cell(top.row + i, top.column + j, value)
    path = tmp_path / "messy.xlsx"
    wb.save(path)
    return path


def a7_rows(column: str, values: Sequence[object]) -> list[list[object]]:
    """Header + one row per value in `column`, each with a distinct 软件编号."""
    j = A7_HEADERS.index(column)
    rows: list[list[object]] = [A7_HEADERS]
    for i, value in enumerate(values):
        row: list[object] = [None] * len(A7_HEADERS)
        row[1], row[2], row[j] = f"SY-{i + 1:04d}", "软件", value
        rows.append(row)
    return rows


def findings_by_row(ledger, rule: str) -> dict[int, str]:
    return {f.row: f.cell for f in ledger.findings if f.rule == rule}


ACCEPTED_DATES = [
    "2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "２０２４年３月５日", "2024 年 3 月 5 日",
    "２０２４－０３－０５", " 2024-03-05 ", "2024-03-05 10:30", "20240305",
    dt.datetime(2024, 3, 5), dt.datetime(2024, 3, 5, 16, 45), dt.date(2024, 3, 5),
    45356, 45356.0, 45356.7, "45356", "４５３５６", 20240305,
]
REJECTED_DATES = ["24/3/5", "2024年3月", "2024/13/5", "2024-02-30", "2024-3", "下周一", "3/5/2024", "05.03.2024",
                  "2024", 2024, "0", 0, -5, True, "2024年3月5号前"]


def test_accepted_date_forms_read_as_the_same_day(tmp_path):
    ledger = load_ledger(raw_sheet_ledger(tmp_path, "7", a7_rows("采购时间", ACCEPTED_DATES)))
    df = ledger.df("7")
    assert not [f for f in ledger.findings if f.rule == "TYPE-DATE"]
    assert len(df) == len(ACCEPTED_DATES)
    assert all(ts == pd.Timestamp(2024, 3, 5) for ts in df["采购时间"]), list(df["采购时间"])


def test_unreadable_dates_are_flagged_at_their_cell_never_guessed(tmp_path):
    ledger = load_ledger(raw_sheet_ledger(tmp_path, "7", a7_rows("采购时间", REJECTED_DATES)))
    df = ledger.df("7")
    flagged = findings_by_row(ledger, "TYPE-DATE")
    rows = list(range(2, 2 + len(REJECTED_DATES)))
    assert flagged == {r: f"F{r}" for r in rows}
    assert df["采购时间"].isna().all()
    assert {f.sheet for f in ledger.findings} == {schema.A7}
    assert {f.column for f in ledger.findings} == {"采购时间"}


def test_dates_in_other_sheets_are_typed_and_flagged_too(tmp_path):
    headers = list(schema.BY_NAME[schema.A9].headers)
    rows = [headers, ["1", "SY-0001", "安装", "PC-1", None, None, None, "2016", "2024年3月5日", 1],
            ["2", "SY-0001", "卸载", "PC-1", None, None, None, "2016", "24/3/5", 1]]
    ledger = load_ledger(raw_sheet_ledger(tmp_path, "9", rows))
    assert ledger.df("9")["日期"].iloc[0] == pd.Timestamp(2024, 3, 5)
    assert [(f.rule, f.row, f.cell) for f in ledger.findings] == [("TYPE-DATE", 3, "I3")]


MONEY = [("¥1,200", 1200.0), ("￥1200元", 1200.0), ("1.2万", 12000.0), ("1.2万元", 12000.0),
         ("１，２００", 1200.0), ("１２００元", 1200.0), (1200, 1200.0), (1200.5, 1200.5),
         ("1,200.50", 1200.5), (" 88 ", 88.0), ("0", 0.0), ("¥ 3,000", 3000.0)]
BAD_MONEY = ["-1200", -5, "¥-1,200", "－１２００", "abc", "1200美元", "12.3.4", "约1000", "1.2千", "1e400"]


def test_money_text_forms(tmp_path):
    ledger = load_ledger(raw_sheet_ledger(tmp_path, "7", a7_rows("采购金额", [m for m, _ in MONEY])))
    assert not ledger.findings
    assert list(ledger.df("7")["采购金额"]) == [v for _, v in MONEY]


def test_bad_or_negative_money_is_type_number(tmp_path):
    ledger = load_ledger(raw_sheet_ledger(tmp_path, "7", a7_rows("采购金额", BAD_MONEY)))
    flagged = findings_by_row(ledger, "TYPE-NUMBER")
    assert flagged == {r: f"G{r}" for r in range(2, 2 + len(BAD_MONEY))}
    assert ledger.df("7")["采购金额"].isna().all()


def test_counts(tmp_path):
    good = [("3", 3.0), ("３", 3.0), (5, 5.0), (5.0, 5.0), ("1,000", 1000.0), ("0", 0.0)]
    bad = ["-1", "三", "3台", -2]
    ledger = load_ledger(raw_sheet_ledger(tmp_path, "7", a7_rows("许可数量", [g for g, _ in good] + bad)))
    df = ledger.df("7")
    assert list(df["许可数量"][: len(good)]) == [v for _, v in good]
    bad_rows = range(2 + len(good), 2 + len(good) + len(bad))
    assert findings_by_row(ledger, "TYPE-NUMBER") == {r: f"I{r}" for r in bad_rows}
    assert df["许可数量"].dtype == float


def test_ids_and_versions_given_as_numbers_lose_the_trailing_zero(tmp_path):
    rows = [A7_HEADERS, [1.0, 1001.0, "Office", 2016.0, "商业软件", None, None, None, None, None, None, 123456789012.0],
            [2, 1002, "WPS", 10.5, "商业软件", None, None, None, None, None, None, "AB-12"],
            [3, "SY-0003", "Visio", "2019", "商业软件"]]
    ledger = load_ledger(raw_sheet_ledger(tmp_path, "7", rows))
    df = ledger.df("7")
    assert list(df["序号"]) == ["1", "2", "3"]
    assert list(df["软件编号"]) == ["1001", "1002", "SY-0003"]
    assert list(df["软件版本"]) == ["2016", "10.5", "2019"]
    assert list(df["序列号"])[:2] == ["123456789012", "AB-12"]
    assert not ledger.findings


def test_register_ids_and_phone_numbers_stay_text(tmp_path):
    headers = list(schema.BY_NAME[schema.COMPUTERS].headers)
    rows = [headers, [20240001.0, "联想", "台式机", "张三", "办公室", 45356, "在用"], [" PC-02\u3000", "华为"]]
    ledger = load_ledger(raw_sheet_ledger(tmp_path, "计算机", rows))
    df = ledger.df("计算机")
    assert list(df["计算机编号"]) == ["20240001", "PC-02"]
    assert df["启用日期"].iloc[0] == pd.Timestamp(2024, 3, 5)


def test_title_rows_blank_rows_extra_columns_and_untidy_headers(tmp_path):
    headers = list(A7_HEADERS)
    headers[1], headers[2] = "软件\n编号", " 软件名称 "
    headers.insert(5, "责任人")          # a user's own column in the middle: columns go by header text
    headers[headers.index("许可数量")] = "许可　数量"
    def row(**values):
        return [values.get(h) for h in ["序号", "软件编号", "软件名称", "软件版本", "软件类型", "责任人",
                                        "采购时间", "采购金额"]]
    rows = [["附件7"], ["软件使用情况汇总表"], [None, None, "单位：鞍山市行政审批局"], headers,
            row(序号="1", 软件编号="SY-0001", 软件名称="Office", 采购时间="2024/3/5", 采购金额="¥1,200", 责任人="张三"),
            [],
            row(责任人="只有自己列的行"),
            row(序号="2", 软件编号="SY-0002", 软件名称="WPS", 采购时间="去年", 采购金额="1.2万")]
    ledger = load_ledger(raw_sheet_ledger(tmp_path, "7", rows))
    table = ledger["7"]
    assert table.header_row == 4
    assert table.extra_columns == ["责任人"]
    assert list(table.df[ROW]) == [5, 8]
    assert list(table.df["软件编号"]) == ["SY-0001", "SY-0002"]
    assert table.cell(8, "采购时间") == "G8" and table.columns["许可数量"] == 9
    assert [(f.rule, f.row, f.cell) for f in ledger.findings] == [("TYPE-DATE", 8, "G8")]
    assert list(table.df["采购金额"]) == [1200.0, 12000.0]
    assert "责任人" not in table.df.columns


def test_a_sheet_with_few_known_headers_is_not_taken_for_the_table(tmp_path):
    from workbook_tools.core.model import LedgerError

    rows = [["序号", "软件编号", "软件名称", "备注说明"], ["1", "SY-0001", "Office"]]
    with pytest.raises(LedgerError):
        load_ledger(raw_sheet_ledger(tmp_path, "7", rows))


def test_used_range_starting_at_column_b(tmp_path):
    rows = [["台账（B 列起）"], [], A7_HEADERS,
            ["1", "SY-0001", "Office", "2016", "商业软件", "2024-02-30", "abc"]]
    ledger = load_ledger(raw_sheet_ledger(tmp_path, "7", rows, origin="B2"))
    table = ledger["7"]
    assert table.header_row == 4
    assert table.columns["序号"] == 1 and table.cell(5, "软件编号") == "C5"
    assert list(table.df[ROW]) == [5]
    got = sorted((f.rule, f.cell) for f in ledger.findings)
    assert got == [("TYPE-DATE", "G5"), ("TYPE-NUMBER", "H5")]


def test_header_below_the_search_window_is_an_error(tmp_path):
    from workbook_tools.core.model import LedgerError

    rows = [[f"标题 {i}"] for i in range(10)] + [A7_HEADERS, ["1", "SY-0001", "Office"]]
    with pytest.raises(LedgerError) as err:
        load_ledger(raw_sheet_ledger(tmp_path, "7", rows))
    assert err.value.exit_code == 2


def test_settings_values_are_text(tmp_path):
    rows = [["项目", "值"], ["单位名称", "  鞍山市行政审批局 "], ["联系电话", 4125551234.0],
            ["上次半年更新日期", dt.datetime(2026, 6, 30)], [None, "孤立值"], ["商业软件编号前缀", "ZB"]]
    ledger = load_ledger(raw_sheet_ledger(tmp_path, "设置", rows))
    assert ledger.settings["单位名称"] == "鞍山市行政审批局"
    assert ledger.settings["联系电话"] == "4125551234"
    assert ledger.last_rollup() == dt.date(2026, 6, 30)
    assert ledger.prefix("商业软件") == "ZB" and ledger.prefix("免费软件") == "MF"


def test_empty_new_ledger_reads_with_every_table(tmp_path):
    path = tmp_path / "new.xlsx"
    build_workbook().save(path)
    ledger = load_ledger(path)
    for spec in schema.data_sheets():
        if spec.kind is not schema.SheetKind.SETTINGS:
            assert len(ledger[spec.name]) == 0 and ledger[spec.name].present
    assert ledger.settings["OEM软件编号前缀"] == "OEM"
    assert ledger.sha256 and not ledger.findings


def test_numbers_survive_as_floats_not_strings(tmp_path):
    ledger = load_ledger(raw_sheet_ledger(tmp_path, "7", a7_rows("安装数量", [2, "2", None])))
    values = list(ledger.df("7")["安装数量"])
    assert values[:2] == [2.0, 2.0] and math.isnan(values[2])


def test_wps_file_with_a_wrong_dimension_record_reads_in_full(tmp_path, zip_parts):
    import re

    from builders import make_ledger

    rows = [{"软件编号": f"SY-{i:04d}", "软件名称": f"软件{i}", "软件类型": "商业软件", "采购时间": "2024-03-05"}
            for i in range(1, 41)]
    path = make_ledger(tmp_path, **{"7": rows, "计算机": [{"计算机编号": "PC-1"}]})

    def wrong_dimension(xml: bytes) -> bytes:
        new, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', xml)
        assert n == 1
        return new

    zip_parts(path, {schema.A7: wrong_dimension, schema.COMPUTERS: wrong_dimension})
    ledger = load_ledger(path)
    assert len(ledger.df("7")) == 40 and list(ledger.df("7")[ROW])[-1] == 41
    assert ledger.df("7")["软件编号"].iloc[-1] == "SY-0040"
    assert list(ledger.df("计算机")["计算机编号"]) == ["PC-1"]
