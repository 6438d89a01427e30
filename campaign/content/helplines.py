"""Help lines as data: name, number, dial string, hours, what each offers, last check.

Loaded once at start-up from ``HELPLINES_FILE`` (if configured), else
``instance/helplines.yaml`` (if present), else the shipped ``data/helplines.yaml``.
An operator changes hours, adds a line or sets ``available: false`` by editing that
file and restarting; an unavailable line is never offered as a call to action.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from flask import Flask, current_app

from campaign.content.common import CONTENT_DIR, ContentError, FileKey, files_key, parse_date

KINDS = ("hotline", "emergency", "messenger")


@dataclass(frozen=True)
class Helpline:
    """One help line; text fields are per language."""

    id: str
    kind: str
    number: str
    dial: str
    handle: str
    available: bool
    in_header: bool
    last_confirmed: dt.date | None
    last_confirmed_is_month: bool
    name: dict[str, str]
    hours: dict[str, str]
    offers: dict[str, str]

    def text(self, field: str, lang: str) -> str:
        values: dict[str, str] = getattr(self, field)
        return values.get(lang) or values.get("en") or ""

    @property
    def tel(self) -> str:
        return f"tel:{self.dial}" if self.dial else ""


def _texts(raw: Any, path: Path, key: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ContentError(f"{path}: {key} must be a mapping of language to text")
    return {str(k): str(v).strip() for k, v in raw.items()}


_LOADED: dict[FileKey, list[Helpline]] = {}


def load_helplines(path: Path) -> list[Helpline]:
    """The file's lines, parsed once per process while the file is unchanged."""
    key = files_key([path])
    if key not in _LOADED:
        _LOADED[key] = parse_helplines(path)
    return list(_LOADED[key])


def parse_helplines(path: Path) -> list[Helpline]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    lines: list[Helpline] = []
    for raw in data.get("lines", []):
        kind = str(raw.get("kind", "hotline"))
        if kind not in KINDS:
            raise ContentError(f"{path}: unknown kind {kind!r} for {raw.get('id')!r}")
        dial = str(raw.get("dial") or "")
        if dial and not dial.lstrip("+").isdigit():
            raise ContentError(f"{path}: dial for {raw.get('id')!r} must be digits")
        confirmed, is_month = parse_date(raw.get("last_confirmed"), path, "last_confirmed")
        lines.append(
            Helpline(
                id=str(raw["id"]),
                kind=kind,
                number=str(raw.get("number") or ""),
                dial=dial,
                handle=str(raw.get("handle") or ""),
                available=bool(raw.get("available", True)),
                in_header=bool(raw.get("in_header", False)),
                last_confirmed=confirmed,
                last_confirmed_is_month=is_month,
                name=_texts(raw.get("name"), path, "name"),
                hours=_texts(raw.get("hours"), path, "hours"),
                offers=_texts(raw.get("offers"), path, "offers"),
            )
        )
    return lines


def helplines_path(app: Flask) -> Path:
    configured = app.config.get("HELPLINES_FILE")
    if configured:
        return Path(configured)
    local = Path(app.instance_path) / "helplines.yaml"
    return local if local.exists() else CONTENT_DIR / "helplines.yaml"


def all_lines() -> list[Helpline]:
    lines: list[Helpline] = current_app.extensions["campaign_helplines"]
    return lines


def header_lines() -> list[Helpline]:
    """Lines offered on every page: available ones marked ``in_header``."""
    return [line for line in all_lines() if line.available and line.in_header]


def init_app(app: Flask) -> None:
    app.extensions["campaign_helplines"] = load_helplines(helplines_path(app))

    @app.context_processor
    def helpline_context() -> dict[str, Any]:
        return {"helplines": all_lines(), "header_lines": header_lines()}
