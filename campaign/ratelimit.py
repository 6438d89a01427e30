"""Rate-limit keys and set-up (Flask-Limiter).

The key is an HMAC, with a secret derived from ``SECRET_KEY``, of the client's *network*
(/24 for IPv4, /64 for IPv6), never the address itself, so neither the limiter's storage
nor its logs hold a client address. The address is ``request.remote_addr`` as the
operator's proxy set-up gives it (``PROXY_HOPS`` configures Werkzeug's ProxyFix).

Storage is in memory by default and Redis when ``RATELIMIT_STORAGE_URI`` (env
``CAMPAIGN_RATELIMIT_STORAGE_URI``) names it. If the storage fails, limiting fails open:
the error is logged as a warning and the request goes through.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from typing import Any

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)


def network_of(address: str | None) -> str:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _secret(app: Flask) -> bytes:
    cached: bytes | None = app.extensions.get("campaign_ratelimit_secret")
    if cached is None:
        cached = hmac.new(
            str(app.config["SECRET_KEY"]).encode(), b"rate-limit-network-key", hashlib.sha256
        ).digest()
        app.extensions["campaign_ratelimit_secret"] = cached
    return cached


def network_key() -> str:
    """The limiter key: HMAC-SHA256 of the client network, hex, 32 characters."""
    secret = _secret(current_app._get_current_object())  # type: ignore[attr-defined]
    network = network_of(request.remote_addr)
    return hmac.new(secret, network.encode(), hashlib.sha256).hexdigest()[:32]


class FailOpenWarning(logging.Filter):
    """Turn Flask-Limiter's swallowed storage errors into a one-line warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "Swallowing error" in record.getMessage():
            record.levelno = logging.WARNING
            record.levelname = "WARNING"
            record.msg = "rate limit storage unavailable; limiting fails open: %s"
            record.args = (record.exc_info[1].__class__.__name__ if record.exc_info else "?",)
            record.exc_info = None
            record.exc_text = None
        return True


def init_app(app: Flask) -> None:
    from campaign.extensions import limiter

    config = app.config
    config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    config["RATELIMIT_SWALLOW_ERRORS"] = True
    config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    config.setdefault("RATELIMIT_KEY_PREFIX", "campaign")
    uri = str(config["RATELIMIT_STORAGE_URI"])
    if uri.startswith(("redis://", "rediss://", "redis+")):
        options: dict[str, Any] = {"socket_connect_timeout": 0.3, "socket_timeout": 0.3}
        options.update(config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        config["RATELIMIT_STORAGE_OPTIONS"] = options
    hops = int(config.get("PROXY_HOPS", 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    limiter.init_app(app)
    logging.getLogger("flask-limiter").addFilter(FailOpenWarning())
