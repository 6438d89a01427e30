"""Content: the store of rendered pages and the help lines (code; data files in ``data/``)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from campaign.content import helplines, store

    store.init_app(app)
    helplines.init_app(app)
