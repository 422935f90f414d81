"""`ledger serve`: the ledger's actions as a local HTTP service on 127.0.0.1, and a browser page (LEDGER_SPEC §10).

scope.py   which files a call may name (the ledgers opened at start, or those inside the folder)
guard.py   Host check, token check, security headers and CORS for local add-ins, as ASGI middleware
jobs.py    long actions run in a thread; their progress is polled as a job
actions.py one function per `POST /api/<action>`: body -> the library function of the CLI/ribbon -> reply
app.py     the Starlette application: routes, uploads, error mapping (one Chinese line, never a traceback)
run.py     socket on 127.0.0.1, token, the URL line, the browser, the discovery file
static/    the page (Chinese, no CDN: every file is served from the package)
"""
