"""Subsidy applications (第十四条(二)–(四), 第十五条, 第十六条): materials, reviews, eligibility, amount.

Written by the `subsidy_application` process (handlers/subsidies.py); the subsidy plan reads
`eligible_applications` and pays only what `payable` allows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..clock import SHANGHAI
from ..i18n import N_
from ..models import Base, Instance, Organisation
from .campaigns import current_campaign
from .projects import Filing

# SubsidyApplication.status
DISTRICT_REVIEW = "district_review"  # submitted: the district bureau and district finance review jointly
RETURNED = "returned"  # returned to the provider for correction (by the district)
CITY_REVIEW = "city_review"  # reported jointly to the city: re-review (材料复核)
EXPERT_REVIEW = "expert_review"  # the city accepted it for the expert panel
ELIGIBLE = "eligible"  # eligible with an amount: waits for the subsidy plan
REJECTED = "rejected"  # rejected by a review, not eligible, or amount 0 (reasons kept)
PLANNED = "planned"  # an item of a fixed subsidy plan (set by the plan)
PAID = "paid"  # paid (set by the plan's payment handler)
REMOVED = "removed"  # removed from the plan by an upheld objection (set by the plan)
REVOKED = "revoked"  # revoked by the city before payment (第十六条)

STATUS_LABELS = {
    DISTRICT_REVIEW: N_("区县审核中"),
    RETURNED: N_("已退回修改"),
    CITY_REVIEW: N_("市级复核中"),
    EXPERT_REVIEW: N_("专家评审中"),
    ELIGIBLE: N_("符合资助条件"),
    REJECTED: N_("未通过"),
    PLANNED: N_("已列入资助计划"),
    PAID: N_("已拨付"),
    REMOVED: N_("已移出资助计划"),
    REVOKED: N_("已撤销"),
}
# Before payment the city may still revoke, and the plan may still pay.
PAYABLE = (ELIGIBLE, PLANNED)
# A project in an application with one of these statuses cannot be applied for again.
FINAL_REFUSALS = (REJECTED,)
PROJECT_PROCESS = "diagnosis_project"

# 第十六条: why the city revokes an application before payment.
REVOCATION_REASONS = {
    "abnormal_operation": N_("服务商出现经营异常情况，可能影响财政资金安全和绩效（第十六条（一））"),
    "false_materials": N_("申报材料与实际情况不符或提供虚假材料（第十六条（二））"),
    "other": N_("相关文件明确规定需要终止资金拨付的其他情形（第十六条（三））"),
}


class SubsidyApplication(Base):
    """A provider's application for one or more of its completed diagnosis projects.

    `eligibility` holds the eight conditions of 第十五条 as decided by `eligibility.dmn`:
    [{"condition": "（五）", "title": str, "passed": bool | None, "reason": str}, ...]
    (`passed` None: not decided yet, only before the city's re-review for （八）).
    `materials` lists the keys of the application materials the provider declared (the files
    themselves are not stored yet). `district_opinions` holds the current round of the joint
    district review: {"bureau" | "finance": {"decision", "comment", "user_id", "at"}}.
    Money is in fen (integer): `amount_fen` is the sum over the application's enterprises.
    `year` is the year the application was first submitted.
    """

    __tablename__ = "subsidy_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), unique=True)
    provider_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    district: Mapped[str | None] = mapped_column(String(40), index=True)
    year: Mapped[int] = mapped_column(index=True)
    project_instance_ids: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), index=True)
    materials: Mapped[list[Any]] = mapped_column(default=list)
    district_opinions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    eligibility: Mapped[list[Any]] = mapped_column(default=list)
    expert_count: Mapped[int | None]
    expert_average: Mapped[float | None]
    amount_fen: Mapped[int | None]
    rejection_reason: Mapped[str | None] = mapped_column(String(2000))
    revocation_code: Mapped[str | None] = mapped_column(String(40))
    revocation_reason: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class ExpertScore(Base):
    """One expert's score (0–100) of one application, with the comment."""

    __tablename__ = "expert_scores"
    __table_args__ = (UniqueConstraint("application_id", "expert_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("subsidy_applications.id"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    score: Mapped[float]
    comment: Mapped[str] = mapped_column(String(2000), default="")
    scored_at: Mapped[datetime]


class ConflictOfInterest(Base):
    """An expert's declared conflict with an organisation; such an expert never reviews it."""

    __tablename__ = "conflicts_of_interest"
    __table_args__ = (UniqueConstraint("expert_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    declared_at: Mapped[datetime]


def application_of_instance(session: Session, instance_id: int, lock: bool = False) -> SubsidyApplication | None:
    """The application a `subsidy_application` instance wrote (locked FOR UPDATE if asked)."""
    query = select(SubsidyApplication).where(SubsidyApplication.instance_id == instance_id)
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def applied_projects(session: Session, provider_org_id: int, instance_id: int | None) -> dict[int, str]:
    """Project instance id → business key of the other application (not finally refused) that
    holds it: a project is subsidised at most once."""
    rows = session.execute(
        select(SubsidyApplication.project_instance_ids, Instance.business_key)
        .join(Instance, Instance.id == SubsidyApplication.instance_id)
        .where(
            SubsidyApplication.provider_org_id == provider_org_id,
            SubsidyApplication.status.not_in(FINAL_REFUSALS),
            SubsidyApplication.instance_id != (instance_id or 0),
        )
    )
    return {int(project_id): key for project_ids, key in rows for project_id in project_ids or []}


def offerable_projects(session: Session, provider_org_id: int, instance_id: int | None) -> list[dict[str, Any]]:
    """The provider's completed diagnosis projects of the current campaign that no other
    application (than the one of `instance_id`) holds: what it may apply for."""
    campaign = current_campaign(session)
    if campaign is None:
        return []
    taken = applied_projects(session, provider_org_id, instance_id)
    rows = session.execute(
        select(Instance, Filing, Organisation)
        .join(Filing, Filing.instance_id == Instance.id)
        .join(Organisation, Organisation.id == Filing.enterprise_org_id)
        .where(
            Instance.process_id == PROJECT_PROCESS,
            Instance.provider_org_id == provider_org_id,
            Instance.status == "completed",
            Filing.campaign_id == campaign.id,
        )
        .order_by(Instance.id)
    )
    return [
        {
            "instance_id": instance.id,
            "business_key": instance.business_key,
            "enterprise_name": enterprise.name,
            "district": filing.district,
            "contract_no": filing.contract_no,
            "completed_on": _local_day(instance.completed_at),
        }
        for instance, filing, enterprise in rows
        if instance.id not in taken
    ]


def _local_day(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).date().isoformat() if moment else ""


def project_title(project: dict[str, Any]) -> str:
    """How a project is offered: 2026-000012 企业（历下区备案，合同编号 HT-1，2026-03-20 完成）."""
    return N_("%(business_key)s %(enterprise)s（%(district)s备案，合同编号 %(contract_no)s，%(completed_on)s 完成）",
              business_key=project["business_key"], enterprise=project["enterprise_name"],
              district=project["district"], contract_no=project["contract_no"], completed_on=project["completed_on"])


def payable(session: Session, application_id: int) -> bool:
    """May the plan pay this application now? Locks the row (FOR UPDATE) for the rest of the
    caller's transaction, so a revocation cannot slip in between this check and the payment.
    True only while the application is eligible or in a fixed plan (not paid, removed, revoked)."""
    status = session.scalar(
        select(SubsidyApplication.status).where(SubsidyApplication.id == application_id).with_for_update()
    )
    return status in PAYABLE


def eligible_applications(session: Session, year: int) -> list[SubsidyApplication]:
    """The applications of `year` that passed every review and wait for a subsidy plan
    (status `eligible`; applications already in a fixed plan are `planned`), oldest first."""
    return list(
        session.scalars(
            select(SubsidyApplication)
            .where(SubsidyApplication.year == year, SubsidyApplication.status == ELIGIBLE)
            .order_by(SubsidyApplication.submitted_at, SubsidyApplication.id)
        )
    )
