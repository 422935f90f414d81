"""The extension's UNO component: the protocol handler of the URLs vnd.workbooktools.ledger:<tag>.

Addons.xcu puts one URL per button on the 「正版化台账」 toolbar and menu of Calc; LibreOffice creates this
handler for the document's frame and calls `dispatch`.  The work is in pythonpath/workbook_tools_lo
(LibreOffice puts an extension's pythonpath/ on sys.path).  `dispatchWithNotification` hands the outcome
(JSON) back to a caller such as DispatchHelper.executeDispatch.
"""
import json

import unohelper
from com.sun.star.frame import XDispatchProvider, XNotifyingDispatch
from com.sun.star.frame.DispatchResultState import FAILURE, SUCCESS
from com.sun.star.frame import DispatchResultEvent
from com.sun.star.lang import XInitialization, XServiceInfo

PROTOCOL = "vnd.workbooktools.ledger:"
IMPLEMENTATION = "workbooktools.ledger.Dispatcher"
SERVICES = ("com.sun.star.frame.ProtocolHandler",)


class Dispatcher(unohelper.Base, XInitialization, XDispatchProvider, XNotifyingDispatch, XServiceInfo):
    def __init__(self, ctx, *args):
        self.ctx = ctx
        self.frame = None

    # XInitialization: the frame whose toolbar or menu was used
    def initialize(self, args):
        if args:
            self.frame = args[0]

    # XDispatchProvider
    def queryDispatch(self, url, target, flags):  # noqa: N802
        return self if url.Complete.startswith(PROTOCOL) else None

    def queryDispatches(self, requests):  # noqa: N802
        return tuple(self.queryDispatch(r.FeatureURL, r.FrameName, r.SearchFlags) for r in requests)

    # XDispatch / XNotifyingDispatch
    def dispatch(self, url, args):
        self._run(url, args)

    def dispatchWithNotification(self, url, args, listener):  # noqa: N802
        outcome = self._run(url, args)
        if listener is not None:
            state = SUCCESS if outcome.get("ok") else FAILURE
            listener.dispatchFinished(DispatchResultEvent(self, state, json.dumps(outcome, ensure_ascii=False)))

    def _run(self, url, args):
        from workbook_tools_lo import office

        return office.run(self.ctx, self.frame, url.Complete[len(PROTOCOL):].split("?")[0], args)

    def addStatusListener(self, listener, url):  # noqa: N802
        pass

    def removeStatusListener(self, listener, url):  # noqa: N802
        pass

    # XServiceInfo
    def getImplementationName(self):  # noqa: N802
        return IMPLEMENTATION

    def supportsService(self, name):  # noqa: N802
        return name in SERVICES

    def getSupportedServiceNames(self):  # noqa: N802
        return SERVICES


g_ImplementationHelper = unohelper.ImplementationHelper()
g_ImplementationHelper.addImplementation(Dispatcher, IMPLEMENTATION, SERVICES)
