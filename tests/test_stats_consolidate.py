"""Many units → one 附件5: figures summed, a per-unit sheet, unreadable units listed not fatal."""
from __future__ import annotations

import datetime as dt

from builders import make_ledger

from workbook_tools.core import schema
from workbook_tools.ops import stats as st
from workbook_tools.tasks import many

D = dt.date


def unit(tmp_path, filename, name, staff, desktops, bought):
    """A unit with `staff` people using computers, `desktops` desktops, and one purchase (licences, yuan, origin)."""
    seats, yuan, origin = bought
    return make_ledger(tmp_path, filename, **{
        "设置": {"单位名称": name},
        "人员": [{"部门": "办公室", "姓名": f"人{i}", "使用计算机": "是", "状态": "在职"} for i in range(staff)],
        "计算机": [{"计算机编号": f"PC{i}", "设备类型": "台式机", "状态": "在用"} for i in range(desktops)],
        "附件7": [{"软件编号": "SY-0001", "软件名称": "WPS", "软件版本": "1", "软件类型": "商业软件", "获取方式": "采购",
                   "采购时间": D(2025, 4, 1), "采购金额": yuan, "许可类型": "单机", "许可数量": seats,
                   "许可期限": "永久", "软件类别": "办公软件", "产地": origin, "状态": "在用"}],
    })


def test_three_units_one_unreadable(tmp_path):
    a = unit(tmp_path, "a.xlsx", "甲局", 3, 2, (10, 12345.6, "国内"))
    b = unit(tmp_path, "b.xlsx", "乙局", 5, 4, (4, 8000, "国外"))
    bad = tmp_path / "c.xlsx"
    bad.write_bytes(b"PK\x03\x04 broken")
    cons = many.consolidate([a, b, bad], 2025, today=D(2026, 1, 15), name="某市")
    assert [u.name for u in cons.units] == ["甲局", "乙局", "c"]
    assert [u.path for u in cons.failures] == [str(bad)]
    total = cons.total
    assert total.header.单位名称 == "某市"
    assert (total.总人数, total.使用计算机人数, total.computers["台式机"], total.计算机合计) == (8, 8, 6, 6)
    office = total.purchases["办公软件"]
    assert (office["国内"].licences, office["国内"].wan) == (10, 1.2346)       # 12345.6 元
    assert (office["国外"].licences, office["国外"].wan) == (4, 0.8)
    assert (office["合计"].licences, office["合计"].wan) == (14, 2.0346)
    assert total.holdings["总计"] == {"国内": 10, "国外": 4, "合计": 14}

    wb = st.consolidation_workbook(cons)
    assert wb.sheetnames == [schema.A5, st.BREAKDOWN, st.FAILURES]
    rows = list(wb[st.BREAKDOWN].iter_rows(values_only=True))
    header = rows[0]
    people = header.index("总人数")
    spent = header.index("采购·办公软件·合计·金额（万元）")
    assert [(r[0], r[people], r[spent]) for r in rows[1:]] == [("甲局", 3, 1.2346), ("乙局", 5, 0.8),
                                                              ("合计", 8, 2.0346)]
    failed = list(wb[st.FAILURES].iter_rows(values_only=True))
    assert failed[1][0] == str(bad) and failed[1][1]
    assert wb[schema.A5]["A8"].value == 8


def test_a_folder_stands_for_its_ledgers(tmp_path):
    unit(tmp_path, "a.xlsx", "甲局", 1, 1, (1, 100, "国内"))
    (tmp_path / "备份").mkdir()
    unit(tmp_path / "备份", "a.old.xlsx", "甲局", 1, 1, (1, 100, "国内"))
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    sub = tmp_path / "区县"
    sub.mkdir()
    unit(sub, "b.xlsx", "乙局", 1, 1, (1, 100, "国内"))
    assert [p.name for p in many.ledger_files([tmp_path])] == ["a.xlsx", "b.xlsx"]
