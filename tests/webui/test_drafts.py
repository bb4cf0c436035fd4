"""Drafts: saved on the server per task and user, restored on reload, gone once the task is done."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.models import TaskDraft, TaskHistoryRow
from tests.support import Scenario
from tests.webui.test_pages import csrf_token, sign_in


def test_a_draft_is_restored_for_its_author_only_and_cleared_on_completion(app, demo_password) -> None:
    engine = app.extensions["diagflow"]
    project = Scenario(engine).start("provider_a")
    task = project.task_of("provider_a", "file_contract")
    task_id = task["id"]
    client = app.test_client()
    sign_in(client, "provider_a", demo_password)
    page = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    saved = client.post(f"/tasks/{task_id}/draft", data={
        "csrf_token": csrf_token(page), "contract_no": "HT-草稿-1", "contract_amount": "一万",
        "working_group.0.name": "张伟"})
    assert saved.status_code == 302
    restored = client.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "已恢复您于 2026-03-02 09:00 保存的草稿" in restored
    assert 'value="HT-草稿-1"' in restored and 'value="一万"' in restored and 'value="张伟"' in restored
    assert project.waiting_at() == ["file_contract"]

    other = app.test_client()
    sign_in(other, "city", demo_password)
    assert other.get(f"/tasks/{task_id}").status_code == 403
    token = csrf_token(other.get("/").get_data(as_text=True))
    assert other.post(f"/tasks/{task_id}/draft", data={"csrf_token": token}).status_code == 403

    project.provider_files_contract()
    with engine.sessions() as session:
        assert session.scalar(select(func.count()).select_from(TaskDraft)) == 0
        assert session.get(TaskHistoryRow, task_id).name == task["name"]
