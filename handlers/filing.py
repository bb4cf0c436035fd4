"""Filing (备案, 第十一条): the contract a provider and an enterprise file with the district."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.models import Organisation
from engine.operators import HandlerContext, HandlerError
from engine.records.projects import Filing

from . import operator


@operator("filing.record")
def record_filing(ctx: HandlerContext, _params: dict[str, Any]) -> dict[str, Any]:
    """Record (or revise) the filing and put the instance in the enterprise's district,
    so the enterprise and that district's bureau see the next tasks."""
    enterprise = ctx.session.get(Organisation, ctx.data["enterprise_id"])
    if enterprise is None or enterprise.kind != "enterprise":
        raise HandlerError(f"enterprise {ctx.data['enterprise_id']} does not exist")
    if not enterprise.district:
        raise HandlerError(f"enterprise {enterprise.name} has no district")
    filing = ctx.session.scalar(select(Filing).where(Filing.instance_id == ctx.instance.id))
    if filing is None:
        filing = Filing(instance_id=ctx.instance.id, revision=0)
        ctx.session.add(filing)
    filing.provider_org_id = ctx.instance.provider_org_id
    filing.enterprise_org_id = enterprise.id
    filing.district = enterprise.district
    filing.contract_no = ctx.data["contract_no"]
    filing.contract_date = ctx.data["contract_date"]
    filing.contract_amount = ctx.data["contract_amount"]
    filing.working_group = list(ctx.data["working_group"])
    filing.revision += 1
    filing.filed_at = ctx.clock.now()
    ctx.instance.enterprise_org_id = enterprise.id
    ctx.instance.district = enterprise.district
    ctx.session.flush()
    return {
        "filing_id": filing.id,
        "revision": filing.revision,
        "enterprise_name": enterprise.name,
        "district": enterprise.district,
    }
