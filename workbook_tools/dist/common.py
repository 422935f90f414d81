"""What the add-in builders and installers of every office suite share: generated sources, state files."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from workbook_tools.core.model import LedgerError

RecordT = TypeVar("RecordT", bound=BaseModel)


def write_generated(folder: Path, generated: Mapping[str, Callable[[], str]]) -> list[Path]:
    """Write each generated source (relative name → text maker) below `folder`, LF line ends."""
    out = []
    for name, make in generated.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(make(), encoding="utf-8", newline="\n")
        out.append(target)
    return out


def write_bytes(path: Path, data: bytes, private: bool = False) -> None:
    """Replace `path` whole through a temp file; `private` files are readable by the user only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.unlink(missing_ok=True)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(temp, path)


def read_record(path: Path, model: type[RecordT]) -> RecordT | None:
    """The install record at `path`, None when there is none; an unreadable one is one Chinese line."""
    try:
        return model.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise LedgerError(f"安装记录 {path} 无法读取：请删除它后重新执行", 2) from None


def find_sources(module_file: str, installed: str, checkout: str, required: Iterable[str], missing: str) -> Path:
    """The folder of an add-in's sources: `installed` beside the module (package data of a wheel) or the top-level
    `checkout` folder of a source tree; `missing` is the Chinese line when neither holds every required file."""
    here = Path(module_file).resolve().parent
    names = list(required)
    for candidate in (here / installed, here.parents[2] / checkout):
        if all((candidate / name).exists() for name in names):
            return candidate
    raise LedgerError(missing, 2)
