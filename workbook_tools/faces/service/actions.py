"""One function per `POST /api/<action>`: the request body -> the library function of the CLI and the ribbon.

Each takes a `Call` (the JSON body, the scope of paths, the progress callback, uploaded files) and
returns a `Reply`.  None of them holds logic of its own beyond reading the body: the work is done
by `workbook_tools.tasks`, `rules`, `operations` and `forms`, exactly as `ledger …` does it.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import LedgerError
from workbook_tools.core.progress import Progress
from workbook_tools.faces.service.jobs import Reply
from workbook_tools.faces.service.scope import Scope
from workbook_tools.tasks import Done, cycle, many, operations, os_reason, reading, sheets
from workbook_tools.tasks import requests as register_requests
from workbook_tools.tasks.printing import (
    FORM_OPTIONS,
    SLIP_FORM,
    PrintOptions,
    form_spec,
    print_file,
    printed,
    signed,
    slip_numbers,
)
from workbook_tools.tasks.printing import slip as print_slip
from workbook_tools.tasks.scanning import scan as run_scan
from workbook_tools.tasks.scanning import scan_folder


@dataclass
class Call:
    body: dict[str, Any]
    scope: Scope
    progress: Progress | None = None
    uploads: list[tuple[str, bytes]] = field(default_factory=list)

    def ledger(self, key: str = "path") -> Path:
        return self.scope.ledger(self.body.get(key), key)

    def text(self, key: str) -> str | None:
        value = self.body.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, (str, int)):
            raise LedgerError(f"{key} 应为文字", 2)
        return str(value).strip()

    def day(self, key: str) -> dt.date | None:
        value = self.text(key)
        if value is None:
            return None
        day = reading.parse_date_text(value)
        if day is None:
            raise LedgerError(f"{key} 的日期「{value}」无法识别，应写作 YYYY-MM-DD", 2)
        return day

    @property
    def today(self) -> dt.date:
        return self.day("today") or dt.date.today()

    def flag(self, key: str) -> bool:
        value = self.body.get(key, False)
        return value is True or (isinstance(value, str) and value.lower() in ("1", "true", "是", "on"))

    def number(self, key: str) -> int | None:
        value = self.text(key)
        if value is None:
            return None
        if not value.isdigit():
            raise LedgerError(f"{key} 应为整数：{value}", 2)
        return int(value)

    def strings(self, key: str) -> list[str]:
        value = self.body.get(key) or []
        if isinstance(value, str):
            value = value.replace("，", ",").split(",")
        if not isinstance(value, list):
            raise LedgerError(f"{key} 应为列表", 2)
        return [str(v).strip() for v in value if str(v).strip()]


def done(result: Done, **extra: Any) -> Reply:
    body = {"ok": True, "complete": result.ok, "message": result.lines[0] if result.lines else "",
            "lines": result.lines, "changes": [c.model_dump(mode="json") for c in result.changes],
            "backup": str(result.backup) if result.backup else None, "notes": result.notes, **result.data, **extra}
    return Reply(200, body, lines=result.lines)


def check(call: Call) -> Reply:
    """Exactly the §6 JSON of `ledger check --format json --today` (the same function writes both)."""
    path = call.ledger()
    result, _ = sheets.check(path, call.today, call.strings("rules") or None, call.strings("skip") or None)
    return Reply(200, sheets.check_json(result, path))


def annotate(call: Call) -> Reply:
    return done(sheets.annotate(call.ledger(), call.today))


def number(call: Call) -> Reply:
    return done(sheets.number(call.ledger()))


def fix_blanks(call: Call) -> Reply:
    return done(sheets.fix_blanks(call.ledger()))


def rollup(call: Call) -> Reply:
    return done(sheets.rollup(call.ledger(), call.today, call.day("date"), call.flag("force"), call.progress))


def stats(call: Call) -> Reply:
    """One ledger: its 附件5 rebuilt.  `paths` (several ledgers): the consolidated 附件5 and per-unit table."""
    year = call.number("year") or call.today.year
    if not 1990 <= year <= 2100:
        raise LedgerError(f"year {year} 不是有效年度", 2)
    if "paths" not in call.body:
        return done(sheets.stats(call.ledger(), year, call.today))
    paths = [call.scope.ledger(p, "paths") for p in call.strings("paths")]
    if len(paths) < 2:
        raise LedgerError("汇总须选择至少两个台账", 2)
    output = call.scope.place(call.text("output") or str(paths[0].parent / f"附件5汇总_{year}.xlsx"), "output")
    return done(many.stats_many(paths, output, year, call.today, call.text("name"), call.flag("force"),
                                call.progress))


def plan(call: Call) -> Reply:
    return done(sheets.plan(call.ledger(), call.today, call.number("year")))


def overview(call: Call) -> Reply:
    return done(sheets.overview(call.ledger(), call.today))


def review(call: Call) -> Reply:
    """考核评议 of `year` (default this year), written to the sheet 考核评议."""
    year = call.number("year") or call.today.year
    if not 1990 <= year <= call.today.year:
        raise LedgerError(f"year {year} 不是有效年度", 2)
    return done(cycle.review(call.ledger(), year, call.today))


def renew(call: Call) -> Reply:
    """续订: `old` (and `new`, `date`, `amount`, `term`, `count`) as `ledger renew`; without `old`, the renewals
    typed in 附件7 (备注 “续订 原软件编号”)."""
    old = call.text("old")
    if old is None:
        return done(cycle.renew_pending(call.ledger(), call.today))
    date = reading.parse_date_text(text) if (text := call.text("date")) else call.today
    numbers: dict[str, Any] = {k: reading.to_number(call.text(k)) if call.text(k) else None for k in ("amount", "count")}
    if date is None or any(isinstance(v, str) for v in numbers.values()):
        raise LedgerError("date、amount、count 中有无法识别的值", 2)
    try:
        request = cycle.Renewal(old=old, new=call.text("new"), date=date, term=call.text("term"), **numbers)
    except ValidationError:
        raise LedgerError("续订参数不正确（许可数量须大于 0，采购金额不能为负）", 2) from None
    return done(cycle.renew(call.ledger(), request, call.today))


def requests(call: Call) -> Reply:
    """The approved 附件10 requests of one kind (what the page offers to 登记安装/卸载/升级)."""
    kind = call.text("kind") or "安装"
    if kind not in register_requests.KINDS:
        raise LedgerError(f"kind 只能是：{'、'.join(register_requests.KINDS)}", 2)
    rows = register_requests.approved_in(call.ledger(), kind)
    return Reply(200, {"ok": True, "kind": kind, "requests": rows, "message": f"已批准的{kind}申请 {len(rows)} 条"})


def _register(kind: str) -> Callable[[Call], Reply]:
    def run(call: Call) -> Reply:
        if "rows" in call.body:
            rows = {int(r) for r in call.strings("rows") if r.isdigit()}
            return done(register_requests.register(call.ledger(), rows, kind, call.today))
        return _operation(kind, call)
    run.__name__ = kind
    return run


def _operation(kind: str, call: Call) -> Reply:
    """The `ledger install | uninstall | upgrade` form of the call: computer, software (from/to), date …"""
    ops = operations
    visit: dict[str, Any] = {"computer": call.text("computer") or "", "date": call.day("date") or call.today,
             "request": call.text("request"), "unified": call.flag("unified"), "handler": call.text("handler"),
             "slip": call.text("slip"), "force": call.flag("force"), "reason": call.text("reason")}
    planner: Callable[..., ops.OperationPlan]
    req: ops.Install | ops.Uninstall | ops.Upgrade
    try:
        if kind == "安装":
            planner, req = ops.plan_install, ops.Install(software=call.text("software") or "", version=call.text("version"),
                                                         count=float(call.body.get("count") or 1), **visit)
        elif kind == "卸载":
            planner, req = ops.plan_uninstall, ops.Uninstall(software=call.text("software") or "", **visit)
        else:
            planner, req = ops.plan_upgrade, ops.Upgrade(old=call.text("from") or "", new=call.text("to") or "",
                                                         version=call.text("version"), **visit)
    except (ValidationError, ValueError, TypeError):
        raise LedgerError("参数不正确：请给出 computer、software（升级为 from、to）等字段，或给出 rows（附件10 行号）", 2) from None
    result = ops.operate(call.ledger(), planner, req, call.today)
    return done(result.model_copy(update={"lines": [*result.lines, f"原文件备份：{result.backup}"]}))


def print_(call: Call) -> Reply:
    """附件1–11 as one PDF next to the ledger (`ledger print`); the reply is the PDF."""
    spec = form_spec(call.text("form") or "")
    wanted = {"year": call.number("year") is not None, "unsigned": call.flag("unsigned"),
              "show_serials": call.flag("show_serials"), "in_use": call.flag("in_use"), "filled": call.flag("filled")}
    for key, given in wanted.items():
        if given and spec.number not in FORM_OPTIONS["--" + key.replace("_", "-")]:
            raise LedgerError(f"{key} 不适用于{spec.label}", 2)
    path, ids, ledger = call.ledger(), call.strings("ids"), None
    if "rows" in call.body:   # 打印确认单 of a selection: the 确认单号 of these 附件9 rows (as the Excel button)
        ledger, ids = _slip_rows(call, spec.number, path)
    options = PrintOptions(ids=ids, year=call.number("year"), unsigned=wanted["unsigned"],
                           show_serials=wanted["show_serials"], in_use=wanted["in_use"], filled=wanted["filled"],
                           today=call.today)
    result = print_file(path, spec, options, ledger=ledger, progress=call.progress)
    line = printed(result, spec)
    return Reply(200, {"ok": True, "message": line, "lines": [line], "file": str(result.path), "pages": result.pages,
                       "items": result.items}, file=str(result.path), lines=[line])


def _slip_rows(call: Call, form: int, path: Path) -> tuple[Ledger, list[str]]:
    if form != SLIP_FORM:
        raise LedgerError("rows 只适用于附件11（按附件9 行号打印确认单）", 2)
    rows = {int(r) for r in call.strings("rows") if r.isdigit()}
    ledger = reading.load_ledger(path)
    return ledger, slip_numbers(ledger, rows)


def slip(call: Call) -> Reply:
    """`ledger slip`: a visit's 确认单号 given, registered and printed (the PDF), or a signed slip recorded."""
    path, day = call.ledger(), call.day("date") or call.today
    if call.text("signed"):
        return done(signed(path, call.text("signed") or "", day))
    if not call.text("computer"):
        raise LedgerError("请给出 computer（编确认单并打印）或 signed（登记签字交回）二者之一", 2)
    result, pdf = print_slip(path, call.text("computer") or "", day, progress=call.progress)
    reply = done(result, file=str(pdf.path), pages=pdf.pages, items=pdf.items)
    reply.file = str(pdf.path)
    return reply


MAX_SCAN_FILES = 2000


def safe_name(name: str, taken: set[str]) -> str:
    stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", Path(name.replace("\\", "/")).name).strip(" .") or "扫描文件.csv"
    suffix = Path(stem).suffix[:10]
    if len(stem.encode("utf-8")) > 120:   # file systems stop at 255 bytes; keep the suffix the reader goes by
        stem = stem.encode("utf-8")[:100].decode("utf-8", "ignore").rstrip(" .") + suffix
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{Path(stem).stem}_{n}{Path(stem).suffix}"
    taken.add(candidate)
    return candidate


def scan(call: Call) -> Reply:
    """导入扫描结果 with the files uploaded in the request (multipart field `files`)."""
    run = run_scan
    if not call.uploads and call.flag("folder"):   # the ribbon's way: the 扫描结果 folder next to the ledger
        path = call.ledger()
        folder = scan_folder(path)
        result = run(path, [folder], call.today, call.day("date"), progress=call.progress)
        return done(result.model_copy(update={"lines": [f"扫描文件夹：{folder}", *result.lines]}))
    if not call.uploads:
        raise LedgerError("没有上传扫描文件：请选择终端扫描导出的 .csv/.tsv 文件", 2)
    if len(call.uploads) > MAX_SCAN_FILES:
        raise LedgerError(f"一次最多核对 {MAX_SCAN_FILES} 个扫描文件", 2)
    path = call.ledger()
    with tempfile.TemporaryDirectory(prefix="ledger-scan-") as upload_dir:
        prefixes = [f"{p}{sep}" for p in {str(Path(upload_dir)), os.path.realpath(upload_dir)} for sep in ("/", "\\")]
        taken: set[str] = set()
        files = []
        try:
            for name, data in call.uploads:
                target = Path(upload_dir) / safe_name(name, taken)
                target.write_bytes(data)
                files.append(target)
            result = run(path, files, call.today, call.day("date"), progress=call.progress)
        except OSError as exc:   # a name or content the file system refuses: said without the temporary folder
            raise LedgerError(_without(f"无法保存或读取上传的扫描文件：{os_reason(exc)}", prefixes), 2) from None
        except LedgerError as exc:   # a refused file: named as uploaded, not by its place on the server
            exc.message = _without(exc.message, prefixes)
            raise
        reply = done(result)
        reply.body = _without(reply.body, prefixes)
    return reply


def _without(value: Any, prefixes: list[str]) -> Any:
    """The reply with the temporary folder's name taken out of every text (scan_file, messages)."""
    if isinstance(value, str):
        for p in prefixes:
            value = value.replace(p, "")
        return value
    if isinstance(value, list):
        return [_without(v, prefixes) for v in value]
    if isinstance(value, dict):
        return {k: _without(v, prefixes) for k, v in value.items()}
    return value


def changes(call: Call) -> Reply:
    """The last rows of the ledger's 变更记录 (newest last)."""
    limit = min(call.number("limit") or 200, 5000)
    records = reading.changes(call.ledger(), limit)
    return Reply(200, {"ok": True, "changes": records, "message": f"变更记录 {len(records)} 条"})


ACTIONS: dict[str, Callable[[Call], Reply]] = {
    "check": check, "annotate": annotate, "number": number, "fix-blanks": fix_blanks, "rollup": rollup,
    "install": _register("安装"), "uninstall": _register("卸载"), "upgrade": _register("升级"),
    "slip": slip, "print": print_, "stats": stats, "plan": plan, "overview": overview, "scan": scan,
    "requests": requests, "changes": changes, "review": review, "renew": renew,
}
UPLOADS = {"scan"}   # actions that take multipart/form-data with files
