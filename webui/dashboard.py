"""The city bureau's dashboard: the pipeline by stage and district, the year's budget, stage durations.

The chart data goes into a data attribute as JSON; static/dashboard.js draws it with ECharts
(served from static/build), so the page needs no inline script.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from engine.records.plans import yuan_text

from .auth import login_required
from .context import actor, engine

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@login_required
def index() -> str:
    city = engine().dashboard.city(actor())
    budget = city["budget"]
    money = {key: yuan_text(budget[key]) for key in ("budget_fen", "planned_fen", "paid_fen")}
    used = round(100 * budget["planned_fen"] / budget["budget_fen"], 1) if budget["budget_fen"] else None
    return render_template("dashboard.html", city=city, money=money, used=used,
                           counts=engine().dashboard.my_counts(actor()))
