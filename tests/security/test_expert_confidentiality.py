"""Who scored a subsidy application, and what they wrote, is for the city bureau: the applicant
(provider) and the district see the experts' steps in the history only as 评审专家, without
what they entered — in the instance's history and in the audit-trail export. What followed
(the average, the status) stays visible."""

from __future__ import annotations

import pytest

from tests.support_subsidy import SubsidyScenario, completed_project

COMMENTS = ("甲专家意见：报告扎实", "乙专家意见：措施可行", "丙专家意见：建议资助")


@pytest.fixture
def scored(engine) -> SubsidyScenario:  # noqa: ANN001 - the engine fixture
    project = completed_project(engine)
    application = SubsidyScenario(engine).start("provider_a")
    application.provider_applies([project]).district_approves()
    application.city_reviews(expert_count=3)
    for expert, score, comment in zip(application.experts_with_tasks(), (95, 90, 92.5), COMMENTS, strict=True):
        application.expert_scores(expert, score, comment=comment)
    return application


def expert_events(application: SubsidyScenario, viewer: str) -> list[dict]:
    history = application.engine.instances.get(application.actor(viewer), application.instance_id)["history"]
    return [event for event in history if (event["element_id"], event["action"]) == ("score_application", "task_completed")]


def test_the_applicant_and_the_district_see_experts_only_as_a_role(scored: SubsidyScenario) -> None:
    for viewer in ("provider_a", "lixia_bureau"):
        events = expert_events(scored, viewer)
        assert len(events) == 3
        assert {(e["actor"], e["actor_display"]) for e in events} == {("评审专家", "评审专家")}
        assert not any(comment in str(events) for comment in COMMENTS)


def test_the_city_bureau_sees_who_scored_and_what_they_wrote(scored: SubsidyScenario) -> None:
    events = expert_events(scored, "city")
    assert {e["actor"] for e in events} == {"expert_1", "expert_2", "expert_3"}
    assert all(comment in str(events) for comment in COMMENTS)


def test_the_audit_trail_export_keeps_the_same_secret(scored: SubsidyScenario) -> None:
    def csv_for(viewer: str) -> str:
        return scored.engine.exports.audit_csv(scored.actor(viewer), scored.instance_id, {}).decode("utf-8-sig")

    provider_csv, city_csv = csv_for("provider_a"), csv_for("city")
    assert "expert_1" not in provider_csv and not any(comment in provider_csv for comment in COMMENTS)
    assert "评审专家" in provider_csv
    assert "expert_1" in city_csv and all(comment in city_csv for comment in COMMENTS)
