"""The API keeps the order of object keys: a form schema's field order is its display order."""

from __future__ import annotations

import json


def test_json_responses_keep_key_order(app) -> None:  # noqa: ANN001 - the Flask app fixture
    schema = {"properties": {"zeta": {}, "alpha": {}, "mu": {}}, "type": "object"}
    with app.app_context():
        body = app.json.dumps(schema)
    assert list(json.loads(body)["properties"]) == ["zeta", "alpha", "mu"]
    assert body.index('"properties"') < body.index('"type"')
