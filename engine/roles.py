"""Roles (the lanes of every model) and the district scope values, from DOMAIN.md."""

from __future__ import annotations

ROLES: dict[str, str] = {
    "city_bureau": "市工业和信息化局",
    "city_finance": "市财政局",
    "district_bureau": "区县工信主管部门",
    "district_finance": "区县财政部门",
    "provider": "服务商",
    "enterprise": "企业",
    "expert": "评审专家",
    "supervisor": "第三方机构",
}

DISTRICT_ROLES = frozenset({"district_bureau", "district_finance"})
ORGANISATION_ROLES = frozenset({"provider", "enterprise"})
CITY_WIDE_ROLES = frozenset({"city_bureau", "city_finance"})
ASSIGNED_ONLY_ROLES = frozenset({"expert", "supervisor"})

DISTRICTS: tuple[str, ...] = (
    "历下区", "市中区", "槐荫区", "天桥区", "历城区", "长清区", "章丘区", "济阳区",
    "莱芜区", "钢城区", "平阴县", "商河县", "高新区", "南部山区", "起步区",
)
