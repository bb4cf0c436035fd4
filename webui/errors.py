"""Engine errors and HTTP errors as responses: JSON under /api/, a page elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import Conflict, EngineError, Forbidden, InvalidData, NotFound, ValidationFailed
from engine.i18n import N_

from .i18n import content_label, content_labels

STATUS: dict[type[EngineError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    InvalidData: 422,
    ValidationFailed: 422,
}
TITLES = {400: N_("请求无效"), 401: N_("请先登录"), 403: N_("无权访问"), 404: N_("未找到"), 405: N_("方法不允许"),
          409: N_("操作冲突"), 413: N_("上传内容过大"), 422: N_("数据有误"), 500: N_("系统错误")}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def engine_error_body(error: EngineError) -> dict:
    """The error in the request's language: its message, the fields' or the elements' problems."""
    body: dict = {"error": content_label(error.message)}
    if isinstance(error, InvalidData):
        body["errors"] = content_labels(error.errors)
    if isinstance(error, ValidationFailed):
        body["errors"] = problems_json(error.problems)
    return body


def problems_json(problems: list[tuple[str, str]]) -> list[dict[str, str]]:
    """A model's problems as the modeler and the API list them, in the request's language."""
    return [{"element_id": element, "message": content_label(message)} for element, message in problems]


def title(status: int) -> str | None:
    """The page heading for an HTTP status, in the page's language."""
    return gettext(TITLES[status]) if status in TITLES else None


def error_page(status: int, message: str) -> tuple[str, int]:
    """The error page: the public site's (with a way back to the announcements) under /public,
    the staff site's (back to the inbox) elsewhere."""
    public = request.path == "/public" or request.path.startswith("/public/")
    template = "public_error.html" if public else "error.html"
    return render_template(template, status=status, title=title(status), message=message), status


def register(app: Flask) -> None:
    @app.errorhandler(EngineError)
    def engine_error(error: EngineError):  # noqa: ANN202 - Flask response
        status = STATUS.get(type(error), 500)
        if wants_json():
            return jsonify(engine_error_body(error)), status
        return error_page(status, content_label(error.message))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # noqa: ANN202 - Flask response
        message = gettext("页面已过期或来源不明（CSRF 校验失败），请刷新页面后重试")
        return error_page(400, message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # noqa: ANN202 - Flask response
        status = error.code or 500
        if wants_json():
            return jsonify({"error": error.description}), status
        return error_page(status, error.description)
