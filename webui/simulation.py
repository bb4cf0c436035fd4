"""A whole programme year on a simulated clock: "if we open on date X, when are providers paid?"

It runs the real models and engine on a throw-away SQLite database: the city opens a campaign,
providers file one project per enterprise, apply for their completed projects, and the city
plans and pays. Every task is completed by a user allowed to do it, a fixed number of working
days after it arrived (per role), with data from the form filler. Timers fire on the same
clock. The timeline comes from the audit log.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from engine.access import Actor
from engine.clock import SHANGHAI, MovableClock
from engine.errors import InvalidData
from engine.form_filler import fill
from engine.identity import hash_password
from engine.idnumbers import credit_code_check
from engine.models import AuditEvent, Instance, Organisation, TaskIndexRow
from engine.records.campaigns import Campaign
from engine.records.providers import LISTED, ProviderBatch, ProviderListing
from engine.records.subsidies import SubsidyApplication
from engine.reference_data import seed_reference_data
from engine.roles import DISTRICTS
from engine.services import ProcessEngine
from handlers import OPERATORS, START_RULES

PASSWORD = "simulation-only-2026"  # noqa: S105 - users of a throw-away database
DEFAULT_DELAYS = {
    "provider": 3, "enterprise": 2, "district_bureau": 5, "district_finance": 5, "city_bureau": 5,
    "city_finance": 5, "expert": 5, "supervisor": 3,
}
# (process, element, label): the milestones the timeline reports, in order.
MILESTONES = [
    ("diagnosis_campaign", "publish_notice", "启动通知发布"),
    ("diagnosis_project", "review_filing", "区县受理备案"),
    ("diagnosis_project", "submit_report", "提交诊断报告"),
    ("diagnosis_project", "confirm_assessment", "企业满意度评价"),
    ("diagnosis_campaign", "receive_summaries", "市局接收区县汇总"),
    ("subsidy_application", "apply_subsidy", "服务商提交资助申请"),
    ("subsidy_application", "district_finance_review", "区县联合初审"),
    ("subsidy_application", "city_review", "市级复核"),
    ("subsidy_application", "score_application", "专家评审"),
    ("subsidy_plan", "confirm_plan", "资助计划确定"),
    ("subsidy_plan", "announcement_period", "公示期满（5个工作日）"),
    ("subsidy_plan", "issue_plan", "下达资助计划"),
    ("subsidy_plan", "release_funds", "市财政下达区县"),
    ("subsidy_plan", "pay_providers", "区县财政拨付服务商"),
]


@dataclass
class Settings:
    start: date
    enterprises: int = 200
    providers: int = 10
    window_days: int = 60
    delays: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_DELAYS))
    max_days: int = 540


@dataclass
class Milestone:
    label: str
    first: date
    last: date
    working_days: int
    holidays: list[str]


@dataclass
class Timeline:
    start: date
    milestones: list[Milestone]
    paid_on: date | None
    projects: int
    applications: int

    def render(self) -> str:
        lines = [f"模拟开始 {self.start}（{self.projects} 个诊断项目，{self.applications} 份资助申请）", ""]
        lines.append(f"{_pad('阶段', 24)}{_pad('首次', 12)}{_pad('完成', 12)}{_pad('工作日', 8)}跨越的节假日")
        for m in self.milestones:
            holidays = "、".join(m.holidays) or "—"
            lines.append(f"{_pad(m.label, 24)}{_pad(m.first.isoformat(), 12)}{_pad(m.last.isoformat(), 12)}"
                         f"{_pad(str(m.working_days), 8)}{holidays}")
        lines.append("")
        lines.append(f"服务商全部收到资金：{self.paid_on or '模拟期内未完成'}")
        return "\n".join(lines)


class Simulation:
    def __init__(self, settings: Settings, workdir: Path) -> None:
        self.settings = settings
        self.clock = MovableClock(datetime.combine(settings.start, time(9), SHANGHAI))
        self.engine = ProcessEngine(
            f"sqlite:///{workdir / 'simulation.db'}", OPERATORS, clock=self.clock, start_rules=START_RULES
        )
        self.users: dict[tuple[str, str | int | None], Actor] = {}
        self.project_enterprise: dict[int, int] = {}
        self.application_projects: dict[int, list[int]] = {}
        self.enterprises_of: dict[int, list[int]] = defaultdict(list)
        self.phase = "campaign"

    # -- set-up -------------------------------------------------------------------------------
    def prepare(self) -> None:
        engine = self.engine
        engine.create_schema()
        processes = Path(__file__).resolve().parents[1] / "processes"
        for folder in sorted(p for p in processes.iterdir() if any(p.glob("*.bpmn"))):
            engine.repository.deploy_folder(folder, "simulation")
        seed_reference_data(engine)
        shared = hash_password(PASSWORD)
        for role in ("city_bureau", "city_finance"):
            self._user(f"sim_{role}", role, None, None, shared)
        for index, district in enumerate(DISTRICTS):
            for role in ("district_bureau", "district_finance"):
                self._user(f"sim_{role}_{index}", role, district, None, shared)
        for n in range(1, 8):
            self._user(f"sim_expert_{n}", "expert", None, None, shared)
        providers = [self._organisation(f"模拟服务商{n:02d}", "provider", n, DISTRICTS[n % len(DISTRICTS)], shared)
                     for n in range(1, self.settings.providers + 1)]
        self._list(providers)
        for n in range(self.settings.enterprises):
            district = DISTRICTS[n % len(DISTRICTS)]
            enterprise = self._organisation(f"模拟企业{n:04d}", "enterprise", 1000 + n, district, shared)
            self.enterprises_of[providers[n % len(providers)]].append(enterprise)

    def _user(self, username: str, role: str, district: str | None, org: int | None, shared: str) -> None:
        user_id = self.engine.identity.ensure_user(username, PASSWORD, username, role, district=district,
                                                   organisation_id=org, password_hash=shared)
        actor = Actor(user_id, username, role, district, org, username)
        self.users[(role, org if org is not None else district)] = actor
        self.users.setdefault((role, None), actor)
        self.users[("id", user_id)] = actor

    def _organisation(self, name: str, kind: str, n: int, district: str, shared: str) -> int:
        org = self.engine.identity.ensure_organisation(name, kind, _credit_code(n), district)
        self._user(f"sim_{kind}_{n}", kind, None, org, shared)
        return org

    def _list(self, providers: list[int]) -> None:
        with self.engine.sessions.begin() as session:
            batch = ProviderBatch(name="模拟批次", published_at=self.clock.now())
            session.add(batch)
            session.flush()
            session.add_all(ProviderListing(organisation_id=p, status=LISTED, batch_id=batch.id,
                                            updated_at=self.clock.now()) for p in providers)

    # -- the year -------------------------------------------------------------------------------
    def run(self) -> Timeline:
        self.prepare()
        calendar = self.engine.calendar.current()
        day = self.settings.start
        self.engine.instances.start("diagnosis_campaign", self.users[("city_bureau", None)])
        for _ in range(self.settings.max_days):
            self.clock.set(datetime.combine(day, time(9), SHANGHAI))
            while self.engine.timers.sweep(limit=1000):
                pass
            if calendar.is_working_day(day):
                self._advance_phase(day)
                self._complete_due_tasks(day, calendar)
            if self.phase == "done":
                break
            day += timedelta(days=1)
        return self._timeline(calendar)

    def _advance_phase(self, day: date) -> None:
        if self.phase == "campaign" and self._campaign_open():
            for provider, enterprises in self.enterprises_of.items():
                actor = self.users[("provider", provider)]
                for enterprise in enterprises:
                    self.project_enterprise[self.engine.instances.start("diagnosis_project", actor)] = enterprise
            self.phase = "projects"
        elif self.phase == "projects" and self._all_done("diagnosis_project"):
            self._apply()
            self.phase = "applications"
        elif self.phase == "applications" and self._applications_decided():
            self.engine.instances.start("subsidy_plan", self.users[("city_bureau", None)])
            self.phase = "plan"
        elif self.phase == "plan" and self._all_done("subsidy_plan"):
            self.phase = "done"

    def _campaign_open(self) -> bool:
        with self.engine.sessions() as session:
            return session.scalar(select(Campaign.id).where(Campaign.status == "open")) is not None

    def _all_done(self, process_id: str) -> bool:
        with self.engine.sessions() as session:
            statuses = set(session.scalars(select(Instance.status).where(Instance.process_id == process_id)))
        return bool(statuses) and statuses <= {"completed"}

    def _apply(self) -> None:
        with self.engine.sessions() as session:
            rows = session.execute(select(Instance.id, Instance.provider_org_id, Instance.district)
                                   .where(Instance.process_id == "diagnosis_project")).all()
        groups: dict[tuple[int, str], list[int]] = defaultdict(list)
        for project_id, provider, district in rows:
            groups[(provider, district)].append(project_id)
        for (provider, _district), project_ids in sorted(groups.items()):
            instance_id = self.engine.instances.start("subsidy_application", self.users[("provider", provider)])
            self.application_projects[instance_id] = project_ids

    def application_year(self) -> int:
        with self.engine.sessions() as session:
            return session.scalar(select(func.min(SubsidyApplication.year)))

    def _applications_decided(self) -> bool:
        with self.engine.sessions() as session:
            statuses = list(session.scalars(select(SubsidyApplication.status)))
        return len(statuses) == len(self.application_projects) and all(
            s in ("eligible", "rejected") for s in statuses)

    def _complete_due_tasks(self, day: date, calendar: Any) -> None:
        with self.engine.sessions() as session:
            rows = session.scalars(select(TaskIndexRow).order_by(TaskIndexRow.created_at)).all()
        for row in rows:
            arrived = row.created_at.astimezone(SHANGHAI).date()
            if calendar.shift(arrived, self.settings.delays.get(row.role, 3)) <= day:
                self._complete(row, day)

    def _complete(self, row: TaskIndexRow, day: date) -> None:
        actor = self._actor_for(row)
        view = self.engine.tasks.get(actor, row.task_uuid)
        data = fill(view.form.schema, day, current=view.data)
        data.update(self._answers(row, view.data, day))
        try:
            self.engine.tasks.complete(actor, row.task_uuid, data)
        except InvalidData as invalid:
            message = f"{row.process_id}:{row.bpmn_id} refused the simulated data: {invalid.errors}"
            raise SimulationError(message) from None

    def _actor_for(self, row: TaskIndexRow) -> Actor:
        if row.assignee_id is not None:
            return self.users[("id", row.assignee_id)]
        scope = row.organisation_id if row.role in ("provider", "enterprise") else row.district
        return self.users.get((row.role, scope)) or self.users[(row.role, None)]

    def _answers(self, row: TaskIndexRow, current: dict[str, Any], day: date) -> dict[str, Any]:
        """What the filler cannot know: which enterprise, which projects, how experts score."""
        answer = ANSWERS.get(row.bpmn_id)
        return answer(self, row, current, day) if answer else {}

    # -- the report -----------------------------------------------------------------------------
    def _timeline(self, calendar: Any) -> Timeline:
        with self.engine.sessions() as session:
            events = session.execute(
                select(Instance.process_id, AuditEvent.element_id, AuditEvent.at, AuditEvent.details)
                .join(Instance, Instance.id == AuditEvent.instance_id)
                .where(AuditEvent.action.in_(("task_completed", "timer_fired")))
            ).all()
            holiday_names = {d.day: d.name for y in range(self.settings.start.year, self.settings.start.year + 3)
                             for d in self.engine.calendar.year(y)[1] if d.kind == "holiday"}
        done: dict[tuple[str, str], list[date]] = defaultdict(list)
        for process_id, element_id, at, details in events:
            # A timer's period ends at 24:00 of its last day: report that day.
            moment = datetime.fromisoformat(details["due_at"]) - timedelta(seconds=1) if "due_at" in details else at
            done[(process_id, element_id)].append(moment.astimezone(SHANGHAI).date())
        reached = [(min(done[(p, e)]), max(done[(p, e)]), label) for p, e, label in MILESTONES if done.get((p, e))]
        milestones, previous = [], self.settings.start
        for first, last, label in sorted(reached, key=lambda m: m[1]):
            crossed = sorted({name for d, name in holiday_names.items() if previous < date.fromisoformat(d) <= last})
            milestones.append(Milestone(label, first, last, calendar.between(previous, last), crossed))
            previous = last
        paid = done.get(("subsidy_plan", "pay_providers"))
        return Timeline(self.settings.start, milestones, max(paid) if paid else None, len(self.project_enterprise),
                        len(self.application_projects))


class SimulationError(RuntimeError):
    """A model refused what the simulation answered: names the element and the fields."""


def _credit_code(n: int) -> str:
    """A 统一社会信用代码 with a valid check character (GB 32100-2015), unique per n."""
    body = f"91370100MA3X{n:05d}"
    return body + credit_code_check(body)


def _pad(text: str, width: int) -> str:
    """Pad to a column width counting Chinese characters as two columns, as terminals show them."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 1)


def _score(row: TaskIndexRow) -> float:
    """A repeatable expert score between 78 and 97."""
    return 78 + int(hashlib.sha256(row.task_uuid.encode()).hexdigest(), 16) % 20


def _notice(sim: Simulation, _row: TaskIndexRow, _current: dict[str, Any], day: date) -> dict[str, Any]:
    """The start notice: the filing window, and a quota per district equal to its enterprises."""
    with sim.engine.sessions() as session:
        counts = dict(session.execute(select(Organisation.district, func.count()).where(
            Organisation.kind == "enterprise").group_by(Organisation.district)).all())
    end = day + timedelta(days=sim.settings.window_days)
    return {"year": day.year, "title": f"{day.year}年度数字化转型诊断工作（模拟）", "window_start": day.isoformat(),
            "window_end": end.isoformat(), "quotas": [{"district": d, "quota": c} for d, c in counts.items() if c]}


ANSWERS: dict[str, Callable[[Simulation, TaskIndexRow, dict[str, Any], date], dict[str, Any]]] = {
    "publish_notice": _notice,
    "file_contract": lambda sim, row, _c, day: {"enterprise_id": sim.project_enterprise[row.instance_id],
                                                "contract_date": day.isoformat(), "contract_amount": 48_000_00},
    "apply_subsidy": lambda sim, row, _c, _d: {"projects": sim.application_projects[row.instance_id]},
    "city_review": lambda _s, _r, _c, _d: {"expert_count": 3, "other_requirements_met": True},
    "score_application": lambda _s, row, _c, _d: {"expert_decision": "score", "score": _score(row)},
    "draft_plan": lambda sim, _r, _c, _d: {"plan_year": sim.application_year(), "plan_budget": 100_000_000_00},
}
