"""The process owner's REST API as the city bureau: drafts (saved with errors, stale saves
refused), validation, deployment with a change summary, versions, export, the catalogue."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest

from tests.modelkit import HEADER, linear_model, note_form, script_task, timer, user_task
from tests.support import Scenario
from tests.webui.test_api import Api
from tests.webui.test_pages import csrf_token, sign_in


@pytest.fixture
def api(app, demo_password: str) -> Api:
    return Api(app.test_client(), demo_password)


def owner_model(process_id: str, *steps) -> str:
    return linear_model(process_id, "city_bureau", list(steps), starter_roles="city_bureau").decode()


NOTE = {"note.schema.json": json.loads(note_form())}


def test_draft_saves_with_errors_refuses_stale_saves_and_deploys(api: Api) -> None:
    created = api.call("PUT", "city", "/api/processes/owner_demo/draft", {
        "revision": 0, "bpmn": owner_model("owner_demo", user_task("t", "任务", "note")), "forms": NOTE})
    assert created.status_code == 200 and created.json == {"revision": 1, "errors": []}

    broken = owner_model("owner_demo", user_task("t", "任务", "note"), timer("wait", "P5D", "timeDuration"))
    saved = api.call("PUT", "city", "/api/processes/owner_demo/draft", {"revision": 1, "bpmn": broken, "forms": NOTE})
    assert saved.status_code == 200 and saved.json["revision"] == 2
    assert [e["element_id"] for e in saved.json["errors"]] == ["wait"]
    assert '的定时器表达式 P5D 未加引号：请写成 "P5D"' in saved.json["errors"][0]["message"]

    stale = api.call("PUT", "city", "/api/processes/owner_demo/draft", {"revision": 1, "bpmn": broken, "forms": NOTE})
    assert stale.status_code == 409 and stale.json["current_revision"] == 2
    refused = api.call("POST", "city", "/api/processes/owner_demo/deploy", {"revision": 2})
    assert refused.status_code == 422 and refused.json["ok"] is False
    assert refused.json["errors"][0]["element_id"] == "wait"
    assert refused.json["error"].startswith("模型不能发布：wait：")

    fixed = owner_model("owner_demo", user_task("t", "任务", "note"), timer("wait", '"P5D"', "timeDuration"))
    assert api.call("PUT", "city", "/api/processes/owner_demo/draft",
                    {"revision": 2, "bpmn": fixed, "forms": NOTE}).json == {"revision": 3, "errors": []}
    deployed = api.call("POST", "city", "/api/processes/owner_demo/deploy", {"revision": 3})
    assert deployed.status_code == 201 and deployed.json["version"] == 1
    assert {"t", "wait", "forms/note.schema.json"} <= set(deployed.json["summary"]["added"])

    draft = api.call("GET", "city", "/api/processes/owner_demo/draft").json
    assert (draft["revision"], draft["base_version"], draft["forms"]) == (3, 1, NOTE)

    # A deployed process's draft is made from its newest version and deploys as that version again.
    draft = api.call("GET", "city", "/api/processes/diagnosis_project/draft").json
    assert draft["revision"] == 1 and draft["base_version"] == 1 and "file_contract.schema.json" in draft["forms"]
    again = api.call("POST", "city", "/api/processes/diagnosis_project/deploy", {"revision": 1})
    assert again.status_code == 201
    assert again.json == {"process_id": "diagnosis_project", "version": 1,
                          "summary": {"added": [], "removed": [], "changed": []}}


def test_upload_deploys_a_new_version_with_a_summary_and_exports_it(api: Api) -> None:
    v1 = owner_model("owner_up", user_task("t", "任务", "note"))
    files = {"files": [(io.BytesIO(v1.encode()), "owner_up.bpmn"), (io.BytesIO(note_form()), "note.schema.json")]}
    first = api.client.post("/api/processes/deploy", data=files, headers=_auth(api, "city"))
    assert first.status_code == 201 and first.json["version"] == 1

    v2 = owner_model("owner_up", user_task("t", "任务（新）", "note"), user_task("t2", "复核", "note"))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("owner_up/owner_up.bpmn", v2)
        z.writestr("owner_up/forms/note.schema.json", note_form())
    archive.seek(0)
    second = api.client.post("/api/processes/deploy", data={"files": [(archive, "owner_up.zip")]},
                             headers=_auth(api, "city"))
    assert second.status_code == 201 and second.json["version"] == 2
    summary = second.json["summary"]
    assert "t2" in summary["added"] and "t" in summary["changed"] and "flow_1" in summary["changed"]
    assert summary["removed"] == [] and "start" not in summary["changed"]

    versions = api.call("GET", "city", "/api/processes/owner_up/versions").json
    assert [(v["version"], v["deployed_by"]) for v in versions] == [(1, "city"), (2, "city")]
    assert versions[1]["summary"] == summary

    exported = api.call("GET", "city", "/api/processes/owner_up/versions/2/export")
    assert exported.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(exported.data)).namelist()
    assert sorted(names) == ["owner_up/forms/note.schema.json", "owner_up/owner_up.bpmn"]


def _auth(api: Api, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.token(user)}"}


EXPECTED_REFUSAL = {"bomb.bpmn": "bomb.bpmn：不允许使用 DTD 和实体声明", "photo.bpmn": "photo.bpmn：不是格式正确的 XML",
                    "tier.dmn": "不是 DMN 决策文件（没有含 decision 的 dmn:definitions）", "empty.zip": "不是可读取的 zip 文件"}


def test_validate_answers_every_bad_file_without_a_server_error(api: Api) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    for name, data in [("bomb.bpmn", bomb), ("photo.bpmn", b"\x89PNG\r\n"), ("tier.dmn", b"<x/>"),
                       ("empty.zip", b"PK")]:
        answer = api.client.post("/api/processes/validate", data={"file": [(io.BytesIO(data), name)]},
                                 headers=_auth(api, "city"))
        assert answer.status_code == 200 and answer.json["ok"] is False, (name, answer.json)
        assert answer.json["errors"][0]["element_id"] == name, answer.json
        assert EXPECTED_REFUSAL[name] in answer.json["errors"][0]["message"], answer.json
    deployed = api.client.post("/api/processes/deploy", data={"files": [(io.BytesIO(bomb), "bomb.bpmn")]},
                               headers=_auth(api, "city"))
    assert deployed.status_code == 422 and deployed.json["ok"] is False
    good = api.call("POST", "city", "/api/processes/validate",
                    {"bpmn": owner_model("ok", user_task("t", "任务", "note")), "forms": NOTE})
    assert good.json == {"ok": True, "errors": []}


def test_process_owner_endpoints_are_city_bureau_only_and_documented(app, api: Api) -> None:
    for user in ("lixia_bureau", "city_finance", "provider_a"):
        assert api.call("GET", user, "/api/modeler/catalogue").status_code == 403
        assert api.call("GET", user, "/api/processes/diagnosis_project/draft").status_code == 403
    catalogue = api.call("GET", "city", "/api/modeler/catalogue").json
    assert {"key": "district_bureau", "label": "区县工信主管部门"} in catalogue["roles"]
    assert "filing.record" in catalogue["operators"]
    functions = {f["name"]: f for f in catalogue["functions"]}
    assert functions["add_working_days"]["signature"].startswith("add_working_days(")
    assert catalogue["messages"]
    documented = api.client.get("/api/openapi.json").json["paths"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api_processes."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            assert set(rule.methods) - {"HEAD", "OPTIONS"} <= {m.upper() for m in documented.get(path, {})}, path


def deploy(engine, process_id: str, *steps) -> None:
    model = linear_model(process_id, "city_bureau", list(steps), starter_roles="city_bureau")
    engine.repository.deploy(process_id, {f"{process_id}.bpmn": model, "forms/note.schema.json": note_form()}, "t")


def start(api: Api, process_id: str) -> int:
    response = api.call("POST", "city", "/api/instances", {"process_id": process_id})
    assert response.status_code == 201, response.json
    return response.json["id"]


def complete(api: Api, instance_id: int, bpmn_id: str, data: dict) -> int:
    task = api.only_task("city", bpmn_id, instance_id)
    return api.call("POST", "city", f"/api/tasks/{task['id']}/complete", {"data": data}).status_code


def status(api: Api, instance_id: int) -> str:
    return api.call("GET", "city", f"/api/instances/{instance_id}").json["status"]


def test_incident_is_listed_and_retried_after_the_model_is_fixed(app, api: Api) -> None:
    engine = app.extensions["diagflow"]
    deploy(engine, "ops", user_task("enter", "录入", "note"), script_task("calc", "count = int(note)"))
    instance_id = start(api, "ops")
    assert complete(api, instance_id, "enter", {"note": "十二"}) == 200
    (incident,) = api.call("GET", "city", "/api/incidents").json
    assert (incident["instance_id"], incident["element_id"]) == (instance_id, "calc")
    assert "invalid literal" in incident["message"]
    client = app.test_client()
    sign_in(client, "city", api.password)
    listing = client.get("/admin/processes").get_data(as_text=True)
    assert f'/admin/instances/{instance_id}/retry' in listing and "invalid literal" in listing

    again = api.call("POST", "city", f"/api/instances/{instance_id}/retry")
    assert again.json == {"id": instance_id, "status": "error"}
    assert api.call("POST", "provider_a", f"/api/instances/{instance_id}/retry").status_code == 403

    deploy(engine, "ops", user_task("enter", "录入", "note"), script_task("calc", "count = len(note)"))
    moved = api.call("POST", "city", "/api/processes/ops/migration", {"from_version": 1, "to_version": 2})
    assert moved.json["results"] == [{"instance_id": instance_id, "migrated": True, "reasons": []}]
    assert api.call("POST", "city", f"/api/instances/{instance_id}/retry").json["status"] == "completed"
    assert api.call("GET", "city", "/api/incidents").json == []
    actions = [h["action"] for h in api.call("GET", "city", f"/api/instances/{instance_id}").json["history"]]
    assert actions.count("incident_retried") == 2 and "instance_migrated" in actions


def test_suspended_instance_neither_completes_nor_fires_timers_until_resumed(app, api: Api, clock) -> None:
    engine = app.extensions["diagflow"]
    deploy(engine, "held", timer("pause", '"PT1H"', "timeDuration"), user_task("t", "办理", "note"))
    held, other = start(api, "held"), start(api, "held")
    assert api.call("POST", "city", f"/api/instances/{held}/suspend", {"reason": "核查中"}).status_code == 200
    clock.advance(timedelta(hours=2))
    assert api.call("GET", "city", "/api/processes/held/versions/1/monitor").json["elements"]["pause"]["active"] == 2
    assert engine.timers.sweep() == 1
    assert api.tasks("city") and not [t for t in api.tasks("city") if t["instance_id"] == held]

    assert api.call("POST", "city", f"/api/instances/{held}/resume").json == {"id": held, "status": "running"}
    clock.advance(timedelta(days=3))
    figures = api.call("GET", "city", "/api/processes/held/versions/1/monitor").json["elements"]
    assert figures == {"t": {"active": 2, "avg_working_days": 3.0}}
    assert api.call("POST", "city", f"/api/instances/{held}/suspend").status_code == 200
    assert complete(api, held, "t", {}) == 409
    assert api.call("POST", "city", f"/api/instances/{held}/resume").status_code == 200
    assert complete(api, held, "t", {}) == 200 and status(api, held) == "completed"

    assert api.call("POST", "city", f"/api/instances/{other}/cancel", {"reason": "重复发起"}).status_code == 200
    assert status(api, other) == "cancelled" and not [t for t in api.tasks("city") if t["instance_id"] == other]
    assert api.call("POST", "city", f"/api/instances/{other}/resume").status_code == 409


def test_stuck_instances_are_listed_and_the_pages_act_with_csrf(app, api: Api, demo_password: str) -> None:
    engine = app.extensions["diagflow"]
    engine.repository.deploy("deadlock", {"deadlock.bpmn": deadlock_model()}, "t")
    city = Scenario(engine).actor("city")
    instance_id = engine.instances.start("deadlock", city)
    (stuck,) = api.call("GET", "city", "/api/instances/stuck").json
    assert (stuck["instance_id"], stuck["elements"]) == (instance_id, ["join"])
    client = app.test_client()
    sign_in(client, "city", demo_password)
    listing = client.get("/admin/processes").get_data(as_text=True)
    assert "停滞实例 <span class=\"count\">1</span>" in listing
    page = client.get("/admin/processes/deadlock").get_data(as_text=True)
    assert 'data-active="join"' in page and "&#34;join&#34;: {&#34;active&#34;: 1" in page and "第 1 版" in page
    action = f"/admin/instances/{instance_id}/suspend"
    assert client.post(action, data={"next": "/admin/processes/deadlock"}).status_code == 400
    done = client.post(action, data={"csrf_token": csrf_token(page), "next": "/admin/processes/deadlock"})
    assert done.status_code == 302 and done.headers["Location"] == "/admin/processes/deadlock"
    assert engine.instances.get(city, instance_id)["status"] == "suspended"
    answer = client.post("/admin/processes/deadlock/migration",
                         data={"csrf_token": csrf_token(page), "from_version": "1", "to_version": "1"})
    assert answer.status_code == 422


def test_metrics_need_the_token_or_the_city_bureau(app, api: Api, clock, demo_password: str) -> None:
    engine = app.extensions["diagflow"]
    app.config["METRICS_TOKEN"] = "scrape-secret"
    deploy(engine, "metered", user_task("t", "办理", "note"), timer("pause", '"PT1H"', "timeDuration"))
    done, waiting = start(api, "metered"), start(api, "metered")
    assert complete(api, done, "t", {}) == 200 and complete(api, waiting, "t", {}) == 200
    clock.advance(timedelta(hours=3))
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    before = _sample(client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).text,
                     "diagflow_sweep_duration_seconds_count")
    engine.timers.sweep()
    text = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).text
    assert _sample(text, 'diagflow_instances_started_total{process_id="metered"}') == 2
    assert _sample(text, 'diagflow_tasks_completed_total{process_id="metered"}') == 2
    assert _sample(text, 'diagflow_instances_completed_total{process_id="metered"}') == 2
    assert _sample(text, "diagflow_sweep_duration_seconds_count") == before + 1
    assert _sample(text, "diagflow_timer_lag_seconds") == 0

    deploy(engine, "late", timer("pause", '"PT1H"', "timeDuration"))
    start(api, "late")
    clock.advance(timedelta(hours=1, minutes=30))
    text = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).text
    assert _sample(text, "diagflow_timer_lag_seconds") == 1800
    sign_in(client, "provider_a", demo_password)
    assert client.get("/metrics").status_code == 403
    sign_in(client, "city", demo_password)
    assert client.get("/metrics").status_code == 200


def _sample(text: str, name: str) -> float:
    (line,) = [line for line in text.splitlines() if line.startswith(name + " ")]
    return float(line.split()[-1])


def deadlock_model() -> bytes:
    """start → exclusive split (only one branch taken) → two tasks → parallel join → end: the
    join waits forever for the branch that was not taken (a modelling error)."""
    nodes = [("startEvent", "start", 0, 1), ("exclusiveGateway", "split", 1, 1), ("scriptTask", "a", 2, 0),
             ("scriptTask", "b", 2, 2), ("parallelGateway", "join", 3, 1), ("endEvent", "end", 4, 1)]
    flows = [("f1", "start", "split", ""), ("f2", "split", "a", "True"), ("f3", "split", "b", "False"),
             ("f4", "a", "join", ""), ("f5", "b", "join", ""), ("f6", "join", "end", "")]
    xml = [HEADER.format(pid="deadlock"),
           '<bpmn:collaboration id="collab"><bpmn:participant id="pool" processRef="deadlock"/></bpmn:collaboration>',
           '<bpmn:process id="deadlock" isExecutable="true"><bpmn:laneSet id="lanes">'
           '<bpmn:lane id="lane" name="city_bureau">',
           *[f"<bpmn:flowNodeRef>{node_id}</bpmn:flowNodeRef>" for _, node_id, _, _ in nodes], "</bpmn:lane></bpmn:laneSet>"]
    for tag, node_id, _, _ in nodes:
        incoming = "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f, _, t, _ in flows if t == node_id)
        outgoing = "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f, s, _, _ in flows if s == node_id)
        script = "<bpmn:script>done = True</bpmn:script>" if tag == "scriptTask" else ""
        xml.append(f'<bpmn:{tag} id="{node_id}">{incoming}{outgoing}{script}</bpmn:{tag}>')
    for flow_id, source, target, condition in flows:
        body = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
        xml.append(f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{body}</bpmn:sequenceFlow>')
    xml.append('</bpmn:process><bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="plane" bpmnElement="collab">')
    xml.append('<bpmndi:BPMNShape id="pool_di" bpmnElement="pool"><dc:Bounds x="0" y="0" width="900" height="400"/></bpmndi:BPMNShape>')
    xml.append('<bpmndi:BPMNShape id="lane_di" bpmnElement="lane"><dc:Bounds x="30" y="0" width="870" height="400"/></bpmndi:BPMNShape>')
    centre = {node_id: (100 + 160 * col, 60 + 120 * row) for _, node_id, col, row in nodes}
    for _, node_id, _, _ in nodes:
        x, y = centre[node_id]
        xml.append(f'<bpmndi:BPMNShape id="{node_id}_di" bpmnElement="{node_id}"><dc:Bounds x="{x - 40}" y="{y - 30}" width="80" height="60"/></bpmndi:BPMNShape>')
    for flow_id, source, target, _ in flows:
        (x1, y1), (x2, y2) = centre[source], centre[target]
        xml.append(f'<bpmndi:BPMNEdge id="{flow_id}_di" bpmnElement="{flow_id}"><di:waypoint x="{x1}" y="{y1}"/><di:waypoint x="{x2}" y="{y2}"/></bpmndi:BPMNEdge>')
    xml.append("</bpmndi:BPMNPlane></bpmndi:BPMNDiagram></bpmn:definitions>")
    return "\n".join(xml).encode()
