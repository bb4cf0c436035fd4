"""Dashboards: everyone's counts on the home page; the city bureau's pipeline, budget and stage days."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from engine.records.plans import ITEM_PAID, ITEM_PLANNED, Payment, PlanItem, SubsidyPlan
from tests.support import Scenario
from tests.support_plan import eligible_application
from tests.webui.test_pages import sign_in


def chart_values(page: str, chart: str) -> object:
    match = re.search(rf'data-chart="{chart}" data-values="([^"]*)"', page)
    assert match, f"no {chart} chart"
    return json.loads(match.group(1).replace("&#34;", '"').replace("&amp;", "&"))


def add_plan(engine, year: int) -> None:
    """A plan of the year as records: 1,000,000 yuan budget, 45,000 planned of which 30,000 paid."""
    now = engine.clock.now()
    scenario = Scenario(engine)
    applications = [eligible_application(scenario, waits_for=None) for _ in range(2)]
    with engine.sessions.begin() as session:
        plan = SubsidyPlan(instance_id=engine.instances.start("diagnosis_project", scenario.actor("provider_a")),
                           year=year, title="测试计划", budget_fen=100_000_000, status="issued", created_at=now)
        session.add(plan)
        session.flush()
        for application_id, (amount, status) in zip(applications, [(3_000_000, ITEM_PAID), (1_500_000, ITEM_PLANNED)], strict=True):
            item = PlanItem(plan_id=plan.id, application_id=application_id, application_no=f"SQ-{application_id}",
                            provider_org_id=scenario.organisation_id("provider_a"), provider_name="数智",
                            district="历下区", requested_fen=amount, amount_fen=amount, status=status, updated_at=now)
            session.add(item)
            session.flush()
            if status == ITEM_PAID:
                session.add(Payment(item_id=item.id, application_id=application_id, plan_id=plan.id,
                                    district="历下区", amount_fen=amount, paid_on="2026-03-02", paid_at=now,
                                    voucher_no="PZ-1", recorded_by="lixia_finance"))


def test_city_dashboard_shows_pipeline_budget_and_stage_days(app, demo_password) -> None:
    engine = app.extensions["diagflow"]
    add_plan(engine, 2026)
    lixia = Scenario(engine).start("provider_a").provider_files_contract()
    engine.clock.advance(timedelta(days=3))
    lixia.enterprise_confirms_filing()
    licheng = Scenario(engine).start("provider_a").provider_files_contract(enterprise="enterprise_b")

    client = app.test_client()
    sign_in(client, "city", demo_password)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "1,000,000 元" in page and "45,000 元（4.5%）" in page and "30,000 元" in page
    pipeline = chart_values(page, "pipeline")
    by_district = {s["district"]: sum(s["counts"]) for s in pipeline["series"]}
    assert by_district["历下区"] == 1 and by_district["历城区"] == 1
    assert pipeline["total"] == sum(by_district.values())
    days = {s["stage"].split(" · ")[1]: s for s in chart_values(page, "stage_days")}
    confirm = [s for name, s in days.items() if "确认" in name]
    assert [(s["tasks"], s["average_days"]) for s in confirm] == [(1, 3.0)]
    assert 'src="/static/build/echarts.min.js"' in page and 'src="/static/dashboard.js"' in page
    assert licheng.waiting_at() == ["confirm_filing"]


def test_home_counts_for_everyone_and_the_dashboard_for_the_city_only(app, demo_password) -> None:
    Scenario(app.extensions["diagflow"]).start("provider_a")
    client = app.test_client()
    sign_in(client, "provider_a", demo_password)
    home = client.get("/").get_data(as_text=True)
    assert '<span class="stat-value">1</span><span class="stat-label">全部待办</span>' in home
    assert '<span class="stat-value">0</span><span class="stat-label">已超期</span>' in home
    assert client.get("/dashboard").status_code == 403
