"""The inbox (home page): my counts, filters, saved filters, sorting, pages and bulk actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from engine.errors import InvalidData
from engine.i18n import N_
from engine.roles import DISTRICT_ROLES, DISTRICTS
from engine.task_index import InboxQuery

from .auth import login_required
from .context import actor, engine
from .i18n import content_label, content_list

bp = Blueprint("inbox", __name__)
PAGE_SIZE = 50
BULK_LABELS = {"claim": N_("认领"), "assign": N_("指派"), "complete": N_("办理")}


def _query() -> InboxQuery:
    """The filters in the URL; a bad one is dropped with a message instead of a dead page."""
    try:
        return InboxQuery.from_args(request.args)
    except InvalidData as invalid:
        reasons = content_list(f"{field} {content_label(text)}" for field, text in invalid.errors.items())
        flash(gettext("筛选条件无效：%(reasons)s", reasons=reasons), "error")
        return InboxQuery()


@bp.get("/")
@login_required
def index() -> str:
    query = _query()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found = engine().tasks.page(actor(), limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, query=query)
    items = found.items
    pages = max((found.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    has_next = len(items) == PAGE_SIZE if found.total_capped else page < pages
    return render_template(
        "inbox.html",
        items=items,
        total=f"{found.total}+" if found.total_capped else found.total,
        page=page,
        pages=_pages_label(pages, page, has_next) if found.total_capped else pages,
        has_next=has_next,
        query=query,
        args=query.as_args(),
        counts=engine().dashboard.my_counts(actor()),
        stages=engine().tasks.stages(actor()),
        districts=[] if actor().role in DISTRICT_ROLES else DISTRICTS,
        saved=engine().saved_filters.list_with_counts(actor()),
        team=engine().tasks.team(actor()),
        assignee_names=engine().identity.display_names({i["assignee"] for i in items if i["assignee"]}),
        escalations=engine().reminders.escalations_for(actor()),
        startable=engine().repository.startable_by(actor().role),
    )


def _pages_label(pages: int, page: int, has_next: bool) -> str:
    """How many pages, when the total was capped: at least one more than this one ("21+"),
    or this one when it is the last."""
    return f"{max(pages, page + 1)}+" if has_next else str(page)


@bp.post("/inbox/filters")
@login_required
def save_filter() -> Response:
    query = InboxQuery.from_args(request.form)
    try:
        engine().saved_filters.save(actor(), request.form.get("name"), query)
    except InvalidData as invalid:
        flash(content_list(invalid.errors.values()), "error")
        return redirect(url_for("inbox.index", **query.as_args()))
    flash(gettext("筛选已保存"), "success")
    return redirect(url_for("inbox.index", **query.as_args()))


@bp.post("/inbox/filters/<int:filter_id>/delete")
@login_required
def delete_filter(filter_id: int) -> Response:
    engine().saved_filters.delete(actor(), filter_id)
    flash(gettext("筛选已删除"), "info")
    return redirect(url_for("inbox.index"))


@bp.post("/inbox/bulk")
@login_required
def bulk() -> Response:
    """Claim, assign or complete the ticked tasks; say how each went."""
    action = request.form.get("action", "")
    user_id = request.form.get("user_id", type=int)
    try:
        results = engine().tasks.bulk(actor(), action, request.form.getlist("task_ids"), user_id=user_id)
    except InvalidData as invalid:
        flash(content_list(invalid.errors.values()), "error")
        return redirect(url_for("inbox.index"))
    done = [r for r in results if r["ok"]]
    label = gettext(BULK_LABELS[action])
    flash(gettext("批量%(action)s：成功 %(done)s 项，失败 %(failed)s 项", action=label, done=len(done),
                  failed=len(results) - len(done)), "success")
    for failed in (r for r in results if not r["ok"]):
        fields = "、".join(failed.get("errors") or {})
        detail = gettext("（字段：%(fields)s）", fields=fields) if fields else ""
        message = gettext("任务 %(task)s 未能%(action)s：%(error)s", task=failed["id"][:8], action=label,
                          error=content_label(failed["error"]))
        flash(message + detail, "error")
    return redirect(url_for("inbox.index"))
