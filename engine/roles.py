"""Roles (the lanes of every model) and the district scope values, from DOMAIN.md."""

from __future__ import annotations

from .i18n import N_

ROLES: dict[str, str] = {
    "city_bureau": N_("市工业和信息化局"),
    "city_finance": N_("市财政局"),
    "district_bureau": N_("区县工信主管部门"),
    "district_finance": N_("区县财政部门"),
    "provider": N_("服务商"),
    "enterprise": N_("企业"),
    "expert": N_("评审专家"),
    "supervisor": N_("第三方机构"),
}

DISTRICT_ROLES = frozenset({"district_bureau", "district_finance"})
ORGANISATION_ROLES = frozenset({"provider", "enterprise"})
CITY_WIDE_ROLES = frozenset({"city_bureau", "city_finance"})
ASSIGNED_ONLY_ROLES = frozenset({"expert", "supervisor"})

DISTRICTS: tuple[str, ...] = (
    "历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区", "章丘区", "济阳区",
    "莱芜区", "钢城区", "平阴县", "商河县", "高新区", "南部山区", "起步区",
)
