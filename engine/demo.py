"""Demo data: the organisations and users of the README, all with one known password.

Only this loader creates these users; nothing else in diagflow knows the demo password.
"""

from __future__ import annotations

from sqlalchemy import select

from .identity import IdentityService, hash_password
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
        )
    list_demo_providers(identity, [org_ids["provider_a"], org_ids["provider_b"]])
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
