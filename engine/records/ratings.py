"""第五条: the city bureau's star ratings of providers (星级评定) and the year's performance
evaluation (绩效评价) made with city finance."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..models import Base, Organisation

# StarRating.status: draft (computed, under review) → published; a later rating of the same
# year that is published makes the earlier published one superseded.
RATING_DRAFT = "draft"
RATING_PUBLISHED = "published"
RATING_SUPERSEDED = "superseded"
STARS = (1, 2, 3, 4, 5)

# Evaluation.status: computed (figures ready) → written (the city's evaluation, with finance)
# → returned (finance sent it back) → written … → final (co-signed by city finance).
EVALUATION_COMPUTED = "computed"
EVALUATION_WRITTEN = "written"
EVALUATION_RETURNED = "returned"
EVALUATION_FINAL = "final"


class StarRating(Base):
    """One provider's rating for a year, as computed from its record and as finally decided.

    The four dimension scores are points out of each dimension's weight (weights come from the
    model's decision table); `total` is on 100 points; `computed_stars` is what the star table
    gave, `final_stars` what the city decided (the same unless adjusted, then with
    `adjustment_reason`). Both are None for a provider with no completed project that year.
    `details` keeps the figures, the weights and the explanation shown to reviewers.
    """

    __tablename__ = "star_ratings"
    __table_args__ = (UniqueConstraint("instance_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    satisfaction_score: Mapped[float | None]
    rectification_score: Mapped[float | None]
    projects_score: Mapped[float | None]
    expert_score: Mapped[float | None]
    total: Mapped[float | None]
    computed_stars: Mapped[int | None]
    final_stars: Mapped[int | None]
    adjustment_reason: Mapped[str | None] = mapped_column(String(500))
    adjusted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    computed_at: Mapped[datetime]
    published_at: Mapped[datetime | None]


class Evaluation(Base):
    """The year's performance evaluation (第三条 绩效评价, 第五条 with city finance).

    `figures` holds what was computed from the records (each figure with its basis, or marked
    not available); the text, rating (优/良/中/差), findings and improvements are the city
    bureau's; `reviews` lists city finance's decisions in order ({decision, comment, by, at}).
    """

    __tablename__ = "performance_evaluations"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), unique=True)
    year: Mapped[int] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)
    text: Mapped[str] = mapped_column(Text, default="")
    rating: Mapped[str | None] = mapped_column(String(20))
    findings: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    reviews: Mapped[list[Any]] = mapped_column(default=list)
    computed_at: Mapped[datetime]
    written_at: Mapped[datetime | None]
    finalised_at: Mapped[datetime | None]
    cosigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


def published_ratings(session: Session, year: int) -> list[dict[str, Any]]:
    """The year's published ratings as the public list shows them: most stars first, providers
    without stars (no completed project that year) last."""
    rows = session.execute(
        select(StarRating, Organisation)
        .join(Organisation, Organisation.id == StarRating.organisation_id)
        .where(StarRating.year == year, StarRating.status == RATING_PUBLISHED)
    ).all()
    rows.sort(key=lambda row: (-(row[0].final_stars or 0), row[1].credit_code))
    return [
        {
            "year": rating.year,
            "organisation_id": organisation.id,
            "organisation_name": organisation.name,
            "credit_code": organisation.credit_code,
            "stars": rating.final_stars,
            "total": rating.total,
            "adjusted": rating.final_stars != rating.computed_stars,
            "published_at": rating.published_at,
        }
        for rating, organisation in rows
    ]


def stars_of(session: Session, organisation_id: int) -> int | None:
    """The provider's stars from its latest published rating (the latest year rated), or None
    when it has never been rated or had no completed project in that year."""
    rating = session.scalar(
        select(StarRating)
        .where(StarRating.organisation_id == organisation_id, StarRating.status == RATING_PUBLISHED)
        .order_by(StarRating.year.desc(), StarRating.published_at.desc(), StarRating.id.desc())
        .limit(1)
    )
    return rating.final_stars if rating is not None else None
