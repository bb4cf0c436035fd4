"""The browser modeler (city bureau only): one process's editor, next to the process owner's
pages under /admin/processes (`webui/process_admin.py`).

The editor is a static page plus `static/build/modeler.js` (sources in `webui/frontend/modeler/`,
built by `make assets`); everything it reads and writes goes through the process-owner API
(`webui/api_processes.py`), which takes bearer tokens. The page therefore carries a token for
the signed-in user, served with `Cache-Control: no-store` like every page.

The editor's own texts are Chinese in its scripts, each passed to `t()` (translate.js). In English
the page carries their English as `<div id="df-modeler" data-messages>`, a {Chinese: English} map:
the messages are extracted from the scripts' sources with babel's JavaScript extractor (the same
`[javascript: webui/frontend/modeler/**.js]` section of babel.cfg puts them into messages.po) and
translated by the catalogue, with the role labels the catalogue API sends. Chinese pages carry none.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import Any

from babel.messages.extract import extract_from_file
from flask import Blueprint, abort, make_response, render_template
from flask_babel import gettext
from werkzeug.wrappers import Response

from engine.roles import ROLES

from .api import _serializer
from .auth import login_required
from .context import actor, engine
from .i18n import is_english
from .security import CONTENT_SECURITY_POLICY

bp = Blueprint("modeler", __name__, url_prefix="/admin/processes")

# Library markup built from HTML strings with style attributes: bpmn-js-properties-panel's two
# containers and dmn-js's bpmn.io logo (which must stay visible). The editor page allows exactly
# these attribute values by hash; every other inline style stays blocked, and `style-src`
# (style elements, stylesheets) is unchanged. A library upgrade that changes one shows up as a
# CSP violation in tests/browser/test_modeler.py.
LIBRARY_STYLE_ATTRIBUTES = (
    "height: 100%",
    "flex: none; height: auto",
    "vertical-align:middle",
    "position: absolute; bottom: 15px; right: 15px; z-index: 100;",
)


def _hash_source(value: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(value.encode()).digest()).decode() + "'"


MODELER_CSP = (
    f"{CONTENT_SECURITY_POLICY}; style-src-attr 'unsafe-hashes' "
    + " ".join(_hash_source(value) for value in LIBRARY_STYLE_ATTRIBUTES)
)


# The modeler's sources (bundled into static/build/modeler.js) and the function their texts go through.
MODELER_SOURCES = Path(__file__).resolve().parent / "frontend" / "modeler"
MESSAGE_KEYWORDS = {"t": None}


@cache
def modeler_messages() -> tuple[str, ...]:
    """The Chinese texts the modeler's scripts pass to `t("…")`, read once from their sources."""
    found = {
        message
        for path in sorted(MODELER_SOURCES.glob("*.js"))
        for _line, message, _comments, _context in extract_from_file("javascript", str(path), MESSAGE_KEYWORDS)
    }
    return tuple(sorted(found))


def english_messages() -> dict[str, str]:
    """{Chinese: English} for the modeler's texts and the role labels (translate.js `t`, `content`)."""
    return {str(text): gettext(text) for text in (*modeler_messages(), *ROLES.values())}


def process_owner_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if actor().role != "city_bureau":
            abort(403, gettext("只有市工业和信息化局（流程负责人）可以编辑流程模型"))
        return view(*args, **kwargs)

    return login_required(wrapped)


@bp.get("/<process_id>/edit")
@process_owner_only
def edit(process_id: str) -> Response:
    deployed = engine().repository.latest(process_id)
    token = _serializer().dumps({"uid": actor().user_id})
    page = render_template(
        "modeler.html",
        process_id=process_id,
        process_name=deployed.name or process_id,
        api_token=token,
        modeler_messages=english_messages() if is_english() else None,
    )
    response = make_response(page)
    response.headers["Content-Security-Policy"] = MODELER_CSP
    return response
