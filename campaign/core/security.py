"""Security headers on every response, and the per-request CSP nonce.

The policy allows nothing from any other host: scripts and styles only from this origin
(plus the per-request nonce), no frames, no plugins, forms post only here. Referrer-Policy
``same-origin`` sends no referrer to other sites, yet keeps the same-origin Referer for
CSRF checks that rely on it (Flask-WTF's CSRFProtect does on HTTPS; the forms here check
their token, and cookies are SameSite).

Deployment settings also live here: with ``HTTPS`` on, HSTS is sent and the session cookie
is ``Secure`` and named ``__Host-session`` (the browser then refuses it over plain HTTP or
from another subdomain); a request whose Host is not in ``TRUSTED_HOSTS`` gets a short
plain 400 (it comes from a misconfigured proxy or a scanner, never from a visitor).
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import SecurityError

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def csp_nonce() -> str:
    """This request's nonce, made on first use."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return str(nonce)


def content_security_policy(nonce: str) -> str:
    return (
        "default-src 'none'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        "img-src 'self'; "
        "connect-src 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'none'; "
        "base-uri 'none'; "
        "object-src 'none'; "
        "manifest-src 'self'"
    )


FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
    for name, value in FIXED_HEADERS:  # no view sets these: add, without a search
        if name in headers:
            headers[name] = value
        else:
            headers.add(name, value)
    config = current_app.config
    if config["HTTPS"]:
        headers["Strict-Transport-Security"] = f"max-age={int(config['HSTS_MAX_AGE'])}"
    if config.get("ONION_LOCATION") and response.mimetype == "text/html":
        onion = str(config["ONION_LOCATION"]).rstrip("/")
        headers["Onion-Location"] = onion + request.full_path.rstrip("?")
    return response


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer made once per key ring
    rather than on every request (about a fifth of a reading page's own time went there,
    though reading pages never use the session). A new ``SECRET_KEY`` or fallback list (a
    rotation) makes a new one."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[object, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or ()
        key = (app.secret_key, tuple(fallbacks))
        if key not in self._serializers:
            self._serializers.clear()
            self._serializers[key] = super().get_signing_serializer(app)
        return self._serializers[key]


def private_page(body: str, status: int = 200) -> Response:
    """A form or result page: never cached, never stored by the browser."""
    response = Response(body, status=status, mimetype="text/html")
    response.cache_control.no_store = True
    response.headers["Pragma"] = "no-cache"
    return response


def untrusted_host(_error: SecurityError) -> Response:
    """A Host outside ``TRUSTED_HOSTS``: no page, as no URL can be built for that host."""
    response = Response("Bad Request: unknown host.\n", status=400, mimetype="text/plain")
    response.cache_control.no_store = True
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if app.config["HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
        if app.config.get("SESSION_COOKIE_NAME", "session") == "session":
            app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    app.session_interface = SessionCookies()
    app.register_error_handler(SecurityError, untrusted_host)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
