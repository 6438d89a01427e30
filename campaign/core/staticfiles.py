"""Static files with content-hashed URLs (``?v=<hash>``) and year-long caching.

Hashes are computed once at start-up; ``static_url('site.css')`` in templates gives the
versioned URL, so a changed file gets a new URL and browsers may cache each forever.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, Response, request, url_for


def file_hashes(folder: Path) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            hashes[path.relative_to(folder).as_posix()] = digest
    return hashes


def init_app(app: Flask) -> None:
    hashes = file_hashes(Path(str(app.static_folder)))
    max_age = int(app.config["STATIC_MAX_AGE"])
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = max_age

    def static_url(filename: str) -> str:
        return url_for("static", filename=filename, v=hashes.get(filename, "0"))

    app.jinja_env.globals["static_url"] = static_url

    @app.after_request
    def immutable_static(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = max_age
            response.cache_control.immutable = True
        return response
