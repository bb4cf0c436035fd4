"""The comment thread: written on the task or instance page, read by whoever may see the
instance, audited, and refused (changing nothing) outside the scope or when empty."""

from __future__ import annotations

import io

from sqlalchemy import select

from engine.models import AuditEvent, Comment
from tests.support import Scenario
from tests.webui.test_pages import csrf_token, sign_in


def test_comments_are_shared_within_the_scope_and_audited(app, demo_password) -> None:
    engine = app.extensions["diagflow"]
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    task = project.task_of("lixia_bureau", "review_filing")
    bureau = app.test_client()
    sign_in(bureau, "lixia_bureau", demo_password)
    page = bureau.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "意见交流" in page and "尚无意见" in page
    posted = bureau.post(f"/instances/{project.instance_id}/comments", data={
        "csrf_token": csrf_token(page), "body": "请补充工作组成员的社保证明。\n=1+1", "task_id": task["id"],
        "return_to": "task"})
    assert posted.status_code == 302 and posted.location.endswith(f"/tasks/{task['id']}#comments")

    provider = app.test_client()
    sign_in(provider, "provider_a", demo_password)
    instance_page = provider.get(f"/instances/{project.instance_id}").get_data(as_text=True)
    assert "请补充工作组成员的社保证明。" in instance_page and "意见交流" in instance_page
    reply = provider.post(f"/instances/{project.instance_id}/comments",
                          data={"csrf_token": csrf_token(instance_page), "body": "已补充，见附件。"})
    assert reply.status_code == 302
    thread = engine.comments.list(project.actor("city"), project.instance_id)
    assert [(c["body"], c["task_id"]) for c in thread] == [
        ("请补充工作组成员的社保证明。\n=1+1", task["id"]), ("已补充，见附件。", None)]
    with engine.sessions() as session:
        audited = session.scalars(select(AuditEvent.details).where(
            AuditEvent.instance_id == project.instance_id, AuditEvent.action == "comment_added")).all()
    assert [d["body"] for d in audited] == [c["body"] for c in thread]


def test_the_api_twin_reads_and_writes_comments_and_files_in_scope(app, demo_password) -> None:
    engine = app.extensions["diagflow"]
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    client = app.test_client()
    token = {u: client.post("/api/auth/token", json={"username": u, "password": demo_password}).json["token"]
             for u in ("provider_a", "lixia_bureau", "licheng_bureau")}

    def call(method: str, user: str, path: str, **kwargs):
        return client.open(path, method=method, headers={"Authorization": f"Bearer {token[user]}"}, **kwargs)

    comments = f"/api/instances/{project.instance_id}/comments"
    added = call("POST", "lixia_bureau", comments, json={"body": "请补充工作组成员的社保证明。"})
    assert added.status_code == 201 and added.json["author"]
    assert call("POST", "lixia_bureau", comments, json={"body": " "}).json["errors"] == {"body": "请填写意见内容"}
    assert [c["body"] for c in call("GET", "provider_a", comments).json] == ["请补充工作组成员的社保证明。"]
    assert call("GET", "licheng_bureau", comments).status_code == 403
    assert call("POST", "licheng_bureau", comments, json={"body": "越权"}).status_code == 403

    form = {"file": (io.BytesIO(b"%PDF-1.7 social security"), "社保证明.pdf"), "purpose": "comment",
            "instance_id": str(project.instance_id)}
    stored = call("POST", "provider_a", "/api/attachments", data=form, content_type="multipart/form-data")
    assert stored.status_code == 201 and stored.json["filename"] == "社保证明.pdf"
    listed = call("GET", "lixia_bureau", f"/api/instances/{project.instance_id}/attachments").json
    assert [f["id"] for f in listed] == [stored.json["id"]]
    assert call("GET", "lixia_bureau", f"/api/attachments/{stored.json['id']}").data == b"%PDF-1.7 social security"
    assert call("GET", "licheng_bureau", f"/api/attachments/{stored.json['id']}").status_code == 403
    documented = client.get("/api/openapi.json").json["paths"]
    assert {"post", "get"} <= set(documented["/api/instances/{instance_id}/comments"])
    assert "post" in documented["/api/attachments"]


def test_comments_outside_the_scope_or_empty_change_nothing(app, demo_password) -> None:
    engine = app.extensions["diagflow"]
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    outsider = app.test_client()
    sign_in(outsider, "licheng_bureau", demo_password)
    token = csrf_token(outsider.get("/").get_data(as_text=True))
    response = outsider.post(f"/instances/{project.instance_id}/comments", data={"csrf_token": token, "body": "看看"})
    assert response.status_code == 403
    member = app.test_client()
    sign_in(member, "provider_a", demo_password)
    token = csrf_token(member.get("/").get_data(as_text=True))
    empty = member.post(f"/instances/{project.instance_id}/comments", data={"csrf_token": token, "body": "   "})
    assert empty.status_code == 422 and "意见未发表：请填写意见内容" in empty.get_data(as_text=True)
    too_long = member.post(f"/instances/{project.instance_id}/comments", data={"csrf_token": token, "body": "长" * 2001})
    assert too_long.status_code == 422  # the instance page again, the typed text kept
    assert f'<textarea id="comment-body" name="body" rows="3" maxlength="2000">{"长" * 2001}</textarea>' in \
        too_long.get_data(as_text=True)
    task = project.task_of("lixia_bureau", "review_filing")
    reviewer = app.test_client()
    sign_in(reviewer, "lixia_bureau", demo_password)
    token = csrf_token(reviewer.get(f"/tasks/{task['id']}").get_data(as_text=True))
    on_task = reviewer.post(f"/instances/{project.instance_id}/comments", data={
        "csrf_token": token, "body": "<b>请补充</b>" + "。" * 2000, "task_id": task["id"], "return_to": "task"})
    page = on_task.get_data(as_text=True)
    assert on_task.status_code == 422 and 'class="task-data-form"' in page and "意见未发表：最多 2,000 个字符" in page
    assert "&lt;b&gt;请补充&lt;/b&gt;。。" in page  # kept, escaped
    no_token = member.post(f"/instances/{project.instance_id}/comments", data={"body": "无令牌"})
    assert no_token.status_code == 400
    with engine.sessions() as session:
        assert session.scalars(select(Comment)).all() == []
