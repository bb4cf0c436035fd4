"""What the public may read and how often it may submit: the service behind the pages that
need no sign-in (第十四条(六) 社会公示, 第九条 the provider list published in batches).

Reads expose only what was published: an announcement's title, legal basis, items, period
and the contacts the city entered when it published (never objections, nor who filed them),
and the provider list by batch. Periods are counted on the stored working-day calendar.

Objections themselves are taken by `handlers.plans.file_objection`; this service only
rate-limits well-formed submissions per client (a keyed hash of its address, made by the
caller) — per announcement and in all — so a flood cannot bury the city bureau in tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from .access import Actor
from .calendar import CalendarService
from .clock import SHANGHAI, Clock
from .errors import EngineError, NotFound
from .i18n import N_, Text
from .models import PublicSubmission
from .records.plans import (
    ANNOUNCEMENT_OPEN,
    announcement_detail,
    objection_detail,
    objection_list,
    published_announcements,
)
from .records.providers import published_list
from .workdays import WorkingCalendar


@dataclass(frozen=True)
class Limit:
    """At most `count` submissions within `window`."""

    count: int
    window: timedelta


# One objection per item is the normal case and an announcement has a handful of items; five an
# hour to one announcement and twenty a day in all leave room for an office behind one address.
PER_ANNOUNCEMENT = Limit(5, timedelta(hours=1))
PER_CLIENT = Limit(20, timedelta(days=1))


class TooManySubmissions(EngineError):
    """The client submitted too often; `retry_after` says when it may try again (429)."""

    def __init__(self, message: str, retry_after: datetime) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def announcement_period(starts_at: datetime, ends_at: datetime, status: str, now: datetime,
                        calendar: WorkingCalendar) -> dict[str, Any]:
    """The period as people read it: first and last day (ends_at is 24:00 of the last day),
    whether objections are taken now, and the working days left counting today (0 when closed).
    `provisional`: the count touches a year whose holidays are not published yet."""
    first_day = starts_at.astimezone(SHANGHAI).date()
    last_day = (ends_at.astimezone(SHANGHAI) - timedelta(microseconds=1)).date()
    today = now.astimezone(SHANGHAI).date()
    is_open = status == ANNOUNCEMENT_OPEN and starts_at <= now < ends_at
    left = calendar.between(today - timedelta(days=1), last_day) if is_open else 0
    return {
        "first_day": first_day,
        "last_day": last_day,
        "open": is_open,
        "working_days_left": left,
        "provisional": is_open and calendar.provisional(today, last_day),
    }


def batches(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Provider list rows (oldest batch first) grouped by batch, in the same order."""
    grouped: list[dict[str, Any]] = []
    for row in rows:
        if not grouped or grouped[-1]["name"] != row["batch_name"]:
            grouped.append({"name": row["batch_name"], "published_on": row["published_at"].astimezone(SHANGHAI).date(),
                            "providers": []})
        grouped[-1]["providers"].append(row)
    return grouped


class PublicService:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock, calendar: CalendarService,
                 limits: tuple[Limit, Limit] = (PER_ANNOUNCEMENT, PER_CLIENT)) -> None:
        self._sessions = sessions
        self._clock = clock
        self._calendar = calendar
        self._per_announcement, self._per_client = limits

    def announcements(self) -> list[dict[str, Any]]:
        """Every published announcement, newest first, each with its period."""
        with self._sessions() as session:
            listed = published_announcements(session)
        return [self._with_period(summary) for summary in listed]

    def announcement(self, announcement_id: int) -> dict[str, Any]:
        """One announcement as published (items with their ids, contacts) and its period."""
        with self._sessions() as session:
            detail = announcement_detail(session, announcement_id)
        if detail is None:
            raise NotFound(N_("公示 %(announcement_id)s 不存在", announcement_id=announcement_id))
        return self._with_period(detail)

    def _with_period(self, summary: dict[str, Any]) -> dict[str, Any]:
        period = announcement_period(summary["starts_at"], summary["ends_at"], summary["status"],
                                     self._clock.now(), self._calendar.current())
        return summary | {"period": period}

    def provider_batches(self) -> list[dict[str, Any]]:
        """The provider list as published, batch by batch (oldest first)."""
        with self._sessions() as session:
            return batches(published_list(session))

    def objections(self, actor: Actor) -> list[dict[str, Any]]:
        """Every objection that came in through the public form, newest first, with who filed
        it: for the city bureau only."""
        with self._sessions() as session:
            return objection_list(session, actor)

    def objector(self, actor: Actor, objection_id: int) -> dict[str, Any]:
        """An objection filed through the public form together with who filed it: for the
        city bureau only (Forbidden for everyone else — the objector's identity is confidential)."""
        with self._sessions() as session:
            return objection_detail(session, actor, objection_id)

    def admit(self, client_key: str, announcement_id: int) -> None:
        """Count one submission by `client_key` to the announcement, or refuse it with
        TooManySubmissions when a limit is reached (a refused one is not counted). Entries
        older than the longest window are dropped on the way."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            oldest = max(self._per_announcement.window, self._per_client.window)
            session.execute(delete(PublicSubmission).where(PublicSubmission.submitted_at < now - oldest))
            self._check(session, client_key, announcement_id, self._per_announcement, now)
            self._check(session, client_key, None, self._per_client, now)
            session.add(PublicSubmission(client_key=client_key, announcement_id=announcement_id, submitted_at=now))

    @staticmethod
    def _check(session: Session, client_key: str, announcement_id: int | None, limit: Limit, now: datetime) -> None:
        """Refuse when `limit` is reached: to this announcement if one is given, else in all."""
        query = select(func.count(), func.min(PublicSubmission.submitted_at)).where(
            PublicSubmission.client_key == client_key, PublicSubmission.submitted_at > now - limit.window)
        if announcement_id is not None:
            query = query.where(PublicSubmission.announcement_id == announcement_id)
        count, earliest = session.execute(query).one()
        if count >= limit.count:
            retry_after = earliest + limit.window
            values = {"window": _window_text(limit.window), "count": limit.count,
                      "retry_at": f"{retry_after.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"}
            if announcement_id is not None:
                message = N_("提交过于频繁：同一网络地址对本公示在 %(window)s内最多提交 %(count)s 次异议，"
                             "请于 %(retry_at)s 后再试", **values)
            else:
                message = N_("提交过于频繁：同一网络地址在 %(window)s内最多提交 %(count)s 次异议，"
                             "请于 %(retry_at)s 后再试", **values)
            raise TooManySubmissions(message, retry_after)


def _window_text(window: timedelta) -> Text:
    hours = int(window.total_seconds() // 3600)
    return N_("%(days)s 天", days=hours // 24) if hours % 24 == 0 else N_("%(hours)s 小时", hours=hours)
