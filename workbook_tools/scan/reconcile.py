"""The SCAN-* findings (LEDGER_SPEC §9): one small function per code over a ScanContext."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd

from workbook_tools.core import schema
from workbook_tools.core.ledger import ROW
from workbook_tools.core.licence import NEVER, term_end, unlimited_seats
from workbook_tools.scan import codes
from workbook_tools.scan.context import COMPUTER, KEY, NUMBER, PRODUCT, ScanContext, show
from workbook_tools.scan.files import FILE, LINE, NAME, PUBLISHER, SOURCE
from workbook_tools.scan.products import versions_agree
from workbook_tools.scan.result import ScanIssue

Issues = Iterator[ScanIssue]
MAX_LISTED = 5


def unregistered(ctx: ScanContext) -> Issues:
    live = ctx.ledger_pairs()
    for f in ctx.found.to_dict("records"):
        computer, number = f[COMPUTER], f[NUMBER]
        if (computer, number) in live:
            continue
        version = f["versions"][0] if f["versions"] else None
        shown = f[NAME] if not version or version in f[NAME] else f"{f[NAME]}（版本 {version}）"
        message = (f"{ctx.who(computer)} 上扫描到「{shown}」（对应 {ctx.title(number)}），附件9 中截至 "
                   f"{ctx.day.isoformat()} 没有它在这台计算机上的安装记录：私自安装或漏登"
                   "（安装维护管理规定 一.1；台账管理规定 三.4）")
        yield ScanIssue(finding=codes.make(codes.UNREGISTERED, message, **ctx.computer_cell(computer),
                                           scan_file=f[FILE], scan_line=int(f[LINE])),
                        computer=computer, software=number, scanned_name=f[NAME], scanned_version=version)


def _os_listed(ctx: ScanContext) -> set[str]:
    """Computers whose scan lists an operating system (an 操作系统 row, or an entry the library takes for one):
    an inventory export that lists no operating system cannot tell that one is missing."""
    e = ctx.entries
    products = e[PRODUCT].map(lambda k: ctx.library.products[k].category if isinstance(k, str) else "")
    rows = e[(e[SOURCE] == "操作系统") | (products == "操作系统")]
    return set(rows[COMPUTER].dropna())


def _is_os(ctx: ScanContext, number: str) -> bool:
    key = ctx.number_product.get(number)
    if key is not None:
        return ctx.library.products[key].category == "操作系统"
    return number in ctx.software.index and ctx.software.loc[number, "软件类别"] == "操作系统"


def missing(ctx: ScanContext) -> Issues:
    found = ctx.found_pairs()
    live = ctx.live[ctx.live[COMPUTER].isin(ctx.scanned) & ctx.live[NUMBER].isin(ctx.targets)]
    with_os = _os_listed(ctx)
    for computer, number, row in zip(live[COMPUTER], live[NUMBER], live[ROW]):
        if (computer, number) in found or (computer not in with_os and _is_os(ctx, number)):
            continue
        scan_file = ctx.latest_file[computer]
        message = (f"附件9 第 {row} 行登记 {ctx.who(computer)} 安装了 {ctx.title(number)}，截至 {ctx.day.isoformat()} "
                   f"未登记卸载，但扫描文件 {Path(scan_file).name} 中没有找到：请核实，已卸载的补登附件9（台账管理规定 三.4）")
        yield ScanIssue(finding=codes.make(codes.MISSING, message, **ctx.cell_at(schema.A9, row, NUMBER),
                                           scan_file=scan_file),
                        computer=computer, software=number)


def version_mismatch(ctx: ScanContext) -> Issues:
    if ctx.found.empty or ctx.live.empty:
        return
    both = ctx.found.merge(ctx.live[[COMPUTER, NUMBER, "版本", ROW]], on=[COMPUTER, NUMBER])
    for f in both.to_dict("records"):
        ledger_version, scanned = f["版本"], f["versions"]
        if not show(ledger_version) or not scanned or any(versions_agree(ledger_version, v) for v in scanned):
            continue
        message = (f"{ctx.who(f[COMPUTER])} 上的 {ctx.title(f[NUMBER])}：台账（附件9 第 {f[ROW]} 行）版本为 "
                   f"{show(ledger_version)}，扫描到的版本为 {'、'.join(scanned)}；{_version_advice(ctx, f[NUMBER])}")
        yield ScanIssue(finding=codes.make(codes.VERSION, message, **ctx.cell_at(schema.A9, f[ROW], "版本"),
                                           scan_file=f[FILE], scan_line=int(f[LINE])),
                        computer=f[COMPUTER], software=f[NUMBER], scanned_name=f[NAME], scanned_version=scanned[0])


VERSION_ADVICE = {
    "商业软件": "升级商业软件须经申请，登记旧编号卸载、新编号安装（ledger upgrade；安装维护管理规定 二；台账管理规定 三.5）",
    "OEM软件": "OEM软件同名不同版本使用不同编号：核实随机预装的版本，登记旧编号卸载、新编号安装，"
               "或更正附件9 的版本（台账管理规定 一.5、三.4）",
    "免费软件": "免费软件各版本共用一个编号：用 ledger upgrade --from 与 --to 同一编号并以 --version 写明新版本，"
                "或更正附件9 的版本（台账管理规定 一.8、三.4）",
}


def _version_advice(ctx: ScanContext, number: str) -> str:
    kind = ctx.software["软件类型"].get(number) if number in ctx.software.index else None
    return VERSION_ADVICE.get(kind or "", "请核实并更正附件9 的版本（台账管理规定 三.4）")


def _listed(items: list[str]) -> str:
    more = f" 等 {len(items)} 台" if len(items) > MAX_LISTED else ""
    return "、".join(items[:MAX_LISTED]) + more


def unlicensed(ctx: ScanContext) -> Issues:
    sw = ctx.software[ctx.software["软件类型"] == "商业软件"]
    found = ctx.found[ctx.found[NUMBER].isin(sw.index)]
    for number, group in found.groupby(NUMBER, sort=True):
        row, computers = sw.loc[number], group[COMPUTER].tolist()
        first = {"scan_file": group[FILE].iloc[0], "scan_line": int(group[LINE].iloc[0])}
        seats = row["许可数量"]
        if not unlimited_seats(row["许可类型"]) and not pd.isna(seats) and len(computers) > seats:
            message = (f"扫描在 {len(computers)} 台计算机上发现 {ctx.title(number)}（{_listed(computers)}），"
                       f"超过许可数量 {show(seats)}（配置管理规定 一.1）")
            yield ScanIssue(finding=codes.make(codes.UNLICENSED, message, **ctx.cell_at(schema.A7, row[ROW], "许可数量"),
                                               **first), software=number)
        bought = row["采购时间"].date() if not pd.isna(row["采购时间"]) else None
        end = term_end(row["许可期限"], bought)
        if end is not None and end != NEVER and end < ctx.day:
            message = (f"{ctx.title(number)} 的许可期限「{show(row['许可期限'])}」已于 {end.isoformat()} 到期，扫描仍在 "
                       f"{len(computers)} 台计算机上发现它（{_listed(computers)}）（配置管理规定 一.1）")
            yield ScanIssue(finding=codes.make(codes.UNLICENSED, message, **ctx.cell_at(schema.A7, row[ROW], "许可期限"),
                                               **first), software=number)


def unknown_computers(ctx: ScanContext) -> Issues:
    lines = ctx.entries.drop_duplicates(KEY).set_index(KEY)[LINE]
    for key, label in sorted(ctx.latest_file.items()):
        if not key.startswith("?"):
            continue
        host = key[1:]
        line = int(lines[key]) if key in lines.index else None
        message = (f"扫描文件 {Path(label).name} 中的计算机「{host}」不在「计算机」登记表中（按 主机名、计算机编号 查找）："
                   "请登记这台计算机，或在其「主机名」栏填写该名称（台账管理规定 二.2）")
        yield ScanIssue(finding=codes.make(codes.UNKNOWN_COMPUTER, message, scan_file=label, scan_line=line),
                        computer=host, known=False)


def unmapped(ctx: ScanContext) -> Issues:
    e = ctx.entries
    df = e[(e["action"].isna() & e[PRODUCT].isna()) | ((e["action"] == "对应") & e[NUMBER].isna())]
    if df.empty:
        return
    grouped = df.groupby(NAME, sort=False)
    first = grouped[[FILE, LINE, PUBLISHER, "action", "rule_row", "order"]].first().to_dict("index")
    counts = grouped[KEY].nunique().sort_values(ascending=False, kind="stable")
    for name, count in counts.items():
        f = first[name]
        publisher = f"（发布者 {f[PUBLISHER]}）" if show(f[PUBLISHER]) else ""
        yield ScanIssue(finding=codes.make(codes.UNMAPPED, f"「{name}」{publisher}在 {count} 台计算机上出现，{_why(f)}",
                                           scan_file=f[FILE], scan_line=int(f[LINE])),
                        scanned_name=str(name))


def _why(first: dict) -> str:
    if first["action"] == "对应":
        where = (f"第 {show(first['rule_row'])} 行的规则" if show(first["rule_row"])
                 else f"内置默认规则（顺序 {show(first['order'])}）")
        return f"它匹配「软件名称对照」{where}，但该规则没有填写有效的软件编号（日常使用管理规定 四.2）"
    return ("软件识别库和「软件名称对照」都不认识它：请在「软件名称对照」或台账旁的「软件识别库.csv」中增加规则"
            "（日常使用管理规定 四.2）")


def in_use(computers: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Computers in use on `day`: not 报废 (by state or date), enabled by then."""
    stamp = pd.Timestamp(day)
    scrapped = (computers["状态"] == "报废") | (computers["报废日期"].notna() & (computers["报废日期"] <= stamp))
    enabled = computers["启用日期"].isna() | (computers["启用日期"] <= stamp)
    return computers[~scrapped & enabled]


def not_scanned(ctx: ScanContext) -> Issues:
    for computer in in_use(ctx.computers, ctx.day).index:
        if computer in ctx.scanned:
            continue
        message = f"在用计算机 {ctx.who(computer)} 没有扫描结果（日常使用管理规定 四.1：全面检查）"
        yield ScanIssue(finding=codes.make(codes.NOT_SCANNED, message, **ctx.computer_cell(computer)),
                        computer=computer)


def _inspections() -> tuple[Callable[[ScanContext], Issues], ...]:
    from workbook_tools.scan import inspect  # noqa: PLC0415 - inspect imports this module's neighbours

    return inspect.traces, inspect.activations, inspect.library_kinds, inspect.editions


CHECKS: tuple[Callable[[ScanContext], Issues], ...] = (
    unregistered, missing, version_mismatch, not_scanned, unknown_computers, unlicensed, unmapped, *_inspections())
