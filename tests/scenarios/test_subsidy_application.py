"""第十四条（二）–（四）, 第十五条, 第十六条, 第四条: a provider applies for the subsidy of its completed
projects; the district bureau and district finance review jointly; the city re-reviews; experts
score; eligibility.dmn decides the eight conditions and tier.dmn the amount; an eligible
application waits for the plan to pay it, or is revoked before payment."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import Instance, Notification, Organisation, User
from engine.records.campaigns import Campaign
from engine.records.projects import Filing, Rectification, Satisfaction
from engine.records.providers import ProviderListing
from engine.records.subsidies import (
    ConflictOfInterest,
    SubsidyApplication,
    eligible_applications,
    payable,
)
from handlers.subsidies import CONDITION_FIELDS
from tests.support import Scenario, diagram_problems
from tests.support_subsidy import (
    SubsidyScenario,
    business_key,
    completed_project,
    offered_projects,
    second_lixia_enterprise,
)

MODEL = Path(__file__).resolve().parents[2] / "processes" / "subsidy_application" / "subsidy_application.bpmn"


def eligible_application(engine, expert_count: int = 1, score: float = 95) -> SubsidyScenario:
    """One completed project of provider_a, applied for and scored: eligible, waiting for the plan."""
    project = completed_project(engine)
    application = SubsidyScenario(engine).start().provider_applies([project]).district_approves()
    application.city_reviews(expert_count=expert_count).experts_score(*[score] * expert_count)
    assert application.application().status == "eligible"
    return application


def applied(engine) -> SubsidyScenario:
    """provider_a has applied for one completed project (in 历下区)."""
    project = completed_project(engine)
    return SubsidyScenario(engine).start().provider_applies([project])


def set_status(engine, application: SubsidyScenario, status: str) -> None:
    """What the subsidy plan does (it locks the row, then changes the status)."""
    with engine.sessions.begin() as session:
        row = session.scalar(
            select(SubsidyApplication).where(SubsidyApplication.instance_id == application.instance_id).with_for_update()
        )
        row.status = status


def test_the_model_has_a_complete_tidy_diagram() -> None:
    assert diagram_problems(MODEL) == []


def test_happy_path_two_projects_to_eligible_with_the_tier_amount(engine) -> None:
    enterprise_c = second_lixia_enterprise(engine)
    first, second = completed_project(engine), completed_project(engine, enterprise=enterprise_c)
    application = SubsidyScenario(engine).start("provider_a")
    offered = offered_projects(application)
    assert list(offered) == [first.instance_id, second.instance_id]
    assert offered[first.instance_id].startswith(f"{business_key(first)} 济南明泉精密机械有限公司（历下区备案")
    assert offered[second.instance_id].startswith(f"{business_key(second)} 济南泉城智造电子有限公司（历下区备案")

    application.provider_applies([first, second])
    assert application.waiting_at() == ["district_bureau_review", "district_finance_review"]
    row = application.application()
    assert (row.status, row.district, row.year) == ("district_review", "历下区", 2026)
    assert row.project_instance_ids == [first.instance_id, second.instance_id]
    assert len(row.materials) == 9
    finance_task = application.task_of("lixia_finance", "district_finance_review")
    assert finance_task["district"] == "历下区" and finance_task["due_at"] is not None
    assert engine.tasks.inbox(application.actor("licheng_finance"), instance_id=application.instance_id)[1] == 0

    application.district_bureau_decides()
    assert application.waiting_at() == ["district_finance_review"]
    application.district_finance_decides()
    assert application.waiting_at() == ["city_review"]
    assert application.application().status == "city_review"

    # The city reviewer sees all eight conditions with reasons; （八） is for the city to confirm.
    review = engine.tasks.get(application.actor("city"), application.task_of("city", "city_review")["id"])
    shown = [review.data[field] for field in CONDITION_FIELDS]
    assert [text.split("：")[0] for text in shown] == ["符合"] * 7 + ["待确认"]
    assert shown[4] == "符合：各项目企业满意度评价为「满意」，满足“满意”要求"
    assert [line[:4] for line in review.data["eligibility_summary"]] == [
        "（一）项", "（二）项", "（三）项", "（四）项", "（五）企", "（六）服", "（七）服", "（八）满"]
    assert ("区县财政部门初审意见", "初审通过，联合报送市级") in review.facts

    application.city_reviews(expert_count=3)
    experts = application.experts_with_tasks()
    assert experts == ["expert_1", "expert_2", "expert_3"]
    assert application.application().status == "expert_review"
    # Each expert sees only the task assigned to them.
    task = application.task_of("expert_1", "score_application")
    with pytest.raises(Forbidden):
        engine.tasks.get(application.actor("expert_2"), task["id"])
    expert_view = engine.tasks.get(application.actor("expert_1"), task["id"])
    assert ("（五）企业对服务商的满意度评价为满意", shown[4]) in expert_view.facts

    application.expert_scores("expert_1", 95).expert_scores("expert_2", 90).expert_scores("expert_3", 92.5)
    row = application.application()
    assert (row.status, row.expert_average, row.amount_fen) == ("eligible", 92.5, 2 * 50_000 * 100)
    assert all(condition["passed"] is True for condition in row.eligibility) and len(row.eligibility) == 8
    assert application.status() == "running" and application.waiting_at() == []
    with engine.sessions.begin() as session:
        assert [a.id for a in eligible_applications(session, 2026)] == [row.id]
        assert payable(session, row.id) is True

    # The plan pays it: status paid first, then the message; the instance ends.
    set_status(engine, application, "paid")
    engine.messages.send(application.actor("city"), application.instance_id, "subsidy_paid", {"plan_id": 1})
    assert application.status() == "completed"


def test_a_payment_message_alone_does_not_end_the_application(engine) -> None:
    application = eligible_application(engine)
    with pytest.raises(Conflict, match="须由资助计划登记"):
        engine.messages.send(application.actor("city"), application.instance_id, "subsidy_paid", {})
    assert application.status() == "running"


def test_an_item_removed_from_the_plan_ends_the_application(engine) -> None:
    application = eligible_application(engine)
    set_status(engine, application, "planned")
    with engine.sessions.begin() as session:
        assert payable(session, application.application().id) is True
    set_status(engine, application, "removed")
    engine.messages.send(application.actor("city"), application.instance_id, "plan_item_removed", {"reason": "异议成立"})
    assert application.status() == "completed"
    with engine.sessions.begin() as session:
        assert payable(session, application.application().id) is False


@pytest.mark.parametrize("returning", ["district_bureau", "district_finance"])
def test_either_district_department_returns_for_correction(engine, returning: str) -> None:
    project = completed_project(engine)
    application = SubsidyScenario(engine).start().provider_applies([project])
    if returning == "district_bureau":
        application.district_bureau_decides("return", "缺少经审计的财务报告").district_finance_decides()
    else:
        application.district_bureau_decides().district_finance_decides("return", "缺少经审计的财务报告")
    assert application.waiting_at() == ["apply_subsidy"]
    assert application.application().status == "returned"
    correction = engine.tasks.get(application.actor("provider_a"), application.task_of("provider_a", "apply_subsidy")["id"])
    assert any(value == "缺少经审计的财务报告" for _, value in correction.facts)
    with engine.sessions() as session:
        notes = session.scalars(select(Notification.title).where(Notification.role == "provider")).all()
    assert any("退回修改" in title for title in notes)

    application.provider_applies([project], application_note="已补充经审计的财务报告。")
    assert application.waiting_at() == ["district_bureau_review", "district_finance_review"]
    application.district_approves()
    assert application.waiting_at() == ["city_review"]


def test_the_city_returns_to_the_district_for_a_new_joint_review(engine) -> None:
    application = applied(engine).district_approves()
    application.city_reviews("return", comment="区县联合报送文件缺少财政部门盖章")
    assert application.waiting_at() == ["district_bureau_review", "district_finance_review"]
    assert application.application().status == "district_review"
    application.district_approves()
    assert application.waiting_at() == ["city_review"]


def test_district_rejection_with_reason_ends_the_application(engine) -> None:
    application = applied(engine)
    # A rejection wins over a return: the application ends.
    application.district_bureau_decides("return", "材料不完整")
    application.district_finance_decides("reject", "诊断合同金额与付款凭证不符")
    assert application.status() == "completed"
    row = application.application()
    assert row.status == "rejected"
    assert row.rejection_reason == "区县初审不予通过：区县财政部门：诊断合同金额与付款凭证不符"


def test_city_rejection_with_reason_ends_the_application(engine) -> None:
    application = applied(engine).district_approves()
    application.city_reviews("reject", comment="申报材料与备案信息不一致")
    assert application.status() == "completed"
    assert application.application().rejection_reason == "市级复核不予通过：申报材料与备案信息不一致"


def test_experts_with_a_conflict_or_of_the_provider_never_get_a_task(engine) -> None:
    project = completed_project(engine)
    scenario = SubsidyScenario(engine)
    provider_org = scenario.organisation_id("provider_a")
    with engine.sessions.begin() as session:
        session.add(ConflictOfInterest(expert_id=scenario.actor("expert_1").user_id, organisation_id=provider_org,
                                       reason="曾任该服务商顾问", declared_at=engine.clock.now()))
        session.execute(update(User).where(User.username == "expert_2").values(organisation_id=provider_org))
    application = scenario.start().provider_applies([project]).district_approves().city_reviews(expert_count=3)
    assert application.experts_with_tasks() == ["expert_3", "expert_4", "expert_5"]

    # An expert may declare a conflict instead of scoring: the next available expert replaces them
    # — here nobody is left, which is an incident naming why.
    application.expert_declares_conflict("expert_4")
    view = engine.instances.get(application.actor("city"), application.instance_id)
    assert view["status"] == "error" and view["error"]["element_id"] == "record_score"
    assert "没有可替换的专家" in view["error"]["message"]
    with engine.sessions() as session:
        assert session.scalar(select(ConflictOfInterest.reason).where(
            ConflictOfInterest.expert_id == application.actor("expert_4").user_id)) == "本人近三年曾在该服务商兼职"


def test_a_declared_conflict_hands_the_review_to_the_next_expert(engine) -> None:
    application = applied(engine).district_approves()
    application.city_reviews(expert_count=2)
    assert application.experts_with_tasks() == ["expert_1", "expert_2"]
    application.expert_declares_conflict("expert_2")
    assert application.experts_with_tasks() == ["expert_1", "expert_3"]
    application.expert_scores("expert_3", 81).expert_scores("expert_1", 83)
    row = application.application()
    assert (row.status, row.expert_average, row.amount_fen) == ("eligible", 82.0, 40_000 * 100)
    assert set(application.scores()) == {application.actor("expert_1").user_id, application.actor("expert_3").user_id}


def test_too_few_experts_is_an_incident_with_a_clear_message(engine) -> None:
    application = applied(engine).district_approves()
    with engine.sessions.begin() as session:
        session.execute(update(User).where(User.username.in_(["expert_4", "expert_5"])).values(is_active=False))
    application.city_reviews(expert_count=4)
    view = engine.instances.get(application.actor("city"), application.instance_id)
    assert view["status"] == "error" and view["error"]["element_id"] == "select_experts"
    assert "需要 4 名" in view["error"]["message"] and "只有 3 名" in view["error"]["message"]
    assert application.experts_with_tasks(["expert_1", "expert_2", "expert_3"]) == []


def _suspend_provider(engine, project: Scenario) -> None:
    with engine.sessions.begin() as session:
        session.execute(update(ProviderListing).where(ProviderListing.organisation_id == project.organisation_id(
            "provider_a")).values(status="suspended", reason="诊断报告质量不合格"))


def _return_filing(engine, project: Scenario) -> None:
    with engine.sessions.begin() as session:
        session.execute(update(Filing).where(Filing.instance_id == project.instance_id).values(status="returned"))


def _enterprise_outside_jinan(engine, project: Scenario) -> None:
    with engine.sessions.begin() as session:
        session.execute(update(Organisation).where(Organisation.id == project.organisation_id("enterprise_a"))
                        .values(district="淄博市张店区"))


def _window_ends_before_completion(engine, project: Scenario) -> None:
    with engine.sessions.begin() as session:
        campaign_id = session.scalar(select(Filing.campaign_id).where(Filing.instance_id == project.instance_id))
        session.execute(update(Campaign).where(Campaign.id == campaign_id).values(window_end="2026-03-01"))


def _open_rectification(engine, project: Scenario) -> None:
    with engine.sessions.begin() as session:
        session.add(Rectification(instance_id=project.instance_id, opened_by_role="city_bureau", issue="补充现场调研记录",
                                  status="responded", opened_at=engine.clock.now()))


def _no_self_assessment(engine, project: Scenario) -> None:
    with engine.sessions.begin() as session:
        session.execute(update(Satisfaction).where(Satisfaction.instance_id == project.instance_id)
                        .values(self_assessment_done=False))


CONDITION_CASES = [
    ("（一）", _suspend_provider, {}, True, "已被暂停，原因：诊断报告质量不合格，不是市工业和信息化局确定的在册服务商"),
    ("（二）", _return_filing, {}, True, "的备案状态为「已退回」"),
    ("（三）", _enterprise_outside_jinan, {}, True, "企业所在地为淄博市张店区，不在济南市内"),
    ("（四）", _window_ends_before_completion, {}, True, "完成日期2026-03-02晚于诊断工作起止时间2026-01-01至2026-03-01"),
    ("（五）", None, {"satisfaction": "neutral"}, True, "企业满意度评价为「一般」，不满足“满意”要求"),
    ("（六）", _open_rectification, {}, True, "有 1 项整改意见未落实"),
    ("（七）", _no_self_assessment, {}, True, "企业未确认已完成自评估自诊断"),
    ("（八）", None, {}, False, "市工业和信息化局复核认定不满足其他要求（未提交绩效目标表原件）"),
]


@pytest.mark.parametrize(("condition", "break_it", "assessment", "other_met", "reason"), CONDITION_CASES,
                         ids=[case[0] for case in CONDITION_CASES])
def test_each_condition_of_article_15_fails_on_its_own(engine, condition, break_it, assessment, other_met,
                                                       reason) -> None:
    project = completed_project(engine, **assessment)
    application = SubsidyScenario(engine).start().provider_applies([project]).district_approves()
    application.city_reviews(expert_count=1, other_met=other_met,
                             note=None if other_met else "未提交绩效目标表原件")
    if break_it is not None:
        break_it(engine, project)
    application.experts_score(95)

    failing = application.failing_conditions()
    assert list(failing) == [condition]
    assert reason in failing[condition]
    row = application.application()
    assert (row.status, row.amount_fen) == ("rejected", 0)
    assert row.rejection_reason.startswith(f"不符合第十五条资助条件：{condition}") and reason in row.rejection_reason
    assert application.status() == "completed"


@pytest.mark.parametrize(
    ("score", "amount_yuan", "status"),
    [(90, 50_000, "eligible"), (89.99, 40_000, "eligible"), (60, 20_000, "eligible"), (59.99, 0, "rejected")],
)
def test_tier_amounts_at_the_boundaries(engine, score: float, amount_yuan: int, status: str) -> None:
    application = applied(engine).district_approves()
    application.city_reviews(expert_count=1).experts_score(score)
    row = application.application()
    assert (row.expert_average, row.amount_fen, row.status) == (score, amount_yuan * 100, status)
    if status == "rejected":
        assert row.rejection_reason == "专家评审平均分 59.99 分，不予资助（60 分以下）"
        assert application.status() == "completed"


def test_the_average_is_rounded_to_two_decimals_before_the_tier(engine) -> None:
    application = applied(engine).district_approves()
    application.city_reviews(expert_count=3).experts_score(89.99, 90, 89.99)
    row = application.application()
    assert (row.expert_average, row.amount_fen) == (89.99, 40_000 * 100)


def test_revocation_before_payment(engine) -> None:
    application = eligible_application(engine)
    set_status(engine, application, "planned")
    application.city_revokes("abnormal_operation", "服务商被列入经营异常名录")

    assert application.status() == "completed"
    row = application.application()
    assert (row.status, row.revocation_code, row.revocation_reason) == (
        "revoked", "abnormal_operation", "服务商被列入经营异常名录")
    with engine.sessions.begin() as session:
        assert payable(session, row.id) is False
        assert eligible_applications(session, 2026) == []
        notes = session.scalars(select(Notification).where(
            Notification.role == "provider", Notification.organisation_id == row.provider_org_id,
            Notification.instance_id == application.instance_id)).all()
    assert any("已被市工业和信息化局撤销" in n.title and "经营异常" in n.title for n in notes)


def test_revocation_needs_a_known_reason_and_the_city(engine) -> None:
    application = eligible_application(engine)
    with pytest.raises(InvalidData) as refused:
        application.city_revokes("dislike", "")
    assert set(refused.value.errors) == {"reason_code", "reason"}
    with pytest.raises(Forbidden):
        engine.messages.send(application.actor("lixia_bureau"), application.instance_id, "application_revoked",
                             {"reason_code": "other", "reason": "区县认为应撤销"})
    assert application.status() == "running" and application.application().status == "eligible"


def test_revocation_after_payment_is_refused(engine) -> None:
    application = eligible_application(engine)
    set_status(engine, application, "paid")  # paid; the plan's message has not arrived yet
    with pytest.raises(Conflict, match="已拨付，不能撤销"):
        application.city_revokes()
    assert application.application().status == "paid"
    assert application.status() == "running"
    engine.messages.send(application.actor("city"), application.instance_id, "subsidy_paid", {})
    assert application.status() == "completed"
    with pytest.raises(Conflict):
        application.city_revokes()


def test_a_provider_applies_only_for_its_own_completed_projects(engine) -> None:
    others = completed_project(engine)  # provider_a's
    unfinished = Scenario(engine).open_campaign().start("provider_b")
    unfinished.provider_files_contract("provider_b", "enterprise_b")
    own = completed_project(engine, "provider_b", "enterprise_b")
    application = SubsidyScenario(engine, "enterprise_b").start("provider_b")
    assert list(offered_projects(application, "provider_b")) == [own.instance_id]

    with pytest.raises(InvalidData) as refused:
        application.provider_applies([others, unfinished], provider="provider_b")
    assert refused.value.errors == {"projects.0": "请选择有效的选项", "projects.1": "请选择有效的选项"}
    assert application.waiting_at() == ["apply_subsidy"]
    with engine.sessions() as session:
        assert session.scalar(select(SubsidyApplication.id)) is None


def test_projects_of_one_district_all_materials_and_no_double_application(engine) -> None:
    lixia, licheng = completed_project(engine), completed_project(engine, enterprise="enterprise_b")
    application = SubsidyScenario(engine).start()
    with pytest.raises(InvalidData) as refused:
        application.provider_applies([lixia, licheng])
    assert list(refused.value.errors) == ["projects"] and "同一区县" in refused.value.errors["projects"]
    with pytest.raises(InvalidData) as refused:
        application.provider_applies([lixia], materials=["application_form"])
    assert "经审计的财务报告" in refused.value.errors["materials"]
    application.provider_applies([lixia])

    again = SubsidyScenario(engine, "enterprise_b").start()
    assert list(offered_projects(again)) == [licheng.instance_id]  # lixia is in the first application
    with pytest.raises(InvalidData) as refused:
        again.provider_applies([lixia])
    assert refused.value.errors == {"projects.0": "请选择有效的选项"}


def test_only_projects_of_the_current_campaign_are_offered(engine) -> None:
    earlier = completed_project(engine)
    Scenario(engine).open_campaign(quotas={"历下区": 5})  # a new round: the earlier campaign is closed
    current = completed_project(engine)
    application = SubsidyScenario(engine).start()
    assert list(offered_projects(application)) == [current.instance_id]
    with pytest.raises(InvalidData) as refused:
        application.provider_applies([earlier, current])
    assert refused.value.errors == {"projects.0": "请选择有效的选项"}
    application.provider_applies([current])
    assert application.application().project_instance_ids == [current.instance_id]



def test_a_provider_without_completed_projects_cannot_start(engine) -> None:
    with pytest.raises(Conflict, match="没有可申报资助的诊断项目"):
        SubsidyScenario(engine).start("provider_b")
    with engine.sessions() as session:
        assert session.scalar(select(Instance.id).where(Instance.process_id == "subsidy_application")) is None


def test_the_city_reviewer_page_shows_the_eight_conditions_and_submits(app, demo_password) -> None:
    from tests.webui.test_pages import csrf_token, sign_in

    engine = app.extensions["diagflow"]
    application = applied(engine).district_approves()
    task = application.task_of("city", "city_review")
    client = app.test_client()
    sign_in(client, "city", demo_password)
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    for condition in ("（一）项目由市工业和信息化局确定的服务商组织实施", "（五）企业对服务商的满意度评价为满意",
                      "（八）满足市工业和信息化局对诊断项目资助的其他要求"):
        assert condition in page
    assert page.count(">符合：") == 7 and "待确认：待市工业和信息化局在材料复核中确认" in page
    response = client.post(f"/tasks/{task['id']}", data={
        "csrf_token": csrf_token(page), "other_requirements_met": "true", "city_decision": "accept",
        "expert_count": "2", "condition_satisfied": "不符合：篡改",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    assert application.experts_with_tasks() == ["expert_1", "expert_2"]
    assert application.application().eligibility[4]["passed"] is True


def test_the_provider_ticks_its_projects_on_the_application_page(app, demo_password) -> None:
    from tests.support_subsidy import MATERIALS
    from tests.webui.test_pages import csrf_token, sign_in

    engine = app.extensions["diagflow"]
    project = completed_project(engine)
    application = SubsidyScenario(engine).start()
    task = application.task_of("provider_a", "apply_subsidy")
    client = app.test_client()
    sign_in(client, "provider_a", demo_password)
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert f'type="checkbox" id="field-projects-0" name="projects" value="{project.instance_id}"' in page
    assert f"{business_key(project)} 济南明泉精密机械有限公司（历下区备案" in page
    response = client.post(f"/tasks/{task['id']}", data={
        "csrf_token": csrf_token(page), "projects": str(project.instance_id), "materials": MATERIALS,
        "contact_name": "王磊", "contact_phone": "13700000003", "truthfulness_confirmed": "true"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert application.application().project_instance_ids == [project.instance_id]
