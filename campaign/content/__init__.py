"""Content: pages, statements and help lines as readers see them (``store``), the editors'
actions (``publishing``), safe rendering (``render``) and files in and out (``importer``);
the shipped files are in ``data/``."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from campaign.content import store

    store.init_app(app)
