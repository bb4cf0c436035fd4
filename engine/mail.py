"""E-mail for notifications that ask someone to act, sent through SMTP by the outbox.

A notification of a kind in MAIL_KINDS that reaches users with an e-mail address queues one
`email` effect in the notification's own transaction, so a change that rolls back sends
nothing. SMTP settings come from the environment (DIAGFLOW_SMTP_HOST, _PORT, _USER, _PASSWORD,
_FROM, _STARTTLS); without a host mail is off: nothing is queued and the log and /healthz say so.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .clock import Clock
from .models import Notification, User
from .notifications import on_notify
from .outbox import effect, enqueue
from .roles import DISTRICT_ROLES, ORGANISATION_ROLES

if TYPE_CHECKING:
    from .services import ProcessEngine

MAIL_KINDS = frozenset({"assignment", "reminder", "escalation", "correction", "payment"})
SMTP_TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    sender: str
    starttls: bool

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> SmtpSettings | None:
        """The settings, or None when no host is set (mail off)."""
        host = environ.get("DIAGFLOW_SMTP_HOST", "").strip()
        if not host:
            return None
        return cls(
            host=host,
            port=int(environ.get("DIAGFLOW_SMTP_PORT", "25")),
            user=environ.get("DIAGFLOW_SMTP_USER", ""),
            password=environ.get("DIAGFLOW_SMTP_PASSWORD", ""),
            sender=environ.get("DIAGFLOW_SMTP_FROM", "diagflow@localhost"),
            starttls=environ.get("DIAGFLOW_SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
        )


def status() -> str:
    """How mail goes, for the log and /healthz: "off" or the SMTP server."""
    settings = SmtpSettings.from_environment()
    return f"smtp {settings.host}:{settings.port}" if settings else "off (DIAGFLOW_SMTP_HOST not set)"


def recipients(session: Session, notification: Notification) -> list[str]:
    """E-mail addresses of the active users a notification reaches (the user, or the role in scope)."""
    query = select(User.email).where(User.is_active.is_(True), User.email.is_not(None), User.email != "")
    if notification.user_id is not None:
        query = query.where(User.id == notification.user_id)
    else:
        query = query.where(User.role == notification.role)
        if notification.role in DISTRICT_ROLES:
            query = query.where(User.district == notification.district)
        if notification.role in ORGANISATION_ROLES:
            query = query.where(User.organisation_id == notification.organisation_id)
    return sorted(set(session.scalars(query)))


def queue_mail(session: Session, clock: Clock, notification: Notification) -> None:
    """Queue the e-mail of a notification that asks someone to act (see MAIL_KINDS)."""
    if notification.kind not in MAIL_KINDS or SmtpSettings.from_environment() is None:
        return
    addresses = recipients(session, notification)
    if not addresses:
        return
    body = notification.title
    if notification.link:
        body += f"\n\n请登录济南市数字化转型诊断工作平台办理：{notification.link}"
    enqueue(session, clock, "email", {"to": addresses, "subject": notification.title[:200], "body": body},
            instance_id=notification.instance_id)


@effect("email")
def send_email(payload: dict[str, Any], engine: ProcessEngine) -> None:
    """Deliver one queued e-mail; any SMTP failure raises, so the outbox retries it."""
    settings = SmtpSettings.from_environment()
    if settings is None:
        raise RuntimeError("mail is off: DIAGFLOW_SMTP_HOST is not set")
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(payload["to"])
    message["Subject"] = payload["subject"]
    message.set_content(payload["body"])
    with smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password)
        smtp.send_message(message)


on_notify(queue_mail)
