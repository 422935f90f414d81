"""The clause of the regulation that asks for each sheet to be kept, cited by findings about a cell's form.

A finding names the clause it enforces (STYLE: "a Chinese message that names the clause").  The
rules of content cite their own clause; findings about how a cell is written (TYPE-*, REQ-FIELD of a
register, ID-WIDTH) cite the clause that asks for the sheet itself.
"""
from __future__ import annotations

from workbook_tools.core import schema

SHEET_CLAUSES: dict[str, str] = {
    schema.DEPTS: "软件正版化工作责任制度 二",
    schema.STAFF: "软件正版化工作责任制度 三，台账管理规定 一.1、二.1",
    schema.COMPUTERS: "台账管理规定 一.1、一.11、二.2",
    schema.A1: "软件正版化工作责任制度 一（一）",
    schema.A3: "软件日常使用管理规定 二.1，软件配置管理规定 二.1",
    schema.A4: "软件日常使用管理规定 二.2，软件配置管理规定 二.3",
    schema.A6: "软件配置管理规定 二.2",
    schema.A7: "台账管理规定 一.1",
    schema.A8: "台账管理规定 二.1、二.2",
    schema.A9: "台账管理规定 三.1、三.4",
    schema.A10: "安装维护管理规定 一.2",
    schema.A11: "安装维护管理规定 一.4",
    schema.NAME_MAP: "软件日常使用管理规定 四.2",
}
DEFAULT_CLAUSE = "台账管理规定"


def clause(sheet: str) -> str:
    """The clause that asks for `sheet` (full name), e.g. 台账管理规定 三.1、三.4 for 附件9."""
    return SHEET_CLAUSES.get(sheet, DEFAULT_CLAUSE)
