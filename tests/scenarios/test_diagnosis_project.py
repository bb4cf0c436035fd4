"""第十一条–第十三条: filing, district review, report, self-assessment and satisfaction,
supervision and rectification."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, update

from engine.demo import DEMO_PASSWORD
from engine.errors import Conflict, Forbidden, InvalidData
from engine.records.projects import DiagnosisReport, Filing, Rectification, Satisfaction
from engine.records.providers import ProviderListing
from tests.support import ASSESSMENT, RECTIFICATION, REPORT, Scenario


@pytest.fixture(autouse=True)
def campaign(engine) -> int:
    """Every project here is filed in an open campaign with quotas for 历下区 and 历城区."""
    campaign_id = Scenario(engine).open_campaign().campaign_id
    assert campaign_id is not None
    return campaign_id


def accepted_project(engine) -> Scenario:
    return Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing().district_accepts_filing()


def filing_status(engine, project: Scenario) -> str:
    with engine.sessions() as session:
        return session.scalar(select(Filing.status).where(Filing.instance_id == project.instance_id))


def test_happy_path_runs_from_filing_to_satisfaction(engine) -> None:
    project = Scenario(engine).start("provider_a")
    assert project.waiting_at() == ["file_contract"]

    project.provider_files_contract()
    assert project.waiting_at() == ["confirm_filing"]
    confirm = engine.tasks.get(project.actor("enterprise_a"), project.task_of("enterprise_a", "confirm_filing")["id"])
    assert ("企业", "济南明泉精密机械有限公司（历下区）") in confirm.facts
    assert ("合同编号", "JNZD-2026-001") in confirm.facts
    project.enterprise_confirms_filing()
    assert project.waiting_at() == ["review_filing"]
    project.district_accepts_filing()
    assert project.waiting_at() == ["submit_report"]
    report = engine.tasks.get(project.actor("provider_a"), project.task_of("provider_a", "submit_report")["id"])
    assert ("确认联合备案", "确认") in report.facts and ("审核结论", "受理备案") in report.facts
    project.provider_submits_report()
    assert project.waiting_at() == ["confirm_assessment"]
    project.enterprise_confirms_assessment()

    assert project.status() == "completed"
    assert project.waiting_at() == []
    history = engine.instances.get(project.actor("city"), project.instance_id)["history"]
    actions = [(event["action"], event["actor"]) for event in history]
    assert actions[0] == ("instance_started", "provider_a")
    assert ("task_completed", "lixia_bureau") in actions
    assert actions[-1] == ("instance_completed", "enterprise_a")


def test_filing_puts_the_project_in_the_enterprise_district(engine) -> None:
    project = Scenario(engine).start("provider_a").provider_files_contract(enterprise="enterprise_b")
    with engine.sessions() as session:
        filing = session.scalar(select(Filing).where(Filing.instance_id == project.instance_id))
    assert (filing.district, filing.contract_no, filing.revision) == ("历城区", "JNZD-2026-001", 1)
    assert len(filing.working_group) == 2
    project.enterprise_confirms_filing("enterprise_b")
    assert project.task_of("licheng_bureau", "review_filing")["district"] == "历城区"
    assert engine.tasks.inbox(project.actor("lixia_bureau"))[1] == 0


def test_district_returns_filing_and_provider_revises(engine) -> None:
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    project.district_returns_filing()
    assert project.waiting_at() == ["file_contract"]
    assert filing_status(engine, project) == "returned"

    revision = engine.tasks.get(project.actor("provider_a"), project.task_of("provider_a", "file_contract")["id"])
    assert revision.data["review_comment"] == "缺少工作组联系方式"
    assert ("审核意见", "缺少工作组联系方式") in revision.facts

    project.provider_files_contract()
    assert filing_status(engine, project) == "pending"
    project.enterprise_confirms_filing().district_accepts_filing()
    assert project.waiting_at() == ["submit_report"]
    assert filing_status(engine, project) == "accepted"
    with engine.sessions() as session:
        assert session.scalar(select(Filing.revision).where(Filing.instance_id == project.instance_id)) == 2


def test_enterprise_declines_joint_filing(engine) -> None:
    project = Scenario(engine).start("provider_a").provider_files_contract()
    project.enterprise_confirms_filing(confirmed=False)
    assert project.waiting_at() == ["file_contract"]


def test_a_suspended_provider_cannot_file_new_projects(engine) -> None:
    project = Scenario(engine)
    with engine.sessions.begin() as session:
        session.execute(
            update(ProviderListing)
            .where(ProviderListing.organisation_id == project.organisation_id("provider_a"))
            .values(status="suspended", reason="诊断报告质量不合格")
        )
    with pytest.raises(Forbidden, match="已被暂停（诊断报告质量不合格）"):
        project.start("provider_a")


def test_report_and_satisfaction_are_recorded(engine, campaign: int) -> None:
    project = accepted_project(engine).provider_submits_report()
    project.complete("enterprise_a", "confirm_assessment", ASSESSMENT | {"satisfaction": "neutral"})
    assert project.status() == "completed"
    with engine.sessions() as session:
        report = session.scalar(select(DiagnosisReport).where(DiagnosisReport.instance_id == project.instance_id))
        assert (report.level, report.score, report.findings) == ("L2", 56.5, REPORT["findings"])
        survey = session.scalar(select(Satisfaction).where(Satisfaction.instance_id == project.instance_id))
        assert (survey.rating, survey.satisfied, survey.self_assessment_done) == ("neutral", False, True)
        assert survey.comment == "服务专业"
        filing = session.scalar(select(Filing).where(Filing.instance_id == project.instance_id))
        assert (filing.status, filing.campaign_id) == ("accepted", campaign) and filing.decided_at is not None


def test_only_very_satisfied_and_satisfied_count_as_satisfied(engine) -> None:
    project = accepted_project(engine).provider_submits_report()
    project.complete("enterprise_a", "confirm_assessment", ASSESSMENT | {"satisfaction": "very_satisfied"})
    with engine.sessions() as session:
        assert session.scalar(select(Satisfaction.satisfied).where(Satisfaction.instance_id == project.instance_id))


def rectification(engine, project: Scenario) -> Rectification:
    with engine.sessions() as session:
        return session.scalars(select(Rectification).where(Rectification.instance_id == project.instance_id)).one()


def test_rectification_opened_by_the_city_loops_until_accepted(engine) -> None:
    project = accepted_project(engine)
    project.opens_rectification("city")
    assert project.waiting_at() == ["respond_rectification", "submit_report"]
    shown = project.task_data("provider_a", "respond_rectification")
    assert (shown["rectification_issue"], shown["rectification_due_date"], shown["rectification_opener"]) == (
        RECTIFICATION["issue"], "2026-03-20", "市工业和信息化局"
    )
    assert rectification(engine, project).status == "open"

    project.provider_responds_to_rectification()
    assert project.waiting_at() == ["submit_report", "verify_rectification_city"]
    assert rectification(engine, project).status == "responded"
    verify = engine.tasks.get(project.actor("city"), project.task_of("city", "verify_rectification_city")["id"])
    assert ("整改问题", RECTIFICATION["issue"]) in verify.facts
    assert ("整改落实情况", "已补充两次现场调研，调研记录已上传。") in verify.facts

    project.verifies_rectification("city", accept=False, comment="调研记录缺少企业签字确认。")
    assert project.waiting_at() == ["respond_rectification", "submit_report"]
    again = engine.tasks.get(project.actor("provider_a"), project.task_of("provider_a", "respond_rectification")["id"])
    assert ("核实意见", "调研记录缺少企业签字确认。") in again.facts
    assert rectification(engine, project).status == "open"

    project.provider_responds_to_rectification(response="已补充企业签字确认的调研记录。")
    project.verifies_rectification("city")
    assert project.waiting_at() == ["submit_report"]
    item = rectification(engine, project)
    assert (item.status, item.rounds, item.opened_by_role, item.verifier_role) == ("accepted", 2, "city_bureau", "city_bureau")
    assert item.response == "已补充企业签字确认的调研记录。" and item.closed_at is not None
    assert item.opened_by_id == project.actor("city").user_id

    project.provider_submits_report().enterprise_confirms_assessment()
    assert project.status() == "completed"


def test_rectification_opened_by_a_district_is_verified_by_that_district(engine) -> None:
    project = accepted_project(engine)
    with pytest.raises(Forbidden, match="本区县"):
        project.opens_rectification("licheng_bureau")
    project.opens_rectification("lixia_bureau").provider_responds_to_rectification()
    task = project.task_of("lixia_bureau", "verify_rectification_district")
    assert task["district"] == "历下区"
    assert all(t["instance_id"] != project.instance_id for t in engine.tasks.inbox(project.actor("licheng_bureau"))[0])
    assert all(t["bpmn_id"] != "verify_rectification_district" for t in engine.tasks.inbox(project.actor("city"))[0])
    with pytest.raises(Forbidden):
        engine.tasks.complete(project.actor("licheng_bureau"), task["id"], {"verification_decision": "accept"})
    project.verifies_rectification("lixia_bureau")
    assert rectification(engine, project).status == "accepted"


def test_a_supervisor_verifies_only_the_items_assigned_to_it(engine) -> None:
    other = engine.identity.ensure_user("supervisor_2", DEMO_PASSWORD, "第三方监督机构 郑工", "supervisor")
    project = accepted_project(engine)
    project.opens_rectification("supervisor_1").provider_responds_to_rectification()
    task = project.task_of("supervisor_1", "verify_rectification_supervisor")
    assert task["assignee"] == project.actor("supervisor_1").user_id
    assert engine.tasks.inbox(project.actor("supervisor_2"))[1] == 0
    with pytest.raises(Forbidden):
        engine.tasks.get(project.actor("supervisor_2"), task["id"])
    for outsider in ("city", "lixia_bureau"):
        assert all(t["instance_id"] != project.instance_id for t in engine.tasks.inbox(project.actor(outsider))[0])
    project.verifies_rectification("supervisor_1")
    assert rectification(engine, project).status == "accepted"

    # The city commissions a supervisor to verify an item it opens.
    project.opens_rectification("city", issue="工作组成员与备案不一致。", supervisor_id=other)
    project.provider_responds_to_rectification()
    assert project.task_of("supervisor_2", "verify_rectification_supervisor")["assignee"] == other
    assert all(t["instance_id"] != project.instance_id for t in engine.tasks.inbox(project.actor("supervisor_1"))[0])
    project.verifies_rectification("supervisor_2")
    with pytest.raises(InvalidData) as refused:  # a supervisor cannot hand its own item to another
        project.opens_rectification("supervisor_1", supervisor_id=other)
    assert set(refused.value.errors) == {"supervisor_id"}


def test_who_may_open_a_rectification_and_when(engine) -> None:
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    with pytest.raises(Conflict, match="没有等待消息「rectification_opened」"):  # not accepted yet
        project.opens_rectification("city")
    project.district_accepts_filing()
    for not_a_supervisor in ("provider_a", "enterprise_a"):
        with pytest.raises(Forbidden):
            project.opens_rectification(not_a_supervisor)
    with pytest.raises(InvalidData) as refused:
        project.opens_rectification("city", issue=" ", due_date="2026-03-01")
    assert refused.value.errors == {"issue": "请填写发现的问题和整改要求", "due_date": "整改期限不能早于今天"}
    assert project.waiting_at() == ["submit_report"]
    with engine.sessions() as session:
        assert session.scalars(select(Rectification)).all() == []

    project.provider_submits_report().enterprise_confirms_assessment()
    assert project.status() == "completed"
    with pytest.raises(Conflict, match="不再接收消息"):
        project.opens_rectification("city")


def test_the_project_does_not_end_while_a_rectification_is_open(engine) -> None:
    project = accepted_project(engine)
    project.opens_rectification("city")
    project.provider_submits_report().enterprise_confirms_assessment()
    assert project.status() == "running"
    assert project.waiting_at() == ["respond_rectification"]
    with pytest.raises(Conflict, match="没有等待消息「rectification_opened」"):  # supervision has ended
        project.opens_rectification("lixia_bureau")

    project.complete("provider_a", "respond_rectification",
                     {"rectification_issue": "没有问题", "rectification_response": "已整改"})
    verify = engine.tasks.get(project.actor("city"), project.task_of("city", "verify_rectification_city")["id"])
    assert ("整改问题", RECTIFICATION["issue"]) in verify.facts  # the opener's issue, not the provider's edit
    project.verifies_rectification("city")
    assert project.status() == "completed"
    history = engine.instances.get(project.actor("city"), project.instance_id)["history"]
    assert (history[-1]["action"], history[-1]["actor"]) == ("instance_completed", "city")


def test_two_rectifications_run_side_by_side(engine) -> None:
    project = accepted_project(engine)
    project.opens_rectification("city").opens_rectification("lixia_bureau", issue="诊断报告未体现一企一策。")
    assert project.waiting_at() == ["respond_rectification", "respond_rectification", "submit_report"]
    issues = set()
    for task in [t for t in engine.tasks.inbox(project.actor("provider_a"))[0] if t["bpmn_id"] == "respond_rectification"]:
        data = engine.tasks.get(project.actor("provider_a"), task["id"]).data
        issues.add(data["rectification_issue"])
        engine.tasks.complete(project.actor("provider_a"), task["id"], {"rectification_response": "已整改"})
    assert issues == {RECTIFICATION["issue"], "诊断报告未体现一企一策。"}
    assert project.waiting_at() == ["submit_report", "verify_rectification_city", "verify_rectification_district"]
    project.verifies_rectification("city").verifies_rectification("lixia_bureau")
    with engine.sessions() as session:
        statuses = session.scalars(select(Rectification.status).where(Rectification.instance_id == project.instance_id))
        assert sorted(statuses) == ["accepted", "accepted"]


def test_an_overdue_rectification_escalates_to_the_city(engine, clock) -> None:
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    project.district_accepts_filing()
    project.opens_rectification("lixia_bureau")
    task = project.task_of("provider_a", "respond_rectification")
    assert task["due_at"] == datetime.fromisoformat("2026-03-10T00:00:00+08:00")  # 5 working days after 3/2
    clock.set(datetime.fromisoformat("2026-03-10T00:00:01+08:00"))
    assert engine.reminders.run() == (1, 1)
    escalations = engine.reminders.escalations_for(project.actor("city"))
    assert [e["task_name"] for e in escalations] == ["落实整改意见"]
    assert engine.reminders.escalations_for(project.actor("lixia_bureau")) == []
