"""The year's subsidy plan (第十四条(五)–(七), 第三条 部门决策/社会公示): drafted within the annual
budget from the eligible applications, announced for 5 working days, objections handled, issued,
funds released city → district → provider. Operators of the `subsidy_plan` process, and
`file_objection`, the service behind the public objection form.

Protocol with `subsidy_application` (engine/records/subsidies.py): a plan takes applications in
status `eligible` with an `amount_fen`; a fixed item makes its application `planned`; a payment
locks the application row, skips it when `revoked` (第十六条), else makes it `paid` and sends
`subsidy_paid`; an upheld objection that removes an item makes it `removed` and sends
`plan_item_removed`; an upheld objection that changes an amount changes the application's too.
Every amount these operators read from or return into task data is integer fen (the forms'
`money-fen` fields show it in yuan).

How objections are taken and the plan held until they are decided: when the announcement is
published the flow splits. One branch waits for the period's timer; the other listens for
`objection_filed` (an event-based gateway in a loop: each message forks a branch of its own
that the city handles). `file_objection` stores the objection before it delivers the message, so
`plans.close_announcement` (after the timer) counts every objection filed in the period; while
any is undecided the main branch waits for `objections_settled`, which `plans.decide_objection`
sends to its own instance when it decides the last one after the period. Only then does the
main branch throw the signal `objections_closed` that ends the listener, and go on to issue.
Every step runs in a unit on the same instance row, so they serialize.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.access import SYSTEM
from engine.clock import SHANGHAI
from engine.errors import Conflict, EngineError, InvalidData, NotFound
from engine.i18n import N_
from engine.idnumbers import credit_code_problem, id_number_problem
from engine.models import Instance, Organisation
from engine.notifications import notify
from engine.operators import HandlerContext, HandlerError
from engine.records.plans import (
    ANNOUNCEMENT_CLOSED,
    ANNOUNCEMENT_OPEN,
    ITEM_PAID,
    ITEM_PLANNED,
    ITEM_REMOVED,
    ITEM_REVOKED,
    LEGAL_BASIS,
    OBJECTION_PENDING,
    OBJECTION_REJECTED,
    OBJECTION_UPHELD,
    OBJECTOR_LABELS,
    OBJECTOR_ORGANISATION,
    OBJECTOR_PERSON,
    PLAN_ANNOUNCED,
    PLAN_COMPLETED,
    PLAN_DRAFT,
    PLAN_FIXED,
    PLAN_FUNDS_REQUESTED,
    PLAN_ISSUED,
    PLAN_RELEASED,
    Announcement,
    FundRelease,
    Objection,
    Payment,
    PlanItem,
    SubsidyPlan,
    plan_of_instance,
    yuan_text,
)
from engine.records.projects import Filing
from engine.records.subsidies import (
    ELIGIBLE,
    PAID,
    PLANNED,
    REMOVED,
    REVOKED,
    SubsidyApplication,
    eligible_applications,
    payable,
)

from . import operator

if TYPE_CHECKING:
    from engine.services import ProcessEngine

SCALING_RULES = {"proportional": "按比例核减"}
# The announcement's title the city is offered (it may change it): a record, published as written.
ANNOUNCEMENT_TITLE = "关于{year}年度数字化转型诊断项目资助计划的公示"
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


# --------------------------------------------------------------------------
# Drafting (第十四条(五)): eligible applications within the annual budget
# --------------------------------------------------------------------------


def scale(requested: list[int], budget_fen: int, step_fen: int) -> list[int]:
    """The amounts a plan proposes: as requested when they fit the budget, else each scaled
    down in proportion (amount × budget ÷ total) and rounded down to `step_fen`, so the total
    never exceeds the budget."""
    total = sum(requested)
    if total <= budget_fen:
        return list(requested)
    return [amount * budget_fen // total // step_fen * step_fen for amount in requested]


def _proposal(session: Session, plan: SubsidyPlan) -> tuple[list[SubsidyApplication], list[int]]:
    """The year's eligible applications (the subsidy_application module's helper) and the
    amounts the plan would give them."""
    applications = [a for a in eligible_applications(session, plan.year) if (a.amount_fen or 0) > 0]
    amounts = scale([a.amount_fen for a in applications], plan.budget_fen, plan.round_down_fen)
    return applications, amounts


def _described(session: Session, applications: list[SubsidyApplication]) -> dict[int, dict[str, Any]]:
    """Application id → its number, provider, district, enterprises and projects."""
    instance_ids = {a.instance_id for a in applications}
    project_ids = {int(p) for a in applications for p in a.project_instance_ids}
    keys = dict(session.execute(
        select(Instance.id, Instance.business_key).where(Instance.id.in_(instance_ids | project_ids))).all())
    enterprise_of = dict(session.execute(
        select(Filing.instance_id, Organisation.name)
        .join(Organisation, Organisation.id == Filing.enterprise_org_id)
        .where(Filing.instance_id.in_(project_ids))).all())
    providers = dict(session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_({a.provider_org_id for a in applications}))).all())
    described = {}
    for application in applications:
        projects = [int(p) for p in application.project_instance_ids]
        described[application.id] = {
            "application_no": keys.get(application.instance_id) or str(application.id),
            "provider": providers.get(application.provider_org_id, str(application.provider_org_id)),
            "district": application.district or "",
            "enterprises": [enterprise_of[p] for p in projects if p in enterprise_of],
            "projects": [keys.get(p) or str(p) for p in projects],
        }
    return described


def _row(described: Mapping[str, Any], requested_fen: int, amount_fen: int) -> dict[str, Any]:
    """One line of the plan table, as the facts panel and the issue form show it."""
    return {
        "application_no": described["application_no"],
        "provider": described["provider"],
        "district": described["district"],
        "enterprises": "、".join(described["enterprises"]) or "—",
        "projects": "、".join(described["projects"]) or "—",
        "requested": requested_fen,
        "amount": amount_fen,
    }


@operator("plans.propose")
def propose(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """The draft plan: the year's eligible applications with their requested amounts and what
    the plan would give. Over budget, the model's rule (`scaling`, `round_down_to_yuan`
    parameters; DOMAIN.md's assumption: proportional, rounded down to 100 yuan) is applied and
    shown to the city before anything is fixed."""
    year = int(ctx.data["plan_year"])
    budget_fen = ctx.data["plan_budget"]  # integer fen (format money-fen), above 0 by the form
    rule = str(params.get("scaling") or "proportional")
    if rule not in SCALING_RULES:
        raise HandlerError(f"unknown scaling rule {rule!r}; known: {', '.join(SCALING_RULES)}")
    step_fen = int(params.get("round_down_to_yuan") or 1) * 100
    if step_fen <= 0:
        raise HandlerError("round_down_to_yuan must be a positive number of yuan")

    plan = plan_of_instance(ctx.session, ctx.instance.id)
    if plan is None:
        plan = SubsidyPlan(instance_id=ctx.instance.id, status=PLAN_DRAFT, created_at=ctx.clock.now())
        ctx.session.add(plan)
    if plan.status != PLAN_DRAFT:
        raise HandlerError(f"plan {plan.id} is {plan.status}, no longer a draft")
    plan.year, plan.title, plan.budget_fen = year, ctx.data["plan_title"].strip(), budget_fen
    plan.scaling_rule, plan.round_down_fen = rule, step_fen
    ctx.session.flush()

    applications, amounts = _proposal(ctx.session, plan)
    if not applications:
        raise InvalidData({"plan_year": N_("%(year)s年度没有评审通过、待列入资助计划的申报项目", year=year)})
    described = _described(ctx.session, applications)
    requested_total, total = sum(a.amount_fen for a in applications), sum(amounts)
    scaled = requested_total > budget_fen
    return {
        "plan_id": plan.id,
        "items": [{"application_id": a.id, "requested_fen": a.amount_fen, "amount_fen": amount}
                  for a, amount in zip(applications, amounts, strict=True)],
        "rows": [_row(described[a.id], a.amount_fen, amount) for a, amount in zip(applications, amounts, strict=True)],
        "total_requested": requested_total,
        "total": total,
        "scaled": scaled,
        "rule_text": _rule_text(plan, requested_total, total),
    }


def _rule_text(plan: SubsidyPlan, requested_total: int, total: int) -> str:
    """How the proposal's amounts were found, written into the plan's data (`plan_rule`)."""
    budget_fen = plan.budget_fen
    if requested_total <= budget_fen:
        return (f"申报核定金额合计 {yuan_text(requested_total)}，未超出年度预算 {yuan_text(budget_fen)}，"
                "按核定金额列入")
    return (f"申报核定金额合计 {yuan_text(requested_total)}，超出年度预算 {yuan_text(budget_fen)}，"
            f"已{SCALING_RULES[plan.scaling_rule]}（比例 {budget_fen / requested_total:.2%}，各项向下取整到 "
            f"{plan.round_down_fen // 100} 元），核减后合计 {yuan_text(total)}")


@operator("plans.fix")
def fix(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The city confirmed the proposal it was shown: write the items and make their
    applications `planned`. Refused when the eligible applications changed meanwhile."""
    plan = _plan(ctx, PLAN_DRAFT)
    applications, amounts = _proposal(ctx.session, plan)
    locked = [_locked_application(ctx.session, a.id) for a in applications]
    shown = [(i["application_id"], i["requested_fen"], i["amount_fen"]) for i in ctx.data["proposal"]["items"]]
    now_proposed = [(a.id, a.amount_fen, amount) for a, amount in zip(applications, amounts, strict=True)]
    if shown != now_proposed or any(a.status != ELIGIBLE for a in locked):
        raise InvalidData({"plan_decision": N_("确认期间符合条件的申报项目或其金额发生了变化，"
                                               "请选择“退回调整预算”重新生成资助计划")})
    described = _described(ctx.session, applications)
    now = ctx.clock.now()
    for application, amount in zip(applications, amounts, strict=True):
        info = described[application.id]
        ctx.session.add(PlanItem(
            plan_id=plan.id, application_id=application.id, application_no=info["application_no"],
            provider_org_id=application.provider_org_id, provider_name=info["provider"], district=info["district"],
            enterprises=info["enterprises"], projects=info["projects"], requested_fen=application.amount_fen,
            amount_fen=amount, status=ITEM_PLANNED, updated_at=now,
        ))
        application.status = PLANNED
    if amounts == [a.amount_fen for a in applications]:
        plan.scaling_rule, plan.round_down_fen = "", 0
    plan.status, plan.fixed_at = PLAN_FIXED, now
    ctx.session.flush()
    return {
        "plan_id": plan.id,
        "item_count": len(applications),
        "total": sum(amounts),
        "announcement_title": ANNOUNCEMENT_TITLE.format(year=plan.year),
    }


def _plan(ctx: HandlerContext, *statuses: str) -> SubsidyPlan:
    plan = plan_of_instance(ctx.session, ctx.instance.id)
    if plan is None:
        raise HandlerError(f"instance {ctx.instance.id} has no subsidy plan")
    if statuses and plan.status not in statuses:
        raise HandlerError(f"plan {plan.id} is {plan.status}, expected {' or '.join(statuses)}")
    return plan


def _items(session: Session, plan_id: int, *statuses: str) -> list[PlanItem]:
    query = select(PlanItem).where(PlanItem.plan_id == plan_id)
    if statuses:
        query = query.where(PlanItem.status.in_(statuses))
    return list(session.scalars(query.order_by(PlanItem.id)))


def _item_row(item: PlanItem) -> dict[str, Any]:
    info = {"application_no": item.application_no, "provider": item.provider_name, "district": item.district,
            "enterprises": item.enterprises, "projects": item.projects}
    return _row(info, item.requested_fen, item.amount_fen)


# --------------------------------------------------------------------------
# Announcement (第十四条(六)) and objections
# --------------------------------------------------------------------------


@operator("plans.publish")
def publish(ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """Publish the announcement on the bureau's website. `published_at` and `ends_at` come
    from the model (`now()` and `working_period_end(published_at, 5)`), which also sets the
    timer with the same expression."""
    plan = _plan(ctx, PLAN_FIXED)
    published_at = datetime.fromisoformat(params["published_at"])
    ends_at = datetime.fromisoformat(params["ends_at"])
    items = _items(ctx.session, plan.id, ITEM_PLANNED)
    announcement = Announcement(
        plan_id=plan.id, instance_id=ctx.instance.id, title=ctx.data["announcement_title"].strip(),
        legal_basis=LEGAL_BASIS,
        items=[{"item_id": i.id, "application_no": i.application_no, "provider": i.provider_name,
                "district": i.district, "enterprises": i.enterprises, "projects": i.projects,
                "amount_fen": i.amount_fen} for i in items],
        starts_at=published_at, ends_at=ends_at,
        contact_office=ctx.data["contact_office"].strip(), contact_phone=ctx.data["contact_phone"].strip(),
        contact_address=ctx.data["contact_address"].strip(), contact_email=ctx.data["contact_email"].strip(),
        status=ANNOUNCEMENT_OPEN,
    )
    ctx.session.add(announcement)
    plan.status = PLAN_ANNOUNCED
    ctx.session.flush()
    return {"announcement_id": announcement.id, "starts_at": published_at.isoformat(),
            "ends_at": ends_at.isoformat(), "item_count": len(items)}


@operator("plans.close_announcement")
def close_announcement(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The period is over: no more objections; how many filed ones are still undecided."""
    announcement = _announcement(ctx)
    announcement.status, announcement.closed_at = ANNOUNCEMENT_CLOSED, ctx.clock.now()
    ctx.session.flush()
    return {"announcement_id": announcement.id, "pending_objections": _pending(ctx.session, announcement.id)}


def _announcement(ctx: HandlerContext) -> Announcement:
    announcement = ctx.session.scalar(select(Announcement).where(Announcement.instance_id == ctx.instance.id))
    if announcement is None:
        raise HandlerError(f"instance {ctx.instance.id} has published no announcement")
    return announcement


def _pending(session: Session, announcement_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Objection).where(
        Objection.announcement_id == announcement_id, Objection.status == OBJECTION_PENDING)) or 0


@operator("plans.open_objection")
def open_objection(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """An objection arrived: what the city needs to handle it — never who filed it (confidential;
    the city reads the identity through `engine.records.plans.objection_detail`)."""
    payload = ctx.data.get("objection") if isinstance(ctx.data.get("objection"), dict) else {}
    objection_id = payload.get("objection_id")
    objection = ctx.session.get(Objection, objection_id) if isinstance(objection_id, int) else None
    announcement = _announcement(ctx)
    # Refused as Conflict, so a wrong message rolls back and its sender sees why (no incident).
    if objection is None or objection.announcement_id != announcement.id:
        raise Conflict(N_("异议 %(objection_id)s 不是对本资助计划公示提出的", objection_id=objection_id))
    if objection.status != OBJECTION_PENDING:
        raise Conflict(N_("异议 %(objection_id)s 已处理", objection_id=objection.id))
    item = ctx.session.get(PlanItem, objection.item_id)
    return {
        "objection_id": objection.id,
        "objector_kind": OBJECTOR_LABELS[objection.objector_kind],
        "filed_at": objection.filed_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        "statement": objection.statement,
        "item": _item_text(item),
    }


def _item_text(item: PlanItem) -> str:
    """The plan item an objection is about, written into the objection's case data."""
    return f"{item.application_no} {item.provider_name}（{item.district}）计划资助 {yuan_text(item.amount_fen)}"


@operator("plans.decide_objection")
def decide_objection(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Upheld: the item is removed (its application too, told by `plan_item_removed`) or its
    amount changed (the application's too). Rejected: the reason is recorded. Either way the
    reason is kept; after the period, deciding the last objection releases the plan."""
    case = ctx.data["objection_case"]
    objection = ctx.session.get(Objection, case["objection_id"], with_for_update=True)
    if objection is None or objection.status != OBJECTION_PENDING:
        raise HandlerError(f"objection {case['objection_id']} is not pending")
    reason = (ctx.data.get("decision_reason") or "").strip()
    if not reason:
        raise InvalidData({"decision_reason": N_("请填写处理意见或不予采纳的理由")})
    item = ctx.session.get(PlanItem, objection.item_id)
    plan = ctx.session.get(SubsidyPlan, item.plan_id)
    objection.amount_before_fen = item.amount_fen
    if ctx.data["objection_decision"] == "uphold":
        action = ctx.data.get("uphold_action")
        if action == "remove":
            _remove_item(ctx, item, objection, reason)
        elif action == "change_amount":
            _change_amount(ctx, plan, item)
        else:
            raise InvalidData({"uphold_action": N_("请选择采纳后的处理方式")})
        objection.status, objection.decision_action = OBJECTION_UPHELD, action
    else:
        objection.status, objection.decision_action = OBJECTION_REJECTED, None
    objection.amount_after_fen = item.amount_fen if item.status == ITEM_PLANNED else 0
    objection.decision_reason, objection.decided_at = reason, ctx.clock.now()
    objection.decided_by = ctx.actor.username
    ctx.session.flush()
    announcement = ctx.session.get(Announcement, objection.announcement_id)
    if announcement.status == ANNOUNCEMENT_CLOSED and _pending(ctx.session, announcement.id) == 0:
        ctx.send_message(ctx.instance.id, "objections_settled", {"announcement_id": announcement.id})
    return {"objection_id": objection.id, "status": objection.status, "action": objection.decision_action}


def _remove_item(ctx: HandlerContext, item: PlanItem, objection: Objection, reason: str) -> None:
    if item.status != ITEM_PLANNED:
        raise InvalidData({"uphold_action": N_("该项目已不在资助计划中，不能再移出")})
    application = _locked_application(ctx.session, item.application_id)
    item.status, item.updated_at = ITEM_REMOVED, ctx.clock.now()
    if application.status == PLANNED:
        application.status = REMOVED
        ctx.send_message(application.instance_id, "plan_item_removed",
                         {"plan_id": item.plan_id, "item_id": item.id, "objection_id": objection.id, "reason": reason})


def _change_amount(ctx: HandlerContext, plan: SubsidyPlan, item: PlanItem) -> None:
    if item.status != ITEM_PLANNED:
        raise InvalidData({"uphold_action": N_("该项目已不在资助计划中，不能调整金额")})
    amount = ctx.data.get("new_amount")  # integer fen (format money-fen)
    if amount is None or amount <= 0:
        raise InvalidData({"new_amount": N_("请填写调整后的资助金额（大于 0 元）")})
    if amount == item.amount_fen:
        raise InvalidData({"new_amount": N_("调整后的金额与原金额相同")})
    others = sum(i.amount_fen for i in _items(ctx.session, plan.id, ITEM_PLANNED) if i.id != item.id)
    if others + amount > plan.budget_fen:
        raise InvalidData({"new_amount": N_("调整后计划合计 %(total)s，超出年度预算 %(budget)s",
                                            total=yuan_text(others + amount), budget=yuan_text(plan.budget_fen))})
    application = _locked_application(ctx.session, item.application_id)
    item.amount_fen, item.updated_at = amount, ctx.clock.now()
    application.amount_fen = amount


def _locked_application(session: Session, application_id: int) -> SubsidyApplication:
    """The application row, locked FOR UPDATE for the rest of the transaction and read afresh."""
    application = session.scalar(
        select(SubsidyApplication).where(SubsidyApplication.id == application_id).with_for_update()
        .execution_options(populate_existing=True))
    if application is None:
        raise HandlerError(f"application {application_id} does not exist")
    return application


# --------------------------------------------------------------------------
# The public objection form (a service for the public page)
# --------------------------------------------------------------------------


def objection_problems(objector: Mapping[str, Any], today: date | None = None) -> dict[str, str]:
    """Why an objection cannot be accepted as filed, field by field (empty: acceptable).
    Objections must be real-name: an organisation stamps, a person signs; anonymous ones are
    refused. `today` (Asia/Shanghai) rules out birth dates in the future."""

    def text(key: str) -> str:
        value = objector.get(key)
        return value.strip() if isinstance(value, str) else ""

    errors: dict[str, str] = {}
    kind = objector.get("kind")
    if kind not in (OBJECTOR_ORGANISATION, OBJECTOR_PERSON):
        errors["kind"] = N_("异议须实名提出：请选择以单位或个人名义提出，不受理匿名异议")
    if not text("name"):
        errors["name"] = N_("请填写异议单位名称或异议人姓名（不受理匿名异议）")
    if not PHONE.match(text("phone")):
        errors["phone"] = N_("请填写有效的联系电话（手机号码或带区号的固定电话）")
    if kind == OBJECTOR_ORGANISATION:
        code_problem = credit_code_problem(text("credit_code"))
        if code_problem:
            errors["credit_code"] = code_problem
        if not text("contact_person"):
            errors["contact_person"] = N_("请填写联系人")
        if not text("stamped_scan"):
            errors["stamped_scan"] = N_("请上传加盖单位公章的异议书扫描件")
    elif kind == OBJECTOR_PERSON:
        id_problem = id_number_problem(text("id_number"), today)
        if id_problem:
            errors["id_number"] = id_problem
        if not text("signed_scan"):
            errors["signed_scan"] = N_("请上传本人签名的异议书扫描件")
    if not text("statement"):
        errors["statement"] = N_("请写明异议的事实和理由")
    elif len(text("statement")) > 5000:
        errors["statement"] = N_("异议内容最多 5000 字")
    item_id = objector.get("item_id")
    if not isinstance(item_id, int) or isinstance(item_id, bool) or item_id <= 0:
        errors["item_id"] = N_("请选择提出异议的公示项目")
    return errors


def file_objection(engine: ProcessEngine, announcement_id: int, objector: Mapping[str, Any]) -> int:
    """Accept a real-name objection to one item of an announcement during its period, store it
    (the identity in its own, confidential columns) and deliver `objection_filed` to the plan.

    Raises InvalidData naming the missing or wrong fields (anonymous or incomplete objections),
    NotFound for an unknown announcement, Conflict after the period (or before it)."""
    errors = objection_problems(objector, engine.clock.local_now().date())
    if errors:
        raise InvalidData(errors)
    kind = objector["kind"]
    with engine.sessions.begin() as session:
        announcement = session.get(Announcement, announcement_id)
        if announcement is None:
            raise NotFound(N_("公示 %(announcement_id)s 不存在", announcement_id=announcement_id))
        now = engine.clock.now()
        ends = announcement.ends_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        if announcement.status != ANNOUNCEMENT_OPEN or now >= announcement.ends_at:
            raise Conflict(N_("「%(title)s」公示期已于 %(ends)s 结束，不再受理异议",
                              title=announcement.title, ends=ends))
        if now < announcement.starts_at:
            raise Conflict(N_("「%(title)s」尚未开始公示", title=announcement.title))
        item = session.get(PlanItem, objector["item_id"])
        if item is None or item.plan_id != announcement.plan_id:
            raise InvalidData({"item_id": N_("所选项目不在本次公示的资助计划中")})
        organisation = kind == OBJECTOR_ORGANISATION
        objection = Objection(
            announcement_id=announcement.id, item_id=item.id, objector_kind=kind,
            objector_name=objector["name"].strip(),
            credit_code=objector["credit_code"].strip().upper() if organisation else None,
            contact_person=objector["contact_person"].strip() if organisation else None,
            id_number=None if organisation else objector["id_number"].strip().upper(),
            phone=objector["phone"].strip(),
            scan_ref=(objector["stamped_scan"] if organisation else objector["signed_scan"]).strip(),
            statement=objector["statement"].strip(), status=OBJECTION_PENDING, filed_at=now,
        )
        session.add(objection)
        session.flush()
        objection_id, instance_id = objection.id, announcement.instance_id
    try:
        engine.messages.send(SYSTEM, instance_id, "objection_filed", {"objection_id": objection_id})
    except EngineError as refused:
        with engine.sessions.begin() as session:
            session.delete(session.get(Objection, objection_id))
        if isinstance(refused, Conflict):
            raise Conflict(N_("资助计划当前不受理异议（%(reason)s），异议未提交", reason=refused.message)) from refused
        raise
    return objection_id


# --------------------------------------------------------------------------
# Issue, funds (第十四条(七)): city → district → provider
# --------------------------------------------------------------------------


@operator("plans.summary")
def summary(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The plan as it stands after the announcement and its objections."""
    plan = _plan(ctx, PLAN_ANNOUNCED)
    items = _items(ctx.session, plan.id, ITEM_PLANNED)
    removed = len(_items(ctx.session, plan.id, ITEM_REMOVED))
    return {"rows": [_item_row(i) for i in items], "total": sum(i.amount_fen for i in items),
            "total_requested": sum(i.requested_fen for i in items), "removed": removed}


@operator("plans.issue")
def issue(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """下达: the plan is issued under its document number; the districts are told."""
    plan = _plan(ctx, PLAN_ANNOUNCED)
    plan.status, plan.issued_at, plan.issue_doc_no = PLAN_ISSUED, ctx.clock.now(), ctx.data["issue_doc_no"].strip()
    for district in sorted({i.district for i in _items(ctx.session, plan.id, ITEM_PLANNED)}):
        for role in ("district_bureau", "district_finance"):
            notify(ctx.session, ctx.clock, "plan",
                   N_("%(plan)s已下达（%(doc_no)s）", plan=plan.title, doc_no=plan.issue_doc_no), role=role,
                   district=district, instance_id=ctx.instance.id)
    return {"plan_id": plan.id, "issue_doc_no": plan.issue_doc_no}


@operator("plans.request_funds")
def request_funds(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """申请拨付: what each district is to receive. Items revoked since (第十六条) are dropped."""
    plan = _plan(ctx, PLAN_ISSUED)
    plan.status, plan.requested_at = PLAN_FUNDS_REQUESTED, ctx.clock.now()
    plan.request_doc_no = ctx.data["request_doc_no"].strip()
    by_district: dict[str, list[PlanItem]] = {}
    for item in _items(ctx.session, plan.id, ITEM_PLANNED):
        if ctx.session.get(SubsidyApplication, item.application_id).status == REVOKED:
            item.status, item.updated_at = ITEM_REVOKED, ctx.clock.now()
            continue
        by_district.setdefault(item.district, []).append(item)
    releases = [{"district": d, "item_count": len(items), "amount": sum(i.amount_fen for i in items)}
                for d, items in sorted(by_district.items())]
    return {"releases": releases, "total": sum(i.amount_fen for items in by_district.values() for i in items)}


@operator("plans.release")
def release(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """City finance has released each district's share: one FundRelease per district; each
    district's finance gets the list of providers to pay."""
    plan = _plan(ctx, PLAN_FUNDS_REQUESTED)
    expected = {row["district"]: row for row in ctx.data["funds_request"]["releases"]}
    rows = list(ctx.data.get("releases") or [])
    _same_rows(rows, expected, "district", ("item_count", "amount"), "releases")
    today = ctx.clock.local_now().date()
    errors = {}
    for index, row in enumerate(rows):
        if date.fromisoformat(row["released_on"]) > today:
            errors[f"releases.{index}.released_on"] = N_("拨付日期不能晚于今天")
    if errors:
        raise InvalidData(errors)
    now = ctx.clock.now()
    for row in rows:
        ctx.session.add(FundRelease(
            plan_id=plan.id, district=row["district"], amount_fen=row["amount"],
            released_on=row["released_on"], voucher_no=row["voucher_no"].strip(), released_at=now,
            released_by=ctx.actor.username))
        notify(ctx.session, ctx.clock, "payment",
               N_("市财政局已拨付%(plan)s资金 %(amount)s，请向服务商拨付",
                  plan=plan.title, amount=yuan_text(row["amount"])),
               role="district_finance", district=row["district"], instance_id=ctx.instance.id)
    plan.status = PLAN_RELEASED
    payments = {d: [] for d in expected}
    for item in _items(ctx.session, plan.id, ITEM_PLANNED):
        if item.district in payments:
            payments[item.district].append({"item_id": item.id, "application_no": item.application_no,
                                            "provider": item.provider_name, "amount": item.amount_fen})
    return {"districts": sorted(payments), "payments": payments}


def _same_rows(rows: list[Mapping[str, Any]], expected: Mapping[Any, Mapping[str, Any]], key: str,
               shown: tuple[str, ...], field: str) -> None:
    """A table the system prefilled comes back with the same rows and the same display values."""
    seen = [row.get(key) for row in rows]
    if sorted(map(str, seen)) != sorted(map(str, expected)):
        raise InvalidData({field: N_("列表中的行由系统生成，不能增加、删除或重复")})
    errors = {
        f"{field}.{index}.{name}": N_("此项由系统生成，不能修改")
        for index, row in enumerate(rows) for name in shown
        if name in row and row[name] != expected[row[key]][name]
    }
    if errors:
        raise InvalidData(errors)


@operator("plans.pay")
def pay(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """A district's finance paid its providers: per item, lock the application; a revoked one
    (第十六条) is not paid; else it becomes `paid`, a Payment is written and the application's
    instance is told `subsidy_paid`."""
    district = ctx.data["district"]
    plan = _plan(ctx, PLAN_RELEASED)
    expected = {row["item_id"]: row for row in ctx.data["district_payments"][district]}
    rows = list(ctx.data.get("payments") or [])
    _same_rows(rows, expected, "item_id", ("application_no", "provider", "amount"), "payments")
    today = ctx.clock.local_now().date()
    errors = {f"payments.{index}.paid_on": N_("拨付日期不能晚于今天")
              for index, row in enumerate(rows) if date.fromisoformat(row["paid_on"]) > today}
    if errors:
        raise InvalidData(errors)
    paid, skipped = [], []
    now = ctx.clock.now()
    for row in rows:
        item = ctx.session.get(PlanItem, row["item_id"])
        if item is None or item.plan_id != plan.id or item.district != district:
            raise HandlerError(f"item {row['item_id']} is not {district}'s item of plan {plan.id}")
        if not payable(ctx.session, item.application_id):  # locks the row against a revocation
            application = _locked_application(ctx.session, item.application_id)
            if application.status != REVOKED:
                raise HandlerError(f"application {application.id} is {application.status}, not payable")
            item.status, item.updated_at = ITEM_REVOKED, now
            skipped.append(item.application_no)
            continue
        application = _locked_application(ctx.session, item.application_id)
        if item.status != ITEM_PLANNED or application.status != PLANNED:
            raise HandlerError(f"item {item.id} is {item.status}, application {application.id} is {application.status}")
        payment = Payment(item_id=item.id, application_id=application.id, plan_id=plan.id, district=district,
                          amount_fen=item.amount_fen, paid_on=row["paid_on"], paid_at=now,
                          voucher_no=row["voucher_no"].strip(), recorded_by=ctx.actor.username)
        ctx.session.add(payment)
        ctx.session.flush()
        item.status, item.updated_at, application.status = ITEM_PAID, now, PAID
        ctx.send_message(application.instance_id, "subsidy_paid",
                         {"payment_id": payment.id, "plan_id": plan.id, "amount_fen": payment.amount_fen})
        paid.append(payment.id)
    return {"district": district, "payment_ids": paid, "skipped_revoked": skipped}


@operator("plans.complete")
def complete(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Done when every item is paid, removed or revoked."""
    plan = _plan(ctx, PLAN_RELEASED)
    items = _items(ctx.session, plan.id)
    open_items = [i.application_no for i in items if i.status == ITEM_PLANNED]
    if open_items:
        raise HandlerError(f"items still unpaid: {', '.join(open_items)}")
    plan.status, plan.completed_at = PLAN_COMPLETED, ctx.clock.now()
    counts = {status: sum(1 for i in items if i.status == status) for status in (ITEM_PAID, ITEM_REMOVED, ITEM_REVOKED)}
    return counts | {"paid_total": sum(i.amount_fen for i in items if i.status == ITEM_PAID)}
