"""The audit log is tamper-evident: a changed, inserted or deleted row is found and named."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from engine.audit_verify import verify
from engine.models import AuditEvent
from tests.support import Scenario
from webui.cli import cli


def completed_project(engine) -> int:
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    project.district_accepts_filing()
    return project.instance_id


def problems(engine) -> list[str]:
    with engine.sessions() as session:
        return verify(session)


def event_row(engine, instance_id: int, action: str) -> AuditEvent:
    with engine.sessions() as session:
        return session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                        AuditEvent.action == action)).first()


def test_an_untouched_log_verifies(engine) -> None:
    completed_project(engine)
    assert problems(engine) == []


def test_a_changed_row_is_named(engine) -> None:
    instance_id = completed_project(engine)
    target = event_row(engine, instance_id, "task_completed")
    with engine.sessions.begin() as session:
        session.execute(update(AuditEvent).where(AuditEvent.id == target.id)
                        .values(details={"after": {"filing_decision": "return"}}))
    assert problems(engine) == [f"instance:{instance_id}: seq {target.seq} (row id {target.id}, task_completed) "
                                "was changed after it was written"]


def test_a_deleted_row_is_named(engine) -> None:
    instance_id = completed_project(engine)
    target = event_row(engine, instance_id, "operator_ran")
    with engine.sessions.begin() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id == target.id))
    found = problems(engine)
    assert len(found) == 2 and f"before seq {target.seq + 1}" in found[0] and "deleted" in found[0]


def test_deleting_the_newest_rows_is_found(engine) -> None:
    instance_id = completed_project(engine)
    with engine.sessions.begin() as session:
        newest = session.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.instance_id == instance_id))
        session.execute(delete(AuditEvent).where(AuditEvent.instance_id == instance_id, AuditEvent.seq == newest))
    assert problems(engine) == [f"instance:{instance_id}: the newest event(s) after seq {newest - 1} were deleted "
                                f"(head says seq {newest})"]


def test_an_inserted_row_is_found(engine) -> None:
    instance_id = completed_project(engine)
    first = event_row(engine, instance_id, "instance_started")
    with engine.sessions.begin() as session:
        forged = AuditEvent(at=first.at, instance_id=instance_id, actor_name="intruder", action="task_completed",
                            details={}, chain=first.chain, seq=2, prev_hash=first.hash, hash="0" * 64)
        session.execute(update(AuditEvent).where(AuditEvent.chain == first.chain, AuditEvent.seq >= 2)
                        .values(seq=AuditEvent.seq + 1000))
        session.add(forged)
    found = problems(engine)
    assert any("seq 2" in p and "changed" in p for p in found)
    assert any("does not follow its predecessor" in p or "deleted" in p for p in found)


def test_cli_verify_exits_nonzero_on_tampering(app) -> None:
    engine = app.extensions["diagflow"]
    instance_id = completed_project(engine)
    runner = app.test_cli_runner()
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0
    target = event_row(engine, instance_id, "task_completed")
    with engine.sessions.begin() as session:
        session.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(actor_name="someone_else"))
    result = runner.invoke(cli, ["audit", "verify"])
    assert result.exit_code == 1 and f"row id {target.id}" in result.output
