"""What to generate: size, seed and "today" of the synthetic unit."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

# (smallest, largest) accepted value of each size option.
LIMITS: dict[str, tuple[int, int]] = {
    "staff": (60, 20000), "computers": (20, 30000), "software": (20, 150), "years": (1, 15),
    "events": (0, 2_000_000),
}
OPTION_NAMES = {"staff": "人员数", "computers": "计算机数", "software": "软件编号数", "years": "年数",
                "events": "目标安装维护记录数"}


class DemoSpec(BaseModel):
    """Size and seed of the synthetic unit; the same spec always gives the same cells."""

    model_config = ConfigDict(frozen=True)

    staff: int = 200
    computers: int = 250
    software: int = 30
    years: int = 4
    seed: int = 2024
    today: dt.date = Field(default_factory=dt.date.today)
    events: int = 0  # wanted number of 附件9 events; 0 = the natural density of the unit
    gaps: bool = False  # plant gaps a review should find (one purchase without its 采购资料 row)

    def problems(self) -> list[str]:
        """Options out of range, as Chinese sentences."""
        out = []
        for key, (lo, hi) in LIMITS.items():
            value = getattr(self, key)
            if not lo <= value <= hi:
                out.append(f"{OPTION_NAMES[key]}应在 {lo}–{hi} 之间（现为 {value}）")
        return out
