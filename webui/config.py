"""Configuration from the environment, with safe defaults for the embedded mode."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


class ConfigError(RuntimeError):
    """A setting that production needs is missing."""


def _secret_key() -> str:
    """SECRET_KEY from the environment; embedded mode keeps a generated one under var/.

    In production (DIAGFLOW_ENV=production) a missing key stops the start-up: sessions signed
    with a throwaway key would silently log everyone out on every restart.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if os.environ.get("DIAGFLOW_ENV") == "production":
        raise ConfigError("SECRET_KEY must be set when DIAGFLOW_ENV=production")
    path = VAR / "secret_key"
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def distributed_settings() -> dict[str, Any]:
    """Distributed mode (REDIS_URL set) and the outbox; see docs/deployment.md."""
    return {
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "DIAGFLOW_LEADER_RETRY_SECONDS": float(os.environ.get("DIAGFLOW_LEADER_RETRY_SECONDS", "10")),
        "DIAGFLOW_REDISPATCH_SECONDS": float(os.environ.get("DIAGFLOW_REDISPATCH_SECONDS", "60")),
        "DIAGFLOW_EFFECT_MAX_ATTEMPTS": int(os.environ.get("DIAGFLOW_EFFECT_MAX_ATTEMPTS", "5")),
        "DIAGFLOW_EFFECT_BACKOFF_SECONDS": float(os.environ.get("DIAGFLOW_EFFECT_BACKOFF_SECONDS", "10")),
        "DIAGFLOW_CELERY_VISIBILITY_TIMEOUT": int(os.environ.get("DIAGFLOW_CELERY_VISIBILITY_TIMEOUT", "3600")),
    }


def from_environment() -> dict[str, Any]:
    production = os.environ.get("DIAGFLOW_ENV") == "production"
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{VAR / 'diagflow.db'}"),
        "SECRET_KEY": _secret_key(),
        "DIAGFLOW_TIMEZONE": os.environ.get("DIAGFLOW_TIMEZONE", "Asia/Shanghai"),
        "DIAGFLOW_TIMER_SWEEP_SECONDS": float(os.environ.get("DIAGFLOW_TIMER_SWEEP_SECONDS", "10")),
        **distributed_settings(),
        "PROCESSES_DIR": Path(os.environ.get("DIAGFLOW_PROCESSES_DIR", ROOT / "processes")),
        "API_TOKEN_MAX_AGE": int(os.environ.get("DIAGFLOW_API_TOKEN_MAX_AGE", "43200")),
        "METRICS_TOKEN": os.environ.get("DIAGFLOW_METRICS_TOKEN") or None,
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=int(os.environ.get("DIAGFLOW_SESSION_MINUTES", "30"))),
        "SESSION_MAX_AGE": timedelta(hours=float(os.environ.get("DIAGFLOW_SESSION_MAX_HOURS", "12"))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production or os.environ.get("DIAGFLOW_HTTPS") == "true",
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
    }
