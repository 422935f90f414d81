"""`ledger init`: a new ledger workbook built from the schema."""
from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import replace

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from workbook_tools.core import presets, schema
from workbook_tools.core.a1 import col_letters
from workbook_tools.core.model import Change
from workbook_tools.core.schema import Kind
from workbook_tools.xlsx.book import Book, TableEdit
from workbook_tools.xlsx.newbook import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    MONEY_FORMAT,
    TEXT_FORMAT,
    SheetMap,
    add_validations,
    append_rows,
    ensure_defined_names,
    sheet_map,
    style_header,
)
from workbook_tools.xlsx.package import q

GUIDE_LINES = (
    "软件正版化台账 使用说明",
    "",
    "1. 每个附件一张工作表，第 1 行是表头（请勿修改表头文字），数据从第 2 行开始；可以在右侧增加自己的列，工具不会改动。",
    "2. 「设置」表填写单位名称、填表人、联系电话、负责部门等；软件编号前缀默认为 SY（商业软件）、OEM（OEM软件）、MF（免费软件）。",
    "3. 先登记「部门」「人员」「计算机」，再在「附件7」登记软件（编号可留空，执行“编号”自动分配）。",
    "4. 每次安装、卸载、升级软件后，在「附件9」登记一行（升级 = 旧编号卸载 + 新编号安装），并打印「附件11」确认单请使用人签字。",
    "5. 「附件8」和「附件7」的安装数量由“半年更新”根据「附件9」自动生成，请勿手工修改。",
    "6. 点击功能区“正版化台账”→“校验”，或在命令行执行 ledger check 台账.xlsx，查看「校验结果」表中列出的问题并逐条改正。",
    "7. 日期请填写为 Excel 日期或 2024-03-05 这样的文字；金额可写 1200、¥1,200 或 1.2万。",
    "8. 工具每次写入前会在同一文件夹的「备份」目录中保留原文件，并在「变更记录」表中记下改动。",
    "9. 使用 WPS 或麒麟系统时，请保存并关闭文件后在命令行中使用 ledger 命令。",
)


MIN_WIDTH = {Kind.DATE: 12.0, Kind.DATETIME: 20.0}  # yyyy-mm-dd shows as ### in narrower columns


def header_width(column: schema.Column) -> float:
    if column.width:
        return max(column.width, MIN_WIDTH.get(column.kind, 0.0))
    return max(MIN_WIDTH.get(column.kind, 8.0), len(column.header) * 2.2 + 2)


def format_columns(ws: Worksheet, smap: SheetMap) -> None:
    """Widths and number formats per column kind (IDs and versions stored as text)."""
    formats = {Kind.DATE: DATE_FORMAT, Kind.DATETIME: DATETIME_FORMAT, Kind.MONEY: MONEY_FORMAT,
               Kind.ID: TEXT_FORMAT, Kind.VERSION: TEXT_FORMAT}
    for column in smap.spec.columns:
        letter = col_letters(smap.cols[column.header])
        dim = ws.column_dimensions[letter]
        dim.width = header_width(column)
        if column.kind in formats:
            dim.number_format = formats[column.kind]


def print_setup(ws: Worksheet, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.print_options.horizontalCentered = True


def add_sheet(wb: Workbook, spec: schema.Sheet) -> tuple[Worksheet, SheetMap]:
    ws = wb.create_sheet(spec.name)
    for j, header in enumerate(spec.headers, start=1):
        style_header(ws.cell(1, j, header))
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    smap = SheetMap(spec, 1, {h: j for j, h in enumerate(spec.headers, start=1)})
    if spec.columns:
        format_columns(ws, smap)
        add_validations(ws, smap)
    print_setup(ws, spec.landscape)
    return ws, smap


def write_guide(wb: Workbook) -> None:
    ws = wb.create_sheet(schema.GUIDE)
    ws.column_dimensions["A"].width = 120
    for i, line in enumerate(GUIDE_LINES, start=1):
        cell = ws.cell(i, 1, line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=14)


def default_settings(overrides: Mapping[str, str] | None = None) -> list[dict[str, str | None]]:
    values = dict(schema.SETTING_KEYS)
    values.update(overrides or {})
    rows: list[dict[str, str | None]] = [{"项目": k, "值": values.get(k, "")} for k, _ in schema.SETTING_KEYS]
    rows += [{"项目": f"附件7.{k}", "值": None} for k in schema.HEADER_COUNT_KEYS]
    rows += [{"项目": k, "值": values.get(k, v)} for k, v in schema.EXTRA_SETTING_KEYS]
    return rows


def build_workbook(settings: Mapping[str, str] | None = None, name_rules: Iterable[Mapping[str, object]] = ()) -> Workbook:
    """Every sheet of LEDGER_SPEC §2 in order, plus 说明, with formats, dropdowns and print setup."""
    wb = Workbook()
    wb.remove(wb.active)
    write_guide(wb)
    maps = {}
    for spec in schema.SHEETS:
        maps[spec.name] = add_sheet(wb, spec)
    ws, smap = maps[schema.SETTINGS]
    append_rows(ws, smap, default_settings(settings))
    if name_rules:
        ws, smap = maps[schema.NAME_MAP]
        append_rows(ws, smap, name_rules)
    ensure_defined_names(wb)
    return wb


def fill_preset(wb: Workbook) -> None:
    """Master data of the unit: departments and the leading group (附件1)."""
    ws, smap = sheet_map(wb, schema.DEPTS)
    append_rows(ws, smap, ({"部门名称": n, "部门类型": t, "负责人": p} for n, t, p in presets.DEPARTMENTS))
    ws, smap = sheet_map(wb, schema.A1)
    append_rows(ws, smap, ({"职务": r, "姓名": n, "单位职务": d} for r, n, d in presets.LEADING_GROUP))


# --- the §11 sheets added to an existing ledger (through the lossless writer) ----------------------

def _defined_names(book: Book) -> set[str]:
    names = book.workbook.root.find(q("definedNames"))
    return set() if names is None else {n for el in names if (n := el.get("name")) is not None}


def build_table_sheet(ws: Worksheet, spec: schema.Sheet, names: set[str]) -> None:
    """An empty sheet of `spec` as `init` makes it; reference dropdowns only where the workbook defines the list."""
    usable = tuple(c if c.ref is None or c.ref in names else replace(c, ref=None) for c in spec.columns)
    spec = replace(spec, columns=usable)
    for j, header in enumerate(spec.headers, start=1):
        style_header(ws.cell(1, j, header))
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    smap = SheetMap(spec, 1, {h: j for j, h in enumerate(spec.headers, start=1)})
    format_columns(ws, smap)
    add_validations(ws, smap)
    print_setup(ws, spec.landscape)
    ws.print_title_rows = None


def _place_after(book: Book, name: str) -> str | None:
    """The schema sheet before `name` that the workbook has: a new sheet stands right after it."""
    order = [s.name for s in schema.SHEETS]
    before = [n for n in order[:order.index(name)] if book.has(n)]
    return before[-1] if before else None


def add_missing_sheets(book: Book, names: Iterable[str] = schema.CYCLE_SHEETS) -> list[Change]:
    """Add the named schema sheets the workbook lacks (empty, with headers, formats and dropdowns).

    Nothing else of the workbook changes: the new sheets are grafted in by the writer's book.
    Returns the 变更记录 lines, one per added sheet; a table edit for each is ready for appends.
    """
    changes = []
    defined = _defined_names(book)
    for name in names:
        if book.has(name):
            continue
        spec = schema.BY_NAME[name]
        book.generate(name, functools.partial(build_table_sheet, spec=spec, names=defined), after=_place_after(book, name))
        entry = book.workbook.entry(name)
        assert entry is not None  # generated just now
        book.tables[name] = TableEdit(book, name, entry.part, spec, 1,
                                      {c.header: j for j, c in enumerate(spec.columns, start=1)}, [])
        changes.append(Change(action="新增工作表", sheet=name, content=f"新增工作表「{name}」"))
    return changes
