"""Scenario helpers that read like the guide: *as the district bureau, accept the filing*."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import select

from engine.access import Actor
from engine.demo import DEMO_CAMPAIGN_QUOTAS, DEMO_PASSWORD
from engine.lint import FLOW_NODES, NS
from engine.records.campaigns import CLOSED, OPEN, Campaign, DistrictQuota, open_campaign_on
from engine.services import ProcessEngine

FILING = {
    "contract_no": "JNZD-2026-001",
    "contract_date": "2026-03-01",
    "contract_amount": 48_000_00,
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
NOTICE = {
    "year": 2026,
    "title": "关于开展2026年度数字化转型诊断工作的通知",
    "window_start": "2026-03-01",
    "window_end": "2026-03-31",
    "requirements": "按照“分级分类、一企一策”原则开展诊断，3月31日前完成合同签订和备案。",
    "quotas": [{"district": "历下区", "quota": 2}, {"district": "历城区", "quota": 1}],
}
MOBILISATION = {
    "meetings_held": 2,
    "enterprises_reached": 35,
    "matches_made": 6,
    "mobilisation_notes": "3月5日召开宣讲动员会，组织6对服务商与企业现场对接。",
}
RECTIFICATION = {"issue": "诊断工作组未按合同约定进驻现场，请补充现场调研记录。", "due_date": "2026-03-20"}
VERIFY_TASK = {
    "city_bureau": "verify_rectification_city",
    "district_bureau": "verify_rectification_district",
    "supervisor": "verify_rectification_supervisor",
}


class Scenario:
    """One process instance driven by demo users through the engine's services."""

    def __init__(self, engine: ProcessEngine) -> None:
        self.engine = engine
        self.instance_id: int | None = None
        self.campaign_id: int | None = None
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

    def task_data(self, username: str, bpmn_id: str) -> dict[str, Any]:
        return self.engine.tasks.get(self.actor(username), self.task_of(username, bpmn_id)["id"]).data

    # A campaign as records, for projects that need one (the demo data opens one for the year).
    def open_campaign(
        self, quotas: dict[str, int] | None = None, window: tuple[str, str] | None = None
    ) -> Scenario:
        """启动通知已发布: an open campaign covers today. Without arguments an open campaign that
        covers today is kept (the demo data has one); with quotas or a window, every open campaign
        is closed and one with them is opened. Written as records, not through the process."""
        today = self.engine.clock.local_now().date()
        with self.engine.sessions.begin() as session:
            current = open_campaign_on(session, today)
            if current is not None and quotas is None and window is None:
                self.campaign_id = current.id
                return self
            for campaign in session.scalars(select(Campaign).where(Campaign.status == OPEN)):
                campaign.status = CLOSED
            start, end = window or (f"{today.year}-01-01", f"{today.year}-12-31")
            campaign = Campaign(
                year=int(start[:4]), title=f"{start[:4]}年度数字化转型诊断工作（测试）", window_start=start,
                window_end=end, requirements="", status=OPEN, published_at=self.engine.clock.now(),
            )
            session.add(campaign)
            session.flush()
            for district, quota in (quotas or DEMO_CAMPAIGN_QUOTAS).items():
                session.add(DistrictQuota(campaign_id=campaign.id, district=district, quota=quota))
            self.campaign_id = campaign.id
        return self

    def close_campaigns(self) -> Scenario:
        """No campaign is open (e.g. the demo data's one is over)."""
        with self.engine.sessions.begin() as session:
            for campaign in session.scalars(select(Campaign).where(Campaign.status == OPEN)):
                campaign.status = CLOSED
        return self

    # The steps of a diagnosis campaign (第十条–第十一条), as the guide names them.
    def city_publishes_notice(self, **changes: Any) -> Scenario:
        self.complete("city", "publish_notice", NOTICE | changes)
        with self.engine.sessions() as session:
            self.campaign_id = session.scalar(select(Campaign.id).where(Campaign.instance_id == self.instance_id))
        return self

    def district_work(self, district: str) -> Scenario:
        """The district's own instance of the campaign (mobilisation and its filing summary)."""
        with self.engine.sessions() as session:
            child = session.scalar(
                select(DistrictQuota.instance_id).where(
                    DistrictQuota.campaign_id == self.campaign_id, DistrictQuota.district == district
                )
            )
        assert child is not None, f"{district} has no district_mobilisation instance"
        work = Scenario(self.engine)
        work.instance_id, work.campaign_id, work._actors = child, self.campaign_id, self._actors
        return work

    def district_records_mobilisation(self, bureau: str, **changes: Any) -> Scenario:
        return self.complete(bureau, "record_mobilisation", MOBILISATION | changes)

    def district_reports_summary(self, bureau: str, comment: str | None = None) -> Scenario:
        data: dict[str, Any] = {"summary_confirmed": True}
        if comment:
            data["summary_comment"] = comment
        return self.complete(bureau, "report_summary", data)

    def city_receives_summaries(self, comment: str | None = None) -> Scenario:
        data: dict[str, Any] = {"summary_received": True}
        if comment:
            data["city_comment"] = comment
        return self.complete("city", "receive_summaries", data)

    # Supervision and rectification (第十三条).
    def opens_rectification(self, username: str, **payload: Any) -> Scenario:
        """As the city, a district bureau or a supervisor, send a rectification opinion."""
        assert self.instance_id is not None
        self.engine.messages.send(
            self.actor(username), self.instance_id, "rectification_opened", RECTIFICATION | payload
        )
        return self

    def provider_responds_to_rectification(self, provider: str = "provider_a", response: str | None = None) -> Scenario:
        text = response or "已补充两次现场调研，调研记录已上传。"
        return self.complete(provider, "respond_rectification", {"rectification_response": text})

    def verifies_rectification(self, username: str, accept: bool = True, comment: str | None = None) -> Scenario:
        data: dict[str, Any] = {"verification_decision": "accept" if accept else "reject"}
        if comment or not accept:
            data["verification_comment"] = comment or "调研记录缺少企业签字确认。"
        return self.complete(username, VERIFY_TASK[self.actor(username).role], data)

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


# --------------------------------------------------------------------------
# Diagram layout: what `engine.lint.check_diagram` does not look at
# --------------------------------------------------------------------------

Box = tuple[float, float, float, float]
LAYOUT_NS = {**NS, "dc": "http://www.omg.org/spec/DD/20100524/DC", "di": "http://www.omg.org/spec/DD/20100524/DI"}


def _bounds(shape: Any) -> Box:
    bounds = shape.find(f"{{{LAYOUT_NS['dc']}}}Bounds")
    return tuple(float(bounds.get(k)) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def _inside(inner: Box, outer: Box) -> bool:
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _on_boundary(point: tuple[float, float], box: Box) -> bool:
    x, y = point
    bx, by, bw, bh = box
    on_vertical = x in (bx, bx + bw) and by <= y <= by + bh
    on_horizontal = y in (by, by + bh) and bx <= x <= bx + bw
    return on_vertical or on_horizontal


def diagram_problems(path: Path) -> list[str]:
    """Layout problems of a BPMN file: a flow node outside its lane (or its subprocess) or the
    pool, shapes that overlap (a boundary event on its activity's border excepted), edges that
    do not start and end on their shapes' boundaries or have a slanted segment."""
    root = etree.parse(str(path)).getroot()
    shapes = {s.get("bpmnElement"): _bounds(s) for s in root.iter(f"{{{NS['bpmndi']}}}BPMNShape")}
    lane_of = {
        ref.text.strip(): ref.getparent().get("id")
        for ref in root.iter(f"{{{NS['bpmn']}}}flowNodeRef")
        if ref.text
    }
    pool = next(shapes[p.get("id")] for p in root.iter(f"{{{NS['bpmn']}}}participant"))
    problems = []
    nodes = {n.get("id"): n for n in root.xpath(" | ".join(f"//bpmn:{tag}" for tag in FLOW_NODES), namespaces=LAYOUT_NS)}
    for node_id, node in nodes.items():
        box = shapes.get(node_id)
        if box is None:
            problems.append(f"{node_id}: no shape")
            continue
        if not _inside(box, pool):
            problems.append(f"{node_id}: outside the pool")
        lane = lane_of.get(node_id)
        if lane is not None and not _inside(box, shapes[lane]):
            problems.append(f"{node_id}: outside its lane {lane}")
        parent = node.getparent()
        if parent.tag == f"{{{NS['bpmn']}}}subProcess" and not _inside(box, shapes[parent.get("id")]):
            problems.append(f"{node_id}: outside its subprocess {parent.get('id')}")
    ids = sorted(nodes)
    for i, first in enumerate(ids):
        for second in ids[i + 1:]:
            a, b = shapes.get(first), shapes.get(second)
            if a is None or b is None or not _overlap(a, b):
                continue
            if _inside(a, b) and nodes[second].tag.endswith("subProcess"):
                continue
            if _inside(b, a) and nodes[first].tag.endswith("subProcess"):
                continue
            if second == nodes[first].get("attachedToRef") or first == nodes[second].get("attachedToRef"):
                continue  # a boundary event sits on its activity's border
            problems.append(f"{first} overlaps {second}")
    for flow in root.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
        edge = root.xpath(f"//bpmndi:BPMNEdge[@bpmnElement='{flow.get('id')}']", namespaces=LAYOUT_NS)
        if not edge:
            problems.append(f"{flow.get('id')}: no edge")
            continue
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge[0].iter(f"{{{LAYOUT_NS['di']}}}waypoint")]
        if len(points) < 2:
            problems.append(f"{flow.get('id')}: fewer than two waypoints")
            continue
        if not _on_boundary(points[0], shapes[flow.get("sourceRef")]):
            problems.append(f"{flow.get('id')}: does not start on {flow.get('sourceRef')}")
        if not _on_boundary(points[-1], shapes[flow.get("targetRef")]):
            problems.append(f"{flow.get('id')}: does not end on {flow.get('targetRef')}")
        for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
            if x1 != x2 and y1 != y2:
                problems.append(f"{flow.get('id')}: slanted segment ({x1},{y1})–({x2},{y2})")
    return problems
