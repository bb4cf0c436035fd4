"""CSRF protection for browser forms, the response headers every page carries, and session expiry."""

from __future__ import annotations

from flask import Response, current_app, flash, request, session
from flask_babel import gettext
from flask_wtf import CSRFProtect

csrf = CSRFProtect()

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def set_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


STARTED, SEEN = "started", "seen"


def expire_session() -> None:
    """Sign a browser out after PERMANENT_SESSION_LIFETIME idle or SESSION_MAX_AGE since sign-in.

    The times are kept inside the signed session and read on the engine's clock, so the
    server decides, not the cookie's expiry date a browser may ignore. Runs before `auth`
    loads the actor.
    """
    if "uid" not in session:
        return
    now = _now()
    idle = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    longest = current_app.config["SESSION_MAX_AGE"].total_seconds()
    started, seen = session.get(STARTED, now), session.get(SEEN, now)
    if now - seen > idle or now - started > longest:
        session.clear()
        flash(gettext("登录已超时，请重新登录"), "info")
        return
    session[SEEN] = now


def stamp_session(response: Response) -> Response:
    """Note when a session signed in (the sign-in response), so its age can be checked."""
    if "uid" in session and STARTED not in session:
        session[STARTED] = session[SEEN] = _now()
    return response


def _now() -> float:
    return current_app.extensions["diagflow"].clock.now().timestamp()
