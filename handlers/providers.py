"""Providers (第九条): the list is determined by filing or selection, managed dynamically,
published in batches. Operators of the `provider_onboarding` process and the start rules."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import history
from engine.access import Actor
from engine.clock import Clock
from engine.errors import Conflict, Forbidden, InvalidData
from engine.i18n import N_, Text
from engine.idnumbers import credit_code_valid
from engine.models import Instance, Organisation
from engine.operators import HandlerContext, HandlerError
from engine.records.providers import (
    ACTIVE,
    APPLIED,
    LISTED,
    REJECTED,
    REMOVED,
    STATUS_LABELS,
    SUSPENDED,
    ProviderBatch,
    ProviderListing,
    listing_of,
    listing_problem,
)

from . import operator, start_rule

ONBOARDING = "provider_onboarding"
OPEN_STATUSES = ("running", "error")
# management_action → (statuses it may start from, status it leads to, what it is called)
CHANGES = {
    "suspend": ({LISTED}, SUSPENDED, N_("暂停")),
    "reinstate": ({SUSPENDED}, LISTED, N_("恢复")),
    "remove": ({LISTED, SUSPENDED}, REMOVED, N_("移出名单")),
}


@start_rule("diagnosis_project")
def provider_must_be_listed(session: Session, actor: Actor, _clock: Clock) -> None:
    """Only a provider on the published list, not suspended or removed, files new projects."""
    problem = listing_problem(session, actor.organisation_id)
    if problem:
        raise Forbidden(problem)


@start_rule(ONBOARDING)
def one_onboarding_per_provider(session: Session, actor: Actor, _clock: Clock) -> None:
    """A provider applies for its own organisation, once at a time; a listed (or suspended)
    provider does not apply again. Rejected and removed providers may apply anew."""
    if actor.role != "provider":
        return
    organisation = session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    if organisation is None or organisation.kind != "provider":
        raise Forbidden(N_("不是服务商单位，不能申请列入服务商名单"))
    problem = onboarding_problem(session, organisation.id)
    if problem:
        raise Conflict(problem)


def onboarding_problem(session: Session, organisation_id: int, instance_id: int | None = None) -> Text | None:
    """Why the organisation may not be onboarded (by instance `instance_id`), or None:
    it already has a live listing or another open onboarding instance."""
    listing = listing_of(session, organisation_id)
    managed_here = instance_id is not None and listing is not None and listing.instance_id == instance_id
    if listing is not None and listing.status in ACTIVE and not managed_here:
        return N_("该单位已在服务商名单管理中（%(status)s），不能重复申请", status=STATUS_LABELS[listing.status])
    query = select(Instance.business_key).where(
        Instance.process_id == ONBOARDING,
        Instance.provider_org_id == organisation_id,
        Instance.status.in_(OPEN_STATUSES),
    )
    if instance_id is not None:
        query = query.where(Instance.id != instance_id)
    other = session.scalar(query.limit(1))
    if other is not None:
        return N_("该单位已有进行中的服务商入库申请（业务编号 %(business_key)s），不能重复申请", business_key=other)
    return None


@operator("providers.identify_applicant")
def identify_applicant(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Who started: a provider applying for its own organisation, or the city registering one.

    For a provider the instance belongs to its organisation from the start, so it sees it."""
    role = ctx.actor.role
    if role == "city_bureau":
        return {"role": role}
    if role != "provider":
        raise HandlerError(f"role {role} cannot start {ONBOARDING}")
    organisation = ctx.session.get(Organisation, ctx.actor.organisation_id)
    if organisation is None or organisation.kind != "provider":
        raise HandlerError(f"user {ctx.actor.username} belongs to no provider organisation")
    ctx.instance.provider_org_id = organisation.id
    ctx.instance.district = organisation.district
    return {
        "role": role,
        "organisation_id": organisation.id,
        "organisation_name": organisation.name,
        "credit_code": organisation.credit_code,
    }


@operator("providers.record_application")
def record_application(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Record the application (status `applied`) on the organisation's listing.

    A provider's application is for its own organisation: the organisation row stays as
    registered and the name and credit code applied with are kept on the listing. A city
    registration creates the provider organisation, or updates the one with that credit code.
    """
    data = ctx.data
    applied_name = _clean(data["organisation_name"])
    applied_code = data["credit_code"].strip().upper()
    if not credit_code_valid(applied_code):
        raise InvalidData({"credit_code": N_("统一社会信用代码校验位不正确，请核对")})
    if data["applicant"]["role"] == "city_bureau":
        organisation = _registered_organisation(ctx, applied_name, applied_code, data["district"])
    else:
        organisation = ctx.session.get(Organisation, ctx.actor.organisation_id)
        if organisation is None or organisation.kind != "provider":
            raise HandlerError(f"user {ctx.actor.username} belongs to no provider organisation")
        problem = onboarding_problem(ctx.session, organisation.id, ctx.instance.id)
        if problem:
            raise InvalidData({"_form": problem})
    listing = listing_of(ctx.session, organisation.id)
    if listing is None:
        listing = ProviderListing(organisation_id=organisation.id, flagged=False)
        ctx.session.add(listing)
    before = listing.status
    listing.status = APPLIED
    listing.batch_id = None
    listing.reason = None
    listing.capabilities = list(data["capabilities"])
    listing.contacts = [dict(contact) for contact in data["contacts"]]
    listing.applied_name = applied_name
    listing.applied_credit_code = applied_code
    listing.instance_id = ctx.instance.id
    listing.updated_at = ctx.clock.now()
    ctx.instance.provider_org_id = organisation.id
    ctx.instance.district = organisation.district
    ctx.session.flush()
    _audit(ctx, listing, before, None)
    return {
        "listing_id": listing.id,
        "organisation_id": organisation.id,
        "organisation_name": organisation.name,
        "applied_name": applied_name,
        "credit_code": applied_code,
        "matches_registration": (applied_name, applied_code) == (organisation.name, organisation.credit_code),
    }


def _registered_organisation(ctx: HandlerContext, name: str, credit_code: str, district: str) -> Organisation:
    """The provider organisation with this credit code, created or brought up to date."""
    organisation = ctx.session.scalar(select(Organisation).where(Organisation.credit_code == credit_code))
    if organisation is None:
        organisation = Organisation(
            name=name, kind="provider", credit_code=credit_code, district=district, created_at=ctx.clock.now()
        )
        ctx.session.add(organisation)
        ctx.session.flush()
        return organisation
    if organisation.kind != "provider":
        raise InvalidData({"credit_code": N_("该统一社会信用代码已登记为企业，不能登记为服务商")})
    problem = onboarding_problem(ctx.session, organisation.id, ctx.instance.id)
    if problem:
        raise InvalidData({"credit_code": problem})
    organisation.name = name
    organisation.district = district
    return organisation


@operator("providers.record_review")
def record_review(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Admit into a named batch (created, and published, when its first provider is
    admitted) or reject with the reason."""
    listing = _managed_listing(ctx)
    if listing.status != APPLIED:
        raise HandlerError(f"listing {listing.id} is {listing.status}, not applied")
    before = listing.status
    decision = ctx.data["review_decision"]
    reason = (ctx.data.get("review_reason") or "").strip() or None
    result: dict[str, Any] = {"decision": decision}
    if decision == "admit":
        batch = _batch(ctx, re.sub(r"\s+", "", ctx.data.get("batch_name") or ""))
        listing.status = LISTED
        listing.batch_id = batch.id
        result |= {"batch_id": batch.id, "batch_name": batch.name}
    elif decision == "reject":
        listing.status = REJECTED
    else:
        raise HandlerError(f"unknown review decision {decision!r}")
    listing.reason = reason
    listing.updated_at = ctx.clock.now()
    _audit(ctx, listing, before, reason)
    return result | {"status": listing.status}


def _batch(ctx: HandlerContext, name: str) -> ProviderBatch:
    if not name:
        raise InvalidData({"batch_name": N_("请填写批次名称")})
    batch = ctx.session.scalar(select(ProviderBatch).where(ProviderBatch.name == name))
    if batch is None:
        batch = ProviderBatch(name=name, published_at=None)
        ctx.session.add(batch)
    if batch.published_at is None:
        batch.published_at = ctx.clock.now()
    ctx.session.flush()
    return batch


@operator("providers.record_change")
def record_change(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Dynamic management: suspend, reinstate or remove, always with a reason."""
    action = ctx.data["management_action"]
    if action not in CHANGES:
        raise HandlerError(f"unknown management action {action!r}")
    reason = ctx.data["management_reason"].strip()
    if not reason:
        raise InvalidData({"management_reason": N_("请填写原因")})
    allowed, after, label = CHANGES[action]
    listing = _managed_listing(ctx)
    if listing.status not in allowed:
        current = STATUS_LABELS.get(listing.status, listing.status)
        raise InvalidData({"management_action": N_("该服务商当前状态为「%(status)s」，不能%(action)s",
                                                   status=current, action=label)})
    before = listing.status
    listing.status = after
    listing.reason = reason
    listing.updated_at = ctx.clock.now()
    _audit(ctx, listing, before, reason)
    return {"action": action, "status": after, "previous_status": before, "reason": reason}


def _managed_listing(ctx: HandlerContext) -> ProviderListing:
    listing = listing_of(ctx.session, ctx.instance.provider_org_id)
    if listing is None or listing.instance_id != ctx.instance.id:
        raise HandlerError(f"instance {ctx.instance.id} manages no provider listing")
    return listing


def _audit(ctx: HandlerContext, listing: ProviderListing, before: str | None, reason: str | None) -> None:
    """One audit event per status change of a listing, besides the task completion's."""
    history.record(
        ctx.session,
        ctx.clock,
        ctx.actor,
        "provider_listing_changed",
        ctx.instance.id,
        None,
        ctx.element_id,
        organisation_id=listing.organisation_id,
        status_before=before,
        status_after=listing.status,
        reason=reason,
    )


def _clean(text: str) -> str:
    """A name as one line: runs of whitespace become one space, none at the ends."""
    return re.sub(r"\s+", " ", text).strip()
