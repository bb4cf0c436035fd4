"""The comment thread on the instance and task pages: write a comment, read the thread."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from engine.errors import InvalidData

from . import instances, tasks
from .auth import login_required
from .context import actor, engine
from .i18n import content_list

bp = Blueprint("comments", __name__)


@bp.post("/instances/<int:instance_id>/comments")
@login_required
def add(instance_id: int) -> Response | tuple[str, int]:
    """Add the comment and go back to the page it was written on (the task's, if still open).
    A refused comment shows that page again at once (422) with the typed text kept."""
    task_id = (request.form.get("task_id") or "").strip() or None
    on_task = bool(task_id) and request.form.get("return_to") == "task"
    try:
        engine().comments.add(actor(), instance_id, request.form.get("body", ""), task_id)
    except InvalidData as invalid:
        flash(gettext("意见未发表：%(reasons)s", reasons=content_list(invalid.errors.values())), "error")
        g.refused_comment = request.form.get("body", "")
        if task_id and on_task and "task_id" not in invalid.errors:
            return tasks.show(task_id)[0], 422
        return instances.show(instance_id), 422
    flash(gettext("意见已发表"), "success")
    if on_task:
        return redirect(url_for("tasks.show", task_id=task_id) + "#comments")
    return redirect(url_for("instances.show", instance_id=instance_id) + "#comments")


@bp.app_template_global()
def instance_comments(instance_id: int) -> list[dict[str, Any]]:
    """The thread of an instance the page already showed to this user."""
    return engine().comments.list(actor(), instance_id)
