"""The published provider list (第九条): batches, listings and their dynamic management."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..i18n import N_
from ..models import Base, Organisation
from .ratings import stars_of

APPLIED = "applied"
LISTED = "listed"
REJECTED = "rejected"
SUSPENDED = "suspended"
REMOVED = "removed"
STATUSES = (APPLIED, LISTED, REJECTED, SUSPENDED, REMOVED)
STATUS_LABELS = {
    APPLIED: N_("申请中"),
    LISTED: N_("在册"),
    REJECTED: N_("未通过审核"),
    SUSPENDED: N_("已暂停"),
    REMOVED: N_("已移出名单"),
}
# A listing in one of these states belongs to a live onboarding: no second application for it.
ACTIVE = frozenset({APPLIED, LISTED, SUSPENDED})
# What the public list shows: providers on the list, suspended ones marked as such.
PUBLISHED = (LISTED, SUSPENDED)


class ProviderBatch(Base):
    """A batch of the provider list as published (分批发布), e.g. 2026年第一批."""

    __tablename__ = "provider_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    published_at: Mapped[datetime | None]


class ProviderListing(Base):
    """One provider's place on the list; `status` is what dynamic management changes.

    `reason` is the reason given for the latest change (review, suspension, reinstatement,
    removal); `instance_id` is the provider_onboarding instance that manages the listing
    (None for listings made outside a process, e.g. the demo data). `applied_name` and
    `applied_credit_code` are what the application said, which may differ from the
    organisation's registered name and code.
    """

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
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"), index=True)
    applied_name: Mapped[str | None] = mapped_column(String(200))
    applied_credit_code: Mapped[str | None] = mapped_column(String(18))


def listing_of(session: Session, organisation_id: int | None) -> ProviderListing | None:
    if organisation_id is None:
        return None
    return session.scalar(select(ProviderListing).where(ProviderListing.organisation_id == organisation_id))


def listing_problem(session: Session, organisation_id: int | None) -> str | None:
    """Why this organisation may not act as a listed provider now, or None if it may."""
    if organisation_id is None:
        return N_("不是服务商单位")
    listing = listing_of(session, organisation_id)
    if listing is None or listing.status == APPLIED:
        return N_("该服务商尚未列入市工业和信息化局确定的服务商名单")
    if listing.status != LISTED:
        labels = {REJECTED: N_("未通过审核"), SUSPENDED: N_("已被暂停"), REMOVED: N_("已被移出名单")}
        status = labels.get(listing.status, listing.status)
        if listing.reason:
            return N_("该服务商%(status)s（%(reason)s），不能开展新的诊断项目", status=status, reason=listing.reason)
        return N_("该服务商%(status)s，不能开展新的诊断项目", status=status)
    return None


def published_list(session: Session) -> list[dict[str, Any]]:
    """The provider list as the public sees it: every provider of a published batch that is
    on the list (listed or suspended; removed and rejected ones are not), oldest batch first.

    `star_rating` is a placeholder until the city's star ratings (第五条) exist.
    """
    rows = session.execute(
        select(ProviderListing, ProviderBatch, Organisation)
        .join(ProviderBatch, ProviderBatch.id == ProviderListing.batch_id)
        .join(Organisation, Organisation.id == ProviderListing.organisation_id)
        .where(ProviderListing.status.in_(PUBLISHED), ProviderBatch.published_at.is_not(None))
        .order_by(ProviderBatch.published_at, ProviderBatch.id, Organisation.credit_code)
    )
    return [
        {
            "batch_name": batch.name,
            "published_at": batch.published_at,
            "organisation_name": organisation.name,
            "credit_code": organisation.credit_code,
            "district": organisation.district,
            "status": listing.status,
            "status_label": STATUS_LABELS[listing.status],
            "star_rating": stars_of(session, organisation.id),
            "flagged": listing.flagged,
        }
        for listing, batch, organisation in rows
    ]
