"""The city bureau's dashboard: the pipeline by stage and district, the year's budget, stage durations.

The chart data goes into a data attribute as JSON; static/dashboard.js draws it with ECharts
(served from static/build), so the page needs no inline script.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import gettext

from engine.records.plans import yuan_text

from .auth import login_required
from .context import actor, engine
from .i18n import content_label

bp = Blueprint("dashboard", __name__)


@bp.get("/dashboard")
@login_required
def index() -> str:
    city = engine().dashboard.city(actor())
    budget = city["budget"]
    # yuan_text's figures with the unit in the page's language; stage names as the tables and charts show them
    money = {key: gettext("%(amount)s 元", amount=yuan_text(budget[key]).removesuffix(" 元"))
             for key in ("budget_fen", "planned_fen", "paid_fen")}
    city["pipeline"]["stages"] = [_stage(stage) for stage in city["pipeline"]["stages"]]
    city["pipeline"]["series"] = [{**row, "district": content_label(row["district"])}
                                  for row in city["pipeline"]["series"]]
    city["stage_days"] = [{**row, "stage": _stage(row["stage"])} for row in city["stage_days"]]
    used = round(100 * budget["planned_fen"] / budget["budget_fen"], 1) if budget["budget_fen"] else None
    return render_template("dashboard.html", city=city, money=money, used=used,
                           counts=engine().dashboard.my_counts(actor()))


def _stage(name: str) -> str:
    """A stage as the dashboard names it, "process · task" or a task alone, in the page's language."""
    return " · ".join(content_label(part) or part for part in name.split(" · "))
