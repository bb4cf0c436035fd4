"""Subsidy applications (第十四条(二)–(四), 第十五条, 第十六条, 第四条): operators of the
`subsidy_application` process and its start rule.

The provider applies for completed projects of one district; the district bureau and district
finance review jointly; the city re-reviews and confirms condition (八); a panel of experts
scores; `eligibility.dmn` decides the eight conditions of 第十五条 from the facts computed
here, `tier.dmn` turns the expert average into an amount per enterprise. An eligible
application then waits for the subsidy plan: it ends when the plan pays it (`subsidy_paid`),
removes it (`plan_item_removed`) or the city revokes it (`application_revoked`, 第十六条).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import history
from engine.access import Actor
from engine.clock import SHANGHAI, Clock
from engine.errors import Conflict, Forbidden, InvalidData
from engine.i18n import N_, Text, series
from engine.models import Instance, Organisation, TaskIndexRow, User
from engine.notifications import notify
from engine.operators import HandlerContext, HandlerError
from engine.records.campaigns import Campaign
from engine.records.projects import (
    FILING_ACCEPTED,
    FILING_STATUS_LABELS,
    RECTIFICATION_ACCEPTED,
    Filing,
    Rectification,
    Satisfaction,
)
from engine.records.providers import LISTED, REMOVED, SUSPENDED, ProviderBatch, listing_of
from engine.records.subsidies import (
    CITY_REVIEW,
    DISTRICT_REVIEW,
    ELIGIBLE,
    EXPERT_REVIEW,
    PAID,
    PAYABLE,
    REJECTED,
    RETURNED,
    REVOCATION_REASONS,
    REVOKED,
    STATUS_LABELS,
    ConflictOfInterest,
    ExpertScore,
    SubsidyApplication,
    application_of_instance,
    applied_projects,
    offerable_projects,
)
from engine.records.subsidies import (
    REMOVED as APPLICATION_REMOVED,
)
from engine.roles import DISTRICTS

from . import operator, start_rule

PROCESS = "subsidy_application"
# The application materials (DOMAIN.md: Jinan's 2023 call); all are required.
MATERIALS = {
    "application_form": N_("项目资助申报书"),
    "business_licence": N_("营业执照复印件"),
    "audited_financials": N_("经审计的财务报告"),
    "diagnosis_contract": N_("诊断合同"),
    "diagnosis_report": N_("诊断报告"),
    "satisfaction_survey": N_("满意度调查表"),
    "filing_receipt": N_("备案回执"),
    "enterprise_commitment": N_("企业申报承诺书"),
    "performance_targets": N_("绩效目标表"),
}
# 第十五条: the eight conditions; eligibility.dmn must give exactly one result for each. The
# field is the read-only field of the city's re-review form that shows the result.
CONDITIONS = (
    ("（一）", "项目由市工业和信息化局确定的服务商组织实施"),
    ("（二）", "项目已向企业所属区县工信主管部门备案"),
    ("（三）", "项目实施地在济南市内"),
    ("（四）", "项目起止时间在市工业和信息化局数字化转型诊断工作的起止时间内，且已实施完成"),
    ("（五）", "企业对服务商的满意度评价为满意"),
    ("（六）", "服务商针对市、区县工信主管部门所提整改意见已落实"),
    ("（七）", "服务商指导企业完成两化融合和数字化转型自评估自诊断工作"),
    ("（八）", "满足市工业和信息化局对诊断项目资助的其他要求"),
)
CONDITION_FIELDS = ("condition_listed", "condition_filed", "condition_in_jinan", "condition_in_window",
                    "condition_satisfied", "condition_rectified", "condition_self_assessed", "condition_other")
RESULT_LABELS = {True: "符合", False: "不符合", None: "待确认"}
SATISFACTION_LABELS = {
    "very_satisfied": "非常满意",
    "satisfied": "满意",
    "neutral": "一般",
    "dissatisfied": "不满意",
    "very_dissatisfied": "非常不满意",
}
DEFAULT_EXPERTS = 3
# 《奖补政策实施细则》第四条: at most 50,000 yuan per diagnosed enterprise, whatever tier.dmn says.
CAP_PER_ENTERPRISE_FEN = 50_000 * 100
DEPARTMENTS = (("bureau", N_("区县工信主管部门")), ("finance", N_("区县财政部门")))


# --------------------------------------------------------------------------
# The provider's projects
# --------------------------------------------------------------------------


@dataclass
class Project:
    """One diagnosis project of an application, with the records the conditions look at."""

    instance: Instance
    filing: Filing | None
    enterprise: Organisation | None
    campaign: Campaign | None
    satisfaction: Satisfaction | None
    open_rectifications: int
    rectifications: int

    @property
    def label(self) -> str:
        name = f"（{self.enterprise.name}）" if self.enterprise is not None else ""
        return f"项目 {self.instance.business_key}{name}"


def _local_date(instance: Instance) -> date:
    assert instance.completed_at is not None
    return instance.completed_at.astimezone(SHANGHAI).date()


def _projects(session: Session, application: SubsidyApplication) -> list[Project]:
    projects = []
    for project_id in application.project_instance_ids:
        instance = session.get(Instance, project_id)
        if instance is None:
            raise HandlerError(f"application {application.id} names project instance {project_id}, which is missing")
        filing = session.scalar(select(Filing).where(Filing.instance_id == instance.id))
        counts = session.execute(
            select(Rectification.status, func.count()).where(Rectification.instance_id == instance.id)
            .group_by(Rectification.status)
        ).all()
        projects.append(
            Project(
                instance=instance,
                filing=filing,
                enterprise=session.get(Organisation, filing.enterprise_org_id) if filing else None,
                campaign=session.get(Campaign, filing.campaign_id) if filing and filing.campaign_id else None,
                satisfaction=session.scalar(select(Satisfaction).where(Satisfaction.instance_id == instance.id)),
                open_rectifications=sum(n for status, n in counts if status != RECTIFICATION_ACCEPTED),
                rectifications=sum(n for _, n in counts),
            )
        )
    return projects


@start_rule(PROCESS)
def provider_with_completed_projects(session: Session, actor: Actor, _clock: Clock) -> None:
    """A provider applies for its own completed projects; without any there is nothing to apply for."""
    organisation = session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    if organisation is None or organisation.kind != "provider":
        raise Forbidden(N_("不是服务商单位，不能申请诊断项目资助"))
    if not offerable_projects(session, organisation.id, None):
        raise Conflict(N_("本单位没有可申报资助的诊断项目：诊断项目须属本期诊断工作、已实施完成，"
                          "且未在其他资助申请中申报"))


# --------------------------------------------------------------------------
# Application (第十四条(二))
# --------------------------------------------------------------------------


@operator("subsidy.offer_projects")
def offer_projects(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The projects the provider may choose from when the application form opens (the form
    offers the same list, `x-options: my_completed_projects`), kept in the data as offered."""
    projects = offerable_projects(ctx.session, _provider(ctx).id, ctx.instance.id)
    return {"projects": projects, "count": len(projects)}


def _provider(ctx: HandlerContext, lock: bool = False) -> Organisation:
    query = select(Organisation).where(Organisation.id == ctx.instance.provider_org_id)
    organisation = ctx.session.scalar(query.with_for_update() if lock else query)
    if organisation is None or organisation.kind != "provider":
        raise HandlerError(f"instance {ctx.instance.id} belongs to no provider organisation")
    return organisation


@operator("subsidy.record_application")
def record_application(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Check the chosen projects and write the application (status district_review) in the
    district where they were filed; the instance moves to that district.

    The form offered the provider's own completed projects of the current campaign and refused
    anything else; with the provider's organisation row locked the choice is checked again
    against the same list, so two applications of one provider cannot both take a project.
    InvalidData on the field when a project is no longer offered (applied for meanwhile), the
    projects were filed in different districts, or materials are missing."""
    data = ctx.data
    provider = _provider(ctx, lock=True)
    offered = {p["instance_id"]: p for p in offerable_projects(ctx.session, provider.id, ctx.instance.id)}
    errors: dict[str, str] = {}
    chosen: list[tuple[str, Instance, Filing]] = []
    for project_id in data["projects"]:
        if project_id not in offered:
            taken = applied_projects(ctx.session, provider.id, ctx.instance.id).get(project_id)
            errors["projects"] = (N_("所选项目已在资助申请 %(application)s 中申报，不能重复申报", application=taken)
                                  if taken else N_("所选项目不是本单位本期可申报的已完成诊断项目，请重新勾选"))
            continue
        instance = ctx.session.get(Instance, project_id)
        filing = ctx.session.scalar(select(Filing).where(Filing.instance_id == project_id))
        chosen.append((offered[project_id]["business_key"], instance, filing))
    districts = sorted({filing.district for _, _, filing in chosen})
    if len(districts) > 1 and not errors:
        where = [N_("%(business_key)s 在%(district)s备案", business_key=key, district=filing.district)
                 for key, _, filing in chosen]
        errors["projects"] = N_("一次申报的项目须在同一区县备案（%(filings)s），请按区县分别申报", filings=where)
    missing = [label for key, label in MATERIALS.items() if key not in data["materials"]]
    if missing:
        errors["materials"] = N_("请提交全部申报材料，尚缺：%(materials)s", materials=series(missing))
    if errors:
        raise InvalidData(errors)

    application = application_of_instance(ctx.session, ctx.instance.id, lock=True)
    before = application.status if application else None
    if application is None:
        application = SubsidyApplication(instance_id=ctx.instance.id, year=ctx.clock.local_now().year)
        ctx.session.add(application)
    application.provider_org_id = provider.id
    application.district = districts[0]
    application.project_instance_ids = [instance.id for _, instance, _ in chosen]
    application.materials = [key for key in MATERIALS if key in data["materials"]]
    application.status = DISTRICT_REVIEW
    application.eligibility = []
    application.district_opinions = {}
    application.rejection_reason = None
    application.submitted_at = ctx.clock.now()
    application.decided_at = None
    ctx.instance.district = application.district
    ctx.instance.provider_org_id = provider.id
    ctx.session.flush()
    _audit(ctx, application, before)
    enterprises = {filing.enterprise_org_id for _, _, filing in chosen}
    return {
        "application_id": application.id,
        "year": application.year,
        "district": application.district,
        "project_keys": [key for key, _, _ in chosen],
        "project_count": len(chosen),
        "enterprise_count": len(enterprises),
    }


def _application(ctx: HandlerContext, lock: bool = False) -> SubsidyApplication:
    application = application_of_instance(ctx.session, ctx.instance.id, lock=lock)
    if application is None:
        raise HandlerError(f"instance {ctx.instance.id} has no subsidy application")
    return application


# --------------------------------------------------------------------------
# District review, jointly by the district bureau and district finance (第十四条(三))
# --------------------------------------------------------------------------


@operator("subsidy.record_department_review")
def record_department_review(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """One department's decision (parameter `department`: bureau or finance), recorded when it is
    given: the two parallel branches' data cannot be trusted to merge at the join."""
    department = params.get("department")
    if department not in dict(DEPARTMENTS):
        raise HandlerError(f"unknown district department {department!r}")
    application = _application(ctx, lock=True)
    opinion = {
        "decision": ctx.data[f"{department}_decision"],
        "comment": (ctx.data.get(f"{department}_comment") or "").strip(),
        "user_id": ctx.actor.user_id,
        "at": ctx.clock.now().isoformat(),
    }
    application.district_opinions = {**(application.district_opinions or {}), department: opinion}
    return {"decision": opinion["decision"]}


@operator("subsidy.record_district_review")
def record_district_review(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Combine the two departments' decisions (as recorded): any rejection ends the application
    (rejected, with the rejecting departments' reasons); otherwise any return sends it back to the
    provider with both opinions; only when both approve is it reported jointly to the city."""
    application = _application(ctx, lock=True)
    opinions = application.district_opinions or {}
    missing = [key for key, _ in DEPARTMENTS if key not in opinions]
    if missing:
        raise HandlerError(f"application {application.id} lacks the district opinions of {missing}")
    decisions = {label: (opinions[key]["decision"], opinions[key]["comment"]) for key, label in DEPARTMENTS}
    if any(decision == "reject" for decision, _ in decisions.values()):
        outcome = "reject"
    elif any(decision == "return" for decision, _ in decisions.values()):
        outcome = "return"
    else:
        outcome = "approve"
    said = [N_("%(department)s：%(comment)s", department=label, comment=comment or N_("同意"))
            for label, (_, comment) in decisions.items()]
    business_key = ctx.instance.business_key
    before = application.status
    if outcome == "approve":
        application.status = CITY_REVIEW
    elif outcome == "return":
        application.status = RETURNED
        _notify_provider(ctx, application, N_("资助申请 %(business_key)s 被区县退回修改：%(opinions)s",
                                              business_key=business_key, opinions=said))
    else:
        application.status = REJECTED
        reason = N_("区县初审不予通过：%(opinions)s", opinions=[
            N_("%(department)s：%(comment)s", department=label, comment=comment)
            for label, (decision, comment) in decisions.items() if decision == "reject"
        ])
        application.rejection_reason = reason
        application.decided_at = ctx.clock.now()
        _notify_provider(ctx, application, N_("资助申请 %(business_key)s %(reason)s",
                                              business_key=business_key, reason=reason))
    _audit(ctx, application, before, application.rejection_reason if outcome == "reject" else None)
    return {
        "outcome": outcome,
        "opinion": "；".join(said),
        "status": application.status,
        **{f"{key}_decision": opinions[key]["decision"] for key, _ in DEPARTMENTS},
        **{f"{key}_comment": opinions[key]["comment"] or None for key, _ in DEPARTMENTS},
    }


# --------------------------------------------------------------------------
# 第十五条: the facts for eligibility.dmn, and its results
# --------------------------------------------------------------------------


@operator("subsidy.eligibility_facts")
def eligibility_facts(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Per condition of 第十五条 a fact (True/False; （八） None until the city has decided) and a
    detail in Chinese naming what was found, from the records at this moment."""
    application = _application(ctx)
    projects = _projects(ctx.session, application)
    facts: dict[str, Any] = {}
    facts["provider_listed"], facts["provider_detail"] = _listed(ctx.session, application.provider_org_id)
    facts["filings_accepted"], facts["filing_detail"] = _filed(projects, application.district)
    facts["in_jinan"], facts["location_detail"] = _in_jinan(projects)
    facts["within_window"], facts["window_detail"] = _within_window(projects)
    facts["satisfied"], facts["satisfaction_detail"] = _satisfied(projects)
    facts["rectified"], facts["rectification_detail"] = _rectified(projects)
    facts["self_assessed"], facts["self_assessment_detail"] = _self_assessed(projects)
    met = ctx.data.get("other_requirements_met") if ctx.data.get("city_decision") == "accept" else None
    note = (ctx.data.get("other_requirements_note") or "").strip() if met is not None else ""
    facts["other_requirements"] = met if isinstance(met, bool) else None
    facts["other_requirements_detail"] = f"（{note}）" if note else ""
    return facts


def _listed(session: Session, provider_org_id: int) -> tuple[bool, str]:
    organisation = session.get(Organisation, provider_org_id)
    name = f"「{organisation.name}」" if organisation else f"单位 {provider_org_id}"
    listing = listing_of(session, provider_org_id)
    if listing is not None and listing.status == LISTED:
        batch = session.get(ProviderBatch, listing.batch_id) if listing.batch_id else None
        return True, f"服务商{name}在服务商名单内" + (f"（{batch.name}）" if batch else "")
    reason = f"，原因：{listing.reason}" if listing is not None and listing.reason else ""
    if listing is None or listing.status not in (SUSPENDED, REMOVED):
        return False, f"服务商{name}未列入服务商名单"
    state = "已被暂停" if listing.status == SUSPENDED else "已被移出名单"
    return False, f"服务商{name}{state}{reason}"


def _all_or_failing(failing: list[str], passed: str) -> tuple[bool, str]:
    """Passed with the `passed` text, or failed naming every failing project."""
    return (not failing, "；".join(failing) if failing else passed)


def _filed(projects: list[Project], district: str | None) -> tuple[bool, str]:
    failing = []
    for project in projects:
        filing = project.filing
        if filing is None:
            failing.append(f"{project.label}没有备案记录")
        elif filing.status != FILING_ACCEPTED:
            failing.append(f"{project.label}的备案状态为「{FILING_STATUS_LABELS.get(filing.status, filing.status)}」")
        elif filing.district != district:
            failing.append(f"{project.label}在{filing.district}备案，与申报区县{district}不一致")
    keys = "、".join(p.instance.business_key or "" for p in projects)
    both = "均" if len(projects) > 1 else ""
    return _all_or_failing(failing, f"项目 {keys} {both}已向{district}工信主管部门备案并被受理")


def _in_jinan(projects: list[Project]) -> tuple[bool, str]:
    failing = []
    for project in projects:
        places = {p for p in (project.filing.district if project.filing else None,
                              project.enterprise.district if project.enterprise else None)}
        outside = sorted(p or "未登记" for p in places if p not in DISTRICTS)
        if outside:
            failing.append(f"{project.label}的企业所在地为{'、'.join(outside)}")
    where = "、".join(sorted({p.filing.district for p in projects if p.filing}))
    return _all_or_failing(failing, f"项目企业所在区县为{where}")


def _within_window(projects: list[Project]) -> tuple[bool, str]:
    """Contract date (the project's start) and completion date within the campaign window."""
    failing = []
    for project in projects:
        campaign = project.campaign
        if project.instance.status != "completed" or project.instance.completed_at is None:
            failing.append(f"{project.label}尚未实施完成")
        elif project.filing is None or campaign is None:
            failing.append(f"{project.label}未关联诊断工作启动通知，无法核对起止时间")
        else:
            started, finished = project.filing.contract_date, _local_date(project.instance).isoformat()
            window = f"诊断工作起止时间{campaign.window_start}至{campaign.window_end}"
            if started < campaign.window_start:
                failing.append(f"{project.label}合同签订日期{started}早于{window}")
            if finished > campaign.window_end:
                failing.append(f"{project.label}完成日期{finished}晚于{window}")
    windows = "、".join(sorted({f"{p.campaign.window_start}至{p.campaign.window_end}" for p in projects if p.campaign}))
    return _all_or_failing(failing, f"各项目合同签订和实施完成日期均在诊断工作起止时间（{windows}）内")


def _satisfied(projects: list[Project]) -> tuple[bool, str]:
    failing = []
    ratings = []
    for project in projects:
        survey = project.satisfaction
        if survey is None:
            failing.append(f"{project.label}尚无企业满意度评价")
            continue
        rating = SATISFACTION_LABELS.get(survey.rating, survey.rating)
        ratings.append(rating)
        if not survey.satisfied:
            failing.append(f"{project.label}企业满意度评价为「{rating}」")
    shown = "、".join(f"「{r}」" for r in sorted(set(ratings)))
    return _all_or_failing(failing, f"各项目企业满意度评价为{shown}")


def _rectified(projects: list[Project]) -> tuple[bool, str]:
    failing = [f"{p.label}有 {p.open_rectifications} 项整改意见未落实" for p in projects if p.open_rectifications]
    total = sum(p.rectifications for p in projects)
    passed = f"{total} 项整改意见均已落实并经核实" if total else "各项目无市、区县工信主管部门提出的整改意见"
    return _all_or_failing(failing, passed)


def _self_assessed(projects: list[Project]) -> tuple[bool, str]:
    failing = [
        f"{p.label}企业未确认已完成自评估自诊断"
        for p in projects
        if p.satisfaction is None or not p.satisfaction.self_assessment_done
    ]
    return _all_or_failing(failing, "各项目企业均确认已在服务商指导下完成两化融合和数字化转型自评估自诊断")


def _decided_conditions(ctx: HandlerContext) -> list[dict[str, Any]]:
    """The eight conditions as eligibility.dmn decided them (COLLECT: parallel lists of
    condition, passed, reason). Each condition must have exactly one result: a table the process
    owner edited into gaps or overlaps is an incident, never a silent pass."""
    columns = [ctx.data.get(key) for key in ("eligibility_condition", "eligibility_passed", "eligibility_reason")]
    if not all(isinstance(column, list) for column in columns) or len({len(column) for column in columns}) != 1:
        raise HandlerError(N_("资格条件决策表 eligibility.dmn 没有给出结论（eligibility_condition、"
                              "eligibility_passed、eligibility_reason 应为等长列表）"))
    results: dict[str, list[tuple[Any, Any]]] = defaultdict(list)
    for condition, passed, reason in zip(*columns, strict=True):
        results[condition].append((passed, reason))
    problems = [N_("%(condition)s命中 %(count)s 条规则", condition=key, count=len(results.get(key, [])))
                for key, _ in CONDITIONS if len(results.get(key, [])) != 1]
    unknown = sorted(set(results) - {key for key, _ in CONDITIONS})
    if unknown:
        problems.append(N_("未知条件 %(conditions)s", conditions="、".join(map(str, unknown))))
    if problems:
        raise HandlerError(N_("资格条件决策表 eligibility.dmn 必须对第十五条每项条件恰好给出一个结论：%(problems)s",
                              problems=problems))
    conditions = []
    for key, title in CONDITIONS:
        passed, reason = results[key][0]
        conditions.append({"condition": key, "title": title, "passed": passed if passed in (True, False) else None,
                           "reason": str(reason)})
    return conditions


def _shown(conditions: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The conditions as the city's re-review form shows them (one read-only field each, see
    CONDITION_FIELDS) and as one line each (summary)."""
    display = {
        field: f"{RESULT_LABELS[c['passed']]}：{c['reason']}"
        for field, c in zip(CONDITION_FIELDS, conditions, strict=True)
    }
    summary = [f"{c['condition']}{c['title']}：{RESULT_LABELS[c['passed']]}。{c['reason']}" for c in conditions]
    return {"display": display, "summary": summary}


@operator("subsidy.record_eligibility")
def record_eligibility(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The check before the city's re-review: （一）–（七） decided, （八） pending."""
    application = _application(ctx, lock=True)
    conditions = _decided_conditions(ctx)
    application.eligibility = conditions
    failing = [c["condition"] for c in conditions if c["passed"] is False]
    return {**_shown(conditions), "failing": failing}


# --------------------------------------------------------------------------
# City re-review (第十四条(四)) and the expert panel
# --------------------------------------------------------------------------


@operator("subsidy.record_city_review")
def record_city_review(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Accept for expert review (with the number of experts), return to the district, or reject."""
    application = _application(ctx, lock=True)
    decision = ctx.data["city_decision"]
    comment = (ctx.data.get("city_comment") or "").strip()
    before = application.status
    if decision == "accept":
        application.status = EXPERT_REVIEW
        application.expert_count = ctx.data.get("expert_count") or DEFAULT_EXPERTS
    elif decision == "return":
        application.status = DISTRICT_REVIEW
        application.district_opinions = {}
        for role in ("district_bureau", "district_finance"):
            notify(ctx.session, ctx.clock, "correction",
                   N_("资助申请 %(business_key)s 被市级复核退回：%(comment)s",
                      business_key=ctx.instance.business_key, comment=comment), role=role,
                   district=application.district, instance_id=ctx.instance.id, link=f"/instances/{ctx.instance.id}")
    elif decision == "reject":
        application.status = REJECTED
        reason = N_("市级复核不予通过：%(comment)s", comment=comment)
        application.rejection_reason = reason
        application.decided_at = ctx.clock.now()
        _notify_provider(ctx, application, N_("资助申请 %(business_key)s %(reason)s",
                                              business_key=ctx.instance.business_key, reason=reason))
    else:
        raise HandlerError(f"unknown city decision {decision!r}")
    _audit(ctx, application, before, comment or None)
    return {"decision": decision, "status": application.status, "expert_count": application.expert_count}


def _experts_available(session: Session, application: SubsidyApplication, exclude: set[int]) -> list[User]:
    """Active experts who may review the application, least busy first (open expert tasks), then
    by id. Excluded: experts who declared a conflict with the provider or with an enterprise of the
    projects, experts belonging to one of those organisations, and `exclude`."""
    organisations = {application.provider_org_id} | {
        filing.enterprise_org_id
        for filing in session.scalars(select(Filing).where(Filing.instance_id.in_(application.project_instance_ids)))
    }
    conflicted = set(session.scalars(
        select(ConflictOfInterest.expert_id).where(ConflictOfInterest.organisation_id.in_(organisations))
    ))
    load = dict(session.execute(
        select(TaskIndexRow.assignee_id, func.count())
        .where(TaskIndexRow.role == "expert", TaskIndexRow.assignee_id.is_not(None))
        .group_by(TaskIndexRow.assignee_id)
    ).all())
    experts = [
        user
        for user in session.scalars(select(User).where(User.role == "expert", User.is_active.is_(True)))
        if user.id not in conflicted and user.id not in exclude and user.organisation_id not in organisations
    ]
    return sorted(experts, key=lambda user: (load.get(user.id, 0), user.id))


@operator("subsidy.select_experts")
def select_experts(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Choose the panel: `expert_count` experts by the rules of `_experts_available`; fewer
    available is an incident (the city adds experts or lowers the number, then retries)."""
    application = _application(ctx)
    wanted = application.expert_count or DEFAULT_EXPERTS
    available = _experts_available(ctx.session, application, set())
    if len(available) < wanted:
        raise HandlerError(N_(
            "可评审资助申请 %(business_key)s 的专家不足：需要 %(wanted)s 名，排除与服务商或项目企业有利害关系"
            "（已声明回避或属于该单位）的专家后只有 %(available)s 名。请增加评审专家后重试。",
            business_key=ctx.instance.business_key, wanted=wanted, available=len(available),
        ))
    panel = available[:wanted]
    history.record(ctx.session, ctx.clock, ctx.actor, "experts_selected", ctx.instance.id, None, ctx.element_id,
                   application_id=application.id, expert_ids=[user.id for user in panel])
    return {"expert_ids": [user.id for user in panel], "expert_count": wanted}


@operator("subsidy.record_score")
def record_score(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """One expert's result: a score (0–100, at most two decimals) with a comment, or a declared
    conflict of interest. A conflict is recorded for the provider (the expert never reviews its
    applications again) and the next available expert takes the expert's place at once."""
    application = _application(ctx, lock=True)
    expert_id = ctx.data["expert_id"]
    if ctx.actor.user_id != expert_id:
        raise HandlerError(f"task of expert {expert_id} completed by user {ctx.actor.user_id}")
    if ctx.data["expert_decision"] == "score":
        score = Decimal(str(ctx.data["score"]))
        if score.as_tuple().exponent < -2:  # type: ignore[operator]
            raise InvalidData({"score": N_("评审得分最多保留两位小数")})
        row = ctx.session.scalar(
            select(ExpertScore).where(ExpertScore.application_id == application.id, ExpertScore.expert_id == expert_id)
        )
        if row is None:
            row = ExpertScore(application_id=application.id, expert_id=expert_id)
            ctx.session.add(row)
        row.score = float(score)
        row.comment = ctx.data["score_comment"].strip()
        row.scored_at = ctx.clock.now()
        ctx.session.flush()
        return {"expert_id": expert_id, "replaced": False, "score": float(score)}

    reason = ctx.data["conflict_reason"].strip()
    declared = ctx.session.scalar(
        select(ConflictOfInterest).where(
            ConflictOfInterest.expert_id == expert_id,
            ConflictOfInterest.organisation_id == application.provider_org_id,
        )
    )
    if declared is None:
        ctx.session.add(ConflictOfInterest(expert_id=expert_id, organisation_id=application.provider_org_id,
                                           reason=reason[:500], declared_at=ctx.clock.now()))
        ctx.session.flush()
    scored = set(ctx.session.scalars(select(ExpertScore.expert_id).where(ExpertScore.application_id == application.id)))
    on_panel = scored | {int(user) for user in (ctx.instance.assignments or {}).values()} | {expert_id}
    available = _experts_available(ctx.session, application, on_panel)
    if not available:
        raise HandlerError(N_(
            "评审专家 %(expert_id)s 声明回避（%(reason)s），没有可替换的专家评审资助申请 %(business_key)s："
            "请增加评审专家后重试。",
            expert_id=expert_id, reason=reason, business_key=ctx.instance.business_key,
        ))
    replacement = available[0]
    history.record(ctx.session, ctx.clock, ctx.actor, "expert_replaced", ctx.instance.id, None, ctx.element_id,
                   application_id=application.id, declined_expert_id=expert_id, expert_id=replacement.id,
                   reason=reason)
    return {"expert_id": replacement.id, "replaced": True, "declined_expert_id": expert_id}


@operator("subsidy.expert_average")
def expert_average(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The panel's average score, rounded half up to two decimals (the value tier.dmn decides on)."""
    application = _application(ctx, lock=True)
    scores = [Decimal(str(s)) for s in ctx.session.scalars(
        select(ExpertScore.score).where(ExpertScore.application_id == application.id)
    )]
    wanted = application.expert_count or DEFAULT_EXPERTS
    if len(scores) != wanted:
        raise HandlerError(f"application {application.id} has {len(scores)} expert scores, expected {wanted}")
    average = (sum(scores) / len(scores)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    application.expert_average = float(average)
    return {"average": float(average), "scores": len(scores)}


# --------------------------------------------------------------------------
# The result (第十五条 and 第四条)
# --------------------------------------------------------------------------


@operator("subsidy.record_result")
def record_result(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Eligible (all eight conditions met and an amount above 0) or rejected with the reasons.

    The amount is tier.dmn's amount per enterprise (integer fen, like every amount in task data),
    at most 50,000 yuan per enterprise, summed over the application's enterprises."""
    application = _application(ctx, lock=True)
    conditions = _decided_conditions(ctx)
    per_enterprise = int(ctx.data["tier_amount_fen"])
    filings = ctx.session.scalars(select(Filing).where(Filing.instance_id.in_(application.project_instance_ids)))
    enterprises = Counter(filing.enterprise_org_id for filing in filings)
    amount_fen = sum(min(per_enterprise * projects, CAP_PER_ENTERPRISE_FEN) for projects in enterprises.values())
    failing = [c for c in conditions if c["passed"] is not True]
    before = application.status
    reasons: list[str] = [f"{c['condition']}{c['reason']}" for c in failing]
    if not failing and amount_fen <= 0:
        reasons = [N_("专家评审平均分 %(average)s 分，%(tier)s",
                      average=application.expert_average, tier=ctx.data["tier_label"])]
    application.eligibility = conditions
    application.decided_at = ctx.clock.now()
    business_key = ctx.instance.business_key
    if reasons:
        application.status = REJECTED
        application.amount_fen = 0
        reason = N_("不符合第十五条资助条件：%(reasons)s", reasons=reasons) if failing else reasons[0]
        application.rejection_reason = reason[:2000]
        _notify_provider(ctx, application, N_("资助申请 %(business_key)s 未通过：%(reason)s",
                                              business_key=business_key, reason=reason))
    else:
        application.status = ELIGIBLE
        application.amount_fen = amount_fen
        application.rejection_reason = None
        _notify_provider(ctx, application, N_("资助申请 %(business_key)s 符合资助条件，拟资助 %(amount)s 元，"
                                              "待列入资助计划", business_key=business_key,
                                              amount=format(amount_fen / 100, ",.2f")))
    _audit(ctx, application, before, application.rejection_reason)
    return {
        **_shown(conditions),
        "status": application.status,
        "amount_fen": application.amount_fen,
        "enterprise_count": len(enterprises),
        "tier_label": ctx.data["tier_label"],
        "expert_average": application.expert_average,
        "reasons": [str(reason) for reason in reasons],
    }


# --------------------------------------------------------------------------
# Waiting for disbursement: paid, removed (by the subsidy plan) or revoked (第十六条)
# --------------------------------------------------------------------------


def _confirm(ctx: HandlerContext, expected: str, what: Text) -> dict[str, Any]:
    """The plan changed the status before it sent the message; a message alone changes nothing."""
    application = _application(ctx, lock=True)
    if application.status != expected:
        current = STATUS_LABELS.get(application.status, application.status)
        raise Conflict(N_("资助申请当前状态为「%(status)s」，%(action)s须由资助计划登记后再通知本流程",
                          status=current, action=what))
    return {"status": application.status, "amount_fen": application.amount_fen}


@operator("subsidy.confirm_paid")
def confirm_paid(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """`subsidy_paid` arrived: the plan's payment handler has set the status to paid; the
    provider is told the amount (the last step of 第十四条（七）)."""
    confirmed = _confirm(ctx, PAID, N_("拨付"))
    application = _application(ctx)
    _notify_provider(ctx, application, N_("资助申请 %(business_key)s 的资助资金 %(amount)s 元"
                                          "已由%(district)s财政部门拨付", business_key=ctx.instance.business_key,
                                          amount=format(application.amount_fen / 100, ",.2f"),
                                          district=application.district))
    return confirmed


@operator("subsidy.confirm_removed")
def confirm_removed(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """`plan_item_removed` arrived: an upheld objection removed the item from the plan."""
    return _confirm(ctx, APPLICATION_REMOVED, N_("移出资助计划"))


@operator("subsidy.revoke")
def revoke(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """第十六条: the city revokes the application before payment (message `application_revoked`
    with {"reason_code": "abnormal_operation" | "false_materials" | "other", "reason": "..."}).

    The row is locked, so a payment that runs at the same time either finishes first (then this
    is refused) or sees the application revoked and pays nothing. Refusals are Conflict or
    InvalidData: the delivery rolls back, the sender sees why, and the instance keeps waiting."""
    if ctx.actor.role != "city_bureau":
        raise Forbidden(N_("只有市工业和信息化局可以撤销诊断项目资助（第十六条）"))
    payload = ctx.data.get("revocation")
    payload = payload if isinstance(payload, dict) else {}
    code = payload.get("reason_code")
    reason = payload.get("reason")
    errors = {}
    if code not in REVOCATION_REASONS:
        errors["reason_code"] = N_("撤销情形须为 %(codes)s 之一", codes="、".join(REVOCATION_REASONS))
    if not isinstance(reason, str) or not reason.strip():
        errors["reason"] = N_("请写明撤销理由")
    elif len(reason.strip()) > 500:
        errors["reason"] = N_("撤销理由最多 500 字")
    if errors:
        raise InvalidData(errors)
    application = _application(ctx, lock=True)
    if application.status == PAID:
        raise Conflict(N_("资助资金已拨付，不能撤销；以弄虚作假方式骗取资助资金的，按第十七条收回"))
    if application.status not in PAYABLE:
        current = STATUS_LABELS.get(application.status, application.status)
        raise Conflict(N_("资助申请当前状态为「%(status)s」，不能撤销", status=current))
    before = application.status
    application.status = REVOKED
    application.revocation_code = code
    application.revocation_reason = reason.strip()
    application.revoked_at = ctx.clock.now()
    _notify_provider(ctx, application, N_("资助申请 %(business_key)s 已被市工业和信息化局撤销，终止资金拨付："
                                          "%(reason_label)s。%(reason)s", business_key=ctx.instance.business_key,
                                          reason_label=REVOCATION_REASONS[code], reason=application.revocation_reason))
    _audit(ctx, application, before, application.revocation_reason)
    return {"status": REVOKED, "reason_code": code, "reason": application.revocation_reason}


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _notify_provider(ctx: HandlerContext, application: SubsidyApplication, title: Text) -> None:
    notify(ctx.session, ctx.clock, "subsidy", title, role="provider", organisation_id=application.provider_org_id,
           instance_id=ctx.instance.id, link=f"/instances/{ctx.instance.id}")


def _audit(ctx: HandlerContext, application: SubsidyApplication, before: str | None, reason: str | None = None) -> None:
    """One audit event per status change of an application, besides the task's own events."""
    history.record(
        ctx.session, ctx.clock, ctx.actor, "subsidy_status_changed", ctx.instance.id, None, ctx.element_id,
        application_id=application.id, status_before=before, status_after=application.status, reason=reason,
    )
