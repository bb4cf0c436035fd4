"""The OpenAPI 3 description of the REST API, served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from .openapi_files import paths as file_paths
from .openapi_processes import paths as process_owner_paths

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _response(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description}
    if schema is not None:
        response["content"] = {JSON: {"schema": schema}}
    return response


ERRORS = {
    "401": _response("no or bad credentials", _ref("Error")),
    "403": _response("wrong role or scope", _ref("Error")),
    "404": _response("unknown", _ref("Error")),
}
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
INSTANCE_ID = {"name": "instance_id", "in": "path", "required": True, "schema": {"type": "integer"}}
SECURED = [{"bearer": []}]


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": schema}}}


def _task_action(summary: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "security": SECURED,
        "parameters": [TASK_ID],
        "responses": {
            "200": _response("done", {"type": "object"}),
            **ERRORS,
            "409": _response("task not ready, already completed, claimed by another, or changed concurrently",
                             _ref("Error")),
        },
    }
    if body is not None:
        operation["requestBody"] = _body(body)
        operation["responses"]["422"] = _response("invalid data", _ref("InvalidData"))
    return {"post": operation}


# GET /api/tasks filters (engine.task_index.InboxQuery).
INBOX_FILTERS: list[dict[str, Any]] = [
    {"name": "process", "in": "query", "schema": {"type": "string", "maxLength": 100}},
    {"name": "stage", "in": "query", "schema": {"type": "string", "maxLength": 200}},
    {"name": "district", "in": "query", "schema": {"type": "string", "maxLength": 40}},
    {"name": "due", "in": "query", "schema": {"type": "string", "enum": ["soon", "overdue"]}},
    {"name": "claim", "in": "query", "schema": {"type": "string", "enum": ["mine", "unassigned"]}},
    {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["created", "due", "priority"]}},
]

SCHEMAS: dict[str, Any] = {
    "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
    "InvalidData": {
        "type": "object",
        "properties": {
            "error": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        "required": ["error", "errors"],
    },
    "Task": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "instance_id": {"type": "integer"},
            "process_id": {"type": "string"},
            "bpmn_id": {"type": "string"},
            "name": {"type": "string"},
            "role": {"type": "string"},
            "district": {"type": ["string", "null"]},
            "assignee": {"type": ["integer", "null"]},
            "state": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "due_at": {"type": ["string", "null"], "format": "date-time"},
            "business_key": {"type": ["string", "null"]},
            "priority": {"type": "integer"},
        },
        "required": ["id", "instance_id", "process_id", "bpmn_id", "name", "role", "state", "created_at"],
    },
    "Instance": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "process_id": {"type": "string"},
            "version": {"type": "integer"},
            "status": {"type": "string", "enum": ["running", "completed", "error", "cancelled"]},
            "business_key": {"type": ["string", "null"]},
            "tasks": {"type": "array", "items": _ref("Task")},
            "history": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["id", "process_id", "version", "status", "tasks", "history"],
    },
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "diagflow API", "version": "1"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": {
            "/api/auth/token": {
                "post": {
                    "summary": "Exchange a username and password for a bearer token",
                    "requestBody": _body(
                        {
                            "type": "object",
                            "properties": {"username": {"type": "string"}, "password": {"type": "string"}},
                            "required": ["username", "password"],
                        }
                    ),
                    "responses": {
                        "200": _response("a token", {"type": "object", "properties": {"token": {"type": "string"}}}),
                        "401": ERRORS["401"],
                        "422": _response("invalid body", _ref("InvalidData")),
                        "429": _response("too many wrong passwords: the name is locked for a while", _ref("Error")),
                    },
                }
            },
            "/api/tasks": {
                "get": {
                    "summary": "Tasks the caller may act on",
                    "security": SECURED,
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
                        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                        *INBOX_FILTERS,
                    ],
                    "responses": {
                        "200": _response(
                            "the caller's tasks",
                            {
                                "type": "object",
                                "properties": {"items": {"type": "array", "items": _ref("Task")},
                                               "total": {"type": "integer"},
                                               "total_capped": {
                                                   "type": "boolean",
                                                   "description": "true: more than `total` (1000) tasks match"}},
                            },
                        ),
                        "401": ERRORS["401"],
                        "422": _response("an unknown filter value, named by parameter", _ref("InvalidData")),
                    },
                }
            },
            "/api/tasks/bulk": {
                "post": {
                    "summary": "Claim, assign or complete several tasks; one result per task",
                    "security": SECURED,
                    "requestBody": _body({
                        "type": "object",
                        "properties": {
                            "action": {"type": "string", "enum": ["claim", "assign", "complete"]},
                            "task_ids": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 100},
                            "user_id": {"type": "integer"},
                            "data": {"type": "object"},
                        },
                        "required": ["action", "task_ids"],
                    }),
                    "responses": {
                        "200": _response("each task's result", {"type": "object", "properties": {
                            "results": {"type": "array", "items": {"type": "object"}},
                            "succeeded": {"type": "integer"}}}),
                        "401": ERRORS["401"],
                        "422": _response("invalid request", _ref("InvalidData")),
                    },
                }
            },
            "/api/tasks/{task_id}": {
                "get": {
                    "summary": "One task with its form and data",
                    "security": SECURED,
                    "parameters": [TASK_ID],
                    "responses": {"200": _response("the task", _ref("Task")), **ERRORS,
                                  "409": _response("already completed", _ref("Error"))},
                }
            },
            "/api/tasks/{task_id}/claim": _task_action("Claim a task"),
            "/api/tasks/{task_id}/unclaim": _task_action("Give a claimed task back"),
            "/api/tasks/{task_id}/assign": _task_action(
                "Give the task to a colleague with the same role and scope",
                {"type": "object", "properties": {"user_id": {"type": "integer"}}, "required": ["user_id"]},
            ),
            "/api/tasks/{task_id}/delegate": _task_action(
                "Hand a task I claimed to a colleague with the same role and scope",
                {"type": "object", "properties": {"user_id": {"type": "integer"}}, "required": ["user_id"]},
            ),
            "/api/tasks/{task_id}/return": _task_action("Give a delegated or assigned task back to who held it"),
            "/api/tasks/{task_id}/complete": _task_action(
                "Complete a task with form data",
                {"type": "object", "properties": {"data": {"type": "object"}}, "required": ["data"]},
            ),
            "/api/instances": {
                "post": {
                    "summary": "Start a process instance",
                    "security": SECURED,
                    "requestBody": _body(
                        {
                            "type": "object",
                            "properties": {"process_id": {"type": "string"}, "data": {"type": "object"}},
                            "required": ["process_id"],
                        }
                    ),
                    "responses": {
                        "201": _response("started", {"type": "object", "properties": {"id": {"type": "integer"}}}),
                        **ERRORS,
                        "422": _response("invalid data", _ref("InvalidData")),
                    },
                }
            },
            "/api/instances/{instance_id}": {
                "get": {
                    "summary": "One instance with its tasks and history",
                    "security": SECURED,
                    "parameters": [INSTANCE_ID],
                    "responses": {"200": _response("the instance", _ref("Instance")), **ERRORS},
                }
            },
            "/api/instances/{instance_id}/data": {
                "get": {
                    "summary": "The instance's process data and each completed task's labelled entries "
                               "(experts' entries only for the city bureau)",
                    "security": SECURED,
                    "parameters": [INSTANCE_ID],
                    "responses": {"200": _response("data and entries", {
                        "type": "object",
                        "properties": {"data": {"type": "object"},
                                       "entries": {"type": "array", "items": {"type": "object"}}},
                        "required": ["data", "entries"],
                    }), **ERRORS},
                }
            },
            "/api/instances/{instance_id}/messages": {
                "post": {
                    "summary": "Deliver a message to an instance (city bureau only)",
                    "security": SECURED,
                    "parameters": [INSTANCE_ID],
                    "requestBody": _body({"type": "object", "properties": {"name": {"type": "string"},
                                                                         "payload": {"type": "object"}},
                                          "required": ["name"]}),
                    "responses": {"202": _response("delivered", {"type": "object"}), **ERRORS,
                                  "409": _response("nothing in the instance waits for it", _ref("Error")),
                                  "422": _response("invalid body", _ref("InvalidData"))},
                }
            },
            "/api/processes": {
                "get": {
                    "summary": "Deployed process versions",
                    "security": SECURED,
                    "responses": {"200": _response("versions", {"type": "array", "items": {"type": "object"}}),
                                  "401": ERRORS["401"]},
                }
            },
            "/healthz": {"get": {"summary": "Health", "responses": {"200": _response("ok", {"type": "object"})}}},
            **process_owner_paths(),
            **file_paths(),
        },
    }
