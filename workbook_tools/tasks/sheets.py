"""File actions that rebuild or fix sheets: number, fix-blanks, roll-up, 附件5, 附件4, 概览, 校验并标记."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from workbook_tools.core import schema
from workbook_tools.core.ledger import Ledger
from workbook_tools.core.model import SEVERITY_TEXT, Finding
from workbook_tools.core.progress import Progress, steps
from workbook_tools.files.writer import WriteResult, note_if_open, write_workbook
from workbook_tools.ops import annotate as marking
from workbook_tools.ops.fixes import ACTION as BLANKS_ACTION
from workbook_tools.ops.fixes import BlankClear, blanks_edit, plan_blanks
from workbook_tools.ops.numbering import ACTION as NUMBER_ACTION
from workbook_tools.ops.numbering import NumberPlan, describe, number_edit, plan_numbers
from workbook_tools.ops.overview import EXPIRING_DAYS, Overview, overview_edit
from workbook_tools.ops.overview import SHEET as OVERVIEW_SHEET
from workbook_tools.ops.plan import Plan, apply_plan, compute_plan, plan_totals, year_lines
from workbook_tools.ops.rollup import ACTION as ROLLUP_ACTION
from workbook_tools.ops.rollup import (
    ROLLUP_STEPS,
    RollupOutcome,
    RollupRefused,
    check_date,
    decide_rollup,
    rollup_edit,
    with_overview,
)
from workbook_tools.ops.stats import (  # the figures' vocabulary, for the faces that show them
    DOMESTIC,
    FOREIGN,
    FORM_CATEGORIES,
    SUM,
    TOTAL,
    Stats,
    compute_stats,
    write_stats_sheet,
)
from workbook_tools.read import reader
from workbook_tools.rules import run_check
from workbook_tools.rules.engine import CheckResult
from workbook_tools.tasks import Done, written

__all__ = [
    "DOMESTIC",
    "EXPIRING_DAYS",
    "FOREIGN",
    "FORM_CATEGORIES",
    "OVERVIEW_SHEET",
    "SUM",
    "TOTAL",
    "RollupRefused",
    "annotate",
    "annotate_result",
    "apply_blanks",
    "apply_numbers",
    "apply_rollup",
    "blanks_preview",
    "check",
    "check_json",
    "check_ledger",
    "describe",
    "finding_line",
    "fix_blanks",
    "number",
    "number_preview",
    "overview",
    "plan",
    "plan_preview",
    "plan_totals",
    "rebuild_overview",
    "rebuild_stats",
    "rollup",
    "stats",
    "stats_preview",
    "write_annotations",
    "write_plan",
    "year_lines",
]


def load_ledger(path: Path, **options: Any) -> Ledger:
    """The reader, looked up at call time (so the one reader can be replaced as a whole, e.g. in tests)."""
    return reader.load_ledger(path, **options)


def apply_numbers(path: str | Path, plan: NumberPlan, expected_sha: str | None = None,
                  ledger: Ledger | None = None) -> WriteResult:
    return write_workbook(path, number_edit(plan), NUMBER_ACTION, expected_sha=expected_sha, ledger=ledger)


def apply_blanks(path: str | Path, clears: list[BlankClear], expected_sha: str | None = None,
                 ledger: Ledger | None = None) -> WriteResult:
    return write_workbook(path, blanks_edit(clears), BLANKS_ACTION, expected_sha=expected_sha, ledger=ledger)


def write_annotations(path: str | Path, result: CheckResult, expected_sha: str | None = None,
                      ledger: Ledger | None = None) -> WriteResult:
    """Write `result` into the workbook at `path` through the safe writer (`ledger check --annotate`)."""
    return write_workbook(path, marking.annotate_edit(result), marking.ACTION, expected_sha=expected_sha,
                          ledger=ledger)


def apply_rollup(path: str | Path, date: dt.date | None = None, force: bool = False,
                 today: dt.date | None = None, progress: Progress | None = None) -> RollupOutcome:
    """Read, refuse or plan, and write the roll-up in one save; nothing is written when nothing changes."""
    today = today or dt.date.today()
    date = date or today
    check_date(date, today)
    mark = steps(ROLLUP_STEPS, progress)
    mark(0)
    ledger = reader.load_ledger(path)
    outcome = decide_rollup(ledger, date, force, today, mark)
    mark(3)
    if outcome.plan.changed:
        result = write_workbook(path, with_overview(rollup_edit(outcome.plan), ledger, today), ROLLUP_ACTION,
                                ledger=ledger)
        outcome.written, outcome.backup, outcome.changes = result.written, result.backup, result.changes
    mark(4)
    return outcome


def finding_line(f: Finding) -> str:
    """One finding as a line of a message box: 【错误】附件7 C5 RULE：message."""
    place = f.cell or (f"第 {f.row} 行" if f.row else "")
    where = " ".join(x for x in (schema.short(f.sheet) if f.sheet else "", place) if x)
    return f"【{SEVERITY_TEXT[f.severity]}】{where} {f.rule}：{f.message}"


def number(path: Path) -> Done:
    """§4: numbers for the 附件7 rows without one."""
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

    outcome = apply_rollup(path, date, force, today, progress)
    plan = outcome.plan
    ignored = [f.model_dump(mode="json") for f in outcome.ignored]
    if not outcome.written:
        return Done(lines=[f"附件7、附件8 已是截至 {plan.date.isoformat()} 的结果（{plan.period}），未作任何修改。"],
                    data={"ignored": ignored})
    return Done(lines=[*plan.summary(), f"原文件备份在 {outcome.backup}"], changes=outcome.changes,
                backup=outcome.backup, data={"ignored": ignored})


def rebuild_stats(path: Path, year: int, today: dt.date, ledger: Ledger | None = None) -> tuple[Stats, WriteResult]:
    """附件5 of `year` computed and written into the ledger; returns (Stats, WriteResult)."""

    ledger = ledger or load_ledger(path)
    stats = compute_stats(ledger, year, today)
    result = write_workbook(path, lambda book: write_stats_sheet(book, stats), "统计", ledger=ledger)
    return stats, result


def stats(path: Path, year: int, today: dt.date) -> Done:
    figures, result = rebuild_stats(path, year, today)
    return Done.of([f"已重建工作表「附件5 信息统计表」（{year}年）。", written(result)], result,
                   stats=figures.model_dump(mode="json"))


def write_plan(path: Path, ledger: Ledger, plan: Plan) -> WriteResult:
    """The 附件4 proposals of `plan` written (rows the user filled by hand stay, see plan.kept)."""

    return write_workbook(path, apply_plan(ledger, plan), "采购计划", ledger=ledger)


def plan(path: Path, today: dt.date, year: int | None = None) -> Done:
    ledger = load_ledger(path)
    proposal = compute_plan(ledger, today, year)
    kept_before = len(proposal.kept)
    result = write_plan(path, ledger, proposal)
    lines = [*year_lines(proposal), f"附件4：{len(proposal.proposals)} 行采购建议及共计行。", written(result)]
    lines += [f"保留附件4 第 {k.row} 行（{k.软件名称 or ''}）：{k.reason}" for k in proposal.kept[kept_before:]]
    return Done.of(lines, result, gaps=[g.model_dump(mode="json") for g in proposal.gaps],
                   proposals=[p.model_dump(mode="json") for p in proposal.proposals])


def rebuild_overview(path: Path, today: dt.date, ledger: Ledger | None = None) -> tuple[Overview, WriteResult]:
    """The 概览 sheet rebuilt; returns (Overview, WriteResult)."""

    ledger = ledger or load_ledger(path)
    keep: list[Overview] = []
    result = write_workbook(path, overview_edit(ledger, today, keep), "概览", ledger=ledger)
    return keep[0], result


def overview(path: Path, today: dt.date) -> Done:
    ov, result = rebuild_overview(path, today)
    rate = "—" if ov.rate is None else f"{ov.rate:.1%}"
    figures = {**ov.model_dump(mode="json"), "compliant": ov.compliant, "rate": ov.rate}
    return Done.of([f"已重建工作表「{OVERVIEW_SHEET}」：商业软件 {len(ov.software)} 个编号，合规 {ov.compliant} 个，合规率 {rate}。",
                    written(result)], result, overview=figures)


def annotate(path: Path, today: dt.date) -> Done:
    """校验并标记: the check written into 校验结果, flagged cells marked (`ledger check --annotate`)."""

    ledger = load_ledger(path)
    result = run_check(ledger, today)
    write = write_annotations(path, result, ledger=ledger)
    counts = result.counts
    head = f"校验完成（今天按 {today.isoformat()} 计）：{counts['error']} 个错误，{counts['warning']} 个警告。"
    tail = "已写入「校验结果」并标记单元格；" + written(write) if write.written else "没有需要写入的校验结果，工作簿未改动。"
    return Done.of([head, tail], write, check=result.as_json(workbook=path.name))


def check(path: Path, today: dt.date, select: list[str] | None = None, skip: list[str] | None = None,
          note_open: bool = True) -> tuple[CheckResult, Ledger]:
    """§3 on the ledger at `path`; returns (CheckResult, Ledger) — `ledger check`, 校验台账, POST /api/check."""
    if note_open:          # a check that then writes (--annotate) is refused instead, in its own words
        note_if_open(path)
    ledger = load_ledger(path)
    return run_check(ledger, today, select=select, skip=skip), ledger


def check_ledger(ledger: Ledger, today: dt.date) -> CheckResult:
    """§3 on a ledger already read (the Excel button 校验台账 reads it live)."""
    return run_check(ledger, today)


def check_json(result: CheckResult, path: Path) -> str:
    """The §6 JSON text, as `ledger check --format json` prints it (without the newline)."""

    return json.dumps(result.as_json(workbook=path.name), ensure_ascii=False)


def number_preview(path: Path) -> tuple[NumberPlan, Ledger]:
    """The numbers `ledger number` would give (shown before writing, or alone with --dry-run)."""
    ledger = load_ledger(path)
    return plan_numbers(ledger), ledger


def blanks_preview(path: Path) -> tuple[list[BlankClear], Ledger]:
    """The cells `ledger fix-blanks` would clear (shown before the confirmation)."""
    ledger = load_ledger(path)
    return plan_blanks(ledger), ledger


def annotate_result(path: Path, result: CheckResult, ledger: Ledger) -> str:
    """`ledger check --annotate` after the check: the results written, the line that says so."""
    write = write_annotations(path, result, ledger=ledger)
    return (f"已写入「校验结果」并标记单元格；原文件备份在 {write.backup}" if write.written
            else "没有需要写入的校验结果，工作簿未改动")


def stats_preview(path: Path, year: int, today: dt.date) -> tuple[Stats, Ledger]:
    """附件5 of `year` computed (shown before `rebuild_stats` writes it with the same ledger)."""
    ledger = load_ledger(path)
    return compute_stats(ledger, year, today), ledger


def plan_preview(path: Path, today: dt.date, year: int | None = None) -> tuple[Plan, Ledger]:
    """The 附件4 proposals (shown before `write_plan` writes them with the same ledger)."""
    ledger = load_ledger(path)
    return compute_plan(ledger, today, year), ledger
