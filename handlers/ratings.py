"""Star ratings of providers (第五条: 对服务商进行星级评定): the operators of `star_rating`.

Every provider on the list (listed or suspended) is rated from its record of the year:
satisfaction, rectifications, completed projects and expert scores. The weights and the star
thresholds are the model's decision tables (`weights.dmn`, `stars.dmn`); the dimension scores
are computed here, between the two business rule tasks. A provider without a completed
project that year gets no stars (not one star).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.clock import SHANGHAI
from engine.errors import InvalidData
from engine.i18n import N_, Text
from engine.models import Instance, Organisation
from engine.notifications import notify
from engine.operators import HandlerContext, HandlerError
from engine.records.projects import RECTIFICATION_ACCEPTED, Rectification, Satisfaction
from engine.records.providers import PUBLISHED, ProviderListing
from engine.records.ratings import (
    RATING_DRAFT,
    RATING_PUBLISHED,
    RATING_SUPERSEDED,
    STARS,
    StarRating,
)
from engine.records.subsidies import ExpertScore, SubsidyApplication

from . import operator

PROJECT_PROCESS = "diagnosis_project"
DIMENSIONS = ("satisfaction", "rectification", "projects", "expert")
WEIGHT_KEYS = (*DIMENSIONS, "projects_for_full_marks")


def year_window(year: int) -> tuple[datetime, datetime]:
    """1 January 00:00 to the next 1 January 00:00 in Asia/Shanghai (aware)."""
    return (datetime.combine(date(year, 1, 1), time(0), SHANGHAI),
            datetime.combine(date(year + 1, 1, 1), time(0), SHANGHAI))


def stars_label(stars: int | None) -> Text:
    return N_("不评星") if stars is None else N_("%(star_rating)s 星", star_rating=stars)


# --------------------------------------------------------------------------
# The record of one provider in one year, and its scores (plain functions)
# --------------------------------------------------------------------------


def provider_record(session: Session, organisation_id: int, year: int, now: datetime) -> dict[str, Any]:
    """The figures a rating rests on: projects completed in the year, their satisfaction,
    rectifications opened in the year on its projects, expert scores of its applications."""
    start, end = year_window(year)
    completed = select(Instance.id).where(
        Instance.process_id == PROJECT_PROCESS,
        Instance.provider_org_id == organisation_id,
        Instance.status == "completed",
        Instance.completed_at >= start,
        Instance.completed_at < end,
    )
    project_ids = list(session.scalars(completed))
    surveys = session.scalars(select(Satisfaction.satisfied).where(Satisfaction.instance_id.in_(project_ids))).all()
    own_projects = select(Instance.id).where(
        Instance.process_id == PROJECT_PROCESS, Instance.provider_org_id == organisation_id
    )
    items = session.scalars(
        select(Rectification).where(
            Rectification.instance_id.in_(own_projects), Rectification.opened_at >= start, Rectification.opened_at < end
        )
    ).all()
    overdue = sum(1 for item in items if item.due_at is not None and (item.closed_at or now) > item.due_at)
    count, average = session.execute(
        select(func.count(ExpertScore.id), func.avg(ExpertScore.score))
        .join(SubsidyApplication, SubsidyApplication.id == ExpertScore.application_id)
        .where(SubsidyApplication.provider_org_id == organisation_id, SubsidyApplication.year == year)
    ).one()
    return {
        "projects_completed": len(project_ids),
        "satisfaction_rated": len(surveys),
        "satisfaction_satisfied": sum(1 for satisfied in surveys if satisfied),
        "rectifications_opened": len(items),
        "rectifications_accepted": sum(1 for item in items if item.status == RECTIFICATION_ACCEPTED),
        "rectifications_overdue": overdue,
        "expert_scores": int(count or 0),
        "expert_average": round(float(average), 1) if count else None,
    }


def check_weights(weights: Any) -> dict[str, float]:
    """The weights the decision table gave, or HandlerError saying what is wrong with them."""
    if not isinstance(weights, Mapping) or any(key not in weights for key in WEIGHT_KEYS):
        raise HandlerError(f"decision rating_weights must give {', '.join(WEIGHT_KEYS)}; gave {weights!r}")
    values = {key: weights[key] for key in WEIGHT_KEYS}
    if any(isinstance(v, bool) or not isinstance(v, int | float) or v < 0 for v in values.values()):
        raise HandlerError(f"decision rating_weights gave weights that are not numbers ≥ 0: {values!r}")
    if sum(values[key] for key in DIMENSIONS) <= 0 or values["projects_for_full_marks"] <= 0:
        raise HandlerError("decision rating_weights: the weights' sum and projects_for_full_marks must be positive")
    return {key: float(value) for key, value in values.items()}


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def score(record: Mapping[str, Any], weights: Mapping[str, float]) -> dict[str, Any]:
    """Points per dimension (weight × ratio), the total on 100 points and the explanation.

    - satisfaction: share of completed projects rated 满意 (非常满意 or 满意);
    - rectification: (accepted − overdue) / opened, at least 0; full marks when none was opened;
    - projects: completed / projects_for_full_marks, at most 1;
    - expert: average expert score / 100; without scores the dimension is left out and the
      total is scaled to 100 over the other dimensions' weights.
    The total is None when the provider completed no project in the year.
    """
    opened = record["rectifications_opened"]
    ratios: dict[str, float | None] = {
        "satisfaction": (record["satisfaction_satisfied"] / record["satisfaction_rated"]
                         if record["satisfaction_rated"] else None),
        "rectification": (max(0.0, (record["rectifications_accepted"] - record["rectifications_overdue"]) / opened)
                          if opened else 1.0),
        "projects": min(1.0, record["projects_completed"] / weights["projects_for_full_marks"]),
        "expert": min(1.0, max(0.0, record["expert_average"] / 100)) if record["expert_average"] is not None else None,
    }
    if not record["projects_completed"]:
        ratios = dict.fromkeys(DIMENSIONS)
    points = {key: None if ratio is None else round(weights[key] * ratio, 1) for key, ratio in ratios.items()}
    counted = {key: ratio for key, ratio in ratios.items() if ratio is not None}
    counted_weight = sum(weights[key] for key in counted)
    total = None
    if counted and counted_weight > 0:
        total = round(sum(weights[key] * ratio for key, ratio in counted.items()) / counted_weight * 100, 1)
    return {"points": points, "total": total, "explanation": _explain(record, weights, points, total)}


def _explain(
    record: Mapping[str, Any], weights: Mapping[str, float], points: Mapping[str, float | None], total: float | None
) -> list[str]:
    w = {key: f"{weights[key]:g}" for key in WEIGHT_KEYS}
    if not record["projects_completed"]:
        return ["本年度无完成的诊断项目，不评星"]
    rated, satisfied = record["satisfaction_rated"], record["satisfaction_satisfied"]
    opened, accepted, overdue = (record["rectifications_opened"], record["rectifications_accepted"],
                                 record["rectifications_overdue"])
    lines = [
        f"满意度：完成项目 {rated} 个中评价“满意” {satisfied} 个（{_percent(satisfied, rated)}），"
        f"得 {points['satisfaction']} 分（权重 {w['satisfaction']}）" if rated else
        f"满意度：无满意度评价，此项（权重 {w['satisfaction']}）不计，总分按其余各项折算为百分制",
        f"整改：提出 {opened} 项，整改到位 {accepted} 项（{_percent(accepted, opened)}），逾期 {overdue} 项，"
        f"得 {points['rectification']} 分（权重 {w['rectification']}）" if opened else
        f"整改：本年度无整改意见，得满分 {points['rectification']} 分（权重 {w['rectification']}）",
        f"完成项目：{record['projects_completed']} 个（{w['projects_for_full_marks']} 个为满分），"
        f"得 {points['projects']} 分（权重 {w['projects']}）",
        f"专家评分：{record['expert_scores']} 份评分平均 {record['expert_average']} 分，"
        f"得 {points['expert']} 分（权重 {w['expert']}）" if record["expert_average"] is not None else
        f"专家评分：本年度无专家评分，此项（权重 {w['expert']}）不计，总分按其余各项折算为百分制",
        f"总分：{total} 分（百分制）",
    ]
    return lines


def display_row(rating: StarRating, name: str) -> dict[str, Any]:
    """One line of the table reviewers read (the facts panel and the approval form)."""
    details = rating.details or {}
    record = details.get("record", {})
    points = details.get("points", {})

    def part(key: str, text: str) -> str:
        return text if points.get(key) is None else f"{text} → {points[key]} 分"

    reason = details.get("stars_reason") or ""
    basis = [reason, *(line for line in details.get("explanation", []) if line != reason)]
    if rating.adjustment_reason:
        basis.append(f"调整为 {stars_label(rating.final_stars)}，理由：{rating.adjustment_reason}")
    return {
        "organisation_id": rating.organisation_id,
        "provider": name,
        "satisfaction": part("satisfaction", f"{record.get('satisfaction_satisfied', 0)}/"
                                             f"{record.get('satisfaction_rated', 0)} 满意"),
        "rectification": part("rectification", f"提出 {record.get('rectifications_opened', 0)}，"
                                               f"到位 {record.get('rectifications_accepted', 0)}，"
                                               f"逾期 {record.get('rectifications_overdue', 0)}"),
        "projects": part("projects", f"{record.get('projects_completed', 0)} 个"),
        "expert": part("expert", "无评分" if record.get("expert_average") is None
                       else f"平均 {record['expert_average']}（{record.get('expert_scores', 0)} 份）"),
        "total": "—" if rating.total is None else f"{rating.total}",
        "computed_stars": stars_label(rating.computed_stars),
        "final_stars": stars_label(rating.final_stars),
        "basis": "；".join(line for line in basis if line),
    }


# --------------------------------------------------------------------------
# Operators
# --------------------------------------------------------------------------


@operator("ratings.compute")
def compute(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The record and dimension scores of every listed (or suspended) provider for the year."""
    year = int(ctx.data["year"])
    if year > ctx.clock.local_now().year:
        raise InvalidData({"year": N_("不能评定尚未开始的年度")})
    other = ctx.session.scalar(
        select(Instance.business_key)
        .join(StarRating, StarRating.instance_id == Instance.id)
        .where(StarRating.year == year, StarRating.status == RATING_DRAFT, Instance.status.in_(("running", "error")),
               Instance.id != ctx.instance.id)
        .limit(1)
    )
    if other is not None:
        raise InvalidData({"year": N_("%(year)s 年度已有进行中的星级评定（业务编号 %(business_key)s），请先完成该评定",
                                      year=year, business_key=other)})
    weights = check_weights(ctx.data.get("rating_weights"))
    providers = ctx.session.execute(
        select(Organisation.id, Organisation.name)
        .join(ProviderListing, ProviderListing.organisation_id == Organisation.id)
        .where(ProviderListing.status.in_(PUBLISHED))
        .order_by(Organisation.credit_code)
    ).all()
    if not providers:
        raise InvalidData({"year": N_("服务商名单中没有在册（或暂停）的服务商，无需评定")})
    now = ctx.clock.now()
    rows = []
    for organisation_id, name in providers:
        record = provider_record(ctx.session, organisation_id, year, now)
        scored = score(record, weights)
        rows.append({"organisation_id": organisation_id, "organisation_name": name,
                     "projects_completed": record["projects_completed"], "record": record, **scored})
    return {"year": year, "weights": weights, "rows": rows}


@operator("ratings.record_draft")
def record_draft(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Write the draft: one StarRating per provider with the stars the star table decided."""
    computation = ctx.data["rating_computation"]
    rows, decisions = computation["rows"], ctx.data.get("star_decisions") or []
    if len(rows) != len(decisions):
        raise HandlerError(f"{len(rows)} providers but {len(decisions)} star decisions")
    now = ctx.clock.now()
    table = []
    for row, decision in zip(rows, decisions, strict=True):
        stars = decision.get("stars") if isinstance(decision, Mapping) else None
        if stars is not None and stars not in STARS:
            raise HandlerError(f"decision star_thresholds gave {stars!r} stars; expected 1–5 or None")
        if row["total"] is None and stars is not None:
            raise HandlerError(f"decision star_thresholds gave {stars} stars to {row['organisation_name']}, "
                               "which completed no project")
        rating = ctx.session.scalar(select(StarRating).where(
            StarRating.instance_id == ctx.instance.id, StarRating.organisation_id == row["organisation_id"]))
        if rating is None:
            rating = StarRating(instance_id=ctx.instance.id, organisation_id=row["organisation_id"])
            ctx.session.add(rating)
        points = row["points"]
        rating.year = computation["year"]
        rating.satisfaction_score = points["satisfaction"]
        rating.rectification_score = points["rectification"]
        rating.projects_score = points["projects"]
        rating.expert_score = points["expert"]
        rating.total = row["total"]
        rating.computed_stars = rating.final_stars = stars
        rating.adjustment_reason = None
        rating.status = RATING_DRAFT
        rating.computed_at = now
        rating.details = {
            "record": row["record"],
            "points": points,
            "weights": computation["weights"],
            "explanation": row["explanation"],
            "stars_reason": decision.get("reason") if isinstance(decision, Mapping) else None,
        }
        table.append(display_row(rating, row["organisation_name"]))
    ctx.session.flush()
    unrated = sum(1 for row in rows if row["total"] is None)
    return {"year": computation["year"], "rating_table": table, "providers": len(rows), "unrated": unrated}


def _ratings(ctx: HandlerContext) -> list[tuple[StarRating, str]]:
    rows = ctx.session.execute(
        select(StarRating, Organisation.name)
        .join(Organisation, Organisation.id == StarRating.organisation_id)
        .where(StarRating.instance_id == ctx.instance.id)
        .order_by(Organisation.credit_code)
    ).all()
    if not rows:
        raise HandlerError(f"instance {ctx.instance.id} has no draft ratings")
    return [(rating, name) for rating, name in rows]


@operator("ratings.adjust")
def adjust(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The reviewer's adjustments: each names a provider, its final stars and the reason.

    The computed stars are always kept; the adjustments submitted replace earlier ones, and
    "不调整" (`adjust_stars` false) takes every provider back to its computed stars."""
    ratings = _ratings(ctx)
    by_org = {rating.organisation_id: rating for rating, _ in ratings}
    for rating in by_org.values():
        rating.final_stars, rating.adjustment_reason, rating.adjusted_by_id = rating.computed_stars, None, None
    errors: dict[str, str] = {}
    seen: set[int] = set()
    wanted = list(ctx.data.get("adjustments") or []) if ctx.data.get("adjust_stars") else []
    for index, item in enumerate(wanted):
        rating = by_org.get(item["organisation_id"])
        reason = (item.get("reason") or "").strip()
        field = f"adjustments.{index}"
        if rating is None:
            errors[f"{field}.organisation_id"] = N_("该服务商不在本次星级评定范围内")
        elif item["organisation_id"] in seen:
            errors[f"{field}.organisation_id"] = N_("同一服务商只能调整一次")
        elif rating.computed_stars is None:
            errors[f"{field}.final_stars"] = N_("该服务商本年度无完成的诊断项目，不评星，不能调整星级")
        elif item["final_stars"] == rating.computed_stars:
            errors[f"{field}.final_stars"] = N_("与计算结果（%(star_rating)s 星）相同，无需调整",
                                                star_rating=rating.computed_stars)
        elif not reason:
            errors[f"{field}.reason"] = N_("调整星级须填写理由")
        else:
            rating.final_stars, rating.adjustment_reason = item["final_stars"], reason
            rating.adjusted_by_id = ctx.actor.user_id
        seen.add(item["organisation_id"])
    if errors:
        raise InvalidData(errors)
    ctx.session.flush()
    return {
        "rating_table": [display_row(rating, name) for rating, name in ratings],
        "adjusted": sum(1 for rating, _ in ratings if rating.adjustment_reason),
        "reviewed_by": ctx.actor.user_id,
    }


@operator("ratings.approve")
def approve(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """The second review (分管领导审批): someone other than the reviewer approves or returns."""
    ratings = _ratings(ctx)
    if ctx.actor.user_id is not None and ctx.actor.user_id == ctx.data["rating_review"]["reviewed_by"]:
        raise InvalidData({"approval_decision": N_("审批须由审核人以外的市工业和信息化局负责同志办理")})
    decision = ctx.data["approval_decision"]
    if decision == "approve":
        for rating, _ in ratings:
            rating.approved_by_id = ctx.actor.user_id
    return {"decision": decision, "approved_by": ctx.actor.user_id}


@operator("ratings.publish")
def publish(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Publish the ratings; an earlier published rating of the same year is superseded."""
    ratings = _ratings(ctx)
    now = ctx.clock.now()
    year = ratings[0][0].year
    earlier = ctx.session.scalars(select(StarRating).where(
        StarRating.year == year, StarRating.status == RATING_PUBLISHED, StarRating.instance_id != ctx.instance.id))
    for old in earlier:
        old.status = RATING_SUPERSEDED
    for rating, _ in ratings:
        rating.status = RATING_PUBLISHED
        rating.published_at = now
        notify(ctx.session, ctx.clock, "star_rating",
               N_("%(year)s 年度数字化转型诊断服务星级评定结果已发布：%(stars)s",
                  year=year, stars=stars_label(rating.final_stars)),
               role="provider", organisation_id=rating.organisation_id, instance_id=ctx.instance.id)
    ctx.session.flush()
    return {"year": year, "published": len(ratings), "published_at": now.isoformat()}
