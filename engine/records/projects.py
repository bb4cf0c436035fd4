"""Diagnosis projects (第十一条–第十三条): filings and what the project produces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..i18n import N_
from ..models import Base

# Filing.status: pending (filed, the district has not decided) → accepted | returned;
# a returned filing that the provider revises is pending again.
FILING_PENDING = "pending"
FILING_ACCEPTED = "accepted"
FILING_RETURNED = "returned"
FILING_STATUS_LABELS = {FILING_PENDING: N_("待审核"), FILING_ACCEPTED: N_("已受理"), FILING_RETURNED: N_("已退回")}
# The filings that use a district's quota (第三条 总量控制).
QUOTA_STATUSES = (FILING_PENDING, FILING_ACCEPTED)

# Rectification.status: open (the provider must act) → responded (the opener verifies) →
# accepted (closed); a rejected response makes it open again for another round.
RECTIFICATION_OPEN = "open"
RECTIFICATION_RESPONDED = "responded"
RECTIFICATION_ACCEPTED = "accepted"
RECTIFICATION_UNRESOLVED = (RECTIFICATION_OPEN, RECTIFICATION_RESPONDED)


class Filing(Base):
    """A diagnosis contract filed jointly with the enterprise's district (第十一条)."""

    __tablename__ = "filings"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), unique=True)
    provider_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    enterprise_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    district: Mapped[str] = mapped_column(String(40), index=True)
    contract_no: Mapped[str] = mapped_column(String(64))
    contract_date: Mapped[str] = mapped_column(String(10))
    contract_amount_fen: Mapped[int]
    working_group: Mapped[list[Any]]
    revision: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default=FILING_PENDING)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    filed_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class DiagnosisReport(Base):
    """The provider's diagnosis report (第十二条): level and score per MIIT's 评测指标."""

    __tablename__ = "diagnosis_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), unique=True)
    level: Mapped[str] = mapped_column(String(4))
    score: Mapped[float]
    findings: Mapped[str] = mapped_column(String(5000))
    proposals: Mapped[str] = mapped_column(String(5000))
    submitted_at: Mapped[datetime]


class Satisfaction(Base):
    """The enterprise's satisfaction rating (第八条, 第十五条(五)) and self-assessment (第十五条(七))."""

    __tablename__ = "satisfaction_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), unique=True)
    rating: Mapped[str] = mapped_column(String(20))
    satisfied: Mapped[bool]
    comment: Mapped[str] = mapped_column(String(1000), default="")
    self_assessment_done: Mapped[bool]
    rated_at: Mapped[datetime]


class Rectification(Base):
    """A rectification opinion (第十三条) on a project, and its loop until accepted.

    `verifier_role`/`verifier_id` say who verifies the provider's response: the opener's role,
    or a commissioned supervisor (then `verifier_id` is that supervisor's user id).
    `due_at` is 24:00 (Asia/Shanghai) of the deadline the opener gave; `rounds` counts the
    provider's responses.
    """

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    opened_by_role: Mapped[str] = mapped_column(String(32))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verifier_role: Mapped[str] = mapped_column(String(32), default="")
    verifier_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issue: Mapped[str] = mapped_column(String(2000))
    due_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), index=True)
    response: Mapped[str | None] = mapped_column(String(2000))
    verification_comment: Mapped[str | None] = mapped_column(String(2000))
    rounds: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
