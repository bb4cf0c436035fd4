"""Claim, unclaim and assign: audited, limited to colleagues of the same role and scope."""

from __future__ import annotations

import pytest

from engine.errors import Conflict, InvalidData
from tests.support import FILING, Scenario


@pytest.fixture
def review(sqlite_engine) -> tuple[Scenario, dict]:
    project = Scenario(sqlite_engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    return project, project.task_of("lixia_bureau", "review_filing")


def colleague(engine, username: str, district: str) -> int:
    return engine.identity.ensure_user(username, "a-long-password-2026", "同事", "district_bureau", district=district)


def test_assign_to_a_colleague_of_the_same_district(review) -> None:
    project, task = review
    engine = project.engine
    lixia_colleague = colleague(engine, "lixia_bureau_2", "历下区")
    engine.tasks.assign(project.actor("lixia_bureau"), task["id"], lixia_colleague)
    assert project.task_of("lixia_bureau", "review_filing")["assignee"] == lixia_colleague

    with pytest.raises(Conflict):
        engine.tasks.complete(project.actor("lixia_bureau"), task["id"], {"filing_decision": "accept"})
    newcomer = engine.identity.authenticate("lixia_bureau_2", "a-long-password-2026")
    engine.tasks.complete(newcomer, task["id"], {"filing_decision": "accept"})
    history = engine.instances.get(project.actor("city"), project.instance_id)["history"]
    assigned = [h for h in history if h["action"] == "task_assigned"]
    assert assigned[0]["actor"] == "lixia_bureau" and assigned[0]["details"] == {"assignee": lixia_colleague}


def test_assign_outside_the_scope_is_refused(review) -> None:
    project, task = review
    licheng = colleague(project.engine, "licheng_bureau_2", "历城区")
    with pytest.raises(InvalidData) as refused:
        project.engine.tasks.assign(project.actor("lixia_bureau"), task["id"], licheng)
    assert "user_id" in refused.value.errors
    with pytest.raises(InvalidData):
        project.engine.tasks.assign(project.actor("lixia_bureau"), task["id"], project.actor("provider_a").user_id)


def test_claimed_task_cannot_be_claimed_by_another(sqlite_engine) -> None:
    project = Scenario(sqlite_engine).start("provider_a")
    task = project.task_of("provider_a", "file_contract")
    second = sqlite_engine.identity.ensure_user(
        "provider_a_2", "a-long-password-2026", "同事", "provider", organisation_id=project.organisation_id("provider_a")
    )
    sqlite_engine.tasks.claim(project.actor("provider_a"), task["id"])
    other = sqlite_engine.identity.authenticate("provider_a_2", "a-long-password-2026")
    assert other.user_id == second
    with pytest.raises(Conflict):
        sqlite_engine.tasks.claim(other, task["id"])
    with pytest.raises(Conflict):
        sqlite_engine.tasks.complete(other, task["id"], FILING | {"enterprise_id": project.organisation_id("enterprise_a")})
    actions = [h["action"] for h in sqlite_engine.instances.get(project.actor("city"), project.instance_id)["history"]]
    assert actions == ["instance_started", "task_claimed"]
