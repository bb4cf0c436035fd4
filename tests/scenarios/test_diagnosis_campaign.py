"""第三条 总量控制, 第十条–第十一条: the start notice with district quotas, district mobilisation
and matching, the filing window and its quota checks, district summaries, the city's table."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from engine.clock import SHANGHAI
from engine.errors import Forbidden, InvalidData
from engine.lint import check_diagram
from engine.models import Instance
from engine.operators import HandlerContext
from engine.records.campaigns import Campaign, DistrictQuota, DistrictSummary
from engine.records.projects import Filing
from tests.support import FILING, MOBILISATION, NOTICE, Scenario, diagram_problems

ROOT = Path(__file__).resolve().parents[2]
MODELS = ["diagnosis_campaign", "district_mobilisation", "diagnosis_project"]
DEMO_CAMPAIGN = "2026年度数字化转型诊断工作（演示）"
TEST_CAMPAIGN = "2026年度数字化转型诊断工作（测试）"


def filed(engine, provider: str, enterprise: str) -> Scenario:
    return Scenario(engine).start(provider).provider_files_contract(provider, enterprise)


def test_campaign_from_start_notice_to_the_citys_aggregated_table(engine, clock) -> None:
    Scenario(engine).close_campaigns()  # the demo data's campaign is over; this notice opens the next
    campaign = Scenario(engine).start("city", "diagnosis_campaign")
    assert campaign.waiting_at() == ["publish_notice"]
    campaign.city_publishes_notice()
    assert campaign.waiting_at() == [] and campaign.status() == "running"  # waiting for the window to end
    with engine.sessions() as session:
        published = session.get(Campaign, campaign.campaign_id)
        assert (published.status, published.window_start, published.window_end) == ("open", "2026-03-01", "2026-03-31")
        assert published.published_at is not None and published.instance_id == campaign.instance_id
        quotas = session.execute(select(DistrictQuota.district, DistrictQuota.quota)
                                 .where(DistrictQuota.campaign_id == campaign.campaign_id)).all()
        assert sorted(quotas) == [("历下区", 2), ("历城区", 1)]

    # 宣讲动员、供需对接: one task per district with a quota, each seen only by its own bureau.
    engine.timers.sweep()
    lixia, licheng = campaign.district_work("历下区"), campaign.district_work("历城区")
    assert lixia.waiting_at() == ["record_mobilisation"] and licheng.waiting_at() == ["record_mobilisation"]
    task = lixia.task_of("lixia_bureau", "record_mobilisation")
    assert task["district"] == "历下区"
    assert all(t["instance_id"] != lixia.instance_id for t in engine.tasks.inbox(lixia.actor("licheng_bureau"))[0])
    with pytest.raises(Forbidden):
        engine.tasks.get(lixia.actor("licheng_bureau"), task["id"])
    context = lixia.task_data("lixia_bureau", "record_mobilisation")
    assert (context["campaign_title"], context["quota"], context["window_end"]) == (NOTICE["title"], 2, "2026-03-31")
    lixia.district_records_mobilisation("lixia_bureau")
    licheng.district_records_mobilisation("licheng_bureau", meetings_held=1, enterprises_reached=12, matches_made=2)

    # Providers and enterprises file within the window and the quotas.
    first = filed(engine, "provider_a", "enterprise_a").enterprise_confirms_filing().district_accepts_filing()
    filed(engine, "provider_b", "enterprise_a").enterprise_confirms_filing("enterprise_a")
    filed(engine, "provider_a", "enterprise_b").enterprise_confirms_filing("enterprise_b").district_accepts_filing(
        "licheng_bureau"
    )
    with engine.sessions() as session:
        assert session.scalar(select(Filing.campaign_id).where(Filing.instance_id == first.instance_id)) == (
            campaign.campaign_id
        )

    # The window ends at 24:00 of its last day, Asia/Shanghai.
    clock.set(datetime(2026, 3, 31, 23, 59, tzinfo=SHANGHAI))
    engine.timers.sweep()
    assert lixia.waiting_at() == [] and campaign.waiting_at() == []
    clock.set(datetime(2026, 4, 1, 0, 0, 1, tzinfo=SHANGHAI))
    engine.timers.sweep()
    assert lixia.waiting_at() == ["report_summary"] and licheng.waiting_at() == ["report_summary"]
    assert campaign.waiting_at() == []  # the city waits until every district has reported

    summary = lixia.task_data("lixia_bureau", "report_summary")
    assert (summary["filing_count"], summary["accepted_count"], summary["pending_count"]) == (2, 1, 1)
    assert [(row["enterprise"], row["provider"], row["status"]) for row in summary["filing_rows"]] == [
        ("济南明泉精密机械有限公司", "济南数智诊断科技有限公司", "accepted"),
        ("济南明泉精密机械有限公司", "山东工赋咨询服务有限公司", "pending"),
    ]
    view = engine.tasks.get(lixia.actor("lixia_bureau"), lixia.task_of("lixia_bureau", "report_summary")["id"])
    assert ("召开宣讲动员会（场）", "2") in view.facts and ("本区县备案名额", "2") in view.facts
    lixia.district_reports_summary("lixia_bureau", comment="1个项目待审核，将于4月3日前办结。")
    assert campaign.waiting_at() == []  # 历城区 has not reported yet
    licheng.district_reports_summary("licheng_bureau")
    assert lixia.status() == "completed" and licheng.status() == "completed"
    assert campaign.waiting_at() == ["receive_summaries"]  # the last report's message woke the campaign
    table = campaign.task_data("city", "receive_summaries")
    assert [(r["district"], r["quota"], r["filings"], r["accepted"], r["pending"], r["meetings_held"])
            for r in table["summary_rows"]] == [("历下区", 2, 2, 1, 1, 2), ("历城区", 1, 1, 1, 0, 1)]
    assert table["summary_rows"][0]["district_comment"] == "1个项目待审核，将于4月3日前办结。"
    assert (table["summary_total"]["quota"], table["summary_total"]["filings"],
            table["summary_total"]["matches_made"]) == (3, 3, 8)
    view = engine.tasks.get(campaign.actor("city"), campaign.task_of("city", "receive_summaries")["id"])
    assert ("通知标题", NOTICE["title"]) in view.facts
    assert ("各区县备案名额", "区县（功能区） 历下区，备案名额（个） 2；区县（功能区） 历城区，备案名额（个） 1") in view.facts

    campaign.city_receives_summaries("各区县按期完成备案汇总。")
    assert campaign.status() == "completed"
    with engine.sessions() as session:
        closed = session.get(Campaign, campaign.campaign_id)
        assert (closed.status, closed.summary_comment) == ("closed", "各区县按期完成备案汇总。")
        reports = {s.district: s for s in session.scalars(select(DistrictSummary))}
        assert (reports["历下区"].filings, reports["历下区"].pending, reports["历下区"].meetings_held) == (2, 1, 2)
        assert reports["历下区"].mobilisation == MOBILISATION["mobilisation_notes"]
        assert reports["历城区"].reported_at is not None and len(reports["历城区"].rows) == 1


def test_the_tables_the_system_prefilled_cannot_be_changed(engine, clock) -> None:
    Scenario(engine).close_campaigns()
    campaign = Scenario(engine).start("city", "diagnosis_campaign").city_publishes_notice(
        quotas=[{"district": "历下区", "quota": 1}]
    )
    engine.timers.sweep()
    lixia = campaign.district_work("历下区").district_records_mobilisation("lixia_bureau", quota=99)
    clock.set(datetime(2026, 4, 1, 0, 0, 1, tzinfo=SHANGHAI))
    engine.timers.sweep()
    assert lixia.task_data("lixia_bureau", "report_summary")["filing_rows"] == []
    lixia.complete("lixia_bureau", "report_summary", {"summary_confirmed": True, "filing_count": 5})
    table = campaign.task_data("city", "receive_summaries")
    assert (table["summary_rows"][0]["quota"], table["summary_rows"][0]["filings"]) == (1, 0)
    changed = [dict(table["summary_rows"][0], filings=9)]
    campaign.complete("city", "receive_summaries", {"summary_received": True, "summary_rows": changed})
    assert campaign.status() == "completed"
    with engine.sessions() as session:
        report = session.scalars(select(DistrictSummary)).one()
        assert (report.filings, report.rows) == (0, [])
    history = engine.instances.get(campaign.actor("city"), campaign.instance_id)["history"]
    received = next(h for h in history if h["element_id"] == "receive_summaries")
    assert received["details"]["after"]["summary_rows"][0]["filings"] == 0


def test_a_district_gets_one_quota_and_windows_must_make_sense(engine) -> None:
    campaign = Scenario(engine).start("city", "diagnosis_campaign")
    repeated = [{"district": "历下区", "quota": 2}, {"district": "历城区", "quota": 1}, {"district": "历下区", "quota": 3}]
    with pytest.raises(InvalidData) as refused:
        campaign.city_publishes_notice(quotas=repeated)
    assert refused.value.errors == {"quotas.2.district": "历下区重复（已在第 1 行），每个区县只能分配一次配额"}

    with pytest.raises(InvalidData) as refused:
        campaign.city_publishes_notice(window_start="2026-04-01", window_end="2026-03-31")
    assert refused.value.errors == {"window_end": "截止日期不能早于开始日期"}

    with pytest.raises(InvalidData) as refused:  # the demo year's campaign is still open
        campaign.city_publishes_notice()
    assert refused.value.errors["window_start"].startswith(f"与已开放的「{DEMO_CAMPAIGN}」备案期（2026-01-01至2026-12-31）重叠")

    assert campaign.waiting_at() == ["publish_notice"]
    with engine.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Campaign).where(Campaign.instance_id.is_not(None))) == 0
        children = select(func.count()).select_from(Instance).where(Instance.process_id == "district_mobilisation")
        assert session.scalar(children) == 0


def test_district_work_is_started_only_by_the_campaign(engine) -> None:
    with pytest.raises(Forbidden, match="自动生成"):
        Scenario(engine).start("lixia_bureau", "district_mobilisation")


def test_filing_outside_the_window_is_refused(engine, clock) -> None:
    project = Scenario(engine).open_campaign(window=("2026-03-01", "2026-03-31")).start("provider_a")
    early = FILING | {"enterprise_id": project.organisation_id("enterprise_a"), "contract_date": "2026-02-27"}
    with pytest.raises(InvalidData) as refused:
        project.complete("provider_a", "file_contract", early)
    assert refused.value.errors == {"contract_date": "合同签订日期须在诊断工作起止时间（2026-03-01至2026-03-31）内"}
    assert project.waiting_at() == ["file_contract"]

    clock.set(datetime(2026, 4, 1, 0, 0, tzinfo=SHANGHAI))  # 24:00 of the last day has passed
    with pytest.raises(InvalidData) as refused:
        project.provider_files_contract()
    assert refused.value.errors == {
        "contract_date": f"今天（2026-04-01）不在诊断工作的备案期内：「{TEST_CAMPAIGN}」备案期为2026-03-01至2026-03-31"
    }
    with engine.sessions() as session:
        assert session.scalar(select(Filing).where(Filing.instance_id == project.instance_id)) is None


def test_without_an_open_campaign_nothing_can_be_filed(engine) -> None:
    project = Scenario(engine).close_campaigns().start("provider_a")
    with pytest.raises(InvalidData) as refused:
        project.provider_files_contract()
    assert refused.value.errors == {
        "contract_date": "市工业和信息化局尚未发布数字化转型诊断工作启动通知（或诊断工作已结束），暂不能备案"
    }


def test_over_quota_is_refused_and_a_returned_filing_frees_its_place(engine) -> None:
    Scenario(engine).open_campaign(quotas={"历下区": 1, "历城区": 1})
    first = filed(engine, "provider_a", "enterprise_a")
    second = Scenario(engine).start("provider_b")
    used_up = {"enterprise_id": f"历下区「{TEST_CAMPAIGN}」的备案名额（1 个）已用完，不能再备案"}
    with pytest.raises(InvalidData) as refused:
        second.provider_files_contract("provider_b")
    assert refused.value.errors == used_up

    # The project's own earlier revision does not count against it.
    first.enterprise_confirms_filing(confirmed=False).provider_files_contract()
    first.enterprise_confirms_filing().district_returns_filing()
    with engine.sessions() as session:
        assert session.scalar(select(Filing.status).where(Filing.instance_id == first.instance_id)) == "returned"

    second.provider_files_contract("provider_b")  # the returned filing no longer holds the place
    with pytest.raises(InvalidData) as refused:
        first.provider_files_contract()
    assert refused.value.errors == used_up
    assert first.waiting_at() == ["file_contract"]


def test_a_district_without_quota_cannot_file(engine) -> None:
    Scenario(engine).open_campaign(quotas={"历下区": 3})
    project = Scenario(engine).start("provider_a")
    with pytest.raises(InvalidData) as refused:
        project.provider_files_contract(enterprise="enterprise_b")
    assert refused.value.errors == {
        "enterprise_id": f"济南华山新材料股份有限公司所在的历城区未分配「{TEST_CAMPAIGN}」的备案名额，不能备案"
    }


def test_the_user_sees_the_refusal_on_the_field(app, demo_password: str) -> None:
    engine = app.extensions["diagflow"]
    Scenario(engine).open_campaign(quotas={"历下区": 1})
    client = app.test_client()
    token = client.post("/api/auth/token", json={"username": "provider_a", "password": demo_password}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    instance_id = client.post("/api/instances", json={"process_id": "diagnosis_project"}, headers=headers).json["id"]
    task = next(t for t in client.get("/api/tasks", headers=headers).json["items"] if t["instance_id"] == instance_id)
    data = FILING | {"enterprise_id": Scenario(engine).organisation_id("enterprise_b")}
    response = client.post(f"/api/tasks/{task['id']}/complete", json={"data": data}, headers=headers)
    assert response.status_code == 422
    assert response.json["errors"]["enterprise_id"].endswith("未分配「2026年度数字化转型诊断工作（测试）」的备案名额，不能备案")


@pytest.mark.parametrize("process_id", MODELS)
def test_models_have_complete_diagrams_laid_out_in_their_lanes(process_id: str) -> None:
    path = ROOT / "processes" / process_id / f"{process_id}.bpmn"
    assert check_diagram(etree.parse(str(path)).getroot()) == []
    assert diagram_problems(path) == []


def test_the_city_checks_daily_when_a_report_does_not_arrive(engine, clock, monkeypatch) -> None:
    Scenario(engine).close_campaigns()
    campaign = Scenario(engine).start("city", "diagnosis_campaign").city_publishes_notice(
        quotas=[{"district": "历城区", "quota": 1}]
    )
    engine.timers.sweep()
    licheng = campaign.district_work("历城区").district_records_mobilisation("licheng_bureau")
    clock.set(datetime(2026, 4, 1, 0, 0, 1, tzinfo=SHANGHAI))
    engine.timers.sweep()
    monkeypatch.setattr(HandlerContext, "send_message", lambda *_args, **_kwargs: None)  # the message is lost
    licheng.district_reports_summary("licheng_bureau")
    assert campaign.waiting_at() == []
    clock.advance(timedelta(days=1, seconds=1))
    engine.timers.sweep()
    assert campaign.waiting_at() == ["receive_summaries"]
