"""The guide end to end through the REST API, as the demo users: a new provider is listed, the
city publishes the start notice, provider_a carries out two diagnosis projects in 历下区, applies
for their subsidy, the district and the city review it, experts score it, the city plans,
announces and issues the year's subsidies, and the money goes city → district → provider.

Everything a user does goes through /api; the test reaches past the API only where the API has
nothing for it: closing the demo data's campaign, creating a second 历下区 enterprise, moving
the clock and running the timer sweep, and reading business records to check what the API does
not show.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine.records.providers import ProviderListing, published_list
from engine.records.subsidies import SubsidyApplication
from engine.workdays import CalendarFunctions
from tests.support import ASSESSMENT, FILING, MOBILISATION, NOTICE, REPORT, Scenario
from tests.support_plan import CONTACTS
from tests.support_subsidy import APPLICATION, EXPERTS, second_lixia_enterprise
from tests.webui.test_api import Api

# A provider organisation the city determines by selection; not on the list yet.
NEW_PROVIDER = ("济南数链诊断咨询有限公司", "91370104MA3Q5N8T2B", "槐荫区")
NEW_BATCH = "2026年第二批"
ENTERPRISE_A = "济南明泉精密机械有限公司"
ENTERPRISE_C = "济南泉城智造电子有限公司"  # the second 历下区 enterprise, user enterprise_c
CONDITIONS = ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）", "（八）"]  # 第十五条
PROJECT_PATH = ["started", "file_contract", "record_filing", "confirm_filing", "review_filing", "record_review",
                "submit_report", "record_report", "confirm_assessment", "record_satisfaction", "completed"]
DISTRICT_WORK_PATH = ["started", "load_campaign", "record_mobilisation", "save_mobilisation",
                      "timer filing_window_closed", "compute_summary", "report_summary", "save_summary", "completed"]
# The way each instance of the scenario takes, as its history must tell it.
EXPECTED_PATHS = {
    "onboarding": ["started", "identify_applicant", "register_provider", "record_application",
                   "review_application", "record_review"],
    "campaign": ["started", "publish_notice", "publish_campaign", "timer window_closed", "collect_summaries",
                 "message district_summary_reported", "collect_summaries",  # 历下区 reports; 历城区 has not
                 "message district_summary_reported", "collect_summaries",  # all have reported
                 "receive_summaries", "close_campaign", "completed"],
    "lixia_work": DISTRICT_WORK_PATH,
    "licheng_work": DISTRICT_WORK_PATH,
    "first": PROJECT_PATH,
    "second": PROJECT_PATH,
    "application": ["started", "offer_projects", "apply_subsidy", "record_application",
                    "district_bureau_review", "record_bureau_review", "district_finance_review",
                    "record_finance_review", "record_district_review", "preliminary_facts", "record_preliminary",
                    "city_review", "record_city_review", "select_experts", *["score_application", "record_score"] * 3,
                    "compute_average", "final_facts", "record_result", "message subsidy_paid", "confirm_payment",
                    "completed"],
    "plan": ["started", "draft_plan", "propose_plan", "confirm_plan", "fix_plan", "publish_announcement",
             "record_announcement", "timer announcement_period", "close_announcement", "summarise_plan",
             "issue_plan", "record_issue", "request_funds", "record_request", "release_funds", "record_release",
             "pay_providers", "record_payments", "complete_plan", "completed"],
}
USERS = [
    "city", "city_finance", "lixia_bureau", "lixia_finance", "licheng_bureau", "licheng_finance",
    "provider_a", "provider_b", "enterprise_a", "enterprise_b", "enterprise_c", *EXPERTS, "supervisor_1",
]


@pytest.fixture
def api(app, demo_password: str) -> Api:
    return Api(app.test_client(), demo_password)


# --------------------------------------------------------------------------
# Calling the API
# --------------------------------------------------------------------------


def ok(response, status: int = 200) -> Any:  # noqa: ANN001 - a Flask test response
    assert response.status_code == status, (response.status_code, response.json)
    return response.json


def inbox(api: Api, user: str) -> list[dict[str, Any]]:
    return ok(api.call("GET", user, "/api/tasks?limit=500"))["items"]


def task(api: Api, user: str, instance_id: int, bpmn_id: str) -> dict[str, Any]:
    """The one task `bpmn_id` of the instance in the user's inbox."""
    found = [t for t in inbox(api, user) if t["instance_id"] == instance_id and t["bpmn_id"] == bpmn_id]
    assert len(found) == 1, f"{user} has {len(found)} {bpmn_id} tasks of instance {instance_id}"
    return found[0]


def task_detail(api: Api, user: str, instance_id: int, bpmn_id: str) -> dict[str, Any]:
    """GET /api/tasks/<id>: the task with its form and its current data."""
    return ok(api.call("GET", user, f"/api/tasks/{task(api, user, instance_id, bpmn_id)['id']}"))


def submit(api: Api, user: str, instance_id: int, bpmn_id: str, data: dict[str, Any]):  # noqa: ANN201
    """POST /api/tasks/<id>/complete; the response, whatever it is."""
    found = task(api, user, instance_id, bpmn_id)
    return api.call("POST", user, f"/api/tasks/{found['id']}/complete", {"data": data})


def complete(api: Api, user: str, instance_id: int, bpmn_id: str, data: dict[str, Any]) -> None:
    ok(submit(api, user, instance_id, bpmn_id, data))


def start(api: Api, user: str, process_id: str) -> int:
    return ok(api.call("POST", user, "/api/instances", {"process_id": process_id, "data": {}}), 201)["id"]


def instance(api: Api, user: str, instance_id: int) -> dict[str, Any]:
    return ok(api.call("GET", user, f"/api/instances/{instance_id}"))


def waiting_at(api: Api, instance_id: int) -> list[str]:
    return sorted(t["bpmn_id"] for t in instance(api, "city", instance_id)["tasks"])


def path(view: dict[str, Any]) -> list[str]:
    """An instance's history as the way it took: tasks done, service tasks run, timers fired and
    messages received, between "started" and "completed"."""
    steps = []
    for event in view["history"]:
        action = event["action"]
        if action in ("task_completed", "operator_ran"):
            steps.append(event["element_id"])
        elif action == "timer_fired":
            steps.append(f"timer {event['element_id']}")
        elif action == "message_received":
            steps.append(f"message {event['details']['message']}")
        elif action in ("instance_started", "instance_completed"):
            steps.append(action.removeprefix("instance_"))
    return steps


# --------------------------------------------------------------------------
# 第九条: the provider list
# --------------------------------------------------------------------------


def city_registers_a_new_provider(api: Api) -> int:
    onboarding = start(api, "city", "provider_onboarding")
    assert waiting_at(api, onboarding) == ["register_provider"]
    name, credit_code, district = NEW_PROVIDER
    complete(api, "city", onboarding, "register_provider", {
        "organisation_name": name, "credit_code": credit_code, "district": district,
        "contacts": [{"name": "陈静", "phone": "0531-88886666"}],
        "capabilities": ["研发设计", "工业互联网平台"],
        "introduction": "经遴选确定的诊断服务机构。",
    })
    return onboarding


def city_admits_into_batch(api: Api, onboarding: int) -> None:
    complete(api, "city", onboarding, "review_application", {
        "review_decision": "admit", "batch_name": NEW_BATCH, "review_reason": "遴选通过，服务能力符合要求"})


# --------------------------------------------------------------------------
# 第十条–第十一条: the start notice and the districts' mobilisation and summaries
# --------------------------------------------------------------------------


def city_publishes_the_notice(api: Api, campaign: int) -> None:
    complete(api, "city", campaign, "publish_notice", NOTICE)


def district_work_of(api: Api, bureau: str) -> int:
    """The district's own `district_mobilisation` instance, found through its bureau's inbox."""
    found = [t for t in inbox(api, bureau) if t["process_id"] == "district_mobilisation"]
    assert len(found) == 1, found
    return found[0]["instance_id"]


def district_records_mobilisation(api: Api, bureau: str, work: int) -> None:
    complete(api, bureau, work, "record_mobilisation", MOBILISATION)


def district_reports_summary(api: Api, bureau: str, work: int) -> dict[str, Any]:
    summary = task_detail(api, bureau, work, "report_summary")["data"]
    complete(api, bureau, work, "report_summary", {"summary_confirmed": True})
    return summary


def city_receives_summaries(api: Api, campaign: int) -> dict[str, Any]:
    table = task_detail(api, "city", campaign, "receive_summaries")["data"]
    complete(api, "city", campaign, "receive_summaries", {"summary_received": True, "city_comment": "按期汇总"})
    return table


# --------------------------------------------------------------------------
# 第十一条–第十三条: a diagnosis project
# --------------------------------------------------------------------------


def provider_files_contract(api: Api, enterprise_name: str, contract_no: str) -> int:
    project = start(api, "provider_a", "diagnosis_project")
    schema = task_detail(api, "provider_a", project, "file_contract")["form"]["schema"]
    options = schema["properties"]["enterprise_id"]["oneOf"]
    enterprise_id = next(o["const"] for o in options if o["title"].startswith(enterprise_name))
    complete(api, "provider_a", project, "file_contract",
             FILING | {"enterprise_id": enterprise_id, "contract_no": contract_no, "contract_date": "2026-03-02"})
    return project


def enterprise_confirms_filing(api: Api, enterprise: str, project: int) -> None:
    complete(api, enterprise, project, "confirm_filing", {"enterprise_confirmed": True})


def district_bureau_accepts_filing(api: Api, project: int) -> None:
    complete(api, "lixia_bureau", project, "review_filing", {"filing_decision": "accept", "review_comment": "材料齐全"})


def provider_submits_report(api: Api, project: int) -> None:
    complete(api, "provider_a", project, "submit_report", REPORT)


def enterprise_confirms_assessment(api: Api, enterprise: str, project: int) -> None:
    complete(api, enterprise, project, "confirm_assessment", ASSESSMENT)


# --------------------------------------------------------------------------
# 第十四条（二）–（四）, 第十五条: the subsidy application
# --------------------------------------------------------------------------


def provider_applies(api: Api, projects: dict[int, str]) -> int:
    """Tick the projects (instance id → business key) among "my completed projects"; an id the
    form did not offer is refused."""
    application = start(api, "provider_a", "subsidy_application")
    form = task_detail(api, "provider_a", application, "apply_subsidy")["form"]
    offered = {o["const"]: o["title"] for o in form["schema"]["properties"]["projects"]["items"]["oneOf"]}
    assert set(offered) == set(projects) and all(projects[i] in offered[i] for i in projects), offered
    refused = submit(api, "provider_a", application, "apply_subsidy", APPLICATION | {"projects": [max(projects) + 1]})
    assert refused.status_code == 422 and set(refused.get_json()["errors"]) == {"projects.0"}
    complete(api, "provider_a", application, "apply_subsidy", APPLICATION | {"projects": list(projects)})
    return application


def district_bureau_approves(api: Api, application: int) -> None:
    complete(api, "lixia_bureau", application, "district_bureau_review",
             {"bureau_decision": "approve", "bureau_comment": "材料齐全，同意报送"})


def district_finance_approves(api: Api, application: int) -> None:
    complete(api, "lixia_finance", application, "district_finance_review",
             {"finance_decision": "approve", "finance_comment": "初审通过，联合报送市级"})


def city_accepts_for_expert_review(api: Api, application: int, experts: int) -> None:
    complete(api, "city", application, "city_review", {
        "city_decision": "accept", "other_requirements_met": True,
        "other_requirements_note": "已核对企业申报承诺书和绩效目标表", "expert_count": experts})


def expert_scores(api: Api, expert: str, application: int, score: float) -> None:
    complete(api, expert, application, "score_application",
             {"expert_decision": "score", "score": score, "score_comment": "诊断报告条理清晰，建议可行。"})


def conditions_shown(review: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The conditions on the city's re-review form (read-only fields titled （一）…), in the
    guide's order: numeral → (result, reason)."""
    shown = {}
    for field, spec in review["form"]["schema"]["properties"].items():
        if spec.get("readOnly") and spec["title"].startswith("（"):
            result, _, reason = review["data"][field].partition("：")
            shown[spec["title"][:3]] = (result, reason)
    return {numeral: shown[numeral] for numeral in sorted(shown, key=CONDITIONS.index)}


# --------------------------------------------------------------------------
# 第十四条（五）–（七）: the subsidy plan
# --------------------------------------------------------------------------


def city_drafts_plan(api: Api, budget_fen: int) -> int:
    plan = start(api, "city", "subsidy_plan")
    complete(api, "city", plan, "draft_plan",
             {"plan_year": 2026, "plan_title": "2026年度数字化转型诊断项目资助计划", "plan_budget": budget_fen})
    return plan


def city_confirms_plan(api: Api, plan: int) -> None:
    complete(api, "city", plan, "confirm_plan", {"plan_decision": "confirm"})


def city_publishes_announcement(api: Api, plan: int) -> None:
    title = task_detail(api, "city", plan, "publish_announcement")["data"]["announcement_title"]
    complete(api, "city", plan, "publish_announcement", {"announcement_title": title, **CONTACTS})


def city_issues_plan(api: Api, plan: int) -> None:
    complete(api, "city", plan, "issue_plan", {"issue_doc_no": "济工信数字〔2026〕5号"})


def city_requests_funds(api: Api, plan: int) -> None:
    complete(api, "city", plan, "request_funds", {"request_doc_no": "济工信数字函〔2026〕12号"})


def city_finance_releases_funds(api: Api, plan: int, released_on: str) -> list[dict[str, Any]]:
    rows = task_detail(api, "city_finance", plan, "release_funds")["data"]["releases"]
    releases = [row | {"released_on": released_on, "voucher_no": f"SCZ-{n:03d}"} for n, row in enumerate(rows, 1)]
    complete(api, "city_finance", plan, "release_funds", {"releases": releases})
    return rows


def district_finance_pays(api: Api, finance: str, plan: int, paid_on: str) -> list[dict[str, Any]]:
    rows = task_detail(api, finance, plan, "pay_providers")["data"]["payments"]
    payments = [row | {"paid_on": paid_on, "voucher_no": f"QCZ-{row['item_id']:04d}"} for row in rows]
    complete(api, finance, plan, "pay_providers", {"payments": payments})
    return rows


# --------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------


def test_from_provider_onboarding_to_payment_through_the_api(app, api: Api, clock) -> None:
    engine = app.extensions["diagflow"]

    def at(moment: str | datetime) -> None:
        """Move the clock and run the timer sweep, as the scheduler would."""
        clock.set(datetime.fromisoformat(moment) if isinstance(moment, str) else moment)
        engine.timers.sweep()

    # 1. 第九条: the city registers a provider it selected and admits it into a new batch.
    onboarding = city_registers_a_new_provider(api)
    assert waiting_at(api, onboarding) == ["review_application"]
    city_admits_into_batch(api, onboarding)
    view = instance(api, "city", onboarding)
    assert (view["status"], waiting_at(api, onboarding)) == ("running", ["manage_listed"])  # 动态管理
    changes = [(e["details"]["status_before"], e["details"]["status_after"])
               for e in view["history"] if e["action"] == "provider_listing_changed"]
    assert changes == [(None, "applied"), ("applied", "listed")]
    assert api.call("GET", "provider_a", f"/api/instances/{onboarding}").status_code == 403
    with engine.sessions() as session:
        entry = next(e for e in published_list(session) if e["credit_code"] == NEW_PROVIDER[1])
        listing = session.scalar(select(ProviderListing).where(ProviderListing.instance_id == onboarding))
    assert (entry["organisation_name"], entry["batch_name"], entry["district"], entry["status"]) == (
        NEW_PROVIDER[0], NEW_BATCH, NEW_PROVIDER[2], "listed")
    assert listing.organisation_id == view["provider_org_id"]

    # 2. 第十条: the start notice. The demo data's campaign covers all of 2026, and a notice whose
    # window overlaps an open campaign is refused; close it as the scenario tests do (records).
    campaign = start(api, "city", "diagnosis_campaign")
    refused = submit(api, "city", campaign, "publish_notice", NOTICE)
    assert refused.status_code == 422 and "重叠" in refused.json["errors"]["window_start"]
    Scenario(engine).close_campaigns()
    city_publishes_the_notice(api, campaign)
    assert (instance(api, "city", campaign)["status"], waiting_at(api, campaign)) == ("running", [])
    engine.timers.sweep()  # opens the districts' own instances
    lixia_work, licheng_work = district_work_of(api, "lixia_bureau"), district_work_of(api, "licheng_bureau")
    district_records_mobilisation(api, "lixia_bureau", lixia_work)
    district_records_mobilisation(api, "licheng_bureau", licheng_work)

    # 3. 第十一条–第十二条: two projects in 历下区, so one application covers both. The demo has one
    # enterprise per district; the API cannot create organisations, so the identity service does.
    second_lixia_enterprise(engine)
    at("2026-03-03T09:30:00+08:00")
    first = provider_files_contract(api, ENTERPRISE_A, "JNZD-2026-011")
    second = provider_files_contract(api, ENTERPRISE_C, "JNZD-2026-012")
    enterprise_confirms_filing(api, "enterprise_a", first)
    enterprise_confirms_filing(api, "enterprise_c", second)
    review = task(api, "lixia_bureau", first, "review_filing")
    assert review["district"] == "历下区"
    assert api.call("GET", "licheng_bureau", f"/api/tasks/{review['id']}").status_code == 403
    assert api.call("GET", "licheng_bureau", f"/api/instances/{first}").status_code == 403
    assert api.call("GET", "enterprise_c", f"/api/instances/{first}").status_code == 403
    district_bureau_accepts_filing(api, first)
    district_bureau_accepts_filing(api, second)
    at("2026-03-05T16:00:00+08:00")
    for project, enterprise in ((first, "enterprise_a"), (second, "enterprise_c")):
        assert all(t["instance_id"] != project for t in inbox(api, "provider_b"))
        assert api.call("GET", "provider_b", f"/api/instances/{project}").status_code == 403
        report = task(api, "provider_a", project, "submit_report")
        assert api.call("GET", "provider_b", f"/api/tasks/{report['id']}").status_code == 403
        provider_submits_report(api, project)
        enterprise_confirms_assessment(api, enterprise, project)
        assert instance(api, "provider_a", project)["status"] == "completed"
    keys = {project: instance(api, "provider_a", project)["business_key"] for project in (first, second)}

    # 4. 第十四条（二）–（四）, 第十五条: one application for both projects.
    at("2026-03-06T10:00:00+08:00")
    application = provider_applies(api, keys)
    assert waiting_at(api, application) == ["district_bureau_review", "district_finance_review"]
    assert all(t["instance_id"] != application for t in inbox(api, "licheng_finance"))
    district_bureau_approves(api, application)
    assert waiting_at(api, application) == ["district_finance_review"]  # both departments must agree
    district_finance_approves(api, application)

    # The city sees the eight conditions of 第十五条, each with its reason; （八） is the city's to confirm.
    review = task_detail(api, "city", application, "city_review")
    shown = conditions_shown(review)
    assert list(shown) == CONDITIONS
    assert [result for result, _ in shown.values()] == ["符合"] * 7 + ["待确认"]
    assert all(reason for _, reason in shown.values())
    assert "服务商「济南数智诊断科技有限公司」在服务商名单内" in shown["（一）"][1]
    assert f"项目 {keys[first]}、{keys[second]} 均已向历下区工信主管部门备案并被受理" in shown["（二）"][1]
    assert "2026-03-01至2026-03-31" in shown["（四）"][1]
    assert shown["（五）"][1] == "各项目企业满意度评价为「满意」，满足“满意”要求"
    assert [line[:3] for line in review["data"]["eligibility_summary"]] == list(shown)
    assert api.call("GET", "lixia_bureau", f"/api/tasks/{review['id']}").status_code == 403
    city_accepts_for_expert_review(api, application, experts=3)

    # Each expert sees only the task assigned to them.
    at("2026-03-09T09:00:00+08:00")
    panel = {expert: [t for t in inbox(api, expert) if t["instance_id"] == application] for expert in EXPERTS}
    assert {expert: len(tasks) for expert, tasks in panel.items()} == {
        "expert_1": 1, "expert_2": 1, "expert_3": 1, "expert_4": 0, "expert_5": 0}
    first_experts_task = panel["expert_1"][0]["id"]
    assert api.call("GET", "expert_2", f"/api/tasks/{first_experts_task}").status_code == 403
    assert api.call("GET", "expert_4", f"/api/tasks/{first_experts_task}").status_code == 403
    for expert, score in (("expert_1", 95), ("expert_2", 90), ("expert_3", 92.5)):
        expert_scores(api, expert, application, score)
    view = instance(api, "provider_a", application)
    application_no = view["business_key"]
    assert (view["status"], view["tasks"]) == ("running", [])  # eligible: waiting for the plan to pay
    statuses = [e["details"]["status_after"] for e in view["history"] if e["action"] == "subsidy_status_changed"]
    assert statuses == ["district_review", "city_review", "expert_review", "eligible"]
    with engine.sessions() as session:
        row = session.scalar(select(SubsidyApplication).where(SubsidyApplication.instance_id == application))
        assert (row.status, row.expert_average, row.amount_fen) == ("eligible", 92.5, 2 * 50_000 * 100)

    # 5. 第十四条（五）–（六）: the plan within the budget, confirmed and announced for 5 working days.
    at("2026-03-10T09:00:00+08:00")
    plan = city_drafts_plan(api, budget_fen=300_000_00)
    proposal = task_detail(api, "city", plan, "confirm_plan")["data"]
    assert [(r["application_no"], r["district"], r["requested"], r["amount"]) for r in proposal["plan_rows"]] == [
        (application_no, "历下区", 100_000_00, 100_000_00)]
    assert (proposal["plan_total"], proposal["plan_scaled"]) == (100_000_00, False)
    assert proposal["plan_rows"][0]["enterprises"] == f"{ENTERPRISE_A}、{ENTERPRISE_C}"
    city_confirms_plan(api, plan)

    at("2026-03-10T10:00:00+08:00")  # a Tuesday
    city_publishes_announcement(api, plan)
    assert (instance(api, "city", plan)["status"], waiting_at(api, plan)) == ("running", [])
    # The period ends at 24:00 of its 5th working day (the publication day counts), by the calendar.
    ends = CalendarFunctions(engine.calendar.current).working_period_end(clock.local_now(), 5)
    assert ends == "2026-03-17T00:00:00+08:00"  # Tue 3/10 … Mon 3/16
    at(datetime.fromisoformat(ends) - timedelta(minutes=1))
    assert waiting_at(api, plan) == []
    at(datetime.fromisoformat(ends) + timedelta(seconds=1))
    assert waiting_at(api, plan) == ["issue_plan"]
    assert task_detail(api, "city", plan, "issue_plan")["data"]["announcement_ends_at"] == ends

    # 第十四条（七）: issued, funds requested, released by city finance to the district, paid to the provider.
    at("2026-03-17T10:00:00+08:00")
    city_issues_plan(api, plan)
    city_requests_funds(api, plan)
    released = city_finance_releases_funds(api, plan, "2026-03-17")
    assert [(r["district"], r["item_count"], r["amount"]) for r in released] == [("历下区", 1, 100_000_00)]
    assert all(t["instance_id"] != plan for t in inbox(api, "licheng_finance"))
    at("2026-03-18T15:00:00+08:00")
    paid = district_finance_pays(api, "lixia_finance", plan, "2026-03-18")
    assert [(r["application_no"], r["provider"], r["amount"]) for r in paid] == [
        (application_no, "济南数智诊断科技有限公司", 100_000_00)]

    # 第十一条: the filing window closes at 24:00 of 3/31; the districts report, the city receives.
    at("2026-04-01T00:00:01+08:00")
    summary = district_reports_summary(api, "lixia_bureau", lixia_work)
    assert (summary["filing_count"], summary["accepted_count"]) == (2, 2)
    assert [row["project_no"] for row in summary["filing_rows"]] == list(keys.values())
    assert district_reports_summary(api, "licheng_bureau", licheng_work)["filing_count"] == 0
    table = city_receives_summaries(api, campaign)
    assert [(r["district"], r["quota"], r["filings"], r["accepted"]) for r in table["summary_rows"]] == [
        ("历下区", 2, 2, 2), ("历城区", 1, 0, 0)]

    # 6. The application is paid and every instance has ended — but the provider's listing, which
    # the city manages from now on (第九条 动态管理).
    paid_application = instance(api, "provider_a", application)
    assert (paid_application["status"], paid_application["tasks"]) == ("completed", [])
    assert path(paid_application)[-3:] == ["message subsidy_paid", "confirm_payment", "completed"]
    with engine.sessions() as session:
        row = session.scalar(select(SubsidyApplication).where(SubsidyApplication.instance_id == application))
        assert (row.status, row.amount_fen) == ("paid", 2 * 50_000 * 100)
    scenario = {"onboarding": onboarding, "campaign": campaign, "lixia_work": lixia_work,
                "licheng_work": licheng_work, "first": first, "second": second, "application": application,
                "plan": plan}
    views = {name: instance(api, "city", instance_id) for name, instance_id in scenario.items()}
    assert {name: view["status"] for name, view in views.items()} == {
        name: "running" if name == "onboarding" else "completed" for name in scenario}
    left = {(user, t["instance_id"], t["bpmn_id"]) for user in USERS for t in inbox(api, user)
            if t["instance_id"] in scenario.values()}
    assert left == {("city", onboarding, "manage_listed")}

    # Every instance's history, in the order things happened.
    for name, view in views.items():
        moments = [datetime.fromisoformat(event["at"]) for event in view["history"]]
        assert moments == sorted(moments), name
    # A timer's event comes before what it set off, and a boundary timer cancelled because its
    # activity ended first (the campaign's daily check) is not recorded as fired.
    wrong = {name: path(view) for name, view in views.items() if path(view) != EXPECTED_PATHS[name]}
    assert not wrong, f"histories out of order or with events that did not happen: {wrong}"
