"""`ledger addin build`: the .xlam made from macros/ and the installed xlwings template."""
from __future__ import annotations

import io
import locale
import shutil
import sys
import zipfile
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from workbook_tools.core.model import LedgerError
from workbook_tools.dist.excel import addin, install
from workbook_tools.faces.cli import main

MACROS = Path(__file__).resolve().parents[1] / "macros"
RELS_NS = {"r": addin.PKG_RELS_NS}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return addin.build_addin(tmp_path_factory.mktemp("addin") / "ledger.xlam").path


def vba_modules(path: Path) -> dict[str, str]:
    olevba = pytest.importorskip("oletools.olevba")
    parser = olevba.VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_module_text_read_back_by_olevba_equals_the_source(built: Path) -> None:
    modules = vba_modules(built)
    source = (MACROS / "LedgerRibbon.bas").read_text(encoding="utf-8")
    assert modules["LedgerRibbon"].replace("\r\n", "\n") == source
    assert "RibbonMyAddin" not in modules
    assert {"xlwings", "Dictionary", "ThisWorkbook"} <= set(modules)


def test_xlwings_module_reads_the_ledger_settings(built: Path) -> None:
    xlwings_vba = vba_modules(built)["xlwings"]
    assert 'Public Const PROJECT_NAME As String = "ledger"' in xlwings_vba
    assert '"myaddin"' not in xlwings_vba


def test_package_carries_the_ribbon_part_and_its_relationship(built: Path) -> None:
    with zipfile.ZipFile(built) as z:
        assert z.testzip() is None
        assert z.read(addin.RIBBON_PART) == (MACROS / "customUI14.xml").read_bytes()
        assert not [n for n in z.namelist() if n.startswith("customUI/") and n != addin.RIBBON_PART]
        rels = SafeET.fromstring(z.read("_rels/.rels")).findall("r:Relationship", RELS_NS)
        ribbon = [r for r in rels if "ui/extensibility" in r.get("Type")]
        assert [(r.get("Type"), r.get("Target")) for r in ribbon] == [(addin.RIBBON_REL, addin.RIBBON_PART)]
        ids = [r.get("Id") for r in rels]
        assert len(ids) == len(set(ids))
        assert b'name="ledger.conf"' in z.read("xl/workbook.xml")


def test_every_other_part_is_the_template_unchanged(built: Path) -> None:
    template, _ = addin.xlwings_template()
    changed = {"_rels/.rels", "xl/workbook.xml", "xl/vbaProject.bin", "customUI/customUI.xml", addin.RIBBON_PART,
               addin.CONF_SHEET_PART}
    with zipfile.ZipFile(template) as t, zipfile.ZipFile(built) as b:
        for name in set(t.namelist()) - changed:
            assert t.read(name) == b.read(name), name


def test_vba_project_is_consistent(built: Path) -> None:
    from pyopenvba import ExcelFile

    with ExcelFile(str(built)) as book:
        assert book.validate() == []
        assert book.vba_project().code_page == 1252


def test_build_is_reproducible(built: Path, tmp_path: Path) -> None:
    again = addin.build_addin(tmp_path / "again.xlam")
    assert again.path.read_bytes() == built.read_bytes()
    assert again.buttons == len(SafeET.parse(MACROS / "customUI14.xml").getroot().findall(
        f".//{{{addin.CUSTOMUI_NS}}}button"))


def test_a_changed_template_is_refused(tmp_path: Path) -> None:
    from pyopenvba import ExcelFile

    template, _ = addin.xlwings_template()
    odd = tmp_path / "odd.xlam"
    shutil.copyfile(template, odd)
    with ExcelFile(str(odd)) as book:
        book.vba_project().rename_module(addin.TEMPLATE_MODULE, "Other")
        book.save()
    with pytest.raises(LedgerError):
        addin.build_addin(tmp_path / "out.xlam", template=odd)
    assert not (tmp_path / "out.xlam").exists()


def copy_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "macros"
    shutil.copytree(MACROS, copy)
    monkeypatch.setattr(addin, "sources_dir", lambda: copy)
    return copy


def test_non_ascii_vba_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bas = copy_sources(tmp_path, monkeypatch) / "LedgerRibbon.bas"
    bas.write_text(bas.read_text(encoding="utf-8") + "' 中文注释\n", encoding="utf-8")
    with pytest.raises(LedgerError):
        addin.build_addin(tmp_path / "out.xlam")


def test_a_ribbon_in_the_office_2007_namespace_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xml = copy_sources(tmp_path, monkeypatch) / "customUI14.xml"
    xml.write_text(xml.read_text(encoding="utf-8").replace(
        "2009/07/customui", "2006/01/customui"), encoding="utf-8")
    with pytest.raises(LedgerError):
        addin.build_addin(tmp_path / "out.xlam")


def test_output_must_be_an_xlam(tmp_path: Path) -> None:
    with pytest.raises(LedgerError):
        addin.build_addin(tmp_path / "ledger.xlsm")


def test_cli_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "台账加载项.xlam"
    with pytest.raises(SystemExit) as exc:
        main(["addin", "build", "-o", str(out)])
    assert exc.value.code == 0
    assert zipfile.ZipFile(out).getinfo(addin.RIBBON_PART).file_size > 0
    assert str(out) in capsys.readouterr().out


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="refusal is for systems without Excel")
def test_cli_install_is_refused_without_excel(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["addin", "install"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err


def test_config_paths() -> None:
    home = Path("/home/u")
    assert install.config_path("win32", home) == home / ".ledger" / "ledger.conf"
    assert install.config_path("darwin", home) == (
        home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "ledger.conf")


def test_write_config_keeps_other_settings(tmp_path: Path) -> None:
    conf = tmp_path / ".ledger" / "ledger.conf"
    conf.parent.mkdir()
    conf.write_text('"SHOW CONSOLE","True"\n"INTERPRETER_WIN","C:\\old\\python.exe"\n', encoding="utf-8")
    install.write_config(Path("/opt/py/bin/python3"), conf, platform="darwin")
    lines = conf.read_text(encoding="utf-8").splitlines()
    assert lines == ['"SHOW CONSOLE","True"', '"INTERPRETER_WIN","C:\\old\\python.exe"',
                     '"INTERPRETER_MAC","/opt/py/bin/python3"', '"ADD_WORKBOOK_TO_PYTHONPATH","False"']
    install.write_config(Path("/opt/py2/bin/python3"), conf, platform="darwin")
    assert conf.read_text(encoding="utf-8").count("INTERPRETER_MAC") == 1


@pytest.fixture()
def chinese_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Chinese Windows (ANSI code page 936) whose Python runs in UTF-8 mode (PYTHONUTF8=1, Python 3.15)."""
    monkeypatch.setattr(install, "ansi_encoding", lambda: "cp936")
    monkeypatch.setattr(locale, "getpreferredencoding", lambda do_setlocale=True: "utf-8")


def test_config_is_written_in_the_code_page_vba_reads(tmp_path: Path, chinese_windows: None) -> None:
    conf = tmp_path / "ledger.conf"
    python = Path("C:\\Users\\张三\\AppData\\Local\\正版化台账\\venv\\Scripts\\python.exe")
    install.write_config(python, conf, platform="win32")
    assert conf.read_bytes() == (f'"INTERPRETER_WIN","{python}"\r\n"ADD_WORKBOOK_TO_PYTHONPATH","False"\r\n'
                                 .encode("cp936"))


def test_a_path_the_code_page_cannot_hold_is_refused(tmp_path: Path, chinese_windows: None) -> None:
    with pytest.raises(LedgerError):
        install.write_config(Path("C:\\Users\\Łukasz\\python.exe"), tmp_path / "ledger.conf", platform="win32")
    assert not (tmp_path / "ledger.conf").exists()


def test_install_copies_into_xlstart_without_starting_excel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            chinese_windows: None) -> None:
    import xlwings.cli

    def no_excel(*args, **kwargs):
        raise AssertionError("Excel must not be started to install the add-in")
    for name in ("addin_install", "get_addin_dir"):
        monkeypatch.setattr(xlwings.cli, name, no_excel)
    monkeypatch.setattr(xlwings, "App", no_excel)
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData" / "Roaming"))
    monkeypatch.setattr(Path, "home", lambda: tmp_path / "home")
    report = install.install_addin(Path(sys.executable), platform="win32")
    assert report.addin == tmp_path / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "ledger.xlam"
    assert zipfile.ZipFile(report.addin).read(addin.RIBBON_PART) == (MACROS / "customUI14.xml").read_bytes()
    assert report.config == tmp_path / "home" / ".ledger" / "ledger.conf"
    assert f'"INTERPRETER_WIN","{sys.executable}"'.encode("cp936") in report.config.read_bytes()


def test_install_replaces_an_older_addin(tmp_path: Path, chinese_windows: None) -> None:
    folder = tmp_path / "XLSTART"
    folder.mkdir()
    (folder / "ledger.xlam").write_bytes(b"old")
    built = tmp_path / "new.xlam"
    built.write_bytes(b"new")
    assert install.copy_addin(built, folder).read_bytes() == b"new"
    assert sorted(p.name for p in folder.iterdir()) == ["ledger.xlam"]


def test_vba_project_is_named_for_the_ledger_without_the_forms_reference(built: Path) -> None:
    import olefile
    from pyopenvba import ExcelFile

    with ExcelFile(str(built)) as book:
        assert book.vba_project().name == "LedgerAddin"
        assert [r.name for r in book.references()] == ["Office"]   # IRibbonControl; no MSForms
    with zipfile.ZipFile(built) as z:
        project = olefile.OleFileIO(io.BytesIO(z.read("xl/vbaProject.bin"))).openstream("PROJECT").read()
    assert b'Name="LedgerAddin"' in project and b"MyAddin" not in project


def test_addin_settings_sheet_keeps_the_workbook_folder_off_sys_path(built: Path) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(built.read_bytes()))
    assert book.sheet_names == ["ledger.conf"]  # the name the xlwings VBA reads as the add-in's settings
    assert book.get_sheet_by_name("ledger.conf").to_python() == [["ADD_WORKBOOK_TO_PYTHONPATH", "False"]]
