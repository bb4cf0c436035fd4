"""Who may do what: plain decisions on values, no database and no request.

Every task action and every instance read goes through these functions, so the rules are
in one place and testable without a server.
"""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import N_
from .roles import ASSIGNED_ONLY_ROLES, DISTRICT_ROLES, ORGANISATION_ROLES


@dataclass(frozen=True)
class Actor:
    """The caller as the engine sees it: identity, role and scope."""

    user_id: int | None
    username: str
    role: str
    district: str | None = None
    organisation_id: int | None = None
    display_name: str = ""


SYSTEM = Actor(user_id=None, username="system", role="system", display_name=N_("系统"))


@dataclass(frozen=True)
class Scope:
    """The scope of a task or an instance: its district and the organisation it belongs to."""

    district: str | None
    organisation_id: int | None


def in_scope(actor: Actor, role: str, scope: Scope) -> bool:
    """True when `actor` holds `role` and the scope is the actor's own."""
    if actor.role != role:
        return False
    if role in DISTRICT_ROLES:
        return scope.district is not None and scope.district == actor.district
    if role in ORGANISATION_ROLES:
        return scope.organisation_id is not None and scope.organisation_id == actor.organisation_id
    return True


def may_act_on_task(actor: Actor, role: str, scope: Scope, assignee_id: int | None) -> bool:
    """May the actor work on (see, claim, complete) a task of `role` in `scope`?

    Experts and supervisors act only on tasks assigned to them; a task claimed by someone
    else stays visible to its role but only its assignee may complete it (checked apart).
    """
    if not in_scope(actor, role, scope):
        return False
    if role in ASSIGNED_ONLY_ROLES:
        return assignee_id is not None and assignee_id == actor.user_id
    return True


def may_view_instance(
    actor: Actor,
    district: str | None,
    provider_org_id: int | None,
    enterprise_org_id: int | None,
    roles: frozenset[str],
) -> bool:
    """May the actor read an instance (its data, history, tasks)?

    The city bureau sees everything. Other roles see an instance only when their role takes
    part in the process (`roles`, the model's lanes) and the instance is in their scope.
    """
    if actor.role == "city_bureau":
        return True
    if actor.role not in roles:
        return False
    if actor.role in DISTRICT_ROLES:
        return district is not None and district == actor.district
    if actor.role == "provider":
        return provider_org_id is not None and provider_org_id == actor.organisation_id
    if actor.role == "enterprise":
        return enterprise_org_id is not None and enterprise_org_id == actor.organisation_id
    return actor.role == "city_finance"


def task_scope(role: str, district: str | None, provider_org_id: int | None, enterprise_org_id: int | None) -> Scope:
    """The scope a task of `role` gets from its instance."""
    if role == "provider":
        return Scope(district, provider_org_id)
    if role == "enterprise":
        return Scope(district, enterprise_org_id)
    return Scope(district, None)


# Who scored an application is the city bureau's to know: an applicant who learnt it could
# approach or pressure the experts (第十五条's review is meant to be independent).
CONFIDENTIAL_ACTOR_ROLES = frozenset({"expert"})


def hides_actor(viewer: Actor, actor_role: str | None, actor_id: int | None) -> bool:
    """True when `viewer` must not learn who acted, nor what they entered."""
    return actor_role in CONFIDENTIAL_ACTOR_ROLES and viewer.role != "city_bureau" and viewer.user_id != actor_id
