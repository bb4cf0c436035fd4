"""第十四条（五）–（七）: the year's subsidy plan within the budget, a 5-working-day announcement
with real-name objections, the plan issued, funds released city → district → provider.

Applications are built directly in the store (tests/support_plan.py); each application's own
instance is a stand-in that waits for `subsidy_paid` (or `plan_item_removed`), so the tests
assert that the plan's messages are delivered.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from engine.clock import SHANGHAI
from engine.errors import Conflict, Forbidden, InvalidData
from engine.lint import check_diagram
from engine.records.plans import (
    FundRelease,
    Objection,
    Payment,
    SubsidyPlan,
    announcement_detail,
    objection_detail,
    published_announcements,
)
from handlers.plans import file_objection, scale
from tests.support import diagram_problems
from tests.support_plan import (
    ORGANISATION_OBJECTOR,
    PERSON_OBJECTOR,
    PlanScenario,
    announcement_of,
    application,
    at,
    deploy_stand_ins,
    eligible_application,
    plan_items,
    set_application_status,
)

MODEL = Path(__file__).resolve().parents[2] / "processes" / "subsidy_plan" / "subsidy_plan.bpmn"


@pytest.fixture
def plan(engine, clock) -> PlanScenario:
    at(clock, "2026-02-10T09:00:00+08:00")
    deploy_stand_ins(engine)
    return PlanScenario(engine)


def three_applications(plan: PlanScenario, removed_waiter: bool = False) -> tuple[int, int, int]:
    """50,000 and 40,000 yuan in 历下区, 30,000 yuan in 历城区."""
    first = eligible_application(plan, "provider_a", "历下区", 50000,
                                 waits_for="plan_item_removed" if removed_waiter else "subsidy_paid")
    second = eligible_application(plan, "provider_b", "历下区", 40000)
    third = eligible_application(plan, "provider_a", "历城区", 30000)
    return first, second, third


def announced(plan: PlanScenario, clock, budget_fen: int = 150_000_00, removed_waiter: bool = False):
    """Applications, a plan within budget, confirmed and announced on Thu 2026-02-12 10:00."""
    ids = three_applications(plan, removed_waiter)
    plan.city_drafts_plan(budget_fen).city_confirms_plan()
    at(clock, "2026-02-12T10:00:00+08:00")
    plan.city_publishes_announcement()
    return ids


def period_ends(plan: PlanScenario, clock) -> None:
    at(clock, "2026-02-26T00:00:01+08:00")
    plan.engine.timers.sweep()


def test_happy_path_from_draft_to_every_provider_paid(plan, engine, clock) -> None:
    first, second, third = three_applications(plan)
    plan.city_drafts_plan(150_000_00)
    assert plan.waiting_at() == ["confirm_plan"]
    assert {application(engine, i).status for i in (first, second, third)} == {"eligible"}

    plan.city_confirms_plan()
    assert plan.waiting_at() == ["publish_announcement"]
    items = plan_items(engine, plan.instance_id)
    assert {i: (items[i].requested_fen, items[i].amount_fen) for i in items} == {
        first: (5000000, 5000000), second: (4000000, 4000000), third: (3000000, 3000000)}
    assert {application(engine, i).status for i in (first, second, third)} == {"planned"}

    at(clock, "2026-02-12T10:00:00+08:00")  # a Thursday; Sat 2/14 works, 2/15–2/23 are off
    plan.city_publishes_announcement()
    announcement = announcement_of(engine, plan.instance_id)
    assert announcement.starts_at == datetime(2026, 2, 12, 10, 0, tzinfo=SHANGHAI)
    assert announcement.ends_at == datetime(2026, 2, 26, 0, 0, tzinfo=SHANGHAI)
    assert announcement.legal_basis == "《济南市数字化转型诊断工作指南（暂行）》第十四条（六）"
    with engine.sessions() as session:
        listed = published_announcements(session)
        detail = announcement_detail(session, announcement.id)
    assert [a["id"] for a in listed] == [announcement.id] and listed[0]["total_fen"] == 120_000_00
    assert detail["contacts"]["phone"] == "0531-66608000"
    assert sorted(item["amount_fen"] for item in detail["items"]) == [30_000_00, 40_000_00, 50_000_00]

    at(clock, "2026-02-25T23:59:00+08:00")
    engine.timers.sweep()
    assert plan.waiting_at() == [] and announcement_of(engine, plan.instance_id).status == "open"

    # SpiffWorkflow fires a date timer once its time has passed (due < now), so the first sweep
    # at or after 24:00 of 2/25 closes it
    at(clock, "2026-02-26T00:00:01+08:00")
    engine.timers.sweep()
    assert announcement_of(engine, plan.instance_id).status == "closed"
    assert plan.waiting_at() == ["issue_plan"]

    at(clock, "2026-02-27T10:00:00+08:00")
    plan.city_issues_plan().city_requests_funds()
    assert plan.waiting_at() == ["release_funds"]
    assert [(r["district"], r["amount"]) for r in plan.task_data("city_finance", "release_funds")["releases"]] == [
        ("历下区", 90_000_00), ("历城区", 30_000_00)]
    plan.city_finance_releases_funds("2026-02-27")
    with engine.sessions() as session:
        releases = {r.district: r.amount_fen for r in session.scalars(select(FundRelease))}
    assert releases == {"历下区": 9000000, "历城区": 3000000}

    at(clock, "2026-03-02T15:00:00+08:00")
    plan.district_finance_pays("lixia_finance", "2026-03-02")
    assert plan.status() == "running"
    plan.district_finance_pays("licheng_finance", "2026-03-02")
    assert plan.status() == "completed"
    with engine.sessions() as session:
        payments = {p.application_id: (p.district, p.amount_fen) for p in session.scalars(select(Payment))}
        done = session.scalar(select(SubsidyPlan).where(SubsidyPlan.instance_id == plan.instance_id))
    assert payments == {first: ("历下区", 5000000), second: ("历下区", 4000000), third: ("历城区", 3000000)}
    assert done.status == "completed" and done.issue_doc_no == "济工信数字〔2026〕5号"
    for application_id in (first, second, third):
        paid = application(engine, application_id)
        assert paid.status == "paid"
        _, _, stand_in = engine.runtime.load(paid.instance_id)
        assert stand_in.is_completed() and stand_in.last_task.data["paid_id"] > 0


def test_over_budget_is_scaled_down_and_shown_before_it_is_fixed(plan, engine) -> None:
    three_applications(plan)  # 120,000 yuan requested
    plan.city_drafts_plan(100_000_00)
    task = plan.task_of("city", "confirm_plan")
    view = engine.tasks.get(plan.actor("city"), task["id"])
    rows = view.data["plan_rows"]
    assert [(r["requested"], r["amount"]) for r in rows] == [
        (50_000_00, 41_600_00), (40_000_00, 33_300_00), (30_000_00, 25_000_00)]
    assert view.data["plan_total"] == 99_900_00 <= 100_000_00 and view.data["plan_scaled"] is True
    facts = dict(view.facts)
    assert "资助计划项目" in facts and "计划资助金额（元） 41,600.00 元" in facts["资助计划项目"]
    assert facts["计划资助金额合计（元）"] == "99,900.00 元" and facts["年度预算（元）"] == "100,000.00 元"
    assert "比例" in facts["计划编制说明"]
    assert plan_items(engine, plan.instance_id) == {}  # nothing is fixed before the city confirms

    plan.city_adjusts_budget(110_000_00)
    rows = plan.task_data("city", "confirm_plan")["plan_rows"]
    assert [r["amount"] for r in rows] == [45_800_00, 36_600_00, 27_500_00]
    plan.city_confirms_plan()
    amounts = sorted(item.amount_fen for item in plan_items(engine, plan.instance_id).values())
    assert amounts == [2750000, 3660000, 4580000] and sum(amounts) <= 11000000


def test_scaling_rounds_down_and_never_exceeds_the_budget() -> None:
    assert scale([5000000, 4000000, 3000000], 10000000, 10000) == [4160000, 3330000, 2500000]
    assert scale([100, 200], 1000, 10000) == [100, 200]
    amounts = scale([3333333, 3333333, 3333334], 9999999, 10000)
    assert sum(amounts) <= 9999999 and all(a % 10000 == 0 for a in amounts)


def test_objection_upheld_removes_the_item_and_rejected_records_the_reason(plan, engine, clock) -> None:
    first, second, _ = announced(plan, clock, removed_waiter=True)
    announcement = announcement_of(engine, plan.instance_id)
    items = plan_items(engine, plan.instance_id)
    at(clock, "2026-02-13T15:00:00+08:00")
    upheld = file_objection(engine, announcement.id, ORGANISATION_OBJECTOR | {"item_id": items[first].id})
    rejected = file_objection(engine, announcement.id, PERSON_OBJECTOR | {"item_id": items[second].id})
    assert sorted(plan.objection_tasks()) == [upheld, rejected]
    with pytest.raises(Conflict, match="已处理|不是对本资助计划"):  # a stray message changes nothing
        engine.messages.send(plan.actor("city"), plan.instance_id, "objection_filed", {"objection_id": 999})
    assert plan.status() == "running"

    task_data = engine.tasks.get(plan.actor("city"), plan.objection_tasks()[upheld]).data
    assert task_data["objection_statement"] == ORGANISATION_OBJECTOR["statement"]
    assert ORGANISATION_OBJECTOR["name"] not in str(task_data)  # the objector stays confidential
    with engine.sessions() as session:
        assert objection_detail(session, plan.actor("city"), upheld)["credit_code"] == "91370102MA3DX0005X"
        with pytest.raises(Forbidden):
            objection_detail(session, plan.actor("city_finance"), upheld)

    plan.city_handles_objection(upheld, {"objection_decision": "uphold", "uphold_action": "remove",
                                         "decision_reason": "经核实，满意度调查确系代填"})
    plan.city_handles_objection(rejected, {"objection_decision": "reject",
                                           "decision_reason": "经现场核查，诊断报告与企业实际相符"})
    removed = application(engine, first)
    assert removed.status == "removed" and plan_items(engine, plan.instance_id)[first].status == "removed"
    _, _, stand_in = engine.runtime.load(removed.instance_id)
    assert stand_in.is_completed() and stand_in.last_task.data["removed_item"] == items[first].id
    with engine.sessions() as session:
        decided = {o.id: (o.status, o.decision_reason) for o in session.scalars(select(Objection))}
    assert decided == {upheld: ("upheld", "经核实，满意度调查确系代填"),
                       rejected: ("rejected", "经现场核查，诊断报告与企业实际相符")}
    assert application(engine, second).status == "planned"

    period_ends(plan, clock)
    assert plan.waiting_at() == ["issue_plan"]
    rows = plan.task_data("city", "issue_plan")["plan_rows"]
    assert [r["amount"] for r in rows] == [40_000_00, 30_000_00]


def test_the_plan_is_not_issued_while_an_objection_is_undecided(plan, engine, clock) -> None:
    first, _, _ = announced(plan, clock)
    announcement = announcement_of(engine, plan.instance_id)
    at(clock, "2026-02-25T16:00:00+08:00")
    objection_id = file_objection(engine, announcement.id,
                                  PERSON_OBJECTOR | {"item_id": plan_items(engine, plan.instance_id)[first].id})
    period_ends(plan, clock)
    assert announcement_of(engine, plan.instance_id).status == "closed"
    assert plan.waiting_at() == ["handle_objection"]  # no issue_plan while it is undecided

    with pytest.raises(InvalidData) as refused:
        plan.city_handles_objection(objection_id, {"objection_decision": "uphold", "uphold_action": "change_amount",
                                                   "new_amount": 200_000_00, "decision_reason": "金额调整"})
    assert "new_amount" in refused.value.errors  # over the annual budget
    plan.city_handles_objection(objection_id, {"objection_decision": "uphold", "uphold_action": "change_amount",
                                               "new_amount": 45_000_00, "decision_reason": "部分诊断内容不计入资助"})
    assert plan.waiting_at() == ["issue_plan"]
    assert application(engine, first).amount_fen == 4500000
    assert plan_items(engine, plan.instance_id)[first].amount_fen == 4500000


@pytest.mark.parametrize("objector, fields", [
    ({"statement": "匿名举报：材料造假"}, {"kind", "name", "phone"}),
    (ORGANISATION_OBJECTOR | {"credit_code": "91370102MA3DX00051", "stamped_scan": ""},
     {"credit_code", "stamped_scan"}),
    (PERSON_OBJECTOR | {"id_number": "370102198803150027", "signed_scan": "  "}, {"id_number", "signed_scan"}),
    (PERSON_OBJECTOR | {"statement": ""}, {"statement"}),
])
def test_anonymous_or_incomplete_objections_are_refused(plan, engine, clock, objector, fields) -> None:
    first, _, _ = announced(plan, clock)
    announcement = announcement_of(engine, plan.instance_id)
    item_id = plan_items(engine, plan.instance_id)[first].id
    with pytest.raises(InvalidData) as refused:
        file_objection(engine, announcement.id, objector | {"item_id": item_id})
    assert fields <= set(refused.value.errors)
    with engine.sessions() as session:
        assert session.scalars(select(Objection)).all() == []
    assert plan.waiting_at() == []


def test_an_objection_after_the_period_is_refused(plan, engine, clock) -> None:
    first, _, _ = announced(plan, clock)
    announcement = announcement_of(engine, plan.instance_id)
    item_id = plan_items(engine, plan.instance_id)[first].id
    at(clock, "2026-02-26T00:00:01+08:00")  # before any sweep: the period has ended all the same
    with pytest.raises(Conflict, match="公示期已于 2026-02-26 00:00 结束"):
        file_objection(engine, announcement.id, PERSON_OBJECTOR | {"item_id": item_id})
    engine.timers.sweep()
    with pytest.raises(Conflict, match="不再受理异议"):
        file_objection(engine, announcement.id, PERSON_OBJECTOR | {"item_id": item_id})
    assert plan.waiting_at() == ["issue_plan"]


def issued_and_released(plan: PlanScenario, clock) -> None:
    period_ends(plan, clock)
    at(clock, "2026-02-27T10:00:00+08:00")
    plan.city_issues_plan().city_requests_funds().city_finance_releases_funds("2026-02-27")


def test_each_district_finance_sees_only_its_own_payment_task(plan, engine, clock) -> None:
    announced(plan, clock)
    issued_and_released(plan, clock)
    lixia, licheng = (engine.tasks.inbox(plan.actor(name))[0] for name in ("lixia_finance", "licheng_finance"))
    assert [(t["bpmn_id"], t["district"]) for t in lixia] == [("pay_providers", "历下区")]
    assert [(t["bpmn_id"], t["district"]) for t in licheng] == [("pay_providers", "历城区")]
    assert lixia[0]["due_at"] == datetime(2026, 3, 13, 0, 0, tzinfo=SHANGHAI)  # 10 working days after Fri 2/27 (Sat 2/28 works)
    assert len(plan.task_data("lixia_finance", "pay_providers")["payments"]) == 2
    assert len(plan.task_data("licheng_finance", "pay_providers")["payments"]) == 1
    with pytest.raises(Forbidden):
        engine.tasks.get(plan.actor("lixia_finance"), licheng[0]["id"])
    with pytest.raises(Forbidden):
        engine.tasks.complete(plan.actor("lixia_finance"), licheng[0]["id"], {"payments": []})


def test_a_revoked_application_is_not_paid(plan, engine, clock) -> None:
    first, second, _ = announced(plan, clock)
    issued_and_released(plan, clock)
    set_application_status(engine, first, "revoked")  # 第十六条, after the funds reached the district

    at(clock, "2026-03-02T15:00:00+08:00")
    plan.district_finance_pays("lixia_finance", "2026-03-02")
    plan.district_finance_pays("licheng_finance", "2026-03-02")
    assert plan.status() == "completed"
    with engine.sessions() as session:
        paid = set(session.scalars(select(Payment.application_id)))
    assert first not in paid and second in paid
    assert application(engine, first).status == "revoked"
    assert plan_items(engine, plan.instance_id)[first].status == "revoked"
    _, _, stand_in = engine.runtime.load(application(engine, first).instance_id)
    assert not stand_in.is_completed()  # no subsidy_paid for it


def test_the_payment_rows_the_system_prefilled_cannot_be_changed(plan, engine, clock) -> None:
    announced(plan, clock)
    issued_and_released(plan, clock)
    rows = plan.task_data("lixia_finance", "pay_providers")["payments"]
    today = clock.local_now().date().isoformat()
    with pytest.raises(InvalidData):  # a row left out is refused by the handler
        plan.complete("lixia_finance", "pay_providers", {"payments": [rows[1] | {"paid_on": today, "voucher_no": "Y"}]})
    changed = [rows[0] | {"amount": 1, "paid_on": today, "voucher_no": "X"},
               rows[1] | {"paid_on": today, "voucher_no": "Y"}]
    plan.complete("lixia_finance", "pay_providers", {"payments": changed})  # the changed amount is ignored
    with engine.sessions() as session:
        paid = sorted(session.scalars(select(Payment.amount_fen).where(Payment.district == "历下区")))
    assert paid == sorted(row["amount"] for row in rows)


def test_the_model_has_a_complete_and_tidy_diagram() -> None:
    assert check_diagram(etree.parse(str(MODEL)).getroot()) == []
    assert diagram_problems(MODEL) == []
