"""The public pages through Flask's test client, signed out: the subsidy plan's announcement
(第十四条(六)), the real-name objection form and the provider list (第九条).

The plan is announced on Thu 2026-02-12 10:00; its 5 working days are 2/12, 2/13, Sat 2/14
(调休), 2/24 and 2/25, so the period ends at 24:00 of 2/25.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import select

from engine.models import AuditEvent
from engine.public import PER_ANNOUNCEMENT, PER_CLIENT, TooManySubmissions
from engine.records.plans import Objection
from engine.records.providers import ProviderListing
from engine.services import ProcessEngine
from engine.workdays import CalendarFunctions
from tests.support_plan import PlanScenario, announcement_of, at, deploy_stand_ins, eligible_application, plan_items
from tests.webui.test_pages import csrf_token, sign_in

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PERSON = {"kind": "person", "person_name": "陈明", "id_number": "370102198803150028", "person_phone": "13912345678",
          "statement": "诊断报告与企业实际情况不符，请核实。"}
ORGANISATION = {"kind": "organisation", "org_name": "济南同业信息技术有限公司", "credit_code": "91370102MA3DX0005X",
                "contact_person": "刘洋", "org_phone": "0531-88001234", "statement": "满意度调查系服务商代填。"}


def announce_plan(engine: ProcessEngine, publish_at: str | None = None) -> PlanScenario:
    """Two applications (50,000 and 40,000 yuan) in a plan the city drafts, confirms and
    announces at `publish_at` (or now); also what the authorization matrix calls."""
    deploy_stand_ins(engine)
    scenario = PlanScenario(engine)
    eligible_application(scenario, "provider_a", "历下区", 50000)
    eligible_application(scenario, "provider_b", "历城区", 40000)
    scenario.city_drafts_plan(150_000_00).city_confirms_plan()
    if publish_at:
        at(engine.clock, publish_at)
    return scenario.city_publishes_announcement()


@pytest.fixture
def plan(app, clock) -> PlanScenario:
    at(clock, "2026-02-10T09:00:00+08:00")
    return announce_plan(app.extensions["diagflow"], "2026-02-12T10:00:00+08:00")


def announcement_id(plan: PlanScenario) -> int:
    return announcement_of(plan.engine, plan.instance_id).id


def first_item(plan: PlanScenario) -> int:
    return min(item.id for item in plan_items(plan.engine, plan.instance_id).values())


def submit(client, plan: PlanScenario, fields: dict, scan: bytes | None = PDF, scan_name: str = "陈明签名.pdf"):
    """Open the form (for its CSRF token) and post the objection, with a scan for the kind chosen."""
    path = f"/public/announcements/{announcement_id(plan)}/objection"
    data = {"csrf_token": csrf_token(client.get(path).get_data(as_text=True)), "item_id": str(first_item(plan)),
            **fields}
    if scan is not None:
        field = "stamped_scan" if fields.get("kind") == "organisation" else "signed_scan"
        data[field] = (io.BytesIO(scan), scan_name)
    return client.post(path, data=data, content_type="multipart/form-data")


def objections(plan: PlanScenario) -> list[Objection]:
    with plan.engine.sessions() as session:
        return list(session.scalars(select(Objection)))


def countdown(page: str) -> int:
    return int(re.search(r'id="working-days-left">(\d+)<', page).group(1))


def test_list_and_detail_need_no_sign_in(app, plan, clock) -> None:
    client = app.test_client()
    listed = client.get("/public/")
    assert listed.status_code == 200
    text = listed.get_data(as_text=True)
    assert "关于2026年度数字化转型诊断项目资助计划的公示" in text
    assert "2026年2月12日 至 2026年2月25日" in text and "剩余 5 个工作日" in text
    assert "拟资助 90,000.00 元" in text

    detail = client.get(f"/public/announcements/{announcement_id(plan)}").get_data(as_text=True)
    assert "《济南市数字化转型诊断工作指南（暂行）》第十四条（六）" in detail
    assert "50,000.00" in detail and "40,000.00" in detail
    for contact in ("市工业和信息化局数字经济处", "0531-66608000", "济南市市中区龙奥北路 1 号", "szjjc@example.gov.cn"):
        assert contact in detail
    assert "在线提出实名异议" in detail
    missing = client.get("/public/announcements/999")
    page = missing.get_data(as_text=True)
    assert missing.status_code == 404 and "public.css" in page and "返回我的待办" not in page
    assert '<a href="/public/">返回公示公告列表</a>' in page
    assert client.get("/public/announcements/999/objection").status_code == 404

    # the countdown counts working days on the stored calendar
    path = f"/public/announcements/{announcement_id(plan)}"
    for moment, yesterday, expected in [
        ("2026-02-12T10:00:00+08:00", "2026-02-11", 5),  # the first day counts
        ("2026-02-15T09:00:00+08:00", "2026-02-14", 2),  # 春节: only 2/24 and 2/25 are left
        ("2026-02-25T23:00:00+08:00", "2026-02-24", 1),
    ]:
        at(clock, moment)
        calendar = CalendarFunctions(plan.engine.calendar.current())
        shown = countdown(app.test_client().get(path).get_data(as_text=True))
        assert shown == calendar.working_days_between(yesterday, "2026-02-25") == expected, moment


def test_objections_reach_the_plan_and_only_the_city_sees_who_filed_them(app, plan, demo_password) -> None:
    client = app.test_client()
    response = submit(client, plan, PERSON)
    assert response.status_code == 302 and response.location == f"/public/announcements/{announcement_id(plan)}"
    assert "异议已提交" in client.get(response.location).get_data(as_text=True)
    [objection] = objections(plan)
    assert (objection.objector_name, objection.id_number, objection.item_id) == ("陈明", "370102198803150028",
                                                                                  first_item(plan))
    assert plan.waiting_at() == ["handle_objection"]  # delivered as `objection_filed`
    task_data = plan.task_data("city", "handle_objection")
    with plan.engine.sessions() as session:
        audit = json.dumps([e.details for e in session.scalars(select(AuditEvent))], ensure_ascii=False)
    detail = app.test_client().get(f"/public/announcements/{announcement_id(plan)}").get_data(as_text=True)
    for secret in ("陈明", "370102198803150028", "13912345678"):
        assert secret not in json.dumps(task_data, ensure_ascii=False) and secret not in audit
        assert secret not in detail

    city = app.test_client()
    sign_in(city, "city", demo_password)
    task_page = city.get(f"/tasks/{plan.task_of('city', 'handle_objection')['id']}").get_data(as_text=True)
    assert f'<a href="/objections/{objection.id}">查看异议详情' in task_page
    listed = city.get("/objections").get_data(as_text=True)
    assert f'href="/objections/{objection.id}"' in listed and "陈明（个人）" in listed
    page = city.get(f"/objections/{objection.id}")
    assert page.status_code == 200
    assert all(value in page.get_data(as_text=True) for value in ("陈明", "370102198803150028", "13912345678"))
    scan = city.get(f"/attachments/{objection.scan_ref}")
    assert scan.status_code == 200 and scan.data == PDF
    district = app.test_client()
    sign_in(district, "lixia_bureau", demo_password)
    assert district.get(f"/objections/{objection.id}").status_code == 403
    assert district.get("/objections").status_code == 403
    assert district.get(f"/attachments/{objection.scan_ref}").status_code == 403
    assert app.test_client().get(f"/objections/{objection.id}").status_code == 302  # sign in first

    assert submit(app.test_client(), plan, ORGANISATION, scan_name="同业公司盖章.pdf").status_code == 302
    organisation = objections(plan)[-1]
    assert (organisation.objector_kind, organisation.credit_code, organisation.contact_person) == (
        "organisation", "91370102MA3DX0005X", "刘洋")


ANONYMOUS = [
    ({"statement": "匿名举报：材料造假"}, {"kind"}),
    ({"kind": "person", "statement": "匿名举报"}, {"person_name", "id_number", "person_phone", "signed_scan"}),
    ({"kind": "organisation", "statement": "匿名举报"},
     {"org_name", "credit_code", "contact_person", "org_phone", "stamped_scan"}),
]
WRONG_NUMBERS = [
    (ORGANISATION | {"credit_code": "91370102MA3DX00051"}, "credit_code", "统一社会信用代码校验位不正确"),
    (ORGANISATION | {"credit_code": "91370102MA3P7Q8RO4"}, "credit_code", "不含 I、O、Z、S、V"),
    (PERSON | {"id_number": "370102198803150027"}, "id_number", "居民身份证号码校验码不正确"),
    (PERSON | {"id_number": "370102198802300028"}, "id_number", "出生日期"),
    (PERSON | {"item_id": "99999"}, "item_id", "所选项目不在本次公示的资助计划中"),
]


def test_refused_objections_name_the_field_and_change_nothing(app, plan) -> None:
    client = app.test_client()
    for fields, errors in ANONYMOUS:
        response = submit(client, plan, fields, scan=None)
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert all(f'id="{field}-error"' in page for field in errors - {"kind"}), fields
        assert "不受理匿名异议" in page and "匿名举报" in page  # what was typed is kept
    for fields, field, message in WRONG_NUMBERS:
        response = submit(client, plan, fields)
        assert response.status_code == 422
        assert re.search(rf'id="{field}-error">[^<]*{re.escape(message)}', response.get_data(as_text=True)), fields
    not_a_scan = submit(client, plan, PERSON, scan=b"MZ\x90\x00not a pdf", scan_name="签名.pdf")
    assert not_a_scan.status_code == 422 and 'id="signed_scan-error"' in not_a_scan.get_data(as_text=True)
    a_document = submit(client, plan, PERSON, scan_name="签名.docx")
    assert a_document.status_code == 422 and "扫描件应为 PDF、PNG 或 JPEG 文件" in a_document.get_data(as_text=True)
    without_token = client.post(f"/public/announcements/{announcement_id(plan)}/objection",
                                data={**PERSON, "item_id": str(first_item(plan))})
    assert without_token.status_code == 400
    assert objections(plan) == [] and plan.waiting_at() == []
    with plan.engine.sessions() as session:
        assert session.execute(select(AuditEvent).where(AuditEvent.action == "attachment_added")).first() is None


def test_too_many_objections_from_one_address_get_429(app, plan, clock) -> None:
    client = app.test_client()
    for _ in range(PER_ANNOUNCEMENT.count):
        assert submit(client, plan, PERSON).status_code == 302
    refused = submit(client, plan, PERSON)
    assert refused.status_code == 429
    assert "提交过于频繁" in refused.get_data(as_text=True) and int(refused.headers["Retry-After"]) > 0
    assert len(objections(plan)) == PER_ANNOUNCEMENT.count
    clock.advance(PER_ANNOUNCEMENT.window)
    assert submit(client, plan, PERSON).status_code == 302

    public = plan.engine.public  # and at most PER_CLIENT.count a day over all announcements
    for announcement in range(1, PER_CLIENT.count + 1):
        public.admit("client-a", announcement)
    with pytest.raises(TooManySubmissions, match="1 天内最多提交 20 次"):
        public.admit("client-a", PER_CLIENT.count + 1)
    public.admit("client-b", 1)


def test_the_form_closes_with_the_period(app, plan, clock) -> None:
    client = app.test_client()
    path = f"/public/announcements/{announcement_id(plan)}/objection"
    token = csrf_token(client.get(path).get_data(as_text=True))
    at(clock, "2026-02-26T00:00:01+08:00")  # before any timer sweep: closed all the same
    detail = client.get(f"/public/announcements/{announcement_id(plan)}").get_data(as_text=True)
    assert "公示期已结束，不再受理异议" in detail and "在线提出实名异议" not in detail
    form = client.get(path).get_data(as_text=True)
    assert "公示期已结束" in form and 'name="statement"' not in form
    late = client.post(path, data={"csrf_token": token, "item_id": str(first_item(plan)), **PERSON,
                                   "signed_scan": (io.BytesIO(PDF), "签名.pdf")}, content_type="multipart/form-data")
    assert late.status_code == 409 and objections(plan) == []
    plan.engine.timers.sweep()
    assert "公示期已结束" in client.get("/public/").get_data(as_text=True)


def test_the_provider_list_by_batch_shows_only_listed_providers(app) -> None:
    engine = app.extensions["diagflow"]
    page = app.test_client().get("/public/providers").get_data(as_text=True)
    assert "2026年第一批（演示）" in page
    listed = re.findall(r'data-label="服务商名称">([^<]+)<', page)
    assert len(listed) == 2
    with engine.sessions.begin() as session:
        session.scalars(select(ProviderListing)).first().status = "removed"
    after = re.findall(r'data-label="服务商名称">([^<]+)<', app.test_client().get("/public/providers").get_data(as_text=True))
    assert len(after) == 1 and set(after) < set(listed)
