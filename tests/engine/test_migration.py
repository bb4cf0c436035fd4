"""Versions and migration: instances keep their version when a new one is deployed; a dry run
says per instance whether it can move to another version and why not; a batch moves each
instance in its own transaction, re-attached to the target's spec, and leaves the refused ones
exactly as they were."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.errors import Forbidden
from engine.models import AuditEvent, Instance
from engine.repository import read_folder
from tests.engine.test_repository import DIAGNOSIS
from tests.modelkit import Node, linear_model, note_form, user_task
from tests.support import Scenario

FORMS = {"forms/note.schema.json": note_form()}


def deploy(engine, *steps: Node) -> int:
    model = linear_model("mig", "city_bureau", list(steps), starter_roles="city_bureau")
    return engine.repository.deploy("mig", {"mig.bpmn": model, **FORMS}, "tests").version


def task(name: str) -> Node:
    return user_task(name, name, "note")


class Owner:
    """The city bureau driving instances of the `mig` test process."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.city = Scenario(engine).actor("city")

    def start(self) -> int:
        return self.engine.instances.start("mig", self.city)

    def waiting_at(self, instance_id: int) -> list[str]:
        return [t["bpmn_id"] for t in self.engine.tasks.inbox(self.city, instance_id=instance_id)[0]]

    def complete(self, instance_id: int, bpmn_id: str) -> None:
        (row,) = [t for t in self.engine.tasks.inbox(self.city, instance_id=instance_id)[0] if t["bpmn_id"] == bpmn_id]
        self.engine.tasks.complete(self.city, row["id"], {})

    def row(self, instance_id: int) -> Instance:
        with self.engine.sessions() as session:
            return session.get(Instance, instance_id)


def test_dry_run_and_batch_migration(engine) -> None:
    owner = Owner(engine)
    deploy(engine, task("t1"), task("t2"))
    at_t1, at_t2, untouched = owner.start(), owner.start(), owner.start()
    owner.complete(at_t2, "t1")
    assert deploy(engine, task("t1"), task("t_new")) == 2
    assert owner.waiting_at(at_t1) == ["t1"] and owner.row(at_t1).process_version_id != owner.row(owner.start()).process_version_id

    migration = engine.owner.migration
    plan = migration.plan(owner.city, "mig", 1, 2)
    dry = {row["instance_id"]: row for row in migration.dry_run(plan, [at_t1, at_t2])}
    assert dry[at_t1]["can_migrate"] and dry[at_t1]["reasons"] == []
    assert not dry[at_t2]["can_migrate"]
    assert dry[at_t2]["reasons"][0].startswith("环节「t2」(t2)（待办理，READY）在目标版本中不存在：请在目标版本中保留 id 为 t2 的环节")
    assert owner.row(at_t1).process_version_id == owner.row(untouched).process_version_id

    before = owner.row(at_t2)
    results = {r["instance_id"]: r for r in migration.migrate(plan, owner.city, [at_t1, at_t2])}
    assert results[at_t1]["migrated"] and not results[at_t2]["migrated"]
    after = owner.row(at_t2)
    assert (after.serialized, after.process_version_id, after.lock_version) == (
        before.serialized, before.process_version_id, before.lock_version)

    owner.complete(at_t1, "t1")
    assert owner.waiting_at(at_t1) == ["t_new"]
    owner.complete(untouched, "t1")
    assert owner.waiting_at(untouched) == ["t2"]
    with engine.sessions() as session:
        actions = dict(session.execute(select(AuditEvent.instance_id, AuditEvent.action).where(
            AuditEvent.action.in_(["instance_migrated", "instance_migration_refused"]))).all())
    assert actions == {at_t1: "instance_migrated", at_t2: "instance_migration_refused"}


def test_a_changed_element_type_is_refused_and_only_the_city_bureau_migrates(sqlite_engine) -> None:
    owner = Owner(sqlite_engine)
    deploy(sqlite_engine, task("t1"))
    instance_id = owner.start()
    deploy(sqlite_engine, Node("manualTask", "t1", "t1"))
    migration = sqlite_engine.owner.migration
    (row,) = migration.dry_run(migration.plan(owner.city, "mig", 1, 2))
    assert row["instance_id"] == instance_id and not row["can_migrate"]
    assert row["reasons"][0].startswith("环节「t1」(t1)（待办理，READY）的类型由 用户任务（UserTask） 变为 人工任务（ManualTask）：")
    with pytest.raises(Forbidden):
        migration.plan(Scenario(sqlite_engine).actor("lixia_bureau"), "mig", 1, 2)


def test_a_diagnosis_project_under_way_moves_to_a_new_version_and_goes_on(sqlite_engine) -> None:
    project = Scenario(sqlite_engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    files = read_folder(DIAGNOSIS)
    files["diagnosis_project.bpmn"] = files["diagnosis_project.bpmn"].replace(
        "填报诊断合同备案".encode(), "填报诊断合同备案（新版）".encode())
    sqlite_engine.repository.deploy("diagnosis_project", files, "tests")
    migration = sqlite_engine.owner.migration
    plan = migration.plan(project.actor("city"), "diagnosis_project", 1, 2)
    assert migration.migrate(plan, project.actor("city"), [project.instance_id])[0]["migrated"]
    assert sqlite_engine.instances.get(project.actor("city"), project.instance_id)["version"] == 2
    project.district_returns_filing()
    assert project.task_of("provider_a", "file_contract")["name"] == "填报诊断合同备案（新版）"
    project.provider_files_contract().enterprise_confirms_filing().district_accepts_filing().provider_submits_report()
    assert "confirm_assessment" in project.waiting_at()


def test_the_batch_checks_each_instance_again(sqlite_engine) -> None:
    owner = Owner(sqlite_engine)
    deploy(sqlite_engine, task("t1"), task("t2"))
    instance_id = owner.start()
    deploy(sqlite_engine, task("t1"), task("t_new"))
    migration = sqlite_engine.owner.migration
    plan = migration.plan(owner.city, "mig", 1, 2)
    assert migration.dry_run(plan)[0]["can_migrate"]
    owner.complete(instance_id, "t1")
    (result,) = migration.migrate(plan, owner.city)
    assert not result["migrated"] and result["reasons"][0].startswith("环节「t2」(t2)（待办理，READY）在目标版本中不存在")
    assert owner.waiting_at(instance_id) == ["t2"]
