"""write_workbook (LEDGER_SPEC §7): locks, backups, what survives a write, crashes, concurrent changes."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import openpyxl
import pytest
from builders import make_ledger
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from workbook_tools.core import schema
from workbook_tools.core.model import Change, LedgerError
from workbook_tools.files import safety, writer
from workbook_tools.files.writer import write_workbook
from workbook_tools.read.reader import load_ledger
from workbook_tools.xlsx import package

A7_ROWS = [{"软件编号": "SY-0001", "软件名称": "Office", "软件版本": "2016", "软件类型": "商业软件", "许可数量": 5},
           {"软件编号": "OEM-0001", "软件名称": "Windows", "软件版本": "10", "软件类型": "OEM软件"}]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(folder: Path) -> list[str]:
    """Temporary files the writer may have left next to the workbook."""
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name or p.name.endswith(".rewrite"))


def set_note(text: str = "已核对", row: int = 2):
    """An edit that writes 附件7.备注 of one row and reports it."""
    def edit(book) -> list[Change]:
        book.table(schema.A7).set_row(row, {"备注": text})
        return [Change(action="测试", sheet=schema.A7, row=row, content=f"备注 = {text}")]
    return edit


@pytest.fixture
def ledger(tmp_path) -> Path:
    return make_ledger(tmp_path, "台账.xlsx", **{"7": A7_ROWS})


def customise(path: Path) -> None:
    """What a clerk does to the workbook in Excel: own sheet, own column, styles, widths, validation, names, print."""
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.A7]
    ws.cell(1, 22, "责任人")
    ws.cell(2, 22, "张三")
    ws.cell(3, 22, "李四")
    ws["C2"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["C2"].font = Font(bold=True, color="FF0000")
    ws.column_dimensions["V"].width = 33
    dv = DataValidation(type="list", formula1='"甲,乙"', allow_blank=True)
    dv.add("V2:V500")
    ws.add_data_validation(dv)
    ws.page_setup.scale = 85
    ws.page_margins.left = 0.3
    ws.print_area = "A1:V100"
    mine = wb.create_sheet("我的笔记")
    mine["A1"], mine["B7"] = "年度检查要点", 42
    mine.freeze_panes = "B3"
    mine.sheet_properties.tabColor = "00B050"
    wb.defined_names["我的范围"] = DefinedName("我的范围", attr_text="'我的笔记'!$A$1:$B$7")
    wb.save(path)


# --- locks -------------------------------------------------------------------------------

@pytest.mark.parametrize("lock", ["~$台账.xlsx", ".~lock.台账.xlsx#"])
def test_lock_file_refuses_and_leaves_the_file_untouched(ledger, lock):
    (ledger.parent / lock).write_bytes(b"owner")
    before = ledger.read_bytes()
    with pytest.raises(LedgerError) as err:
        write_workbook(ledger, set_note(), "测试")
    assert err.value.exit_code == 2
    assert ledger.read_bytes() == before
    assert not (ledger.parent / writer.BACKUP_DIR).exists() and not leftovers(ledger.parent)


def test_excel_lock_for_a_long_name_drops_two_characters(tmp_path):
    path = make_ledger(tmp_path, "软件正版化台账2026.xlsx")
    (tmp_path / "~$正版化台账2026.xlsx").write_bytes(b"owner")
    with pytest.raises(LedgerError):
        write_workbook(path, set_note(), "测试")


# --- backups -----------------------------------------------------------------------------

def test_backup_is_the_previous_file_and_their_number_is_bounded(ledger, monkeypatch):
    monkeypatch.setattr(safety, "MAX_BACKUPS", 3)
    versions = []
    for i in range(5):
        versions.append(ledger.read_bytes())
        result = write_workbook(ledger, set_note(f"第{i}次"), "测试")
        assert result.written and result.backup.read_bytes() == versions[-1]
    backups = sorted((ledger.parent / writer.BACKUP_DIR).iterdir())
    assert len(backups) == 3
    assert [b.read_bytes() for b in backups] == versions[-3:]
    assert load_ledger(ledger).df("7")["备注"].iloc[0] == "第4次"


def test_pruning_keeps_the_backups_of_a_neighbouring_workbook(tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_BACKUPS", 2)
    main = make_ledger(tmp_path, "台账.xlsx", **{"7": A7_ROWS})
    other = make_ledger(tmp_path, "台账.旧.xlsx", **{"7": A7_ROWS})
    odd = make_ledger(tmp_path, "台账[2].xlsx", **{"7": A7_ROWS})
    for i in range(3):
        write_workbook(other, set_note(f"旧{i}"), "测试")
        write_workbook(odd, set_note(f"方{i}"), "测试")
    for i in range(3):
        write_workbook(main, set_note(f"新{i}"), "测试")
    names = [p.name for p in (tmp_path / writer.BACKUP_DIR).iterdir()]
    assert sum(n.startswith("台账.旧.") for n in names) == 2
    assert sum(n.startswith("台账[2].") for n in names) == 2
    assert len(names) == 6


# --- what survives a write ---------------------------------------------------------------

def test_user_content_survives_a_write(ledger):
    customise(ledger)
    write_workbook(ledger, set_note(), "测试")
    wb = openpyxl.load_workbook(ledger)
    ws = wb[schema.A7]
    assert ws["T2"].value == "已核对"
    assert [ws.cell(r, 22).value for r in (1, 2, 3)] == ["责任人", "张三", "李四"]
    assert ws["C2"].fill.fgColor.rgb.endswith("FFFF00") and ws["C2"].font.bold
    assert ws.column_dimensions["V"].width == 33
    assert ('"甲,乙"', "V2:V500") in {(dv.formula1, str(dv.sqref)) for dv in ws.data_validations.dataValidation}
    assert ws.page_setup.scale == 85 and ws.page_margins.left == 0.3
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$1:$1" and "$A$1:$V$100" in ws.print_area
    assert ws.freeze_panes == "A2"
    mine = wb["我的笔记"]
    assert (mine["A1"].value, mine["B7"].value, mine.freeze_panes) == ("年度检查要点", 42, "B3")
    assert mine.sheet_properties.tabColor.rgb.endswith("00B050")
    assert wb.defined_names["我的范围"].attr_text == "'我的笔记'!$A$1:$B$7"
    assert wb.sheetnames[-1] == "我的笔记"
    assert load_ledger(ledger)["7"].extra_columns == ["责任人"]


def init_dropdowns(path: Path) -> tuple[dict[str, set], dict[str, str]]:
    wb = openpyxl.load_workbook(path)
    dvs = {ws.title: {(str(dv.sqref), dv.formula1) for dv in ws.data_validations.dataValidation}
           for ws in wb.worksheets}
    names = {n: wb.defined_names[n].attr_text for n in schema.REF_SOURCES}
    return dvs, names


def test_dropdowns_and_defined_names_of_init_survive_writes(ledger):
    before = init_dropdowns(ledger)
    assert sum(len(v) for v in before[0].values()) > 30
    write_workbook(ledger, set_note("一"), "测试")
    write_workbook(ledger, set_note("二"), "测试")
    assert init_dropdowns(ledger) == before


def test_a_sheet_whose_dropdowns_were_removed_is_left_as_the_user_made_it(ledger):
    wb = openpyxl.load_workbook(ledger)
    wb[schema.A9].data_validations.dataValidation.clear()
    wb.save(ledger)
    write_workbook(ledger, set_note(), "测试")
    dvs, _ = init_dropdowns(ledger)
    assert dvs[schema.A9] == set()


def test_the_wps_wrong_dimension_file_is_written_in_full(ledger, zip_parts):
    zip_parts(ledger, {schema.A7: lambda xml: xml.replace(b'<dimension ref="A1:T3" />', b'<dimension ref="A1"/>')})
    write_workbook(ledger, set_note(row=3), "测试")
    df = load_ledger(ledger).df("7")
    assert list(df["软件编号"]) == ["SY-0001", "OEM-0001"] and df["备注"].iloc[1] == "已核对"


# --- change log --------------------------------------------------------------------------

def test_change_log_gets_one_line_per_change(ledger):
    def edit(book):
        return [Change(action="编号", sheet=schema.A7, row=r, content=f"行 {r}") for r in (2, 3)] + \
               [Change(action="", sheet=schema.A8, content="重建")]
    write_workbook(ledger, edit, "半年更新")
    write_workbook(ledger, set_note(), "测试")
    df = load_ledger(ledger).df(schema.CHANGES)
    assert list(df["操作"]) == ["编号", "编号", "半年更新", "测试"]
    assert list(df["表"]) == ["附件7", "附件7", "附件8", "附件7"]
    assert list(df["行"][:2]) == [2.0, 3.0] and df["行"].isna().iloc[2]
    assert list(df["内容"][:3]) == ["行 2", "行 3", "重建"]
    assert df["时间"].notna().all()


def test_an_edit_without_changes_writes_nothing(ledger):
    stamp, digest = ledger.stat().st_mtime_ns, sha(ledger)
    result = write_workbook(ledger, lambda book: [], "测试")
    assert not result.written and result.backup is None
    assert (ledger.stat().st_mtime_ns, sha(ledger)) == (stamp, digest)
    assert not (ledger.parent / writer.BACKUP_DIR).exists() and not leftovers(ledger.parent)


# --- crashes and concurrent changes -------------------------------------------------------

def test_crash_while_saving_leaves_the_original_and_no_temp_file(ledger, monkeypatch):
    before = ledger.read_bytes()

    def broken_write(self, out):
        out.write(b"PK\x03\x04 half written")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(package.Package, "write_to", broken_write)
    with pytest.raises(LedgerError) as err:
        write_workbook(ledger, set_note(), "测试")
    assert "磁盘空间不足" in err.value.message
    assert ledger.read_bytes() == before and not leftovers(ledger.parent)


def test_crash_while_replacing_leaves_the_original_and_no_temp_file(ledger, monkeypatch):
    before = ledger.read_bytes()

    def broken_replace(src, dst):
        if str(dst).endswith(".xlsx") and safety.BACKUP_DIR not in str(dst):
            raise OSError(5, "I/O error")
        return real_replace(src, dst)

    real_replace = os.replace
    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(LedgerError):
        write_workbook(ledger, set_note(), "测试")
    assert ledger.read_bytes() == before and not leftovers(ledger.parent)


def test_a_replace_blocked_by_another_program_is_refused_cleanly(ledger, monkeypatch):
    before = ledger.read_bytes()
    monkeypatch.setattr(safety.time, "sleep", lambda s: None)
    real_replace = os.replace

    def busy(src, dst):
        if safety.BACKUP_DIR in str(dst):
            return real_replace(src, dst)
        raise PermissionError(13, "busy")
    monkeypatch.setattr(os, "replace", busy)
    with pytest.raises(LedgerError) as err:
        write_workbook(ledger, set_note(), "测试")
    assert err.value.exit_code == 2
    assert ledger.read_bytes() == before and not leftovers(ledger.parent)


def test_an_edit_that_raises_writes_nothing(ledger):
    before = ledger.read_bytes()

    def edit(book):
        set_note()(book)
        raise ValueError("rule bug")

    with pytest.raises(ValueError):
        write_workbook(ledger, edit, "测试")
    assert ledger.read_bytes() == before and not leftovers(ledger.parent)


def test_expected_sha_mismatch_is_refused(ledger):
    read = load_ledger(ledger)
    write_workbook(ledger, set_note("别人改的"), "测试")
    changed = ledger.read_bytes()
    with pytest.raises(LedgerError):
        write_workbook(ledger, set_note("我改的"), "测试", expected_sha=read.sha256)
    assert ledger.read_bytes() == changed


def test_expected_sha_of_the_current_file_is_accepted(ledger):
    read = load_ledger(ledger)
    assert write_workbook(ledger, set_note(), "测试", expected_sha=read.sha256).written


def test_file_changed_on_disk_during_the_edit_is_refused(ledger, tmp_path):
    (tmp_path / "别处").mkdir()
    other = make_ledger(tmp_path / "别处", "其他.xlsx", **{"7": A7_ROWS[:1]}).read_bytes()

    def edit(book):
        ledger.write_bytes(other)  # someone saves the workbook meanwhile
        return set_note()(book)

    with pytest.raises(LedgerError):
        write_workbook(ledger, edit, "测试")
    assert ledger.read_bytes() == other and not leftovers(ledger.parent)


def test_lock_appearing_during_the_edit_is_refused(ledger):
    before = ledger.read_bytes()

    def edit(book):
        (ledger.parent / "~$台账.xlsx").write_bytes(b"owner")
        return set_note()(book)

    with pytest.raises(LedgerError):
        write_workbook(ledger, edit, "测试")
    assert ledger.read_bytes() == before and not leftovers(ledger.parent)


# --- save_new (ledger init) ----------------------------------------------------------------

def test_save_new_refuses_to_overwrite_without_force_and_backs_up_with_it(ledger):
    before = ledger.read_bytes()
    with pytest.raises(LedgerError):
        writer.save_new(openpyxl.Workbook(), ledger)
    assert ledger.read_bytes() == before
    writer.save_new(openpyxl.Workbook(), ledger, overwrite=True)
    backups = list((ledger.parent / writer.BACKUP_DIR).iterdir())
    assert [b.read_bytes() for b in backups] == [before]
    assert openpyxl.load_workbook(ledger).sheetnames == ["Sheet"]
