"""The Excel side of the ledger: ribbon buttons (xlwings open-source RunPython) and their dispatcher.

The add-in's VBA callback runs, for the clicked button's tag,
``import workbook_tools.faces.excel as x; x.dispatch('<tag>')``.  `dispatch` finds the
action in `ACTIONS`, runs it on the calling workbook with screen updating,
automatic calculation and events switched off, and shows the result — or the
reason it failed — in a Chinese message box.  Nothing it does ends in a traceback.
"""
from __future__ import annotations

import sys

from workbook_tools.core import schema
from workbook_tools.core.model import LedgerError
from workbook_tools.faces.excel import caller, live
from workbook_tools.faces.excel.actions import ACTIONS, Action, Context, Group, Outcome

__all__ = ["ACTIONS", "Action", "Context", "Group", "Outcome", "dispatch", "run_action"]

TITLE = "正版化台账"
FAST = {"screen_updating": False, "calculation": "manual", "enable_events": False}



def _calculation(app: live.AppLike) -> str | None:
    try:
        return app.calculation
    except Exception:  # noqa: BLE001 - unknown: the save then restores Excel's default (automatic)
        return None


def run_action(tag: str, book: live.BookLike) -> tuple[Action | None, Outcome]:
    """Run one action on `book`; every failure becomes an Outcome with ok=False."""
    action = ACTIONS.get(tag)
    if action is None:
        return None, Outcome(ok=False, message=f"未知的按钮「{tag}」：加载项与已安装的 workbook_tools 版本不一致，"
                                                 "请重新运行 ledger addin install")
    if action.needs_ledger and not live.is_ledger(book):
        return action, Outcome(ok=False, message=f"当前工作簿「{book.name}」不是台账（没有工作表「{schema.A7}」）。"
                                                   "请先切换到台账工作簿再点按钮。")
    calculation = _calculation(book.app)
    try:
        with book.app.properties(**FAST):
            return action, action.run(Context(book=book, calculation=calculation))
    except LedgerError as exc:
        return action, Outcome(ok=False, message=exc.message)
    except Exception as exc:  # noqa: BLE001 - the last guard before the user's screen
        return action, Outcome(ok=False, message=f"内部错误（{type(exc).__name__}）。"
                                                   "请保存文件后用 ledger 命令行处理，并把本提示告诉维护人员。")


def _show(app: live.AppLike, action: Action | None, outcome: Outcome) -> None:
    title = f"{TITLE} - {action.label}" if action else TITLE
    try:
        app.alert(outcome.message, title=title, mode="info" if outcome.ok else "critical")
    except Exception:  # noqa: BLE001 - no dialog possible: the VBA side shows stderr instead
        print(outcome.message, file=sys.stderr)
        if not outcome.ok:
            raise SystemExit(1) from None


def dispatch(action: str, book: live.BookLike | None = None) -> Outcome:
    """Entry point of every ribbon button: `action` is the button's tag; `book` the calling workbook unless given."""
    if book is None:
        book, problem = caller.connect(sys.argv)
        if book is None:  # the xlwings VBA shows stderr when Python exits with 1
            print(problem, file=sys.stderr)
            raise SystemExit(1)
    app = book.app  # taken first: an action may close the workbook and open it again
    found, outcome = run_action(action, book)
    _show(app, found, outcome)
    return outcome
