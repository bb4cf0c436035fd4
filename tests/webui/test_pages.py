"""The browser pages through Flask's test client: sign-in, CSRF, the task form, scope."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine.records.projects import Filing
from tests.support import Scenario


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client, username: str, password: str, next_url: str = "") -> object:
    page = client.get("/login").get_data(as_text=True)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(page), "next": next_url},
    )


@pytest.fixture
def project(app) -> Scenario:
    return Scenario(app.extensions["diagflow"]).start("provider_a")


def test_pages_need_sign_in_and_keep_the_target(app, demo_password: str) -> None:
    client = app.test_client()
    response = client.get("/instances")
    assert response.status_code == 302 and "/login?next=/instances" in response.location
    signed_in = sign_in(client, "city", demo_password, "/instances")
    assert signed_in.status_code == 302 and signed_in.location == "/instances"


def test_sign_in_refuses_wrong_passwords_and_foreign_redirects(app, demo_password: str) -> None:
    client = app.test_client()
    wrong = sign_in(client, "city", "not-the-password")
    assert wrong.status_code == 401 and "用户名或密码错误" in wrong.get_data(as_text=True)
    foreign = sign_in(client, "city", demo_password, "https://evil.example/")
    assert foreign.location == "/"


def test_forms_without_csrf_token_are_refused(app, demo_password: str) -> None:
    client = app.test_client()
    response = client.post("/login", data={"username": "city", "password": demo_password})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)


def test_security_headers(app) -> None:
    response = app.test_client().get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_task_page_shows_the_form_and_field_errors_without_losing_anything(app, project, demo_password) -> None:
    client = app.test_client()
    sign_in(client, "provider_a", demo_password)
    task = project.task_of("provider_a", "file_contract")
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "填报诊断合同备案" in page and "合同编号" in page and "济南明泉精密机械有限公司" in page
    before = project.engine.instances.get(project.actor("city"), project.instance_id)

    response = client.post(
        f"/tasks/{task['id']}",
        data={"csrf_token": csrf_token(page), "contract_no": "HT-9", "contract_amount": "一万",
              "working_group.0.name": "张伟", "working_group.0.phone": "123"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="HT-9"' in body
    assert "请输入金额（元），最多两位小数" in body and "格式不正确" in body and "请填写此项" in body
    after = project.engine.instances.get(project.actor("city"), project.instance_id)
    assert after == before


def test_completing_through_the_page_moves_the_project(app, project, demo_password) -> None:
    client = app.test_client()
    sign_in(client, "provider_a", demo_password)
    task = project.task_of("provider_a", "file_contract")
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    enterprise = project.organisation_id("enterprise_a")
    response = client.post(
        f"/tasks/{task['id']}",
        data={"csrf_token": csrf_token(page), "enterprise_id": str(enterprise), "contract_no": "HT-9",
              "contract_date": "2026-03-01", "contract_amount": "48,000.00", "working_group.0.name": "张伟",
              "working_group.0.position": "组长", "working_group.0.phone": "13800000001"},
    )
    assert response.status_code == 302 and response.location == f"/instances/{project.instance_id}"
    assert project.waiting_at() == ["confirm_filing"]
    with project.engine.sessions() as session:  # typed in yuan, kept as integer fen
        assert session.scalar(select(Filing.contract_amount_fen).where(Filing.instance_id == project.instance_id)) == 4800000
    instance_page = client.get(response.location).get_data(as_text=True)
    assert "填报诊断合同备案" in instance_page and "办理中" in instance_page


def test_district_user_cannot_open_another_districts_task(app, demo_password) -> None:
    engine = app.extensions["diagflow"]
    project = Scenario(engine).start("provider_a").provider_files_contract(enterprise="enterprise_b")
    project.enterprise_confirms_filing("enterprise_b")
    task = project.task_of("licheng_bureau", "review_filing")
    client = app.test_client()
    sign_in(client, "lixia_bureau", demo_password)
    assert client.get(f"/tasks/{task['id']}").status_code == 403
    assert client.get(f"/instances/{project.instance_id}").status_code == 403
    assert task["id"] not in client.get("/").get_data(as_text=True)


def test_instance_diagram_marks_done_and_active_elements(app, demo_password) -> None:
    engine = app.extensions["diagflow"]
    project = Scenario(engine).start("provider_a").provider_files_contract()
    client = app.test_client()
    sign_in(client, "provider_a", demo_password)
    page = client.get(f"/instances/{project.instance_id}").get_data(as_text=True)
    done = re.search(r'data-done="([^"]*)"', page).group(1).split()
    active = re.search(r'data-active="([^"]*)"', page).group(1).split()
    assert {"file_contract", "record_filing"} <= set(done) and active == ["confirm_filing"]
    xml = client.get(f"/instances/{project.instance_id}/diagram.bpmn")
    assert xml.mimetype == "application/xml" and 'name="服务商"' in xml.get_data(as_text=True)
    other = app.test_client()
    sign_in(other, "provider_b", demo_password)
    assert other.get(f"/instances/{project.instance_id}/diagram.bpmn").status_code == 403


def test_inbox_shows_a_midnight_deadline_as_24_00_of_the_day_before(app, demo_password) -> None:
    engine = app.extensions["diagflow"]
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    project.district_accepts_filing()
    project.opens_rectification("lixia_bureau")
    client = app.test_client()
    sign_in(client, "provider_a", demo_password)
    assert "2026-03-09 24:00" in client.get("/").get_data(as_text=True)
