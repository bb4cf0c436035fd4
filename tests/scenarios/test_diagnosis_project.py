"""第十一条–第十二条: filing, district review, report, self-assessment and satisfaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from engine.errors import Forbidden
from engine.records.projects import Filing
from engine.records.providers import ProviderListing
from tests.support import Scenario


def test_happy_path_runs_from_filing_to_satisfaction(engine) -> None:
    project = Scenario(engine).start("provider_a")
    assert project.waiting_at() == ["file_contract"]

    project.provider_files_contract()
    assert project.waiting_at() == ["confirm_filing"]
    confirm = engine.tasks.get(project.actor("enterprise_a"), project.task_of("enterprise_a", "confirm_filing")["id"])
    assert ("企业", "济南明泉精密机械有限公司（历下区）") in confirm.facts
    assert ("合同编号", "JNZD-2026-001") in confirm.facts
    project.enterprise_confirms_filing()
    assert project.waiting_at() == ["review_filing"]
    project.district_accepts_filing()
    assert project.waiting_at() == ["submit_report"]
    report = engine.tasks.get(project.actor("provider_a"), project.task_of("provider_a", "submit_report")["id"])
    assert ("确认联合备案", "确认") in report.facts and ("审核结论", "受理备案") in report.facts
    project.provider_submits_report()
    assert project.waiting_at() == ["confirm_assessment"]
    project.enterprise_confirms_assessment()

    assert project.status() == "completed"
    assert project.waiting_at() == []
    history = engine.instances.get(project.actor("city"), project.instance_id)["history"]
    actions = [(event["action"], event["actor"]) for event in history]
    assert actions[0] == ("instance_started", "provider_a")
    assert ("task_completed", "lixia_bureau") in actions
    assert actions[-1] == ("instance_completed", "enterprise_a")


def test_filing_puts_the_project_in_the_enterprise_district(engine) -> None:
    project = Scenario(engine).start("provider_a").provider_files_contract(enterprise="enterprise_b")
    with engine.sessions() as session:
        filing = session.scalar(select(Filing).where(Filing.instance_id == project.instance_id))
    assert (filing.district, filing.contract_no, filing.revision) == ("历城区", "JNZD-2026-001", 1)
    assert len(filing.working_group) == 2
    project.enterprise_confirms_filing("enterprise_b")
    assert project.task_of("licheng_bureau", "review_filing")["district"] == "历城区"
    assert engine.tasks.inbox(project.actor("lixia_bureau"))[1] == 0


def test_district_returns_filing_and_provider_revises(engine) -> None:
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    project.district_returns_filing()
    assert project.waiting_at() == ["file_contract"]

    revision = engine.tasks.get(project.actor("provider_a"), project.task_of("provider_a", "file_contract")["id"])
    assert revision.data["review_comment"] == "缺少工作组联系方式"
    assert ("审核意见", "缺少工作组联系方式") in revision.facts

    project.provider_files_contract().enterprise_confirms_filing().district_accepts_filing()
    assert project.waiting_at() == ["submit_report"]
    with engine.sessions() as session:
        assert session.scalar(select(Filing.revision).where(Filing.instance_id == project.instance_id)) == 2


def test_enterprise_declines_joint_filing(engine) -> None:
    project = Scenario(engine).start("provider_a").provider_files_contract()
    project.enterprise_confirms_filing(confirmed=False)
    assert project.waiting_at() == ["file_contract"]


def test_a_suspended_provider_cannot_file_new_projects(engine) -> None:
    project = Scenario(engine)
    with engine.sessions.begin() as session:
        session.execute(
            update(ProviderListing)
            .where(ProviderListing.organisation_id == project.organisation_id("provider_a"))
            .values(status="suspended", reason="诊断报告质量不合格")
        )
    with pytest.raises(Forbidden, match="已被暂停（诊断报告质量不合格）"):
        project.start("provider_a")
