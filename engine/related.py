"""Records and instances linked to one instance: a diagnosis project's filing, report, survey and
the subsidy application that includes it; an application's projects, plan item, plan and
clawbacks; a plan's applications and announcement; a clawback's application.

Each item names another instance only when `may_view` says the viewer may open it; records
kept in an instance the viewer may not open are left out. Announcements are public.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Instance
from .records.campaigns import Campaign
from .records.plans import ITEM_STATUS_LABELS, Announcement, PlanItem, Recovery, SubsidyPlan, plan_of_instance
from .records.projects import FILING_STATUS_LABELS, DiagnosisReport, Filing, Satisfaction
from .records.subsidies import PROJECT_PROCESS, SubsidyApplication, application_of_instance
from .records.subsidies import STATUS_LABELS as APPLICATION_STATUS_LABELS

MayView = Callable[[Instance], bool]


def item(kind: str, *, instance: Instance | None = None, status: str | None = None, amount_fen: int | None = None,
         detail: str | None = None, announcement_id: int | None = None) -> dict[str, Any]:
    """One related record: `kind` names it (the page labels it), `instance_id` and
    `business_key` the instance to link to (None: this page, or nothing to open),
    `announcement_id` a public announcement."""
    return {
        "kind": kind,
        "instance_id": instance.id if instance is not None else None,
        "business_key": instance.business_key if instance is not None else None,
        "process_id": instance.process_id if instance is not None else None,
        "status": status,
        "amount_fen": amount_fen,
        "detail": detail,
        "announcement_id": announcement_id,
    }


def related(session: Session, instance: Instance, may_view: MayView,
            choices: Mapping[str, Mapping[str, str]] | None = None) -> list[dict[str, Any]]:
    """What is linked to `instance`, for a viewer `may_view` decides about. `choices` gives
    option titles of form fields (field → value → title), e.g. the survey's rating."""
    context = _Context(session, may_view, choices or {})
    # Records are found by the instance they belong to, whatever its process (tests and
    # stand-in models keep an application in another process's instance).
    return [found for finder in _FINDERS for found in finder(context, instance)]


class _Context:
    def __init__(self, session: Session, may_view: MayView, choices: Mapping[str, Mapping[str, str]]) -> None:
        self.session = session
        self._may_view = may_view
        self.choices = choices
        self._seen: dict[int, Instance | None] = {}

    def open(self, instance_id: int | None) -> Instance | None:
        """The instance if the viewer may open it."""
        if instance_id is None:
            return None
        if instance_id not in self._seen:
            row = self.session.get(Instance, instance_id)
            self._seen[instance_id] = row if row is not None and self._may_view(row) else None
        return self._seen[instance_id]


def _project(ctx: _Context, instance: Instance) -> list[dict[str, Any]]:
    session, found = ctx.session, []
    filing = session.scalar(select(Filing).where(Filing.instance_id == instance.id))
    if filing is not None:
        found.append(item("filing", status=FILING_STATUS_LABELS.get(filing.status, filing.status),
                          amount_fen=filing.contract_amount_fen, detail=filing.contract_no))
        campaign = session.get(Campaign, filing.campaign_id) if filing.campaign_id else None
        shown = ctx.open(campaign.instance_id) if campaign is not None else None
        if shown is not None:
            found.append(item("campaign", instance=shown))
    report = session.scalar(select(DiagnosisReport).where(DiagnosisReport.instance_id == instance.id))
    if report is not None:
        found.append(item("report", detail=f"{report.level} · {report.score:g}"))
    survey = session.scalar(select(Satisfaction).where(Satisfaction.instance_id == instance.id))
    if survey is not None:
        found.append(item("satisfaction", detail=ctx.choices.get("satisfaction", {}).get(survey.rating, survey.rating)))
    if instance.process_id == PROJECT_PROCESS and instance.provider_org_id is not None:
        applications = session.scalars(select(SubsidyApplication).where(
            SubsidyApplication.provider_org_id == instance.provider_org_id).order_by(SubsidyApplication.id))
        for application in applications:
            if instance.id in (application.project_instance_ids or []):
                found += _application_item(ctx, application)
    return found


def _application_item(ctx: _Context, application: SubsidyApplication) -> list[dict[str, Any]]:
    shown = ctx.open(application.instance_id)
    if shown is None:
        return []
    return [item("application", instance=shown, amount_fen=application.amount_fen,
                 status=APPLICATION_STATUS_LABELS.get(application.status, application.status))]


def _application(ctx: _Context, instance: Instance) -> list[dict[str, Any]]:
    session = ctx.session
    application = application_of_instance(session, instance.id)
    if application is None:
        return []
    found = []
    for project_id in application.project_instance_ids or []:
        shown = ctx.open(project_id)
        if shown is not None:
            found.append(item("project", instance=shown))
    for plan_item in session.scalars(select(PlanItem).where(PlanItem.application_id == application.id)):
        plan = session.get(SubsidyPlan, plan_item.plan_id)
        shown = ctx.open(plan.instance_id) if plan is not None else None
        if shown is not None:
            found.append(item("plan_item", status=ITEM_STATUS_LABELS.get(plan_item.status, plan_item.status),
                              amount_fen=plan_item.amount_fen, detail=plan_item.application_no))
            found.append(item("plan", instance=shown, detail=plan.title))
        if plan is not None:
            found += _announcement(session, plan.id)
    for recovery in session.scalars(select(Recovery).where(Recovery.application_id == application.id)):
        shown = ctx.open(recovery.instance_id)
        if shown is not None:
            found.append(item("clawback", instance=shown, amount_fen=recovery.demanded_fen or recovery.paid_fen))
    return found


def _announcement(session: Session, plan_id: int) -> list[dict[str, Any]]:
    announcement = session.scalar(select(Announcement).where(Announcement.plan_id == plan_id))
    if announcement is None:
        return []
    return [item("announcement", detail=announcement.title, announcement_id=announcement.id)]


def _plan(ctx: _Context, instance: Instance) -> list[dict[str, Any]]:
    session = ctx.session
    plan = plan_of_instance(session, instance.id)
    if plan is None:
        return []
    found = []
    items = session.scalars(select(PlanItem).where(PlanItem.plan_id == plan.id).order_by(PlanItem.id))
    for plan_item in items:
        application = session.get(SubsidyApplication, plan_item.application_id)
        shown = ctx.open(application.instance_id) if application is not None else None
        if shown is not None:
            found.append(item("application", instance=shown, amount_fen=plan_item.amount_fen,
                              status=ITEM_STATUS_LABELS.get(plan_item.status, plan_item.status),
                              detail=plan_item.provider_name))
    return found + _announcement(session, plan.id)


def _clawback(ctx: _Context, instance: Instance) -> list[dict[str, Any]]:
    recovery = ctx.session.scalar(select(Recovery).where(Recovery.instance_id == instance.id))
    application = ctx.session.get(SubsidyApplication, recovery.application_id) if recovery is not None else None
    return _application_item(ctx, application) if application is not None else []


_FINDERS: tuple[Callable[[_Context, Instance], list[dict[str, Any]]], ...] = (_project, _application, _plan, _clawback)
