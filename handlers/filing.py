"""The diagnosis project (第十一条–第十三条): filing (备案) with the district within the campaign's
window and quota, the district's decision, the report, satisfaction, and rectification."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from engine.clock import SHANGHAI
from engine.errors import Forbidden, InvalidData
from engine.i18n import N_
from engine.models import Organisation, User
from engine.operators import HandlerContext, HandlerError
from engine.records.campaigns import OPEN, Campaign, DistrictQuota, open_campaign_on
from engine.records.projects import (
    FILING_ACCEPTED,
    FILING_PENDING,
    FILING_RETURNED,
    QUOTA_STATUSES,
    RECTIFICATION_ACCEPTED,
    RECTIFICATION_OPEN,
    RECTIFICATION_RESPONDED,
    DiagnosisReport,
    Filing,
    Rectification,
    Satisfaction,
)
from engine.roles import ROLES

from . import operator
from .campaigns import end_of_day

SATISFIED_RATINGS = frozenset({"very_satisfied", "satisfied"})
RECTIFICATION_OPENERS = frozenset({"city_bureau", "district_bureau", "supervisor"})


# --------------------------------------------------------------------------
# Filing (第十一条) within the campaign (第十条, 第十五条(四)) and its quota (第三条)
# --------------------------------------------------------------------------


@operator("filing.record")
def record_filing(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Record (or revise) the filing and put the instance in the enterprise's district,
    so the enterprise and that district's bureau see the next tasks.

    Refused (InvalidData on the field, the submission rolls back) when no campaign is open for
    today, the contract date is outside the campaign's window, or the enterprise's district
    has no quota or has used it."""
    enterprise = ctx.session.get(Organisation, ctx.data["enterprise_id"])
    if enterprise is None or enterprise.kind != "enterprise":
        raise HandlerError(f"enterprise {ctx.data['enterprise_id']} does not exist")
    if not enterprise.district:
        raise HandlerError(f"enterprise {enterprise.name} has no district")
    campaign = _campaign_for_filing(ctx)
    _check_quota(ctx, campaign, enterprise)

    filing = ctx.session.scalar(select(Filing).where(Filing.instance_id == ctx.instance.id))
    if filing is None:
        filing = Filing(instance_id=ctx.instance.id, revision=0)
        ctx.session.add(filing)
    filing.provider_org_id = ctx.instance.provider_org_id
    filing.enterprise_org_id = enterprise.id
    filing.district = enterprise.district
    filing.contract_no = ctx.data["contract_no"]
    filing.contract_date = ctx.data["contract_date"]
    filing.contract_amount_fen = ctx.data["contract_amount"]  # integer fen (format money-fen)
    filing.working_group = list(ctx.data["working_group"])
    filing.campaign_id = campaign.id
    filing.status = FILING_PENDING
    filing.decided_at = None
    filing.revision += 1
    filing.filed_at = ctx.clock.now()
    ctx.instance.enterprise_org_id = enterprise.id
    ctx.instance.district = enterprise.district
    ctx.session.flush()
    return {
        "filing_id": filing.id,
        "revision": filing.revision,
        "enterprise_name": enterprise.name,
        "district": enterprise.district,
        "campaign_id": campaign.id,
    }


def _campaign_for_filing(ctx: HandlerContext) -> Campaign:
    """The open campaign whose window holds today (Asia/Shanghai) and the contract date."""
    today = ctx.clock.local_now().date()
    campaign = open_campaign_on(ctx.session, today)
    if campaign is None:
        windows = ctx.session.scalars(select(Campaign).where(Campaign.status == OPEN).order_by(Campaign.window_start))
        described = [N_("「%(title)s」备案期为%(window_start)s至%(window_end)s",
                        title=c.title, window_start=c.window_start, window_end=c.window_end) for c in windows]
        if described:
            message = N_("今天（%(today)s）不在诊断工作的备案期内：%(windows)s",
                         today=today.isoformat(), windows=described)
        else:
            message = N_("市工业和信息化局尚未发布数字化转型诊断工作启动通知（或诊断工作已结束），暂不能备案")
        raise InvalidData({"contract_date": message})
    contract_date = date.fromisoformat(ctx.data["contract_date"])
    if not campaign.covers(contract_date):
        raise InvalidData({"contract_date": N_("合同签订日期须在诊断工作起止时间（%(window_start)s至%(window_end)s）内",
                                               window_start=campaign.window_start, window_end=campaign.window_end)})
    return campaign


def _check_quota(ctx: HandlerContext, campaign: Campaign, enterprise: Organisation) -> None:
    """总量控制: accepted and pending filings of the district, this project's own not counted."""
    quota = ctx.session.scalar(
        select(DistrictQuota)
        .where(DistrictQuota.campaign_id == campaign.id, DistrictQuota.district == enterprise.district)
        .with_for_update()
    )
    if quota is None:
        message = N_("%(enterprise)s所在的%(district)s未分配「%(campaign)s」的备案名额，不能备案",
                     enterprise=enterprise.name, district=enterprise.district, campaign=campaign.title)
        raise InvalidData({"enterprise_id": message})
    used = ctx.session.scalar(
        select(func.count())
        .select_from(Filing)
        .where(
            Filing.campaign_id == campaign.id,
            Filing.district == enterprise.district,
            Filing.status.in_(QUOTA_STATUSES),
            Filing.instance_id != ctx.instance.id,
        )
    ) or 0
    if used >= quota.quota:
        message = N_("%(district)s「%(campaign)s」的备案名额（%(quota)s 个）已用完，不能再备案",
                     district=enterprise.district, campaign=campaign.title, quota=quota.quota)
        raise InvalidData({"enterprise_id": message})


@operator("filing.decide")
def record_filing_decision(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The district accepted the filing (受理备案) or returned it (退回修改)."""
    filing = _filing(ctx)
    filing.status = FILING_ACCEPTED if ctx.data["filing_decision"] == "accept" else FILING_RETURNED
    filing.decided_at = ctx.clock.now()
    return {"filing_id": filing.id, "status": filing.status}


def _filing(ctx: HandlerContext) -> Filing:
    filing = ctx.session.scalar(select(Filing).where(Filing.instance_id == ctx.instance.id))
    if filing is None:
        raise HandlerError(f"instance {ctx.instance.id} has no filing")
    return filing


# --------------------------------------------------------------------------
# Report and satisfaction (第十二条, 第八条, 第十五条(五)(七))
# --------------------------------------------------------------------------


@operator("project.report")
def record_report(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The diagnosis report as submitted (level, score, findings, 一企一策 proposals)."""
    report = ctx.session.scalar(select(DiagnosisReport).where(DiagnosisReport.instance_id == ctx.instance.id))
    if report is None:
        report = DiagnosisReport(instance_id=ctx.instance.id)
        ctx.session.add(report)
    report.level = ctx.data["report_level"]
    report.score = ctx.data["report_score"]
    report.findings = ctx.data["findings"]
    report.proposals = ctx.data["proposals"]
    report.submitted_at = ctx.clock.now()
    ctx.session.flush()
    return {"report_id": report.id}


@operator("project.satisfaction")
def record_satisfaction(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The enterprise's rating; only 非常满意 and 满意 count as 满意 (第十五条(五))."""
    survey = ctx.session.scalar(select(Satisfaction).where(Satisfaction.instance_id == ctx.instance.id))
    if survey is None:
        survey = Satisfaction(instance_id=ctx.instance.id)
        ctx.session.add(survey)
    survey.rating = ctx.data["satisfaction"]
    survey.satisfied = survey.rating in SATISFIED_RATINGS
    survey.comment = ctx.data.get("satisfaction_comment") or ""
    survey.self_assessment_done = bool(ctx.data["self_assessment_confirmed"])
    survey.rated_at = ctx.clock.now()
    ctx.session.flush()
    return {"satisfied": survey.satisfied}


# --------------------------------------------------------------------------
# Supervision and rectification (第十三条, 第十五条(六))
# --------------------------------------------------------------------------


@operator("rectification.open")
def open_rectification(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """A rectification opinion arrived (message `rectification_opened` from the sender).

    The model waits for it from the filing's acceptance until the enterprise's satisfaction
    rating. The sender must be the city bureau, the bureau of the project's district, or a
    supervisor (commissioned third party). The payload gives
    `issue`, `due_date` (YYYY-MM-DD) and optionally `supervisor_id`: the commissioned
    supervisor who verifies (a supervisor who opens an item verifies it themselves)."""
    actor = ctx.actor
    if actor.role not in RECTIFICATION_OPENERS:
        raise Forbidden(N_("只有市、区县工信主管部门或受委托的第三方机构可以提出整改意见"))
    if actor.role == "district_bureau" and actor.district != ctx.instance.district:
        raise Forbidden(N_("只能对本区县备案的诊断项目提出整改意见"))
    payload = ctx.data.get("rectification")
    payload = payload if isinstance(payload, dict) else {}
    errors: dict[str, str] = {}
    issue = payload.get("issue")
    if not isinstance(issue, str) or not issue.strip():
        errors["issue"] = N_("请填写发现的问题和整改要求")
    elif len(issue) > 2000:
        errors["issue"] = N_("最多 2000 个字符")
    due_date = payload.get("due_date")
    try:
        due = date.fromisoformat(due_date) if isinstance(due_date, str) and len(due_date) == 10 else None
    except ValueError:
        due = None
    if due is None:
        errors["due_date"] = N_("整改期限格式应为 YYYY-MM-DD")
    elif due < ctx.clock.local_now().date():
        errors["due_date"] = N_("整改期限不能早于今天")
    verifier_role, verifier_id = actor.role, actor.user_id if actor.role == "supervisor" else None
    supervisor_id = payload.get("supervisor_id")
    if supervisor_id is not None:
        supervisor = ctx.session.get(User, supervisor_id) if isinstance(supervisor_id, int) else None
        if supervisor is None or supervisor.role != "supervisor" or not supervisor.is_active:
            errors["supervisor_id"] = N_("请选择受委托的第三方机构人员")
        elif actor.role == "supervisor" and supervisor.id != actor.user_id:
            errors["supervisor_id"] = N_("第三方机构只能核实自己提出的整改意见")
        else:
            verifier_role, verifier_id = "supervisor", supervisor.id
    if errors:
        raise InvalidData(errors)

    assert due is not None and isinstance(issue, str)
    item = Rectification(
        instance_id=ctx.instance.id,
        opened_by_role=actor.role,
        opened_by_id=actor.user_id,
        verifier_role=verifier_role,
        verifier_id=verifier_id,
        issue=issue.strip(),
        due_at=end_of_day(due.isoformat()),
        status=RECTIFICATION_OPEN,
        rounds=0,
        opened_at=ctx.clock.now(),
    )
    ctx.session.add(item)
    ctx.session.flush()
    return {
        "rectification_id": item.id,
        **_display(item),
        "verifier_role": verifier_role,
        "verifier_id": verifier_id,
    }


def _display(item: Rectification) -> dict[str, Any]:
    """The item as the provider's form shows it (read-only fields)."""
    return {
        "rectification_issue": item.issue,
        "rectification_due_date": _due_date(item),
        "rectification_opener": ROLES.get(item.opened_by_role, item.opened_by_role),
    }


def _due_date(item: Rectification) -> str:
    """The date the opener gave (due_at is 24:00 of it, i.e. 00:00 of the next day)."""
    if item.due_at is None:
        return ""
    return (item.due_at.astimezone(SHANGHAI) - timedelta(days=1)).date().isoformat()


def _rectification(ctx: HandlerContext) -> Rectification:
    item = ctx.session.get(Rectification, ctx.data["rectification_id"])
    if item is None or item.instance_id != ctx.instance.id:
        raise HandlerError(f"rectification {ctx.data.get('rectification_id')} is not this project's")
    return item


@operator("rectification.respond")
def record_response(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The provider reports how it carried out the rectification (立即予以落实)."""
    item = _rectification(ctx)
    item.response = ctx.data["rectification_response"]
    item.status = RECTIFICATION_RESPONDED
    item.rounds += 1
    item.responded_at = ctx.clock.now()
    return {"status": item.status, "rounds": item.rounds}


@operator("rectification.verify")
def record_verification(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The opener (or the commissioned supervisor) accepts the response, closing the item, or
    rejects it: the provider must act again."""
    item = _rectification(ctx)
    accepted = ctx.data["verification_decision"] == "accept"
    item.verification_comment = ctx.data.get("verification_comment") or ""
    item.status = RECTIFICATION_ACCEPTED if accepted else RECTIFICATION_OPEN
    item.closed_at = ctx.clock.now() if accepted else None
    return {"status": item.status, "rounds": item.rounds}
