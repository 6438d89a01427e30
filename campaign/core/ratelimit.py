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
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])
SUBMIT = "submit"
CHECK = "check"
LOGIN = "login"


def limited(kind: str) -> Callable[[View], View]:
    """Mark a view for a limit; ``init_app`` applies it with this app's limiter.

    (One Limiter per app, made in ``init_app``, so that apps with other settings, as in
    tests, never share storage or options.)
    """

    def mark(view: View) -> View:
        view._campaign_limit = kind  # type: ignore[attr-defined]
        return view

    return mark


def count_this_request() -> None:
    """Deduct this submission from the submit limit (stored requests and bot signals)."""
    g.limit_counts = True


def _submit_limit() -> str:
    return str(current_app.config["SUBMIT_RATE_LIMIT"])


def _check_limit() -> str:
    return str(current_app.config["CHECK_RATE_LIMIT"])


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _counts(_response: Any) -> bool:
    return bool(g.get("limit_counts"))


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


def _only_for(app: Flask, limiter: Limiter, endpoints: set[str]) -> None:
    """Run the limiter's per-request check only for limited endpoints.

    There are no default or application-wide limits here, so for every other page (the
    reading pages above all) the check would find nothing; skipping it saves about a sixth
    of a cached page's time.
    """
    hooks = app.before_request_funcs.setdefault(None, [])
    for index, hook in enumerate(hooks):
        if getattr(hook, "__self__", None) is limiter:
            hooks[index] = _skip_unlimited(hook, endpoints)
    # Its after-request (deductions, headers) and teardown (context reset) likewise.
    after: list[Any] = app.after_request_funcs.setdefault(None, [])
    for position, after_hook in enumerate(after):
        if getattr(after_hook, "args", None) == (limiter,):  # functools.partial(..., limiter)
            after[position] = _skip_unlimited_response(after_hook, endpoints)
    teardown: list[Any] = app.teardown_request_funcs.setdefault(None, [])
    for position, teardown_hook in enumerate(teardown):
        if getattr(teardown_hook, "__self__", None) is limiter:
            teardown[position] = _skip_unlimited_teardown(teardown_hook, endpoints)


def _skip_unlimited_response(
    hook: Callable[[Any], Any], endpoints: set[str]
) -> Callable[[Any], Any]:
    def only_limited(response: Any) -> Any:
        return hook(response) if request.endpoint in endpoints else response

    return only_limited


def _skip_unlimited_teardown(
    hook: Callable[[BaseException | None], Any], endpoints: set[str]
) -> Callable[[BaseException | None], None]:
    def only_limited(exc: BaseException | None) -> None:
        if request.endpoint in endpoints:
            hook(exc)

    return only_limited


def _skip_unlimited(check: Callable[[], Any], endpoints: set[str]) -> Callable[[], None]:
    def only_limited() -> None:
        if request.endpoint in endpoints:
            check()

    return only_limited


def init_app(app: Flask) -> None:
    """Set up this app's limiter; call after the blueprints are registered."""
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
    limiter = Limiter(key_func=network_key, app=app)
    app.extensions["campaign_limiter"] = limiter
    limited_endpoints: set[str] = set()
    for endpoint, view in list(app.view_functions.items()):
        kind = getattr(view, "_campaign_limit", None)
        if kind is not None:
            limited_endpoints.add(endpoint)
        if kind == SUBMIT:
            wrapped: Any = limiter.limit(_submit_limit, deduct_when=_counts)(view)
            app.view_functions[endpoint] = wrapped
        elif kind == CHECK:
            wrapped = limiter.shared_limit(_check_limit, scope=CHECK)(view)
            app.view_functions[endpoint] = wrapped
        elif kind == LOGIN:
            wrapped = limiter.limit(_login_limit, methods=["POST"])(view)
            app.view_functions[endpoint] = wrapped
    _only_for(app, limiter, limited_endpoints)
    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(f, FailOpenWarning) for f in limiter_log.filters):
        limiter_log.addFilter(FailOpenWarning())
