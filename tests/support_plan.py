"""Scenario helpers for the subsidy plan and clawback: eligible applications built directly in
the store (the `subsidy_application` process is built elsewhere), stand-in application
instances that wait for what the plan tells them, and steps named like the guide."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.records.plans import Announcement, PlanItem, SubsidyPlan
from engine.records.subsidies import SubsidyApplication
from engine.services import ProcessEngine
from tests.modelkit import linear_model, message_wait, script_task
from tests.support import Scenario

# Stand-ins for an application's own instance: each waits for one message from the plan.
STAND_INS = {
    "subsidy_paid": linear_model("stand_in_paid", "provider", [
        message_wait("wait_paid", "subsidy_paid", "payment"), script_task("read_payment", "paid_id = payment['payment_id']")]),
    "plan_item_removed": linear_model("stand_in_removed", "provider", [
        message_wait("wait_removed", "plan_item_removed", "removal"), script_task("read_removal", "removed_item = removal['item_id']")]),
}
STAND_IN_PROCESS = {"subsidy_paid": "stand_in_paid", "plan_item_removed": "stand_in_removed"}

CONTACTS = {
    "contact_office": "市工业和信息化局数字经济处",
    "contact_phone": "0531-66608000",
    "contact_address": "济南市市中区龙奥北路 1 号",
    "contact_email": "szjjc@example.gov.cn",
}
ORGANISATION_OBJECTOR = {
    "kind": "organisation",
    "name": "济南同业信息技术有限公司",
    "credit_code": "91370102MA3DX0005X",
    "contact_person": "刘洋",
    "phone": "0531-88001234",
    "stamped_scan": "uploads/objections/tongye-stamped.pdf",
    "statement": "该服务商申报的诊断项目中，企业满意度调查为服务商代填，申报材料不实。",
}
PERSON_OBJECTOR = {
    "kind": "person",
    "name": "陈明",
    "id_number": "370102198803150028",
    "phone": "13912345678",
    "signed_scan": "uploads/objections/chenming-signed.pdf",
    "statement": "诊断报告与企业实际情况不符，请核实。",
}


def at(clock, moment: str) -> None:
    clock.set(datetime.fromisoformat(moment))


def deploy_stand_ins(engine: ProcessEngine) -> None:
    for message, model in STAND_INS.items():
        process_id = STAND_IN_PROCESS[message]
        engine.repository.deploy(process_id, {f"{process_id}.bpmn": model}, "tests")


def eligible_application(
    scenario: Scenario, provider: str = "provider_a", district: str = "历下区", amount_yuan: int = 50000,
    year: int = 2026, waits_for: str | None = "subsidy_paid",
) -> int:
    """An application that passed review (status `eligible`), for one diagnosis project of
    `provider`. Its own instance is a stand-in waiting for `waits_for` (or a diagnosis
    project, which waits for nothing the plan sends). Returns the application id."""
    engine = scenario.engine
    actor = scenario.actor(provider)
    project_id = engine.instances.start("diagnosis_project", actor)
    instance_id = engine.instances.start(STAND_IN_PROCESS[waits_for], actor) if waits_for else project_id
    with engine.sessions.begin() as session:
        application = SubsidyApplication(
            instance_id=instance_id, provider_org_id=actor.organisation_id, district=district, year=year,
            project_instance_ids=[project_id], status="eligible", eligibility=[], expert_average=88.0,
            amount_fen=amount_yuan * 100, submitted_at=engine.clock.now(), decided_at=engine.clock.now(),
        )
        session.add(application)
        session.flush()
        return application.id


def paid_application(scenario: Scenario, provider: str = "provider_a", district: str = "历下区",
                     amount_yuan: int = 50000) -> int:
    """An application whose subsidy has been paid (what a finished plan leaves behind)."""
    application_id = eligible_application(scenario, provider, district, amount_yuan, waits_for=None)
    set_application_status(scenario.engine, application_id, "paid")
    return application_id


class RecoveryScenario(Scenario):
    """One `clawback` instance (第十七条) driven by the city and a district finance user."""

    def city_records_finding(self, application_id: int, finding: str = "诊断报告系服务商伪造企业签字，骗取资助资金。"):
        self.start("city", "clawback")
        return self.complete("city", "record_finding", {"application_id": application_id, "finding": finding,
                                                        "finding_doc_no": "济工信查〔2026〕3号"})

    def city_demands_repayment(self, amount_fen: int, deadline: str = "2026-04-30",
                               letter_no: str = "济工信数字追〔2026〕1号") -> RecoveryScenario:
        return self.complete("city", "issue_demand", {"demand_amount": amount_fen, "demand_deadline": deadline,
                                                      "demand_letter_no": letter_no})

    def district_finance_records_repayment(self, username: str, amount_fen: int, repaid_on: str,
                                           voucher_no: str) -> RecoveryScenario:
        return self.complete(username, "record_repayment", {
            "repaid_amount": amount_fen, "repaid_on": repaid_on, "repayment_voucher_no": voucher_no})

    def city_continues_recovery(self) -> RecoveryScenario:
        return self.complete("city", "review_recovery", {"recovery_decision": "continue"})

    def city_closes_case(self, comment: str) -> RecoveryScenario:
        return self.complete("city", "review_recovery", {"recovery_decision": "close", "recovery_comment": comment})


def application(engine: ProcessEngine, application_id: int) -> SubsidyApplication:
    with engine.sessions() as session:
        return session.get(SubsidyApplication, application_id)


def set_application_status(engine: ProcessEngine, application_id: int, status: str) -> None:
    """What another process (revocation, 第十六条) does to an application."""
    with engine.sessions.begin() as session:
        session.get(SubsidyApplication, application_id).status = status


def plan_items(engine: ProcessEngine, instance_id: int) -> dict[int, PlanItem]:
    """Application id → its plan item."""
    with engine.sessions() as session:
        plan = session.scalar(select(SubsidyPlan).where(SubsidyPlan.instance_id == instance_id))
        return {i.application_id: i for i in session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id))}


def announcement_of(engine: ProcessEngine, instance_id: int) -> Announcement:
    with engine.sessions() as session:
        return session.scalar(select(Announcement).where(Announcement.instance_id == instance_id))


class PlanScenario(Scenario):
    """One `subsidy_plan` instance driven by the demo city, city finance and district finance users."""

    def task_data(self, username: str, bpmn_id: str) -> dict[str, Any]:
        return self.engine.tasks.get(self.actor(username), self.task_of(username, bpmn_id)["id"]).data

    def city_drafts_plan(self, budget_fen: int, year: int = 2026, title: str | None = None) -> PlanScenario:
        self.start("city", "subsidy_plan")
        return self.complete("city", "draft_plan", {
            "plan_year": year, "plan_title": title or f"{year}年度数字化转型诊断项目资助计划", "plan_budget": budget_fen})

    def city_adjusts_budget(self, budget_fen: int) -> PlanScenario:
        self.complete("city", "confirm_plan", {"plan_decision": "adjust", "decision_comment": "追加预算后重新编制"})
        data = self.task_data("city", "draft_plan")
        return self.complete("city", "draft_plan", {
            "plan_year": data["plan_year"], "plan_title": data["plan_title"], "plan_budget": budget_fen})

    def city_confirms_plan(self) -> PlanScenario:
        return self.complete("city", "confirm_plan", {"plan_decision": "confirm"})

    def city_publishes_announcement(self) -> PlanScenario:
        title = self.task_data("city", "publish_announcement")["announcement_title"]
        return self.complete("city", "publish_announcement", {"announcement_title": title, **CONTACTS})

    def objection_tasks(self) -> dict[int, str]:
        """Objection id → the id of the city's task to handle it."""
        items, _ = self.engine.tasks.inbox(self.actor("city"), instance_id=self.instance_id)
        return {
            self.engine.tasks.get(self.actor("city"), item["id"]).data["objection_id"]: item["id"]
            for item in items if item["bpmn_id"] == "handle_objection"
        }

    def city_handles_objection(self, objection_id: int, decision: dict[str, Any]) -> PlanScenario:
        task_id = self.objection_tasks()[objection_id]
        self.engine.tasks.complete(self.actor("city"), task_id, decision)
        return self

    def city_issues_plan(self, doc_no: str = "济工信数字〔2026〕5号") -> PlanScenario:
        return self.complete("city", "issue_plan", {"issue_doc_no": doc_no})

    def city_requests_funds(self, doc_no: str = "济工信数字函〔2026〕12号") -> PlanScenario:
        return self.complete("city", "request_funds", {"request_doc_no": doc_no})

    def city_finance_releases_funds(self, released_on: str) -> PlanScenario:
        rows = self.task_data("city_finance", "release_funds")["releases"]
        releases = [row | {"released_on": released_on, "voucher_no": f"SCZ-{n:03d}"} for n, row in enumerate(rows, 1)]
        return self.complete("city_finance", "release_funds", {"releases": releases})

    def district_finance_pays(self, username: str, paid_on: str) -> PlanScenario:
        rows = self.task_data(username, "pay_providers")["payments"]
        payments = [row | {"paid_on": paid_on, "voucher_no": f"QCZ-{row['item_id']:04d}"} for row in rows]
        return self.complete(username, "pay_providers", {"payments": payments})
