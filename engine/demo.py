"""Demo data: the organisations and users of the README, all with one known password.

Only this loader creates these users; nothing else in diagflow knows the demo password.
"""

from __future__ import annotations

from sqlalchemy import select

from .identity import IdentityService, hash_password
from .records.campaigns import OPEN, Campaign, DistrictQuota
from .records.providers import LISTED, ProviderBatch, ProviderListing

DEMO_PASSWORD = "jinan-demo-2026"  # noqa: S105 - the documented demo password
DEMO_BATCH = "2026年第一批（演示）"

ORGANISATIONS = {
    "provider_a": ("济南数智诊断科技有限公司", "provider", "91370100MA3DA0001H", "高新区"),
    "provider_b": ("山东工赋咨询服务有限公司", "provider", "91370100MA3DB0002C", "历下区"),
    "enterprise_a": ("济南明泉精密机械有限公司", "enterprise", "91370102MA3DC00034", "历下区"),
    "enterprise_b": ("济南华山新材料股份有限公司", "enterprise", "91370112MA3DD0004E", "历城区"),
}

# username → (display name, role, district); organisation users take their organisation's key.
USERS = {
    "city": ("市工信局 王主任", "city_bureau", None),
    "city_leader": ("市工信局 分管领导", "city_bureau", None),
    "city_finance": ("市财政局 李科长", "city_finance", None),
    "lixia_bureau": ("历下区工信局 赵科长", "district_bureau", "历下区"),
    "lixia_finance": ("历下区财政局 钱会计", "district_finance", "历下区"),
    "licheng_bureau": ("历城区工信局 孙科长", "district_bureau", "历城区"),
    "licheng_finance": ("历城区财政局 周会计", "district_finance", "历城区"),
    "provider_a": ("数智诊断 项目经理", "provider", None),
    "provider_b": ("工赋咨询 项目经理", "provider", None),
    "enterprise_a": ("明泉精密 信息化负责人", "enterprise", None),
    "enterprise_b": ("华山新材 信息化负责人", "enterprise", None),
    **{f"expert_{n}": (f"评审专家 {n} 号", "expert", None) for n in range(1, 6)},
    "supervisor_1": ("第三方监督机构 吴工", "supervisor", None),
}


def load_demo(identity: IdentityService) -> int:
    """Create the demo organisations and users unless they exist; return the user count."""
    org_ids = {key: identity.ensure_organisation(*values) for key, values in ORGANISATIONS.items()}
    shared_hash = hash_password(DEMO_PASSWORD)
    for username, (display_name, role, district) in USERS.items():
        identity.ensure_user(
            username,
            DEMO_PASSWORD,
            display_name,
            role,
            district=district,
            organisation_id=org_ids.get(username),
            password_hash=shared_hash,
            email=f"{username}@example.com",
        )
    list_demo_providers(identity, [org_ids["provider_a"], org_ids["provider_b"]])
    open_demo_campaign(identity)
    return len(USERS)


def list_demo_providers(identity: IdentityService, organisation_ids: list[int]) -> None:
    """Put the demo providers on a published batch of the list, so they can file projects."""
    with identity.sessions.begin() as session:
        batch = session.scalar(select(ProviderBatch).where(ProviderBatch.name == DEMO_BATCH))
        if batch is None:
            batch = ProviderBatch(name=DEMO_BATCH, published_at=identity.clock.now())
            session.add(batch)
            session.flush()
        for organisation_id in organisation_ids:
            listed = session.scalar(select(ProviderListing).where(ProviderListing.organisation_id == organisation_id))
            if listed is None:
                session.add(
                    ProviderListing(
                        organisation_id=organisation_id,
                        status=LISTED,
                        batch_id=batch.id,
                        updated_at=identity.clock.now(),
                    )
                )


# The demo campaign's district quotas (第三条 总量控制): the demo enterprises' districts.
DEMO_CAMPAIGN_QUOTAS = {"历下区": 10, "历城区": 10}


def open_demo_campaign(identity: IdentityService) -> None:
    """An open diagnosis campaign for the current year, so the demo providers can file.

    Written directly as records (as if the city had published it; there is no
    `diagnosis_campaign` instance and no district mobilisation behind it), and only when
    the year has no campaign yet.
    """
    year = identity.clock.local_now().year
    with identity.sessions.begin() as session:
        if session.scalar(select(Campaign.id).where(Campaign.year == year).limit(1)) is not None:
            return
        campaign = Campaign(
            year=year,
            title=f"{year}年度数字化转型诊断工作（演示）",
            window_start=f"{year}-01-01",
            window_end=f"{year}-12-31",
            requirements="演示数据：全年可签订诊断合同并备案。",
            status=OPEN,
            published_at=identity.clock.now(),
        )
        session.add(campaign)
        session.flush()
        for district, quota in DEMO_CAMPAIGN_QUOTAS.items():
            session.add(DistrictQuota(campaign_id=campaign.id, district=district, quota=quota))
