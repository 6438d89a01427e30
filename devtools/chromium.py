"""Debian's Chromium, as the browser tests and the Lighthouse benchmark start it.

One binary (``/usr/bin/chromium``, from apt; never a browser that Playwright downloads)
and one set of flags: no sandbox (root in CI), no GPU, and none of the background
traffic (updates, sync, first-run pages) that would reach other hosts or cost time.
"""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium_missing() -> str | None:
    """None if Chromium is installed, else a reason to skip or stop with."""
    if CHROMIUM.exists():
        return None
    return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does)"
