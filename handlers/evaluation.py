"""The year's performance evaluation (第三条 绩效评价; 第五条: the city bureau with city finance):
the operators of `performance_evaluation`.

Every figure is computed from the records, never typed in: projects filed and completed,
enterprises diagnosed, by district; applications; money planned, paid and recovered;
satisfaction; rectifications; and the working days each stage took, from the audit events'
times and the working-day calendar. A figure whose table does not exist yet is reported as not
available instead of failing the evaluation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from statistics import mean
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.calendar import load_calendar
from engine.errors import InvalidData
from engine.i18n import N_
from engine.models import AuditEvent, Instance
from engine.operators import HandlerContext, HandlerError
from engine.records.campaigns import Campaign
from engine.records.projects import FILING_ACCEPTED, RECTIFICATION_ACCEPTED, Filing, Rectification, Satisfaction
from engine.records.ratings import (
    EVALUATION_COMPUTED,
    EVALUATION_FINAL,
    EVALUATION_RETURNED,
    EVALUATION_WRITTEN,
    Evaluation,
)
from engine.records.subsidies import SubsidyApplication
from engine.roles import DISTRICTS
from engine.workdays import CalendarFunctions

from . import operator
from .ratings import PROJECT_PROCESS, year_window

try:  # the subsidy plan's tables (another area); figures that need them say so when missing
    from engine.records import plans
except ImportError:  # pragma: no cover - only while the plan's records do not exist
    plans = None  # type: ignore[assignment]

ELIGIBLE_STATUSES = ("eligible", "planned", "paid")
PLANNED_ITEM_STATUSES = ("planned", "paid")
NOT_AVAILABLE = "不可用"
PROJECT_STAGES = (
    ("filing_to_acceptance", "备案至受理", "服务商首次提交备案（填报诊断合同备案）至区县受理备案"),
    ("acceptance_to_report", "受理至提交诊断报告", "区县受理备案至服务商提交诊断报告"),
    ("report_to_satisfaction", "提交报告至满意度评价", "服务商提交诊断报告至企业确认自评估并评价满意度"),
)


# --------------------------------------------------------------------------
# Figures (plain values: a figure is a dict that says what it is and how it was obtained)
# --------------------------------------------------------------------------


def figure(key: str, label: str, value: Any, unit: str, basis: str, text: str | None = None) -> dict[str, Any]:
    shown = text if text is not None else f"{value} {unit}".strip()
    return {"key": key, "label": label, "value": value, "unit": unit, "available": True, "basis": basis,
            "text": f"{label}：{shown}"}


def unavailable(key: str, label: str, reason: str) -> dict[str, Any]:
    return {"key": key, "label": label, "value": None, "unit": "", "available": False, "basis": reason,
            "text": f"{label}：{NOT_AVAILABLE}（{reason}）"}


def money_text(fen: int) -> str:
    return f"{fen / 100:,.2f} 元"


def stage(key: str, label: str, days: list[int], what: str, basis: str) -> dict[str, Any]:
    """The average working days of a stage over the items where both ends are known."""
    if not days:
        return {"key": key, "label": label, "average": None, "count": 0, "available": True, "basis": basis,
                "text": f"{label}：本年度没有可计算的{what}"}
    average = round(float(mean(days)), 1)
    return {"key": key, "label": label, "average": average, "count": len(days), "available": True, "basis": basis,
            "text": f"{label}：平均 {average} 个工作日（{len(days)} 个{what}）"}


def calendar_of(session: Session) -> CalendarFunctions:
    """The working-day calendar as stored, read in the handler's own transaction."""
    return CalendarFunctions(load_calendar(session))


def _district_order(district: str) -> tuple[int, str]:
    """Districts in the city's official order, unknown ones last."""
    return (DISTRICTS.index(district) if district in DISTRICTS else len(DISTRICTS), district)


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def project_figures(session: Session, year: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[int]]:
    """Projects filed (the year's campaign, or filed in the year without one), accepted and
    completed (diagnosis_project instances completed in the year), distinct enterprises diagnosed,
    and the same by district; also the filed projects' instance ids."""
    start, end = year_window(year)
    filings = session.execute(
        select(Filing.instance_id, Filing.district, Filing.status)
        .outerjoin(Campaign, Campaign.id == Filing.campaign_id)
        .where(or_(Campaign.year == year,
                   and_(Filing.campaign_id.is_(None), Filing.filed_at >= start, Filing.filed_at < end)))
    ).all()
    completed = session.execute(
        select(Instance.id, Instance.district, Instance.enterprise_org_id).where(
            Instance.process_id == PROJECT_PROCESS, Instance.status == "completed",
            Instance.completed_at >= start, Instance.completed_at < end)
    ).all()
    by_district: dict[str, dict[str, Any]] = defaultdict(lambda: {"filed": 0, "accepted": 0, "completed": 0,
                                                                  "enterprises": set()})
    for _, district, status in filings:
        by_district[district or "未知区县"]["filed"] += 1
        by_district[district or "未知区县"]["accepted"] += int(status == FILING_ACCEPTED)
    for _, district, enterprise in completed:
        by_district[district or "未知区县"]["completed"] += 1
        by_district[district or "未知区县"]["enterprises"].add(enterprise)
    enterprises = {enterprise for _, _, enterprise in completed if enterprise is not None}
    accepted = sum(1 for _, _, status in filings if status == FILING_ACCEPTED)
    items = [
        figure("projects_filed", "备案项目数", len(filings), "个", "本年度诊断工作（启动通知）中备案的诊断项目"),
        figure("projects_accepted", "区县受理备案项目数", accepted, "个", "上述备案中已被区县受理的"),
        figure("projects_completed", "完成诊断项目数", len(completed), "个",
               "本年度内完成（企业已评价满意度）的诊断项目"),
        figure("enterprises_diagnosed", "完成诊断企业数（去重）", len(enterprises), "家",
               "完成诊断项目的企业，同一企业只计一次"),
    ]
    districts = [
        {"district": name, "filed": row["filed"], "accepted": row["accepted"], "completed": row["completed"],
         "enterprises": len(row["enterprises"] - {None}),
         "text": f"{name}：备案 {row['filed']} 个，受理 {row['accepted']} 个，完成 {row['completed']} 个，"
                 f"诊断企业 {len(row['enterprises'] - {None})} 家"}
        for name, row in sorted(by_district.items(), key=lambda item: _district_order(item[0]))
    ]
    return items, districts, [instance_id for instance_id, _, _ in filings]


def quality_figures(session: Session, year: int, now: datetime) -> list[dict[str, Any]]:
    """Satisfaction of the projects completed in the year; rectifications opened in the year."""
    start, end = year_window(year)
    completed = select(Instance.id).where(
        Instance.process_id == PROJECT_PROCESS, Instance.status == "completed",
        Instance.completed_at >= start, Instance.completed_at < end)
    surveys = session.scalars(select(Satisfaction.satisfied).where(Satisfaction.instance_id.in_(completed))).all()
    satisfied = sum(1 for s in surveys if s)
    if surveys:
        rate = round(satisfied / len(surveys) * 100, 1)
        satisfaction = figure("satisfaction_rate", "满意率", rate, "%",
                              "评价“非常满意”或“满意”的项目占已评价项目的比例",
                              text=f"{rate}%（满意 {satisfied} 个 / 已评价 {len(surveys)} 个）")
    else:
        satisfaction = figure("satisfaction_rate", "满意率", None, "", "本年度没有完成并评价的项目",
                              text="无已评价项目")
    items = session.scalars(select(Rectification).where(
        Rectification.opened_at >= start, Rectification.opened_at < end)).all()
    overdue = sum(1 for item in items if item.due_at is not None and (item.closed_at or now) > item.due_at)
    accepted = sum(1 for item in items if item.status == RECTIFICATION_ACCEPTED)
    return [
        satisfaction,
        figure("rectifications_opened", "提出整改意见", len(items), "项", "本年度市、区县或第三方机构提出的整改意见"),
        figure("rectifications_accepted", "整改到位", accepted, "项", "整改意见中已核实整改到位的"),
        figure("rectifications_overdue", "整改逾期", overdue, "项", "整改期限届满时尚未整改到位（或到位晚于期限）的"),
    ]


def application_figures(session: Session, year: int) -> list[dict[str, Any]]:
    """Applications of the year (by the year of first submission) and the money they led to."""
    apps = select(SubsidyApplication).where(SubsidyApplication.year == year)
    status = SubsidyApplication.status
    approved = session.scalar(select(func.coalesce(func.sum(SubsidyApplication.amount_fen), 0)).where(
        SubsidyApplication.year == year, status.in_(ELIGIBLE_STATUSES))) or 0
    return [
        figure("applications_submitted", "提交补助申请", _count(session, apps.where(
            SubsidyApplication.submitted_at.is_not(None))), "份", "本年度提交的补助申请"),
        figure("applications_eligible", "符合资助条件",
               _count(session, apps.where(status.in_(ELIGIBLE_STATUSES))), "份",
               "通过区县初审、市级复核和专家评审（含已列入资助计划、已拨付）的申请"),
        figure("applications_rejected", "未通过", _count(session, apps.where(status == "rejected")), "份",
               "审核或评审未通过、不符合条件的申请"),
        figure("applications_revoked", "撤销", _count(session, apps.where(status == "revoked")), "份",
               "拨付前被撤销的申请（第十六条）"),
        figure("money_approved", "核定补助金额", int(approved), "元", "符合资助条件的申请核定的补助金额合计",
               text=money_text(int(approved))),
        *money_figures(session, year),
    ]


def money_figures(session: Session, year: int) -> list[dict[str, Any]]:
    """Planned (the year's subsidy plan items still in it), paid (payments of the year's plan)
    and recovered (repaid toward recoveries of the year's applications)."""
    labels = {"money_planned": "资助计划安排金额", "money_paid": "已拨付金额", "money_recovered": "已追回金额"}
    if plans is None:
        return [unavailable(key, label, "资助计划、拨付和追回记录表尚未建立") for key, label in labels.items()]
    planned = session.scalar(
        select(func.coalesce(func.sum(plans.PlanItem.amount_fen), 0))
        .join(plans.SubsidyPlan, plans.SubsidyPlan.id == plans.PlanItem.plan_id)
        .where(plans.SubsidyPlan.year == year, plans.PlanItem.status.in_(PLANNED_ITEM_STATUSES))) or 0
    paid = session.scalar(
        select(func.coalesce(func.sum(plans.Payment.amount_fen), 0))
        .join(plans.SubsidyPlan, plans.SubsidyPlan.id == plans.Payment.plan_id)
        .where(plans.SubsidyPlan.year == year)) or 0
    recovered = session.scalar(
        select(func.coalesce(func.sum(plans.Recovery.repaid_fen), 0))
        .join(SubsidyApplication, SubsidyApplication.id == plans.Recovery.application_id)
        .where(SubsidyApplication.year == year)) or 0
    return [
        figure("money_planned", labels["money_planned"], int(planned), "元",
               "本年度资助计划中列入计划或已拨付的项目金额（不含因异议移出或撤销的）", text=money_text(int(planned))),
        figure("money_paid", labels["money_paid"], int(paid), "元", "区县财政向服务商拨付的金额合计",
               text=money_text(int(paid))),
        figure("money_recovered", labels["money_recovered"], int(recovered), "元",
               "本年度申请中因骗取补助被追回（已退回）的金额（第十七条）", text=money_text(int(recovered))),
    ]


def _first(events: Iterable[AuditEvent], element: str, after: datetime | None = None,
           test: Callable[[AuditEvent], bool] = lambda _event: True) -> datetime | None:
    for event in events:
        if event.element_id == element and (after is None or event.at >= after) and test(event):
            return event.at
    return None


def _accepted(event: AuditEvent) -> bool:
    return ((event.details or {}).get("after") or {}).get("filing_decision") == "accept"


def stage_figures(session: Session, year: int, project_ids: list[int],
                  calendar: CalendarFunctions) -> list[dict[str, Any]]:
    """Average working days per stage. Project stages come from the audit events of the filed
    projects (the first filing, the acceptance, the report, the satisfaction rating); the
    application stages from the application and payment records' times."""
    events: dict[int, list[AuditEvent]] = defaultdict(list)
    if project_ids:
        rows = session.scalars(select(AuditEvent).where(
            AuditEvent.instance_id.in_(project_ids), AuditEvent.action == "task_completed",
            AuditEvent.element_id.in_(("file_contract", "review_filing", "submit_report", "confirm_assessment")),
        ).order_by(AuditEvent.at, AuditEvent.id))
        for event in rows:
            events[event.instance_id].append(event)
    spans: dict[str, list[int]] = {key: [] for key, _, _ in PROJECT_STAGES}
    for project in events.values():
        filed = _first(project, "file_contract")
        accepted = _first(project, "review_filing", filed, _accepted) if filed else None
        report = _first(project, "submit_report", accepted) if accepted else None
        rated = _first(project, "confirm_assessment", report) if report else None
        ends = {"filing_to_acceptance": (filed, accepted), "acceptance_to_report": (accepted, report),
                "report_to_satisfaction": (report, rated)}
        for key, (begin, finish) in ends.items():
            if begin is not None and finish is not None:
                spans[key].append(calendar.working_days_between(begin, finish))
    result = [stage(key, label, spans[key], "项目", basis) for key, label, basis in PROJECT_STAGES]
    decided = session.execute(select(SubsidyApplication.id, SubsidyApplication.submitted_at,
                                     SubsidyApplication.decided_at).where(
        SubsidyApplication.year == year, SubsidyApplication.submitted_at.is_not(None),
        SubsidyApplication.decided_at.is_not(None))).all()
    result.append(stage("application_to_decision", "申请至审核决定",
                        [calendar.working_days_between(s, d) for _, s, d in decided], "申请",
                        "服务商提交补助申请至审核决定（符合条件或未通过）的时间（申请记录）"))
    if plans is None:
        result.append(unavailable("decision_to_payment", "审核决定至拨付", "拨付记录表尚未建立"))
        return result
    paid = dict(session.execute(select(plans.Payment.application_id, func.min(plans.Payment.paid_at))
                                .where(plans.Payment.application_id.in_([a for a, _, _ in decided]))
                                .group_by(plans.Payment.application_id)).all())
    result.append(stage("decision_to_payment", "审核决定至拨付",
                        [calendar.working_days_between(d, paid[a]) for a, _, d in decided if a in paid], "申请",
                        "审核决定至区县财政登记拨付的时间（申请和拨付记录）"))
    return result


def compute_figures(session: Session, year: int, now: datetime) -> dict[str, Any]:
    projects, districts, project_ids = project_figures(session, year)
    items = [*projects, *quality_figures(session, year, now), *application_figures(session, year)]
    stages = stage_figures(session, year, project_ids, calendar_of(session))
    lines = [item["text"] for item in items]
    lines += [f"分区县 {row['text']}" for row in districts] or ["分区县：本年度没有备案或完成的项目"]
    lines += [f"工作日用时 {row['text']}" for row in stages]
    # rows of one text each: what the facts panel and the form (an array of objects) can show
    display = [{"text": line} for line in lines]
    return {"year": year, "items": items, "districts": districts, "stages": stages, "display": display}


# --------------------------------------------------------------------------
# Operators
# --------------------------------------------------------------------------


def _evaluation(ctx: HandlerContext) -> Evaluation:
    evaluation = ctx.session.scalar(select(Evaluation).where(Evaluation.instance_id == ctx.instance.id))
    if evaluation is None:
        raise HandlerError(f"instance {ctx.instance.id} has no evaluation")
    return evaluation


@operator("evaluation.compute")
def compute(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Compute the year's figures into an Evaluation record (one per instance and year)."""
    year = int(ctx.data["year"])
    if year > ctx.clock.local_now().year:
        raise InvalidData({"year": N_("不能评价尚未开始的年度")})
    other = ctx.session.execute(
        select(Evaluation.status, Instance.business_key)
        .join(Instance, Instance.id == Evaluation.instance_id)
        .where(Evaluation.year == year, Evaluation.instance_id != ctx.instance.id,
               or_(Evaluation.status == EVALUATION_FINAL, Instance.status.in_(("running", "error"))))
        .limit(1)
    ).first()
    if other is not None:
        if other.status == EVALUATION_FINAL:
            message = N_("%(year)s 年度绩效评价已完成（业务编号 %(business_key)s），不能重复评价",
                         year=year, business_key=other.business_key)
        else:
            message = N_("%(year)s 年度绩效评价正在进行（业务编号 %(business_key)s），不能重复评价",
                         year=year, business_key=other.business_key)
        raise InvalidData({"year": message})
    figures = compute_figures(ctx.session, year, ctx.clock.now())
    evaluation = ctx.session.scalar(select(Evaluation).where(Evaluation.instance_id == ctx.instance.id))
    if evaluation is None:
        evaluation = Evaluation(instance_id=ctx.instance.id, reviews=[])
        ctx.session.add(evaluation)
    evaluation.year = year
    evaluation.status = EVALUATION_COMPUTED
    evaluation.figures = figures
    evaluation.computed_at = ctx.clock.now()
    ctx.session.flush()
    return {"evaluation_id": evaluation.id, **figures}


@operator("evaluation.record")
def record(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The city bureau's evaluation: text, rating (优/良/中/差), findings, improvements."""
    evaluation = _evaluation(ctx)
    evaluation.text = ctx.data["evaluation_text"].strip()
    evaluation.rating = ctx.data["evaluation_rating"]
    evaluation.findings = ctx.data["findings"].strip()
    evaluation.improvements = ctx.data["improvements"].strip()
    evaluation.status = EVALUATION_WRITTEN
    evaluation.written_at = ctx.clock.now()
    return {"status": evaluation.status, "rounds": len(evaluation.reviews) + 1}


@operator("evaluation.finance_review")
def finance_review(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """City finance co-signs the evaluation or returns it to the city bureau with its comments."""
    evaluation = _evaluation(ctx)
    decision = ctx.data["finance_decision"]
    comment = (ctx.data.get("finance_comment") or "").strip()
    evaluation.reviews = [*evaluation.reviews, {"decision": decision, "comment": comment,
                                                "by": ctx.actor.username, "at": ctx.clock.now().isoformat()}]
    if decision == "return":
        evaluation.status = EVALUATION_RETURNED
    else:
        evaluation.cosigned_by_id = ctx.actor.user_id
    return {"decision": decision, "returns": sum(1 for r in evaluation.reviews if r["decision"] == "return")}


@operator("evaluation.finalise")
def finalise(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Record the co-signed evaluation as final."""
    evaluation = _evaluation(ctx)
    evaluation.status = EVALUATION_FINAL
    evaluation.finalised_at = ctx.clock.now()
    return {"evaluation_id": evaluation.id, "status": evaluation.status, "year": evaluation.year}
