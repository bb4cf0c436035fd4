"""The process owner's REST API (city bureau only): drafts, validation, deployment, versions,
the modeler's catalogue. A bad model is always an answer listing every problem by element id,
never a server error. Bearer tokens as in `api.py`; exempt from CSRF like it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue

from engine.errors import Forbidden, InvalidData, ValidationFailed
from engine.i18n import N_
from engine.process_drafts import StaleDraft
from engine.validation import MAX_FILE_BYTES, MAX_ZIP_BYTES

from .api import _json_body, token_required
from .context import engine
from .errors import engine_error_body, problems_json
from .i18n import content_label
from .security import csrf

bp = Blueprint("api_processes", __name__, url_prefix="/api")
csrf.exempt(bp)


def city_bureau_api(view: Callable[..., Any]) -> Callable[..., Any]:
    """Bearer token, then the process-owner role: the city bureau owns every model."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.api_actor.role != "city_bureau":
            raise Forbidden(N_("只有市工业和信息化局（流程负责人）可以管理流程模型"))
        return view(*args, **kwargs)

    return token_required(wrapped)


@bp.errorhandler(ValidationFailed)
def not_deployable(failed: ValidationFailed) -> ResponseReturnValue:
    return jsonify({"ok": False, **engine_error_body(failed)}), 422


@bp.errorhandler(StaleDraft)
def stale_draft(stale: StaleDraft) -> ResponseReturnValue:
    return jsonify({"error": content_label(stale.message), "current_revision": stale.current_revision}), 409


def _parts(body: dict[str, Any]) -> dict[str, Any]:
    """The modeler's parts from a JSON body, type-checked (422 names the wrong field)."""
    bpmn, forms, decisions = body.get("bpmn"), body.get("forms") or {}, body.get("decisions") or {}
    wrong = {}
    if not isinstance(bpmn, str) or not bpmn.strip():
        wrong["bpmn"] = N_("bpmn 须为 BPMN XML 文本")
    if not isinstance(forms, dict) or not all(isinstance(name, str) for name in forms):
        wrong["forms"] = N_("forms 须为“文件名 → JSON Schema 对象”的映射")
    if not isinstance(decisions, dict) or not all(isinstance(xml, str) for xml in decisions.values()):
        wrong["decisions"] = N_("decisions 须为“文件名 → DMN XML 文本”的映射")
    if wrong:
        raise InvalidData(wrong)
    return {"bpmn": bpmn, "forms": forms, "decisions": decisions}


def _revision(body: dict[str, Any]) -> int:
    revision = body.get("revision")
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
        raise InvalidData({"revision": N_("revision 须为所编辑草稿的修订号（非负整数）")})
    return revision


def _uploads(*fields: str) -> list[tuple[str, bytes]]:
    """Uploaded files, each read up to just past the limit so an oversize file is named."""
    limit = max(MAX_FILE_BYTES, MAX_ZIP_BYTES) + 1
    files = [f for field in fields for f in request.files.getlist(field) if f.filename]
    if not files:
        raise ValidationFailed([(fields[0], N_("请选择一个 .bpmn 文件（可附带 .dmn 和 *.schema.json 文件），"
                                               "或一个 .zip 压缩包"))])
    return [(f.filename or "", f.read(limit)) for f in files]


@bp.get("/processes/<process_id>/draft")
@city_bureau_api
def get_draft(process_id: str) -> ResponseReturnValue:
    return jsonify(engine().owner.drafts.get(process_id, g.api_actor))


@bp.put("/processes/<process_id>/draft")
@city_bureau_api
def save_draft(process_id: str) -> ResponseReturnValue:
    body = _json_body()
    revision, parts = _revision(body), _parts(body)
    new_revision, problems = engine().owner.drafts.save(process_id, revision, parts, g.api_actor)
    return jsonify({"revision": new_revision, "errors": problems_json(problems)})


@bp.post("/processes/validate")
@city_bureau_api
def validate() -> ResponseReturnValue:
    if request.files:
        (filename, data), *more = _uploads("file")
        if more:
            raise InvalidData({"file": N_("每次只能校验一个 .bpmn 或 .dmn 文件")})
        problems = engine().owner.validate_file(filename, data)
    else:
        parts = _parts(_json_body())
        problems = engine().owner.validate_parts(parts["bpmn"], parts["forms"], parts["decisions"])
    return jsonify({"ok": not problems, "errors": problems_json(problems)})


@bp.post("/processes/<process_id>/deploy")
@city_bureau_api
def deploy_draft(process_id: str) -> ResponseReturnValue:
    result = engine().owner.drafts.deploy(process_id, _revision(_json_body()), g.api_actor)
    return jsonify(result), 201


@bp.post("/processes/deploy")
@city_bureau_api
def deploy_upload() -> ResponseReturnValue:
    process_id, files, problems = engine().owner.upload(_uploads("files", "file"))
    if problems or process_id is None:
        found_none = N_("没有找到可执行的 BPMN 流程：请确认 .bpmn 文件中有 bpmn:process")
        raise ValidationFailed(problems or [("upload", found_none)])
    return jsonify(engine().owner.versions.deploy(process_id, files, g.api_actor)), 201


@bp.get("/processes/<process_id>/versions")
@city_bureau_api
def list_versions(process_id: str) -> ResponseReturnValue:
    return jsonify(engine().owner.versions.history(process_id))


@bp.get("/processes/<process_id>/versions/<int:version>/export")
@city_bureau_api
def export_version(process_id: str, version: int) -> Response:
    data = engine().owner.versions.export_zip(process_id, version)
    filename = f"{process_id}-v{version}.zip"
    return Response(data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/modeler/catalogue")
@city_bureau_api
def modeler_catalogue() -> ResponseReturnValue:
    return jsonify(engine().owner.catalogue())


@bp.get("/processes/<process_id>/versions/<int:version>/monitor")
@city_bureau_api
def monitor_version(process_id: str, version: int) -> ResponseReturnValue:
    """Unfinished instances per element of one version, with average working days there."""
    version_id = engine().owner.versions.version_id(process_id, version)
    return jsonify(engine().owner.monitoring.heatmap(version_id))


@bp.get("/incidents")
@city_bureau_api
def list_incidents() -> ResponseReturnValue:
    return jsonify(engine().owner.incidents.open(request.args.get("process_id") or None))


@bp.get("/instances/stuck")
@city_bureau_api
def list_stuck() -> ResponseReturnValue:
    return jsonify(engine().owner.monitoring.stuck(request.args.get("process_id") or None))


def _reason() -> str:
    body = request.get_json(silent=True) or {}
    reason = body.get("reason", "") if isinstance(body, dict) else ""
    if not isinstance(reason, str) or len(reason) > 500:
        raise InvalidData({"reason": N_("原因须为不超过 500 字的文本")})
    return reason


@bp.post("/instances/<int:instance_id>/retry")
@city_bureau_api
def retry_instance(instance_id: int) -> ResponseReturnValue:
    return jsonify({"id": instance_id, "status": engine().owner.incidents.retry(g.api_actor, instance_id)})


@bp.post("/instances/<int:instance_id>/suspend")
@city_bureau_api
def suspend_instance(instance_id: int) -> ResponseReturnValue:
    engine().owner.incidents.suspend(g.api_actor, instance_id, _reason())
    return jsonify({"id": instance_id, "status": "suspended"})


@bp.post("/instances/<int:instance_id>/resume")
@city_bureau_api
def resume_instance(instance_id: int) -> ResponseReturnValue:
    engine().owner.incidents.resume(g.api_actor, instance_id)
    return jsonify({"id": instance_id, "status": engine().instances.get(g.api_actor, instance_id)["status"]})


@bp.post("/instances/<int:instance_id>/cancel")
@city_bureau_api
def cancel_instance(instance_id: int) -> ResponseReturnValue:
    engine().owner.incidents.cancel(g.api_actor, instance_id, _reason())
    return jsonify({"id": instance_id, "status": "cancelled"})


def _migration_request(process_id: str) -> tuple[Any, list[int] | None]:
    body = _json_body()
    source, target, ids = body.get("from_version"), body.get("to_version"), body.get("instance_ids")
    wrong = {}
    for field, value in (("from_version", source), ("to_version", target)):
        if not isinstance(value, int) or isinstance(value, bool):
            wrong[field] = N_("%(field)s 须为版本号（整数）", field=field)
    if ids is not None and not (isinstance(ids, list) and all(type(i) is int for i in ids)):
        wrong["instance_ids"] = N_("instance_ids 须为流程实例编号的列表（不填则为全部实例）")
    if wrong:
        raise InvalidData(wrong)
    return engine().owner.migration.plan(g.api_actor, process_id, source, target), ids


@bp.post("/processes/<process_id>/migration/dry-run")
@city_bureau_api
def migration_dry_run(process_id: str) -> ResponseReturnValue:
    plan, ids = _migration_request(process_id)
    return jsonify({"results": engine().owner.migration.dry_run(plan, ids)})


@bp.post("/processes/<process_id>/migration")
@city_bureau_api
def migrate_instances(process_id: str) -> ResponseReturnValue:
    plan, ids = _migration_request(process_id)
    return jsonify({"results": engine().owner.migration.migrate(plan, g.api_actor, ids)})
