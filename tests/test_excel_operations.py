"""The register buttons 登记安装 / 登记卸载 / 登记升级 on approved 附件10 rows, through the in-memory Excel."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
import test_excel_buttons
from test_excel_buttons import LiveBook, Selection
from test_rollup_cli import ledger as run_cli

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.faces import excel
from workbook_tools.faces.excel import register
from workbook_tools.faces.excel.actions import ACTIONS
from workbook_tools.read.reader import file_sha256, load_ledger
from workbook_tools.xlsx.newbook import append_rows, sheet_map

A9, A10 = schema.A9, schema.A10
history, copy = test_excel_buttons.history, test_excel_buttons.copy  # the fixtures of the button tests
A9_COLUMNS = ["序号", "软件编号", "操作", "计算机编号", "计算机品牌", "使用人", "使用部门", "版本", "日期", "安装数量",
              "统一部署", "申请编号", "确认单号", "经办人", "备注"]


def request(number: str, kind: str, name: str, version: str | None, state: str = "已批准", **more) -> dict:
    return {"申请编号": number, "申请部门": "网络平台处", "申请人": "李四", "申请时间": dt.date(2025, 12, 1),
            "计算机编号": "PC-002", "申请类型": kind, "软件名称": name, "软件版本": version, "状态": state, **more}


def add_requests(path: Path, rows: list[dict]) -> list[int]:
    wb = openpyxl.load_workbook(path)
    ws, smap = sheet_map(wb, A10)
    written = append_rows(ws, smap, rows)
    wb.save(path)
    return written


def a9_rows(path: Path) -> list[tuple]:
    df = load_ledger(path).df(A9)
    return [tuple(r) for r in df[A9_COLUMNS].astype(object).where(df[A9_COLUMNS].notna(), None).itertuples(index=False)]


def click(path: Path, tag: str, rows: list[int]) -> tuple[LiveBook, excel.Outcome]:
    book = LiveBook.from_file(path)
    address = ",".join(f"$A${r}:$C${r}" for r in rows)
    book.selection = Selection(book.sheets[A10], address)
    return book, excel.dispatch(tag, book=book)


def test_install_button_appends_the_row_of_ledger_install(copy) -> None:
    by_cli, by_button = copy("cli"), copy("button")
    wps = request("SQ-101", "安装", "WPS Office", "2019")
    row = add_requests(by_button, [wps])[0]
    assert add_requests(by_cli, [wps]) == [row]
    code = run_cli("install", by_cli, "--computer", "PC-002", "--software", "SY-0002", "--request", "SQ-101",
                   "--date", dt.date.today().isoformat())
    assert code == 0
    book, outcome = click(by_button, "install", [row])
    assert outcome.ok, outcome.message
    assert a9_rows(by_button) == a9_rows(by_cli)
    assert a9_rows(by_button)[-1][1:4] == ("SY-0002", "安装", "PC-002")
    assert book.events == ["save", "close"] and len(book.app.books.opened) == 1


def test_upgrade_button_writes_the_linked_pair(copy) -> None:
    path = copy("upgrade")
    before = len(a9_rows(path))
    row = add_requests(path, [request("SQ-102", "升级", "7-Zip", "23", 升级后软件名称="7-Zip", 升级后软件版本="24")])[0]
    _, outcome = click(path, "upgrade", [row])
    assert outcome.ok, outcome.message
    rows = a9_rows(path)
    assert len(rows) == before + 2
    out, into = rows[-2], rows[-1]
    assert (out[1], out[2], out[3], out[7], into[1], into[2], into[3], into[7]) == (
        "MF-0001", "卸载", "PC-002", "23", "MF-0001", "安装", "PC-002", "24")
    assert out[11] == into[11] == "SQ-102" and out[8] == into[8]
    assert out[14] == into[14] == "升级：MF-0001→MF-0001"


def test_uninstall_button_removes_what_the_log_has(copy) -> None:
    path = copy("uninstall")
    row = add_requests(path, [request("SQ-103", "卸载", "WPS Office", "2019", 计算机编号="PC-001")])[0]
    _, outcome = click(path, "uninstall", [row])
    assert outcome.ok, outcome.message
    assert a9_rows(path)[-1][1:4] == ("SY-0002", "卸载", "PC-001")


def test_unknown_software_is_refused_and_the_file_is_unchanged(copy) -> None:
    path = copy("unknown")
    row = add_requests(path, [request("SQ-104", "安装", "Photoshop", "2024")])[0]
    before = file_sha256(path)
    book, outcome = click(path, "install", [row])
    assert not outcome.ok
    assert f"第 {row} 行" in outcome.message
    assert file_sha256(path) == before and book.events == []


def test_refused_rows_are_skipped_and_the_others_registered(copy) -> None:
    path = copy("mixed")
    rows = add_requests(path, [
        request("SQ-105", "安装", "WPS Office", "2019"),
        request("SQ-106", "安装", "WPS Office", "2019", state="待审核"),
        request("SQ-107", "卸载", "WPS Office", "2019"),
        request("SQ-108", "安装", "7-Zip", "24", 计算机编号="PC-001"),   # already installed there
    ])
    before = len(a9_rows(path))
    book, outcome = click(path, "install", rows)
    assert not outcome.ok
    added = a9_rows(path)[before:]
    assert [(r[1], r[2], r[3], r[11]) for r in added] == [("SY-0002", "安装", "PC-002", "SQ-105")]
    assert all(f"第 {r} 行" in outcome.message for r in rows[1:])
    assert book.events == ["save", "close"] and len(book.app.books.opened) == 1


def test_ambiguous_name_and_version_is_refused() -> None:
    import pandas as pd

    a7 = pd.DataFrame({"软件编号": ["SY-0001", "SY-0009"], "软件名称": ["WPS Office"] * 2,
                       "软件版本": ["2019"] * 2, "软件类型": ["商业软件"] * 2})
    with pytest.raises(LedgerError):
        register.software_number(a7, "WPS Office", "2019", 5)
    assert register.software_number(a7.iloc[:1], "WPS Office", "2019", 5) == "SY-0001"


def test_selection_outside_a10_is_refused(copy) -> None:
    book = LiveBook.from_file(copy("outside"))
    book.selection = Selection(book.sheets[A9], "$A$2")
    assert not excel.dispatch("install", book=book).ok and book.events == []


def test_register_actions_are_registered() -> None:
    assert [ACTIONS[t].run for t in ("install", "uninstall", "upgrade")] == [
        register.install, register.uninstall, register.upgrade]
