"""Sign in and out of the web pages (session cookie); the API uses bearer tokens (api.py)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from engine.identity import LockedOut

from .context import engine
from .i18n import content_label
from .redirects import safe_next

bp = Blueprint("auth", __name__)


@bp.before_app_request
def load_actor() -> None:
    user_id = session.get("uid")
    g.actor = engine().identity.actor(user_id) if isinstance(user_id, int) else None
    if user_id is not None and g.actor is None:
        session.clear()


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("actor") is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    try:
        actor = engine().identity.authenticate(username, password) if username and password else None
    except LockedOut as locked:
        flash(content_label(locked.message), "error")
        return render_template("login.html", next=request.form.get("next", ""), username=username), 429
    if actor is None:
        flash(gettext("用户名或密码错误"), "error")
        return render_template("login.html", next=request.form.get("next", ""), username=username), 401
    session.clear()
    session["uid"] = actor.user_id
    session.permanent = True
    return redirect(safe_next(request.form.get("next")))


@bp.post("/logout")
def logout() -> Response:
    session.clear()
    flash(gettext("已安全退出"), "info")
    return redirect(url_for("auth.login"))
