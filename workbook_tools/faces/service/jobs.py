"""Long actions as jobs: started by `Prefer: respond-async`, run in a thread, polled at /api/jobs/<id>."""
from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KEEP = 50            # finished jobs remembered (oldest forgotten first)


@dataclass
class Reply:
    """What an action answers: a status, a JSON body, and optionally a file (a printed PDF)."""

    status: int
    body: dict[str, Any] | str
    file: str | None = None          # path of a file the reply hands over (served once asked for)
    lines: list[str] = field(default_factory=list)


@dataclass
class Job:
    id: str
    action: str
    state: str = "running"           # running | done | failed
    done: int = 0
    total: int = 0
    step: str = "开始"
    started: float = field(default_factory=time.monotonic)
    reply: Reply | None = None

    def progress(self, done: int, total: int, step: str) -> None:
        self.done, self.total, self.step = done, total, step

    def view(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": True, "job": self.id, "action": self.action, "state": self.state,
                               "done": self.done, "total": self.total, "step": self.step,
                               "seconds": round(time.monotonic() - self.started, 1)}
        if self.reply is not None:
            body = self.reply.body
            out["status"] = self.reply.status
            out["result"] = body if isinstance(body, dict) else json.loads(body)
            if self.reply.file:
                out["result"] = {**out["result"], "pdf": f"/api/jobs/{self.id}/file"}
        return out


class Jobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, action: str, work: Callable[[Job], Reply]) -> Job:
        job = Job(id=secrets.token_hex(8), action=action)
        with self._lock:
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if j.state != "running"]
            for old in finished[:-KEEP]:
                del self._jobs[old.id]
        threading.Thread(target=self._run, args=(job, work), daemon=True, name=f"ledger-job-{job.id}").start()
        return job

    @staticmethod
    def _run(job: Job, work: Callable[[Job], Reply]) -> None:
        try:
            reply = work(job)    # failures are replies already (see app.answer); this is the last guard
        except BaseException:  # noqa: BLE001 - a job must end, whatever happened in it
            reply = Reply(500, {"ok": False, "message": "任务意外中止，未完成"})
        job.reply, job.state = reply, "done" if reply.status < 400 else "failed"

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)
