"""The REST twins of the attachment and comment pages: bearer-token callers upload and
download files, list an instance's files, and read and write its comment thread."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue

from engine.errors import InvalidData
from engine.i18n import N_

from .api import token_required
from .attachments import send_attachment, store_upload
from .context import engine
from .security import csrf

bp = Blueprint("api_files", __name__, url_prefix="/api")
csrf.exempt(bp)  # bearer tokens, not cookies: nothing for a forged form to ride on


@bp.post("/attachments")
@token_required
def upload_attachment() -> ResponseReturnValue:
    return jsonify(store_upload(g.api_actor)), 201


@bp.get("/attachments/<attachment_id>")
@token_required
def download_attachment(attachment_id: str) -> Response:
    return send_attachment(g.api_actor, attachment_id)


@bp.get("/instances/<int:instance_id>/attachments")
@token_required
def list_attachments(instance_id: int) -> ResponseReturnValue:
    return jsonify(engine().attachments.for_instance(g.api_actor, instance_id))


@bp.get("/instances/<int:instance_id>/comments")
@token_required
def list_comments(instance_id: int) -> ResponseReturnValue:
    return jsonify(engine().comments.list(g.api_actor, instance_id))


@bp.post("/instances/<int:instance_id>/comments")
@token_required
def add_comment(instance_id: int) -> ResponseReturnValue:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidData({"_body": "request body must be a JSON object"})
    task_id = body.get("task_id")
    if task_id is not None and not isinstance(task_id, str):
        raise InvalidData({"task_id": N_("应为任务编号（文本）")})
    text = body.get("body")
    if not isinstance(text, str):
        raise InvalidData({"body": N_("请填写意见内容")})
    return jsonify(engine().comments.add(g.api_actor, instance_id, text, task_id)), 201
