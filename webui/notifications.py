"""The notification centre: my notifications, the unread count in every page's header, mark read."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from .auth import login_required
from .context import actor, engine

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PAGE_SIZE = 50


@bp.app_context_processor
def unread_count() -> dict[str, Any]:
    """Every signed-in page shows how many notifications are unread."""
    return {"unread_notifications": engine().notifications.unread_count(actor()) if actor() else 0}


@bp.get("")
@login_required
def index() -> str:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total = engine().notifications.count(actor())
    items = engine().notifications.for_actor(actor(), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("notifications.html", items=items, page=page,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1))


@bp.post("/read")
@login_required
def mark_read() -> Response:
    """Mark one notification (`id`) or all of them read."""
    notification_id = request.form.get("id", type=int)
    marked = engine().notifications.mark_read(actor(), None if notification_id is None else [notification_id])
    flash(gettext("已标记 %(count)s 条通知为已读", count=marked), "info")
    return redirect(url_for("notifications.index"))
