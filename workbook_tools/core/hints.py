"""Where a message names a command of the CLI, the words for someone at the page (or the WPS add-in) instead.

A finding's `message` stays exactly what `ledger check` prints (LEDGER_SPEC §6); `page_hint(message)` is the
same sentence with `ledger rollup` → 「半年更新」 and the like, naming the buttons and fields the page has.
Commands the page has no button for keep their command-line words.
"""
from __future__ import annotations

import re

# (CLI words, page words); applied in order, each at most once per message
PAGE_WORDS: tuple[tuple[str, str], ...] = (
    (r"请执行 ledger rollup", "请点击「半年更新」"),
    (r"可执行 ledger number 自动分配", "可点击「自动编号」自动分配"),
    (r"请先执行 ledger check --annotate", "请先点击「校验并标记」"),
    (r"请核对 --date，\s*如确需重新生成当时的台账请加 --force",
     "请核对「半年更新」的「截至日期」，如确需重新生成当时的台账请勾选「强制执行」"),
    (r"请先改正，或加 --force 强制执行", "请先改正，或勾选「半年更新」的「强制执行」后再执行"),
    (r"执行 ledger baseline", "在命令行执行 ledger baseline（网页中没有这个按钮）"),
)
COMPILED = tuple((re.compile(cli), page) for cli, page in PAGE_WORDS)


def page_hint(message: str | None) -> str | None:
    """The message for the page, or None when it names no command the page stands for."""
    if not message:
        return None
    text = message
    for pattern, words in COMPILED:
        text = pattern.sub(words, text, count=1)
    return text if text != message else None
