"""The city bureau's view of an objection filed through the public form, with the objector's
identity and scan. Only the city bureau may open it (the identity is confidential; the
engine refuses everyone else), which is why it is a page of its own and not task data."""

from __future__ import annotations

from flask import Blueprint, render_template

from .auth import login_required
from .context import actor, engine

bp = Blueprint("objections", __name__)


@bp.get("/objections")
@login_required
def index() -> str:
    return render_template("public_objections.html", objections=engine().public.objections(actor()))


@bp.get("/objections/<int:objection_id>")
@login_required
def show(objection_id: int) -> str:
    return render_template("public_objector.html", objection=engine().public.objector(actor(), objection_id))
