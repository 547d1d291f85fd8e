"""GET /openapi.json: the API described in OpenAPI 3.0.3 (public, no token needed).

The bodies' schemas are generated from the pydantic models in webapp.api.schemas (the same
models the requests are validated with); the operations are one table below. tests/api
check that every route of the blueprint is in it and that schemathesis, driven by it,
finds no server error and no response that differs from it.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response
from pydantic.json_schema import models_json_schema

from webapp.api import schemas
from webapp.api.audit import ITEM_TYPES
from webapp.api.auth import public
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID, MAX_LIMIT, MAX_YEAR, MIN_YEAR
from workflow.core.machine import ACTIONS, STATES
from workflow.reads.trail import MAX_PAGE

REF = "#/components/schemas/{model}"
ERROR_CODES = {
    400: "Yêu cầu không hợp lệ: JSON sai, sai kiểu, thiếu lý do, thao tác không tồn tại.",
    401: "Thiếu mã truy cập, mã sai, đã hết hạn hoặc đã bị hủy.",
    403: "Vai trò của người gọi không được làm việc này.",
    404: "Không có mục này, hoặc người gọi không được xem nó.",
    409: "Trạng thái hiện tại không cho phép, hoặc mục đã đổi từ phiên bản `version`.",
    413: "Nội dung gửi lên vượt quá giới hạn.",
    429: "Đăng nhập sai quá nhiều lần; thử lại sau (xem Retry-After).",
}
DAY = {"type": "string", "format": "date", "pattern": schemas.DATE_PATTERN}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
PATH_PARAMETERS = {
    "action": {
        "schema": {"type": "string", "enum": list(ACTIONS)},
        "description": "submit, withdraw, review, return, send_back, approve, reopen.",
    },
    "number": {"schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "example": 1},
}


def _int(low: int, high: int, **extra: Any) -> dict[str, Any]:
    return {"type": "integer", "minimum": low, "maximum": high, **extra}


def _text(high: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": high}


CURSOR = (_int(0, MAX_ID), "`next_cursor` của trang trước.")
# Query parameters: name → (schema, description).
DELIVERABLE_QUERY = {
    "state": ({"type": "string", "enum": list(STATES)}, "Lọc theo trạng thái."),
    "unit": (_text(200), "Mã, tên hoặc id đơn vị."),
    "task": (_int(0, MAX_ID), "Id nhiệm vụ."),
    "cursor": CURSOR,
    "limit": (_int(1, MAX_LIMIT, default=50), "Số mục mỗi trang."),
}
AUDIT_QUERY = {
    "item_type": ({"type": "string", "enum": list(ITEM_TYPES)}, "Loại mục."),
    "item_id": (_int(0, MAX_ID), "Id mục."),
    "user": (_text(80), "Tên đăng nhập người thực hiện."),
    "unit": (_text(200), "Mã hoặc tên đơn vị."),
    "action": (_text(40), "Thao tác, ví dụ approve."),
    "date_from": (DAY, f"Từ ngày (UTC), {MIN_YEAR}–{MAX_YEAR}."),
    "date_to": (DAY, "Đến hết ngày (UTC)."),
    "cursor": (_int(0, 9_999_999_999), "`next_cursor` của trang trước."),
    "limit": (_int(1, MAX_PAGE, default=50), "Số sự kiện mỗi trang."),
}
ACT = "Thực hiện một thao tác (trình, thẩm định, phê duyệt, trả lại, …)"
VOTE_NOTE = (
    "403: không phải thành viên Hội đồng, hoặc là người đã trình. 409: mục không ở trạng "
    "thái Đã trình, hoặc đã bỏ phiếu cho lần trình này. 400: nội dung sai, hoặc loại sản "
    "phẩm này không cần Hội đồng."
)
DUE_NOTE = (
    "Hạn lấy từ kế hoạch; đơn vị không tự đổi hạn của mình (403). Cần lý do (400); mục đã "
    "phê duyệt không đổi hạn (409). Nhật ký ghi hạn cũ, hạn mới và lý do."
)
REVOKE_NOTE = (
    "403: người được ủy quyền; 404: không có, hoặc ủy quyền của người khác; 409: đã được "
    "thu hồi trước đó (như trên trang)."
)
D = "/deliverables/{deliverable_id}"
# One row per operation: method, path, operationId, tag, summary, request body (model
# name; a trailing "?" when optional), success code, response (model name, or None),
# error codes, and extras (security, description, query, the success's description).
OPERATIONS: list[tuple[Any, ...]] = [
    ("post", "/auth/token", "issue_token", "auth",
     "Đăng nhập, nhận mã truy cập (bearer token)", "TokenRequest", 201, "Token",
     (400, 401, 413, 429), {"security": [], "ok": "Mã truy cập, chỉ hiện một lần."}),
    ("delete", "/auth/token", "revoke_token", "auth", "Thu hồi mã truy cập đang dùng",
     None, 204, None, (401,), {"ok": "Đã thu hồi."}),
    ("get", "/tasks", "list_tasks", "task", "Các nhiệm vụ của kế hoạch",
     None, 200, "TaskList", (401,), {}),
    ("get", "/tasks/{task_id}", "get_task", "task",
     "Một nhiệm vụ, với các sản phẩm người gọi được xem", None, 200, "TaskDetail", (401, 404),
     {}),
    ("post", "/tasks/{task_id}/actions/{action}", "task_action", "task", ACT,
     "ActionRequest?", 200, "ActionResult", (400, 401, 403, 404, 409, 413),
     {"ok": "Trạng thái mới, phiên bản mới, số nhật ký."}),
    ("get", "/tasks/{task_id}/audit", "task_audit", "task", "Nhật ký của mục, cũ trước mới sau",
     None, 200, "AuditList", (401, 404), {}),
    ("get", "/deliverables", "list_deliverables", "deliverable",
     "Các sản phẩm người gọi được xem, phân trang theo id", None, 200, "DeliverablePage",
     (400, 401), {"query": DELIVERABLE_QUERY}),
    ("post", "/deliverables", "create_deliverable", "deliverable",
     "Thêm một sản phẩm (dự thảo) cho đơn vị của người gọi", "DeliverableCreate", 201,
     "DeliverableDetail", (400, 401, 403, 404, 413), {"ok": "Đã tạo dự thảo."}),
    ("get", D, "get_deliverable", "deliverable", "Một sản phẩm", None, 200, "DeliverableDetail",
     (401, 404), {}),
    ("patch", D, "edit_deliverable", "deliverable",
     "Sửa dự thảo (tiêu đề, nội dung, hạn, trường riêng của loại)", "DeliverableEdit", 200,
     "DeliverableDetail", (400, 401, 403, 404, 409, 413), {}),
    ("post", f"{D}/due-date", "change_due_date", "deliverable",
     "Đổi hạn hoàn thành (người thẩm định Văn phòng Sở hoặc Giám đốc)", "DueDateChange", 200,
     "DeliverableDetail", (400, 401, 403, 404, 409, 413), {"description": DUE_NOTE}),
    ("post", f"{D}/actions/{{action}}", "deliverable_action", "deliverable", ACT,
     "ActionRequest?", 200, "ActionResult", (400, 401, 403, 404, 409, 413),
     {"ok": "Trạng thái mới, phiên bản mới, số nhật ký."}),
    ("get", f"{D}/audit", "deliverable_audit", "deliverable", "Nhật ký của mục, cũ trước mới sau",
     None, 200, "AuditList", (401, 404), {}),
    ("post", f"{D}/votes", "cast_vote", "deliverable",
     "Bỏ phiếu của thành viên Hội đồng; đủ số phiếu thì mục được thẩm định", "VoteRequest", 201,
     "Tally", (400, 401, 403, 404, 409, 413),
     {"description": VOTE_NOTE, "ok": "Phiếu đã ghi; kết quả kiểm phiếu của lần trình này."}),
    ("get", f"{D}/votes", "list_votes", "deliverable", "Các phiếu của lần trình hiện tại",
     None, 200, "VoteSheet", (401, 404), {}),
    ("post", f"{D}/contributions", "add_contribution", "deliverable",
     "Ý kiến của đơn vị phối hợp vào dự thảo của đơn vị chủ trì", "ContributionRequest", 201,
     "Contribution", (400, 401, 403, 404, 409, 413), {"ok": "Đã ghi ý kiến."}),
    ("get", f"{D}/contributions", "list_contributions", "deliverable",
     "Các ý kiến của đơn vị phối hợp, cũ trước mới sau", None, 200, "ContributionList",
     (401, 404), {}),
    ("get", f"{D}/versions", "list_versions", "deliverable",
     "Các phiên bản của quy chế (404 với loại sản phẩm khác)", None, 200, "VersionList",
     (401, 404), {}),
    ("get", f"{D}/versions/{{number}}/diff", "version_diff", "deliverable",
     "Phiên bản `number` thay đổi gì so với phiên bản trước", None, 200, "VersionDiff",
     (401, 404), {}),
    ("get", "/delegations", "list_delegations", "delegation",
     "Ủy quyền của tôi: đã giao và được nhận", None, 200, "Delegations", (401,), {}),
    ("post", "/delegations", "create_delegation", "delegation",
     "Ủy quyền cho một đồng nghiệp trong một khoảng ngày", "DelegationRequest", 201,
     "Delegation", (400, 401, 403, 413), {"ok": "Đã ủy quyền."}),
    ("delete", "/delegations/{delegation_id}", "revoke_delegation", "delegation",
     "Thu hồi ủy quyền (người ủy quyền hoặc quản trị)", None, 204, None, (401, 403, 404, 409),
     {"description": REVOKE_NOTE, "ok": "Đã thu hồi."}),
    ("get", "/plans/{plan_id}/dashboard", "plan_dashboard", "plan",
     "Tiến độ: số mục theo trạng thái, % phê duyệt, quá hạn, thời gian trung vị", None, 200,
     "Dashboard", (401, 404), {}),
    ("get", "/audit", "full_audit", "audit",
     "Toàn bộ nhật ký, mới trước cũ sau (vai trò được xem)", None, 200, "AuditPage",
     (400, 401, 403), {"query": AUDIT_QUERY}),
    ("get", "/openapi.json", "openapi", "meta", "Tài liệu này", None, 200, None, (),
     {"security": [], "ok": "OpenAPI 3.0.3."}),
]  # fmt: skip


def _openapi30(schema: Any) -> Any:
    """JSON Schema as pydantic writes it → OpenAPI 3.0's dialect (`nullable`, no `const`)."""
    if isinstance(schema, list):
        return [_openapi30(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {k: _openapi30(v) for k, v in schema.items()}
    if "default" in schema and schema["default"] is None:
        del schema["default"]  # "absent" in the models, not a value a client sends
    options = schema.get("anyOf")
    if options and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        schema.pop("anyOf")
        if len(rest) == 1 and "$ref" not in rest[0]:
            schema.update(rest[0])
        else:
            schema["anyOf" if len(rest) > 1 else "allOf"] = rest
        schema["nullable"] = True
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    return schema


def components() -> dict[str, Any]:
    models = (*schemas.REQUESTS, *schemas.RESPONSES, *schemas.KIND_MODELS.values())
    _, top = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    return {name: _openapi30(schema) for name, schema in top["$defs"].items()}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _operation(row: tuple[Any, ...]) -> dict[str, Any]:
    method, path, op_id, tag, summary, body, code, answer, codes, extra = row
    op: dict[str, Any] = {"tags": [tag], "operationId": op_id, "summary": summary}
    for key in ("security", "description"):
        if key in extra:
            op[key] = extra[key]
    params = [
        {"name": name, "in": "path", "required": True,
         **PATH_PARAMETERS.get(name, {"schema": ID, "example": 1})}
        for name in re.findall(r"{(\w+)}", path)
    ]  # fmt: skip
    params += [
        {"name": name, "in": "query", "required": False, "schema": schema,
         "description": description}
        for name, (schema, description) in extra.get("query", {}).items()
    ]  # fmt: skip
    if params:
        op["parameters"] = params
    if body:
        op["requestBody"] = {
            "required": not body.endswith("?"),
            "content": _json(_ref(body.rstrip("?"))),
        }
    ok: dict[str, Any] = {"description": extra.get("ok", "Thành công.")}
    if answer:
        ok["content"] = _json(_ref(answer))
    elif op_id == "openapi":
        ok["content"] = _json({"type": "object"})
    op["responses"] = {
        str(code): ok,
        **{str(c): {"$ref": f"#/components/responses/E{c}"} for c in codes},
    }
    return op


def document() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for row in OPERATIONS:
        paths.setdefault(row[1], {})[row[0]] = _operation(row)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "pheduyet API",
            "version": "1.0.0",
            "description": (
                "API phê duyệt kế hoạch của Sở Công Thương: nhiệm vụ, sản phẩm, thao tác, "
                "nhật ký, phiếu Hội đồng, ý kiến phối hợp, phiên bản quy chế, ủy quyền và "
                "bảng theo dõi tiến độ. Mọi quy tắc do lõi `workflow/` quyết định, như giao "
                "diện web. "
                "Lỗi trả về JSON {error, message}. Tham số truy vấn không khai báo hoặc để "
                "trống bị từ chối (400)."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "tags": [
            {"name": t}
            for t in ("auth", "task", "deliverable", "audit", "delegation", "plan", "meta")
        ],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Mã lấy từ POST /auth/token.",
                }
            },
            "schemas": components(),
            "responses": {
                f"E{code}": {
                    "description": text,
                    "content": _json(_ref("Error")),
                    **(
                        {"headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}}
                        if code == 401
                        else {}
                    ),
                }
                for code, text in ERROR_CODES.items()
            },
        },
    }


@public
def openapi_json() -> Response:
    return json_response(document())


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/openapi.json", "openapi", openapi_json, methods=["GET"])
