"""Errors the engine raises; the web layer maps each to one HTTP status."""

from __future__ import annotations

from .i18n import N_


class EngineError(Exception):
    """Base class: every engine error carries a message fit to show a user (in Chinese; the pages
    say again in English those made with `N_`, see engine/i18n.py)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(EngineError):
    """The thing asked for does not exist, or the caller may not know it exists (404)."""


class Forbidden(EngineError):
    """The caller is known but lacks the role or the scope for this action (403)."""


class Conflict(EngineError):
    """The task is not ready, already completed, or the instance changed concurrently (409)."""


class InvalidData(EngineError):
    """Submitted data fails the form's schema; `errors` maps each field path to a message (422)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(N_("提交的数据有误"))
        self.errors = errors


class ValidationFailed(EngineError):
    """A model set cannot be deployed; `problems` lists (element_id, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        lines = [N_("%(element)s：%(message)s", element=element, message=message) for element, message in problems]
        super().__init__(N_("模型不能发布：%(problems)s", problems=lines))
        self.problems = problems
