"""第十七条: after payment, money obtained by fraud is recovered — demand, repayments recorded
by the district finance of the application's district until the demanded amount is back (or
the city closes the case), the case closed, the provider flagged on the published list."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from engine.errors import Forbidden, InvalidData
from engine.lint import check_diagram
from engine.records.plans import Recovery, Repayment
from engine.records.providers import published_list
from tests.support import diagram_problems
from tests.support_plan import RecoveryScenario, at, eligible_application, paid_application, set_application_status

MODEL = Path(__file__).resolve().parents[2] / "processes" / "clawback" / "clawback.bpmn"
PROVIDER_A = "济南数智诊断科技有限公司"


@pytest.fixture
def case(engine, clock) -> RecoveryScenario:
    at(clock, "2026-03-02T09:00:00+08:00")
    return RecoveryScenario(engine)


def recovery(engine, case: RecoveryScenario) -> Recovery:
    with engine.sessions() as session:
        return session.scalars(select(Recovery).where(Recovery.instance_id == case.instance_id)).one()


def flagged(engine) -> dict[str, bool]:
    with engine.sessions() as session:
        return {row["organisation_name"]: row["flagged"] for row in published_list(session)}


def test_demand_partial_and_full_repayment_close_the_case_and_flag_the_provider(case, engine, clock) -> None:
    application_id = paid_application(case, "provider_a", "历下区", 50000)
    assert flagged(engine)[PROVIDER_A] is False
    case.city_records_finding(application_id)
    shown = engine.tasks.get(case.actor("city"), case.task_of("city", "issue_demand")["id"]).data
    assert (shown["recovery_provider"], shown["recovery_paid"], shown["demand_amount"]) == (PROVIDER_A, 50_000_00, 50_000_00)

    case.city_demands_repayment(50_000_00, deadline="2026-03-31")
    item = recovery(engine, case)
    assert (item.status, item.demanded_fen, item.deadline, item.letter_no) == (
        "demanded", 5000000, "2026-03-31", "济工信数字追〔2026〕1号")
    lixia = [t for t in engine.tasks.inbox(case.actor("lixia_finance"))[0] if t["instance_id"] == case.instance_id]
    assert [(t["bpmn_id"], t["district"]) for t in lixia] == [("record_repayment", "历下区")]
    assert all(t["instance_id"] != case.instance_id for t in engine.tasks.inbox(case.actor("licheng_finance"))[0])
    with pytest.raises(Forbidden):
        engine.tasks.complete(case.actor("licheng_finance"), lixia[0]["id"],
                              {"repaid_amount": 1, "repaid_on": "2026-03-02", "repayment_voucher_no": "X"})
    notes = [n["title"] for n in engine.notifications.for_actor(case.actor("provider_a"))]
    assert any("请于 2026-03-31 前退回资助资金 50,000 元" in title for title in notes)

    at(clock, "2026-03-10T10:00:00+08:00")
    with pytest.raises(InvalidData) as refused:
        case.district_finance_records_repayment("lixia_finance", 60_000_00, "2026-03-10", "JK-001")
    assert "repaid_amount" in refused.value.errors
    case.district_finance_records_repayment("lixia_finance", 20_000_00, "2026-03-10", "JK-001")
    assert case.waiting_at() == ["review_recovery"]
    review = engine.tasks.get(case.actor("city"), case.task_of("city", "review_recovery")["id"]).data
    assert (review["recovery_repaid"], review["recovery_outstanding"]) == (20_000_00, 30_000_00)
    case.city_continues_recovery()
    assert case.waiting_at() == ["record_repayment"]

    at(clock, "2026-03-20T10:00:00+08:00")
    case.district_finance_records_repayment("lixia_finance", 30_000_00, "2026-03-20", "JK-002")
    assert case.status() == "completed"
    item = recovery(engine, case)
    assert (item.status, item.demanded_fen, item.repaid_fen) == ("closed", 5000000, 5000000)
    assert item.closed_at is not None and item.close_reason == "已全额追回 50,000 元"
    assert item.finding.startswith("诊断报告系服务商伪造") and item.application_id == application_id
    with engine.sessions() as session:
        repayments = [(r.amount_fen, r.voucher_no) for r in session.scalars(select(Repayment).order_by(Repayment.id))]
    assert repayments == [(2000000, "JK-001"), (3000000, "JK-002")]
    assert flagged(engine)[PROVIDER_A] is True
    notes = [n["title"] for n in engine.notifications.for_actor(case.actor("provider_a"))]
    assert any("追缴案件已结案" in title for title in notes)


def test_the_city_may_close_the_case_before_everything_is_repaid(case, engine, clock) -> None:
    application_id = paid_application(case, "provider_b", "历城区", 40000)
    case.city_records_finding(application_id).city_demands_repayment(40_000_00)
    case.district_finance_records_repayment("licheng_finance", 10_000_00, "2026-03-02", "JK-101")
    with pytest.raises(InvalidData) as refused:
        case.complete("city", "review_recovery", {"recovery_decision": "close"})
    assert "recovery_comment" in refused.value.errors
    case.city_closes_case("服务商已注销，剩余资金移交司法机关追缴")
    assert case.status() == "completed"
    item = recovery(engine, case)
    assert (item.status, item.repaid_fen) == ("closed", 1000000)
    assert "尚有 30,000 元 未追回" in item.close_reason and "移交司法机关" in item.close_reason
    assert flagged(engine)["山东工赋咨询服务有限公司"] is True


@pytest.mark.parametrize("status, message", [("eligible", "符合资助条件"), ("planned", "已列入资助计划"),
                                             ("revoked", "已撤销")])
def test_only_a_paid_application_can_be_recovered(case, engine, status, message) -> None:
    application_id = eligible_application(case, waits_for=None)
    set_application_status(engine, application_id, status)
    with pytest.raises(InvalidData) as refused:
        case.city_records_finding(application_id)
    assert message in refused.value.errors["application_id"] and "尚未拨付" in refused.value.errors["application_id"]
    with pytest.raises(InvalidData) as unknown:
        case.complete("city", "record_finding", {"application_id": 999999, "finding": "虚假材料"})
    assert "不存在" in unknown.value.errors["application_id"]
    assert case.waiting_at() == ["record_finding"]


def test_the_demand_cannot_exceed_what_was_paid(case, engine) -> None:
    case.city_records_finding(paid_application(case, amount_yuan=30000))
    with pytest.raises(InvalidData) as refused:
        case.city_demands_repayment(30_000_01)
    assert "不能超过已拨付的 30,000 元" in refused.value.errors["demand_amount"]
    with pytest.raises(InvalidData) as refused:
        case.city_demands_repayment(1_000_00, deadline="2026-03-01")
    assert set(refused.value.errors) == {"demand_deadline"}


def test_the_model_has_a_complete_and_tidy_diagram() -> None:
    assert check_diagram(etree.parse(str(MODEL)).getroot()) == []
    assert diagram_problems(MODEL) == []
