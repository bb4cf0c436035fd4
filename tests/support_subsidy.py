"""Scenario helpers for the subsidy application (第十四条(二)–(四), 第十五条, 第十六条), read like
the guide: *as the district finance bureau, approve the application*."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.demo import DEMO_PASSWORD
from engine.records.subsidies import ExpertScore, SubsidyApplication
from engine.services import ProcessEngine
from tests.support import ASSESSMENT, Scenario

MATERIALS = [
    "application_form", "business_licence", "audited_financials", "diagnosis_contract", "diagnosis_report",
    "satisfaction_survey", "filing_receipt", "enterprise_commitment", "performance_targets",
]
APPLICATION = {
    "materials": MATERIALS,
    "contact_name": "王磊",
    "contact_phone": "13700000003",
    "application_note": "申报2026年度诊断项目资助。",
    "truthfulness_confirmed": True,
}
# The district users of each demo enterprise's district.
DISTRICT_USERS = {
    "enterprise_a": ("lixia_bureau", "lixia_finance"),
    "enterprise_b": ("licheng_bureau", "licheng_finance"),
    "enterprise_c": ("lixia_bureau", "lixia_finance"),
}
EXPERTS = [f"expert_{n}" for n in range(1, 6)]


def second_lixia_enterprise(engine: ProcessEngine) -> str:
    """A second enterprise in 历下区 (the demo has one per district), with its user `enterprise_c`."""
    organisation_id = engine.identity.ensure_organisation("济南泉城智造电子有限公司", "enterprise", "91370102MA3DE00051",
                                                          "历下区")
    engine.identity.ensure_user("enterprise_c", DEMO_PASSWORD, "泉城智造 信息化负责人", "enterprise",
                                organisation_id=organisation_id)
    return "enterprise_c"


def completed_project(
    engine: ProcessEngine, provider: str = "provider_a", enterprise: str = "enterprise_a", **assessment: Any
) -> Scenario:
    """A diagnosis project run to completion: filed, confirmed, accepted by the district,
    reported, self-assessed and rated (by default 满意)."""
    bureau = DISTRICT_USERS[enterprise][0]
    project = Scenario(engine).open_campaign().start(provider)
    project.provider_files_contract(provider, enterprise).enterprise_confirms_filing(enterprise)
    project.district_accepts_filing(bureau).provider_submits_report(provider)
    project.complete(enterprise, "confirm_assessment", ASSESSMENT | assessment)
    assert project.status() == "completed"
    return project


def business_key(scenario: Scenario) -> str:
    view = scenario.engine.instances.get(scenario.actor("city"), scenario.instance_id)
    return view["business_key"]


def offered_projects(scenario: Scenario, username: str = "provider_a") -> dict[int, str]:
    """Project instance id → title, as the application form offers them to `username`."""
    view = scenario.engine.tasks.get(scenario.actor(username), scenario.task_of(username, "apply_subsidy")["id"])
    return {option["const"]: option["title"] for option in view.form.schema["properties"]["projects"]["items"]["oneOf"]
            if "const" in option}


class SubsidyScenario(Scenario):
    """One subsidy_application instance, driven by the demo users."""

    def __init__(self, engine: ProcessEngine, district: str = "enterprise_a") -> None:
        super().__init__(engine)
        self.bureau, self.finance = DISTRICT_USERS[district]

    def start(self, username: str = "provider_a", process_id: str = "subsidy_application") -> SubsidyScenario:
        super().start(username, process_id)
        return self

    # 第十四条（二）
    def provider_applies(self, projects: list[Scenario | int], provider: str = "provider_a",
                         **changes: Any) -> SubsidyScenario:
        """Tick the projects (their scenarios, or project instance ids) on the application form."""
        ids = [p if isinstance(p, int) else p.instance_id for p in projects]
        data = APPLICATION | {"projects": ids} | changes
        self.complete(provider, "apply_subsidy", data)
        return self

    # 第十四条（三）
    def district_bureau_decides(self, decision: str = "approve", comment: str | None = None) -> SubsidyScenario:
        data: dict[str, Any] = {"bureau_decision": decision}
        if comment:
            data["bureau_comment"] = comment
        self.complete(self.bureau, "district_bureau_review", data)
        return self

    def district_finance_decides(self, decision: str = "approve", comment: str | None = None) -> SubsidyScenario:
        data: dict[str, Any] = {"finance_decision": decision}
        if comment:
            data["finance_comment"] = comment
        self.complete(self.finance, "district_finance_review", data)
        return self

    def district_approves(self) -> SubsidyScenario:
        return self.district_bureau_decides().district_finance_decides()

    # 第十四条（四）
    def city_reviews(self, decision: str = "accept", expert_count: int | None = 3, other_met: bool = True,
                     note: str | None = "已核对企业申报承诺书和绩效目标表", comment: str | None = None) -> SubsidyScenario:
        data: dict[str, Any] = {"city_decision": decision}
        if decision == "accept":
            data["other_requirements_met"] = other_met
            if expert_count is not None:
                data["expert_count"] = expert_count
        if note:
            data["other_requirements_note"] = note
        if comment:
            data["city_comment"] = comment
        self.complete("city", "city_review", data)
        return self

    def experts_with_tasks(self, experts: list[str] | None = None) -> list[str]:
        """The experts (of the demo's five, or `experts`) with a scoring task of this application."""
        return [
            name for name in experts or EXPERTS
            if self.engine.tasks.inbox(self.actor(name), instance_id=self.instance_id)[1]
        ]

    def expert_scores(self, expert: str, score: float, comment: str = "诊断报告条理清晰，建议可行。") -> SubsidyScenario:
        data = {"expert_decision": "score", "score": score, "score_comment": comment}
        self.complete(expert, "score_application", data)
        return self

    def expert_declares_conflict(self, expert: str, reason: str = "本人近三年曾在该服务商兼职") -> SubsidyScenario:
        self.complete(expert, "score_application", {"expert_decision": "conflict", "conflict_reason": reason})
        return self

    def experts_score(self, *scores: float) -> SubsidyScenario:
        experts = self.experts_with_tasks()
        assert len(experts) == len(scores), f"experts with tasks: {experts}"
        for expert, score in zip(experts, scores, strict=True):
            self.expert_scores(expert, score)
        return self

    # 第十六条
    def city_revokes(self, reason_code: str = "false_materials", reason: str = "诊断报告与企业实际情况不符") -> SubsidyScenario:
        assert self.instance_id is not None
        self.engine.messages.send(self.actor("city"), self.instance_id, "application_revoked",
                                  {"reason_code": reason_code, "reason": reason})
        return self

    # Records
    def application(self) -> SubsidyApplication:
        with self.engine.sessions() as session:
            application = session.scalar(
                select(SubsidyApplication).where(SubsidyApplication.instance_id == self.instance_id)
            )
        assert application is not None
        return application

    def scores(self) -> dict[int, float]:
        with self.engine.sessions() as session:
            return dict(session.execute(
                select(ExpertScore.expert_id, ExpertScore.score)
                .join(SubsidyApplication, SubsidyApplication.id == ExpertScore.application_id)
                .where(SubsidyApplication.instance_id == self.instance_id)
            ).all())

    def failing_conditions(self) -> dict[str, str]:
        return {c["condition"]: c["reason"] for c in self.application().eligibility if c["passed"] is not True}
