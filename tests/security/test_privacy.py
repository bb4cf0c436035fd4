"""Who may read what: a diagnosis report only by its enterprise, its provider, its district's bureau
and the city bureau; an objector's identity only by the city bureau, and only on the objection's
own page. Checked for every demo user and anonymous across the pages and the API, including the
instance data endpoint, the task views and the audit export.

The finance roles (city and district) act on money, not on reports: they see neither.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.demo import DEMO_PASSWORD, USERS
from engine.records.plans import Objection
from tests.support import REPORT, Scenario
from tests.support_plan import announcement_of, at
from tests.webui.test_public import PERSON, announce_plan, submit

ANONYMOUS = "anonymous"
FINDINGS = "隐私核查：该企业的诊断发现仅限相关方查阅 Q7X"
REPORT_READERS = {"enterprise_a", "provider_a", "lixia_bureau", "city", "city_leader"}
CITY_BUREAU = {"city", "city_leader"}
OBJECTOR_SECRETS = (PERSON["person_name"], PERSON["id_number"], PERSON["person_phone"])
OBJECTOR_PAGES = ("/objections", "/objections/{objection}", "/attachments/{scan}")
URLS = [
    "/api/instances/{project}", "/instances/{project}", "/exports/instances/{project}/audit.csv",
    "/api/tasks/{assessment}", "/tasks/{assessment}", "/api/tasks", "/instances",
    "/api/instances/{plan}", "/instances/{plan}", "/exports/instances/{plan}/audit.csv",
    "/api/tasks/{objection_task}", "/tasks/{objection_task}", "/public/announcements/{announcement}",
    *OBJECTOR_PAGES,
]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(module_app) -> dict[str, Any]:
    """A 历下区 project whose report waits for the enterprise's confirmation, and an announced
    plan with one real-name objection waiting for the city bureau."""
    engine = module_app.extensions["diagflow"]
    at(engine.clock, "2026-02-10T09:00:00+08:00")
    plan = announce_plan(engine, "2026-02-12T10:00:00+08:00")
    announcement = announcement_of(engine, plan.instance_id).id
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    project.district_accepts_filing().complete("provider_a", "submit_report", REPORT | {"findings": FINDINGS})
    assert submit(module_app.test_client(), plan, PERSON).status_code == 302
    with engine.sessions() as session:
        objection = session.query(Objection).one()
    return {"project": project.instance_id, "assessment": project.task_of("enterprise_a", "confirm_assessment")["id"],
            "plan": plan.instance_id, "objection_task": plan.task_of("city", "handle_objection")["id"],
            "announcement": announcement, "objection": objection.id, "scan": objection.scan_ref}


def read_everything(app, user: str, values: dict[str, Any]) -> dict[str, tuple[int, str]]:
    """Every URL as `user` (session for pages, bearer token for the API): status and text."""
    client, headers = app.test_client(), {}
    if user != ANONYMOUS:
        client.post("/login", data={"username": user, "password": DEMO_PASSWORD})
        token = client.post("/api/auth/token", json={"username": user, "password": DEMO_PASSWORD}).json["token"]
        headers = {"Authorization": f"Bearer {token}"}
    seen = {}
    for template in URLS:
        url = template.format(**values)
        response = client.get(url, headers=headers if url.startswith("/api/") else {})
        seen[template] = (response.status_code, readable(response))
    return seen


def readable(response) -> str:  # noqa: ANN001 - a test response
    """The text a reader gets: JSON decoded (its escapes would hide Chinese), pages and CSV as is."""
    if response.is_json:
        return json.dumps(response.json, ensure_ascii=False)
    return response.get_data(as_text=True) if response.mimetype.startswith("text/") else ""


@pytest.mark.parametrize("user", [ANONYMOUS, *USERS])
def test_reports_and_objectors_reach_only_those_entitled(module_app, world, user: str) -> None:
    seen = read_everything(module_app, user, world)
    with_findings = sorted(url for url, (_, body) in seen.items() if FINDINGS in body)
    if user in REPORT_READERS:
        assert seen["/api/instances/{project}"][0] == 200 and "/api/instances/{project}" in with_findings
        assert "/exports/instances/{project}/audit.csv" in with_findings
    else:
        assert with_findings == [], f"{user} can read the report at {with_findings}"
        assert seen["/api/instances/{project}"][0] in (401, 403, 404)
    with_identity = sorted(url for url, (_, body) in seen.items() if any(s in body for s in OBJECTOR_SECRETS))
    if user in CITY_BUREAU:
        assert with_identity == ["/objections", "/objections/{objection}"], with_identity
        assert all(seen[url][0] == 200 for url in OBJECTOR_PAGES)
    else:
        assert with_identity == [], f"{user} can read the objector's identity at {with_identity}"
        assert all(seen[url][0] in (302, 403) for url in OBJECTOR_PAGES), {url: seen[url][0] for url in OBJECTOR_PAGES}
