"""The task page: read the task, claim, hand over or give it back, save a draft, complete it."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from engine.errors import Forbidden, InvalidData
from engine.forms import validate_data
from engine.tasks import TaskView

from .auth import login_required
from .context import actor, engine
from .forms import parse_form
from .i18n import content_labels, content_list, form_language

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


def _objection_url(view: TaskView) -> str | None:
    """On 处理异议 (subsidy_plan's handle_objection), the objection's own page: the objector's
    identity and scan are not task data, and that page lets only the city bureau in."""
    objection_id = view.data.get("objection_id")
    if view.task["bpmn_id"] != "handle_objection" or not isinstance(objection_id, int):
        return None
    return url_for("objections.show", objection_id=objection_id)


def _render(
    view: TaskView, data: dict, errors: dict[str, str], status: int = 200, draft_at: datetime | None = None
) -> tuple[str, int]:
    names = engine().identity.display_names({view.task["assignee"]} - {None})
    mine = view.task["assignee"] == actor().user_id
    return (
        render_template(
            "task.html",
            view=view,
            data=data,
            errors=errors,
            draft_at=draft_at,
            assignee_name=names.get(view.task["assignee"]),
            colleagues=engine().tasks.colleagues(actor(), view.task["id"]),
            handed_to_me=mine and engine().tasks.handed_to(actor(), view.task["id"]),
            objection_url=_objection_url(view),
        ),
        status,
    )


@bp.get("/<task_id>")
@login_required
def show(task_id: str) -> tuple[str, int]:
    view = engine().tasks.get(actor(), task_id)
    draft = engine().drafts.get(actor(), task_id)
    if draft is None:
        return _render(view, view.data, {})
    data, saved_at = draft
    return _render(view, {**view.data, **data}, {}, draft_at=saved_at)


@bp.post("/<task_id>")
@login_required
def complete(task_id: str) -> Response | tuple[str, int]:
    view = engine().tasks.get(actor(), task_id)
    data, conversion_errors = parse_form(view.form.schema, view.form.ui_schema, request.form, lang=form_language())
    try:
        if conversion_errors:
            raise InvalidData(conversion_errors)
        engine().tasks.complete(actor(), task_id, data)
    except InvalidData as invalid:
        # Where the engine and the form's own check both name a field, the form's message wins.
        form_errors = validate_data(view.form.schema, data, lang=form_language())
        errors = {**content_labels(invalid.errors), **form_errors, **conversion_errors}
        return _render(view, data, errors, 422)
    flash(gettext("「%(name)s」已提交", name=view.task["name"]), "success")
    try:
        engine().instances.get(actor(), view.task["instance_id"])
    except Forbidden:
        # An expert, or one district's finance in a city-wide plan, reads an instance only while
        # holding a task in it: back to the inbox rather than onto a 403 page.
        return redirect(url_for("inbox.index"))
    return redirect(url_for("instances.show", instance_id=view.task["instance_id"]))


@bp.post("/<task_id>/draft")
@login_required
def save_draft(task_id: str) -> Response:
    """Keep what was typed, valid or not: the form is restored from it on the next visit."""
    view = engine().tasks.get(actor(), task_id)
    data, _ = parse_form(view.form.schema, view.form.ui_schema, request.form)
    engine().drafts.save(actor(), task_id, data)
    flash(gettext("草稿已保存，下次打开本任务时自动恢复"), "success")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/<task_id>/claim")
@login_required
def claim(task_id: str) -> Response:
    engine().tasks.claim(actor(), task_id)
    flash(gettext("已认领该任务"), "success")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/<task_id>/unclaim")
@login_required
def unclaim(task_id: str) -> Response:
    engine().tasks.unclaim(actor(), task_id)
    flash(gettext("已退回认领，其他同事可以办理"), "info")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/<task_id>/assign")
@login_required
def assign(task_id: str) -> Response:
    """Assign (指派) or, for a task I hold, delegate (转办) it to the chosen colleague."""
    how = request.form.get("how")
    user_id = request.form.get("user_id", type=int)
    hand_over = engine().tasks.delegate if how == "delegate" else engine().tasks.assign
    try:
        hand_over(actor(), task_id, user_id)
    except InvalidData as invalid:
        flash(content_list(invalid.errors.values()), "error")
        return redirect(url_for("tasks.show", task_id=task_id))
    flash(gettext("已转办") if how == "delegate" else gettext("已指派"), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/<task_id>/return")
@login_required
def give_back(task_id: str) -> Response:
    engine().tasks.give_back(actor(), task_id)
    flash(gettext("已将任务退回给转办/指派人"), "info")
    return redirect(url_for("inbox.index"))
