"""What the content store and the help lines share: the data folder, its error, its dates,
and the key that keeps their parsed files per process while the files are unchanged.

The Markdown and YAML files live in ``campaign/content/data/``, apart from this code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).resolve().parent / "data"


FileKey = tuple[tuple[str, int, int], ...]


def files_key(paths: Iterable[Path]) -> FileKey:
    """Each file's path, size and modification time, in path order: a cache key that
    changes when any of the files does."""
    stats = ((path, path.stat()) for path in sorted(paths))
    return tuple((str(path), stat.st_size, stat.st_mtime_ns) for path, stat in stats)


class ContentError(ValueError):
    """A content file is malformed; raised at start-up, never during a request."""


def date_text(value: dt.date | None, is_month: bool) -> str:
    """A date as files and forms write it: ``YYYY-MM`` when only the month is known, else
    ``YYYY-MM-DD``; empty for none (what :func:`parse_date` reads back)."""
    if value is None:
        return ""
    return value.strftime("%Y-%m") if is_month else value.isoformat()


def parse_date(value: Any, path: Path, key: str) -> tuple[dt.date | None, bool]:
    """A ``YYYY-MM`` or ``YYYY-MM-DD`` value: the date, and whether only the month is known."""
    if value is None or value == "":
        return None, False
    if isinstance(value, dt.date):
        return value, False
    text = str(value)
    try:
        if len(text) == 7:
            return dt.date.fromisoformat(text + "-01"), True
        return dt.date.fromisoformat(text), False
    except ValueError as exc:
        raise ContentError(f"{path}: {key} must be YYYY-MM or YYYY-MM-DD, got {text!r}") from exc
