"""diagflow's web app: an application factory, one blueprint per thing a user does.

Every blueprint is a thin layer over the engine services in `app.extensions["diagflow"]`;
none of them touches SpiffWorkflow.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from engine.services import ProcessEngine
from handlers import OPERATORS, START_RULES

from . import admin, api, auth, errors, health, i18n, inbox, instances, metrics, process_admin, process_text, tasks
from .api_files import bp as api_files_bp
from .api_processes import bp as api_processes_bp
from .attachments import bp as attachments_bp
from .celery_app import setup_outbox
from .comments import bp as comments_bp
from .config import from_environment
from .dashboard import bp as dashboard_bp
from .exports import bp as exports_bp
from .modeler import bp as modeler_bp
from .notifications import bp as notifications_bp
from .objections import bp as objections_bp
from .public import bp as public_bp
from .security import csrf, expire_session, set_security_headers, stamp_session
from .views import IsoJSONProvider, register_template_helpers


def create_app(overrides: dict[str, Any] | None = None, engine: ProcessEngine | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(from_environment())
    app.config.update(overrides or {})
    app.json = IsoJSONProvider(app)
    app.extensions["diagflow"] = engine or ProcessEngine(
        app.config["DATABASE_URL"], OPERATORS, clock=app.config.get("CLOCK"), start_rules=START_RULES
    )
    setup_outbox(app)
    csrf.init_app(app)
    i18n.init_app(app)
    process_text.init_app(app)
    app.before_request(expire_session)
    app.after_request(stamp_session)
    csrf.exempt(api.bp)
    for blueprint in (auth.bp, inbox.bp, tasks.bp, instances.bp, admin.bp, api.bp, health.bp):
        app.register_blueprint(blueprint)
    for blueprint in (attachments_bp, comments_bp, exports_bp, api_files_bp):
        app.register_blueprint(blueprint)
    for blueprint in (api_processes_bp, process_admin.bp, metrics.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(modeler_bp)
    for blueprint in (dashboard_bp, notifications_bp):
        app.register_blueprint(blueprint)
    for blueprint in (public_bp, objections_bp):
        app.register_blueprint(blueprint)
    errors.register(app)
    register_template_helpers(app)
    app.after_request(set_security_headers)
    return app
