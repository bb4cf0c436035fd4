"""Process-owner pages (city bureau only): processes and versions, the monitored diagram,
incidents with retry, suspend/resume/cancel, stuck instances, and migration between versions.
Every form carries a CSRF token; every action is an engine service call, audited there.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from engine.errors import Conflict, InvalidData
from engine.i18n import N_

from .admin import city_bureau_only
from .context import actor, engine
from .i18n import content_label

bp = Blueprint("process_admin", __name__, url_prefix="/admin")
INSTANCE_ACTIONS = {"retry": N_("已重新执行异常环节"), "suspend": N_("流程实例已挂起"), "resume": N_("流程实例已恢复"),
                    "cancel": N_("流程实例已撤销")}


@bp.get("/processes")
@city_bureau_only
def index() -> str:
    owner = engine().owner
    return render_template("process_list.html", versions=owner.monitoring.overview(),
                           incidents=owner.incidents.open(), stuck=owner.monitoring.stuck())


@bp.get("/processes/<process_id>")
@city_bureau_only
def show(process_id: str) -> str:
    return _detail(process_id, request.args.get("version", type=int))


def _detail(process_id: str, version: int | None, migration: dict | None = None) -> str:
    """The process page for one version (the newest when None), with a migration answer."""
    owner = engine().owner
    history = owner.versions.history(process_id)
    version = version or history[-1]["version"]
    version_id = owner.versions.version_id(process_id, version)
    return render_template(
        "process_detail.html", process_id=process_id, version=version, history=list(reversed(history)),
        heatmap=owner.monitoring.heatmap(version_id), instances=owner.monitoring.instances(version_id),
        incidents=owner.incidents.open(process_id), stuck=owner.monitoring.stuck(process_id), migration=migration,
    )


@bp.get("/processes/<process_id>/versions/<int:version>/diagram.bpmn")
@city_bureau_only
def diagram(process_id: str, version: int) -> Response:
    version_id = engine().owner.versions.version_id(process_id, version)
    return Response(engine().owner.monitoring.heatmap(version_id)["xml"], mimetype="application/xml")


@bp.get("/processes/<process_id>/versions/<int:version>/export")
@city_bureau_only
def export(process_id: str, version: int) -> Response:
    data = engine().owner.versions.export_zip(process_id, version)
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{process_id}-v{version}.zip"'})


@bp.post("/instances/<int:instance_id>/<any(retry, suspend, resume, cancel):action>")
@city_bureau_only
def instance_action(instance_id: int, action: str) -> Response:
    try:
        _act(instance_id, action)
    except Conflict as refused:
        flash(content_label(refused.message), "error")
    return redirect(_back())


def _act(instance_id: int, action: str) -> None:
    incidents = engine().owner.incidents
    reason = request.form.get("reason", "")[:500]
    if action == "retry":
        status = incidents.retry(actor(), instance_id)
        flash(gettext(INSTANCE_ACTIONS[action]) if status != "error" else gettext("重试后仍然出错，请查看异常信息"),
              "success" if status != "error" else "error")
    elif action == "resume":
        incidents.resume(actor(), instance_id)
        flash(gettext(INSTANCE_ACTIONS[action]), "success")
    else:
        getattr(incidents, action)(actor(), instance_id, reason)
        flash(gettext(INSTANCE_ACTIONS[action]), "success")


def _back() -> str:
    """Back to the page the form was on (a same-site path only), else the process list."""
    target = request.form.get("next", "")
    return target if target.startswith("/admin/processes") and "//" not in target else url_for(".index")


@bp.post("/processes/<process_id>/migration")
@city_bureau_only
def migration(process_id: str) -> str:
    """Dry run or migrate the chosen instances; the page shows the answer per instance."""
    owner = engine().owner
    source = request.form.get("from_version", type=int)
    target = request.form.get("to_version", type=int)
    if source is None or target is None:
        raise InvalidData({"to_version": gettext("请选择原版本和目标版本")})
    ids = [int(value) for value in request.form.getlist("instance_ids") if value.isdigit()] or None
    plan = owner.migration.plan(actor(), process_id, source, target)
    if request.form.get("mode") == "migrate":
        results = owner.migration.migrate(plan, actor(), ids)
    else:
        results = owner.migration.dry_run(plan, ids)
    return _detail(process_id, source, {"mode": request.form.get("mode", "dry_run"), "target": target,
                                        "results": results})
