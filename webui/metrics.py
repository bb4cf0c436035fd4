"""GET /metrics in the Prometheus text format.

Who may scrape: a Prometheus server sending `Authorization: Bearer <DIAGFLOW_METRICS_TOKEN>`
(when that setting is given; compared in constant time), or a signed-in city bureau user
(the process owner, e.g. to look at it in a browser). Anyone else gets 401 (no credentials)
or 403. Metrics name processes and counts, which is not public information.
"""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import gettext

from .context import actor, engine

bp = Blueprint("metrics", __name__)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _token_ok() -> bool:
    expected = current_app.config.get("METRICS_TOKEN")
    header = request.headers.get("Authorization", "")
    return bool(expected) and header.startswith("Bearer ") and hmac.compare_digest(
        header[7:].strip().encode(), expected.encode())


@bp.get("/metrics")
def metrics() -> Response:
    if not _token_ok():
        caller = actor()
        if caller is None:
            return Response("unauthorized\n", 401, {"WWW-Authenticate": 'Bearer realm="diagflow-metrics"'},
                            mimetype="text/plain")
        if caller.role != "city_bureau":
            abort(403, gettext("只有市工业和信息化局可以查看运行指标"))
    return Response(engine().owner.metrics(), content_type=CONTENT_TYPE)
