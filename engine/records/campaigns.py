"""Diagnosis campaigns (第十条–第十一条, 第三条 总量控制): the start notice, district quotas,
and each district's mobilisation record and filing summary."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..models import Base

OPEN = "open"
CLOSED = "closed"


class Campaign(Base):
    """One year's diagnosis work as the city's start notice defines it (启动通知).

    `window_start`/`window_end` are ISO dates (Asia/Shanghai, both days included) bounding when
    projects may be contracted and filed (第十五条(四)); `status` is draft → open → closed.
    `instance_id` is the `diagnosis_campaign` instance that published it (None for demo data).
    """

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"), unique=True)
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    window_start: Mapped[str] = mapped_column(String(10))
    window_end: Mapped[str] = mapped_column(String(10))
    requirements: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    summary_comment: Mapped[str] = mapped_column(Text, default="")

    def covers(self, day: date) -> bool:
        """Is `day` inside the window (both ends included)?"""
        return self.window_start <= day.isoformat() <= self.window_end


class DistrictQuota(Base):
    """总量控制: how many projects one district may file in a campaign.

    `instance_id` is the district's `district_mobilisation` instance (mobilisation, matching
    and the filing summary), started when the campaign is published.
    """

    __tablename__ = "district_quotas"
    __table_args__ = (UniqueConstraint("campaign_id", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    district: Mapped[str] = mapped_column(String(40))
    quota: Mapped[int]
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"), unique=True)


class DistrictSummary(Base):
    """A district's mobilisation (宣讲动员、供需对接) and its filing summary (汇总) reported to
    the city at the end of the window; `rows` are the filings as reported."""

    __tablename__ = "district_summaries"
    __table_args__ = (UniqueConstraint("campaign_id", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    district: Mapped[str] = mapped_column(String(40))
    filings: Mapped[int]
    accepted: Mapped[int] = mapped_column(default=0)
    pending: Mapped[int] = mapped_column(default=0)
    returned: Mapped[int] = mapped_column(default=0)
    rows: Mapped[list[Any]] = mapped_column(default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    mobilisation: Mapped[str] = mapped_column(Text, default="")
    meetings_held: Mapped[int] = mapped_column(default=0)
    enterprises_reached: Mapped[int] = mapped_column(default=0)
    matches_made: Mapped[int] = mapped_column(default=0)
    matches: Mapped[list[Any]] = mapped_column(default=list)
    mobilised_at: Mapped[datetime | None]
    reported_at: Mapped[datetime | None]


def open_campaign_on(session: Session, day: date) -> Campaign | None:
    """The open campaign whose window contains `day` (publishing refuses overlapping windows)."""
    iso = day.isoformat()
    return session.scalar(
        select(Campaign)
        .where(Campaign.status == OPEN, Campaign.window_start <= iso, Campaign.window_end >= iso)
        .order_by(Campaign.id)
        .limit(1)
    )


def current_campaign(session: Session) -> Campaign | None:
    """The campaign of the current round: the published (open or closed) one published last."""
    return session.scalar(
        select(Campaign)
        .where(Campaign.status.in_((OPEN, CLOSED)))
        .order_by(Campaign.published_at.desc(), Campaign.id.desc())
        .limit(1)
    )
