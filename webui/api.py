"""The REST API. Its contract is fixed (issue "Foundation"): extend it, never rename it.

Callers get a bearer token from /api/auth/token; every other endpoint requires one.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from engine.errors import Forbidden, InvalidData
from engine.identity import LockedOut
from engine.task_index import InboxQuery

from .context import engine
from .i18n import content_label
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api")
TOKEN_SALT = "diagflow-api-token"  # noqa: S105 - a salt, not a secret
MAX_OFFSET = 10**9  # larger offsets overflow the databases' integers (found by schemathesis)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=TOKEN_SALT)


def _unauthorized(message: str) -> ResponseReturnValue:
    response = jsonify({"error": message})
    response.headers["WWW-Authenticate"] = 'Bearer realm="diagflow"'
    return response, 401


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return _unauthorized("missing bearer token")
        try:
            payload = _serializer().loads(header[7:].strip(), max_age=current_app.config["API_TOKEN_MAX_AGE"])
        except SignatureExpired:
            return _unauthorized("token expired")
        except BadSignature:
            return _unauthorized("invalid token")
        actor = engine().identity.actor(payload.get("uid")) if isinstance(payload, dict) else None
        if actor is None:
            return _unauthorized("invalid token")
        g.api_actor = actor
        return view(*args, **kwargs)

    return wrapped


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidData({"_body": "request body must be a JSON object"})
    return body


@bp.post("/auth/token")
def issue_token() -> ResponseReturnValue:
    body = _json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise InvalidData({"username": "username and password are required strings"})
    try:
        actor = engine().identity.authenticate(username, password)
    except LockedOut as locked:
        return jsonify({"error": content_label(locked.message)}), 429
    if actor is None:
        return _unauthorized("wrong username or password")
    return jsonify({"token": _serializer().dumps({"uid": actor.user_id})})


@bp.get("/tasks")
@token_required
def list_tasks() -> ResponseReturnValue:
    """My tasks: filters `process`, `stage`, `district`, `due` (soon | overdue), `claim`
    (mine | unassigned), `sort` (created | due | priority), paged by `limit` and `offset`.
    The total is counted up to 1,000: beyond that it is 1000 and `total_capped` is true."""
    limit = min(max(request.args.get("limit", 50, type=int) or 50, 1), 500)
    offset = min(max(request.args.get("offset", 0, type=int) or 0, 0), MAX_OFFSET)
    query = InboxQuery.from_args(request.args)
    page = engine().tasks.page(g.api_actor, limit=limit, offset=offset, query=query)
    return jsonify({"items": page.items, "total": page.total, "total_capped": page.total_capped, "limit": limit,
                    "offset": offset})


@bp.post("/tasks/bulk")
@token_required
def bulk_tasks() -> ResponseReturnValue:
    """Claim, assign or complete several tasks: {"action", "task_ids", "user_id"?, "data"?};
    one result per task, each done (or refused) on its own."""
    body = _json_body()
    results = engine().tasks.bulk(g.api_actor, body.get("action", ""), body.get("task_ids"),
                                  user_id=body.get("user_id"), data=body.get("data"))
    return jsonify({"results": results, "succeeded": sum(r["ok"] for r in results)})


@bp.get("/tasks/<task_id>")
@token_required
def get_task(task_id: str) -> ResponseReturnValue:
    view = engine().tasks.get(g.api_actor, task_id)
    return jsonify(
        view.task
        | {
            "form": {"schema": view.form.schema, "ui_schema": view.form.ui_schema},
            "instructions": view.form.instructions,
            "data": view.data,
        }
    )


@bp.post("/tasks/<task_id>/claim")
@token_required
def claim_task(task_id: str) -> ResponseReturnValue:
    engine().tasks.claim(g.api_actor, task_id)
    return jsonify({"id": task_id, "assignee": g.api_actor.user_id})


@bp.post("/tasks/<task_id>/unclaim")
@token_required
def unclaim_task(task_id: str) -> ResponseReturnValue:
    engine().tasks.unclaim(g.api_actor, task_id)
    return jsonify({"id": task_id, "assignee": None})


@bp.post("/tasks/<task_id>/assign")
@token_required
def assign_task(task_id: str) -> ResponseReturnValue:
    user_id = _json_body().get("user_id")
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise InvalidData({"user_id": "user_id must be an integer"})
    engine().tasks.assign(g.api_actor, task_id, user_id)
    return jsonify({"id": task_id, "assignee": user_id})


@bp.post("/tasks/<task_id>/delegate")
@token_required
def delegate_task(task_id: str) -> ResponseReturnValue:
    """Hand a task I have claimed to a colleague of my role and scope."""
    user_id = _json_body().get("user_id")
    engine().tasks.delegate(g.api_actor, task_id, user_id)
    return jsonify({"id": task_id, "assignee": user_id})


@bp.post("/tasks/<task_id>/return")
@token_required
def return_task(task_id: str) -> ResponseReturnValue:
    """Give a task delegated or assigned to me back to whoever held it before."""
    engine().tasks.give_back(g.api_actor, task_id)
    return jsonify({"id": task_id, "returned": True})


@bp.post("/tasks/<task_id>/complete")
@token_required
def complete_task(task_id: str) -> ResponseReturnValue:
    body = _json_body()
    engine().tasks.complete(g.api_actor, task_id, body.get("data"))
    return jsonify({"id": task_id, "state": "completed"})


@bp.post("/instances")
@token_required
def start_instance() -> ResponseReturnValue:
    body = _json_body()
    process_id = body.get("process_id")
    if not isinstance(process_id, str) or not process_id:
        raise InvalidData({"process_id": "process_id is required"})
    data = body.get("data") or {}
    if not isinstance(data, dict):
        raise InvalidData({"data": "data must be a JSON object"})
    instance_id = engine().instances.start(process_id, g.api_actor, data)
    return jsonify({"id": instance_id}), 201


@bp.get("/instances/<int:instance_id>")
@token_required
def get_instance(instance_id: int) -> ResponseReturnValue:
    return jsonify(engine().instances.get(g.api_actor, instance_id))


@bp.get("/instances/<int:instance_id>/data")
@token_required
def get_instance_data(instance_id: int) -> ResponseReturnValue:
    """The latest process data (without experts' entries for anyone but the city bureau) and the
    entries of each completed task, labelled by its form, as the history shows them."""
    service = engine().instances
    return jsonify({"data": service.data(g.api_actor, instance_id),
                    "entries": service.entries(g.api_actor, instance_id)})


@bp.post("/instances/<int:instance_id>/messages")
@token_required
def send_message(instance_id: int) -> ResponseReturnValue:
    """Deliver a message (a revocation, a fraud finding) to an instance: city bureau only."""
    body = _json_body()
    name, payload = body.get("name"), body.get("payload") or {}
    if not isinstance(name, str) or not name:
        raise InvalidData({"name": "name is required"})
    if not isinstance(payload, dict):
        raise InvalidData({"payload": "payload must be a JSON object"})
    if g.api_actor.role != "city_bureau":
        raise Forbidden("only the city bureau sends messages to instances")
    engine().instances.get(g.api_actor, instance_id)
    engine().messages.send(g.api_actor, instance_id, name, payload)
    return jsonify({"id": instance_id, "delivered": name}), 202


@bp.get("/processes")
@token_required
def list_processes() -> ResponseReturnValue:
    return jsonify(engine().repository.list_versions())


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(document())
