"""Rate limits (Flask-Limiter): who shares a budget, and bucket names that reveal nothing.

**Who shares a budget** (a client *group*). The address is ``request.remote_addr`` as the
operator's proxy set-up gives it (``PROXY_HOPS`` configures Werkzeug's ProxyFix here, the
only place that reads forwarded headers), used in memory only:

- the **onion channel**: behind the onion service every visitor arrives as 127.0.0.1, so
  the onion-side proxy sends the header ``X-Onion-Channel`` with ``ONION_CHANNEL_SECRET``
  (compared in constant time; the clear-web proxy never knows it). All onion visitors share
  one group with larger budgets (``ONION_SUBMIT_RATE_LIMIT``, ``ONION_CHECK_RATE_LIMIT``);
- **IPv4**: the /24 (``RATELIMIT_IPV4_PREFIX``);
- **IPv6**: the /56 (``RATELIMIT_IPV6_PREFIX``), and a second, wider limit per /48
  (``RATELIMIT_IPV6_WIDE_PREFIX``; ``SUBMIT_WIDE_RATE_LIMIT``, ``CHECK_WIDE_RATE_LIMIT``),
  so the many /64s or /56s of one site cannot each take a full budget.

**Bucket names.** A bucket is named ``HMAC(K, limit name, group)`` with the *label*
``HMAC(K, limit name)`` as Flask-Limiter's scope, where ``K`` is a random 32-byte key for
the current period (``RATELIMIT_KEY_ROTATE_SECONDS``, an hour). With Redis, the first
worker that needs ``K`` creates it (``SET NX`` with an expiry just after the period's end)
and every worker and host reads the same one; with memory storage each process has its
own, as it has its own counters. ``K`` is never derived from SECRET_KEY and the app never
writes it to disk, so a Redis dump holds opaque names, counts and each limit's amount
("5/1/hour", added by the limits library), never a network or a form name, and once a
period's key has expired nobody can link its buckets to a network. Residual: whoever reads
Redis while a key is live can test candidate networks against that period's buckets (keep
Redis private and without persistence: docs/deploy.md). At each change of period every
count starts again, so around that moment a group can get up to twice its budget.

``network_key()`` gives per-client state kept elsewhere (the staff login throttle, in the
database) an id of the client's group that every worker agrees on: under the shared key
with Redis; with memory storage (or Redis down) under a key derived from SECRET_KEY and
the period, since the workers then share nothing else.

**Storage failure.** If the storage fails, limiting fails open: the request goes through
and a warning is logged, at most once a minute per worker (``FailOpenWarning``).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, cast

from flask import Flask, current_app, g, has_app_context, request
from flask_limiter import Limiter
from limits.storage import MemoryStorage, RedisStorage
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., Any])
SUBMIT = "submit"
CHECK = "check"
LOGIN = "login"
ONION = "onion"
ONION_HEADER = "X-Onion-Channel"
UNKNOWN = "unknown"
WARN_EVERY_SECONDS = 60.0
KEY_GRACE_SECONDS = 60  # a period's key outlives the period a little (clocks of hosts differ)
STATE = "campaign_ratelimit"


@dataclass(frozen=True)
class Budget:
    """One limit: its name (never stored, only its HMAC), settings, and whom it groups."""

    name: str
    setting: str
    onion_setting: str | None = None
    wide: bool = False  # per IPv6 wide prefix; other clients are exempt


BUDGETS: dict[str, tuple[Budget, ...]] = {
    SUBMIT: (
        Budget("submit", "SUBMIT_RATE_LIMIT", "ONION_SUBMIT_RATE_LIMIT"),
        Budget("submit-wide", "SUBMIT_WIDE_RATE_LIMIT", wide=True),
    ),
    CHECK: (
        Budget("check", "CHECK_RATE_LIMIT", "ONION_CHECK_RATE_LIMIT"),
        Budget("check-wide", "CHECK_WIDE_RATE_LIMIT", wide=True),
    ),
    LOGIN: (Budget("login", "LOGIN_RATE_LIMIT"),),
}


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
    """Deduct this submission from the submit limits (stored requests and bot signals)."""
    g.limit_counts = True


def _counts(_response: Any) -> bool:
    return bool(g.get("limit_counts"))


# --- client groups ----------------------------------------------------------------------------


def _address(address: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def network_of(address: str | None, v4_prefix: int = 24, v6_prefix: int = 56) -> str:
    """The network an address is counted in ("unknown" for no address or a unix socket)."""
    ip = _address(address)
    if ip is None:
        return UNKNOWN
    prefix = v4_prefix if ip.version == 4 else v6_prefix
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def is_onion() -> bool:
    """The request came through the onion service (its proxy sent the configured secret)."""
    secret = current_app.config.get("ONION_CHANNEL_SECRET")
    sent = request.headers.get(ONION_HEADER)
    if not secret or sent is None:
        return False
    return hmac.compare_digest(sent.encode(), str(secret).encode())


def client_group(wide: bool = False) -> str | None:
    """The group this request is counted in; for ``wide``, its IPv6 wide network (or None)."""
    if is_onion():
        return None if wide else ONION
    config = current_app.config
    if wide:
        ip = _address(request.remote_addr)
        if ip is None or ip.version != 6:
            return None
        prefix = int(config["RATELIMIT_IPV6_WIDE_PREFIX"])
        return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
    return network_of(
        request.remote_addr,
        int(config["RATELIMIT_IPV4_PREFIX"]),
        int(config["RATELIMIT_IPV6_PREFIX"]),
    )


# --- the rotating key -------------------------------------------------------------------------


class _KeyStore(Protocol):
    """What the rotating key needs of a Redis connection."""

    def set(self, name: str, value: str, *, nx: bool, ex: int) -> Any: ...

    def get(self, name: str) -> Any: ...


@dataclass
class RotatingKey:
    """The random key of the current period, shared through the limiter's storage."""

    limiter: Limiter
    prefix: str
    period: int
    secret_key: str
    shared: dict[int, bytes] = field(default_factory=dict)

    def _period(self) -> tuple[int, int]:
        now = time.time()
        number = int(now // self.period)
        return number, int((number + 1) * self.period - now) + KEY_GRACE_SECONDS

    def current(self) -> bytes:
        """This period's key; raises the storage's error if it cannot be reached."""
        number, ttl = self._period()
        key = self.shared.get(number)
        if key is None:
            storage = self.limiter.storage
            if isinstance(storage, RedisStorage):
                connection = cast(_KeyStore, storage.get_connection())
                name = f"{self.prefix}:ratelimit-key:{number}"
                connection.set(name, secrets.token_hex(32), nx=True, ex=ttl)
                value = connection.get(name)
                if value is None:
                    raise ConnectionError("rate-limit key vanished from the storage")
                key = bytes.fromhex(value.decode() if isinstance(value, bytes) else str(value))
            else:  # memory: this process's own counters, this process's own key
                key = secrets.token_bytes(32)
            self.shared = {number: key}  # the previous period's key is dropped
        return key

    def for_clients(self) -> bytes:
        """The key of ``network_key``, which must be the same in every worker: the shared
        key with Redis; with memory storage (or Redis down), where the workers share
        nothing else, one derived from SECRET_KEY and the period."""
        if isinstance(self.limiter.storage, RedisStorage):
            try:
                return self.current()
            except Exception:  # any storage failure: the derived key still works
                log.debug("rate-limit key unavailable; network_key uses the derived key")
        number, _ttl = self._period()
        return hmac.new(
            hashlib.sha256(self.secret_key.encode()).digest(),
            f"client-key\0{number}".encode(),
            hashlib.sha256,
        ).digest()


def _rotating_key() -> RotatingKey:
    key: RotatingKey = current_app.extensions[STATE]["key"]
    return key


def _digest(key: bytes, *parts: str) -> str:
    return hmac.new(key, "\0".join(parts).encode(), hashlib.sha256).hexdigest()[:32]


def network_key() -> str:
    """An opaque key for the client's group, the same in every worker and stable within a
    period, for per-client state kept elsewhere (the staff login throttle). Never fails.

    With Redis it is under the shared random key, so it cannot be linked to a network once
    that key has expired; with memory storage, under a key derived from SECRET_KEY and the
    period (``RotatingKey.for_clients``). The limiter's own buckets never use it.
    """
    return _digest(_rotating_key().for_clients(), "client", client_group() or UNKNOWN)


def _bucket_key(budget: Budget) -> Callable[[], str]:
    def bucket() -> str:
        group = client_group(budget.wide) or UNKNOWN
        return _digest(_rotating_key().current(), "bucket", budget.name, group)

    return bucket


def _label(budget: Budget) -> Callable[[str], str]:
    def label(_endpoint: str) -> str:
        return _digest(_rotating_key().current(), "label", budget.name)[:16]

    return label


def _limit_value(budget: Budget) -> Callable[[], str]:
    def value() -> str:
        config = current_app.config
        if budget.onion_setting and is_onion():
            return str(config[budget.onion_setting])
        return str(config[budget.setting])

    return value


def _not_wide_client() -> bool:
    return client_group(wide=True) is None


# --- the fail-open warning ----------------------------------------------------------------------

_outside_apps: dict[str, float] = {}


class FailOpenWarning(logging.Filter):
    """Turn Flask-Limiter's swallowed storage errors into one warning a minute per worker.

    (Per app, which in a gunicorn worker is the worker; tests with several apps each get
    their own.) The next warning says how many were left out.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if "Swallowing error" not in record.getMessage():
            return True
        state = current_app.extensions.get(STATE, {}) if has_app_context() else _outside_apps
        now = time.monotonic()
        last = state.get("warned_at")
        if last is not None and now - last < WARN_EVERY_SECONDS:
            state["left_out"] = state.get("left_out", 0) + 1
            return False
        left_out = int(state.get("left_out", 0))
        state["warned_at"], state["left_out"] = now, 0
        record.levelno = logging.WARNING
        record.levelname = "WARNING"
        record.msg = "rate limit storage unavailable; limiting fails open: %s%s"
        record.args = (
            record.exc_info[1].__class__.__name__ if record.exc_info else "?",
            f" ({left_out} more since the last warning)" if left_out else "",
        )
        record.exc_info = None
        record.exc_text = None
        return True


# --- set-up ---------------------------------------------------------------------------------------


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


def _apply(limiter: Limiter, kind: str, view: Any) -> Any:
    for budget in BUDGETS[kind]:
        view = limiter.shared_limit(
            _limit_value(budget),
            scope=_label(budget),
            key_func=_bucket_key(budget),
            deduct_when=_counts if kind == SUBMIT else None,
            exempt_when=_not_wide_client if budget.wide else None,
            methods=["POST"] if kind == LOGIN else None,
        )(view)
    return view


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
    if not isinstance(limiter.storage, MemoryStorage | RedisStorage):
        raise RuntimeError(
            f"RATELIMIT_STORAGE_URI {uri.split(':', 1)[0]}:// is not supported: use memory:// "
            "or redis:// (the workers share the rate-limit key through it)."
        )
    period = max(int(config["RATELIMIT_KEY_ROTATE_SECONDS"]), 1)
    app.extensions["campaign_limiter"] = limiter
    prefix = str(config["RATELIMIT_KEY_PREFIX"])
    app.extensions[STATE] = {"key": RotatingKey(limiter, prefix, period, str(config["SECRET_KEY"]))}
    limited_endpoints: set[str] = set()
    for endpoint, view in list(app.view_functions.items()):
        kind = getattr(view, "_campaign_limit", None)
        if kind in BUDGETS:
            limited_endpoints.add(endpoint)
            app.view_functions[endpoint] = _apply(limiter, kind, view)
    _only_for(app, limiter, limited_endpoints)
    limiter_log = logging.getLogger("flask-limiter")
    if not any(isinstance(f, FailOpenWarning) for f in limiter_log.filters):
        limiter_log.addFilter(FailOpenWarning())
