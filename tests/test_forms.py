"""Printed forms: what each form's items hold, built from a small fixed ledger (SAMPLE, also used
by the golden and slip tests)."""
from __future__ import annotations

import datetime as dt

import pytest
from builders import make_ledger

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.files.writer import write_workbook
from workbook_tools.forms import FORMS, form_spec
from workbook_tools.forms.common import PrintOptions, mask_serial
from workbook_tools.forms.requests import Review
from workbook_tools.ops.plan import apply_plan, compute_plan
from workbook_tools.read.reader import load_ledger

D = dt.date
TODAY = D(2026, 11, 27)

SAMPLE = {
    "设置": {"单位名称": "示例市行政审批局", "填表人": "张三", "联系电话": "0412-1234567", "负责部门": "网络平台处",
           "负责部门负责人": "崔鹏翱", "负责部门电话": "0412-7654321", "负责部门传真": "0412-7654322"},
    "部门": [{"部门名称": "办公室", "部门类型": "处室"}, {"部门名称": "网络平台处", "部门类型": "处室"}],
    "人员": [
        {"部门": "网络平台处", "姓名": "张三", "使用计算机": "是", "承诺书签署日期": D(2026, 1, 5), "状态": "在职"},
        {"部门": "办公室", "姓名": "李四", "使用计算机": "是", "状态": "在职"},
        {"部门": "办公室", "姓名": "王五", "使用计算机": "否", "状态": "在职"},
        {"部门": "办公室", "姓名": "赵六", "使用计算机": "是", "承诺书签署日期": D(2025, 3, 1), "状态": "调离"},
    ],
    "计算机": [
        {"计算机编号": "PC-001", "计算机品牌": "联想", "设备类型": "台式机", "使用人": "李四", "使用部门": "办公室", "状态": "在用"},
        {"计算机编号": "PC-002", "计算机品牌": "戴尔", "设备类型": "便携机", "使用人": "张三", "使用部门": "网络平台处",
         "状态": "在用"},
        {"计算机编号": "SRV-01", "计算机品牌": "华为", "设备类型": "服务器", "使用部门": "网络平台处", "状态": "在用"},
        {"计算机编号": "PC-003", "计算机品牌": "联想", "设备类型": "台式机", "使用人": "赵六", "使用部门": "办公室", "状态": "报废"},
    ],
    "附件1": [
        {"职务": "成员", "姓名": "白石", "单位职务": "办公室主任"},
        {"职务": "组长", "姓名": "边长青", "单位职务": "局长"},
        {"职务": "副组长", "姓名": "吕品", "单位职务": "副局长"},
        {"职务": "成员", "姓名": "崔鹏翱", "单位职务": "网络平台处处长"},
    ],
    "附件3": [
        {"申请编号": "SQ-2026-01", "申请部门": "办公室", "经手人": "李四", "联系电话": "0412-1111111",
         "填表日期": D(2026, 3, 1), "软件类别": "办公软件", "软件用途": "公文处理", "功能需求": "文字处理、表格",
         "申请许可数": 2, "信息化部门审核人": "张三", "信息化部门审核日期": D(2026, 3, 3)},
        {"申请编号": "SQ-2026-01", "申请部门": "办公室", "软件类别": "杀毒软件", "软件用途": "终端防护", "申请许可数": 1},
        {"申请编号": "SQ-2026-01", "软件类别": "其他软件", "软件用途": "PDF 阅读", "申请许可数": 1, "备注": "免费软件即可"},
        {"申请编号": "SQ-2026-02", "申请部门": "网络平台处", "经手人": "张三", "软件类别": "操作系统",
         "软件用途": "服务器", "申请许可数": 1},
    ],
    "附件4": [
        {"序号": "1", "软件名称": "WPS Office", "软件版本": "2023", "单价": 600, "许可数": 10, "合计": 999,
         "软件类别": "办公软件", "产地": "国内", "依据申请编号": "SQ-2026-01"},
        {"序号": "2", "软件名称": "火绒终端安全", "软件版本": "5.0", "单价": 200, "许可数": 5,
         "软件类别": "杀毒软件", "产地": "国内", "依据申请编号": "SQ-2026-01", "备注": "续费"},
    ],
    "附件6": [
        {"序号": "1", "软件编号": "MF-0001", "软件名称": "7-Zip", "软件来源": "官方网站", "软件厂商名称": "Igor Pavlov",
         "软件厂商客服联系方式": "www.7-zip.org", "使用部门": "全局", "使用原因": "压缩解压"},
    ],
    "附件7": [
        {"序号": "1", "软件编号": "SY-0001", "软件名称": "WPS Office", "软件版本": "2019", "软件类型": "商业软件",
         "采购时间": D(2026, 2, 10), "采购金额": 5000, "许可类型": "批量许可", "许可数量": 10, "可使用版本": "2019",
         "许可期限": "永久", "序列号": "ABCD-EFGH-IJKL-1234", "安装数量": 1, "获取方式": "采购", "软件类别": "办公软件",
         "产地": "国内", "状态": "在用"},
        {"序号": "2", "软件编号": "OEM-0001", "软件名称": "Windows 10 家庭中文版", "软件版本": "10", "软件类型": "OEM软件",
         "安装数量": 1, "获取方式": "随机预装", "软件类别": "操作系统", "产地": "国外", "状态": "在用"},
        {"序号": "3", "软件编号": "SY-0002", "软件名称": "WPS Office", "软件版本": "2023", "软件类型": "商业软件",
         "采购时间": D(2026, 6, 1), "采购金额": 6000, "许可类型": "批量许可", "许可数量": 10, "可使用版本": "2023",
         "许可期限": "永久", "序列号": "WXYZ-1111-2222-5678", "安装数量": 1, "获取方式": "采购", "软件类别": "办公软件",
         "产地": "国内", "状态": "在用"},
        {"序号": "4", "软件编号": "SY-0003", "软件名称": "火绒终端安全", "软件版本": "5.0", "软件类型": "商业软件",
         "采购时间": D(2025, 5, 1), "采购金额": 1000, "许可类型": "单机许可", "许可数量": 5, "许可期限": "2027-04-30",
         "获取方式": "采购", "软件类别": "杀毒软件", "产地": "国内", "状态": "在用"},
        {"序号": "5", "软件编号": "SY-0004", "软件名称": "Windows 10 专业版", "软件版本": "10", "软件类型": "商业软件",
         "许可类型": "单机许可", "许可数量": 3, "许可期限": "永久", "获取方式": "受赠", "软件类别": "操作系统",
         "产地": "国外", "状态": "在用"},
        {"序号": "6", "软件编号": "MF-0001", "软件名称": "7-Zip", "软件类型": "免费软件", "安装数量": 1,
         "获取方式": "免费获取", "软件类别": "其他软件", "产地": "国外", "状态": "在用"},
    ],
    "附件8": [
        {"序号": "1", "部门": "办公室", "姓名": "李四", "计算机编号": "PC-001", "计算机品牌": "联想", "软件编号": "MF-0001",
         "软件名称": "7-Zip", "软件版本": "23.01", "软件类型": "免费软件", "安装日期": D(2026, 3, 5)},
        {"序号": "2", "部门": "办公室", "姓名": "李四", "计算机编号": "PC-001", "计算机品牌": "联想", "软件编号": "OEM-0001",
         "软件名称": "Windows 10 家庭中文版", "软件版本": "10", "软件类型": "OEM软件", "安装日期": D(2024, 1, 10)},
        {"序号": "3", "部门": "办公室", "姓名": "李四", "计算机编号": "PC-001", "计算机品牌": "联想", "软件编号": "SY-0002",
         "软件名称": "WPS Office", "软件版本": "2023", "许可期限": "永久", "软件类型": "商业软件", "安装日期": D(2026, 11, 20)},
        {"序号": "4", "部门": "网络平台处", "姓名": "张三", "计算机编号": "PC-002", "计算机品牌": "戴尔", "软件编号": "SY-0001",
         "软件名称": "WPS Office", "软件版本": "2019", "许可期限": "永久", "软件类型": "商业软件", "安装日期": D(2026, 11, 20)},
    ],
    "附件9": [
        {"序号": "1", "软件编号": "OEM-0001", "操作": "安装", "计算机编号": "PC-001", "版本": "10", "日期": D(2024, 1, 10),
         "安装数量": 1, "统一部署": "是"},
        {"序号": "2", "软件编号": "SY-0001", "操作": "安装", "计算机编号": "PC-001", "计算机品牌": "联想", "使用人": "李四",
         "使用部门": "办公室", "版本": "2019", "日期": D(2026, 3, 5), "安装数量": 1, "统一部署": "是",
         "确认单号": "QR-20260305-001", "经办人": "张三"},
        {"序号": "3", "软件编号": "MF-0001", "操作": "安装", "计算机编号": "PC-001", "计算机品牌": "联想", "使用人": "李四",
         "使用部门": "办公室", "版本": "23.01", "日期": D(2026, 3, 5), "安装数量": 1, "统一部署": "是",
         "确认单号": "QR-20260305-001", "经办人": "张三"},
        {"序号": "4", "软件编号": "SY-0001", "操作": "卸载", "计算机编号": "PC-001", "版本": "2019", "日期": D(2026, 11, 20),
         "安装数量": 1, "申请编号": "SQ-10-001", "确认单号": "QR-20261120-001", "经办人": "张三"},
        {"序号": "5", "软件编号": "SY-0002", "操作": "安装", "计算机编号": "PC-001", "版本": "2023", "日期": D(2026, 11, 20),
         "安装数量": 1, "申请编号": "SQ-10-001", "确认单号": "QR-20261120-001", "经办人": "张三"},
        {"序号": "6", "软件编号": "SY-0001", "操作": "安装", "计算机编号": "PC-002", "版本": "2019", "日期": D(2026, 11, 20),
         "安装数量": 1, "统一部署": "是", "经办人": "王五"},
    ],
    "附件10": [
        {"申请编号": "SQ-10-001", "申请部门": "办公室", "申请人": "李四", "申请时间": D(2026, 11, 15), "计算机编号": "PC-001",
         "申请类型": "升级", "软件名称": "WPS Office", "软件版本": "2019", "升级后软件名称": "WPS Office",
         "升级后软件版本": "2023", "申请原因": "需要打开新格式文件", "部门审核人": "白石",
         "部门审核日期": D(2026, 11, 16), "信息化部审核人": "崔鹏翱", "信息化部审核日期": D(2026, 11, 17), "状态": "已完成"},
        {"申请编号": "SQ-10-002", "申请部门": "网络平台处", "申请人": "张三", "申请时间": D(2026, 11, 25),
         "计算机编号": "PC-002", "计算机品牌": "戴尔", "申请类型": "安装", "软件名称": "7-Zip", "申请原因": "解压文件",
         "状态": "待审核"},
        {"申请编号": "SQ-10-002", "申请类型": "卸载", "软件名称": "WinRAR", "软件版本": "6.0"},
    ],
    "附件11": [
        {"确认单号": "QR-20260305-001", "日期": D(2026, 3, 5), "计算机编号": "PC-001", "计算机品牌": "联想", "使用人": "李四",
         "使用部门": "办公室", "安装维护人": "张三", "已签字": "是"},
        {"确认单号": "QR-20261120-001", "日期": D(2026, 11, 20), "计算机编号": "PC-001", "计算机品牌": "联想",
         "使用人": "李四", "使用部门": "办公室", "安装维护人": "张三", "已签字": "否"},
    ],
}


def sample_path(tmp_path, **changes):
    sheets = {**SAMPLE, **changes}
    return make_ledger(tmp_path, **sheets)


@pytest.fixture
def sample(tmp_path):
    return load_ledger(sample_path(tmp_path))


def items(ledger, form, **options):
    return FORMS[form].build(ledger, PrintOptions(today=TODAY, **options))


def column(form, rows: list[list], key: str) -> list:
    """The cells of column `key` of a planned table's rows (its columns as the form lays them out)."""
    keys = [c.key for c in FORMS[form].tables["main"].columns]
    return [row[keys.index(key)] for row in rows]


@pytest.mark.parametrize("name", ["附件7", "7", "附件 7", "７", " 附件7 "])
def test_form_names(name):
    assert form_spec(name).number == 7


def test_unknown_form_is_refused():
    with pytest.raises(LedgerError):
        form_spec("附件12")


@pytest.mark.parametrize(("serial", "masked"), [
    ("ABCD-EFGH-IJKL-1234", "ABCD-****-****-1234"),
    ("VK7JG-NPHTM-C97JM-9MPGT-3V66T", "VK7JG-*****-*****-*****-*V66T"),
    ("ABCDEFGH12345678", "ABCD********5678"),
    ("12345678", "****5678"),
    ("123", "123"),
])
def test_mask_serial(serial, masked):
    assert mask_serial(serial) == masked


def test_annex1_groups_roles_in_regulation_order(sample):
    [form] = items(sample, 1)
    assert [g.label for g in form.groups] == ["组\u3000长", "副组长", "成\u3000员"]
    assert form.groups[2].members == [("白\u3000石", "办公室主任"), ("崔鹏翱", "网络平台处处长")]
    assert "网络平台处" in form.office_note and "崔鹏翱" in form.office_note


def test_annex2_one_letter_per_active_person(sample):
    assert [p.key for p in items(sample, 2)] == ["张三", "李四", "王五"]
    assert [p.key for p in items(sample, 2, unsigned=True)] == ["李四", "王五"]
    assert [(p.key, p.dept) for p in items(sample, 2, ids=["王五"])] == [("王五", "办公室")]


def test_annex3_one_form_per_application_with_four_fixed_rows(sample):
    first, second = items(sample, 3)
    assert (first.key, second.key) == ("SQ-2026-01", "SQ-2026-02")
    assert [line.category for line in first.lines] == ["操作系统", "办公软件", "杀毒软件", "其他软件"]
    assert [line.licences for line in first.lines] == ["", "2", "1", "1"]
    assert (first.dept, first.handler, first.filled_on) == ("办公室", "李四", "2026年3月1日")
    assert first.it_review == first.asset_review == Review()          # blank: the reviewers sign by hand
    assert second.lines[0].purpose == "服务器"
    filled, _ = items(sample, 3, filled=True)
    assert (filled.it_review.reviewer, filled.it_review.date) == ("张三", "2026年3月3日")
    assert filled.asset_review == Review()


def test_annex4_totals_are_computed_not_read(sample):
    [form] = items(sample, 4)
    assert column(4, form.rows, "合计") == ["6,000.00", "1,000.00"]
    assert form.figures == {"共计序号": "3", "共计": "7,000.00", "年度": "2026"}


def test_annex5_blocks(sample):
    [form] = items(sample, 5, year=2026)
    assert form.department["部门名称"] == "网络平台处"
    assert form.people == {"总人数": "3", "使用计算机人数": "2"}
    assert form.computers == {"服务器数": "1", "台式机数": "1", "便携机数": "1", "合计": "3"}
    assert form.purchases["国内"]["办公软件"] == {"许可数": "20", "金额": "1.10"}
    assert form.purchases["合计"]["杀毒软件"] == {"许可数": "0", "金额": "0.00"}  # bought in 2025
    assert form.holdings["国外"]["操作系统"] == "4"   # 3 donated + 1 OEM installation
    assert form.holdings["国内"]["总计"] == "25" and form.holdings["合计"]["总计"] == "29"
    assert form.as_of == "2026年11月27日"   # the year is not over: holdings up to the print day
    assert form.notes == []


def test_annex5_lists_rows_left_out(tmp_path):
    a7 = [*SAMPLE["附件7"], {**SAMPLE["附件7"][0], "序号": "7", "软件编号": "SY-0009", "产地": None}]
    [form] = items(load_ledger(sample_path(tmp_path, 附件7=a7)), 5, year=2026)
    assert form.purchases["国内"]["办公软件"]["许可数"] == "20"
    assert len(form.notes) == 1 and "SY-0009" in form.notes[0]


def test_annex4_counts_the_total_row_of_ledger_plan_once(tmp_path):
    requests = [{"申请编号": "SQ-2026-05", "申请部门": "办公室", "软件类别": "办公软件", "申请许可数": 12,
                 "选定软件编号": "SY-0001", "填表日期": D(2026, 11, 1)},
                {"申请编号": "SQ-2026-06", "申请部门": "办公室", "软件类别": "杀毒软件", "申请许可数": 8,
                 "选定软件编号": "SY-0003", "填表日期": D(2026, 11, 1)}]
    path = sample_path(tmp_path, 附件3=requests, 附件4=[])
    ledger = load_ledger(path)
    write_workbook(path, apply_plan(ledger, compute_plan(ledger, TODAY)), "采购计划", ledger=ledger)
    ledger = load_ledger(path)
    sheet = ledger.df(schema.A4)
    assert sheet["软件名称"].tolist() == ["WPS Office", "火绒终端安全", "共计"]   # as `ledger plan` wrote it
    assert sheet["合计"].tolist() == [1800, 600, 2400]
    [form] = items(ledger, 4)
    assert column(4, form.rows, "软件名称") == ["WPS Office", "火绒终端安全"]
    assert column(4, form.rows, "合计") == ["1,800.00", "600.00"]       # 3 × 600 (latest price), 3 × 200
    assert form.figures == {"共计序号": "3", "共计": "2,400.00", "年度": "2026"}


def test_annex5_year_option(sample):
    [form] = items(sample, 5, year=2025)
    assert form.year == 2025
    assert form.purchases["国内"]["杀毒软件"] == {"许可数": "5", "金额": "0.10"}
    assert form.purchases["国内"]["办公软件"]["许可数"] == "0"
    assert form.holdings["国内"]["办公软件"] == "0"   # both WPS licences were bought in 2026


def test_annex7_counts_order_and_serials(sample):
    [form] = items(sample, 7)
    assert form.figures == {"总人数": "3", "使用计算机人数": "2", "服务器数": "1", "台式机数": "1", "便携机数": "1"}
    assert column(7, form.rows, "软件编号") == ["SY-0001", "SY-0002", "SY-0003", "SY-0004", "OEM-0001", "MF-0001"]
    assert column(7, form.rows, "序号") == ["1", "2", "3", "4", "5", "6"]
    assert column(7, form.rows, "序列号")[0] == "ABCD-****-****-1234"
    assert column(7, form.rows, "采购金额")[0] == "5,000.00" and column(7, form.rows, "采购时间")[0] == "2026年2月10日"
    assert column(7, form.rows, "许可期限")[2] == "2027年4月30日"     # an end date, in the forms' date style
    [shown] = items(sample, 7, show_serials=True)
    assert column(7, shown.rows, "序列号")[0] == "ABCD-EFGH-IJKL-1234"


def test_annex7_header_counts_from_settings(tmp_path):
    ledger = load_ledger(sample_path(tmp_path, 设置={**SAMPLE["设置"], "附件7.总人数": 50, "附件7.台式机数": 40}))
    [form] = items(ledger, 7)
    assert form.figures["总人数"] == "50" and form.figures["台式机数"] == "40"
    assert form.figures["使用计算机人数"] == "2"


def test_annex8_rows_and_department_filter(sample):
    [form] = items(sample, 8)
    ticks = [[column(8, form.rows, t)[i] for t in ("商业软件", "OEM软件", "免费软件")] for i in range(4)]
    assert ticks == [[False, False, True], [False, True, False], [True, False, False], [True, False, False]]
    assert column(8, form.rows, "安装日期")[0] == "2026年3月5日"
    [office] = items(sample, 8, ids=["网络平台处"])
    assert list(zip(column(8, office.rows, "序号"), column(8, office.rows, "姓名"))) == [("1", "张三")]


def test_annex9_one_form_per_number_with_its_events(sample):
    forms = {f.key: f for f in items(sample, 9)}
    assert list(forms) == ["SY-0001", "OEM-0001", "SY-0002", "SY-0003", "SY-0004", "MF-0001"]
    wps = forms["SY-0001"]
    assert wps.info == ["SY-0001", "WPS Office", "2019", True, False, False, "10", "2019", "永久"]
    assert [row[:4] + row[8:9] for row in wps.rows] == [
        ["1", True, False, "PC-001", "2026年3月5日"], ["2", False, True, "PC-001", "2026年11月20日"],
        ["3", True, False, "PC-002", "2026年11月20日"]]
    assert wps.rows[1][4:6] == ["联想", "李四"]  # blank in the log: from 计算机
    assert forms["SY-0003"].rows == [] and forms["SY-0003"].info[6:] == ["5", "", "2027年4月30日"]


def test_annex10_request_types(sample):
    upgrade, install = items(sample, 10)
    assert upgrade.brand == "联想" and upgrade.applied_on == "2026年11月15日"
    assert [(u.before.version, u.after.version) for u in upgrade.upgrades] == [("2019", "2023")]
    assert upgrade.installs == [] and upgrade.dept_review == upgrade.it_review == Review()
    filled, _ = items(sample, 10, filled=True)
    assert (filled.dept_review.reviewer, filled.it_review.date) == ("白石", "2026年11月17日")
    assert [line.name for line in install.installs] == ["7-Zip"]
    assert [(line.name, line.version) for line in install.uninstalls] == [("WinRAR", "6.0")]


def test_annex11_slips_pair_upgrades(sample):
    first, second = items(sample, 11)
    assert [line.name for line in first.installs] == ["WPS Office", "7-Zip"] and first.done
    assert (second.installs, second.uninstalls) == ([], [])
    [upgrade] = second.upgrades
    assert (upgrade.before.version, upgrade.after.version) == ("2019", "2023")
    assert (second.computer, second.brand, second.user, second.dept) == ("PC-001", "联想", "李四", "办公室")
    assert (second.date, second.maintainer) == ("2026年11月20日", "张三")


def test_annex11_registered_slip_without_events(tmp_path):
    extra = {"确认单号": "QR-20261126-001", "日期": D(2026, 11, 26), "计算机编号": "PC-002", "已签字": "否"}
    ledger = load_ledger(sample_path(tmp_path, 附件11=[*SAMPLE["附件11"], extra]))
    [slip] = items(ledger, 11, ids=["QR-20261126-001"])
    assert not slip.done and slip.installs == [] and (slip.brand, slip.user) == ("戴尔", "张三")


@pytest.mark.parametrize(("form", "ids"), [(3, ["SQ-9"]), (9, ["SY-9999"]), (11, ["QR-1"]), (2, ["赵六"])])
def test_unknown_ids_are_refused(sample, form, ids):
    with pytest.raises(LedgerError) as err:
        items(sample, form, ids=ids)
    assert err.value.exit_code == 1


@pytest.mark.parametrize("form", [1, 5])
def test_summary_forms_take_no_ids(sample, form):
    with pytest.raises(LedgerError):
        items(sample, form, ids=["x"])


def test_annex11_free_software_version_update_under_one_number_is_an_upgrade():
    from workbook_tools.forms.installs import split_operations

    software = {"MF-0001": {"软件编号": "MF-0001", "软件名称": "7-Zip", "软件版本": None, "软件类型": "免费软件"}}
    old = {"软件编号": "MF-0001", "操作": "卸载", "版本": "19.00", "计算机编号": "PC1"}
    new = {"软件编号": "MF-0001", "操作": "安装", "版本": "23.01", "计算机编号": "PC1"}
    slip = split_operations([old, new], software)
    assert [(u.before.version, u.after.version) for u in slip.upgrades] == [("19.00", "23.01")]
    assert slip.installs == [] and slip.uninstalls == []
