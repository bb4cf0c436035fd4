"""Guideline validity (第十九条): register, remind the city bureau, expire, refuse new work after."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import Actor
from engine.clock import SHANGHAI, Clock
from engine.errors import Conflict, InvalidData
from engine.i18n import N_
from engine.notifications import notify
from engine.operators import HandlerContext
from engine.records.guidelines import Guideline, in_force, latest, valid_until

from . import operator, start_rule

REMINDER_DAYS = (90, 30, 7)


def _at(day: date, hour: int = 0) -> str:
    return datetime.combine(day, time(hour), SHANGHAI).isoformat()


@operator("guideline.register")
def register(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Record the guideline and compute when to remind and when it lapses (Asia/Shanghai)."""
    issued = date.fromisoformat(ctx.data["issued_on"])
    last_day = valid_until(issued, int(ctx.data["valid_years"]))
    if ctx.session.scalar(select(Guideline.id).where(Guideline.doc_no == ctx.data["doc_no"])):
        raise InvalidData({"doc_no": N_("文号 %(doc_no)s 已登记", doc_no=ctx.data["doc_no"])})
    guideline = Guideline(
        instance_id=ctx.instance.id,
        doc_no=ctx.data["doc_no"],
        title=ctx.data["title"],
        issued_on=issued.isoformat(),
        valid_until=last_day.isoformat(),
        status="in_force",
        registered_at=ctx.clock.now(),
    )
    ctx.session.add(guideline)
    ctx.session.flush()
    reminders = {f"remind_{n}_at": _at(last_day - timedelta(days=n), 9) for n in REMINDER_DAYS}
    return {"guideline_id": guideline.id, "valid_until": last_day.isoformat(),
            "expires_at": _at(last_day + timedelta(days=1)), **reminders}


@operator("guideline.remind")
def remind(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Tell the city bureau how many days the guideline has left."""
    guideline = ctx.session.get(Guideline, ctx.data["guideline"]["guideline_id"])
    days_left = (date.fromisoformat(guideline.valid_until) - ctx.clock.local_now().date()).days
    title = N_("《%(title)s》（%(doc_no)s）将于 %(valid_until)s 到期，剩余 %(days_left)s 天，请及时续期或修订",
               title=guideline.title, doc_no=guideline.doc_no, valid_until=guideline.valid_until, days_left=days_left)
    notify(ctx.session, ctx.clock, "guideline", title, role="city_bureau", instance_id=ctx.instance.id,
           link=f"/instances/{ctx.instance.id}")
    return {"days_left": days_left}


@operator("guideline.expire")
def expire(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    guideline = ctx.session.get(Guideline, ctx.data["guideline"]["guideline_id"])
    guideline.status = "expired"
    title = N_("《%(title)s》（%(doc_no)s）已于 %(valid_until)s 到期失效；登记续期或新指南前不能发起诊断工作和诊断项目",
               title=guideline.title, doc_no=guideline.doc_no, valid_until=guideline.valid_until)
    notify(ctx.session, ctx.clock, "guideline", title, role="city_bureau", instance_id=ctx.instance.id)
    return {"expired_on": guideline.valid_until}


@start_rule("diagnosis_campaign", "diagnosis_project")
def guideline_must_be_in_force(session: Session, _actor: Actor, clock: Clock) -> None:
    """After the guideline lapses, new campaigns and projects wait for a renewed one;
    instances already running continue."""
    today = clock.local_now().date()
    if in_force(session, today) is not None:
        return
    last = latest(session)
    if last is None:
        raise Conflict(N_("尚未登记诊断工作指南，不能发起诊断工作或诊断项目"))
    raise Conflict(N_("《%(title)s》（%(doc_no)s）已于 %(valid_until)s 到期失效，"
                      "在登记续期或新的指南之前不能发起新的诊断工作或诊断项目",
                      title=last.title, doc_no=last.doc_no, valid_until=last.valid_until))
