"""Fuzzing: random data against the real forms, random payloads against the API, and schemathesis
over /api/openapi.json. Nothing may fail with anything but a clear refusal (InvalidData, 4xx).

Example counts are bounded (`EXAMPLES`) so the whole module stays within seconds; hypothesis keeps
no example database (nothing is written into the working tree).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.demo import DEMO_PASSWORD
from engine.errors import InvalidData
from engine.forms import keep_read_only, resolve_options, validate_data
from tests.support import Scenario

ROOT = Path(__file__).resolve().parents[2]
FORMS = sorted((ROOT / "processes").glob("*/forms/*.schema.json"))
EXAMPLES = {"forms": 400, "api": 150, "openapi": 5}
RUN = {name: 0 for name in EXAMPLES}  # cases actually run, for the report


def fuzz(examples: int) -> settings:
    """Bounded, repeatable runs that write no example database into the working tree."""
    return settings(max_examples=examples, database=None, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))

pytestmark = pytest.mark.slow

TRICKY_TEXT = st.sampled_from(["", " ", "__builtins__", "typename", "__class__", "x" * 5000, "🀄", "\x00", "NaN",
                               "1e400", "2026-02-30", "<script>", "'; DROP TABLE instances; --", "../../etc/passwd"])
SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30) | TRICKY_TEXT)


def json_values(keys: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    """Any JSON value (with NaN and infinities, which Python's json accepts), objects keyed by `keys`."""
    return st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(keys, inner, max_size=6), max_leaves=20)


def schema_keys(schema: Any) -> set[str]:
    """Every property name anywhere in a JSON Schema, so random objects reach nested fields."""
    if isinstance(schema, dict):
        found = set(schema.get("properties", {})) if isinstance(schema.get("properties"), dict) else set()
        return found.union(*(schema_keys(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(schema_keys(value) for value in schema))
    return set()


def option_sources(schema: Any) -> dict[str, list[tuple[object, str]]]:
    """A choice list for every `x-options` source the schema names, as the engine would resolve it."""
    text = json.dumps(schema)
    names = {part.split('"')[0] for part in text.split('"x-options": "')[1:]}
    return {name: [(1, "甲"), ("code-2", "乙")] for name in names}


def submit(schema: dict, data: object) -> None:
    """The engine's form check on completion (engine/tasks.py): InvalidData or nothing."""
    if not isinstance(data, dict):
        raise InvalidData({"_form": "提交的数据必须是一个对象"})
    data = keep_read_only(schema, data, {})
    errors = validate_data(schema, data)
    assert all(isinstance(key, str) and isinstance(value, str) for key, value in errors.items()), errors
    if errors:
        raise InvalidData(errors)


LOADED = [json.loads(path.read_text(encoding="utf-8")) for path in FORMS]
RESOLVED = [resolve_options(schema, option_sources(schema)) for schema in LOADED]
FORM_KEYS = st.sampled_from(sorted(set().union(*(schema_keys(schema) for schema in LOADED)))) | TRICKY_TEXT


@fuzz(EXAMPLES["forms"])
@given(index=st.integers(min_value=0, max_value=len(RESOLVED) - 1), data=json_values(FORM_KEYS))
def test_form_validation_refuses_with_invalid_data_only(index: int, data: Any) -> None:
    RUN["forms"] += 1
    try:
        submit(RESOLVED[index], data)
    except InvalidData as refused:
        assert refused.errors


def test_the_form_fuzzing_covers_every_form() -> None:
    assert len(RESOLVED) == len(FORMS) >= 40


@pytest.fixture(scope="module")
def fuzz_target(module_app) -> dict[str, Any]:
    """Tokens for the city and the reviewing district, and a project waiting at their review."""
    engine = module_app.extensions["diagflow"]
    project = Scenario(engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    client = module_app.test_client()
    tokens = {user: client.post("/api/auth/token", json={"username": user, "password": DEMO_PASSWORD}).json["token"]
              for user in ("city", "lixia_bureau")}
    return {"tokens": tokens, "instance": project.instance_id, "task": project.task_of("lixia_bureau", "review_filing")["id"]}


API_CALLS = ["/api/tasks/{task}/complete", "/api/tasks/{task}/assign", "/api/instances",
             "/api/instances/{instance}/messages", "/api/auth/token", "/api/tasks/{task}/claim"]
API_KEYS = st.sampled_from(["data", "process_id", "user_id", "name", "payload", "username", "password",
                            "filing_decision", "review_comment"]) | TRICKY_TEXT


@fuzz(EXAMPLES["api"])
@given(call=st.sampled_from(API_CALLS), user=st.sampled_from(["city", "lixia_bureau"]),
       body=json_values(API_KEYS) | st.binary(max_size=40))
def test_api_payloads_never_cause_a_server_error(module_app, fuzz_target, call: str, user: str, body: Any) -> None:
    RUN["api"] += 1
    path = call.format(task=fuzz_target["task"], instance=fuzz_target["instance"])
    headers = {"Authorization": f"Bearer {fuzz_target['tokens'][user]}", "Content-Type": "application/json"}
    raw = body if isinstance(body, bytes) else json.dumps(body, allow_nan=True).encode()
    response = module_app.test_client().post(path, data=raw, headers=headers)
    assert response.status_code < 500, (path, body, response.get_data(as_text=True)[:300])
    assert response.is_json, (path, response.status_code)


@pytest.fixture(scope="module")
def api_schema(module_app) -> Any:
    return schemathesis.openapi.from_wsgi("/api/openapi.json", module_app)


def test_openapi_operations_never_cause_a_server_error(module_app, api_schema, fuzz_target) -> None:
    """schemathesis generates requests for every operation of the published OpenAPI document,
    signed in as the city bureau (who may reach the most); none may answer 5xx."""
    headers = {"Authorization": f"Bearer {fuzz_target['tokens']['city']}"}
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 11
    for operation in operations:
        @fuzz(EXAMPLES["openapi"])
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            RUN["openapi"] += 1
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}")

        run()
    assert failures == [], "\n".join(failures)


def test_nan_is_refused_by_number_fields() -> None:
    """A case the fuzzer found, kept: NaN passes `json.loads` and JSON Schema's `number`, not the form."""
    numeric = next(schema for schema in RESOLVED if "contract_amount" in schema_keys(schema))
    with pytest.raises(InvalidData) as refused:
        submit(numeric, {"contract_amount": math.nan})
    assert "contract_amount" in refused.value.errors
