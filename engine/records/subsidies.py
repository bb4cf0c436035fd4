"""Subsidy applications (第十四条(二)–(四), 第十五条): materials, reviews, eligibility, amount."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class SubsidyApplication(Base):
    """A provider's application for one or more of its completed diagnosis projects.

    `eligibility` holds the eight conditions of 第十五条 as
    [{"condition": "一", "passed": bool, "reason": str}, ...]; money is in fen (integer).
    `status`: draft → district_review → city_review → expert_review → eligible / rejected →
    planned → paid, or revoked (第十六条) before payment.
    """

    __tablename__ = "subsidy_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), unique=True)
    provider_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    district: Mapped[str | None] = mapped_column(String(40), index=True)
    year: Mapped[int] = mapped_column(index=True)
    project_instance_ids: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), index=True)
    eligibility: Mapped[list[Any]] = mapped_column(default=list)
    expert_average: Mapped[float | None]
    amount_fen: Mapped[int | None]
    revocation_reason: Mapped[str | None] = mapped_column(String(500))
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]


class ExpertScore(Base):
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
