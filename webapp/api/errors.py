"""Errors as JSON {"error": code, "message": Vietnamese text}, for /api/ paths only.

Inside the blueprint, handlers registered per HTTP code (and for the engine's typed errors)
win over any app-level handler the HTML pages register. Paths under /api/ that match no
route (404, 405) never reach a blueprint, so app-level handlers for those two codes are
installed too: they answer JSON for /api/ paths and hand everything else to the handler
the pages registered (looked up when the error happens, so the order of registration does
not matter), or to Flask's default.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from sqlalchemy.exc import DisconnectionError, OperationalError
from werkzeug.exceptions import HTTPException, default_exceptions

from webapp.errors import handle_database_unavailable
from workflow.core.errors import WorkflowError

API_PREFIX = "/api/"

HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    401: ("unauthorized", "Cần đăng nhập: gửi mã truy cập trong tiêu đề Authorization: Bearer."),
    403: ("not_permitted", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy địa chỉ hoặc mục được yêu cầu."),
    405: ("method_not_allowed", "Phương thức HTTP này không được hỗ trợ tại địa chỉ này."),
    406: ("not_acceptable", "Chỉ trả lời được dạng JSON."),
    409: ("conflict", "Yêu cầu xung đột với trạng thái hiện tại của mục."),
    413: ("payload_too_large", "Nội dung gửi lên quá lớn."),
    415: ("unsupported_media_type", "Nội dung gửi lên phải là JSON."),
    429: ("too_many_requests", "Quá nhiều yêu cầu; hãy thử lại sau."),
    500: ("internal_error", "Máy chủ gặp lỗi; hãy thử lại sau hoặc báo quản trị."),
}


class ApiError(WorkflowError):
    """An error of the API layer itself (bad JSON, wrong types, missing token)."""

    def __init__(
        self,
        http_status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **context: object,
    ) -> None:
        super().__init__(message, **context)
        self.http_status = http_status
        self.code = code
        self.headers = headers or {}


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    response = Response(body, status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(
    status: int,
    code: str,
    message: str,
    detail: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    data: dict[str, Any] = {"error": code, "message": message}
    if detail:
        data["detail"] = detail
    return json_response(data, status, headers)


def workflow_error(e: WorkflowError) -> Response:
    headers = dict(getattr(e, "headers", {}) or {})
    retry_after = e.context.get("retry_after")
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if e.http_status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="pheduyet"')
    detail = {k: v for k, v in e.context.items() if _jsonable(v)}
    return error_response(e.http_status, e.code, e.message, detail or None, headers)


def http_error(e: HTTPException) -> Response:
    status = e.code or 500
    code, message = HTTP_ERRORS.get(status, (f"http_{status}", e.name))
    headers = {}
    if status == 405:
        allow = dict(e.get_headers()).get("Allow")
        if allow:
            headers["Allow"] = allow
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="pheduyet"'
    return error_response(status, code, message, headers=headers)


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def is_api_path() -> bool:
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def _handler_besides_ours(e: HTTPException) -> Callable[[Any], Any] | None:
    """The app-level handler Flask would pick for `e` if ours were not there (the pages')."""
    spec = current_app.error_handler_spec[None]
    for code in (e.code, None):
        for cls in type(e).__mro__:
            handler = spec[code].get(cls)
            if handler is not None and not getattr(handler, "_api_fallback", False):
                return handler
    return None


def _api_or_pages(e: HTTPException) -> Any:
    """Unrouted /api/ URLs get JSON; anything else goes to the pages' handler, whether it
    was registered before or after this one, or to Flask's default."""
    if is_api_path():
        return http_error(e)
    handler = _handler_besides_ours(e)
    return handler(e) if handler is not None else e


_api_or_pages._api_fallback = True  # type: ignore[attr-defined]


def _install_app_handlers(state: BlueprintSetupState) -> None:
    """Only the two errors that happen before a URL reaches the blueprint."""
    for code in (404, 405):
        state.app.register_error_handler(code, _api_or_pages)


def _unexpected(e: Exception) -> Any:
    """Any other exception goes on to Flask's handling (logged, or propagated in tests),
    which ends in the JSON 500 above: an app-level handler for Exception (an HTML page)
    is never picked for the API."""
    raise e


def register(bp: Blueprint) -> None:
    for code in default_exceptions:
        if code >= 400:
            bp.register_error_handler(code, http_error)
    bp.register_error_handler(HTTPException, http_error)
    bp.register_error_handler(WorkflowError, workflow_error)
    # the database unreachable: 503 (JSON), as for the pages (this one is picked before
    # the catch-all below, which would otherwise win over the app's own handler)
    for unavailable in (OperationalError, DisconnectionError):
        bp.register_error_handler(unavailable, handle_database_unavailable)
    bp.register_error_handler(Exception, _unexpected)
    bp.record_once(_install_app_handlers)
