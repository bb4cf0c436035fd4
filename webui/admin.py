"""Process-owner pages (city bureau only): the working-day calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from engine.calendar_import import parse_schedule
from engine.errors import InvalidData

from .auth import login_required
from .calendar_view import MONTH_NAMES, WEEKDAYS, month_grid
from .context import actor, engine
from .i18n import content_labels

bp = Blueprint("admin", __name__, url_prefix="/admin")
MAX_SCHEDULE_BYTES = 64 * 1024


def city_bureau_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if actor().role != "city_bureau":
            abort(403, gettext("只有市工业和信息化局可以维护工作日历"))
        return view(*args, **kwargs)

    return login_required(wrapped)


@bp.get("/calendar")
@city_bureau_only
def calendar() -> str:
    year = request.args.get("year", engine().clock.local_now().year, type=int)
    if not 2000 <= year <= 2100:
        abort(404)
    return _render(year, {})


def _render(year: int, errors: dict[str, str], status: int = 200) -> tuple[str, int] | str:
    entry, days = engine().calendar.year(year)
    working_calendar = engine().calendar.current()
    names = {d.day: d.name for d in days}
    months = [(gettext(MONTH_NAMES[m - 1]), month_grid(year, m, working_calendar, names)) for m in range(1, 13)]
    page = render_template(
        "admin_calendar.html",
        year=year,
        entry=entry,
        months=months,
        weekdays=[gettext(day) for day in WEEKDAYS],
        working_days=working_calendar.between(date(year - 1, 12, 31), date(year, 12, 31)),
        errors=errors,
    )
    return (page, status) if status != 200 else page


@bp.post("/calendar")
@city_bureau_only
def import_schedule() -> Response | tuple[str, int] | str:
    upload = request.files.get("schedule")
    year = request.form.get("year", engine().clock.local_now().year, type=int)
    if upload is None or not upload.filename:
        return _render(year, {"schedule": gettext("请选择要导入的 .json 或 .csv 文件")}, 422)
    data = upload.read(MAX_SCHEDULE_BYTES + 1)
    if len(data) > MAX_SCHEDULE_BYTES:
        return _render(year, {"schedule": gettext("文件过大（上限 64 KB）")}, 422)
    try:
        parsed_year, rows, source = parse_schedule(data.decode("utf-8"), upload.filename)
        changed = engine().deadlines.enter_year(parsed_year, rows, actor(), source)
    except UnicodeDecodeError:
        return _render(year, {"schedule": gettext("文件应为 UTF-8 编码")}, 422)
    except InvalidData as invalid:
        return _render(year, content_labels(invalid.errors), 422)
    flash(gettext("已录入 %(year)s 年放假安排（%(days)s 天）；重算了 %(changed)s 个流程实例的期限", year=parsed_year,
                  days=len(rows), changed=len(changed)), "success")
    return redirect(url_for("admin.calendar", year=parsed_year))
