"""The process owner's REST API as the city bureau: drafts (saved with errors, stale saves
refused), validation, deployment with a change summary, versions, export, the catalogue."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.modelkit import linear_model, note_form, timer, user_task
from tests.webui.test_api import Api


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

    stale = api.call("PUT", "city", "/api/processes/owner_demo/draft", {"revision": 1, "bpmn": broken, "forms": NOTE})
    assert stale.status_code == 409 and stale.json["current_revision"] == 2
    refused = api.call("POST", "city", "/api/processes/owner_demo/deploy", {"revision": 2})
    assert refused.status_code == 422 and refused.json["ok"] is False
    assert refused.json["errors"][0]["element_id"] == "wait"

    fixed = owner_model("owner_demo", user_task("t", "任务", "note"), timer("wait", '"P5D"', "timeDuration"))
    assert api.call("PUT", "city", "/api/processes/owner_demo/draft",
                    {"revision": 2, "bpmn": fixed, "forms": NOTE}).json == {"revision": 3, "errors": []}
    deployed = api.call("POST", "city", "/api/processes/owner_demo/deploy", {"revision": 3})
    assert deployed.status_code == 201 and deployed.json["version"] == 1
    assert {"t", "wait", "forms/note.schema.json"} <= set(deployed.json["summary"]["added"])

    draft = api.call("GET", "city", "/api/processes/owner_demo/draft").json
    assert (draft["revision"], draft["base_version"], draft["forms"]) == (3, 1, NOTE)


def test_draft_of_a_deployed_process_round_trips_to_the_same_version(api: Api) -> None:
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


def test_validate_answers_every_bad_file_without_a_server_error(api: Api) -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    for name, data in [("bomb.bpmn", bomb), ("photo.bpmn", b"\x89PNG\r\n"), ("tier.dmn", b"<x/>"),
                       ("empty.zip", b"PK")]:
        answer = api.client.post("/api/processes/validate", data={"file": [(io.BytesIO(data), name)]},
                                 headers=_auth(api, "city"))
        assert answer.status_code == 200 and answer.json["ok"] is False, (name, answer.json)
    deployed = api.client.post("/api/processes/deploy", data={"files": [(io.BytesIO(bomb), "bomb.bpmn")]},
                               headers=_auth(api, "city"))
    assert deployed.status_code == 422 and deployed.json["ok"] is False
    good = api.call("POST", "city", "/api/processes/validate",
                    {"bpmn": owner_model("ok", user_task("t", "任务", "note")), "forms": NOTE})
    assert good.json == {"ok": True, "errors": []}


def test_process_owner_endpoints_are_city_bureau_only(api: Api) -> None:
    for user in ("lixia_bureau", "city_finance", "provider_a"):
        assert api.call("GET", user, "/api/modeler/catalogue").status_code == 403
        assert api.call("GET", user, "/api/processes/diagnosis_project/draft").status_code == 403
    catalogue = api.call("GET", "city", "/api/modeler/catalogue").json
    assert {"key": "district_bureau", "label": "区县工信主管部门"} in catalogue["roles"]
    assert "filing.record" in catalogue["operators"]
    functions = {f["name"]: f for f in catalogue["functions"]}
    assert functions["add_working_days"]["signature"].startswith("add_working_days(")
    assert catalogue["messages"]
