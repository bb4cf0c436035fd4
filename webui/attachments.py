"""Upload and download attachments; template helpers that show a form field's or an
instance's files. Scope is decided by the engine's attachment service."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file, url_for

from engine.access import Actor
from engine.attachments import PURPOSE_COMMENT, PURPOSE_TASK
from engine.errors import EngineError, Forbidden, InvalidData, NotFound
from engine.filetypes import max_upload_bytes
from engine.i18n import N_

from .auth import login_required
from .context import actor, engine
from .errors import STATUS, engine_error_body

bp = Blueprint("attachments", __name__)

# Room for the multipart envelope and the other form fields around the file itself.
MULTIPART_SLACK = 64 * 1024


def _optional_int(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidData({name: N_("应为整数")})
    return int(raw)


def store_upload(caller: Actor) -> dict[str, Any]:
    """Store the request's multipart `file` with its `purpose`, `instance_id`, `task_id` and
    `field` (the page's script and the API send the same form); raises engine errors."""
    limit = max_upload_bytes()
    request.max_content_length = limit + MULTIPART_SLACK
    if request.content_length is not None and request.content_length > limit + MULTIPART_SLACK:
        raise InvalidData({"file": N_("文件超过 %(size)s MB 的上限", size=format(limit / 1024 / 1024, "g"))})
    purpose = request.form.get("purpose", "")
    if purpose not in (PURPOSE_TASK, PURPOSE_COMMENT):
        raise InvalidData(
            {"purpose": N_("附件用途应为办理材料（task）或意见附件（comment）；异议材料请在公示页面提交")})
    field = (request.form.get("field") or "").strip() or None
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InvalidData({field or "file": N_("请选择要上传的文件")})
    return engine().attachments.store(
        caller, upload.read(), upload.filename, purpose=purpose,
        instance_id=_optional_int("instance_id"), task_id=(request.form.get("task_id") or "").strip() or None,
        field=field,
    )


@bp.post("/attachments")
@login_required
def upload() -> tuple[Response, int]:
    """201 with the file's meta; a refusal is JSON `{error, errors: {field: message}}` for the
    page's script (engine errors elsewhere on pages render as HTML)."""
    try:
        stored = store_upload(actor())
    except EngineError as error:
        return jsonify(engine_error_body(error)), STATUS.get(type(error), 500)
    return jsonify(linked(stored)), 201


def send_attachment(caller: Actor, attachment_id: str) -> Response:
    """The file as a download that no browser renders in place."""
    meta, data = engine().attachments.read(caller, attachment_id)
    response = send_file(io.BytesIO(data), mimetype=meta["content_type"], as_attachment=True,
                         download_name=meta["filename"], etag=meta["sha256"], max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/attachments/<attachment_id>")
@login_required
def download(attachment_id: str) -> Response:
    return send_attachment(actor(), attachment_id)


@bp.app_template_global()
def attachment_info(attachment_id: str) -> dict[str, Any] | None:
    """A form field's current file (name, size, download link), or None when the signed-in
    user may not see it or it is gone: the field then says the file is unavailable."""
    try:
        meta = engine().attachments.describe(actor(), attachment_id)
    except (NotFound, Forbidden):
        return None
    return linked(meta)


@bp.app_template_global()
def instance_attachments(instance_id: int) -> list[dict[str, Any]]:
    """The files of an instance the page already showed to this user."""
    return [linked(meta) for meta in engine().attachments.for_instance(actor(), instance_id)]


def linked(meta: dict[str, Any]) -> dict[str, Any]:
    """Meta with what a page shows: the download link and the size as people read it."""
    url = url_for("attachments.download", attachment_id=meta["id"])
    return meta | {"url": url, "size_text": file_size(meta["size"])}


def file_size(size: int) -> str:
    """1.2 MB, 350 KB, 800 B: sizes as people read them."""
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"
