"""Diagnosis campaigns (第十条–第十一条, 第三条 总量控制): the city's start notice with district
quotas, each district's mobilisation and filing summary, and the city's aggregated table.

The city's `diagnosis_campaign` instance starts one `district_mobilisation` instance per
district with a quota, so that each district's tasks carry that district's scope (the task
index takes a task's district from its instance); `ctx.start_process` starts them in the
campaign's transaction. When a district reports, its instance sends the campaign
instance the message `district_summary_reported` (delivered after the report commits); the
campaign then reads the `DistrictSummary` rows and, once every district has reported, gives
the city the aggregated table. It also checks once a day, in case a message was not delivered.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import Actor
from engine.clock import SHANGHAI, Clock
from engine.errors import Forbidden, InvalidData
from engine.i18n import N_, Text
from engine.models import Instance, Organisation
from engine.operators import HandlerContext, HandlerError
from engine.records.campaigns import CLOSED, OPEN, Campaign, DistrictQuota, DistrictSummary
from engine.records.projects import (
    FILING_ACCEPTED,
    FILING_PENDING,
    FILING_RETURNED,
    Filing,
)

from . import operator, start_rule

DISTRICT_PROCESS = "district_mobilisation"


# --------------------------------------------------------------------------
# Helpers (also used by other handlers)
# --------------------------------------------------------------------------


def end_of_day(day: str) -> datetime:
    """24:00 of an ISO date in Asia/Shanghai, i.e. 00:00 of the next day (aware)."""
    return datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(0), SHANGHAI)


def parse_date(data: Mapping[str, Any], field: str, label: Text) -> date:
    """An ISO date from task data, or InvalidData on the field."""
    value = data.get(field)
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise InvalidData({field: N_("%(field)s格式应为 YYYY-MM-DD", field=label)})


# --------------------------------------------------------------------------
# The city: start notice (第十条) and quotas (第三条)
# --------------------------------------------------------------------------


@operator("campaign.publish")
def publish_campaign(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Publish the start notice: write the campaign (open) and its district quotas, and start
    one district_mobilisation instance per district with a quota."""
    data = ctx.data
    year = int(data["year"])
    start = parse_date(data, "window_start", N_("开始日期"))
    end = parse_date(data, "window_end", N_("截止日期"))
    errors: dict[str, str] = {}
    if start.year != year:
        errors["window_start"] = N_("开始日期应在%(year)s年内", year=year)
    if end < start:
        errors["window_end"] = N_("截止日期不能早于开始日期")
    elif end < ctx.clock.local_now().date():
        errors["window_end"] = N_("截止日期已过，不能发布")
    quotas = list(data["quotas"])
    seen: dict[str, int] = {}
    for index, row in enumerate(quotas):
        district = row["district"]
        if district in seen:
            errors[f"quotas.{index}.district"] = N_(
                "%(district)s重复（已在第 %(row)s 行），每个区县只能分配一次配额",
                district=district, row=seen[district] + 1,
            )
        else:
            seen[district] = index
    if errors:
        raise InvalidData(errors)
    overlapping = ctx.session.scalar(
        select(Campaign).where(
            Campaign.status == OPEN, Campaign.window_start <= end.isoformat(), Campaign.window_end >= start.isoformat()
        ).limit(1)
    )
    if overlapping is not None:
        raise InvalidData({"window_start": N_(
            "与已开放的「%(campaign)s」备案期（%(window_start)s至%(window_end)s）重叠，请先结束该诊断工作或调整起止日期",
            campaign=overlapping.title, window_start=overlapping.window_start, window_end=overlapping.window_end)})

    campaign = Campaign(
        instance_id=ctx.instance.id,
        year=year,
        title=data["title"],
        window_start=start.isoformat(),
        window_end=end.isoformat(),
        requirements=data.get("requirements") or "",
        status=OPEN,
        published_at=ctx.clock.now(),
    )
    ctx.session.add(campaign)
    ctx.session.flush()
    for row in quotas:
        quota = DistrictQuota(campaign_id=campaign.id, district=row["district"], quota=row["quota"])
        ctx.session.add(quota)
        ctx.session.flush()
        quota.instance_id = ctx.start_process(DISTRICT_PROCESS, {"quota_id": quota.id}, district=row["district"])
    ctx.session.flush()
    return {
        "campaign_id": campaign.id,
        "window_end_at": end_of_day(campaign.window_end).isoformat(),
        "districts": [row["district"] for row in quotas],
        "total_quota": sum(row["quota"] for row in quotas),
    }


@operator("campaign.collect")
def collect_summaries(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The aggregated table (汇总表) of the districts' reports; `all_reported` says whether
    every district with a quota has reported."""
    campaign = _campaign_of_instance(ctx.session, ctx.instance.id)
    summaries = {
        s.district: s
        for s in ctx.session.scalars(select(DistrictSummary).where(DistrictSummary.campaign_id == campaign.id))
    }
    quotas = ctx.session.scalars(
        select(DistrictQuota).where(DistrictQuota.campaign_id == campaign.id).order_by(DistrictQuota.id)
    ).all()
    rows = [_summary_row(quota, summaries.get(quota.district)) for quota in quotas]
    missing = [quota.district for quota in quotas if not _reported(summaries.get(quota.district))]
    columns = ("quota", "filings", "accepted", "pending", "returned", "meetings_held", "enterprises_reached",
               "matches_made")
    total = {"district": N_("合计"), **{column: sum(row[column] for row in rows) for column in columns}}
    return {"all_reported": not missing, "missing": missing, "rows": rows, "total": total}


def _reported(summary: DistrictSummary | None) -> bool:
    return summary is not None and summary.reported_at is not None


def _summary_row(quota: DistrictQuota, summary: DistrictSummary | None) -> dict[str, Any]:
    reported = _reported(summary)
    return {
        "district": quota.district,
        "quota": quota.quota,
        "filings": summary.filings if reported else 0,
        "accepted": summary.accepted if reported else 0,
        "pending": summary.pending if reported else 0,
        "returned": summary.returned if reported else 0,
        "meetings_held": summary.meetings_held if summary else 0,
        "enterprises_reached": summary.enterprises_reached if summary else 0,
        "matches_made": summary.matches_made if summary else 0,
        "district_comment": summary.comment if reported else "",
    }


@operator("campaign.close")
def close_campaign(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The city has received the aggregated table: the campaign is closed."""
    campaign = _campaign_of_instance(ctx.session, ctx.instance.id)
    campaign.status = CLOSED
    campaign.closed_at = ctx.clock.now()
    campaign.summary_comment = ctx.data.get("city_comment") or ""
    return {"campaign_id": campaign.id, "status": campaign.status}


def _campaign_of_instance(session: Session, instance_id: int) -> Campaign:
    campaign = session.scalar(select(Campaign).where(Campaign.instance_id == instance_id))
    if campaign is None:
        raise HandlerError(f"instance {instance_id} has published no campaign")
    return campaign


# --------------------------------------------------------------------------
# A district: mobilisation and matching (第六条, 第十一条), filing summary (第十一条)
# --------------------------------------------------------------------------


@start_rule(DISTRICT_PROCESS)
def started_by_the_campaign_only(_session: Session, _actor: Actor, _clock: Clock) -> None:
    raise Forbidden(N_("区县宣讲动员与备案汇总由市工业和信息化局发布诊断工作启动通知时自动生成，不能单独发起"))


def _district_quota(ctx: HandlerContext) -> tuple[DistrictQuota, Campaign]:
    quota = ctx.session.scalar(select(DistrictQuota).where(DistrictQuota.instance_id == ctx.instance.id))
    if quota is None and ctx.data.get("quota_id") is not None:  # started moments ago, in this transaction
        quota = ctx.session.get(DistrictQuota, ctx.data["quota_id"])
        quota = quota if quota is not None and quota.district == ctx.instance.district else None
    if quota is None:
        raise HandlerError(f"instance {ctx.instance.id} belongs to no district quota")
    campaign = ctx.session.get(Campaign, quota.campaign_id)
    assert campaign is not None
    return quota, campaign


def _campaign_context(quota: DistrictQuota, campaign: Campaign) -> dict[str, Any]:
    return {
        "campaign_title": campaign.title,
        "window_start": campaign.window_start,
        "window_end": campaign.window_end,
        "campaign_requirements": campaign.requirements,
        "quota": quota.quota,
    }


@operator("campaign.district_context")
def district_context(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """What the district works to: the campaign, its window and the district's quota."""
    quota, campaign = _district_quota(ctx)
    return {
        "campaign_id": campaign.id,
        "district": quota.district,
        "window_end_at": end_of_day(campaign.window_end).isoformat(),
        **_campaign_context(quota, campaign),
    }


@operator("campaign.record_mobilisation")
def record_mobilisation(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """宣讲动员、供需对接: meetings held, enterprises reached, provider–enterprise matches."""
    quota, campaign = _district_quota(ctx)
    summary = _summary_for(ctx.session, campaign.id, quota.district)
    summary.meetings_held = ctx.data["meetings_held"]
    summary.enterprises_reached = ctx.data["enterprises_reached"]
    summary.matches_made = ctx.data["matches_made"]
    summary.matches = list(ctx.data.get("match_details") or [])
    summary.mobilisation = ctx.data.get("mobilisation_notes") or ""
    summary.mobilised_at = ctx.clock.now()
    ctx.session.flush()
    return {"summary_id": summary.id}


def _summary_for(session: Session, campaign_id: int, district: str) -> DistrictSummary:
    summary = session.scalar(
        select(DistrictSummary).where(DistrictSummary.campaign_id == campaign_id, DistrictSummary.district == district)
    )
    if summary is None:
        summary = DistrictSummary(campaign_id=campaign_id, district=district, filings=0, rows=[])
        session.add(summary)
    return summary


@operator("campaign.district_summary")
def district_summary(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The district's filings in the campaign at the end of the window, with counts by status."""
    quota, campaign = _district_quota(ctx)
    filings = ctx.session.execute(
        select(Filing, Instance.business_key)
        .join(Instance, Instance.id == Filing.instance_id)
        .where(Filing.campaign_id == campaign.id, Filing.district == quota.district)
        .order_by(Filing.filed_at, Filing.id)
    ).all()
    organisations = {f.provider_org_id for f, _ in filings} | {f.enterprise_org_id for f, _ in filings}
    names = _organisation_names(ctx.session, organisations)
    rows = [
        {
            "project_no": key or str(filing.instance_id),
            "enterprise": names.get(filing.enterprise_org_id, str(filing.enterprise_org_id)),
            "provider": names.get(filing.provider_org_id, str(filing.provider_org_id)),
            "contract_no": filing.contract_no,
            "contract_date": filing.contract_date,
            "status": filing.status,
        }
        for filing, key in filings
    ]
    counts = {status: sum(1 for row in rows if row["status"] == status)
              for status in (FILING_ACCEPTED, FILING_PENDING, FILING_RETURNED)}
    return {
        "rows": rows,
        "filing_count": len(rows),
        "accepted_count": counts[FILING_ACCEPTED],
        "pending_count": counts[FILING_PENDING],
        "returned_count": counts[FILING_RETURNED],
    }


def _organisation_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())


@operator("campaign.district_report")
def district_report(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The district confirms (and may annotate) its summary; it is reported to the city."""
    computed = ctx.data["district_summary"]
    quota, campaign = _district_quota(ctx)
    summary = _summary_for(ctx.session, campaign.id, quota.district)
    summary.filings = computed["filing_count"]
    summary.accepted = computed["accepted_count"]
    summary.pending = computed["pending_count"]
    summary.returned = computed["returned_count"]
    summary.rows = list(computed["rows"])
    summary.comment = ctx.data.get("summary_comment") or ""
    summary.reported_at = ctx.clock.now()
    ctx.session.flush()
    if campaign.instance_id is not None:
        ctx.send_message(campaign.instance_id, "district_summary_reported", {"district": quota.district})
    return {"summary_id": summary.id, "reported_at": summary.reported_at.isoformat()}
