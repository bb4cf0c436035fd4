"""Diagnosis projects (第十一条–第十三条): filings and what the project produces."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..models import Base


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
    contract_amount: Mapped[float]
    working_group: Mapped[list[Any]]
    revision: Mapped[int]
    filed_at: Mapped[datetime]
