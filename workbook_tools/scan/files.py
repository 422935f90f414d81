"""Reading endpoint scan files (CSV) into one table of installed-software entries.

Accepted: the CSV our collectors write (columns 计算机名, DisplayName, DisplayVersion,
Publisher, InstallDate, 来源 — Windows PowerShell 5.1 `Export-Csv -Encoding UTF8` writes it
with a BOM, CRLF and every field quoted) and inventory exports of GLPI/OCS and the like,
whose column names are found through aliases or given by `ColumnMap`.  Each file's bytes come
from the reader the caller passes (tasks/scanning.py opens the files) and are parsed once with
the csv module; the entries of all files become one DataFrame built in one call.
A file that cannot be read (encoding, broken CSV, a field longer than a cell holds, no name
column) is one SCAN-FILE-UNREADABLE finding naming the file and line; the other files are read.
Control characters in fields are removed (they cannot be kept in a workbook).
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from workbook_tools.core.model import Finding, LedgerError
from workbook_tools.core.progress import Progress, each
from workbook_tools.read.coerce import CONTROL_CHARS, EXCEL_MAX_TEXT
from workbook_tools.scan import codes

HOST, NAME, VERSION, PUBLISHER, INSTALL_DATE, SOURCE = "host", "name", "version", "publisher", "install_date", "source"
CHANNEL, STATE, KMS = "channel", "state", "kms"      # the §9a columns of 激活 rows
FILE, LINE = "file", "line"
FIELDS = (HOST, NAME, VERSION, PUBLISHER, INSTALL_DATE, SOURCE, CHANNEL, STATE, KMS)
ENTRY_COLUMNS = [*FIELDS, FILE, LINE]
# The header our collectors write, in order.
COLLECTOR_HEADERS = ("计算机名", "DisplayName", "DisplayVersion", "Publisher", "InstallDate", "来源")
EXTRA_HEADERS = ("许可通道", "激活状态", "KMS主机")   # LEDGER_SPEC §9a, optional

# Header aliases (compared case-insensitively, without spaces/underscores); the first column found wins.
ALIASES: dict[str, tuple[str, ...]] = {
    HOST: ("计算机名", "计算机名称", "主机名", "计算机", "终端名称", "设备名称", "ComputerName", "Computer",
           "Computers", "Hostname", "Host", "MachineName", "Machine", "DeviceName", "Device"),
    NAME: ("DisplayName", "软件名称", "名称", "程序名称", "Name", "SoftwareName", "Software", "Product",
           "ProductName", "Softwares"),
    VERSION: ("DisplayVersion", "版本", "软件版本", "Version", "SoftwareVersion", "ProductVersion"),
    PUBLISHER: ("Publisher", "发布者", "发行者", "厂商", "Editor", "Manufacturer", "Vendor"),
    INSTALL_DATE: ("InstallDate", "安装日期", "安装时间", "InstallationDate"),
    SOURCE: ("来源", "Source"),
    CHANNEL: ("许可通道", "LicenseChannel", "ProductKeyChannel"),
    STATE: ("激活状态", "LicenseStatus"),
    KMS: ("KMS主机", "KMSHost", "KeyManagementServiceMachine"),
}
SCAN_SUFFIXES = (".csv", ".tsv")
_DELIMITERS = (",", ";", "\t")
_KEY_NOISE = re.compile(r"[\s_\-]+")


class ColumnMap(BaseModel):
    """Column names given on the command line for exports whose headers are not recognised."""

    model_config = ConfigDict(frozen=True)

    host: str | None = None
    name: str | None = None
    version: str | None = None
    publisher: str | None = None


class ScanFile(BaseModel):
    """One scan file that was read: where, when, which host names it holds."""

    path: Path
    label: str                      # as shown in findings (the path as given or relative to a given folder)
    mtime: float
    entries: int = 0
    hosts: list[str] = Field(default_factory=list)


class ScanSet(BaseModel):
    """Every entry of every scan file (`entries`, ENTRY_COLUMNS), the files read, and those that could not be."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    files: list[ScanFile]
    entries: pd.DataFrame
    problems: list[Finding] = Field(default_factory=list)   # SCAN-FILE-UNREADABLE, one per file


class UnreadableScan(Exception):
    """One scan file that cannot be read: where and why (a Chinese sentence)."""

    def __init__(self, label: str, line: int | None, reason: str):
        super().__init__(reason)
        self.label, self.line, self.reason = label, line, reason

    def finding(self) -> Finding:
        where = f"第 {self.line} 行" if self.line else ""
        return codes.make(codes.FILE_UNREADABLE, f"扫描文件 {self.label} {where}无法读取：{self.reason}；"
                          "该文件未参与核对，其余扫描文件照常核对", scan_file=self.label, scan_line=self.line)


class ScanOpenError(Exception):
    """A scan file that cannot be opened; `reason` is one Chinese line (what the reader of tasks/ says)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# The file reading itself is the caller's (tasks/scanning.py): path -> (bytes, mtime), ScanOpenError on failure.
Reader = Callable[[Path], tuple[bytes, float]]


def header_key(text: str) -> str:
    return _KEY_NOISE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def decode(data: bytes, label: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (PowerShell Out-File), else GB18030 (Chinese Windows ANSI)."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1 if not data.startswith(b"\xff") else None
        raise UnreadableScan(label, line, "编码无法识别（应为 UTF-8、GBK 或带 BOM 的 UTF-16）") from None


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def map_columns(header: list[str], given: ColumnMap, label: str, used: set[str] | None = None) -> dict[str, int]:
    """Field -> column index: the name given on the command line when the file has it, else an alias.

    Names given are recorded in `used` when found, so that a name no file has can be reported.
    """
    keys = [header_key(h) for h in header]
    mapping: dict[str, int] = {}
    for field_name in FIELDS:
        wanted = getattr(given, field_name, None)
        for name in ((wanted,) if wanted else ()) + ALIASES[field_name]:
            key = header_key(name)
            if key in keys and keys.index(key) not in mapping.values():
                mapping[field_name] = keys.index(key)
                if name == wanted and used is not None:
                    used.add(wanted)
                break
    if NAME not in mapping:
        shown = CONTROL_CHARS.sub("", "、".join(header))[:200]
        raise UnreadableScan(label, 1, f"找不到软件名称列（DisplayName）；表头为：{shown}；可用 --name-column 指定")
    return mapping


def _split_type_line(text: str) -> tuple[str, int]:
    """PowerShell's Export-Csv without -NoTypeInformation starts with a "#TYPE ..." line."""
    if text.startswith("#TYPE"):
        cut = text.find("\n")
        return (text[cut + 1:] if cut >= 0 else ""), 1
    return text, 0


def read_file(path: Path, label: str, given: ColumnMap, columns: dict[str, list], read: Reader,
              used: set[str] | None = None) -> ScanFile:
    """Append one file's entries to `columns` (field -> values); returns what was read."""
    try:
        data, mtime = read(path)
    except ScanOpenError as exc:
        raise UnreadableScan(label, None, f"无法打开（{exc.reason}）") from None
    text, skipped = _split_type_line(decode(data, label))
    info = ScanFile(path=path, label=label, mtime=mtime)
    if not text.strip():
        info.hosts = [host_from_name(path)]
        return info
    _read_records(text, info, given, columns, skipped, used)
    return info


def _records(reader, label: str, skipped: int):
    """The csv records, a broken line or an over-long field raising UnreadableScan with its line."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            reason = "有超过 128 KB 的字段" if "field limit" in str(exc) else \
                "含有空字符（NUL），不是文本文件" if "NUL" in str(exc) else "不是有效的 CSV（引号不配对等）"
            raise UnreadableScan(label, reader.line_num + skipped, reason) from None
        if any(len(field) > EXCEL_MAX_TEXT for field in record):
            raise UnreadableScan(label, reader.line_num + skipped, f"有超过 {EXCEL_MAX_TEXT:,} 个字符的字段")
        yield record


def _clean(value: str) -> str:
    return CONTROL_CHARS.sub("", value).strip()


def _read_records(text: str, info: ScanFile, given: ColumnMap, columns: dict[str, list], skipped: int,
                  used: set[str] | None) -> None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.split("\n", 1)[0]))
    records = _records(reader, info.label, skipped)
    header = next(records, None)
    mapping = map_columns([h.strip() for h in header or []], given, info.label, used)
    default_host = host_from_name(info.path)
    hosts: dict[str, None] = {}
    for record in records:
        values = {f: (_clean(record[j]) if j < len(record) else "") for f, j in mapping.items()}
        if not values[NAME]:
            continue
        values[HOST] = values.get(HOST) or default_host
        for f in FIELDS:
            columns[f].append(values.get(f) or None)
        columns[FILE].append(info.label)
        columns[LINE].append(reader.line_num + skipped)
        hosts.setdefault(values[HOST])
        info.entries += 1
    info.hosts = list(hosts) or [default_host]


def _read_one(path: Path, label: str, given: ColumnMap, columns: dict[str, list], read: Reader,
              used: set[str]) -> ScanFile:
    """read_file, leaving `columns` as it was when the file turns out unreadable half-way."""
    sizes = {c: len(v) for c, v in columns.items()}
    try:
        return read_file(path, label, given, columns, read, used)
    except UnreadableScan:
        for c, n in sizes.items():
            del columns[c][n:]
        raise


def parse_scans(found: list[tuple[Path, str]], read: Reader, given: ColumnMap | None = None,
                progress: Progress | None = None) -> ScanSet:
    """Every scan file of `found` ((path, label), as tasks.scanning lists them) through `read`; one that
    cannot be read becomes a finding, the rest are read."""
    given = given or ColumnMap()
    columns: dict[str, list] = {c: [] for c in ENTRY_COLUMNS}
    used: set[str] = set()
    files, problems = [], []
    for path, label in each(found, progress, lambda item: f"读取扫描文件 {item[1]}"):
        try:
            files.append(_read_one(path, label, given, columns, read, used))
        except UnreadableScan as bad:
            problems.append(bad.finding())
    if not found:
        raise LedgerError("没有找到扫描文件（*.csv）")
    if not files:   # nothing left to reconcile: the reason of the first file is the answer
        raise LedgerError(problems[0].message.split("；该文件未参与核对")[0])
    unused = [n for n in given.model_dump().values() if n and n not in used]
    if unused and files:
        raise LedgerError(f"所有扫描文件中都没有指定的列「{'」「'.join(unused)}」")
    entries = pd.DataFrame(columns, columns=ENTRY_COLUMNS, dtype=object)
    entries[LINE] = entries[LINE].astype("int64")
    return ScanSet(files=files, entries=entries, problems=problems)


def host_from_name(path: Path) -> str:
    """Host named by a file: `PC-001.csv` or `PC-001_2026-03-01.csv` -> PC-001."""
    return path.stem.split("_", 1)[0].strip()
