"""The inbox: the tasks the signed-in user may act on."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .auth import login_required
from .context import actor, engine

bp = Blueprint("inbox", __name__)
PAGE_SIZE = 50


@bp.get("/")
@login_required
def index() -> str:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    items, total = engine().tasks.inbox(actor(), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    names = engine().identity.display_names({i["assignee"] for i in items if i["assignee"]})
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template(
        "inbox.html",
        items=items,
        total=total,
        page=page,
        pages=pages,
        assignee_names=names,
        escalations=engine().reminders.escalations_for(actor()),
        startable=engine().repository.startable_by(actor().role),
    )
