"""Template helpers and JSON encoding shared by every blueprint."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext
from markdown_it import MarkdownIt
from markupsafe import Markup

from engine.i18n import N_
from engine.roles import ROLES

from .context import actor

STATUS_LABELS = {"running": N_("办理中"), "completed": N_("已办结"), "error": N_("异常"), "cancelled": N_("已取消"),
                 "suspended": N_("已挂起")}
ACTION_LABELS = {
    "instance_started": N_("发起流程"),
    "task_completed": N_("办理任务"),
    "task_claimed": N_("认领任务"),
    "task_unclaimed": N_("退回认领"),
    "task_assigned": N_("指派任务"),
    "operator_ran": N_("系统处理"),
    "timer_fired": N_("定时触发"),
    "incident": N_("运行异常"),
    "instance_completed": N_("流程办结"),
    "attachment_added": N_("上传附件"),
    "comment_added": N_("发表意见"),
    "instance_suspended": N_("挂起流程"),
    "instance_resumed": N_("恢复流程"),
    "instance_cancelled": N_("撤销流程"),
    "incident_retried": N_("重试异常环节"),
    "instance_migrated": N_("迁移到新版本"),
    "instance_migration_refused": N_("迁移未执行"),
}


_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_markdown(text: str) -> Markup:
    """Model instructions as HTML; raw HTML in the source is escaped, never passed through."""
    return Markup(_MARKDOWN.render(text or ""))  # noqa: S704 - html disabled above


class IsoJSONProvider(DefaultJSONProvider):
    """Dates in the API are ISO 8601 with their offset, not HTTP dates; keys keep their order.

    Key order carries meaning in JSON Schemas (a form without `ui:order` shows its fields in
    the order of `properties`), so a schema read and saved through the API must not be sorted.
    """

    sort_keys = False

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, (datetime, date)):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def register_template_helpers(app: Flask) -> None:
    zone = ZoneInfo(app.config["DIAGFLOW_TIMEZONE"])

    def local_time(value: datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    def deadline(value: datetime | None) -> str:
        """A deadline at midnight reads as 24:00 of the day before, as the guide counts days."""
        if not value:
            return ""
        local = value.astimezone(zone)
        if (local.hour, local.minute, local.second) == (0, 0, 0):
            return f"{(local - timedelta(days=1)):%Y-%m-%d} 24:00"
        return local.strftime("%Y-%m-%d %H:%M")

    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(deadline, "deadline")
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(lambda role: gettext(ROLES[role]) if role in ROLES else role, "role_label")
    app.add_template_filter(lambda status: gettext(STATUS_LABELS[status]) if status in STATUS_LABELS else status,
                            "status_label")
    app.add_template_filter(lambda action: gettext(ACTION_LABELS[action]) if action in ACTION_LABELS else action,
                            "action_label")
    app.context_processor(lambda: {"current_actor": actor(), "ROLES": ROLES})
