"""The Chinese fonts of the printed forms, found by family name among the system's fonts.

Official forms set their text in 宋体 and their titles in 黑体 (方正小标宋 is not on an ordinary
office PC); the 承诺书, a letter, is set in 仿宋 like an official document's body where that font
exists.  Windows brings SimSun, SimHei, FangSong and Microsoft YaHei; Debian/Kylin bring the Noto
CJK fonts (package fonts-noto-cjk); macOS brings Songti SC and Heiti SC.  Each role lists its
families in order of preference; the first one installed is used, the later ones stay in the list
as fallbacks for characters the first lacks.  A role with none installed is a clear error.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence

from pydantic import BaseModel

from workbook_tools.core.model import LedgerError

SONG = ("SimSun", "NSimSun", "Songti SC", "STSong", "Noto Serif CJK SC", "Source Han Serif SC",
        "Source Han Serif CN", "Noto Sans CJK SC", "Microsoft YaHei")
HEI = ("SimHei", "Heiti SC", "STHeiti", "Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN",
       "Microsoft YaHei")
FANG = ("FangSong", "FangSong_GB2312", "STFangsong")
ROLE_NAMES = {"song": "宋体（SimSun）", "hei": "黑体（SimHei）"}
INSTALL_HINT = ("Windows 上请确认 C:\\Windows\\Fonts 中有该字体（控制面板 → 字体）；"
                "Debian/Ubuntu/麒麟系统请安装 fonts-noto-cjk（sudo apt install fonts-noto-cjk）")


class FontSet(BaseModel):
    """Family lists per role, as the templates use them (`text(font: fonts.song)`)."""

    song: list[str]
    hei: list[str]
    fang: list[str]


def pick(installed: set[str], wanted: Sequence[str]) -> list[str]:
    """The wanted families that are installed, in order of preference (case as installed)."""
    by_lower = {name.lower(): name for name in installed}
    return [by_lower[w.lower()] for w in wanted if w.lower() in by_lower]


def choose(installed: set[str]) -> FontSet:
    """The fonts of every role, or a LedgerError naming the fonts that are missing."""
    song, hei = pick(installed, SONG), pick(installed, HEI)
    missing = [ROLE_NAMES[role] for role, found in (("song", song), ("hei", hei)) if not found]
    if missing:
        raise LedgerError(f"找不到打印表单所需的中文字体：{'、'.join(missing)}，"
                          f"也没有可替代的 {'、'.join(dict.fromkeys((*SONG[2:5], *HEI[1:4])))} 等字体。{INSTALL_HINT}", 2)
    return FontSet(song=song, hei=hei, fang=pick(installed, FANG) + song)


@functools.lru_cache(maxsize=1)
def system_fonts():
    """The system's fonts as the PDF engine sees them (scanned once per process)."""
    import typst  # noqa: PLC0415 - the engine is loaded only when something is printed

    return typst.Fonts(include_system_fonts=True, include_embedded_fonts=True)


def form_fonts() -> FontSet:
    return choose(set(system_fonts().families()))
