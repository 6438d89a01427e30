"""Debian's Chromium, as the browser tests and the Lighthouse benchmark start it.

One binary (``/usr/bin/chromium``, from apt; never a browser that Playwright downloads)
and one set of flags: no sandbox (root in CI), no GPU, and none of the background
traffic (updates, sync, first-run pages) that would reach other hosts or cost time.

Site isolation (a renderer process per site) is off: the pages here are all of one site
but for the quick exit's neutral page, and with it on, every quick exit started a new
renderer process (about a fifth of the quick-exit tests' CPU on the 2-core machine).
The app's behaviour does not depend on Chromium's process model. Nothing resolves but
127.0.0.1, where the app is: no page can reach another host.
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
    "--disable-site-isolation-trials",
    # No host name resolves but the loopback: nothing a page asks for can leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


def chromium_missing() -> str | None:
    """None if Chromium is installed, else a reason to skip or stop with."""
    if CHROMIUM.exists():
        return None
    return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does)"
