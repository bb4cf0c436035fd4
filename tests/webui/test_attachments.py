"""Attachments through the web: typed by content, limited in size, read only within scope,
and a form's file field may only point at its own instance's files."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import func, select

from engine.attachments import PURPOSE_OBJECTION
from engine.errors import InvalidData
from engine.filetypes import sanitise_filename, sniff
from engine.models import Attachment, AttachmentBlob, AuditEvent
from tests.support import REPORT, Scenario
from tests.webui.test_pages import csrf_token, sign_in

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"PE\x00\x00"


def office(main_part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<x/>")
    return out.getvalue()


def count(engine, model) -> int:
    with engine.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def project(app) -> Scenario:
    return Scenario(app.extensions["diagflow"]).start("provider_a")


def signed_in(app, username: str, password: str, task_id: str):
    """A browser session of `username` and the CSRF token of the task page (or the inbox)."""
    client = app.test_client()
    sign_in(client, username, password)
    page = client.get(f"/tasks/{task_id}")
    token = csrf_token(page.get_data(as_text=True) if page.status_code == 200 else client.get("/").get_data(as_text=True))
    return client, token


def upload(client, token: str, task_id: str, data: bytes, name: str, field: str = "report_file"):
    return client.post(
        "/attachments",
        data={"file": (io.BytesIO(data), name), "purpose": "task", "task_id": task_id, "field": field},
        headers={"X-CSRFToken": token},
        content_type="multipart/form-data",
    )


def test_content_decides_the_type_and_names_are_cleaned() -> None:
    assert sniff(PDF) == {"pdf"} and sniff(PNG) == {"png"} and sniff(b"\xff\xd8\xff\xe0JFIF") == {"jpg", "jpeg"}
    assert sniff(office("word/document.xml")) == {"docx"} and sniff(office("xl/workbook.xml")) == {"xlsx"}
    assert sniff(office("ppt/presentation.xml")) == {"pptx"}
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert sniff(ole2 + "WordDocument".encode("utf-16-le")) == {"doc"}
    assert sniff(ole2 + "Workbook".encode("utf-16-le")) == {"xls"}
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as package:
        package.writestr("word/document.xml", "<x/>")
    assert sniff(plain_zip.getvalue()) == set() and sniff(ELF) == set() and sniff(PE) == set()
    assert sanitise_filename("..\\..\\etc/合同<1>.pdf") == "合同_1_.pdf"
    assert sanitise_filename(".bashrc") == "bashrc" and sanitise_filename("") == "附件"


def test_upload_in_scope_stores_content_once_and_downloads_safely(app, project, demo_password) -> None:
    engine = project.engine
    task = project.task_of("provider_a", "file_contract")
    client, token = signed_in(app, "provider_a", demo_password, task["id"])
    first = upload(client, token, task["id"], PDF, "../诊断合同.pdf", "contract_scan")
    second = upload(client, token, task["id"], PDF, "副本.pdf", "contract_scan")
    assert first.status_code == 201 and second.status_code == 201
    meta = first.json
    assert meta["filename"] == "诊断合同.pdf" and meta["content_type"] == "application/pdf" and meta["size"] == len(PDF)
    assert second.json["sha256"] == meta["sha256"] and second.json["id"] != meta["id"]
    assert count(engine, AttachmentBlob) == 1 and count(engine, Attachment) == 2

    download = client.get(meta["url"])
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "private" in download.headers["Cache-Control"]
    with engine.sessions() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.instance_id == project.instance_id)).all()
    assert actions.count("attachment_added") == 2


def test_refused_uploads_keep_nothing(app, project, demo_password, monkeypatch) -> None:
    """Wrong type (a renamed executable), wrong extension, empty, oversized, another provider's
    task, no CSRF token: each is refused with its reason and nothing is stored."""
    task = project.task_of("provider_a", "file_contract")
    client, token = signed_in(app, "provider_a", demo_password, task["id"])
    refusals = {(ELF, "诊断报告.pdf"): "不支持的文件类型", (PE, "诊断报告.pdf"): "不支持的文件类型",
                (PDF, "诊断报告.docx"): "文件扩展名 .docx 与文件内容（pdf）不符", (b"", "空.pdf"): "文件为空"}
    for (data, name), message in refusals.items():
        response = upload(client, token, task["id"], data, name)
        assert response.status_code == 422 and message in response.json["errors"]["report_file"], name

    monkeypatch.setenv("DIAGFLOW_MAX_UPLOAD_MB", "1")
    just_over = upload(client, token, task["id"], PDF + b"0" * (1024 * 1024 - len(PDF) + 1), "大.pdf")
    assert just_over.status_code == 422 and just_over.json["errors"]["report_file"] == "文件超过 1 MB 的上限"
    far_over = upload(client, token, task["id"], PDF + b"0" * (3 * 1024 * 1024), "更大.pdf")
    assert far_over.status_code == 422 and "超过 1 MB" in far_over.json["errors"]["file"]
    monkeypatch.delenv("DIAGFLOW_MAX_UPLOAD_MB")

    assert upload(client, "not-the-token", task["id"], PDF, "a.pdf").status_code == 400
    scan = client.post("/attachments", data={"file": (io.BytesIO(PDF), "异议.pdf"), "purpose": "objection"},
                       headers={"X-CSRFToken": token}, content_type="multipart/form-data")
    assert scan.status_code == 422 and "公示页面" in scan.json["errors"]["purpose"]
    other, other_token = signed_in(app, "provider_b", demo_password, task["id"])
    assert upload(other, other_token, task["id"], PDF, "a.pdf").status_code == 403
    assert count(project.engine, Attachment) == 0 and count(project.engine, AttachmentBlob) == 0


def test_download_outside_the_scope_is_refused(app, project, demo_password) -> None:
    engine = project.engine
    project.provider_files_contract().enterprise_confirms_filing().district_accepts_filing()
    stored = engine.attachments.store(project.actor("provider_a"), PDF, "报告.pdf", purpose="task",
                                      task_id=project.task_of("provider_a", "submit_report")["id"])
    scan = engine.attachments.store(None, PDF, "异议扫描件.pdf", purpose=PURPOSE_OBJECTION)
    expected = {"lixia_bureau": 200, "city": 200, "licheng_bureau": 403, "provider_b": 403}
    for username, status in expected.items():
        client = app.test_client()
        sign_in(client, username, demo_password)
        assert client.get(f"/attachments/{stored['id']}").status_code == status, username
        assert client.get(f"/attachments/{scan['id']}").status_code == (200 if username == "city" else 403), username
    assert app.test_client().get(f"/attachments/{stored['id']}").status_code == 302
    with pytest.raises(InvalidData):
        engine.attachments.store(None, PDF, "x.pdf", purpose="anything")


def test_report_field_takes_only_this_projects_pdf(app, project, demo_password) -> None:
    engine = project.engine
    project.provider_files_contract().enterprise_confirms_filing().district_accepts_filing()
    task = project.task_of("provider_a", "submit_report")
    elsewhere = Scenario(engine).start("provider_a")
    foreign = engine.attachments.store(project.actor("provider_a"), PDF, "别的项目.pdf", purpose="task",
                                       task_id=elsewhere.task_of("provider_a", "file_contract")["id"])
    picture = engine.attachments.store(project.actor("provider_a"), PNG, "照片.png", purpose="task", task_id=task["id"])
    for wrong, message in ((foreign, "不属于本项目"), (picture, "应上传 PDF 文件"), ({"id": "0" * 32}, "不属于本项目")):
        with pytest.raises(InvalidData) as refused:
            engine.tasks.complete(project.actor("provider_a"), task["id"], REPORT | {"report_file": wrong["id"]})
        assert message in refused.value.errors["report_file"]
    assert project.waiting_at() == ["submit_report"]

    client, token = signed_in(app, "provider_a", demo_password, task["id"])
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert 'data-attachment-field' in page and 'accept="application/pdf"' in page and "attachments.js" in page
    report = upload(client, token, task["id"], PDF, "诊断报告.pdf").json
    response = client.post(f"/tasks/{task['id']}", data={
        "csrf_token": token, "report_level": "L2", "report_score": "56.5", "findings": REPORT["findings"],
        "proposals": REPORT["proposals"], "report_file": report["id"]})
    assert response.status_code == 302 and project.waiting_at() == ["confirm_assessment"]
    instance_page = client.get(f"/instances/{project.instance_id}").get_data(as_text=True)
    assert "诊断报告.pdf" in instance_page and report["url"] in instance_page


def test_same_content_is_kept_once_on_both_databases(engine) -> None:
    project = Scenario(engine).start("provider_a")
    task = project.task_of("provider_a", "file_contract")
    stored = [engine.attachments.store(project.actor("provider_a"), PDF, f"{n}.pdf", purpose="task", task_id=task["id"])
              for n in range(2)]
    assert stored[0]["sha256"] == stored[1]["sha256"] and count(engine, AttachmentBlob) == 1
    meta, data = engine.attachments.read(project.actor("city"), stored[1]["id"])
    assert data == PDF and meta["filename"] == "1.pdf"
