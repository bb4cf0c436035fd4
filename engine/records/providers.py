"""The published provider list (第九条): batches, listings and their dynamic management."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..models import Base

LISTED = "listed"
STATUSES = ("applied", LISTED, "rejected", "suspended", "removed")


class ProviderBatch(Base):
    """A batch of the provider list as published (分批发布), e.g. 2026年第一批."""

    __tablename__ = "provider_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    published_at: Mapped[datetime | None]


class ProviderListing(Base):
    """One provider's place on the list; `status` is what dynamic management changes."""

    __tablename__ = "provider_listings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("provider_batches.id"))
    capabilities: Mapped[list[Any]] = mapped_column(default=list)
    contacts: Mapped[list[Any]] = mapped_column(default=list)
    reason: Mapped[str | None] = mapped_column(String(500))
    flagged: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]


def listing_problem(session: Session, organisation_id: int | None) -> str | None:
    """Why this organisation may not act as a listed provider now, or None if it may."""
    if organisation_id is None:
        return "不是服务商单位"
    listing = session.scalar(select(ProviderListing).where(ProviderListing.organisation_id == organisation_id))
    if listing is None or listing.status == "applied":
        return "该服务商尚未列入市工业和信息化局确定的服务商名单"
    if listing.status != LISTED:
        labels = {"rejected": "未通过审核", "suspended": "已被暂停", "removed": "已被移出名单"}
        reason = f"（{listing.reason}）" if listing.reason else ""
        return f"该服务商{labels.get(listing.status, listing.status)}{reason}，不能开展新的诊断项目"
    return None
