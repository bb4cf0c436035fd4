"""The guideline itself (第十九条): in force for three years from issue, then renewed or replaced."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..models import Base

ORIGINAL = {
    "doc_no": "济工信信数字〔2024〕1号",
    "title": "济南市数字化转型诊断工作指南（暂行）",
    "issued_on": "2024-01-06",
    "valid_years": 3,
}


class Guideline(Base):
    __tablename__ = "guidelines"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"), unique=True)
    doc_no: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[str] = mapped_column(String(10))
    valid_until: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    registered_at: Mapped[datetime]


def valid_until(issued_on: date, years: int) -> date:
    """The last day in force: issued 2024-01-06 for three years → in force through 2027-01-05."""
    try:
        anniversary = issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February
        anniversary = date(issued_on.year + years, 3, 1)
    return date.fromordinal(anniversary.toordinal() - 1)


def in_force(session: Session, day: date) -> Guideline | None:
    """The guideline in force on `day`, if any."""
    text = day.isoformat()
    return session.scalar(
        select(Guideline)
        .where(Guideline.issued_on <= text, Guideline.valid_until >= text)
        .order_by(Guideline.valid_until.desc())
        .limit(1)
    )


def latest(session: Session) -> Guideline | None:
    return session.scalar(select(Guideline).order_by(Guideline.valid_until.desc()).limit(1))
