"""Decide what a file really is from its bytes, and refuse hostile or broken ones early."""
from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from workbook_tools.core.model import LedgerError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNCOMPRESSED = 1 << 30        # 1 GiB in all
MAX_MEMBER_RATIO = 200            # compression ratio of a genuine sheet stays far below
MAX_MEMBERS = 20000
# What a damaged zip can raise while it is opened or a member inflated.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError, ValueError)
RATIO_FLOOR = 10 << 20            # ratios count only for members above 10 MiB
PROLOG_LIMIT = 1 << 16            # an XML part must open its root element within 64 KiB
_ROOT_START = re.compile(r"<[A-Za-z_]")


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _ole_names(path: Path) -> bytes:
    """The file's head and its first directory sector, where the compound file names its streams
    (a writer may put the directory at the end, past any fixed head)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
        if len(head) < 512:
            return head
        sector = 1 << int.from_bytes(head[30:32], "little")
        first = int.from_bytes(head[48:52], "little")
        if sector not in (512, 4096) or first >= 0xFFFFFFFA:
            return head
        fh.seek((first + 1) * sector)
        return head + fh.read(sector)


def _refuse_ole(path: Path) -> None:
    names = _ole_names(path)
    if _utf16("EncryptionInfo") in names or _utf16("EncryptedPackage") in names:
        raise LedgerError(f"{path.name} 已设置打开密码（加密），请在 Excel/WPS 中取消密码后再使用")
    if _utf16("Workbook") in names or _utf16("Book") in names:
        raise LedgerError(f"{path.name} 是旧版 Excel 97-2003 (.xls) 工作簿，本工具只能读写 .xlsx："
                          "请在 Excel/WPS 中另存为 .xlsx 后再使用")
    raise LedgerError(f"{path.name} 是 Office 二进制文件（如 Word、PowerPoint 97-2003），不是 Excel 工作簿："
                      "如是表格，请在 Excel/WPS 中另存为 .xlsx 后再使用")


def _check_zip(path: Path) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(path)
    except ZIP_ERRORS:
        raise LedgerError(f"{path.name} 已损坏或不完整（无法作为 xlsx 打开）") from None
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        zf.close()
        if "xl/workbook.bin" in names:
            raise LedgerError(f"{path.name} 是 .xlsb 二进制工作簿，请在 Excel 中另存为 .xlsx 后再使用")
        if "word/document.xml" in names:
            raise LedgerError(f"{path.name} 是 Word 文档，不是 Excel 工作簿")
        raise LedgerError(f"{path.name} 是压缩包，但不是 Excel 工作簿 (.xlsx)")
    infos = zf.infolist()
    problem = container_problem(infos, path.name)
    if problem:
        zf.close()
        raise LedgerError(problem)
    total = sum(i.file_size for i in infos)
    bomb = len(infos) > MAX_MEMBERS or total > MAX_UNCOMPRESSED or any(
        i.file_size > RATIO_FLOOR and i.file_size > MAX_MEMBER_RATIO * max(i.compress_size, 1) for i in infos)
    if bomb:
        zf.close()
        raise LedgerError(f"{path.name} 解压后过大（{total // (1 << 20)} MB），不像真实的台账，已拒绝打开")
    return zf


def container_problem(infos: list[zipfile.ZipInfo], file: str) -> str | None:
    """Why a container cannot be read safely at all (encrypted or duplicate members), else None."""
    seen: set[str] = set()
    for info in infos:
        if info.flag_bits & 0x1:
            return (f"{file} 的压缩包成员 {info.orig_filename} 设置了 ZIP 加密，无法读取；"
                    "请在 Excel/WPS 中打开后另存为普通 .xlsx 再试")
        key = info.filename.lower()    # part names are compared case-insensitively (OPC)
        if key in seen:
            return (f"{file} 的压缩包中有两个同名成员 {info.filename}，无法确定以哪一份为准；"
                    "请在 Excel/WPS 中打开后另存为 .xlsx 再试")
        seen.add(key)
    return None


def _prolog(head: bytes) -> str | None:
    """The text before the root element, where a DTD would stand; None when no root starts in `head`."""
    utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff")
    text = head.decode("utf-16" if utf16 else "latin-1", errors="ignore")
    match = _ROOT_START.search(text)
    return text[: match.start()] if match else None


def _check_xml(zf: zipfile.ZipFile, path: Path) -> None:
    """Genuine Office XML never declares a DTD; entity tricks (XML bombs) need one.

    The whole prolog is examined (a DTD may hide behind a long comment); genuine parts start
    their root element within a few hundred bytes.
    """
    for info in zf.infolist():
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with zf.open(info) as fh:
                head = fh.read(PROLOG_LIMIT)
        except ZIP_ERRORS:
            raise LedgerError(f"{path.name} 已损坏或不完整（{info.filename} 无法解压）") from None
        prolog = _prolog(head)
        unsafe = prolog is None and len(head) == PROLOG_LIMIT
        if unsafe or "<!DOCTYPE" in (prolog or "") or "<!ENTITY" in (prolog or "") or b"<!ENTITY" in head:
            raise LedgerError(f"{path.name} 含有不安全的 XML 声明（{info.filename}），已拒绝打开")


def sniff_xlsx(path: Path) -> bool:
    """Check that `path` is a readable, non-hostile xlsx/xlsm; return True when it carries macros."""
    if not path.exists():
        raise LedgerError(f"找不到文件：{path}")
    if path.is_dir():
        raise LedgerError(f"{path} 是文件夹，不是 Excel 工作簿")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except PermissionError:
        raise LedgerError(f"无权读取 {path.name}（可能正被其他程序独占打开）") from None
    if not head:
        raise LedgerError(f"{path.name} 是空文件")
    if head.startswith(OLE_MAGIC):
        _refuse_ole(path)
    if not head.startswith(ZIP_MAGIC):
        raise LedgerError(f"{path.name} 不是 Excel 工作簿 (.xlsx)，按内容识别为其他类型文件")
    with _check_zip(path) as zf:
        _check_xml(zf, path)
        return "xl/vbaProject.bin" in zf.namelist()


SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name_problem(name: str) -> str | None:
    """Why Excel (and openpyxl, which refuses to load such a workbook for writing) cannot keep this sheet name."""
    found = SHEET_NAME_FORBIDDEN.search(name)
    if found:
        return f"工作表名「{name}」含有 Excel 不允许的字符「{found.group()}」"
    if not name.strip() or len(name) > 31 or name.startswith("'") or name.endswith("'"):
        return f"工作表名「{name}」不符合 Excel 的规定（1–31 个字符，不以单引号开头或结尾）"
    return None
