"""Exports: the district filing summary, the subsidy plan and its announcement (xlsx and a
printable page) and an instance's audit trail (CSV). The engine's export service decides the
scope; this layer names the files and serves them."""

from __future__ import annotations

import io

from flask import Blueprint, Response, render_template, request, send_file
from sqlalchemy import select

from engine.errors import InvalidData
from engine.exports import plan_districts
from engine.i18n import N_
from engine.records.campaigns import Campaign
from engine.records.plans import Announcement, SubsidyPlan
from engine.roles import DISTRICTS

from .auth import login_required
from .context import actor, engine
from .views import ACTION_LABELS

bp = Blueprint("exports", __name__, url_prefix="/exports")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    """The file as an attachment (send_file writes the Chinese name as RFC 5987 filename*)."""
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _campaign_id() -> int | None:
    raw = (request.args.get("campaign_id") or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise InvalidData({"campaign_id": N_("应为整数")})
    return int(raw)


@bp.get("")
@login_required
def index() -> str:
    """What the signed-in user may export: filing summaries, plans and announcements."""
    plan_districts(actor())
    with engine().sessions() as session:
        campaigns = session.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())).all()
        plans = session.scalars(select(SubsidyPlan).order_by(SubsidyPlan.year.desc(), SubsidyPlan.id.desc())).all()
        announcements = session.scalars(select(Announcement).order_by(Announcement.starts_at.desc())).all()
    return render_template("export_index.html", campaigns=campaigns, plans=plans, announcements=announcements,
                           districts=DISTRICTS, may_export_filings=actor().role in ("city_bureau", "district_bureau"))


@bp.get("/filings.xlsx")
@login_required
def filings_xlsx() -> Response:
    district = (request.args.get("district") or "").strip() or None
    data = engine().exports.filing_summary(actor(), district, _campaign_id())
    scope = district or actor().district or "全市"
    return _download(data, XLSX, f"备案汇总-{scope}.xlsx")


@bp.get("/plans/<int:plan_id>.xlsx")
@login_required
def plan_xlsx(plan_id: int) -> Response:
    data = engine().exports.plan_workbook(actor(), plan_id)
    return _download(data, XLSX, f"资助计划-{plan_id}.xlsx")


@bp.get("/plans/<int:plan_id>/print")
@login_required
def plan_print(plan_id: int) -> str:
    return render_template("export_plan.html", plan=engine().exports.plan(actor(), plan_id))


@bp.get("/announcements/<int:announcement_id>.xlsx")
@login_required
def announcement_xlsx(announcement_id: int) -> Response:
    data = engine().exports.announcement_workbook(actor(), announcement_id)
    return _download(data, XLSX, f"公示名单-{announcement_id}.xlsx")


@bp.get("/announcements/<int:announcement_id>/print")
@login_required
def announcement_print(announcement_id: int) -> str:
    announcement = engine().exports.announcement(actor(), announcement_id)
    return render_template("export_announcement.html", announcement=announcement)


@bp.get("/instances/<int:instance_id>/audit.csv")
@login_required
def audit_csv(instance_id: int) -> Response:
    data = engine().exports.audit_csv(actor(), instance_id, ACTION_LABELS)
    return _download(data, "text/csv; charset=utf-8", f"办理记录-{instance_id}.csv")
