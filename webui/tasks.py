"""The task page: read the task, claim or unclaim it, fill its form and complete it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.errors import InvalidData
from engine.forms import validate_data
from engine.tasks import TaskView

from .auth import login_required
from .context import actor, engine
from .forms import parse_form

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _render(view: TaskView, data: dict, errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    names = engine().identity.display_names({view.task["assignee"]} - {None})
    return (
        render_template(
            "task.html",
            view=view,
            data=data,
            errors=errors,
            assignee_name=names.get(view.task["assignee"]),
        ),
        status,
    )


@bp.get("/<task_id>")
@login_required
def show(task_id: str) -> tuple[str, int]:
    view = engine().tasks.get(actor(), task_id)
    return _render(view, view.data, {})


@bp.post("/<task_id>")
@login_required
def complete(task_id: str) -> Response | tuple[str, int]:
    view = engine().tasks.get(actor(), task_id)
    data, conversion_errors = parse_form(view.form.schema, view.form.ui_schema, request.form)
    try:
        if conversion_errors:
            raise InvalidData(conversion_errors)
        engine().tasks.complete(actor(), task_id, data)
    except InvalidData as invalid:
        errors = {**validate_data(view.form.schema, data), **invalid.errors}
        return _render(view, data, errors, 422)
    flash(f"「{view.task['name']}」已提交", "success")
    return redirect(url_for("instances.show", instance_id=view.task["instance_id"]))


@bp.post("/<task_id>/claim")
@login_required
def claim(task_id: str) -> Response:
    engine().tasks.claim(actor(), task_id)
    flash("已认领该任务", "success")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/<task_id>/unclaim")
@login_required
def unclaim(task_id: str) -> Response:
    engine().tasks.unclaim(actor(), task_id)
    flash("已退回认领，其他同事可以办理", "info")
    return redirect(url_for("tasks.show", task_id=task_id))
