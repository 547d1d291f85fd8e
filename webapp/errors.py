"""Error pages: what happened and what to do, in the user's language.

`workflow.core.errors.WorkflowError` subclasses become their `http_status` with their message.
Requests under /api/ are never rendered as HTML: the API blueprint's own handlers answer
for its views; for /api/ URLs that reach the app-level handlers (no such route, a method
not allowed, a body too large) the answer is JSON {error, message}.
"""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from workflow.core.errors import WorkflowError

TITLES = {
    400: _l("Yêu cầu không hợp lệ"),
    401: _l("Cần đăng nhập"),
    403: _l("Không có quyền"),
    404: _l("Không tìm thấy"),
    405: _l("Thao tác không được hỗ trợ"),
    409: _l("Xung đột trạng thái"),
    413: _l("Tệp quá lớn"),
    429: _l("Quá nhiều yêu cầu"),
    500: _l("Lỗi hệ thống"),
    503: _l("Tạm thời không truy cập được cơ sở dữ liệu"),
}
MESSAGES = {
    400: _l("Yêu cầu gửi lên thiếu thông tin hoặc có giá trị không hợp lệ."),
    401: _l("Bạn cần đăng nhập để xem trang này."),
    403: _l("Tài khoản của bạn không được phép thực hiện thao tác này."),
    404: _l("Trang hoặc mục bạn tìm không tồn tại, hoặc bạn không có quyền xem."),
    405: _l("Địa chỉ này không nhận kiểu yêu cầu vừa gửi."),
    409: _l("Trạng thái hiện tại của mục không cho phép thao tác này."),
    413: _l("Tệp gửi lên vượt quá giới hạn 20 MB."),
    429: _l("Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn."),
    500: _l("Hệ thống gặp sự cố ngoài dự kiến; thao tác chưa được thực hiện."),
    503: _l(
        "Máy chủ không kết nối được tới cơ sở dữ liệu, nên yêu cầu chưa được xử lý "
        "và không có thay đổi nào được ghi."
    ),
}
ADVICE = {
    400: _l("Hãy quay lại, kiểm tra các ô đã nhập rồi gửi lại."),
    401: _l("Hãy đăng nhập rồi thử lại."),
    403: _l(
        "Nếu bạn cho rằng mình cần quyền này, hãy liên hệ quản trị hệ thống hoặc lãnh đạo đơn vị."
    ),
    404: _l("Hãy kiểm tra lại đường dẫn, hoặc bắt đầu từ trang Việc cần xử lý."),
    405: _l("Hãy dùng các nút trên trang thay vì gõ địa chỉ trực tiếp."),
    409: _l("Hãy tải lại trang để xem trạng thái mới nhất rồi thử lại."),
    413: _l("Hãy nén tệp hoặc chia nhỏ thành nhiều tệp dưới 20 MB rồi tải lên lại."),
    429: _l("Hãy đợi vài phút rồi thử lại."),
    500: _l("Hãy thử lại sau ít phút; nếu vẫn lỗi, báo cho quản trị hệ thống."),
    503: _l("Hãy đợi một lát rồi tải lại trang; nếu vẫn lỗi, báo cho quản trị hệ thống."),
}
CSRF_MESSAGE = _l(
    "Biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ (CSRF), nên hệ thống không xử lý yêu cầu."
)
CSRF_ADVICE = _l("Hãy tải lại trang rồi gửi lại biểu mẫu.")


def is_api_request() -> bool:
    return request.blueprint == "api" or request.path.startswith("/api/")


API_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "not_permitted",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    429: "too_many_requests",
    503: "database_unavailable",
}


def render_error(
    status: int, message: str | None = None, advice: str | None = None, code: str | None = None
):
    """The error page (or, under /api/, the JSON error) for an HTTP status."""
    known = status if status in TITLES else (400 if status < 500 else 500)
    if is_api_request():
        name = code or API_CODES.get(status, "error" if status < 500 else "server_error")
        return jsonify(error=name, message=message or str(MESSAGES[known])), status
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=TITLES[known],
            message=message or MESSAGES[known],
            advice=advice or ADVICE[known],
            back_url=g.get("back_url"),
        ),
        status,
    )


def handle_workflow_error(error: WorkflowError):
    if is_api_request():
        return jsonify(error=error.code, message=error.message), error.http_status
    # The engine speaks Vietnamese; a page in another language shows its translation when
    # the catalogue has one (gettext returns the message itself otherwise).
    return render_error(error.http_status, gettext(error.message))


def handle_csrf_error(_error: CSRFError):
    return render_error(400, str(CSRF_MESSAGE), str(CSRF_ADVICE), code="csrf_failed")


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    return render_error(error.code)


def handle_server_error(_error: InternalServerError):
    return render_error(500)


def handle_database_unavailable(error: Exception):
    """The database cannot be reached (server down, file missing, locked too long): 503,
    not a traceback. The pool checks each connection before use, so the next request after
    the database is back succeeds without restarting the app."""
    current_app.logger.warning("database unavailable: %s", str(error).splitlines()[0])
    if "_login_user" not in g:  # the user could not be loaded: render the page anonymously
        g._login_user = current_app.login_manager.anonymous_user()
    response, status = render_error(503)
    response = current_app.make_response((response, status))
    response.headers["Retry-After"] = "10"
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(OperationalError, handle_database_unavailable)
    app.register_error_handler(DisconnectionError, handle_database_unavailable)
    app.register_error_handler(WorkflowError, handle_workflow_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_server_error)
