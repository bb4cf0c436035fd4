"""Instance pages: the list of what the user may see, one instance, and starting a process."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from .auth import login_required
from .context import actor, engine

bp = Blueprint("instances", __name__)


@bp.get("/instances")
@login_required
def index() -> str:
    return render_template("instances.html", instances=engine().instances.visible(actor()))


@bp.get("/instances/<int:instance_id>")
@login_required
def show(instance_id: int) -> str:
    instance = engine().instances.get(actor(), instance_id)
    mine = {item["id"] for item in engine().tasks.inbox(actor(), instance_id=instance_id)[0]}
    names = engine().identity.display_names({t["assignee"] for t in instance["tasks"] if t["assignee"]})
    marks = engine().instances.diagram(actor(), instance_id)
    return render_template(
        "instance.html",
        instance=instance,
        entries=engine().instances.entries(actor(), instance_id, instance["history"]),
        related=engine().instances.related(actor(), instance_id),
        my_task_ids=mine,
        assignee_names=names,
        done_elements=marks["done"],
        active_elements=marks["active"],
    )


@bp.get("/instances/<int:instance_id>/diagram.bpmn")
@login_required
def diagram(instance_id: int) -> Response:
    xml = engine().instances.diagram(actor(), instance_id)["xml"]
    return Response(xml, mimetype="application/xml", headers={"Cache-Control": "private, max-age=60"})


@bp.post("/processes/<process_id>/start")
@login_required
def start(process_id: str) -> Response:
    instance_id = engine().instances.start(process_id, actor())
    flash(gettext("流程已发起，请填写第一个任务"), "success")
    mine = engine().tasks.inbox(actor(), instance_id=instance_id)[0]
    if mine:
        return redirect(url_for("tasks.show", task_id=mine[0]["id"]))
    return redirect(url_for("instances.show", instance_id=instance_id))
