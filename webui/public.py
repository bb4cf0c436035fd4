"""Public pages (no sign-in): announcements of the subsidy plan (第十四条(六)), the real-name
objection form, and the provider list by batch (第九条).

Only what was published is shown. An objection is checked field by field, rate-limited per
client, its scan stored under a neutral name (a file name may carry the objector's name, and
the upload is audited), then filed by `handlers.plans.file_objection`, which delivers it to
the plan's process as `objection_filed`. A refused submission writes nothing, except that a
scan already stored stays unreferenced when the filing itself is refused at the last moment
(the period ended in between): such a file is readable by the city bureau only, like any
objection scan.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from pathlib import PurePath
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from engine.attachments import PURPOSE_OBJECTION
from engine.errors import Conflict, InvalidData
from engine.public import TooManySubmissions
from engine.records.plans import OBJECTOR_ORGANISATION, OBJECTOR_PERSON, yuan_figures
from handlers.plans import file_objection, objection_problems

from .context import engine
from .i18n import content_label

bp = Blueprint("public", __name__, url_prefix="/public")

SCAN_EXTENSIONS = (".pdf", ".png", ".jpg", ".jpeg")
# Form field → (objector kind, the key `objection_problems` and `file_objection` use).
FIELDS = {
    "org_name": (OBJECTOR_ORGANISATION, "name"),
    "credit_code": (OBJECTOR_ORGANISATION, "credit_code"),
    "contact_person": (OBJECTOR_ORGANISATION, "contact_person"),
    "org_phone": (OBJECTOR_ORGANISATION, "phone"),
    "person_name": (OBJECTOR_PERSON, "name"),
    "id_number": (OBJECTOR_PERSON, "id_number"),
    "person_phone": (OBJECTOR_PERSON, "phone"),
}
SCAN_FIELDS = {OBJECTOR_ORGANISATION: "stamped_scan", OBJECTOR_PERSON: "signed_scan"}


@bp.app_template_filter("yuan2")
def yuan2(fen: int) -> str:
    """An amount of integer fen in yuan with two decimals and thousands separators: 50,000.00."""
    return yuan_figures(fen)


@bp.get("/")
def announcements() -> str:
    return render_template("public_announcements.html", announcements=engine().public.announcements())


@bp.get("/announcements/<int:announcement_id>")
def announcement(announcement_id: int) -> str:
    return render_template("public_announcement.html", announcement=engine().public.announcement(announcement_id))


@bp.get("/providers")
def providers() -> str:
    return render_template("public_providers.html", batches=engine().public.provider_batches())


@bp.get("/announcements/<int:announcement_id>/objection")
def objection_form(announcement_id: int) -> str | tuple[str, int, dict[str, str]]:
    return _form(engine().public.announcement(announcement_id), {}, {})


@bp.post("/announcements/<int:announcement_id>/objection")
def submit_objection(announcement_id: int) -> Response | str | tuple[str, int, dict[str, str]]:
    shown = engine().public.announcement(announcement_id)
    form = request.form.to_dict()
    if not shown["period"]["open"]:
        return _form(shown, form, {}, 409)
    kind = form.get("kind")
    upload = request.files.get(SCAN_FIELDS.get(kind, ""))
    objector = _objector(form, upload)
    errors = _problems(shown, objector, upload)
    if errors:
        return _form(shown, form, errors, 422)
    try:
        engine().public.admit(_client_key(), announcement_id)
        objector[SCAN_FIELDS[kind]] = _store_scan(upload, SCAN_FIELDS[kind])
        objection_id = file_objection(engine(), announcement_id, objector)
    except TooManySubmissions as refused:
        retry = {"Retry-After": str(_seconds_until(refused.retry_after))}
        return _form(shown, form, {"form": content_label(refused.message)}, 429, retry)
    except InvalidData as invalid:
        return _form(shown, form, _form_errors(kind, invalid.errors), 422)
    except Conflict as refused:
        return _form(engine().public.announcement(announcement_id), form, {"form": content_label(refused.message)}, 409)
    flash(gettext("异议已提交，受理编号 %(number)s。市工业和信息化局将依法核实处理，并对异议人信息保密。",
                  number=objection_id), "success")
    return redirect(url_for("public.announcement", announcement_id=announcement_id))


def _problems(shown: dict[str, Any], objector: dict[str, Any], upload: FileStorage | None) -> dict[str, str]:
    """Every field error found before anything is written: the real-name rules, an item of this
    announcement, a scan named as a PDF or an image (its content is checked when it is stored).
    Checking all of it first means a refused submission leaves no stored scan behind."""
    kind = objector["kind"]
    errors = _form_errors(kind, objection_problems(objector, engine().clock.local_now().date()))
    if "item_id" not in errors and objector["item_id"] not in {item["item_id"] for item in shown["items"]}:
        errors["item_id"] = gettext("所选项目不在本次公示的资助计划中")
    if upload and upload.filename and PurePath(upload.filename).suffix.lower() not in SCAN_EXTENSIONS:
        errors.setdefault(SCAN_FIELDS[kind], gettext("扫描件应为 PDF、PNG 或 JPEG 文件"))
    return errors


def _objector(form: dict[str, str], upload: FileStorage | None) -> dict[str, Any]:
    """What `objection_problems` reads, from the fields of the kind chosen. The scan counts as
    given when a non-empty file came (it is stored only once everything else is right)."""
    kind = form.get("kind")
    objector: dict[str, Any] = {"kind": kind, "statement": form.get("statement", "")}
    objector |= {key: form.get(field, "") for field, (of_kind, key) in FIELDS.items() if of_kind == kind}
    if kind in SCAN_FIELDS:
        objector[SCAN_FIELDS[kind]] = upload.filename if upload and upload.filename else ""
    item = form.get("item_id", "")
    objector["item_id"] = int(item) if item.isdigit() else None
    return objector


def _form_errors(kind: str | None, errors: dict[str, str]) -> dict[str, str]:
    """Engine field names → the form's (name and phone exist once per kind)."""
    by_key = {key: field for field, (of_kind, key) in FIELDS.items() if of_kind == kind}
    return {by_key.get(key, key): message for key, message in errors.items()}


def _store_scan(upload: FileStorage, field: str) -> str:
    """Store the scan under a neutral name; its attachment id is what the objection keeps."""
    suffix = PurePath(upload.filename).suffix.lower()
    stored = engine().attachments.store(None, upload.read(), f"异议书扫描件{suffix}", purpose=PURPOSE_OBJECTION,
                                        field=field)
    return stored["id"]


def _client_key() -> str:
    """A keyed hash of the client's address: enough to count its submissions, and the
    address itself is never stored."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, (request.remote_addr or "").encode(), hashlib.sha256).hexdigest()


def _seconds_until(moment: datetime) -> int:
    return max(1, int((moment - engine().clock.now()).total_seconds()))


def _form(shown: dict[str, Any], form: dict[str, str], errors: dict[str, str], status: int = 200,
          headers: dict[str, str] | None = None) -> str | tuple[str, int, dict[str, str]]:
    page = render_template("public_objection.html", announcement=shown, form=form, errors=errors)
    return page if status == 200 else (page, status, headers or {})
