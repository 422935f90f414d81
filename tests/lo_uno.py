"""Drives a running LibreOffice over UNO for tests/test_lo_real.py; run by the system's python3 (python3-uno).

    python3 lo_uno.py PORT STEPS_JSON

STEPS is a list of steps done in order; the output (stdout) is one JSON list with one result per step:

* {"do": "open", "path": P}                 — load P (no-op if open); result: sheet names
* {"do": "select", "path": P, "sheet": S, "range": "A5:C7"}
* {"do": "edit", "path": P, "sheet": S, "cell": "A1", "text": T}   — an unsaved edit
* {"do": "click", "path": P, "url": U, "args": {...}}   — DispatchHelper.executeDispatch on P's frame;
  result: the dispatch's outcome (JSON) and the state after it (whether P is open, modified, active sheet,
  selection)
* {"do": "state", "path": P}
* {"do": "toolbars", "path": P}              — [resource URL, visible] of the frame's toolbars
* {"do": "items", "path": P, "toolbar": RESOURCE, "menu": TITLE}  — the labels on that toolbar and in that menu of
  the menu bar, as accessibility reads them ("" = separator)
* {"do": "wait", "seconds": S}
* {"do": "close", "path": P}
"""
import json
import os
import sys
import time

import uno
from com.sun.star.beans import PropertyValue


def connect(port):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + 60
    while True:
        try:
            return resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def labels(context):
    return [context.getAccessibleChild(i).getAccessibleContext().getAccessibleName()
            for i in range(context.getAccessibleChildCount())]


def props(**values):
    return tuple(PropertyValue(Name=k, Value=v) for k, v in values.items())


class Office:
    def __init__(self, ctx):
        self.ctx = ctx
        self.smgr = ctx.ServiceManager
        self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

    def find(self, path):
        url = uno.systemPathToFileUrl(path)
        components = self.desktop.getComponents().createEnumeration()
        while components.hasMoreElements():
            doc = components.nextElement()
            if hasattr(doc, "getURL") and doc.getURL() == url:
                return doc
        return None

    def doc(self, path):
        doc = self.find(path)
        if doc is None:
            try:
                doc = self.desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, ())
            except Exception as error:  # noqa: BLE001 - a load refused while another document is still closing: once more
                sys.stderr.write(f"load retried after {error!r}\n")
                time.sleep(1)
                doc = self.desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, ())
        return doc

    def state(self, path):
        doc = self.find(path)
        if doc is None:
            return {"open": False}
        controller = doc.getCurrentController()
        selection = controller.getSelection()
        address = selection.getRangeAddress() if hasattr(selection, "getRangeAddress") else None
        return {"open": True, "modified": doc.isModified(), "sheet": controller.getActiveSheet().getName(),
                "selection": [address.StartColumn, address.StartRow, address.EndColumn, address.EndRow] if address else None}

    def step(self, step):
        kind = step["do"]
        if kind == "open":
            return list(self.doc(step["path"]).getSheets().getElementNames())
        if kind == "select" or kind == "edit":
            doc = self.doc(step["path"])
            sheet = doc.getSheets().getByName(step["sheet"])
            controller = doc.getCurrentController()
            controller.setActiveSheet(sheet)
            if kind == "edit":
                sheet.getCellRangeByName(step["cell"]).setString(step["text"])
            else:
                controller.select(sheet.getCellRangeByName(step["range"]))
            return self.state(step["path"])
        if kind == "click":
            doc = self.doc(step["path"])
            frame = doc.getCurrentController().getFrame()
            helper = self.smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", self.ctx)
            started = time.monotonic()
            outcome = helper.executeDispatch(frame, step["url"], "", 0, props(**step.get("args", {})))
            seconds = time.monotonic() - started
            result = getattr(outcome, "Result", outcome)   # the DispatchResultEvent, or its result
            return {"outcome": json.loads(result) if isinstance(result, str) and result else None, "seconds": seconds,
                    "state": self.state(step["path"])}
        if kind == "state":
            return self.state(step["path"])
        if kind == "toolbars":
            layout = self.doc(step["path"]).getCurrentController().getFrame().LayoutManager
            return [[e.ResourceURL, layout.isElementVisible(e.ResourceURL)] for e in layout.getElements()]
        if kind == "items":
            # the labels on the add-on toolbar and in the menu titled step["menu"], as accessibility reads them
            # ("" = a separator)
            frame = self.doc(step["path"]).getCurrentController().getFrame()
            toolbar = frame.LayoutManager.getElement(step["toolbar"]).getRealInterface().getAccessibleContext()
            menubar = frame.getContainerWindow().getAccessibleContext().getAccessibleChild(0).getAccessibleContext()
            menus = [menubar.getAccessibleChild(i).getAccessibleContext() for i in range(menubar.getAccessibleChildCount())]
            menu = next((m for m in menus if m.getAccessibleName() == step["menu"]), None)
            return {"toolbar": labels(toolbar), "menu": labels(menu) if menu is not None else None}
        if kind == "wait":
            time.sleep(step["seconds"])
            return None
        if kind == "close":
            doc = self.find(step["path"])
            if doc is not None:
                doc.close(True)
            return None
        raise ValueError(kind)


def main():
    office = Office(connect(int(sys.argv[1])))
    results = [office.step(s) for s in json.loads(sys.argv[2])]
    sys.stdout.write(json.dumps(results, ensure_ascii=False))
    sys.stdout.flush()
    os._exit(0)     # past pyuno's interpreter teardown, which can crash once the bridge is gone


if __name__ == "__main__":
    main()
