"""Inbox filters, sort orders and pages on the task index; delegate, give back and bulk actions.

One engine serves the module (building one deploys every model); each test makes its own
instances and looks only at its own provider's or district's tasks.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from engine.clock import MovableClock
from engine.errors import Conflict, InvalidData
from engine.models import TaskIndexRow
from engine.task_index import InboxQuery
from tests.conftest import START, build_engine
from tests.support import Scenario


@pytest.fixture(scope="module")
def shared_engine(tmp_path_factory):  # noqa: ANN201 - a ProcessEngine
    engine = build_engine(f"sqlite:///{tmp_path_factory.mktemp('inbox') / 'diagflow.db'}", MovableClock(START))
    yield engine
    engine.dispose()


def accepted_project(engine, provider: str, enterprise: str, bureau: str) -> Scenario:
    """A project the district accepted: the provider's report task waits in the enterprise's district."""
    project = Scenario(engine).start(provider).provider_files_contract(provider, enterprise)
    return project.enterprise_confirms_filing(enterprise).district_accepts_filing(bureau)


def three_tasks(engine, provider: str) -> tuple[Scenario, dict[str, str]]:
    """The provider's tasks: a report in 历下区, a report in 历城区, a filing not yet made."""
    lixia = accepted_project(engine, provider, "enterprise_a", "lixia_bureau")
    engine.clock.advance(timedelta(minutes=5))
    licheng = accepted_project(engine, provider, "enterprise_b", "licheng_bureau")
    engine.clock.advance(timedelta(minutes=5))
    fresh = Scenario(engine).start(provider)
    ids = {
        "lixia": lixia.task_of(provider, "submit_report")["id"],
        "licheng": licheng.task_of(provider, "submit_report")["id"],
        "fresh": fresh.task_of(provider, "file_contract")["id"],
    }
    return lixia, ids


def found(engine, actor, **filters) -> list[str]:
    items, total = engine.tasks.inbox(actor, query=InboxQuery(**filters))
    assert total == len(items)
    return [item["id"] for item in items]


def set_index(engine, task_id: str, **values) -> None:
    """Due times and priorities come from model properties; here they are set on the index row."""
    with engine.sessions.begin() as session:
        session.execute(update(TaskIndexRow).where(TaskIndexRow.task_uuid == task_id).values(**values))


def test_filters_sort_orders_and_pages(shared_engine) -> None:
    project, ids = three_tasks(shared_engine, "provider_a")
    engine, provider = project.engine, project.actor("provider_a")
    assert set(found(engine, provider, process="diagnosis_project")) == set(ids.values())
    assert found(engine, provider, process="star_rating") == []
    report = engine.tasks.get(provider, ids["lixia"]).task["name"]
    assert set(found(engine, provider, stage=report)) == {ids["lixia"], ids["licheng"]}
    assert found(engine, provider, district="历城区") == [ids["licheng"]]

    now = engine.clock.now()
    set_index(engine, ids["lixia"], due_at=now + timedelta(days=1))
    set_index(engine, ids["licheng"], due_at=now - timedelta(hours=1))
    set_index(engine, ids["fresh"], priority=5)
    assert found(engine, provider, due="soon") == [ids["lixia"]]
    assert found(engine, provider, due="overdue") == [ids["licheng"]]
    assert found(engine, provider, sort="due") == [ids["licheng"], ids["lixia"], ids["fresh"]]
    assert found(engine, provider, sort="priority") == [ids["fresh"], ids["licheng"], ids["lixia"]]
    assert found(engine, provider, sort="created") == [ids["lixia"], ids["licheng"], ids["fresh"]]
    page, total = engine.tasks.inbox(provider, limit=1, offset=1, query=InboxQuery(sort="due"))
    assert ([item["id"] for item in page], total) == ([ids["lixia"]], 3)

    engine.tasks.claim(provider, ids["lixia"])
    assert found(engine, provider, claim="mine") == [ids["lixia"]]
    assert set(found(engine, provider, claim="unassigned")) == {ids["licheng"], ids["fresh"]}
    assert engine.tasks.count(provider, InboxQuery(claim="unassigned", due="overdue")) == 1


def test_due_order_puts_tasks_without_a_deadline_last_on_postgresql(postgres_url, clock) -> None:
    engine = build_engine(postgres_url, clock)
    try:
        first, second = (Scenario(engine).start("provider_b") for _ in range(2))
        later = second.task_of("provider_b", "file_contract")["id"]
        set_index(engine, later, due_at=clock.now() + timedelta(days=2))
        order = found(engine, first.actor("provider_b"), sort="due")
        assert order == [later, first.task_of("provider_b", "file_contract")["id"]]
    finally:
        engine.dispose()


def test_unknown_filter_values_name_the_field() -> None:
    with pytest.raises(InvalidData) as refused:
        InboxQuery.from_args({"sort": "random", "due": "later", "district": "区" * 41})
    assert set(refused.value.errors) == {"sort", "due", "district"}
    query = InboxQuery.from_args({"claim": "mine", "sort": "created", "stage": " 审核 "})
    assert query.as_args() == {"claim": "mine", "stage": "审核"}


@pytest.fixture
def review(shared_engine) -> tuple[Scenario, str, int]:
    engine = shared_engine
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    colleague = engine.identity.ensure_user("lixia_bureau_2", "a-long-password-2026", "历下区工信局 同事",
                                            "district_bureau", district="历下区")
    return project, project.task_of("lixia_bureau", "review_filing")["id"], colleague


def test_delegate_and_give_back_are_audited_and_notified(review) -> None:
    project, task_id, colleague_id = review
    engine, owner = project.engine, project.actor("lixia_bureau")
    with pytest.raises(Conflict, match="已认领"):
        engine.tasks.delegate(owner, task_id, colleague_id)
    engine.tasks.claim(owner, task_id)
    engine.tasks.delegate(owner, task_id, colleague_id)
    colleague = engine.identity.authenticate("lixia_bureau_2", "a-long-password-2026")
    assert project.task_of("lixia_bureau", "review_filing")["assignee"] == colleague_id
    assert [n["kind"] for n in engine.notifications.for_actor(colleague)] == ["assignment"]
    assert engine.tasks.handed_to(colleague, task_id)
    with pytest.raises(Conflict):
        engine.tasks.give_back(owner, task_id)
    engine.tasks.give_back(colleague, task_id)
    assert project.task_of("lixia_bureau", "review_filing")["assignee"] == owner.user_id
    history = engine.instances.get(project.actor("city"), project.instance_id)["history"]
    actions = [(h["action"], h["actor"]) for h in history if h["action"].startswith("task_")]
    assert actions[-3:] == [("task_claimed", "lixia_bureau"), ("task_delegated", "lixia_bureau"),
                            ("task_returned", "lixia_bureau_2")]

    engine.tasks.delegate(owner, task_id, colleague_id)
    engine.tasks.unclaim(colleague, task_id)
    engine.tasks.claim(colleague, task_id)
    assert not engine.tasks.handed_to(colleague, task_id)
    with pytest.raises(Conflict, match="不是他人转办"):
        engine.tasks.give_back(colleague, task_id)


def test_delegating_outside_the_scope_is_refused(review) -> None:
    project, task_id, _ = review
    engine, owner = project.engine, project.actor("lixia_bureau")
    engine.tasks.claim(owner, task_id)
    with pytest.raises(InvalidData) as refused:
        engine.tasks.delegate(owner, task_id, project.actor("licheng_bureau").user_id)
    assert set(refused.value.errors) == {"user_id"}
    assert project.task_of("lixia_bureau", "review_filing")["assignee"] == owner.user_id


def test_bulk_actions_report_each_task(shared_engine) -> None:
    project, ids = three_tasks(shared_engine, "provider_b")
    engine, provider = project.engine, project.actor("provider_b")
    results = engine.tasks.bulk(provider, "claim", [ids["lixia"], ids["licheng"], "no-such-task"])
    assert [(r["id"], r["ok"]) for r in results] == [(ids["lixia"], True), (ids["licheng"], True),
                                                     ("no-such-task", False)]
    before = engine.tasks.get(provider, ids["fresh"]).data
    results = engine.tasks.bulk(provider, "complete", [ids["fresh"]], data={"contract_no": "HT-1"})
    assert not results[0]["ok"] and "contract_date" in results[0]["errors"]
    assert engine.tasks.get(provider, ids["fresh"]).data == before
    with pytest.raises(InvalidData) as refused:
        engine.tasks.bulk(provider, "archive", [])
    assert set(refused.value.errors) == {"action", "task_ids"}


def test_page_counts_its_total_only_up_to_the_cap(engine, monkeypatch) -> None:
    projects = []
    for _ in range(3):
        projects.append(Scenario(engine).start("provider_a"))
        engine.clock.advance(timedelta(minutes=1))
    provider = projects[0].actor("provider_a")
    ids = [project.task_of("provider_a", "file_contract")["id"] for project in projects]

    monkeypatch.setattr(engine.tasks, "count_cap", 3)
    exact = engine.tasks.page(provider, limit=2)
    assert (exact.total, exact.total_capped, [item["id"] for item in exact.items]) == (3, False, ids[:2])

    monkeypatch.setattr(engine.tasks, "count_cap", 2)
    capped = engine.tasks.page(provider, limit=2, offset=2)
    assert (capped.total, capped.total_capped, [item["id"] for item in capped.items]) == (2, True, ids[2:])
    assert engine.tasks.inbox(provider)[1] == engine.tasks.count(provider, InboxQuery()) == 3
    assert engine.tasks.count_shown(provider, InboxQuery()) == "2+"
    assert engine.tasks.count_shown(provider, InboxQuery(claim="mine")) == "0"
