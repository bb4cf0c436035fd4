"""Helpers for the star rating (第五条) and performance evaluation (第三条, 第五条) scenarios:
projects run through `diagnosis_project` at chosen times, records of other areas (applications,
expert scores, plan items, payments, recoveries) written directly, and the steps of both
processes as the guide names them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from engine.clock import SHANGHAI, MovableClock
from engine.demo import DEMO_PASSWORD
from engine.models import Instance, ProcessVersion, User
from engine.records.plans import Payment, PlanItem, Recovery, SubsidyPlan
from engine.records.providers import LISTED, ProviderListing
from engine.records.ratings import StarRating
from engine.records.subsidies import ExpertScore, SubsidyApplication
from engine.services import ProcessEngine
from tests.support import ASSESSMENT, FILING, REPORT, Scenario

BUREAU_OF = {"enterprise_a": "lixia_bureau", "enterprise_b": "licheng_bureau"}
LEADER = "city_leader"  # a second city bureau user: the approval (分管领导) is not the reviewer's


def at(day: str, hour: int = 10) -> datetime:
    """A time in Asia/Shanghai: at("2026-02-13") is 10:00 that day."""
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def city_leader(engine: ProcessEngine) -> str:
    engine.identity.ensure_user(LEADER, DEMO_PASSWORD, "市工信局 分管副局长", "city_bureau")
    return LEADER


def listed_provider(engine: ProcessEngine, name: str, credit_code: str, district: str = "历下区") -> int:
    """A provider on the published list (written as records, like the demo providers)."""
    organisation_id = engine.identity.ensure_organisation(name, "provider", credit_code, district)
    with engine.sessions.begin() as session:
        session.add(ProviderListing(organisation_id=organisation_id, status=LISTED, batch_id=None,
                                    updated_at=engine.clock.now()))
    return organisation_id


def finished_project(
    engine: ProcessEngine,
    clock: MovableClock,
    provider: str = "provider_a",
    enterprise: str = "enterprise_a",
    *,
    filed: datetime | None = None,
    accepted: datetime | None = None,
    reported: datetime | None = None,
    rated: datetime | None = None,
    satisfaction: str = "satisfied",
    rectification: tuple[datetime, str, datetime] | None = None,
    finish: bool = True,
) -> Scenario:
    """A diagnosis project run through the process, each step at its time when one is given.

    `rectification` = (opened at, due date, responded and accepted at): the city opens it after
    the acceptance, the provider responds, the city accepts. `finish=False` stops after filing."""
    project = Scenario(engine).open_campaign()

    def when(moment: datetime | None) -> None:
        if moment is not None:
            clock.set(moment)

    when(filed)
    project.start(provider)
    contract_date = (clock.local_now().date() - timedelta(days=1)).isoformat()
    project.complete(provider, "file_contract",
                     FILING | {"contract_date": contract_date, "enterprise_id": project.organisation_id(enterprise)})
    project.enterprise_confirms_filing(enterprise)
    if not finish:
        return project
    when(accepted)
    project.district_accepts_filing(BUREAU_OF[enterprise])
    if rectification is not None:
        opened, due_date, closed = rectification
        when(opened)
        project.opens_rectification("city", due_date=due_date)
        when(closed)
        project.provider_responds_to_rectification(provider)
        project.verifies_rectification("city", accept=True)
    when(reported)
    project.complete(provider, "submit_report", REPORT)
    when(rated)
    project.complete(enterprise, "confirm_assessment", ASSESSMENT | {"satisfaction": satisfaction})
    assert project.status() == "completed"
    return project


def _bare_instance(session: Any, process_id: str, now: datetime) -> Instance:
    """An instance row standing for another area's process (its records are what matters)."""
    version_id = session.scalar(
        select(ProcessVersion.id).where(ProcessVersion.process_id == process_id).order_by(ProcessVersion.version.desc())
    ) or session.scalar(select(ProcessVersion.id).order_by(ProcessVersion.id))
    instance = Instance(process_version_id=version_id, process_id=process_id, status="completed", serialized="",
                        assignments={}, created_at=now, updated_at=now, completed_at=now)
    session.add(instance)
    session.flush()
    return instance


def application(
    engine: ProcessEngine,
    provider_org_id: int,
    status: str,
    *,
    year: int = 2026,
    submitted: datetime | None = None,
    decided: datetime | None = None,
    amount_yuan: int | None = None,
    scores: tuple[float, ...] = (),
) -> int:
    """A subsidy application as the subsidy process leaves it, with its expert scores."""
    now = engine.clock.now()
    with engine.sessions.begin() as session:
        instance = _bare_instance(session, "subsidy_application", now)
        record = SubsidyApplication(
            instance_id=instance.id, provider_org_id=provider_org_id, district="历下区", year=year,
            project_instance_ids=[], status=status, materials=[], eligibility=[],
            amount_fen=None if amount_yuan is None else amount_yuan * 100,
            submitted_at=submitted, decided_at=decided,
        )
        session.add(record)
        session.flush()
        for number, score in enumerate(scores, start=1):
            expert_id = session.scalar(select(User.id).where(User.username == f"expert_{number}"))
            session.add(ExpertScore(application_id=record.id, expert_id=expert_id, score=score, comment="",
                                    scored_at=now))
        return record.id


def subsidy_plan(engine: ProcessEngine, year: int, items: list[tuple[int, int, str]]) -> tuple[int, dict[int, int]]:
    """The year's plan with items (application id, amount in yuan, item status); returns the
    plan's id and the item id of each application."""
    now = engine.clock.now()
    with engine.sessions.begin() as session:
        instance = _bare_instance(session, "subsidy_plan", now)
        plan = SubsidyPlan(instance_id=instance.id, year=year, title=f"{year}年度数字化转型诊断补助资金计划",
                           budget_fen=100_000_000, status="released", created_at=now)
        session.add(plan)
        session.flush()
        item_ids = {}
        for application_id, amount_yuan, status in items:
            item = PlanItem(plan_id=plan.id, application_id=application_id, application_no=f"APP-{application_id}",
                            provider_org_id=session.get(SubsidyApplication, application_id).provider_org_id,
                            provider_name="", district="历下区", enterprises=[], projects=[],
                            requested_fen=amount_yuan * 100, amount_fen=amount_yuan * 100, status=status,
                            updated_at=now)
            session.add(item)
            session.flush()
            item_ids[application_id] = item.id
        return plan.id, item_ids


def payment(engine: ProcessEngine, plan_id: int, item_id: int, application_id: int, amount_yuan: int,
            paid: datetime) -> None:
    with engine.sessions.begin() as session:
        session.add(Payment(item_id=item_id, application_id=application_id, plan_id=plan_id, district="历下区",
                            amount_fen=amount_yuan * 100, paid_on=paid.date().isoformat(), paid_at=paid,
                            voucher_no=f"PAY-{application_id}", recorded_by="lixia_finance"))


def recovery(engine: ProcessEngine, application_id: int, paid_yuan: int, repaid_yuan: int) -> None:
    now = engine.clock.now()
    with engine.sessions.begin() as session:
        instance = _bare_instance(session, "clawback", now)
        provider = session.get(SubsidyApplication, application_id).provider_org_id
        session.add(Recovery(instance_id=instance.id, application_id=application_id, provider_org_id=provider,
                             district="历下区", finding="虚报诊断企业数量", paid_fen=paid_yuan * 100,
                             demanded_fen=paid_yuan * 100, repaid_fen=repaid_yuan * 100, status="closed",
                             opened_at=now))


# --------------------------------------------------------------------------
# The steps of the star rating and of the performance evaluation
# --------------------------------------------------------------------------


def city_rates_year(engine: ProcessEngine, year: int = 2026) -> Scenario:
    """As the city bureau, start the year's star rating: the draft is computed."""
    return Scenario(engine).start("city", "star_rating").complete("city", "choose_year", {"year": year})


def city_reviews_draft(rating: Scenario, adjustments: list[dict[str, Any]] | None = None,
                       username: str = "city") -> Scenario:
    data: dict[str, Any] = {"adjust_stars": bool(adjustments), "review_comment": "已逐一核对各服务商得分。"}
    if adjustments:
        data["adjustments"] = adjustments
    return rating.complete(username, "review_draft", data)


def leader_approves(rating: Scenario, decision: str = "approve", comment: str | None = None) -> Scenario:
    data: dict[str, Any] = {"approval_decision": decision}
    if comment:
        data["approval_comment"] = comment
    return rating.complete(city_leader(rating.engine), "approve_ratings", data)


def ratings_of(engine: ProcessEngine, instance_id: int) -> dict[int, StarRating]:
    """The instance's ratings by organisation id."""
    with engine.sessions() as session:
        rows = session.scalars(select(StarRating).where(StarRating.instance_id == instance_id))
        return {rating.organisation_id: rating for rating in rows}


EVALUATION = {
    "evaluation_text": "本年度诊断工作按计划推进，备案、诊断、评价各环节总体顺畅。",
    "evaluation_rating": "good",
    "findings": "部分项目满意度不高，整改存在逾期。",
    "improvements": "加强服务商过程监督，整改意见按期跟踪销号。",
}


def city_evaluates_year(engine: ProcessEngine, year: int = 2026) -> Scenario:
    """As the city bureau, start the year's performance evaluation: the figures are computed."""
    return Scenario(engine).start("city", "performance_evaluation").complete("city", "choose_year", {"year": year})


def city_writes_evaluation(evaluation: Scenario, **changes: Any) -> Scenario:
    return evaluation.complete("city", "write_evaluation", EVALUATION | changes)


def finance_returns(evaluation: Scenario, comment: str) -> Scenario:
    return evaluation.complete("city_finance", "review_evaluation",
                               {"finance_decision": "return", "finance_comment": comment})


def finance_cosigns(evaluation: Scenario) -> Scenario:
    return evaluation.complete("city_finance", "review_evaluation", {"finance_decision": "cosign"})


# --------------------------------------------------------------------------
# The task page: what a browser sends back for the fields the page shows
# --------------------------------------------------------------------------


class _Fields(HTMLParser):
    """The text inputs and textareas of a page with their values (radios and checkboxes left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        name = named.get("name")
        if tag == "input" and name and named.get("type") not in ("radio", "checkbox", "submit"):
            self.fields.append((name, named.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text))
            self._textarea = None


def submit_page(app: Any, username: str, password: str, task_id: str, choices: dict[str, str]) -> Any:
    """Sign in, open the task page and post it back as shown, with `choices` filled in."""
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    page = _Fields()
    page.feed(client.get(f"/tasks/{task_id}").get_data(as_text=True))
    data = MultiDict([(name, value) for name, value in page.fields if name not in choices] + list(choices.items()))
    return client.post(f"/tasks/{task_id}", data=data)
