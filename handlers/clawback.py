"""Recovery of subsidy obtained by fraud (第十七条): after payment, a finding that a provider
falsified materials to obtain the subsidy (弄虚作假骗取资助资金) opens a case; the city demands
repayment; the district finance of the application's district records repayments until the
demanded amount is back or the city closes the case; the provider is flagged and told.
Operators of the `clawback` process."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from engine.errors import InvalidData
from engine.i18n import N_
from engine.models import Instance, Organisation
from engine.notifications import notify
from engine.operators import HandlerContext, HandlerError
from engine.records.plans import (
    RECOVERY_CLOSED,
    RECOVERY_DEMANDED,
    RECOVERY_OPEN,
    Payment,
    Recovery,
    Repayment,
    yuan_text,
)
from engine.records.providers import listing_of
from engine.records.subsidies import PAID, STATUS_LABELS, SubsidyApplication

from . import operator


def _recovery(ctx: HandlerContext) -> Recovery:
    recovery = ctx.session.scalar(select(Recovery).where(Recovery.instance_id == ctx.instance.id))
    if recovery is None:
        raise HandlerError(f"instance {ctx.instance.id} has no recovery case")
    return recovery


@operator("clawback.open")
def open_case(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Open the case for a paid application; the instance takes the application's district,
    so that district's finance records the repayments."""
    application_id = ctx.data["application_id"]
    application = ctx.session.get(SubsidyApplication, application_id)
    if application is None:
        raise InvalidData({"application_id": N_("编号为 %(application_id)s 的资助申报不存在，请核对申报编号",
                                                application_id=application_id)})
    if application.status != PAID:
        status = STATUS_LABELS.get(application.status, application.status)
        raise InvalidData({"application_id": N_(
            "编号为 %(application_id)s 的资助申报当前状态为「%(status)s」，"
            "资助资金尚未拨付，不能追缴（第十七条适用于已拨付的资金；拨付前请撤销项目）",
            application_id=application_id, status=status)})
    if not application.district:
        raise HandlerError(f"application {application_id} has no district")
    open_case_id = ctx.session.scalar(select(Recovery.id).where(
        Recovery.application_id == application.id, Recovery.status != RECOVERY_CLOSED,
        Recovery.instance_id != ctx.instance.id))
    if open_case_id is not None:
        raise InvalidData({"application_id": N_("该申报已有进行中的追缴案件（%(case_id)s），不能重复立案",
                                                case_id=open_case_id)})
    paid = ctx.session.scalar(select(func.sum(Payment.amount_fen)).where(Payment.application_id == application.id))
    paid_fen = int(paid or application.amount_fen or 0)
    recovery = Recovery(
        instance_id=ctx.instance.id, application_id=application.id, provider_org_id=application.provider_org_id,
        district=application.district, finding=ctx.data["finding"].strip(),
        finding_doc_no=(ctx.data.get("finding_doc_no") or "").strip(), paid_fen=paid_fen, status=RECOVERY_OPEN,
        opened_at=ctx.clock.now(),
    )
    ctx.session.add(recovery)
    ctx.instance.district = application.district
    ctx.instance.provider_org_id = application.provider_org_id
    ctx.session.flush()
    provider = ctx.session.get(Organisation, application.provider_org_id)
    number = ctx.session.scalar(select(Instance.business_key).where(Instance.id == application.instance_id))
    return {"recovery_id": recovery.id, "application_no": number or str(application.id),
            "provider": provider.name if provider else str(application.provider_org_id),
            "district": application.district, "paid": paid_fen}


@operator("clawback.demand")
def demand(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The demand letter: amount (at most what was paid), deadline, letter number."""
    recovery = _recovery(ctx)
    amount = ctx.data["demand_amount"]  # integer fen (format money-fen), at least 1 by the form
    if amount > recovery.paid_fen:
        raise InvalidData({"demand_amount": N_("追缴金额不能超过已拨付的 %(amount)s",
                                               amount=yuan_text(recovery.paid_fen))})
    deadline = date.fromisoformat(ctx.data["demand_deadline"])
    if deadline < ctx.clock.local_now().date():
        raise InvalidData({"demand_deadline": N_("退回期限不能早于今天")})
    recovery.demanded_fen, recovery.deadline = amount, deadline.isoformat()
    recovery.letter_no, recovery.status = ctx.data["demand_letter_no"].strip(), RECOVERY_DEMANDED
    recovery.demanded_at = ctx.clock.now()
    notify(ctx.session, ctx.clock, "clawback",
           N_("追缴通知（%(letter_no)s）：请于 %(deadline)s 前退回资助资金 %(amount)s",
              letter_no=recovery.letter_no, deadline=recovery.deadline, amount=yuan_text(amount)),
           role="provider", organisation_id=recovery.provider_org_id, instance_id=ctx.instance.id)
    notify(ctx.session, ctx.clock, "clawback",
           N_("追缴通知（%(letter_no)s）已下达，请登记服务商退回的资金", letter_no=recovery.letter_no),
           role="district_finance", district=recovery.district, instance_id=ctx.instance.id)
    return {"demanded": amount, "deadline": recovery.deadline, "outstanding": amount}


@operator("clawback.repay")
def repay(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """One repayment, at most what is still outstanding; `outstanding_fen` says whether more is due."""
    recovery = _recovery(ctx)
    if recovery.status != RECOVERY_DEMANDED:
        raise HandlerError(f"recovery {recovery.id} is {recovery.status}, not demanded")
    outstanding = recovery.demanded_fen - recovery.repaid_fen
    amount = ctx.data["repaid_amount"]  # integer fen (format money-fen), at least 1 by the form
    if amount > outstanding:
        raise InvalidData({"repaid_amount": N_("退回金额不能超过尚未退回的 %(amount)s", amount=yuan_text(outstanding))})
    if date.fromisoformat(ctx.data["repaid_on"]) > ctx.clock.local_now().date():
        raise InvalidData({"repaid_on": N_("到账日期不能晚于今天")})
    ctx.session.add(Repayment(
        recovery_id=recovery.id, amount_fen=amount, repaid_on=ctx.data["repaid_on"],
        voucher_no=ctx.data["repayment_voucher_no"].strip(), note=(ctx.data.get("repayment_note") or "").strip(),
        recorded_at=ctx.clock.now(), recorded_by=ctx.actor.username))
    recovery.repaid_fen += amount
    outstanding -= amount
    return {"repaid": recovery.repaid_fen, "outstanding": outstanding, "outstanding_fen": outstanding}


@operator("clawback.close")
def close(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Close the case (fully repaid, or closed by the city with its reason), flag the provider
    on the published list and tell it."""
    recovery = _recovery(ctx)
    outstanding = recovery.demanded_fen - recovery.repaid_fen
    if outstanding == 0:
        reason = N_("已全额追回 %(repaid)s", repaid=yuan_text(recovery.repaid_fen))
    else:
        comment = (ctx.data.get("recovery_comment") or "").strip()
        if ctx.data.get("recovery_decision") != "close" or not comment:
            raise InvalidData({"recovery_comment": N_("尚有资金未追回，结案须写明理由")})
        reason = N_("已追回 %(repaid)s，尚有 %(outstanding)s 未追回；%(comment)s",
                    repaid=yuan_text(recovery.repaid_fen), outstanding=yuan_text(outstanding), comment=comment)
    recovery.status, recovery.close_reason, recovery.closed_at = RECOVERY_CLOSED, reason, ctx.clock.now()
    listing = listing_of(ctx.session, recovery.provider_org_id)
    if listing is not None:
        listing.flagged = True
        listing.updated_at = ctx.clock.now()
    notify(ctx.session, ctx.clock, "clawback",
           N_("经查实存在弄虚作假骗取资助资金的情形（第十七条），追缴案件已结案：%(reason)s；贵单位已在服务商名单中予以标注",
              reason=reason),
           role="provider", organisation_id=recovery.provider_org_id, instance_id=ctx.instance.id)
    return {"recovery_id": recovery.id, "reason": reason, "flagged": listing is not None}
