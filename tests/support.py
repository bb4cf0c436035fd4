"""Scenario helpers that read like the guide: *as the district bureau, accept the filing*."""

from __future__ import annotations

from typing import Any

from engine.access import Actor
from engine.demo import DEMO_PASSWORD
from engine.services import ProcessEngine

FILING = {
    "contract_no": "JNZD-2026-001",
    "contract_date": "2026-03-01",
    "contract_amount": 48000,
    "working_group": [
        {"name": "张伟", "position": "组长", "phone": "13800000001"},
        {"name": "李娜", "position": "数据分析师", "phone": "13900000002"},
    ],
}
REPORT = {
    "report_level": "L2",
    "report_score": 56.5,
    "findings": "生产设备联网率低，订单与排产依靠人工表格。",
    "proposals": "分两期建设设备联网与 MES，一期打通订单到排产。",
}
ASSESSMENT = {"self_assessment_confirmed": True, "satisfaction": "satisfied", "satisfaction_comment": "服务专业"}


class Scenario:
    """One process instance driven by demo users through the engine's services."""

    def __init__(self, engine: ProcessEngine) -> None:
        self.engine = engine
        self.instance_id: int | None = None
        self._actors: dict[str, Actor] = {}

    def actor(self, username: str) -> Actor:
        if username not in self._actors:
            actor = self.engine.identity.authenticate(username, DEMO_PASSWORD)
            assert actor is not None, f"demo user {username} missing"
            self._actors[username] = actor
        return self._actors[username]

    def organisation_id(self, username: str) -> int:
        organisation_id = self.actor(username).organisation_id
        assert organisation_id is not None
        return organisation_id

    def start(self, username: str, process_id: str = "diagnosis_project") -> Scenario:
        self.instance_id = self.engine.instances.start(process_id, self.actor(username))
        return self

    def task_of(self, username: str, bpmn_id: str) -> dict[str, Any]:
        items, _ = self.engine.tasks.inbox(self.actor(username), instance_id=self.instance_id)
        matching = [item for item in items if item["bpmn_id"] == bpmn_id]
        assert matching, f"{username} has no {bpmn_id} task; has {[i['bpmn_id'] for i in items]}"
        return matching[0]

    def complete(self, username: str, bpmn_id: str, data: dict[str, Any]) -> Scenario:
        task = self.task_of(username, bpmn_id)
        self.engine.tasks.complete(self.actor(username), task["id"], data)
        return self

    def waiting_at(self) -> list[str]:
        assert self.instance_id is not None
        view = self.engine.instances.get(self.actor("city"), self.instance_id)
        return sorted(task["bpmn_id"] for task in view["tasks"])

    def status(self) -> str:
        assert self.instance_id is not None
        return self.engine.instances.get(self.actor("city"), self.instance_id)["status"]

    # The steps of the diagnosis project, as the guide names them.
    def provider_files_contract(self, provider: str = "provider_a", enterprise: str = "enterprise_a") -> Scenario:
        return self.complete(provider, "file_contract", FILING | {"enterprise_id": self.organisation_id(enterprise)})

    def enterprise_confirms_filing(self, enterprise: str = "enterprise_a", confirmed: bool = True) -> Scenario:
        data: dict[str, Any] = {"enterprise_confirmed": confirmed}
        if not confirmed:
            data["enterprise_comment"] = "合同金额与约定不符"
        return self.complete(enterprise, "confirm_filing", data)

    def district_accepts_filing(self, bureau: str = "lixia_bureau") -> Scenario:
        return self.complete(bureau, "review_filing", {"filing_decision": "accept", "review_comment": "材料齐全"})

    def district_returns_filing(self, bureau: str = "lixia_bureau") -> Scenario:
        return self.complete(bureau, "review_filing", {"filing_decision": "return", "review_comment": "缺少工作组联系方式"})

    def provider_submits_report(self, provider: str = "provider_a") -> Scenario:
        return self.complete(provider, "submit_report", REPORT)

    def enterprise_confirms_assessment(self, enterprise: str = "enterprise_a") -> Scenario:
        return self.complete(enterprise, "confirm_assessment", ASSESSMENT)

    # The steps of provider onboarding (第九条), as the guide names them.
    def new_provider(self, username: str, name: str, credit_code: str, district: str = "历下区") -> Scenario:
        """A provider organisation, with one user, that is not on the list yet."""
        organisation_id = self.engine.identity.ensure_organisation(name, "provider", credit_code, district)
        self.engine.identity.ensure_user(
            username, DEMO_PASSWORD, f"{name} 经办人", "provider", organisation_id=organisation_id
        )
        return self

    def provider_applies_for_listing(self, provider: str, **changes: Any) -> Scenario:
        """As the provider, apply to be listed, with the name and credit code the form offers."""
        task = self.task_of(provider, "apply_listing")
        offered = self.engine.tasks.get(self.actor(provider), task["id"]).data
        data = {
            "organisation_name": offered["organisation_name"],
            "credit_code": offered["credit_code"],
            "contacts": [{"name": "王磊", "phone": "13700000003", "email": "wanglei@example.com"}],
            "capabilities": ["生产制造", "数据治理"],
            "introduction": "为装备制造企业提供数字化转型诊断服务。",
        }
        return self.complete(provider, "apply_listing", data | changes)

    def city_registers_provider(self, name: str, credit_code: str, district: str = "历城区", **changes: Any) -> Scenario:
        """As the city, register a provider determined by filing or selection."""
        data = {
            "organisation_name": name,
            "credit_code": credit_code,
            "district": district,
            "contacts": [{"name": "陈静", "phone": "0531-88886666"}],
            "capabilities": ["研发设计", "工业互联网平台"],
        }
        return self.complete("city", "register_provider", data | changes)

    def city_admits_into_batch(self, batch: str, comment: str | None = None) -> Scenario:
        data = {"review_decision": "admit", "batch_name": batch}
        if comment:
            data["review_reason"] = comment
        return self.complete("city", "review_application", data)

    def city_rejects_application(self, reason: str) -> Scenario:
        return self.complete("city", "review_application", {"review_decision": "reject", "review_reason": reason})

    def city_suspends_provider(self, reason: str) -> Scenario:
        return self.complete("city", "manage_listed", {"management_action": "suspend", "management_reason": reason})

    def city_reinstates_provider(self, reason: str) -> Scenario:
        data = {"management_action": "reinstate", "management_reason": reason}
        return self.complete("city", "manage_suspended", data)

    def city_removes_provider(self, reason: str) -> Scenario:
        waiting = "manage_suspended" if "manage_suspended" in self.waiting_at() else "manage_listed"
        return self.complete("city", waiting, {"management_action": "remove", "management_reason": reason})
