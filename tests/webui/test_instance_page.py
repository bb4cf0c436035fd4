"""The instance page's data and related records: entries labelled by each task's form, experts'
entries kept from anyone but the city bureau (page and data API), and links only to instances
the viewer may open."""

from __future__ import annotations

import re

import pytest

from tests.support_plan import (
    PlanScenario,
    RecoveryScenario,
    announcement_of,
    application,
    at,
    deploy_stand_ins,
    eligible_application,
    paid_application,
)
from tests.support_subsidy import SubsidyScenario, completed_project
from tests.webui.test_pages import sign_in

COMMENTS = ("甲专家意见：报告扎实", "乙专家意见：措施可行", "丙专家意见：建议资助")


@pytest.fixture
def scored(app) -> tuple[int, SubsidyScenario]:  # noqa: ANN001 - the Flask app
    engine = app.extensions["diagflow"]
    project = completed_project(engine)
    application = SubsidyScenario(engine).start("provider_a")
    application.provider_applies([project]).district_approves()
    application.city_reviews(expert_count=3)
    for expert, score, comment in zip(application.experts_with_tasks(), (95, 90, 92.5), COMMENTS, strict=True):
        application.expert_scores(expert, score, comment=comment)
    assert project.instance_id is not None
    return project.instance_id, application


def page(app, username: str, password: str, instance_id: int) -> tuple[int, str]:  # noqa: ANN001
    """The instance page as `username` gets it (signed in once per app and user)."""
    clients = app.extensions.setdefault("test_clients", {})
    if username not in clients:
        clients[username] = app.test_client()
        sign_in(clients[username], username, password)
    response = clients[username].get(f"/instances/{instance_id}")
    return response.status_code, response.get_data(as_text=True)


def section(html: str, element_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{element_id}".*?</section>', html, re.S)
    assert match, f"no section #{element_id}"
    return match.group(0)


def instance_links(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/instances/(\d+)"', html)}


def data_api(app, username: str, password: str, instance_id: int):  # noqa: ANN001, ANN201
    client = app.test_client()
    token = client.post("/api/auth/token", json={"username": username, "password": password}).json["token"]
    return client.get(f"/api/instances/{instance_id}/data", headers={"Authorization": f"Bearer {token}"})


def test_the_provider_sees_its_entries_and_the_application_another_district_nothing(app, demo_password: str, scored) -> None:  # noqa: ANN001
    project_id, application = scored
    status, html = page(app, "provider_a", demo_password, project_id)
    assert status == 200
    entries = section(html, "entries")
    assert "合同金额" in entries and " 元" in entries and re.search(r"\d{4}年\d{1,2}月\d{1,2}日", entries)
    related = section(html, "related")
    assert "已受理" in related and application.instance_id in instance_links(related)

    # Another district's bureau may open neither.
    for instance_id in (project_id, application.instance_id):
        assert page(app, "licheng_bureau", demo_password, instance_id)[0] == 403
        assert data_api(app, "licheng_bureau", demo_password, instance_id).status_code == 403


def test_the_provider_does_not_see_expert_entries_the_city_does(app, demo_password: str, scored) -> None:  # noqa: ANN001
    project_id, application = scored
    status, html = page(app, "provider_a", demo_password, application.instance_id)
    entries = section(html, "entries")
    assert status == 200 and "评审内容不公开" in entries and "申报2026年度诊断项目资助" in entries
    assert not any(comment in html for comment in COMMENTS) and "评审得分" not in entries
    assert project_id in instance_links(section(html, "related"))

    api = data_api(app, "provider_a", demo_password, application.instance_id)
    assert api.status_code == 200
    body = str(api.json)
    assert not any(comment in body for comment in COMMENTS) and "评审得分" not in body
    assert "score" not in api.json["data"] and "score_comment" not in api.json["data"]
    assert "contact_name" in api.json["data"]

    _, city_html = page(app, "city", demo_password, application.instance_id)
    assert all(comment in section(city_html, "entries") for comment in COMMENTS)
    city_api = data_api(app, "city", demo_password, application.instance_id)
    withheld = [group for group in city_api.json["entries"] if group["withheld"]]
    assert withheld == [] and all(comment in str(city_api.json["entries"]) for comment in COMMENTS)


def test_related_links_open_for_the_viewer(app, demo_password: str, scored) -> None:  # noqa: ANN001
    project_id, application = scored
    checked = 0
    for username in ("provider_a", "lixia_bureau", "enterprise_a", "city"):
        for instance_id in (project_id, application.instance_id):
            status, html = page(app, username, demo_password, instance_id)
            if status == 403:
                continue
            links = instance_links(section(html, "related"))
            for target in links:
                assert page(app, username, demo_password, target)[0] == 200, (username, instance_id, target)
                checked += 1
    assert checked >= 6  # provider, district and city each link the project and the application both ways
    # The enterprise is no party to the application: its project page does not link to it.
    _, html = page(app, "enterprise_a", demo_password, project_id)
    assert application.instance_id not in instance_links(section(html, "related"))


def kinds(engine, username: str, instance_id: int) -> list[tuple[str, int | None]]:  # noqa: ANN001
    user = SubsidyScenario(engine).actor(username)
    return [(r["kind"], r["instance_id"] or r["announcement_id"]) for r in engine.instances.related(user, instance_id)]


def test_a_plan_links_its_applications_and_announcement_and_back(sqlite_engine, clock) -> None:  # noqa: ANN001
    at(clock, "2026-02-10T09:00:00+08:00")
    deploy_stand_ins(sqlite_engine)
    plan = PlanScenario(sqlite_engine)
    application_id = eligible_application(plan)
    plan.city_drafts_plan(10_000_000).city_confirms_plan().city_publishes_announcement()
    announcement_id = announcement_of(sqlite_engine, plan.instance_id).id
    application_instance = application(sqlite_engine, application_id).instance_id

    assert kinds(sqlite_engine, "city", plan.instance_id) == [("application", application_instance),
                                                              ("announcement", announcement_id)]
    from_application = kinds(sqlite_engine, "city", application_instance)
    assert ("plan", plan.instance_id) in from_application and ("announcement", announcement_id) in from_application
    # The provider may not open the plan: its item and link stay out, the public announcement not.
    provider_view = kinds(sqlite_engine, "provider_a", application_instance)
    assert [kind for kind, _ in provider_view if kind in ("plan", "plan_item")] == []
    assert ("announcement", announcement_id) in provider_view


def test_a_clawback_links_its_application(sqlite_engine, clock) -> None:  # noqa: ANN001
    at(clock, "2026-03-02T09:00:00+08:00")
    case = RecoveryScenario(sqlite_engine)
    application_id = paid_application(case)
    case.city_records_finding(application_id)
    application_instance = application(sqlite_engine, application_id).instance_id
    assert ("application", application_instance) in kinds(sqlite_engine, "city", case.instance_id)
    assert ("clawback", case.instance_id) in kinds(sqlite_engine, "city", application_instance)
