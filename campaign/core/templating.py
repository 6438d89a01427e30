"""Compiled templates shared by every app built in this process.

Jinja compiles each template to Python the first time an environment loads it; every
``create_app`` makes a new environment, so without this a process that builds many apps
(the test suite builds one per test) compiles the same templates again each time. A Jinja
bytecode cache kept in memory lets later environments load the compiled code instead.
Jinja stores the source's checksum with each entry and compiles again when the template
changed, so an edited template is never served stale. Nothing is written to disk.
"""

from __future__ import annotations

import threading

from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache


class ProcessBytecodeCache(BytecodeCache):
    """Jinja bytecode in a dict, for the life of the process."""

    def __init__(self) -> None:
        self._entries: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._entries.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # ignored if the source's checksum differs

    def dump_bytecode(self, bucket: Bucket) -> None:
        with self._lock:
            self._entries[bucket.key] = bucket.bytecode_to_string()


BYTECODE = ProcessBytecodeCache()


def configure(app: Flask) -> None:
    """Call before anything touches ``app.jinja_env`` (it is made on first use)."""
    app.jinja_options = {**app.jinja_options, "bytecode_cache": BYTECODE}
