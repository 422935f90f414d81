"""workbook.xml: which part holds which sheet, adding or replacing a generated sheet, calculation."""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from workbook_tools.core.model import LedgerError
from workbook_tools.xlsx.package import R_NS, Package, q, to_xml

OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
OFFICE_DOC_STRICT = "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument"
WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CALC_CHAIN_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
# Where calcPr and definedNames stand among workbook's children (CT_Workbook order).
_AFTER_CALC = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
               "fileRecoveryPr", "webPublishObjects", "extLst")


@dataclass
class SheetEntry:
    name: str
    part: str
    rel_id: str
    element: etree._Element


class WorkbookXml:
    def __init__(self, pkg: Package):
        self.pkg = pkg
        self.part = workbook_part(pkg)
        self.root = pkg.xml(self.part)
        self.changed = False
        if etree.QName(self.root).namespace == STRICT_MAIN_NS:
            raise LedgerError(f"{pkg.path.name} 是“Strict Open XML”格式的工作簿，本工具可以读取但不能写入；"
                              "请在 Excel 中另存为普通的“Excel 工作簿 (*.xlsx)”后再试", 2)

    def save(self) -> None:
        if self.changed:
            self.pkg.set(self.part, to_xml(self.root))

    @property
    def date1904(self) -> bool:
        """True for a workbook in the 1904 date system (<workbookPr date1904="1"/>)."""
        pr = self.root.find(q("workbookPr"))
        return pr is not None and pr.get("date1904", "").lower() in ("1", "true")

    def sheets_element(self) -> etree._Element:
        sheets = self.root.find(q("sheets"))
        if sheets is None:
            raise LedgerError("workbook.xml 缺少 sheets 元素，无法写入")
        return sheets

    def sheets(self) -> list[SheetEntry]:
        targets = {r.id: self.pkg.target(self.part, r) for r in self.pkg.rels(self.part)}
        out = []
        for el in self.sheets_element():
            rid = el.get(f"{{{R_NS}}}id")
            if rid in targets:
                out.append(SheetEntry(el.get("name", ""), targets[rid], rid, el))
        return out

    def entry(self, name: str) -> SheetEntry | None:
        return next((s for s in self.sheets() if s.name == name), None)

    def add_sheet(self, name: str, index: int, data: bytes) -> str:
        """A new worksheet part at position `index` of the tab order; returns its part name."""
        part = self.pkg.free_name("xl/worksheets/sheet{}.xml")
        self.pkg.set(part, data)
        self.pkg.set_override(part, WORKSHEET_CT)
        rid = self.pkg.add_rel(self.part, WORKSHEET_TYPE, part)
        sheets = self.sheets_element()
        ids = [int(el.get("sheetId", "0")) for el in sheets]
        el = etree.Element(q("sheet"))
        el.set("name", name)
        el.set("sheetId", str(max(ids, default=0) + 1))
        el.set(f"{{{R_NS}}}id", rid)
        index = max(0, min(index, len(sheets)))
        sheets.insert(index, el)
        self._shift_local_ids(index)
        self.changed = True
        return part

    def _shift_local_ids(self, index: int) -> None:
        """Sheet-scoped names and the active tab keep pointing at the same sheets."""
        names = self.root.find(q("definedNames"))
        for el in names if names is not None else ():
            local = el.get("localSheetId")
            if local is not None and local.isdigit() and int(local) >= index:
                el.set("localSheetId", str(int(local) + 1))
        views = self.root.find(q("bookViews"))
        for view in views if views is not None else ():
            for attr in ("activeTab", "firstSheet"):
                value = view.get(attr)
                if value is not None and value.isdigit() and int(value) >= index and int(value) > 0:
                    view.set(attr, str(int(value) + 1))

    def full_calc_on_load(self) -> None:
        """Excel/WPS recalculate every formula when the file is next opened."""
        calc = self.root.find(q("calcPr"))
        if calc is None:
            calc = etree.Element(q("calcPr"))
            later = [self.root.find(q(t)) for t in _AFTER_CALC]
            anchor = next((x for x in later if x is not None), None)
            if anchor is None:
                self.root.append(calc)
            else:
                anchor.addprevious(calc)
        if calc.get("fullCalcOnLoad") != "1":
            calc.set("fullCalcOnLoad", "1")
            self.changed = True

    def drop_calc_chain(self) -> bool:
        """Remove calcChain.xml (Excel rebuilds it); needed once a formula cell became a value."""
        dropped = False
        for rel in self.pkg.rels(self.part):
            if rel.type == CALC_CHAIN_TYPE:
                target = self.pkg.target(self.part, rel)
                self.pkg.remove(target)
                self.pkg.set_override(target, None)
                self.pkg.remove_rel(self.part, rel.id)
                dropped = True
        return dropped


def workbook_part(pkg: Package) -> str:
    for rel in pkg.rels(""):
        if rel.type in (OFFICE_DOC, OFFICE_DOC_STRICT):
            return pkg.target("", rel)
    return "xl/workbook.xml"
