"""The REST API contract, as the demo users: happy path, loop, errors, scope."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from engine.models import AuditEvent, Instance, TaskIndexRow
from tests.support import ASSESSMENT, FILING, REPORT

TASK_FIELDS = {"id", "instance_id", "process_id", "bpmn_id", "name", "role", "district", "assignee", "state",
               "created_at", "due_at"}


class Api:
    """A test client that signs in through /api/auth/token and remembers the token per user."""

    def __init__(self, client, password: str) -> None:
        self.client = client
        self.password = password
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.client.post("/api/auth/token", json={"username": username, "password": self.password})
            assert response.status_code == 200, response.json
            self.tokens[username] = response.json["token"]
        return self.tokens[username]

    def call(self, method: str, username: str | None, path: str, json: Any = None):  # noqa: ANN201
        headers = {"Authorization": f"Bearer {self.token(username)}"} if username else {}
        return self.client.open(path, method=method, json=json, headers=headers)

    def tasks(self, username: str) -> list[dict[str, Any]]:
        response = self.call("GET", username, "/api/tasks")
        assert response.status_code == 200
        return response.json["items"]

    def only_task(self, username: str, bpmn_id: str, instance_id: int) -> dict[str, Any]:
        found = [t for t in self.tasks(username) if t["bpmn_id"] == bpmn_id and t["instance_id"] == instance_id]
        assert len(found) == 1, self.tasks(username)
        return found[0]

    def complete(self, username: str, bpmn_id: str, instance_id: int, data: dict[str, Any]):  # noqa: ANN201
        task = self.only_task(username, bpmn_id, instance_id)
        return self.call("POST", username, f"/api/tasks/{task['id']}/complete", {"data": data})

    def start(self, username: str) -> int:
        response = self.call("POST", username, "/api/instances", {"process_id": "diagnosis_project", "data": {}})
        assert response.status_code == 201, response.json
        return response.json["id"]


@pytest.fixture
def api(app, demo_password: str) -> Api:
    return Api(app.test_client(), demo_password)


def enterprise_id(api: Api, name: str = "济南明泉精密机械有限公司") -> int:
    task = api.tasks("provider_a")[0]
    schema = api.call("GET", "provider_a", f"/api/tasks/{task['id']}").json["form"]["schema"]
    options = schema["properties"]["enterprise_id"]["oneOf"]
    return next(o["const"] for o in options if o["title"].startswith(name))


def filed_project(api: Api, enterprise: str = "济南明泉精密机械有限公司") -> int:
    instance_id = api.start("provider_a")
    data = FILING | {"enterprise_id": enterprise_id(api, enterprise)}
    assert api.complete("provider_a", "file_contract", instance_id, data).status_code == 200
    return instance_id


def test_happy_path_and_return_loop_through_the_api(api: Api) -> None:
    instance_id = filed_project(api)
    assert api.complete("enterprise_a", "confirm_filing", instance_id, {"enterprise_confirmed": True}).status_code == 200
    returned = {"filing_decision": "return", "review_comment": "请补充合同扫描件"}
    assert api.complete("lixia_bureau", "review_filing", instance_id, returned).status_code == 200

    task = api.only_task("provider_a", "file_contract", instance_id)
    detail = api.call("GET", "provider_a", f"/api/tasks/{task['id']}").json
    assert set(detail) >= TASK_FIELDS
    assert detail["data"]["review_comment"] == "请补充合同扫描件"
    assert detail["form"]["schema"]["properties"]["contract_no"]["title"] == "合同编号"

    resubmitted = FILING | {"enterprise_id": detail["data"]["enterprise_id"], "contract_no": "JNZD-2026-001-R"}
    assert api.complete("provider_a", "file_contract", instance_id, resubmitted).status_code == 200
    assert api.complete("enterprise_a", "confirm_filing", instance_id, {"enterprise_confirmed": True}).status_code == 200
    accepted = {"filing_decision": "accept"}
    assert api.complete("lixia_bureau", "review_filing", instance_id, accepted).status_code == 200
    assert api.complete("provider_a", "submit_report", instance_id, REPORT).status_code == 200
    assert api.complete("enterprise_a", "confirm_assessment", instance_id, ASSESSMENT).status_code == 200

    instance = api.call("GET", "provider_a", f"/api/instances/{instance_id}").json
    assert instance["status"] == "completed"
    assert instance["process_id"] == "diagnosis_project" and instance["version"] == 1
    assert instance["tasks"] == []
    completed = [h["element_id"] for h in instance["history"] if h["action"] == "task_completed"]
    assert completed == ["file_contract", "confirm_filing", "review_filing", "file_contract", "confirm_filing",
                         "review_filing", "submit_report", "confirm_assessment"]


def snapshot(app, instance_id: int) -> tuple:
    engine = app.extensions["diagflow"]
    with engine.sessions() as session:
        instance = session.get(Instance, instance_id)
        tasks = session.scalars(select(TaskIndexRow).where(TaskIndexRow.instance_id == instance_id)).all()
        events = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id)).all()
        return (
            instance.serialized, instance.lock_version, instance.status,
            [(t.task_uuid, t.bpmn_id, t.assignee_id, t.district) for t in tasks],
            [(e.id, e.action) for e in events],
        )


def test_invalid_submission_is_422_and_changes_nothing(app, api: Api) -> None:
    instance_id = api.start("provider_a")
    before = snapshot(app, instance_id)
    bad = FILING | {
        "enterprise_id": 999999,
        "contract_amount": -5,
        "working_group": [{"name": "张伟", "position": "组长", "phone": "12345"}],
    }
    bad.pop("contract_no")
    response = api.complete("provider_a", "file_contract", instance_id, bad)
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) == {"enterprise_id", "contract_amount", "working_group.0.phone", "contract_no"}
    assert errors["contract_no"] == "请填写此项"
    assert snapshot(app, instance_id) == before


@pytest.mark.parametrize(
    "payload, field",
    [({"data": "text"}, "_form"), ({"data": {"typename": "x"}}, "typename"), ({}, "_form")],
)
def test_malformed_payloads_are_422_not_500(api: Api, payload: dict, field: str) -> None:
    instance_id = api.start("provider_a")
    task = api.only_task("provider_a", "file_contract", instance_id)
    response = api.call("POST", "provider_a", f"/api/tasks/{task['id']}/complete", payload)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_district_bureau_sees_only_its_district(api: Api) -> None:
    licheng_project = filed_project(api, "济南华山新材料股份有限公司")
    assert api.complete("enterprise_b", "confirm_filing", licheng_project, {"enterprise_confirmed": True}).status_code == 200
    task = api.only_task("licheng_bureau", "review_filing", licheng_project)

    assert all(t["instance_id"] != licheng_project for t in api.tasks("lixia_bureau"))
    assert api.call("GET", "lixia_bureau", f"/api/tasks/{task['id']}").status_code == 403
    assert api.call("POST", "lixia_bureau", f"/api/tasks/{task['id']}/claim").status_code == 403
    forbidden = api.call("POST", "lixia_bureau", f"/api/tasks/{task['id']}/complete", {"data": {"filing_decision": "accept"}})
    assert forbidden.status_code == 403
    assert api.call("GET", "lixia_bureau", f"/api/instances/{licheng_project}").status_code == 403
    assert api.call("GET", "licheng_bureau", f"/api/instances/{licheng_project}").status_code == 200


def test_provider_sees_only_its_own_projects(api: Api) -> None:
    instance_id = api.start("provider_a")
    task = api.only_task("provider_a", "file_contract", instance_id)
    assert all(t["instance_id"] != instance_id for t in api.tasks("provider_b"))
    assert api.call("GET", "provider_b", f"/api/tasks/{task['id']}").status_code == 403
    assert api.call("GET", "provider_b", f"/api/instances/{instance_id}").status_code == 403
    assert api.call("GET", "enterprise_b", f"/api/instances/{instance_id}").status_code == 403


def test_claim_unclaim_and_completed_task_conflicts(api: Api) -> None:
    instance_id = api.start("provider_a")
    task = api.only_task("provider_a", "file_contract", instance_id)
    assert api.call("POST", "provider_a", f"/api/tasks/{task['id']}/claim").status_code == 200
    assert api.only_task("provider_a", "file_contract", instance_id)["assignee"] is not None
    assert api.call("POST", "provider_a", f"/api/tasks/{task['id']}/unclaim").status_code == 200
    assert api.call("POST", "provider_a", f"/api/tasks/{task['id']}/unclaim").status_code == 409
    data = FILING | {"enterprise_id": enterprise_id(api)}
    assert api.call("POST", "provider_a", f"/api/tasks/{task['id']}/complete", {"data": data}).status_code == 200
    again = api.call("POST", "provider_a", f"/api/tasks/{task['id']}/complete", {"data": data})
    assert again.status_code == 409
    assert api.call("GET", "provider_a", f"/api/tasks/{task['id']}").status_code == 409


def test_only_the_starter_role_may_start(api: Api) -> None:
    response = api.call("POST", "lixia_bureau", "/api/instances", {"process_id": "diagnosis_project"})
    assert response.status_code == 403
    assert api.call("POST", "provider_a", "/api/instances", {"process_id": "nope"}).status_code == 404
    assert api.call("POST", "provider_a", "/api/instances", {"data": {}}).status_code == 422


def test_authentication_errors(api: Api) -> None:
    assert api.client.get("/api/tasks").status_code == 401
    assert api.client.get("/api/tasks", headers={"Authorization": "Bearer forged"}).status_code == 401
    wrong = api.client.post("/api/auth/token", json={"username": "city", "password": "wrong"})
    assert wrong.status_code == 401 and "error" in wrong.json
    assert api.client.post("/api/auth/token", data="not json").status_code == 422
    assert api.call("GET", "city", "/api/tasks/00000000-0000-0000-0000-000000000000").status_code == 404
    assert api.call("GET", "city", "/api/instances/424242").status_code == 404


def test_processes_health_and_openapi(api: Api) -> None:
    processes = {p["process_id"]: p for p in api.call("GET", "city", "/api/processes").json}
    assert processes["diagnosis_project"]["version"] == 1 and len(processes["diagnosis_project"]["sha256"]) == 64
    health = api.client.get("/healthz")
    assert health.status_code == 200 and health.json["status"] == "ok"
    document = api.client.get("/api/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert {"/api/tasks", "/api/tasks/{task_id}/complete", "/api/instances"} <= set(document["paths"])


def test_assign_through_the_api(app, api: Api) -> None:
    engine = app.extensions["diagflow"]
    organisation = engine.identity.authenticate("provider_a", api.password).organisation_id
    colleague = engine.identity.ensure_user("provider_a_2", "a-long-password-2026", "同事", "provider",
                                            organisation_id=organisation)
    instance_id = api.start("provider_a")
    task = api.only_task("provider_a", "file_contract", instance_id)
    assert api.call("POST", "provider_a", f"/api/tasks/{task['id']}/assign", {"user_id": "x"}).status_code == 422
    outsider = engine.identity.authenticate("provider_b", api.password).user_id
    assert api.call("POST", "provider_a", f"/api/tasks/{task['id']}/assign", {"user_id": outsider}).status_code == 422
    done = api.call("POST", "provider_a", f"/api/tasks/{task['id']}/assign", {"user_id": colleague})
    assert done.status_code == 200
    assert api.only_task("provider_a", "file_contract", instance_id)["assignee"] == colleague


def test_messages_through_the_api_are_for_the_city_bureau(api: Api) -> None:
    instance_id = api.start("provider_a")
    refused = api.call("POST", "provider_a", f"/api/instances/{instance_id}/messages", {"name": "x"})
    assert refused.status_code == 403
    nothing_waits = api.call("POST", "city", f"/api/instances/{instance_id}/messages", {"name": "revoked"})
    assert nothing_waits.status_code == 409 and "没有等待消息" in nothing_waits.json["error"]
    assert api.call("POST", "city", f"/api/instances/{instance_id}/messages", {"payload": {}}).status_code == 422
