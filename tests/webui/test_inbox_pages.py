"""The inbox page and GET /api/tasks: filters, saved filters with counts, bulk actions, handing over."""

from __future__ import annotations

import pytest

from tests.support import Scenario
from tests.webui.test_pages import csrf_token, sign_in


@pytest.fixture
def reviews(app) -> list[Scenario]:
    """Two 历下区 filings waiting for the district's review, one 历城区 filing."""
    engine = app.extensions["diagflow"]
    lixia = [Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
             for _ in range(2)]
    licheng = Scenario(engine).start("provider_a").provider_files_contract(enterprise="enterprise_b")
    return [*lixia, licheng.enterprise_confirms_filing("enterprise_b")]


def token(client, username: str, password: str) -> dict[str, str]:
    issued = client.post("/api/auth/token", json={"username": username, "password": password}).json
    return {"Authorization": f"Bearer {issued['token']}"}


def test_filter_save_it_and_see_its_count(app, reviews, demo_password) -> None:
    client = app.test_client()
    sign_in(client, "lixia_bureau", demo_password)
    page = client.get("/?claim=unassigned&sort=due").get_data(as_text=True)
    assert page.count('name="task_ids"') == 2 and "历城区" not in page.split("<tbody>")[1]
    saved = client.post("/inbox/filters", data={"csrf_token": csrf_token(page), "name": "未认领",
                                                 "claim": "unassigned", "sort": "due"})
    assert saved.status_code == 302 and "claim=unassigned" in saved.location
    home = client.get("/").get_data(as_text=True)
    assert "未认领 <span class=\"chip-count\">2</span>" in home

    bad = client.get("/?sort=sideways", follow_redirects=True).get_data(as_text=True)
    assert "筛选条件无效" in bad and "sort" in bad


def test_bulk_claim_from_the_page_reports_each_task(app, reviews, demo_password) -> None:
    engine = app.extensions["diagflow"]
    ids = [r.task_of("lixia_bureau", "review_filing")["id"] for r in reviews[:2]]
    engine.tasks.claim(reviews[0].actor("lixia_bureau"), ids[0])
    client = app.test_client()
    sign_in(client, "lixia_bureau", demo_password)
    page = client.get("/").get_data(as_text=True)
    done = client.post("/inbox/bulk", data={"csrf_token": csrf_token(page), "action": "claim", "task_ids": ids},
                       follow_redirects=True).get_data(as_text=True)
    assert "批量认领：成功 2 项，失败 0 项" in done
    complete = client.post("/inbox/bulk", data={"csrf_token": csrf_token(done), "action": "complete",
                                                "task_ids": ids[:1]}, follow_redirects=True).get_data(as_text=True)
    assert "成功 0 项，失败 1 项" in complete and "filing_decision" in complete
    assert reviews[0].waiting_at() == ["review_filing"]


def test_api_filters_validate_and_bulk_and_delegate(app, reviews, demo_password) -> None:
    client = app.test_client()
    headers = token(client, "lixia_bureau", demo_password)
    listed = client.get("/api/tasks?claim=unassigned&sort=priority&limit=1", headers=headers).json
    assert (listed["total"], len(listed["items"]), listed["limit"]) == (2, 1, 1)
    refused = client.get("/api/tasks?due=tomorrow", headers=headers)
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"due"}

    ids = [item["id"] for item in client.get("/api/tasks", headers=headers).json["items"]]
    bulk = client.post("/api/tasks/bulk", headers=headers, json={"action": "claim", "task_ids": [*ids, "nope"]}).json
    assert bulk["succeeded"] == 2 and bulk["results"][-1] == {"id": "nope", "ok": False, "error": "任务 nope 不存在"}
    engine = app.extensions["diagflow"]
    colleague = engine.identity.ensure_user("lixia_bureau_2", "a-long-password-2026", "同事", "district_bureau",
                                            district="历下区")
    delegated = client.post(f"/api/tasks/{ids[0]}/delegate", headers=headers, json={"user_id": colleague})
    assert delegated.status_code == 200
    theirs = token(client, "lixia_bureau_2", "a-long-password-2026")
    assert client.post(f"/api/tasks/{ids[0]}/return", headers=theirs, json={}).json == {"id": ids[0], "returned": True}
    assert client.post(f"/api/tasks/{ids[0]}/return", headers=theirs, json={}).status_code == 409
    documented = client.get("/api/openapi.json").json["paths"]
    assert {"/api/tasks/bulk", "/api/tasks/{task_id}/delegate", "/api/tasks/{task_id}/return"} <= set(documented)
    assert {p["name"] for p in documented["/api/tasks"]["get"]["parameters"]} >= {"due", "claim", "sort", "stage"}


def test_a_total_over_the_cap_is_shown_as_a_lower_bound(app, reviews, demo_password, monkeypatch) -> None:
    engine = app.extensions["diagflow"]
    client = app.test_client()
    headers = token(client, "lixia_bureau", demo_password)
    listed = client.get("/api/tasks", headers=headers).json
    assert (listed["total"], listed["total_capped"]) == (2, False)

    monkeypatch.setattr(engine.tasks, "count_cap", 1)
    listed = client.get("/api/tasks", headers=headers).json
    assert (listed["total"], listed["total_capped"], len(listed["items"])) == (1, True, 2)
    assert "total_capped" in client.get("/api/openapi.json").json["paths"]["/api/tasks"]["get"]["responses"]["200"][
        "content"]["application/json"]["schema"]["properties"]

    monkeypatch.setattr("webui.inbox.PAGE_SIZE", 1)
    sign_in(client, "lixia_bureau", demo_password)
    page = client.get("/").get_data(as_text=True)
    client.post("/inbox/filters", data={"csrf_token": csrf_token(page), "name": "未认领", "claim": "unassigned"})
    first = client.get("/").get_data(as_text=True)
    assert "（1+）" in first and "第 1 / 2+ 页" in first and "page=2" in first
    assert '<span class="stat-value">1+</span>' in first and '未认领 <span class="chip-count">1+</span>' in first
    second = client.get("/?page=2").get_data(as_text=True)
    assert "第 2 / 3+ 页" in second and "page=1" in second
