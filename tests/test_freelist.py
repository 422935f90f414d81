"""ledger add-free: one number for 附件6 and 附件7, the next free one or the name's own."""
from __future__ import annotations

import openpyxl
import pytest
from builders import make_ledger

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.files.writer import write_workbook
from workbook_tools.ops import freelist as fl
from workbook_tools.read.reader import load_ledger

A7 = [
    {"软件编号": "MF-0002", "软件名称": "7-Zip", "软件类型": "免费软件", "获取方式": "免费获取"},
    {"软件编号": "SY-0001", "软件名称": "WPS Office", "软件版本": "2019", "软件类型": "商业软件"},
]
A9 = [{"软件编号": "MF-0005", "操作": "卸载", "计算机编号": "PC1"}]  # a number that existed


def add(path, **kw):
    ledger = load_ledger(path)
    sw = fl.FreeSoftware(**kw)
    outcome = fl.plan_free(ledger, sw)
    write_workbook(path, fl.add_free_edit(sw, outcome), "免费软件", ledger=ledger)
    return outcome


def rows(path, sheet, width):
    ws = openpyxl.load_workbook(path)[sheet]
    return [[c.value for c in r[:width]] for r in ws.iter_rows(min_row=2) if any(c.value for c in r[:width])]


def test_new_name_takes_the_next_number_in_both_sheets(tmp_path):
    path = make_ledger(tmp_path, **{"附件7": A7, "附件9": A9})
    outcome = add(path, 软件名称="Notepad++", 软件版本="8.6", 软件来源="官网", 软件厂商名称="Don Ho",
                  使用部门="网络平台处", 使用原因="编辑配置文件")
    assert (outcome.number, outcome.reused) == ("MF-0006", False)
    a7 = rows(path, schema.A7, 20)[-1]
    assert a7[:5] == [3, "MF-0006", "Notepad++", None, "免费软件"]
    assert all(v is None for v in a7[5:13])               # purchase and licence fields blank
    assert a7[13] == "免费获取"
    assert rows(path, schema.A6, 9) == [[1, "MF-0006", "Notepad++", "8.6", "官网", "Don Ho", None, "网络平台处",
                                          "编辑配置文件"]]


def test_change_log_mentions_count_as_existed(tmp_path):
    path = make_ledger(tmp_path, **{"附件7": A7, "变更记录": [{"操作": "删除", "内容": "删除 MF-0009 旧软件"}]})
    assert fl.next_number(load_ledger(path)) == "MF-0010"


def test_prefix_from_settings(tmp_path):
    path = make_ledger(tmp_path, **{"设置": {"免费软件编号前缀": "FREE"}, "附件7": A7})
    assert add(path, 软件名称="VLC").number == "FREE-0001"


def test_known_name_reuses_its_number_and_adds_only_what_is_missing(tmp_path):
    path = make_ledger(tmp_path, **{"附件7": A7})
    outcome = add(path, 软件名称="7-zip ", 软件版本="23.01")
    assert (outcome.number, outcome.reused, outcome.add_a7, outcome.add_a6) == ("MF-0002", True, False, True)
    assert len(rows(path, schema.A7, 20)) == 2
    assert rows(path, schema.A6, 4) == [[1, "MF-0002", "7-Zip", "23.01"]]
    again = fl.plan_free(load_ledger(path), fl.FreeSoftware(软件名称="7-Zip"))
    assert not again.needed


def test_listed_only_in_a6_gets_its_a7_row_and_blank_details(tmp_path):
    a6 = [{"序号": "1", "软件编号": "MF-0003", "软件名称": "福昕阅读器"}]
    path = make_ledger(tmp_path, **{"附件7": A7, "附件6": a6})
    outcome = add(path, 软件名称="福昕阅读器", 软件厂商名称="福昕", 使用部门="办公室")
    assert (outcome.number, outcome.add_a7, outcome.add_a6) == ("MF-0003", True, False)
    assert rows(path, schema.A7, 3)[-1] == [3, "MF-0003", "福昕阅读器"]
    assert rows(path, schema.A6, 9)[0][5:8] == ["福昕", None, "办公室"]


def test_a_commercial_name_is_refused(tmp_path):
    path = make_ledger(tmp_path, **{"附件7": A7})
    with pytest.raises(LedgerError) as err:
        fl.plan_free(load_ledger(path), fl.FreeSoftware(软件名称="WPS Office"))
    assert err.value.exit_code == 1
