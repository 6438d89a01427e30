"""gunicorn configuration for the campaign site (read by ``gunicorn`` from this folder).

Run from the repository root with just ``gunicorn`` (the app is ``wsgi:app``), or
``gunicorn -c /path/to/gunicorn.conf.py``. Settings come from the environment:

GUNICORN_BIND           where to listen; comma-separated, e.g. ``127.0.0.1:8000`` (default)
                        or ``unix:/run/campaign/gunicorn.sock``
GUNICORN_WORKERS        worker processes (default: 2 x CPU cores + 1, at most 8); each holds
                        at most one database connection at a time
GUNICORN_TIMEOUT        seconds before a stuck worker is restarted (default 30)
GUNICORN_FORWARDED_ALLOW_IPS
                        addresses of the reverse proxy, the only peers whose
                        X-Forwarded-Proto gunicorn believes (default ``127.0.0.1``)
GUNICORN_ACCESS_LOG     ``-`` for stdout (default, the journal under systemd), a file path,
                        or ``off``
GUNICORN_ERROR_LOG      ``-`` for stderr (default) or a file path
GUNICORN_LOG_LEVEL      error log level (default ``info``)
GUNICORN_CONTROL_SOCKET path of gunicorn's control socket for ``gunicornc`` (default: none)

The application's own settings stay ``CAMPAIGN_*`` (see README.md); the client address
behind a proxy is set in one place only, Werkzeug's ProxyFix with ``CAMPAIGN_PROXY_HOPS``
(campaign/core/ratelimit.py).

Choices that matter for this site:

- sync workers and no ``preload_app``: each worker imports the app itself after the fork,
  so no database connection or Redis socket is ever shared between processes, and a
  stuck or killed worker loses at most the one request it was serving;
- the access log has no client address, user agent or referrer (nor the query string),
  and the error log's "Invalid request from ip=..." line is scrubbed
  (campaign/core/logs.py), so gunicorn never writes down who a visitor is; the token of
  an invitation link is logged as ``/staff/invite/[redacted]`` (same module);
- before any worker starts, the master runs the start-up checks (campaign/core/checks.py):
  a missing or development SECRET_KEY (with or without ENV_PRODUCTION: only ``flask run``
  accepts that key), a bad database URL or a schema behind the migrations stop gunicorn
  with a one-paragraph message and exit status 1.
"""

from __future__ import annotations

import os
from typing import Any

_CPUS = os.cpu_count() or 1

wsgi_app = "wsgi:app"
bind = [part.strip() for part in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")]
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * _CPUS + 1, 8)))
worker_class = "sync"
preload_app = False
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
proc_name = "campaign"

forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

_access = os.environ.get("GUNICORN_ACCESS_LOG", "-").strip()
accesslog = None if _access.lower() in ("", "off", "none") else _access
# Time, request method and path (no query string), HTTP version, status, bytes, duration.
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-").strip() or "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

_control = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
control_socket_disable = not _control
if _control:
    control_socket = _control


def _serves_campaign(server: Any) -> bool:
    uri = str(getattr(server.app, "app_uri", "") or "")
    return uri.split(":", 1)[0] == "wsgi"


def on_starting(server: Any) -> None:
    """In the master, before the workers: scrub addresses, then refuse a bad configuration."""
    from campaign.core.logs import DropGunicornClientAddress, RedactAccessTokens

    error_log = server.log.error_log
    if not any(isinstance(f, DropGunicornClientAddress) for f in error_log.filters):
        error_log.addFilter(DropGunicornClientAddress())
    access_log = server.log.access_log  # invitation tokens in paths become [redacted]
    if not any(isinstance(f, RedactAccessTokens) for f in access_log.filters):
        access_log.addFilter(RedactAccessTokens())
    if _serves_campaign(server):
        from campaign.core import checks

        checks.run()  # raises checks.StartupError: gunicorn prints "Error: ..." and exits 1
