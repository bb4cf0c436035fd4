"""The OpenAPI description of the process owner's API (webui/api_processes.py), merged into
/api/openapi.json. Every operation is city bureau only."""

from __future__ import annotations

from typing import Any

JSON = "application/json"
OBJECT: dict[str, Any] = {"type": "object"}
PROBLEMS = {"type": "array", "items": {"type": "object", "properties": {
    "element_id": {"type": "string"}, "message": {"type": "string"}}, "required": ["element_id", "message"]}}
PARTS = {"type": "object", "properties": {
    "bpmn": {"type": "string"},
    "forms": {"type": "object", "additionalProperties": {"type": "object"}},
    "decisions": {"type": "object", "additionalProperties": {"type": "string"}}}, "required": ["bpmn"]}
SAVE = {**PARTS, "properties": {**PARTS["properties"], "revision": {"type": "integer"}}}
REFUSED = {"type": "object", "properties": {"ok": {"const": False}, "errors": PROBLEMS}}
DEPLOYED = {"type": "object", "properties": {
    "process_id": {"type": "string"}, "version": {"type": "integer"},
    "summary": {"type": "object", "properties": {key: {"type": "array", "items": {"type": "string"}}
                                                 for key in ("added", "removed", "changed")}}}}
MIGRATION = {"type": "object", "properties": {
    "from_version": {"type": "integer"}, "to_version": {"type": "integer"},
    "instance_ids": {"type": "array", "items": {"type": "integer"}}}, "required": ["from_version", "to_version"]}
PROCESS_ID = {"name": "process_id", "in": "path", "required": True, "schema": {"type": "string"}}
VERSION = {"name": "version", "in": "path", "required": True, "schema": {"type": "integer"}}
INSTANCE_ID = {"name": "instance_id", "in": "path", "required": True, "schema": {"type": "integer"}}
MULTIPART = {"multipart/form-data": {"schema": {"type": "object", "properties": {
    "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}


def _op(summary: str, ok: tuple[str, str, dict[str, Any]], params: list[dict[str, Any]] | None = None,
        body: dict[str, Any] | None = None, errors: dict[str, tuple[str, dict[str, Any]]] | None = None,
        ) -> dict[str, Any]:
    status, description, schema = ok
    responses: dict[str, Any] = {status: {"description": description, "content": {JSON: {"schema": schema}}},
                                 "401": {"description": "no or bad token"},
                                 "403": {"description": "not the city bureau"}}
    for code, (text, shape) in (errors or {}).items():
        responses[code] = {"description": text, "content": {JSON: {"schema": shape}}}
    operation: dict[str, Any] = {"summary": summary, "security": [{"bearer": []}], "parameters": params or [],
                                 "responses": responses}
    if body is not None:
        operation["requestBody"] = {"required": True, "content": body}
    return operation


def paths() -> dict[str, Any]:
    stale = ("the draft was saved since (current_revision)", OBJECT)
    return {
        "/api/processes/{process_id}/draft": {
            "get": _op("The draft (made from the newest version on first read)", ("200", "the draft", OBJECT),
                       [PROCESS_ID]),
            "put": _op("Save the draft, listing its problems", ("200", "saved", OBJECT), [PROCESS_ID],
                       {JSON: {"schema": SAVE}}, errors={"409": stale}),
        },
        "/api/processes/validate": {"post": _op(
            "Check one .bpmn/.dmn file (multipart `file`) or modeler parts (JSON)",
            ("200", "ok and every problem", {"type": "object", "properties": {"ok": {"type": "boolean"},
                                                                              "errors": PROBLEMS}}),
            body={JSON: {"schema": PARTS}, **MULTIPART})},
        "/api/processes/{process_id}/deploy": {"post": _op(
            "Deploy the draft at this revision", ("201", "deployed", DEPLOYED), [PROCESS_ID],
            {JSON: {"schema": {"type": "object", "properties": {"revision": {"type": "integer"}}}}},
            errors={"409": stale, "422": ("not deployable", REFUSED)})},
        "/api/processes/deploy": {"post": _op(
            "Deploy uploaded files (.bpmn, .dmn, *.schema.json) or one .zip", ("201", "deployed", DEPLOYED),
            body=MULTIPART, errors={"422": ("not deployable", REFUSED)})},
        "/api/processes/{process_id}/versions": {"get": _op(
            "Versions with who, when and what changed", ("200", "versions", {"type": "array", "items": OBJECT}),
            [PROCESS_ID])},
        "/api/processes/{process_id}/versions/{version}/export": {"get": {
            **_op("The version's files", ("200", "a zip", OBJECT), [PROCESS_ID, VERSION]),
            "responses": {"200": {"description": "application/zip"}}}},
        "/api/processes/{process_id}/versions/{version}/monitor": {"get": _op(
            "Unfinished instances per element with average working days", ("200", "the heat map", OBJECT),
            [PROCESS_ID, VERSION])},
        "/api/modeler/catalogue": {"get": _op("Roles, operators, functions and messages for the modeler",
                                              ("200", "the catalogue", OBJECT))},
        "/api/incidents": {"get": _op("Instances in error", ("200", "incidents", {"type": "array", "items": OBJECT}))},
        "/api/instances/stuck": {"get": _op("Instances that cannot move on", ("200", "stuck instances",
                                                                               {"type": "array", "items": OBJECT}))},
        **{f"/api/instances/{{instance_id}}/{action}": {"post": _op(
            summary, ("200", "done", OBJECT), [INSTANCE_ID], errors={"409": ("not possible in this state", OBJECT)})}
           for action, summary in (("retry", "Run the failed element again"), ("suspend", "Suspend the instance"),
                                   ("resume", "Resume a suspended instance"), ("cancel", "Cancel the instance"))},
        "/api/processes/{process_id}/migration/dry-run": {"post": _op(
            "Can each instance move to the target version, and why not", ("200", "per instance", OBJECT),
            [PROCESS_ID], {JSON: {"schema": MIGRATION}})},
        "/api/processes/{process_id}/migration": {"post": _op(
            "Move instances to the target version, each in its own transaction", ("200", "per instance", OBJECT),
            [PROCESS_ID], {JSON: {"schema": MIGRATION}})},
    }
