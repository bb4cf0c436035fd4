"""Engine errors and HTTP errors as responses: JSON under /api/, a page elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from engine.errors import Conflict, EngineError, Forbidden, InvalidData, NotFound, ValidationFailed

STATUS: dict[type[EngineError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    InvalidData: 422,
    ValidationFailed: 422,
}
TITLES = {400: "请求无效", 401: "请先登录", 403: "无权访问", 404: "未找到", 405: "方法不允许", 409: "操作冲突",
          413: "上传内容过大", 422: "数据有误", 500: "系统错误"}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def engine_error_body(error: EngineError) -> dict:
    body: dict = {"error": error.message}
    if isinstance(error, InvalidData):
        body["errors"] = error.errors
    if isinstance(error, ValidationFailed):
        body["errors"] = [{"element_id": element, "message": message} for element, message in error.problems]
    return body


def register(app: Flask) -> None:
    @app.errorhandler(EngineError)
    def engine_error(error: EngineError):  # noqa: ANN202 - Flask response
        status = STATUS.get(type(error), 500)
        if wants_json():
            return jsonify(engine_error_body(error)), status
        return render_template("error.html", status=status, title=TITLES.get(status), message=error.message), status

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # noqa: ANN202 - Flask response
        message = "页面已过期或来源不明（CSRF 校验失败），请刷新页面后重试"
        return render_template("error.html", status=400, title=TITLES[400], message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # noqa: ANN202 - Flask response
        status = error.code or 500
        if wants_json():
            return jsonify({"error": error.description}), status
        return render_template("error.html", status=status, title=TITLES.get(status), message=error.description), status
