"""Notifications: the centre (unread count in the header, mark read per user) and e-mail through SMTP.

The e-mail test starts a real SMTP server (aiosmtpd) on a free local port; the escalation of an
overdue task must arrive there, through the outbox, addressed to the supervising role's users.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime
from email import message_from_bytes, policy
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from tests.engine.test_reminders import deploy
from tests.webui.test_pages import csrf_token, sign_in


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch) -> Iterator[Inbox]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("DIAGFLOW_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("DIAGFLOW_SMTP_PORT", str(port))
    monkeypatch.setenv("DIAGFLOW_SMTP_FROM", "noreply@diagflow.example.com")
    yield inbox
    controller.stop()


def overdue_chore(engine, clock) -> None:
    """A district task due in two working days, then past due: the sweep escalates it to the city."""
    deploy(engine, dueWorkingDays="2")
    clock.set(datetime.fromisoformat("2026-03-02T09:00:00+08:00"))
    engine.instances.start("district_chore", engine.identity.authenticate("lixia_bureau", "jinan-demo-2026"))
    clock.set(datetime.fromisoformat("2026-03-05T00:00:01+08:00"))
    assert engine.reminders.run() == (1, 1)


def test_an_escalation_is_mailed_to_the_city_bureau(sqlite_engine, clock, smtp) -> None:
    overdue_chore(sqlite_engine, clock)
    escalations = [(to, m) for to, m in smtp.messages if m["Subject"].startswith("督办")]
    assert len(escalations) == 1
    recipients, message = escalations[0]
    assert recipients == ["city@example.com", "city_leader@example.com"]
    assert message["From"] == "noreply@diagflow.example.com"
    assert "区县核查" in message["Subject"] and "/instances/" in message.get_content()
    reminder = [to for to, m in smtp.messages if m["Subject"].startswith("「区县核查」将于")]
    assert reminder == [["lixia_bureau@example.com"]]
    assert sqlite_engine.outbox.counts() == {"delivered": 2}


def test_without_an_smtp_host_nothing_is_queued_and_health_says_so(app, clock, monkeypatch) -> None:
    monkeypatch.delenv("DIAGFLOW_SMTP_HOST", raising=False)
    engine = app.extensions["diagflow"]
    overdue_chore(engine, clock)
    assert engine.outbox.counts() == {}
    assert app.test_client().get("/healthz").json["mail"] == "off (DIAGFLOW_SMTP_HOST not set)"


def test_the_centre_counts_unread_per_user_and_marks_read(app, clock, demo_password) -> None:
    engine = app.extensions["diagflow"]
    overdue_chore(engine, clock)
    client, leader = app.test_client(), app.test_client()
    sign_in(client, "city", demo_password)
    sign_in(leader, "city_leader", demo_password)
    page = client.get("/notifications").get_data(as_text=True)
    assert 'aria-label="1 条未读"' in page and "督办：「区县核查」" in page
    note_id = engine.notifications.for_actor(engine.identity.authenticate("city", demo_password))[0]["id"]
    marked = client.post("/notifications/read", data={"csrf_token": csrf_token(page), "id": note_id})
    assert marked.status_code == 302
    assert "条未读" not in client.get("/").get_data(as_text=True)
    leader_page = leader.get("/").get_data(as_text=True)
    assert 'aria-label="1 条未读"' in leader_page
    foreign = leader.post("/notifications/read", data={"csrf_token": csrf_token(leader_page), "id": 10**6})
    assert foreign.status_code == 404



def test_a_notification_is_shown_in_the_readers_language(app, clock, demo_password) -> None:
    """The title is stored with its template and values: Chinese as it was for one reader, English
    for a reader who switched (the task's name is the test model's own, so it stays as written)."""
    overdue_chore(app.extensions["diagflow"], clock)
    client = app.test_client()
    sign_in(client, "city", demo_password)
    page = client.get("/notifications").get_data(as_text=True)
    assert "督办：「区县核查」已于 2026-03-05 00:00 超期未办" in page
    client.post("/language", data={"lang": "en", "next": "/notifications", "csrf_token": csrf_token(page)})
    page = client.get("/notifications").get_data(as_text=True)
    assert "Escalation: “区县核查” has been overdue since 2026-03-05 00:00" in page and "督办" not in page
