"""Every endpoint × every demo user (and anonymous): the expected status, own scope and another's.

The endpoints come from the app's URL map; an endpoint without a rule here fails the test, so
a new route cannot ship without deciding who may call it. The resources are one diagnosis
project of 历下区 waiting for the 历下区 bureau's review.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from engine.demo import DEMO_PASSWORD, USERS
from tests.support import Scenario
from tests.support_plan import announcement_of
from tests.webui.test_public import announce_plan

ANONYMOUS = "anonymous"
VIEWERS = {"city", "city_leader", "lixia_bureau", "provider_a", "enterprise_a"}  # the project's own scope
REVIEWER = "lixia_bureau"
CITY = {"city", "city_leader"}
PROVIDERS = {"provider_a", "provider_b"}
# City and district bureaus and finance (a district only its own rows); a plan id that does not exist.
EXPORTERS = CITY | {"city_finance", "lixia_bureau", "lixia_finance", "licheng_bureau", "licheng_finance"}

# endpoint → (method, path template, JSON body or None, expected status for a user)
Rule = tuple[str, str, dict | None, Callable[[str], int]]


def page(ok: int, allowed: set[str] | None = None, denied: int = 403) -> Callable[[str], int]:
    """A browser page: anonymous users are sent to sign in; `allowed` (None = everyone) get `ok`."""
    return lambda user: 302 if user == ANONYMOUS else ok if allowed is None or user in allowed else denied


def api(ok: int, allowed: set[str] | None = None) -> Callable[[str], int]:
    """An API call: anonymous callers get 401; `allowed` (None = everyone signed in) get `ok`."""
    return lambda user: 401 if user == ANONYMOUS else ok if allowed is None or user in allowed else 403


RULES: dict[str, Rule] = {
    "static": ("GET", "/static/app.css", None, lambda user: 200),
    "health.healthz": ("GET", "/healthz", None, lambda user: 200),
    "auth.login": ("GET", "/login", None, lambda user: 200),
    "auth.logout": ("POST", "/logout", None, lambda user: 302),
    "inbox.index": ("GET", "/", None, page(200)),
    "instances.index": ("GET", "/instances", None, page(200)),
    "instances.show": ("GET", "/instances/{instance}", None, page(200, VIEWERS)),
    "instances.diagram": ("GET", "/instances/{instance}/diagram.bpmn", None, page(200, VIEWERS)),
    "instances.start": ("POST", "/processes/diagnosis_project/start", None, page(302, PROVIDERS)),
    "tasks.show": ("GET", "/tasks/{task}", None, page(200, {REVIEWER})),
    "tasks.complete": ("POST", "/tasks/{task}", None, page(422, {REVIEWER})),
    "tasks.claim": ("POST", "/tasks/{task}/claim", None, page(302, {REVIEWER})),
    "tasks.unclaim": ("POST", "/tasks/{task}/unclaim", None, page(302, {REVIEWER})),
    "tasks.save_draft": ("POST", "/tasks/{task}/draft", None, page(302, {REVIEWER})),
    "tasks.assign": ("POST", "/tasks/{task}/assign", None, page(302, {REVIEWER})),
    "tasks.give_back": ("POST", "/tasks/{task}/return", None, page(409, {REVIEWER})),
    "inbox.save_filter": ("POST", "/inbox/filters", None, page(302)),
    "inbox.delete_filter": ("POST", "/inbox/filters/999/delete", None, page(404)),
    "inbox.bulk": ("POST", "/inbox/bulk", None, page(302)),
    "notifications.index": ("GET", "/notifications", None, page(200)),
    "notifications.mark_read": ("POST", "/notifications/read", None, page(302)),
    "dashboard.index": ("GET", "/dashboard", None, page(200, CITY)),
    "api.bulk_tasks": ("POST", "/api/tasks/bulk", {}, api(422)),
    "api.delegate_task": ("POST", "/api/tasks/{task}/delegate", {"user_id": "{reviewer_id}"}, api(409, {REVIEWER})),
    "api.return_task": ("POST", "/api/tasks/{task}/return", {}, api(409, {REVIEWER})),
    "admin.calendar": ("GET", "/admin/calendar", None, page(200, CITY)),
    "admin.import_schedule": ("POST", "/admin/calendar", None, page(422, CITY)),
    "modeler.edit": ("GET", "/admin/processes/diagnosis_project/edit", None, page(200, CITY)),
    "api.issue_token": ("POST", "/api/auth/token", {}, lambda user: 422),
    "api.openapi": ("GET", "/api/openapi.json", None, lambda user: 200),
    "api.list_tasks": ("GET", "/api/tasks", None, api(200)),
    "api.list_processes": ("GET", "/api/processes", None, api(200)),
    "api.get_task": ("GET", "/api/tasks/{task}", None, api(200, {REVIEWER})),
    "api.claim_task": ("POST", "/api/tasks/{task}/claim", None, api(200, {REVIEWER})),
    "api.unclaim_task": ("POST", "/api/tasks/{task}/unclaim", None, api(200, {REVIEWER})),
    "api.assign_task": ("POST", "/api/tasks/{task}/assign", {"user_id": "{reviewer_id}"}, api(200, {REVIEWER})),
    "api.complete_task": ("POST", "/api/tasks/{task}/complete", {"data": {}}, api(422, {REVIEWER})),
    "api.start_instance": ("POST", "/api/instances", {"process_id": "diagnosis_project"}, api(201, PROVIDERS)),
    "api.get_instance": ("GET", "/api/instances/{instance}", None, api(200, VIEWERS)),
    "api.get_instance_data": ("GET", "/api/instances/{instance}/data", None, api(200, VIEWERS)),
    "api.send_message": ("POST", "/api/instances/{instance}/messages", {"name": "nothing_waits"}, api(409, CITY)),
    "api_processes.get_draft": ("GET", "/api/processes/diagnosis_project/draft", None, api(200, CITY)),
    "api_processes.save_draft": ("PUT", "/api/processes/diagnosis_project/draft", {"revision": 0}, api(422, CITY)),
    "api_processes.validate": ("POST", "/api/processes/validate", {"bpmn": "not xml"}, api(200, CITY)),
    "api_processes.deploy_draft": ("POST", "/api/processes/diagnosis_project/deploy", {"revision": 99},
                                   api(409, CITY)),
    "api_processes.deploy_upload": ("POST", "/api/processes/deploy", {}, api(422, CITY)),
    "api_processes.list_versions": ("GET", "/api/processes/diagnosis_project/versions", None, api(200, CITY)),
    "api_processes.export_version": ("GET", "/api/processes/diagnosis_project/versions/1/export", None,
                                     api(200, CITY)),
    "api_processes.modeler_catalogue": ("GET", "/api/modeler/catalogue", None, api(200, CITY)),
    "api_processes.monitor_version": ("GET", "/api/processes/diagnosis_project/versions/1/monitor", None,
                                      api(200, CITY)),
    "api_processes.list_incidents": ("GET", "/api/incidents", None, api(200, CITY)),
    "api_processes.list_stuck": ("GET", "/api/instances/stuck", None, api(200, CITY)),
    "api_processes.retry_instance": ("POST", "/api/instances/{instance}/retry", None, api(409, CITY)),
    "api_processes.resume_instance": ("POST", "/api/instances/{instance}/resume", None, api(409, CITY)),
    "api_processes.suspend_instance": ("POST", "/api/instances/999999/suspend", None, api(404, CITY)),
    "api_processes.cancel_instance": ("POST", "/api/instances/999999/cancel", None, api(404, CITY)),
    "api_processes.migration_dry_run": ("POST", "/api/processes/diagnosis_project/migration/dry-run",
                                        {"from_version": 1, "to_version": 1}, api(422, CITY)),
    "api_processes.migrate_instances": ("POST", "/api/processes/diagnosis_project/migration",
                                        {"from_version": 1, "to_version": 1}, api(422, CITY)),
    "process_admin.index": ("GET", "/admin/processes", None, page(200, CITY)),
    "process_admin.show": ("GET", "/admin/processes/diagnosis_project", None, page(200, CITY)),
    "process_admin.diagram": ("GET", "/admin/processes/diagnosis_project/versions/1/diagram.bpmn", None,
                              page(200, CITY)),
    "process_admin.export": ("GET", "/admin/processes/diagnosis_project/versions/1/export", None, page(200, CITY)),
    "process_admin.instance_action": ("POST", "/admin/instances/{instance}/resume", None, page(302, CITY)),
    "process_admin.migration": ("POST", "/admin/processes/diagnosis_project/migration", None, page(422, CITY)),
    "metrics.metrics": ("GET", "/metrics", None, lambda user: 401 if user == ANONYMOUS else 200 if user in CITY else 403),
    "attachments.upload": ("POST", "/attachments", None, page(422)),
    "attachments.download": ("GET", "/attachments/{attachment}", None, page(200, VIEWERS)),
    "comments.add": ("POST", "/instances/{instance}/comments", None, page(422, VIEWERS)),  # no body: the page again
    "exports.index": ("GET", "/exports", None, page(200, EXPORTERS)),
    "exports.filings_xlsx": ("GET", "/exports/filings.xlsx?district=%E5%8E%86%E4%B8%8B%E5%8C%BA", None,
                             page(200, CITY | {"lixia_bureau"})),
    "exports.plan_xlsx": ("GET", "/exports/plans/999.xlsx", None, page(404, EXPORTERS)),
    "exports.plan_print": ("GET", "/exports/plans/999/print", None, page(404, EXPORTERS)),
    "exports.announcement_xlsx": ("GET", "/exports/announcements/999.xlsx", None, page(404, EXPORTERS)),
    "exports.announcement_print": ("GET", "/exports/announcements/999/print", None, page(404, EXPORTERS)),
    "exports.audit_csv": ("GET", "/exports/instances/{instance}/audit.csv", None, page(200, VIEWERS)),
    "api_files.upload_attachment": ("POST", "/api/attachments", {}, api(422)),
    "api_files.download_attachment": ("GET", "/api/attachments/{attachment}", None, api(200, VIEWERS)),
    "api_files.list_attachments": ("GET", "/api/instances/{instance}/attachments", None, api(200, VIEWERS)),
    "api_files.list_comments": ("GET", "/api/instances/{instance}/comments", None, api(200, VIEWERS)),
    "api_files.add_comment": ("POST", "/api/instances/{instance}/comments", {"body": "请补充材料"}, api(201, VIEWERS)),
    "public.announcements": ("GET", "/public/", None, lambda user: 200),
    "public.announcement": ("GET", "/public/announcements/{announcement}", None, lambda user: 200),
    "public.objection_form": ("GET", "/public/announcements/{announcement}/objection", None, lambda user: 200),
    "public.submit_objection": ("POST", "/public/announcements/{announcement}/objection", None, lambda user: 422),
    "public.providers": ("GET", "/public/providers", None, lambda user: 200),
    "i18n.switch": ("POST", "/language", None, lambda user: 400),  # anyone; 400: no language chosen
    "objections.show": ("GET", "/objections/999", None, page(404, CITY)),
    "objections.index": ("GET", "/objections", None, page(200, CITY)),
}
# Each claim right before its unclaim, so the reviewer's unclaim has something to give back.
# Signing out comes last, as it ends the session the page rows use.
CLAIMS = ["tasks.claim", "tasks.unclaim", "api.claim_task", "api.unclaim_task"]
ORDER = [endpoint for endpoint in RULES if endpoint not in [*CLAIMS, "auth.logout"]] + CLAIMS + ["auth.logout"]


@pytest.fixture
def matrix_app(sqlite_engine):
    from webui import create_app

    project = Scenario(sqlite_engine).start("provider_a").provider_files_contract().enterprise_confirms_filing()
    task = project.task_of(REVIEWER, "review_filing")
    app = create_app({"TESTING": True, "SECRET_KEY": "matrix", "WTF_CSRF_ENABLED": False}, engine=sqlite_engine)
    values = {"instance": project.instance_id, "task": task["id"], "reviewer_id": project.actor(REVIEWER).user_id}
    values["attachment"] = sqlite_engine.attachments.store(
        project.actor("provider_a"), b"%PDF-1.4 matrix", "contract.pdf", purpose="comment", instance_id=project.instance_id
    )["id"]
    values["announcement"] = announcement_of(sqlite_engine, announce_plan(sqlite_engine).instance_id).id
    return app, values


def test_every_endpoint_has_a_rule(matrix_app) -> None:
    app, _ = matrix_app
    routes = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    missing = [missing_rule_advice(routes[endpoint]) for endpoint in sorted(set(routes) - set(RULES))]
    stale = [f"  {endpoint!r} has a rule but no route: delete it from RULES" for endpoint in sorted(set(RULES) - set(routes))]
    assert not missing and not stale, "\n".join(
        ["tests/test_authorization_matrix.py: every endpoint needs an explicit rule in RULES "
         "(method, path, JSON body or None, expected status per caller: page(...), api(...) or a lambda).",
         *missing, *stale])


def missing_rule_advice(rule) -> str:  # noqa: ANN001 - a werkzeug Rule
    """A RULES line to start from for an endpoint without one: the caller still decides who is allowed."""
    method = sorted((rule.methods or {"GET"}) - {"HEAD", "OPTIONS"})[0]
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
    body = "{}" if method != "GET" and path.startswith("/api/") else "None"
    expected = "api(200, {...})" if path.startswith("/api/") else "page(200, {...})"
    return (f"  missing: {rule.endpoint!r} ({method} {rule.rule}); add for example\n"
            f"    {rule.endpoint!r}: ({method!r}, {path!r}, {body}, {expected}),\n"
            "    with the users allowed in the set (own scope) and every other caller's status checked; "
            "path values come from `values` in matrix_app")


class Caller:
    """One signed-in browser session and one API token per user, made once."""

    def __init__(self, app, user: str) -> None:
        self.user = user
        self.client = app.test_client()
        self.headers: dict[str, str] = {}
        if user != ANONYMOUS:
            token = self.client.post("/api/auth/token", json={"username": user, "password": DEMO_PASSWORD}).json
            self.headers = {"Authorization": f"Bearer {token['token']}"}
            self.client.post("/login", data={"username": user, "password": DEMO_PASSWORD})

    def call(self, rule: Rule, values: dict) -> int:
        method, template, body, _ = rule
        path = template.format(**values)
        if body is not None:
            body = {k: (values["reviewer_id"] if v == "{reviewer_id}" else v) for k, v in body.items()}
        headers = self.headers if path.startswith("/api/") else {}
        return self.client.open(path, method=method, json=body, headers=headers).status_code


def test_every_endpoint_for_every_user_and_scope(matrix_app) -> None:
    app, values = matrix_app
    callers = [Caller(app, user) for user in [ANONYMOUS, *USERS]]
    wrong = []
    for endpoint in ORDER:
        rule = RULES[endpoint]
        for caller in callers:
            user = caller.user
            expected, got = rule[3](user), caller.call(rule, values)
            if got != expected:
                wrong.append(f"{endpoint} as {user}: expected {expected}, got {got}")
    assert wrong == [], "\n".join(wrong)
    assert len(ORDER) * len(callers) == len(RULES) * 18
