"""One click of a button in Calc: the document cycle around a call of `ledger serve`.

* A button that only reads (校验台账, 打印…): the service reads the file as saved, so unsaved edits are
  stored first (`store()`, in the document's own format).
* A button that changes the file: store (when modified), close (LibreOffice's lock file `.~lock.NAME#` goes
  with it, else the service refuses with 423), let the service write, open the file again whatever happened,
  and put the cursor back on the same sheet and cells.
* Findings go to a list window (non-modal); a click on a line activates that sheet and selects the cell.

Dispatch arguments (PropertyValue) a caller may give: `Today` (YYYY-MM-DD, the service's "today"),
`Unattended` (True: no question, no message box, no PDF viewer — the outcome is only returned),
`Pick` (index of a finding in the list to select, as a click on it does).
"""
from __future__ import annotations

import os

import uno
from com.sun.star.awt import XItemListener, XTopWindowListener
from com.sun.star.beans import PropertyValue
import unohelper

from workbook_tools_lo import buttons
from workbook_tools_lo.service import Refusal, connect

REGISTRY = buttons.registry()
TITLE = REGISTRY["title"]
A7, A9, A10 = REGISTRY["sheets"]["a7"], REGISTRY["sheets"]["a9"], REGISTRY["sheets"]["a10"]
MAX_LINES = 25
_OPEN_LISTS = []     # the list windows shown, kept alive until closed


class Options:
    def __init__(self, args):
        values = {a.Name: a.Value for a in args or () if hasattr(a, "Name")}
        self.today = str(values["Today"]) if values.get("Today") else None
        self.unattended = bool(values.get("Unattended"))
        self.pick = int(values["Pick"]) if values.get("Pick") is not None else None


def clip(lines, limit=MAX_LINES) -> str:
    lines = [str(x) for x in lines]
    if len(lines) <= limit:
        return "\n".join(lines)
    return "\n".join(lines[: limit - 1] + ["……另有 %d 行未显示" % (len(lines) - limit + 1)])


def short(sheet: str) -> str:
    return sheet.split(" ", 1)[0] if sheet.startswith("附件") else sheet


class Click:
    """The state of one click: the application, the document, what the user is told."""

    def __init__(self, ctx, frame, tag: str, args):
        self.ctx = ctx
        self.frame = frame
        self.smgr = ctx.ServiceManager
        self.options = Options(args)
        self.button = next((b for b in REGISTRY["buttons"] if b["tag"] == tag), None)
        self.tag = tag
        self.doc = None
        self.said = []

    def create(self, name: str):
        return self.smgr.createInstanceWithContext(name, self.ctx)

    # --- messages -------------------------------------------------------------------------------

    def parent(self):
        frame = self.frame
        try:
            if self.doc is not None:
                frame = self.doc.getCurrentController().getFrame()
            return frame.getContainerWindow()
        except Exception:  # noqa: BLE001 - a closed frame: the box gets no parent
            return None

    def box(self, kind: str, buttons_: int, text: str) -> int:
        from com.sun.star.awt.MessageBoxType import INFOBOX, QUERYBOX, WARNINGBOX

        kinds = {"info": INFOBOX, "query": QUERYBOX, "warning": WARNINGBOX}
        toolkit = self.create("com.sun.star.awt.Toolkit")
        box = toolkit.createMessageBox(self.parent(), kinds[kind], buttons_, "%s - %s" % (TITLE, self.label), text)
        try:
            return box.execute()
        finally:
            box.dispose()

    @property
    def label(self) -> str:
        return self.button["label"] if self.button else self.tag

    def say(self, lines, warn: bool = False) -> None:
        self.said = [str(x) for x in lines]
        if not self.options.unattended:
            from com.sun.star.awt.MessageBoxButtons import BUTTONS_OK

            self.box("warning" if warn else "info", BUTTONS_OK, clip(lines))

    def ask(self, question: str) -> bool:
        if self.options.unattended:
            return True
        from com.sun.star.awt.MessageBoxButtons import BUTTONS_OK_CANCEL

        return self.box("query", BUTTONS_OK_CANCEL, question) == 1   # MessageBoxResults.OK

    # --- the document ---------------------------------------------------------------------------

    def document(self):
        doc = self.frame.getController().getModel() if self.frame and self.frame.getController() else None
        if doc is None or not doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
            raise Refusal("本按钮只能在 LibreOffice Calc 的电子表格中使用：请先打开台账")
        return doc

    def path(self) -> str:
        url = self.doc.getURL()
        if not url.startswith("file:"):
            raise Refusal("当前台账还没有保存为本机上的 .xlsx 文件（或存放在网络位置）：请先「另存为」本机文件夹后再点按钮")
        path = uno.fileUrlToSystemPath(url)
        if not path.lower().endswith((".xlsx", ".xlsm")):
            raise Refusal("当前文件「%s」不是 .xlsx 工作簿：台账须保存为 Excel 2007-365 格式（.xlsx）后再点按钮"
                          % os.path.basename(path))
        return path

    def sheet_names(self):
        return list(self.doc.getSheets().getElementNames())

    def place(self):
        """(sheet name, first selected range as (col0, row0, col1, row1)) to come back to after reopening."""
        controller = self.doc.getCurrentController()
        sheet = controller.getActiveSheet().getName()
        ranges = self.selected()
        if not ranges:
            return sheet, None
        a = ranges[0]
        return sheet, (a.StartColumn, a.StartRow, a.EndColumn, a.EndRow)

    def selected(self):
        selection = self.doc.getCurrentController().getSelection()
        if selection is None:
            return []
        if selection.supportsService("com.sun.star.sheet.SheetCellRanges"):
            return list(selection.getRangeAddresses())
        if hasattr(selection, "getRangeAddress"):
            return [selection.getRangeAddress()]
        return []

    def selected_rows(self, purpose: str):
        ranges = self.selected()
        if not ranges:
            raise Refusal("请先在工作表中选中要%s的行" % purpose)
        rows = sorted({r + 1 for a in ranges for r in range(a.StartRow, a.EndRow + 1)})
        if len(rows) > 100000:
            raise Refusal("请选中具体的行（不要整列选择）")
        return self.doc.getCurrentController().getActiveSheet().getName(), rows

    def store_if_modified(self) -> None:
        if self.doc.isModified():
            self.doc.store()

    def reopen(self, path: str, hidden: bool):
        desktop = self.create("com.sun.star.frame.Desktop")
        args = (PropertyValue(Name="Hidden", Value=True),) if hidden else ()
        self.doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, args)
        return self.doc

    def goto(self, sheet: str, cells) -> bool:
        """Activate `sheet` and select `cells` ((col0, row0, col1, row1), or an A1 address, or a 1-based row)."""
        sheets = self.doc.getSheets()
        if not sheet or not sheets.hasByName(sheet):
            return False
        target = sheets.getByName(sheet)
        controller = self.doc.getCurrentController()
        controller.setActiveSheet(target)
        if isinstance(cells, tuple):
            controller.select(target.getCellRangeByPosition(*cells))
        elif isinstance(cells, str) and cells:
            controller.select(target.getCellRangeByName(cells))
        elif isinstance(cells, int) and cells > 0:
            controller.select(target.getCellRangeByPosition(0, cells - 1, 0, cells - 1))
        return True

    # --- one click ------------------------------------------------------------------------------

    def run(self) -> dict:
        if self.button is None:
            return {"ok": False, "message": "没有这个按钮：%s" % self.tag}
        behaviour = buttons.BEHAVIOUR[self.tag]
        try:
            if behaviour.get("local") == "help":
                return self.show_help()
            if behaviour.get("local") == "about":
                return self.show_about()
            self.doc = self.document()
            if self.button["needsLedger"] and A7 not in self.sheet_names():
                raise Refusal("当前工作簿「%s」不是台账（没有工作表「%s」）。请先切换到台账工作簿再点按钮。"
                              % (self.doc.getTitle(), A7))
            path = self.path()
            body = self.body(behaviour, path)
            body["path"] = path
            if self.options.today:
                body["today"] = self.options.today
            if buttons.writes(self.tag):
                return self.on_closed_file(behaviour, path, body)
            return self.on_saved_file(behaviour, body)
        except Refusal as refusal:
            self.say([refusal.message], warn=True)
            return {"ok": False, "message": refusal.message}

    def body(self, behaviour: dict, path: str) -> dict:
        kind = behaviour.get("body")
        if kind == "requests":
            return self.request_rows(path, behaviour["kind"])
        if kind == "slip_rows":
            sheet, rows = self.selected_rows("打印")
            if sheet != A9:
                raise Refusal("请在「%s」中选中要打印确认单的安装维护记录行" % A9)
            return {"form": "11", "rows": rows}
        if kind == "active_form":
            name = self.doc.getCurrentController().getActiveSheet().getName()
            digits = name.strip()[2:].strip().split(" ")[0] if name.strip().startswith("附件") else ""
            if not digits.isdigit():
                raise Refusal("当前工作表「%s」不是附件表：请切换到要打印的「附件N …」工作表" % name)
            return {"form": digits}
        if kind == "scan_folder":
            return {"folder": True}
        return {}

    def request_rows(self, path: str, kind: str) -> dict:
        sheet, selected = self.selected_rows("登记")
        if sheet != A10:
            raise Refusal("请在「%s」中选中已批准的%s申请行后再点按钮" % (A10, kind))
        service = connect()
        self.store_if_modified()
        listed = service.call("requests", {"path": path, "kind": kind})
        if not listed.ok:
            raise Refusal(service.explain(listed))
        open_rows = {r["row"] for r in listed.body.get("requests", []) if not r.get("registered")}
        rows = [r for r in selected if r in open_rows]
        if not rows:
            raise Refusal("选中的行中没有尚未登记的已批准%s申请（附件10 第 %s 行），工作簿未改动。"
                          % (kind, "、".join(str(r) for r in selected)))
        return {"rows": rows, "kind": kind}

    def progress(self):
        try:
            indicator = self.frame.createStatusIndicator()
            indicator.start("%s：%s" % (TITLE, self.label), 100)
        except Exception:  # noqa: BLE001 - no status bar (headless): no progress shown
            return None, None

        def report(step, done, total):
            try:
                indicator.setText("%s：%s %s" % (TITLE, self.label, step))
                indicator.setValue(int(100 * done / total) if total else 0)
            except Exception:  # noqa: BLE001 - the frame went away
                pass
        return indicator, report

    def on_saved_file(self, behaviour: dict, body: dict) -> dict:
        """A read-only button: unsaved edits stored, then the service reads the file."""
        service = connect()
        self.store_if_modified()
        indicator, report = self.progress()
        try:
            answer = service.call(behaviour["action"], body, report)
        finally:
            if indicator is not None:
                indicator.end()
        return self.show(behaviour, service, answer, reopened=False)

    def on_closed_file(self, behaviour: dict, path: str, body: dict) -> dict:
        """A button that changes the file: ask, store, close, the service writes, open again (always)."""
        service = connect()   # before closing: a service that is not running changes nothing
        if not service.in_scope(path):
            raise Refusal("「%s」不在本机服务打开的文件夹中：%s。请把台账放到该文件夹，或用 ledger lo install --folder "
                          "指定台账所在的文件夹后重新登录。" % (path, "、".join(service.roots)))
        question = behaviour.get("question") or ("将为附件10 中选中的 %d 条已批准的%s申请在附件9 登记%s记录（日期为今天）。"
                                                 % (len(body["rows"]), body["kind"], body["kind"]))
        question += ("\n\n将先保存工作簿「%s」并暂时关闭，处理完成后自动重新打开（原文件备份在同一文件夹的「备份」中）。是否继续？"
                     % self.doc.getTitle())
        if not self.ask(question):
            self.say(["已取消，工作簿未改动。"])
            return {"ok": False, "message": "已取消"}
        sheet, cells = self.place()
        hidden = any(a.Name == "Hidden" and a.Value for a in self.doc.getArgs())
        self.store_if_modified()
        try:
            self.doc.close(True)
        except Exception:  # noqa: BLE001 - CloseVetoException: a dialog or another program holds the document
            raise Refusal("LibreOffice 没有关闭工作簿「%s」（可能还有打开的对话框），工作簿未改动：请关闭对话框后重试"
                          % self.doc.getTitle()) from None
        self.doc = None
        try:
            answer = service.call(behaviour["action"], body)
        finally:
            self.reopen(path, hidden)
            self.goto(sheet, cells)
        return self.show(behaviour, service, answer, reopened=True)

    def show(self, behaviour: dict, service, answer, reopened: bool) -> dict:
        ok = answer.ok
        body = answer.body
        if ok:
            lines = buttons.check_lines(body) if self.tag == "check" else buttons.answer_lines(body)
            if body.get("file"):
                lines.append(body["file"])
        else:
            lines = [service.explain(answer)]
        findings = buttons.pick(body, behaviour["findings"]) if ok and behaviour.get("findings") else body.get("findings")
        if findings:
            self.show_list(lines, findings)
        elif ok and body.get("file"):
            self.open_file(body["file"])
            self.say(lines)
        else:
            self.say(lines, warn=not ok)
        return {"ok": ok, "status": answer.status, "body": body, "lines": lines, "reopened": reopened}

    def open_file(self, path: str) -> None:
        if self.options.unattended:
            return
        try:
            shell = self.create("com.sun.star.system.SystemShellExecute")
            shell.execute(uno.systemPathToFileUrl(path), "", 1)   # SystemShellExecuteFlags.URIS_ONLY
        except Exception:  # noqa: BLE001 - no viewer: the path is in the message
            pass

    # --- the findings list ----------------------------------------------------------------------

    def show_list(self, lines, findings) -> None:
        """A list window beside the document: one line per finding; a click selects its cell."""
        self.said = [str(x) for x in lines]
        texts = [buttons.finding_line(f, short) for f in findings]
        model = self.create("com.sun.star.awt.UnoControlDialogModel")
        model.Title = "%s - %s" % (TITLE, self.label)
        model.Width, model.Height = 420, 240
        head = model.createInstance("com.sun.star.awt.UnoControlFixedTextModel")
        head.PositionX, head.PositionY, head.Width, head.Height = 6, 4, 408, 30
        head.MultiLine = True
        head.Label = "\n".join(self.said[:3])
        model.insertByName("head", head)
        box = model.createInstance("com.sun.star.awt.UnoControlListBoxModel")
        box.PositionX, box.PositionY, box.Width, box.Height = 6, 36, 408, 198
        box.StringItemList = tuple(texts)
        model.insertByName("list", box)
        dialog = self.create("com.sun.star.awt.UnoControlDialog")
        dialog.setModel(model)
        picker = Picker(self, findings)
        dialog.getControl("list").addItemListener(picker)
        dialog.addTopWindowListener(Closer(dialog))
        try:
            parent = self.parent()
            dialog.createPeer(self.create("com.sun.star.awt.Toolkit"), parent)
            self.beside(dialog, parent)
            dialog.setVisible(True)
            _OPEN_LISTS.append(dialog)
        except Exception:  # noqa: BLE001 - no window system: the list exists without a window
            pass
        if self.options.pick is not None and 0 <= self.options.pick < len(findings):
            dialog.getControl("list").selectItemPos(self.options.pick, True)
            picker.choose(self.options.pick)

    @staticmethod
    def beside(dialog, parent) -> None:
        """The list in the lower right corner of the Calc window: the toolbar and the selected cell stay in view."""
        if parent is None:
            return
        from com.sun.star.awt.PosSize import POS

        frame, own = parent.getPosSize(), dialog.getPosSize()
        x = max(frame.X, frame.X + frame.Width - own.Width - 24)
        y = max(frame.Y, frame.Y + frame.Height - own.Height - 48)
        dialog.setPosSize(x, y, 0, 0, POS)

    # --- buttons that need no document ----------------------------------------------------------

    def show_help(self) -> dict:
        lines = ["%s扩展（workbook_tools %s，LibreOffice）" % (TITLE, REGISTRY["version"]), "", "按钮："]
        lines += ["【%s】%s：%s" % (b["group"], b["label"], b["description"]) for b in REGISTRY["buttons"]]
        lines += ["", "按钮通过本机服务（ledger serve）处理保存在磁盘上的台账；改动台账的按钮会先保存并关闭工作簿，完成后重新打开。",
                  "其余功能请用命令行 ledger：" + "、".join(REGISTRY["commands"]), "安装与验收步骤见 docs/libreoffice.md。"]
        self.say(lines)
        return {"ok": True, "lines": lines}

    def show_about(self) -> dict:
        lines = ["%s扩展 %s（LibreOffice）" % (TITLE, REGISTRY["version"])]
        try:
            doc = self.frame.getController().getModel() if self.frame and self.frame.getController() else None
            if doc is not None and doc.getURL():
                lines.append("工作簿：" + uno.fileUrlToSystemPath(doc.getURL()))
            service = connect()
            lines += ["本机服务：%s（进程 %s）" % (service.base, service.info.get("pid")),
                      "服务打开的文件夹：" + "、".join(service.roots)]
        except Refusal as refusal:
            lines.append(refusal.message)
        self.say(lines)
        return {"ok": True, "lines": lines}


class Picker(unohelper.Base, XItemListener):
    """A click on a finding: its sheet activated and its cell (or row) selected."""

    def __init__(self, click: Click, findings):
        self.click = click
        self.findings = findings

    def choose(self, index: int) -> None:
        finding = self.findings[index]
        self.click.goto(finding.get("sheet") or "", finding.get("cell") or finding.get("row") or None)

    def itemStateChanged(self, event):  # noqa: N802 - UNO's name
        try:
            self.choose(event.Selected)
        except Exception:  # noqa: BLE001 - the document was closed meanwhile
            pass

    def disposing(self, source):
        pass


class Closer(unohelper.Base, XTopWindowListener):
    """Closing the list window disposes of it."""

    def __init__(self, dialog):
        self.dialog = dialog

    def windowClosing(self, event):  # noqa: N802
        self.dialog.setVisible(False)
        if self.dialog in _OPEN_LISTS:
            _OPEN_LISTS.remove(self.dialog)
        self.dialog.dispose()

    def windowOpened(self, event): pass  # noqa: E704,N802
    def windowClosed(self, event): pass  # noqa: E704,N802
    def windowMinimized(self, event): pass  # noqa: E704,N802
    def windowNormalized(self, event): pass  # noqa: E704,N802
    def windowActivated(self, event): pass  # noqa: E704,N802
    def windowDeactivated(self, event): pass  # noqa: E704,N802
    def disposing(self, source): pass  # noqa: E704


def run(ctx, frame, tag: str, args) -> dict:
    """The outcome of one click (the dispatch's result, as JSON)."""
    click = Click(ctx, frame, tag, args)
    try:
        outcome = click.run()
    except Exception as error:  # noqa: BLE001 - never a traceback in the user's face
        message = "内部错误（%s）：%s" % (type(error).__name__, error)
        try:
            click.say([message], warn=True)
        except Exception:  # noqa: BLE001
            pass
        outcome = {"ok": False, "message": message}
    outcome.setdefault("said", click.said)
    return outcome
