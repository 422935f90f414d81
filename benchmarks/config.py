"""What is measured and at which size: the unit's parameters, the fixed days, the targets."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
CACHE = ROOT / "cache"
RESULTS = ROOT / "results"
LATEST = RESULTS / "latest.json"

TODAY = dt.date(2026, 11, 26)          # the demo unit's "today": check, scan and the build use it
ROLLUP_DATE = dt.date(2026, 6, 30)     # end of the previous half-year: ~5,000 later events are undone
ROLLUP_FORCE = True                    # 2026-06-30 is before the unit's last roll-up: a deliberate rollback (--force)
SLIPS = 2000                           # 确认单 printed by `ledger print 附件11` (≈2,000 pages, like 附件8)
SCAN_FILES = 1000                      # one scan file per computer
SCAN_ENTRIES = 150                     # entries per scan file (live installations + ignored components)

# Full size: 2,000 staff, 2,500 computers, ~80 software numbers, ~150,000 events (~100,000 附件8 rows).
FULL_STAFF, FULL_COMPUTERS, FULL_EVENTS, SOFTWARE, YEARS, SEED = 2000, 2500, 150_000, 80, 4, 2024
SCALES: dict[str, float] = {"full": 1.0, "half": 0.5, "quarter": 0.25, "eighth": 0.125}
SERIES = ("eighth", "quarter", "half", "full")

MIB = 1024 * 1024
ANNOTATE_TODAY = dt.date(2028, 6, 30)  # check --annotate as of a later day: expired licences, a stale roll-up to mark
TARGETS = {
    "check_vs_floor_read": 1.5,        # check ≤ 1.5 × floor-read
    "rollup_vs_floor_read": 3.0,       # rollup ≤ 3 × floor-read (the writer edits the package part by part)
    "install_vs_floor_read": 2.0,      # a one-row install ≤ 2 × floor-read
    "write_peak_mb": 1024.0,           # every write (rollup, install, check --annotate) ≤ 1 GB peak
    "demo_write_seconds": 2.0,         # on the 200-person demo unit every write ≤ 2 s
    "peer_vs_check": 5.0,              # pandas peer ≥ 5 × slower than check
    "check_peak_mb": 1536.0,           # check's peak memory < 1.5 GiB
    "print_pages_per_second": 100.0,   # `ledger print 附件11` ≥ 100 pages a second
    "print_peak_mb": 600.0,            # both print jobs' peak memory ≤ 600 MB, whatever the page count
}
LINEAR_EXPONENT = 1.15                 # time ∝ events^k with k ≤ this counts as linear


class UnitSpec(BaseModel, frozen=True):
    """Parameters of one demo unit (`ledger init --demo`); the cache is keyed by them."""

    staff: int
    computers: int
    events: int
    software: int = SOFTWARE
    years: int = YEARS
    seed: int = SEED
    today: dt.date = TODAY

    @classmethod
    def at(cls, scale: str) -> UnitSpec:
        f = SCALES[scale]
        return cls(staff=round(FULL_STAFF * f), computers=round(FULL_COMPUTERS * f), events=round(FULL_EVENTS * f))

    @property
    def key(self) -> str:
        return (f"unit-s{self.staff}-c{self.computers}-w{self.software}-e{self.events}"
                f"-y{self.years}-r{self.seed}-t{self.today.isoformat()}")

    def init_args(self) -> list[str]:
        return ["--demo", "--force", "--staff", str(self.staff), "--computers", str(self.computers),
                "--software", str(self.software), "--events", str(self.events), "--years", str(self.years),
                "--seed", str(self.seed), "--today", self.today.isoformat()]


# The demo unit of `ledger init --demo` (200 people, 250 computers): every write on it within 2 seconds.
DEMO = UnitSpec(staff=200, computers=250, events=0, software=30)
