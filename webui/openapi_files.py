"""OpenAPI paths of the attachment and comment endpoints (webui/api_files.py)."""

from __future__ import annotations

from typing import Any

SECURED = [{"bearer": []}]
INSTANCE_ID = {"name": "instance_id", "in": "path", "required": True, "schema": {"type": "integer"}}
ATTACHMENT_ID = {"name": "attachment_id", "in": "path", "required": True, "schema": {"type": "string"}}
ERROR = {"type": "object", "properties": {"error": {"type": "string"}, "errors": {"type": "object"}}}
META = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "sha256": {"type": "string"}, "filename": {"type": "string"},
                   "content_type": {"type": "string"}, "size": {"type": "integer"}},
}
COMMENT = {
    "type": "object",
    "properties": {"id": {"type": "integer"}, "instance_id": {"type": "integer"},
                   "task_id": {"type": ["string", "null"]}, "author": {"type": "string"}, "body": {"type": "string"},
                   "created_at": {"type": "string", "format": "date-time"}},
}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


REFUSALS = {
    "401": _json("no or a bad bearer token", ERROR),
    "403": _json("not in the caller's role or scope", ERROR),
    "404": _json("unknown", ERROR),
    "422": _json("refused, with the reason per field", ERROR),
}


def paths() -> dict[str, Any]:
    upload = {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary"},
                       "purpose": {"type": "string", "enum": ["task", "comment"]},
                       "task_id": {"type": "string"}, "instance_id": {"type": "integer"}, "field": {"type": "string"}},
        "required": ["file", "purpose"],
    }
    return {
        "/api/attachments": {"post": {
            "summary": "Upload a file for a task the caller may act on, or for a comment on an instance it may see; "
                       "PDF, PNG, JPEG or Office files, typed by content, at most DIAGFLOW_MAX_UPLOAD_MB",
            "security": SECURED,
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": upload}}},
            "responses": {"201": _json("stored", META), **REFUSALS},
        }},
        "/api/attachments/{attachment_id}": {"get": {
            "summary": "Download a file of an instance the caller may see (objection scans: city bureau only)",
            "security": SECURED, "parameters": [ATTACHMENT_ID],
            "responses": {"200": {"description": "the file, as an attachment"}, **REFUSALS},
        }},
        "/api/instances/{instance_id}/attachments": {"get": {
            "summary": "The files of an instance the caller may see",
            "security": SECURED, "parameters": [INSTANCE_ID],
            "responses": {"200": _json("files", {"type": "array", "items": META}), **REFUSALS},
        }},
        "/api/instances/{instance_id}/comments": {
            "get": {"summary": "The comment thread of an instance the caller may see",
                    "security": SECURED, "parameters": [INSTANCE_ID],
                    "responses": {"200": _json("comments", {"type": "array", "items": COMMENT}), **REFUSALS}},
            "post": {"summary": "Add a comment (1–2000 characters), optionally on one of the instance's tasks",
                     "security": SECURED, "parameters": [INSTANCE_ID],
                     "requestBody": {"required": True, "content": {"application/json": {"schema": {
                         "type": "object", "properties": {"body": {"type": "string"}, "task_id": {"type": "string"}},
                         "required": ["body"]}}}},
                     "responses": {"201": _json("added", COMMENT), **REFUSALS}},
        },
    }
