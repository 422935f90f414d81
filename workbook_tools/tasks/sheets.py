"""File actions that rebuild or fix sheets: number, fix-blanks, roll-up, 附件5, 附件4, 概览, 校验并标记."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from workbook_tools.files.writer import WriteResult, write_workbook
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.progress import Progress
from workbook_tools.tasks import Done, written


def load_ledger(path: Path, **options) -> Ledger:
    """The reader, looked up at call time (so the one reader can be replaced as a whole, e.g. in tests)."""
    from workbook_tools.read import reader

    return reader.load_ledger(path, **options)


def number(path: Path) -> Done:
    """§4: numbers for the 附件7 rows without one."""
    from workbook_tools.ops.numbering import apply_numbers, describe, plan_numbers

    ledger = load_ledger(path)
    plan = plan_numbers(ledger)
    lines = [f"附件7第 {s.row} 行（{s.name or ''}）未编号：{s.reason}" for s in plan.skipped]
    if not plan.assigned:
        return Done.of([*lines, "没有需要分配编号的行，工作簿未改动。"])
    result = apply_numbers(path, plan, ledger=ledger)
    lines += [f"附件7第 {a.row} 行：{describe(a)}" for a in plan.assigned]
    return Done.of([f"已分配 {len(plan.assigned)} 个编号，合并 {len(plan.merges)} 行；{written(result)}", *lines], result)


def fix_blanks(path: Path) -> Done:
    """Clear what BLANK-* wants empty; the old values go into 变更记录."""
    from workbook_tools.ops.fixes import apply_blanks, plan_blanks

    ledger = load_ledger(path)
    clears = plan_blanks(ledger)
    if not clears:
        return Done.of(["没有需要清除的栏目，工作簿未改动。"])
    result = apply_blanks(path, clears, ledger=ledger)
    lines = [f"{c.cell} 第 {c.row} 行「{c.name or ''}」{c.column}：{c.old}（{c.rule}）" for c in clears]
    return Done.of([f"已清除附件7 中 {len(result.changes)} 个单元格，原值已记入「变更记录」；{written(result)}", *lines],
                   result)


def rollup(path: Path, today: dt.date, date: dt.date | None = None, force: bool = False,
           progress: Progress | None = None) -> Done:
    """§5 as of `date` (default today); a refusal raises `RollupRefused` with its findings."""
    from workbook_tools.ops.rollup import apply_rollup

    outcome = apply_rollup(path, date, force, today, progress)
    plan = outcome.plan
    ignored = [f.model_dump(mode="json") for f in outcome.ignored]
    if not outcome.written:
        return Done(lines=[f"附件7、附件8 已是截至 {plan.date.isoformat()} 的结果（{plan.period}），未作任何修改。"],
                    data={"ignored": ignored})
    return Done(lines=[*plan.summary(), f"原文件备份在 {outcome.backup}"], changes=outcome.changes,
                backup=outcome.backup, data={"ignored": ignored})


def rebuild_stats(path: Path, year: int, today: dt.date, ledger: Ledger | None = None):
    """附件5 of `year` computed and written into the ledger; returns (Stats, WriteResult)."""
    from workbook_tools.ops.stats import compute_stats, write_stats_sheet

    ledger = ledger or load_ledger(path)
    stats = compute_stats(ledger, year, today)
    result = write_workbook(path, lambda book: write_stats_sheet(book, stats), "统计", ledger=ledger)
    return stats, result


def stats(path: Path, year: int, today: dt.date) -> Done:
    figures, result = rebuild_stats(path, year, today)
    return Done.of([f"已重建工作表「附件5 信息统计表」（{year}年）。", written(result)], result,
                   stats=figures.model_dump(mode="json"))


def write_plan(path: Path, ledger: Ledger, plan) -> WriteResult:
    """The 附件4 proposals of `plan` written (rows the user filled by hand stay, see plan.kept)."""
    from workbook_tools.ops.plan import apply_plan

    return write_workbook(path, apply_plan(ledger, plan), "采购计划", ledger=ledger)


def plan(path: Path, today: dt.date, year: int | None = None) -> Done:
    from workbook_tools.ops.plan import compute_plan

    ledger = load_ledger(path)
    proposal = compute_plan(ledger, today, year)
    kept_before = len(proposal.kept)
    result = write_plan(path, ledger, proposal)
    from workbook_tools.ops.plan import year_lines

    lines = [*year_lines(proposal), f"附件4：{len(proposal.proposals)} 行采购建议及共计行。", written(result)]
    lines += [f"保留附件4 第 {k.row} 行（{k.软件名称 or ''}）：{k.reason}" for k in proposal.kept[kept_before:]]
    return Done.of(lines, result, gaps=[g.model_dump(mode="json") for g in proposal.gaps],
                   proposals=[p.model_dump(mode="json") for p in proposal.proposals])


def rebuild_overview(path: Path, today: dt.date, ledger: Ledger | None = None):
    """The 概览 sheet rebuilt; returns (Overview, WriteResult)."""
    from workbook_tools.ops.overview import overview_edit

    ledger = ledger or load_ledger(path)
    keep: list = []
    result = write_workbook(path, overview_edit(ledger, today, keep), "概览", ledger=ledger)
    return keep[0], result


def overview(path: Path, today: dt.date) -> Done:
    from workbook_tools.ops.overview import SHEET

    ov, result = rebuild_overview(path, today)
    rate = "—" if ov.rate is None else f"{ov.rate:.1%}"
    figures = {**ov.model_dump(mode="json"), "compliant": ov.compliant, "rate": ov.rate}
    return Done.of([f"已重建工作表「{SHEET}」：商业软件 {len(ov.software)} 个编号，合规 {ov.compliant} 个，合规率 {rate}。",
                    written(result)], result, overview=figures)


def annotate(path: Path, today: dt.date) -> Done:
    """校验并标记: the check written into 校验结果, flagged cells marked (`ledger check --annotate`)."""
    from workbook_tools.ops.annotate import annotate as write_results
    from workbook_tools.rules import run_check

    ledger = load_ledger(path)
    result = run_check(ledger, today)
    write = write_results(path, result, ledger=ledger)
    counts = result.counts
    head = f"校验完成（今天按 {today.isoformat()} 计）：{counts['error']} 个错误，{counts['warning']} 个警告。"
    tail = "已写入「校验结果」并标记单元格；" + written(write) if write.written else "没有需要写入的校验结果，工作簿未改动。"
    return Done.of([head, tail], write, check=result.as_json(workbook=path.name))


def check(path: Path, today: dt.date, select: list[str] | None = None, skip: list[str] | None = None,
          note_open: bool = True):
    """§3 on the ledger at `path`; returns (CheckResult, Ledger) — `ledger check`, 校验台账, POST /api/check."""
    from workbook_tools.files.writer import note_if_open
    from workbook_tools.rules import run_check

    if note_open:          # a check that then writes (--annotate) is refused instead, in its own words
        note_if_open(path)
    ledger = load_ledger(path)
    return run_check(ledger, today, select=select, skip=skip), ledger


def check_json(result, path: Path) -> str:
    """The §6 JSON text, as `ledger check --format json` prints it (without the newline)."""
    import json

    return json.dumps(result.as_json(workbook=path.name), ensure_ascii=False)
