"""Diagnosis campaigns (第十条–第十一条): the start notice, district quotas, district summaries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


class Campaign(Base):
    """One year's diagnosis work as the city's start notice defines it (启动通知).

    `window_start`/`window_end` are ISO dates (Asia/Shanghai) bounding when projects may be
    filed and carried out (第十五条(四)); `status` is draft → open → closed.
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


class DistrictQuota(Base):
    """总量控制: how many projects one district may file in a campaign."""

    __tablename__ = "district_quotas"
    __table_args__ = (UniqueConstraint("campaign_id", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    district: Mapped[str] = mapped_column(String(40))
    quota: Mapped[int]


class DistrictSummary(Base):
    """A district's filing summary (汇总) reported to the city at the end of the window."""

    __tablename__ = "district_summaries"
    __table_args__ = (UniqueConstraint("campaign_id", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    district: Mapped[str] = mapped_column(String(40))
    filings: Mapped[int]
    rows: Mapped[list[Any]] = mapped_column(default=list)
    mobilisation: Mapped[str] = mapped_column(Text, default="")
    reported_at: Mapped[datetime | None]
