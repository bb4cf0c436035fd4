"""第三条 (绩效评价) and 第五条: at year end the city bureau and city finance evaluate the year's
programme from figures computed from the records, never typed in."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

import handlers.evaluation as evaluation_handlers
from engine.errors import Forbidden, InvalidData
from engine.lint import check_diagram
from engine.records.ratings import Evaluation
from tests.support import Scenario, diagram_problems
from tests.support_ratings import (
    application,
    at,
    city_evaluates_year,
    city_writes_evaluation,
    finance_cosigns,
    finance_returns,
    finished_project,
    payment,
    recovery,
    submit_page,
    subsidy_plan,
)

FOLDER = Path(__file__).resolve().parents[2] / "processes" / "performance_evaluation"


def the_year(engine, clock) -> None:
    """What happened in 2026, with its times:

    - P1 provider_a × enterprise_a (历下区): filed Fri 02-13, accepted Tue 02-24 (春节: 2 working
      days, Sat 02-14 works, 02-15–02-23 off), report Thu 02-26 (2), rated 满意 Mon 03-02 (3: Fri
      02-27, Sat 02-28 works, Mon 03-02).
    - P2 provider_b × enterprise_b (历城区): filed Mon 03-02, accepted 03-03 (1), a rectification
      opened 03-04 due 03-05 and accepted 03-06 (overdue), report Fri 03-06 (3), rated 一般 Mon
      03-09 (1).
    - P3 provider_a × enterprise_a: filed 03-10, not yet accepted.
    - Applications: A1 paid 50,000 (submitted Mon 03-16, decided Fri 03-20: 4; paid Fri 03-27: 5),
      A2 rejected (03-16 → Wed 03-18: 2), A3 revoked (03-17, no decision), A4 planned 30,000
      (03-16 → Thu 03-19: 3). 10,000 of A1 recovered.
    """
    finished_project(engine, clock, "provider_a", "enterprise_a", filed=at("2026-02-13"), accepted=at("2026-02-24"),
                     reported=at("2026-02-26"), rated=at("2026-03-02"))
    finished_project(engine, clock, "provider_b", "enterprise_b", filed=at("2026-03-02", 11), accepted=at("2026-03-03"),
                     rectification=(at("2026-03-04"), "2026-03-05", at("2026-03-06")),
                     reported=at("2026-03-06", 15), rated=at("2026-03-09"), satisfaction="neutral")
    finished_project(engine, clock, "provider_a", "enterprise_a", filed=at("2026-03-10"), finish=False)
    scenario = Scenario(engine)
    a, b = scenario.organisation_id("provider_a"), scenario.organisation_id("provider_b")
    a1 = application(engine, a, "paid", submitted=at("2026-03-16"), decided=at("2026-03-20"), amount_yuan=50_000,
                     scores=(88,))
    application(engine, b, "rejected", submitted=at("2026-03-16"), decided=at("2026-03-18"))
    application(engine, a, "revoked", submitted=at("2026-03-17"))
    a4 = application(engine, b, "planned", submitted=at("2026-03-16"), decided=at("2026-03-19"), amount_yuan=30_000)
    application(engine, a, "eligible", year=2025, submitted=at("2026-01-05"), decided=at("2026-01-09"),
                amount_yuan=99_000)  # another year's: not counted
    plan_id, items = subsidy_plan(engine, 2026, [(a1, 50_000, "paid"), (a4, 30_000, "planned")])
    payment(engine, plan_id, items[a1], a1, 50_000, at("2026-03-27"))
    recovery(engine, a1, 50_000, 10_000)
    clock.set(at("2026-12-28"))


def figures_of(engine, instance_id: int) -> Evaluation:
    with engine.sessions() as session:
        evaluation = session.scalar(select(Evaluation).where(Evaluation.instance_id == instance_id))
    assert evaluation is not None
    return evaluation


def test_figures_equal_the_records_and_finance_returns_once_then_cosigns(engine, clock) -> None:
    the_year(engine, clock)
    evaluation = city_evaluates_year(engine)
    assert evaluation.waiting_at() == ["write_evaluation"]

    record = figures_of(engine, evaluation.instance_id)
    assert record.status == "computed"
    values = {item["key"]: item["value"] for item in record.figures["items"]}
    assert values == {
        "projects_filed": 3, "projects_accepted": 2, "projects_completed": 2, "enterprises_diagnosed": 2,
        "satisfaction_rate": 50.0, "rectifications_opened": 1, "rectifications_accepted": 1,
        "rectifications_overdue": 1,
        "applications_submitted": 4, "applications_eligible": 2, "applications_rejected": 1,
        "applications_revoked": 1,
        "money_approved": 8_000_000, "money_planned": 8_000_000, "money_paid": 5_000_000,
        "money_recovered": 1_000_000,
    }
    assert [(d["district"], d["filed"], d["accepted"], d["completed"], d["enterprises"])
            for d in record.figures["districts"]] == [("历下区", 2, 1, 1, 1), ("历城区", 1, 1, 1, 1)]
    stages = {s["key"]: (s["average"], s["count"]) for s in record.figures["stages"]}
    assert stages == {
        "filing_to_acceptance": (1.5, 2),  # (2 + 1) / 2: 02-13 → 02-24 is 2 working days, not 11 days
        "acceptance_to_report": (2.5, 2),  # (2 + 3) / 2
        "report_to_satisfaction": (2.0, 2),  # (3 + 1) / 2
        "application_to_decision": (3.0, 3),  # (4 + 2 + 3) / 3
        "decision_to_payment": (5.0, 1),
    }

    write = engine.tasks.get(evaluation.actor("city"), evaluation.task_of("city", "write_evaluation")["id"])
    facts = dict(write.facts)
    shown = facts["绩效评价指标（系统计算）"]
    for text in ("备案项目数：3 个", "完成诊断企业数（去重）：2 家", "满意率：50.0%（满意 1 个 / 已评价 2 个）",
                 "整改逾期：1 项", "资助计划安排金额：80,000.00 元", "已拨付金额：50,000.00 元",
                 "已追回金额：10,000.00 元", "分区县 历下区：备案 2 个，受理 1 个，完成 1 个，诊断企业 1 家",
                 "工作日用时 备案至受理：平均 1.5 个工作日（2 个项目）", "工作日用时 审核决定至拨付：平均 5.0 个工作日（1 个申请）"):
        assert text in shown

    city_writes_evaluation(evaluation)
    assert evaluation.waiting_at() == ["review_evaluation"]
    assert figures_of(engine, evaluation.instance_id).status == "written"
    review_id = evaluation.task_of("city_finance", "review_evaluation")["id"]
    with pytest.raises(Forbidden):  # co-signing is city finance's
        engine.tasks.complete(evaluation.actor("city"), review_id, {"finance_decision": "cosign"})
    review = engine.tasks.get(evaluation.actor("city_finance"), review_id)
    assert ("评价等级", "良") in review.facts and ("主要问题", "部分项目满意度不高，整改存在逾期。") in review.facts
    with pytest.raises(InvalidData):
        evaluation.complete("city_finance", "review_evaluation", {"finance_decision": "return"})  # no comment

    finance_returns(evaluation, "资金使用效益分析不足，请补充拨付进度和追回情况。")
    assert evaluation.waiting_at() == ["write_evaluation"]
    assert figures_of(engine, evaluation.instance_id).status == "returned"
    again = engine.tasks.get(evaluation.actor("city"), evaluation.task_of("city", "write_evaluation")["id"])
    assert ("市财政局审核意见", "资金使用效益分析不足，请补充拨付进度和追回情况。") in again.facts

    city_writes_evaluation(evaluation, evaluation_text=EVALUATION_TEXT)
    cosign = engine.tasks.get(evaluation.actor("city_finance"),
                              evaluation.task_of("city_finance", "review_evaluation")["id"])
    assert cosign.data["finance_decision"] is None  # the earlier return is not offered again
    finance_cosigns(evaluation)
    assert evaluation.status() == "completed"

    final = figures_of(engine, evaluation.instance_id)
    assert (final.status, final.year, final.rating, final.text) == ("final", 2026, "good", EVALUATION_TEXT)
    assert [(r["decision"], r["by"]) for r in final.reviews] == [("return", "city_finance"), ("cosign", "city_finance")]
    assert final.cosigned_by_id == evaluation.actor("city_finance").user_id
    assert final.finalised_at == clock.now()
    history = engine.instances.get(evaluation.actor("city"), evaluation.instance_id)["history"]
    completions = [(e["element_id"], e["actor"]) for e in history if e["action"] == "task_completed"]
    assert completions == [("choose_year", "city"), ("write_evaluation", "city"), ("review_evaluation", "city_finance"),
                           ("write_evaluation", "city"), ("review_evaluation", "city_finance")]


EVALUATION_TEXT = "本年度诊断工作按计划推进；补助资金已拨付 5 万元，追回 1 万元。"


def test_a_figure_whose_table_is_missing_is_marked_not_available(engine, monkeypatch) -> None:
    monkeypatch.setattr(evaluation_handlers, "plans", None)
    evaluation = city_evaluates_year(engine)
    assert evaluation.waiting_at() == ["write_evaluation"]
    items = {item["key"]: item for item in figures_of(engine, evaluation.instance_id).figures["items"]}
    assert (items["money_paid"]["available"], items["money_paid"]["value"]) == (False, None)
    assert items["projects_filed"]["available"] is True
    shown = [row["text"] for row in engine.instances.data(evaluation.actor("city"), evaluation.instance_id)["figures"]]
    assert "已拨付金额：不可用（资助计划、拨付和追回记录表尚未建立）" in shown
    assert "工作日用时 审核决定至拨付：不可用（拨付记录表尚未建立）" in shown


def test_one_evaluation_per_year_and_no_future_year(engine, clock) -> None:
    first = city_evaluates_year(engine)
    with pytest.raises(InvalidData) as refused:
        city_evaluates_year(engine)
    assert "正在进行" in refused.value.errors["year"]
    city_writes_evaluation(first)
    finance_cosigns(first)
    with pytest.raises(InvalidData) as refused:
        city_evaluates_year(engine)
    assert "已完成" in refused.value.errors["year"]
    with pytest.raises(InvalidData) as refused:
        city_evaluates_year(engine, 2027)
    assert "尚未开始" in refused.value.errors["year"]
    assert city_evaluates_year(engine, 2025).waiting_at() == ["write_evaluation"]


def test_only_the_city_bureau_starts_an_evaluation(engine) -> None:
    scenario = Scenario(engine)
    for username in ("city_finance", "provider_a", "lixia_finance"):
        with pytest.raises(Forbidden):
            engine.instances.start("performance_evaluation", scenario.actor(username))


def test_the_review_page_sends_the_computed_figures_back_unchanged(app, demo_password) -> None:
    engine = app.extensions["diagflow"]
    evaluation = city_writes_evaluation(city_evaluates_year(engine))
    task_id = evaluation.task_of("city_finance", "review_evaluation")["id"]
    response = submit_page(app, "city_finance", demo_password, task_id,
                           {"finance_decision": "return", "finance_comment": "请补充资金使用效益分析"})
    assert response.status_code == 302
    assert evaluation.waiting_at() == ["write_evaluation"]


def test_the_diagram_is_complete_and_laid_out() -> None:
    path = FOLDER / "performance_evaluation.bpmn"
    assert check_diagram(etree.parse(str(path)).getroot()) == []
    assert diagram_problems(path) == []
