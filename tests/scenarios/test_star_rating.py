"""第五条: the city bureau rates providers' diagnosis services (对服务商进行星级评定) from their
record of the year: satisfaction, rectifications, completed projects and expert scores."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from engine.errors import Forbidden, InvalidData
from engine.lint import check_diagram
from engine.records.ratings import StarRating, published_ratings, stars_of
from engine.repository import read_folder
from tests.support import Scenario, diagram_problems
from tests.support_ratings import (
    application,
    at,
    city_leader,
    city_rates_year,
    city_reviews_draft,
    finished_project,
    leader_approves,
    listed_provider,
    ratings_of,
    submit_page,
)

FOLDER = Path(__file__).resolve().parents[2] / "processes" / "star_rating"
YUNQI = ("济南云启数字科技有限公司", "91370102MA3P7Q8R4Y")


def two_records(engine, clock) -> dict[str, int]:
    """provider_a: two projects rated 满意, no rectification, expert scores 90 and 90.
    provider_b: one project rated 一般 with a rectification accepted after its deadline,
    expert score 60. 云启: listed, no project."""
    finished_project(engine, clock, "provider_a", "enterprise_a")
    finished_project(engine, clock, "provider_a", "enterprise_b")
    finished_project(engine, clock, "provider_b", "enterprise_a", accepted=at("2026-03-03"),
                     rectification=(at("2026-03-04"), "2026-03-05", at("2026-03-06")),
                     reported=at("2026-03-06", 15), rated=at("2026-03-09"), satisfaction="neutral")
    scenario = Scenario(engine)
    ids = {"a": scenario.organisation_id("provider_a"), "b": scenario.organisation_id("provider_b"),
           "yunqi": listed_provider(engine, *YUNQI)}
    application(engine, ids["a"], "paid", scores=(90, 90))
    application(engine, ids["b"], "eligible", scores=(60,))
    return ids


def test_two_providers_with_different_records_get_different_stars(engine, clock) -> None:
    ids = two_records(engine, clock)
    rating = city_rates_year(engine)
    assert rating.waiting_at() == ["review_draft"]

    ratings = ratings_of(engine, rating.instance_id)
    a, b, none = ratings[ids["a"]], ratings[ids["b"]], ratings[ids["yunqi"]]
    # weights 40/20/20/20, 5 projects for full marks: 40 + 20 + 8 + 18 = 86 → 四星
    assert (a.satisfaction_score, a.rectification_score, a.projects_score, a.expert_score) == (40, 20, 8, 18)
    assert (a.total, a.computed_stars, a.final_stars, a.status) == (86, 4, 4, "draft")
    # 0 of 1 满意, (1 accepted − 1 overdue) / 1 opened, 1 project, expert 60: 0 + 0 + 4 + 12 = 16 → 一星
    assert (b.satisfaction_score, b.rectification_score, b.projects_score, b.expert_score) == (0, 0, 4, 12)
    assert (b.total, b.computed_stars) == (16, 1)
    assert b.details["record"] == {
        "projects_completed": 1, "satisfaction_rated": 1, "satisfaction_satisfied": 0,
        "rectifications_opened": 1, "rectifications_accepted": 1, "rectifications_overdue": 1,
        "expert_scores": 1, "expert_average": 60.0,
    }
    assert (none.total, none.computed_stars, none.final_stars) == (None, None, None)
    assert none.details["stars_reason"] == "本年度无完成的诊断项目，不评星"

    review = engine.tasks.get(rating.actor("city"), rating.task_of("city", "review_draft")["id"])
    facts = dict(review.facts)
    assert facts["评定年度"] == "2026"
    table = facts["星级评定表"]
    assert "服务商 济南数智诊断科技有限公司" in table and "评定星级 4 星" in table
    assert "满意度：完成项目 2 个中评价“满意” 2 个（100%），得 40.0 分（权重 40）" in table
    assert "整改：提出 1 项，整改到位 1 项（100%），逾期 1 项，得 0.0 分（权重 20）" in table
    assert "专家评分：2 份评分平均 90.0 分，得 18.0 分（权重 20）" in table
    assert "总分 80 至 90 分：四星" in table and "总分低于 60 分：一星" in table
    assert "服务商 济南云启数字科技有限公司" in table and "依据 本年度无完成的诊断项目，不评星" in table

    city_reviews_draft(rating)
    assert rating.waiting_at() == ["approve_ratings"]
    leader_approves(rating)
    assert rating.status() == "completed"

    with engine.sessions() as session:
        assert (stars_of(session, ids["a"]), stars_of(session, ids["b"]), stars_of(session, ids["yunqi"])) == (
            4, 1, None)
        published = published_ratings(session, 2026)
    assert [(row["organisation_name"], row["stars"]) for row in published] == [
        ("济南数智诊断科技有限公司", 4), ("山东工赋咨询服务有限公司", 1), ("济南云启数字科技有限公司", None)]
    assert {r.status for r in ratings_of(engine, rating.instance_id).values()} == {"published"}


def test_an_adjustment_needs_a_reason_and_keeps_the_computed_stars(engine, clock) -> None:
    ids = two_records(engine, clock)
    rating = city_rates_year(engine)
    raise_to_two = {"organisation_id": ids["b"], "final_stars": 2}
    for missing in ({}, {"reason": "   "}):
        with pytest.raises(InvalidData) as refused:
            city_reviews_draft(rating, [raise_to_two | missing])
        assert "adjustments.0.reason" in refused.value.errors
    with pytest.raises(InvalidData) as refused:
        city_reviews_draft(rating, [{"organisation_id": ids["yunqi"], "final_stars": 3, "reason": "服务能力较强"}])
    assert "不评星" in refused.value.errors["adjustments.0.final_stars"]
    assert rating.waiting_at() == ["review_draft"]

    reason = "逾期整改系企业停产所致，经核实非服务商原因"
    city_reviews_draft(rating, [raise_to_two | {"reason": reason}])
    b = ratings_of(engine, rating.instance_id)[ids["b"]]
    assert (b.computed_stars, b.final_stars, b.adjustment_reason) == (1, 2, reason)
    approval = engine.tasks.get(rating.actor("city"), rating.task_of("city", "approve_ratings")["id"])
    assert f"调整为 2 星，理由：{reason}" in str(approval.data["rating_table"])

    with pytest.raises(InvalidData) as refused:  # the reviewer does not approve their own review
        rating.complete("city", "approve_ratings", {"approval_decision": "approve"})
    assert "审核人以外" in refused.value.errors["approval_decision"]
    with pytest.raises(InvalidData):
        leader_approves(rating, "return")  # a return needs the comment
    leader_approves(rating, "return", "请补充企业停产的证明材料")
    assert rating.waiting_at() == ["review_draft"]
    again = engine.tasks.get(rating.actor("city"), rating.task_of("city", "review_draft")["id"])
    assert ("审批意见", "请补充企业停产的证明材料") in again.facts
    assert again.data["adjustments"][0]["reason"] == reason  # the earlier adjustment is offered again

    city_reviews_draft(rating, [raise_to_two | {"reason": reason + "（附停产通知）"}])
    leader_approves(rating)
    with engine.sessions() as session:
        assert stars_of(session, ids["b"]) == 2
        row = next(r for r in published_ratings(session, 2026) if r["organisation_id"] == ids["b"])
    assert (row["stars"], row["adjusted"]) == (2, True)
    b = ratings_of(engine, rating.instance_id)[ids["b"]]
    assert (b.computed_stars, b.final_stars, b.adjustment_reason) == (1, 2, reason + "（附停产通知）")
    assert b.adjusted_by_id == rating.actor("city").user_id
    assert b.approved_by_id == rating.actor("city_leader").user_id


def test_choosing_no_adjustment_takes_earlier_adjustments_back(engine, clock) -> None:
    ids = two_records(engine, clock)
    rating = city_rates_year(engine)
    with pytest.raises(InvalidData) as refused:  # "调整" without saying which
        rating.complete("city", "review_draft", {"adjust_stars": True})
    assert "adjustments" in refused.value.errors
    city_reviews_draft(rating, [{"organisation_id": ids["a"], "final_stars": 5, "reason": "服务案例获省级推广"}])
    assert ratings_of(engine, rating.instance_id)[ids["a"]].final_stars == 5
    leader_approves(rating, "return", "推广案例不属于本年度评定维度，请按计算结果评定")
    city_reviews_draft(rating)  # 不调整
    a = ratings_of(engine, rating.instance_id)[ids["a"]]
    assert (a.computed_stars, a.final_stars, a.adjustment_reason) == (4, 4, None)
    approval = engine.tasks.get(rating.actor("city"), rating.task_of("city", "approve_ratings")["id"])
    assert approval.data["adjustments"] == []
    assert ("是否调整星级", "不调整，按计算结果") in approval.facts


def test_a_provider_without_projects_gets_no_stars(engine, clock) -> None:
    finished_project(engine, clock, "provider_a", "enterprise_a")
    rating = city_rates_year(engine)
    provider_b = rating.organisation_id("provider_b")
    unrated = ratings_of(engine, rating.instance_id)[provider_b]
    assert (unrated.total, unrated.computed_stars, unrated.satisfaction_score) == (None, None, None)
    city_reviews_draft(rating)
    leader_approves(rating)
    with engine.sessions() as session:
        assert stars_of(session, provider_b) is None
        assert stars_of(session, rating.organisation_id("provider_a")) == 4  # 40 + 20 + 4, no expert: 80
    data = engine.instances.data(rating.actor("city"), rating.instance_id)
    assert data["rating_draft"]["unrated"] == 1


def test_changed_thresholds_change_the_stars(engine, clock) -> None:
    ids = two_records(engine, clock)
    first = city_rates_year(engine)
    city_reviews_draft(first)
    leader_approves(first)
    with engine.sessions() as session:
        assert stars_of(session, ids["a"]) == 4

    files = read_folder(FOLDER)
    stars = files["stars.dmn"].decode()
    assert stars.count("&gt;= 80") == 1
    files["stars.dmn"] = stars.replace("&gt;= 80", "&gt;= 88").replace("总分 80 至 90 分", "总分 88 至 90 分").encode()
    deployed = engine.repository.deploy("star_rating", files, "tests")
    assert deployed.version == 2

    second = city_rates_year(engine)
    assert engine.instances.get(second.actor("city"), second.instance_id)["version"] == 2
    a = ratings_of(engine, second.instance_id)[ids["a"]]
    assert (a.total, a.computed_stars) == (86, 3)  # 86 is below the new four-star threshold
    city_reviews_draft(second)
    leader_approves(second)
    with engine.sessions() as session:
        assert stars_of(session, ids["a"]) == 3
        assert [r["stars"] for r in published_ratings(session, 2026) if r["organisation_id"] == ids["a"]] == [3]
        earlier = session.scalars(select(StarRating.status).where(StarRating.instance_id == first.instance_id))
        assert set(earlier) == {"superseded"}


def test_one_open_rating_per_year_and_no_future_year(engine, clock) -> None:
    open_rating = city_rates_year(engine)
    assert open_rating.waiting_at() == ["review_draft"]
    with pytest.raises(InvalidData) as refused:
        city_rates_year(engine)
    assert "进行中的星级评定" in refused.value.errors["year"]
    with pytest.raises(InvalidData) as refused:
        city_rates_year(engine, 2027)
    assert "尚未开始" in refused.value.errors["year"]


def test_only_the_city_bureau_rates(engine) -> None:
    scenario = Scenario(engine)
    for username in ("provider_a", "city_finance", "lixia_bureau"):
        with pytest.raises(Forbidden):
            engine.instances.start("star_rating", scenario.actor(username))


def test_the_approval_page_sends_the_rating_table_back_unchanged(app, clock, demo_password) -> None:
    engine = app.extensions["diagflow"]
    finished_project(engine, clock)
    rating = city_reviews_draft(city_rates_year(engine))
    task_id = rating.task_of("city", "approve_ratings")["id"]
    response = submit_page(app, city_leader(engine), demo_password, task_id, {"approval_decision": "approve"})
    assert response.status_code == 302
    assert rating.status() == "completed"


def test_the_diagram_is_complete_and_laid_out() -> None:
    path = FOLDER / "star_rating.bpmn"
    assert check_diagram(etree.parse(str(path)).getroot()) == []
    assert diagram_problems(path) == []
