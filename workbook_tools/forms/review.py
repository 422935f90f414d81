"""考核评议 as a printed form: the year's verdicts per department and person, the items, the group's signature."""
from __future__ import annotations

from pydantic import Field

from workbook_tools.core.ledger import Ledger
from workbook_tools.forms.common import Printable, PrintOptions, UnitHeader, cn_day, unit_header
from workbook_tools.forms.layout import Column
from workbook_tools.forms.tables import no_ids
from workbook_tools.ops.review import CLAUSE_DUTY, DEPT_RULE, PERSON_RULE, Review, build_review

LEFT = "left"
COLUMNS = [Column(key="序号", head=["序号"]), Column(key="部门", head=["部门"]), Column(key="姓名", head=["姓名"]),
           Column(key="日期", head=["日期"]), Column(key="位置", head=["台账", "位置"]),
           Column(key="问题", head=["问题"], align=LEFT), Column(key="条款", head=["依据"], align=LEFT,
                  extra=["软件正版化工作责任制度"])]   # a document's name on one line, the article below it


class ReviewForm(Printable):
    header: UnitHeader = Field(default_factory=UnitHeader)
    year: int
    until: str
    depts: list[list[str]] = Field(default_factory=list)    # 部门, 问题数, 评议结果
    people: list[list[str]] = Field(default_factory=list)   # 部门, 姓名, 问题数, 评议结果
    basis: str = ""


def form_of(review: Review, header: UnitHeader) -> ReviewForm:
    rows: list[list[str | bool]] = []
    people: list[list[str]] = []
    for d in review.depts:
        for p in d.people:
            people.append([d.dept, p.person, str(len(p.items)), p.consequence])
            rows += [[str(len(rows) + 1), d.dept, p.person, cn_day(i.date), f"{i.sheet} {i.cell or ''}".strip(),
                      i.problem, i.clause.replace(" ", "\n", 1)] for i in p.items]
    depts = [[d.dept, str(len(d.items)), d.consequence] for d in review.depts]
    return ReviewForm(key=f"考核评议 {review.year}", header=header, year=review.year, until=cn_day(review.until),
                      depts=depts, people=people, rows=rows, basis=f"{CLAUSE_DUTY}：{DEPT_RULE}{PERSON_RULE}")


def review_form(ledger: Ledger, options: PrintOptions) -> list[ReviewForm]:
    no_ids("考核评议", options)
    year = options.report_year
    review = build_review(ledger, year, options.today, ledger.stored)
    return [form_of(review, unit_header(ledger, options.today))]
