"""第九条: the city determines the provider list by filing or selection (备案、遴选), manages it
dynamically (动态管理) and publishes it in batches (分批发布)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.demo import DEMO_BATCH
from engine.errors import Conflict, Forbidden, InvalidData
from engine.models import Instance, Organisation
from engine.records.providers import ProviderBatch, ProviderListing, published_list
from tests.support import Scenario

FORMS = Path(__file__).resolve().parents[2] / "processes" / "provider_onboarding" / "forms"
# Organisations not on the list yet; the credit codes carry correct check characters.
YUNQI = ("济南云启数字科技有限公司", "91370102MA3P7Q8R4Y", "历下区")
ZHIZAO = ("济南智造诊断服务有限公司", "91370112MA3K2L6M54")
HUIZHI = ("山东汇智工业互联网有限公司", "91370100MA3T9W2X7H")


def applied(engine, username: str = "yunqi") -> Scenario:
    """A new provider that has started an onboarding and applied for its own organisation."""
    return (
        Scenario(engine)
        .new_provider(username, *YUNQI)
        .start(username, "provider_onboarding")
        .provider_applies_for_listing(username)
    )


def listed(engine, clock, batch: str = "2026年第二批") -> Scenario:
    onboarding = applied(engine)
    clock.advance(timedelta(days=1))
    return onboarding.city_admits_into_batch(batch, comment="材料齐全，服务能力符合要求")


def listing_of(engine, organisation_id: int) -> ProviderListing:
    with engine.sessions() as session:
        listing = session.scalar(select(ProviderListing).where(ProviderListing.organisation_id == organisation_id))
    assert listing is not None
    return listing


def public_list(engine) -> list[dict]:
    with engine.sessions() as session:
        return published_list(session)


def listing_changes(engine, scenario: Scenario) -> list[tuple]:
    history = engine.instances.get(scenario.actor("city"), scenario.instance_id)["history"]
    return [
        (event["details"]["status_before"], event["details"]["status_after"], event["details"]["reason"])
        for event in history
        if event["action"] == "provider_listing_changed"
    ]


def test_provider_applies_is_admitted_into_a_batch_and_published(engine, clock) -> None:
    onboarding = Scenario(engine).new_provider("yunqi", *YUNQI).start("yunqi", "provider_onboarding")
    assert onboarding.waiting_at() == ["apply_listing"]
    form = engine.tasks.get(onboarding.actor("yunqi"), onboarding.task_of("yunqi", "apply_listing")["id"])
    assert (form.data["organisation_name"], form.data["credit_code"]) == YUNQI[:2]

    onboarding.provider_applies_for_listing("yunqi")
    assert onboarding.waiting_at() == ["review_application"]
    organisation_id = onboarding.organisation_id("yunqi")
    listing = listing_of(engine, organisation_id)
    assert (listing.status, listing.batch_id, listing.instance_id) == ("applied", None, onboarding.instance_id)
    assert listing.capabilities == ["生产制造", "数据治理"]
    assert listing.contacts[0]["phone"] == "13700000003"
    with pytest.raises(Forbidden, match="尚未列入"):
        engine.instances.start("diagnosis_project", onboarding.actor("yunqi"))

    review = engine.tasks.get(onboarding.actor("city"), onboarding.task_of("city", "review_application")["id"])
    assert ("单位名称", YUNQI[0]) in review.facts
    assert ("诊断服务能力", "生产制造；数据治理") in review.facts

    clock.advance(timedelta(days=1))
    onboarding.city_admits_into_batch("2026年 第二批")
    assert onboarding.waiting_at() == ["manage_listed"]
    assert onboarding.status() == "running"
    with engine.sessions() as session:
        batch = session.scalar(select(ProviderBatch).where(ProviderBatch.name == "2026年第二批"))
    assert batch is not None and batch.published_at == clock.now()
    listing = listing_of(engine, organisation_id)
    assert (listing.status, listing.batch_id) == ("listed", batch.id)

    published = public_list(engine)
    assert [entry["batch_name"] for entry in published] == [DEMO_BATCH, DEMO_BATCH, "2026年第二批"]
    assert published[-1] == {
        "batch_name": "2026年第二批",
        "published_at": clock.now(),
        "organisation_name": YUNQI[0],
        "credit_code": YUNQI[1],
        "district": "历下区",
        "status": "listed",
        "status_label": "在册",
        "star_rating": None,
        "flagged": False,
    }
    assert engine.instances.start("diagnosis_project", onboarding.actor("yunqi"))
    assert listing_changes(engine, onboarding) == [(None, "applied", None), ("applied", "listed", None)]


def test_the_application_records_what_was_applied_and_keeps_the_organisation(engine) -> None:
    onboarding = Scenario(engine).new_provider("huizhi", *HUIZHI).start("huizhi", "provider_onboarding")
    onboarding.provider_applies_for_listing("huizhi", organisation_name="山东汇智工业互联网股份有限公司")
    organisation_id = onboarding.organisation_id("huizhi")
    listing = listing_of(engine, organisation_id)
    assert (listing.applied_name, listing.applied_credit_code) == ("山东汇智工业互联网股份有限公司", HUIZHI[1])
    with engine.sessions() as session:
        assert session.get(Organisation, organisation_id).name == HUIZHI[0]
    data = engine.instances.data(onboarding.actor("city"), onboarding.instance_id)
    assert data["application"]["matches_registration"] is False


def test_city_registers_a_new_provider_into_an_existing_batch(engine, clock) -> None:
    onboarding = Scenario(engine).start("city", "provider_onboarding")
    assert onboarding.waiting_at() == ["register_provider"]
    assert engine.tasks.inbox(onboarding.actor("provider_a"), instance_id=onboarding.instance_id)[1] == 0

    onboarding.city_registers_provider(*ZHIZAO, district="历城区")
    with engine.sessions() as session:
        organisation = session.scalar(select(Organisation).where(Organisation.credit_code == ZHIZAO[1]))
        instance = session.get(Instance, onboarding.instance_id)
    assert (organisation.name, organisation.kind, organisation.district) == (ZHIZAO[0], "provider", "历城区")
    assert (instance.provider_org_id, instance.district) == (organisation.id, "历城区")
    assert listing_of(engine, organisation.id).status == "applied"

    published_before = {entry["batch_name"]: entry["published_at"] for entry in public_list(engine)}
    clock.advance(timedelta(days=3))
    onboarding.city_admits_into_batch(DEMO_BATCH)
    entry = next(e for e in public_list(engine) if e["credit_code"] == ZHIZAO[1])
    assert (entry["batch_name"], entry["published_at"]) == (DEMO_BATCH, published_before[DEMO_BATCH])
    assert (entry["district"], entry["status"]) == ("历城区", "listed")
    assert onboarding.waiting_at() == ["manage_listed"]


def test_city_registration_updates_the_organisation_with_that_credit_code(engine) -> None:
    organisation_id = engine.identity.ensure_organisation("济南智造咨询有限公司", "provider", ZHIZAO[1], "历下区")
    Scenario(engine).start("city", "provider_onboarding").city_registers_provider(*ZHIZAO, district="章丘区")
    with engine.sessions() as session:
        organisation = session.get(Organisation, organisation_id)
        count = len(session.scalars(select(Organisation).where(Organisation.credit_code == ZHIZAO[1])).all())
    assert (organisation.name, organisation.district, count) == (ZHIZAO[0], "章丘区", 1)
    assert listing_of(engine, organisation_id).status == "applied"


def test_city_rejects_with_a_reason_and_the_provider_may_apply_again(engine) -> None:
    onboarding = applied(engine)
    onboarding.city_rejects_application("缺少诊断服务案例和团队资质证明")
    assert onboarding.status() == "completed"
    assert onboarding.waiting_at() == []
    listing = listing_of(engine, onboarding.organisation_id("yunqi"))
    assert (listing.status, listing.reason) == ("rejected", "缺少诊断服务案例和团队资质证明")
    assert all(entry["credit_code"] != YUNQI[1] for entry in public_list(engine))
    with pytest.raises(Forbidden, match="未通过审核（缺少诊断服务案例和团队资质证明）"):
        engine.instances.start("diagnosis_project", onboarding.actor("yunqi"))

    again = Scenario(engine).start("yunqi", "provider_onboarding").provider_applies_for_listing("yunqi")
    assert again.waiting_at() == ["review_application"]
    assert listing_of(engine, onboarding.organisation_id("yunqi")).status == "applied"


def test_suspension_stops_new_projects_until_reinstated(engine, clock) -> None:
    onboarding = listed(engine, clock)
    provider = onboarding.actor("yunqi")

    onboarding.city_suspends_provider("诊断报告质量不合格")
    assert onboarding.waiting_at() == ["manage_suspended"]
    listing = listing_of(engine, onboarding.organisation_id("yunqi"))
    assert (listing.status, listing.reason) == ("suspended", "诊断报告质量不合格")
    assert next(e for e in public_list(engine) if e["credit_code"] == YUNQI[1])["status_label"] == "已暂停"
    with pytest.raises(Forbidden, match="已被暂停（诊断报告质量不合格）"):
        engine.instances.start("diagnosis_project", provider)

    reinstate = engine.tasks.get(onboarding.actor("city"), onboarding.task_of("city", "manage_suspended")["id"])
    assert reinstate.data["management_reason"] is None  # the suspension's reason is not offered again
    onboarding.city_reinstates_provider("已完成整改，复核合格")
    assert onboarding.waiting_at() == ["manage_listed"]
    assert listing_of(engine, onboarding.organisation_id("yunqi")).status == "listed"
    project = Scenario(engine).start("yunqi")
    assert project.waiting_at() == ["file_contract"]

    onboarding.city_suspends_provider("未按要求整改")
    with pytest.raises(Forbidden, match="已被暂停（未按要求整改）"):
        engine.instances.start("diagnosis_project", provider)
    assert listing_changes(engine, onboarding)[2:] == [
        ("listed", "suspended", "诊断报告质量不合格"),
        ("suspended", "listed", "已完成整改，复核合格"),
        ("listed", "suspended", "未按要求整改"),
    ]
    completions = [
        (event["element_id"], event["details"]["after"])
        for event in engine.instances.get(onboarding.actor("city"), onboarding.instance_id)["history"]
        if event["action"] == "task_completed" and event["actor"] == "city"
    ]
    assert ("manage_suspended", {"management_action": "reinstate", "management_reason": "已完成整改，复核合格"}) in (
        completions
    )


@pytest.mark.parametrize("suspended_first", [False, True], ids=["listed", "suspended"])
def test_removal_ends_the_listing(engine, clock, suspended_first: bool) -> None:
    onboarding = listed(engine, clock)
    if suspended_first:
        onboarding.city_suspends_provider("服务过程中存在违规行为")
    onboarding.city_removes_provider("弄虚作假骗取补助资金")
    assert onboarding.status() == "completed"
    assert onboarding.waiting_at() == []
    listing = listing_of(engine, onboarding.organisation_id("yunqi"))
    assert (listing.status, listing.reason) == ("removed", "弄虚作假骗取补助资金")
    assert all(entry["credit_code"] != YUNQI[1] for entry in public_list(engine))
    with pytest.raises(Forbidden, match="已被移出名单（弄虚作假骗取补助资金）"):
        engine.instances.start("diagnosis_project", onboarding.actor("yunqi"))
    assert listing_changes(engine, onboarding)[-1] == (
        "suspended" if suspended_first else "listed",
        "removed",
        "弄虚作假骗取补助资金",
    )


def test_only_the_city_acts_on_review_and_management(engine, clock) -> None:
    onboarding = applied(engine)
    provider = onboarding.actor("yunqi")
    review_id = onboarding.task_of("city", "review_application")["id"]
    assert engine.tasks.inbox(provider, instance_id=onboarding.instance_id)[1] == 0
    admit = {"review_decision": "admit", "batch_name": "2026年第二批"}
    with pytest.raises(Forbidden):
        engine.tasks.complete(provider, review_id, admit)
    with pytest.raises(Forbidden):
        engine.tasks.get(provider, review_id)
    with pytest.raises(Forbidden):
        engine.tasks.complete(onboarding.actor("lixia_bureau"), review_id, admit)
    assert onboarding.waiting_at() == ["review_application"]
    assert engine.instances.get(provider, onboarding.instance_id)["status"] == "running"  # it sees its own

    onboarding.city_admits_into_batch("2026年第二批")
    manage_id = onboarding.task_of("city", "manage_listed")["id"]
    with pytest.raises(Forbidden):
        engine.tasks.complete(provider, manage_id, {"management_action": "remove", "management_reason": "自行退出"})
    with pytest.raises(Forbidden):
        engine.instances.start("provider_onboarding", onboarding.actor("lixia_bureau"))


@pytest.mark.parametrize(
    "credit_code, message",
    [
        ("91370102MA3P7Q8R4", "至少 18 个字符"),  # too short
        ("91370102MA3P7Q8RO4", "格式不正确"),  # O is not used in credit codes
        ("91370102MA3P7Q8R4X", "校验位不正确"),  # wrong check character
    ],
)
def test_an_invalid_credit_code_is_refused_naming_the_field(engine, credit_code: str, message: str) -> None:
    onboarding = Scenario(engine).new_provider("yunqi", *YUNQI).start("yunqi", "provider_onboarding")
    with pytest.raises(InvalidData) as refused:
        onboarding.provider_applies_for_listing("yunqi", credit_code=credit_code)
    assert message in refused.value.errors["credit_code"]
    assert onboarding.waiting_at() == ["apply_listing"]

    registration = Scenario(engine).start("city", "provider_onboarding")
    with pytest.raises(InvalidData) as refused:
        registration.city_registers_provider(ZHIZAO[0], credit_code)
    assert message in refused.value.errors["credit_code"]
    with engine.sessions() as session:
        assert session.scalar(select(Organisation).where(Organisation.credit_code == credit_code)) is None
        assert session.scalar(select(ProviderListing).where(ProviderListing.applied_credit_code == credit_code)) is None


def test_contacts_and_capabilities_are_checked(engine) -> None:
    onboarding = Scenario(engine).new_provider("yunqi", *YUNQI).start("yunqi", "provider_onboarding")
    with pytest.raises(InvalidData) as refused:
        onboarding.provider_applies_for_listing(
            "yunqi",
            contacts=[{"name": "王磊", "phone": "12345", "email": "not-an-email"}],
            capabilities=["算命"],
        )
    assert {"contacts.0.phone", "contacts.0.email", "capabilities.0"} <= set(refused.value.errors)


def test_no_second_onboarding_for_a_provider_under_management(engine, clock) -> None:
    with pytest.raises(Conflict, match="已在服务商名单管理中（在册）"):
        Scenario(engine).start("provider_a", "provider_onboarding")

    first = Scenario(engine).new_provider("yunqi", *YUNQI).start("yunqi", "provider_onboarding")
    with pytest.raises(Conflict, match=f"进行中的服务商入库申请（业务编号 2026-{first.instance_id:06d}）"):
        Scenario(engine).start("yunqi", "provider_onboarding")
    first.provider_applies_for_listing("yunqi")
    with pytest.raises(Conflict, match="已在服务商名单管理中（申请中）"):
        Scenario(engine).start("yunqi", "provider_onboarding")

    registration = Scenario(engine).start("city", "provider_onboarding")
    with pytest.raises(InvalidData) as refused:
        registration.city_registers_provider(*YUNQI[:2])
    assert "已在服务商名单管理中" in refused.value.errors["credit_code"]

    engine.identity.ensure_organisation(HUIZHI[0], "enterprise", HUIZHI[1], "历下区")
    with pytest.raises(InvalidData) as refused:
        registration.city_registers_provider(*HUIZHI)
    assert refused.value.errors["credit_code"] == "该统一社会信用代码已登记为企业，不能登记为服务商"
    assert registration.waiting_at() == ["register_provider"]


def test_published_list_shows_published_batches_only(engine, clock) -> None:
    listed(engine, clock, batch="2026年第三批")
    with engine.sessions.begin() as session:
        session.add(ProviderBatch(name="2027年第一批（待发布）", published_at=None))
        session.flush()
        organisation = session.scalar(select(Organisation).where(Organisation.credit_code == YUNQI[1]))
        listing = session.scalar(select(ProviderListing).where(ProviderListing.organisation_id == organisation.id))
        listing.flagged = True
    published = public_list(engine)
    assert {entry["batch_name"] for entry in published} == {DEMO_BATCH, "2026年第三批"}
    assert [entry["organisation_name"] for entry in published if entry["batch_name"] == DEMO_BATCH] == [
        "济南数智诊断科技有限公司",
        "山东工赋咨询服务有限公司",
    ]
    assert next(e for e in published if e["credit_code"] == YUNQI[1])["flagged"] is True
    assert all(entry["star_rating"] is None for entry in published)


def test_every_form_field_has_a_chinese_title() -> None:
    def untitled(schema: dict, path: str) -> list[str]:
        missing = []
        for name, prop in (schema.get("properties") or {}).items():
            if not re.search(r"[\u4e00-\u9fff]", prop.get("title", "")):
                missing.append(f"{path}{name}")
            if isinstance(prop.get("items"), dict):
                missing += untitled(prop["items"], f"{path}{name}.")
        return missing

    schemas = sorted(FORMS.glob("*.schema.json"))
    assert len(schemas) == 5
    for path in schemas:
        assert untitled(json.loads(path.read_text(encoding="utf-8")), f"{path.name}:") == []
