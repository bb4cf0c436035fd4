"""The subsidy plan and what follows it (第十四条(五)–(七), 第十六条, 第十七条): the year's plan
and its items, the public announcement (公示) with its real-name objections, the release of
funds to the districts, the payments to providers, and the recovery of money obtained by fraud.

Money is integer fen everywhere in these tables and in task data; forms show it in yuan (`money-fen`
fields), people read it with `yuan_text`.
An objector's identity is confidential: it lives only in `Objection`'s own columns, never in
process data, and only the city bureau reads it (`objection_detail`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..access import Actor
from ..errors import Forbidden, NotFound
from ..i18n import N_
from ..models import Base

# SubsidyPlan.status
PLAN_DRAFT = "draft"
PLAN_FIXED = "fixed"
PLAN_ANNOUNCED = "announced"
PLAN_ISSUED = "issued"
PLAN_FUNDS_REQUESTED = "funds_requested"
PLAN_RELEASED = "released"
PLAN_COMPLETED = "completed"

# PlanItem.status: planned → paid | removed (objection upheld) | revoked (第十六条, before payment)
ITEM_PLANNED = "planned"
ITEM_PAID = "paid"
ITEM_REMOVED = "removed"
ITEM_REVOKED = "revoked"
ITEM_SETTLED = (ITEM_PAID, ITEM_REMOVED, ITEM_REVOKED)
ITEM_STATUS_LABELS = {ITEM_PLANNED: N_("列入计划"), ITEM_PAID: N_("已拨付"), ITEM_REMOVED: N_("已移出计划"),
                      ITEM_REVOKED: N_("已撤销")}

# Announcement.status
ANNOUNCEMENT_OPEN = "open"
ANNOUNCEMENT_CLOSED = "closed"
LEGAL_BASIS = "《济南市数字化转型诊断工作指南（暂行）》第十四条（六）"

# Objection.status and objector kinds
OBJECTION_PENDING = "pending"
OBJECTION_UPHELD = "upheld"
OBJECTION_REJECTED = "rejected"
OBJECTOR_ORGANISATION = "organisation"
OBJECTOR_PERSON = "person"
OBJECTOR_LABELS = {OBJECTOR_ORGANISATION: "单位（加盖公章）", OBJECTOR_PERSON: "个人（本人签名）"}
OBJECTION_STATUS_LABELS = {OBJECTION_PENDING: N_("待处理"), OBJECTION_UPHELD: N_("异议成立"),
                           OBJECTION_REJECTED: N_("异议不成立")}

# Recovery.status (第十七条)
RECOVERY_OPEN = "open"
RECOVERY_DEMANDED = "demanded"
RECOVERY_CLOSED = "closed"


class SubsidyPlan(Base):
    """One year's subsidy plan (第十四条(五)), drafted, fixed and carried out by one
    `subsidy_plan` instance. `scaling_rule`/`round_down_fen` record how amounts were scaled
    when the approved amounts exceeded `budget_fen` (empty rule: no scaling was needed)."""

    __tablename__ = "subsidy_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), unique=True)
    year: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    budget_fen: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), index=True)
    scaling_rule: Mapped[str] = mapped_column(String(40), default="")
    round_down_fen: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    fixed_at: Mapped[datetime | None]
    issue_doc_no: Mapped[str | None] = mapped_column(String(100))
    issued_at: Mapped[datetime | None]
    request_doc_no: Mapped[str | None] = mapped_column(String(100))
    requested_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]


class PlanItem(Base):
    """One application in the plan: what it asked (`requested_fen`) and what the plan gives
    (`amount_fen`, after scaling and upheld objections)."""

    __tablename__ = "subsidy_plan_items"
    __table_args__ = (UniqueConstraint("plan_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("subsidy_plans.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("subsidy_applications.id"), index=True)
    application_no: Mapped[str] = mapped_column(String(100))
    provider_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    provider_name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(40), index=True)
    enterprises: Mapped[list[Any]] = mapped_column(default=list)
    projects: Mapped[list[Any]] = mapped_column(default=list)
    requested_fen: Mapped[int]
    amount_fen: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), index=True)
    updated_at: Mapped[datetime]


class Announcement(Base):
    """The plan's public announcement (公示) on the bureau's website, 5 working days:
    `ends_at` is 24:00 of the 5th working day, the publication day counting when it is one.
    `items` is the list as published (it does not change when an objection is upheld)."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("subsidy_plans.id"), unique=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(String(200))
    items: Mapped[list[Any]] = mapped_column(default=list)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime] = mapped_column(index=True)
    contact_office: Mapped[str] = mapped_column(String(100))
    contact_phone: Mapped[str] = mapped_column(String(40))
    contact_address: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), index=True)
    closed_at: Mapped[datetime | None]


class Objection(Base):
    """A real-name objection to one item of an announcement. The identity columns
    (`objector_*`, `credit_code`, `contact_person`, `id_number`, `phone`, `scan_ref`) are
    confidential: only the city bureau reads them, through `objection_detail`."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("subsidy_plan_items.id"), index=True)
    objector_kind: Mapped[str] = mapped_column(String(20))
    objector_name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    contact_person: Mapped[str | None] = mapped_column(String(50))
    id_number: Mapped[str | None] = mapped_column(String(18))
    phone: Mapped[str] = mapped_column(String(40))
    scan_ref: Mapped[str] = mapped_column(String(300))
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    decision_action: Mapped[str | None] = mapped_column(String(20))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    amount_before_fen: Mapped[int | None]
    amount_after_fen: Mapped[int | None]
    filed_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))


class FundRelease(Base):
    """City finance releases a district's share of the plan to district finance (第十四条(七))."""

    __tablename__ = "fund_releases"
    __table_args__ = (UniqueConstraint("plan_id", "district"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("subsidy_plans.id"), index=True)
    district: Mapped[str] = mapped_column(String(40))
    amount_fen: Mapped[int]
    released_on: Mapped[str] = mapped_column(String(10))
    voucher_no: Mapped[str] = mapped_column(String(100))
    released_at: Mapped[datetime]
    released_by: Mapped[str] = mapped_column(String(64))


class Payment(Base):
    """District finance pays one plan item to its provider. `paid_on` is the value date the
    district entered; `paid_at` when the payment was recorded."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("subsidy_plan_items.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("subsidy_applications.id"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("subsidy_plans.id"), index=True)
    district: Mapped[str] = mapped_column(String(40), index=True)
    amount_fen: Mapped[int]
    paid_on: Mapped[str] = mapped_column(String(10))
    paid_at: Mapped[datetime]
    voucher_no: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[str] = mapped_column(String(64))


class Recovery(Base):
    """Recovery of subsidy obtained by fraud (第十七条), from the finding to the closed case."""

    __tablename__ = "recoveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("subsidy_applications.id"), index=True)
    provider_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    district: Mapped[str] = mapped_column(String(40))
    finding: Mapped[str] = mapped_column(Text)
    finding_doc_no: Mapped[str] = mapped_column(String(100), default="")
    paid_fen: Mapped[int]
    demanded_fen: Mapped[int] = mapped_column(default=0)
    repaid_fen: Mapped[int] = mapped_column(default=0)
    deadline: Mapped[str | None] = mapped_column(String(10))
    letter_no: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), index=True)
    close_reason: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime]
    demanded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class Repayment(Base):
    """One repayment toward a recovery, as the district finance recorded it."""

    __tablename__ = "recovery_repayments"

    id: Mapped[int] = mapped_column(primary_key=True)
    recovery_id: Mapped[int] = mapped_column(ForeignKey("recoveries.id"), index=True)
    amount_fen: Mapped[int]
    repaid_on: Mapped[str] = mapped_column(String(10))
    voucher_no: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(64))


# --------------------------------------------------------------------------
# Money
# --------------------------------------------------------------------------


def yuan_figures(fen: int) -> str:
    """Integer fen as yuan with two decimals and thousands separators, exactly: 50,000.00."""
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def yuan_text(fen: int) -> str:
    """An amount as people read it: 45,000 元, 41,666.50 元 (a Text: 45,000 yuan in English)."""
    return N_("%(amount)s 元", amount=format(fen // 100, ",") if fen % 100 == 0 else format(fen / 100, ",.2f"))


# --------------------------------------------------------------------------
# Reading for the public page and for the city
# --------------------------------------------------------------------------


def plan_of_instance(session: Session, instance_id: int) -> SubsidyPlan | None:
    return session.scalar(select(SubsidyPlan).where(SubsidyPlan.instance_id == instance_id))


def published_announcements(session: Session) -> list[dict[str, Any]]:
    """Every announcement ever published, newest first, as the public list shows it."""
    rows = session.scalars(select(Announcement).order_by(Announcement.starts_at.desc(), Announcement.id.desc()))
    return [_announcement_summary(a) for a in rows]


def announcement_detail(session: Session, announcement_id: int) -> dict[str, Any] | None:
    """One announcement as published: items, period, where to send objections; None if unknown.
    Objections (and who filed them) are not part of it."""
    announcement = session.get(Announcement, announcement_id)
    if announcement is None:
        return None
    return _announcement_summary(announcement) | {
        "items": list(announcement.items),
        "contacts": {
            "office": announcement.contact_office,
            "phone": announcement.contact_phone,
            "address": announcement.contact_address,
            "email": announcement.contact_email,
        },
    }


def _announcement_summary(announcement: Announcement) -> dict[str, Any]:
    return {
        "id": announcement.id,
        "title": announcement.title,
        "legal_basis": announcement.legal_basis,
        "starts_at": announcement.starts_at,
        "ends_at": announcement.ends_at,
        "status": announcement.status,
        "item_count": len(announcement.items),
        "total_fen": sum(item["amount_fen"] for item in announcement.items),
    }


def _city_bureau_only(actor: Actor) -> None:
    if actor.role != "city_bureau":
        raise Forbidden(N_("异议人身份信息保密，仅市工业和信息化局可以查阅"))


def objection_list(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """Every objection, newest first, with who filed it and on which item: for the city bureau
    only, like `objection_detail`."""
    _city_bureau_only(actor)
    rows = session.execute(
        select(Objection, Announcement.title, PlanItem.application_no, PlanItem.provider_name)
        .join(Announcement, Announcement.id == Objection.announcement_id)
        .join(PlanItem, PlanItem.id == Objection.item_id)
        .order_by(Objection.filed_at.desc(), Objection.id.desc()))
    return [{"id": objection.id, "announcement_title": title, "item": f"{application_no} {provider}",
             "objector_kind": objection.objector_kind, "objector_name": objection.objector_name,
             "filed_at": objection.filed_at, "status": objection.status,
             "status_label": OBJECTION_STATUS_LABELS[objection.status]}
            for objection, title, application_no, provider in rows]


def objection_detail(session: Session, actor: Actor, objection_id: int) -> dict[str, Any]:
    """An objection with its objector's identity, for the city bureau only (the identity of
    an objector is confidential)."""
    _city_bureau_only(actor)
    objection = session.get(Objection, objection_id)
    if objection is None:
        raise NotFound(N_("异议 %(objection_id)s 不存在", objection_id=objection_id))
    return {
        "id": objection.id,
        "announcement_id": objection.announcement_id,
        "item_id": objection.item_id,
        "objector_kind": objection.objector_kind,
        "objector_name": objection.objector_name,
        "credit_code": objection.credit_code,
        "contact_person": objection.contact_person,
        "id_number": objection.id_number,
        "phone": objection.phone,
        "scan_ref": objection.scan_ref,
        "statement": objection.statement,
        "status": objection.status,
        "status_label": OBJECTION_STATUS_LABELS[objection.status],
        "decision_action": objection.decision_action,
        "decision_reason": objection.decision_reason,
        "filed_at": objection.filed_at,
        "decided_at": objection.decided_at,
    }
