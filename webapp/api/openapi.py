"""GET /openapi.json: the API described in OpenAPI 3.0.3 (public, no token needed).

Written by hand next to the views it describes; tests/api check that every route of the
blueprint is in it and that schemathesis, driven by it, finds no server error.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from models import DELIVERABLE_KINDS
from webapp.api.audit import ITEM_TYPES
from webapp.api.auth import public
from webapp.api.errors import json_response
from webapp.api.parsing import MAX_ID, MAX_LIMIT, MAX_YEAR, MIN_YEAR
from workflow.accounts import tokens
from workflow.core.machine import ACTIONS, STATES
from workflow.items import editing
from workflow.reads.trail import MAX_PAGE

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
ERROR_CODES = {
    "400": "Yêu cầu không hợp lệ: JSON sai, sai kiểu, thiếu lý do, thao tác không tồn tại.",
    "401": "Thiếu mã truy cập, mã sai, đã hết hạn hoặc đã bị hủy.",
    "403": "Vai trò của người gọi không được làm việc này.",
    "404": "Không có mục này, hoặc người gọi không được xem nó.",
    "409": "Trạng thái hiện tại không cho phép, hoặc mục đã đổi từ phiên bản `version`.",
    "413": "Nội dung gửi lên vượt quá giới hạn.",
    "429": "Đăng nhập sai quá nhiều lần; thử lại sau (xem Retry-After).",
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def string(**extra: Any) -> dict[str, Any]:
    return {"type": "string", **extra}


def integer(**extra: Any) -> dict[str, Any]:
    return {"type": "integer", **extra}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


def listing(item: str, paged: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {"items": {"type": "array", "items": ref(item)}}
    if paged:
        props["next_cursor"] = nullable(
            integer(description="Truyền vào `cursor` để lấy trang sau; null là hết.")
        )
    return obj(props, list(props))


ID = integer(minimum=1, maximum=MAX_ID)
DAY = string(format="date", pattern=DATE_PATTERN)
MOMENT = string(format="date-time")
ACTION_LIST = {"type": "array", "items": string(enum=list(ACTIONS))}

TASK_PROPS: dict[str, Any] = {
    "id": ID,
    "plan_id": ID,
    "number": integer(),
    "title": string(),
    "lead_units": {"type": "array", "items": string()},
    "coordinating_units": {"type": "array", "items": string()},
    "timing_kind": string(enum=["ongoing", "deadline", "year"]),
    "timing_text": string(),
    "due_date": nullable(DAY),
    "state": string(enum=list(STATES)),
    "version": integer(minimum=1),
    "progress": obj({"approved": integer(), "total": integer()}, ["approved", "total"]),
    "allowed_actions": ACTION_LIST,
}
DELIVERABLE_PROPS: dict[str, Any] = {
    "id": ID,
    "task_id": ID,
    "task_number": integer(),
    "unit_id": ID,
    "unit": string(),
    "kind": string(enum=list(DELIVERABLE_KINDS)),
    "title": string(),
    "due_date": nullable(DAY),
    "required": {"type": "boolean"},
    "state": string(enum=list(STATES)),
    "version": integer(minimum=1),
    "updated_at": MOMENT,
    "allowed_actions": ACTION_LIST,
    "editable": {"type": "boolean", "description": "Người gọi được sửa mục này lúc này."},
    "period_start": nullable(DAY),
}
ATTACHMENT_PROPS: dict[str, Any] = {
    "id": ID,
    "filename": string(),
    "purpose": nullable(
        string(description="Tệp mà loại sản phẩm yêu cầu, ví dụ working_rules; null nếu không.")
    ),
    "content_type": string(),
    "size": integer(minimum=0),
    "sha256": string(maxLength=64, description="SHA-256 của nội dung (hex)."),
    "uploaded_at": MOMENT,
}
FORM_TEXT = nullable(string(maxLength=editing.MAX_BODY))
FORM_DATA: dict[str, Any] = {
    "type": "object",
    "maxProperties": 40,
    "additionalProperties": {
        "anyOf": [
            FORM_TEXT,
            {
                "type": "array",
                "maxItems": 200,
                "items": {
                    "type": "object",
                    "maxProperties": 40,
                    "additionalProperties": FORM_TEXT,
                },
            },
        ]
    },
    "description": (
        "Các trường riêng của loại sản phẩm, do lõi kiểm tra: steering_committee "
        "{decision_number, decision_date, members: [{full_name, position, unit, "
        "committee_role: truong_ban|pho_truong_ban|thanh_vien}]}; regulation "
        "{effective_date}; nominations {entries: [{type: collective|individual, name, unit, "
        "model_name, achievements, proposed_form}]}; periodic_report {done, results, "
        "difficulties, proposals}; document {}. Mỗi ô là chuỗi hoặc null."
    ),
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "properties": {
            "error": string(description="Mã lỗi ổn định, ví dụ not_permitted, stale_version."),
            "message": string(description="Thông báo bằng tiếng Việt cho người dùng."),
            "detail": {"type": "object", "additionalProperties": True},
        },
        "required": ["error", "message"],
    },
    "TokenRequest": obj(
        {
            "username": string(maxLength=tokens.MAX_USERNAME),
            "password": string(maxLength=tokens.MAX_PASSWORD),
        },
        ["username", "password"],
    ),
    "Token": obj(
        {"token": string(), "token_type": string(enum=["Bearer"]), "expires_at": MOMENT},
        ["token", "token_type", "expires_at"],
    ),
    "Task": obj(TASK_PROPS, list(TASK_PROPS)),
    "TaskDetail": obj(
        {
            **TASK_PROPS,
            "content": string(),
            "lead_text": string(),
            "coordinating_text": string(),
            "deliverables": {"type": "array", "items": ref("Deliverable")},
        },
        [*TASK_PROPS, "content", "lead_text", "coordinating_text", "deliverables"],
    ),
    "Deliverable": obj(DELIVERABLE_PROPS, list(DELIVERABLE_PROPS)),
    "Attachment": obj(ATTACHMENT_PROPS, list(ATTACHMENT_PROPS)),
    "DeliverableDetail": obj(
        {
            **DELIVERABLE_PROPS,
            "body": string(),
            "data": {
                "type": "object",
                "additionalProperties": True,
                "description": "Các trường riêng của loại sản phẩm (xem DeliverableEdit.data).",
            },
            "round": integer(minimum=0, description="Số lần đã trình (phiếu tính theo lần)."),
            "attachments": {"type": "array", "items": ref("Attachment")},
            "created_at": MOMENT,
        },
        [*DELIVERABLE_PROPS, "body", "data", "round", "attachments", "created_at"],
    ),
    "DeliverableCreate": obj(
        {
            "task_id": ID,
            "title": string(minLength=1, maxLength=editing.MAX_TITLE),
            "kind": string(enum=list(DELIVERABLE_KINDS), default="document"),
            "body": nullable(string(maxLength=editing.MAX_BODY)),
            "due_date": nullable(DAY),
            "data": FORM_DATA,
        },
        ["task_id", "title"],
    ),
    "DeliverableEdit": obj(
        {
            "title": string(minLength=1, maxLength=editing.MAX_TITLE),
            "body": nullable(string(maxLength=editing.MAX_BODY)),
            "due_date": nullable(
                {
                    **DAY,
                    "description": (
                        "Hạn lấy từ kế hoạch: chỉ được gửi lại đúng hạn hiện có; "
                        "đổi hạn là 403 (xem POST …/due-date)."
                    ),
                }
            ),
            "data": FORM_DATA,
            "version": nullable(
                integer(minimum=0, maximum=MAX_ID, description="Phiên bản đã đọc; 409 nếu đã đổi.")
            ),
        }
    ),
    "DueDateChange": obj(
        {
            "due_date": DAY,
            "reason": string(minLength=1, maxLength=editing.MAX_REASON),
            "version": nullable(
                integer(minimum=0, maximum=MAX_ID, description="Phiên bản đã đọc; 409 nếu đã đổi.")
            ),
        },
        ["due_date", "reason"],
    ),
    "ActionRequest": obj(
        {
            "reason": nullable(
                string(maxLength=10_000, description="Bắt buộc với return, send_back, reopen.")
            ),
            "version": nullable(integer(minimum=0, maximum=MAX_ID)),
            "on_behalf_of": nullable(
                string(
                    maxLength=80,
                    description="Tên đăng nhập của người đã ủy quyền cho người gọi (nếu có).",
                )
            ),
        }
    ),
    "ActionResult": obj(
        {
            "item_type": string(enum=["task", "deliverable"]),
            "id": ID,
            "action": string(enum=list(ACTIONS)),
            "from_state": string(enum=list(STATES)),
            "state": string(enum=list(STATES)),
            "version": integer(minimum=1),
            "audit_seq": integer(minimum=1),
        },
        ["item_type", "id", "action", "from_state", "state", "version", "audit_seq"],
    ),
    "AuditEvent": {
        "type": "object",
        "properties": {
            "seq": integer(minimum=1),
            "item_type": string(),
            "item_id": nullable(integer()),
            "actor": string(),
            "on_behalf_of": nullable(
                string(description="Người đã ủy quyền, khi người thực hiện dùng ủy quyền.")
            ),
            "actor_unit": string(),
            "actor_roles": {"type": "array", "items": string()},
            "action": string(),
            "from_state": nullable(string()),
            "to_state": nullable(string()),
            "reason": nullable(string()),
            "at": MOMENT,
            "client_addr": nullable(
                string(description="Chỉ với vai trò được xem toàn bộ nhật ký.")
            ),
            "detail": {"type": "object", "additionalProperties": True},
        },
        "required": [
            "seq",
            "item_type",
            "item_id",
            "actor",
            "actor_unit",
            "actor_roles",
            "action",
            "from_state",
            "to_state",
            "reason",
            "at",
            "detail",
        ],
        "additionalProperties": True,  # the engine's trail may grow new fields
    },
    "TaskList": listing("Task"),
    "DeliverablePage": listing("Deliverable", paged=True),
    "AuditList": listing("AuditEvent"),
    "AuditPage": listing("AuditEvent", paged=True),
}


def ok(schema: str, description: str = "Thành công.") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ref(schema)}}}


def errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"$ref": f"#/components/responses/E{c}"} for c in codes}


def body(schema: str, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": ref(schema)}}}


def path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": ID, "example": 1}


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}  # fmt: skip


ACTION_PARAM = {
    "name": "action",
    "in": "path",
    "required": True,
    "schema": string(enum=list(ACTIONS)),
    "description": "submit, withdraw, review, return, send_back, approve, reopen.",
}
CURSOR = query("cursor", integer(minimum=0, maximum=MAX_ID), "`next_cursor` của trang trước.")
LIMIT = query("limit", integer(minimum=1, maximum=MAX_LIMIT, default=50), "Số mục mỗi trang.")
DATE_QUERY = string(format="date", pattern=DATE_PATTERN)


def _item_paths(plural: str, param: str, tag: str) -> dict[str, Any]:
    item = path_id(param)
    return {
        f"/{plural}/{{{param}}}/actions/{{action}}": {
            "post": {
                "tags": [tag],
                "operationId": f"{tag}_action",
                "summary": "Thực hiện một thao tác (trình, thẩm định, phê duyệt, trả lại, …)",
                "parameters": [item, ACTION_PARAM],
                "requestBody": body("ActionRequest", required=False),
                "responses": {
                    "200": ok("ActionResult", "Trạng thái mới, phiên bản mới, số nhật ký."),
                    **errors(400, 401, 403, 404, 409, 413),
                },
            }
        },
        f"/{plural}/{{{param}}}/audit": {
            "get": {
                "tags": [tag],
                "operationId": f"{tag}_audit",
                "summary": "Nhật ký của mục, cũ trước mới sau",
                "parameters": [item],
                "responses": {"200": ok("AuditList"), **errors(401, 404)},
            }
        },
    }


def document() -> dict[str, Any]:
    from webapp.api import openapi_collab  # it builds on the helpers above

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
            {"name": "auth"},
            {"name": "task"},
            {"name": "deliverable"},
            {"name": "audit"},
            {"name": "delegation"},
            {"name": "plan"},
            {"name": "meta"},
        ],
        "paths": {
            "/auth/token": {
                "post": {
                    "tags": ["auth"],
                    "operationId": "issue_token",
                    "summary": "Đăng nhập, nhận mã truy cập (bearer token)",
                    "security": [],
                    "requestBody": body("TokenRequest"),
                    "responses": {
                        "201": ok("Token", "Mã truy cập, chỉ hiện một lần."),
                        **errors(400, 401, 413, 429),
                    },
                },
                "delete": {
                    "tags": ["auth"],
                    "operationId": "revoke_token",
                    "summary": "Hủy mã truy cập đang dùng",
                    "responses": {"204": {"description": "Đã hủy."}, **errors(401)},
                },
            },
            "/tasks": {
                "get": {
                    "tags": ["task"],
                    "operationId": "list_tasks",
                    "summary": "Các nhiệm vụ của kế hoạch",
                    "responses": {"200": ok("TaskList"), **errors(401)},
                }
            },
            "/tasks/{task_id}": {
                "get": {
                    "tags": ["task"],
                    "operationId": "get_task",
                    "summary": "Một nhiệm vụ, với các sản phẩm người gọi được xem",
                    "parameters": [path_id("task_id")],
                    "responses": {"200": ok("TaskDetail"), **errors(401, 404)},
                }
            },
            **_item_paths("tasks", "task_id", "task"),
            "/deliverables": {
                "get": {
                    "tags": ["deliverable"],
                    "operationId": "list_deliverables",
                    "summary": "Các sản phẩm người gọi được xem, phân trang theo id",
                    "parameters": [
                        query("state", string(enum=list(STATES)), "Lọc theo trạng thái."),
                        query(
                            "unit", string(minLength=1, maxLength=200), "Mã, tên hoặc id đơn vị."
                        ),
                        query("task", integer(minimum=0, maximum=MAX_ID), "Id nhiệm vụ."),
                        CURSOR,
                        LIMIT,
                    ],
                    "responses": {"200": ok("DeliverablePage"), **errors(400, 401)},
                },
                "post": {
                    "tags": ["deliverable"],
                    "operationId": "create_deliverable",
                    "summary": "Thêm một sản phẩm (dự thảo) cho đơn vị của người gọi",
                    "requestBody": body("DeliverableCreate"),
                    "responses": {
                        "201": ok("DeliverableDetail", "Đã tạo dự thảo."),
                        **errors(400, 401, 403, 404, 413),
                    },
                },
            },
            "/deliverables/{deliverable_id}": {
                "get": {
                    "tags": ["deliverable"],
                    "operationId": "get_deliverable",
                    "summary": "Một sản phẩm",
                    "parameters": [path_id("deliverable_id")],
                    "responses": {"200": ok("DeliverableDetail"), **errors(401, 404)},
                },
                "patch": {
                    "tags": ["deliverable"],
                    "operationId": "edit_deliverable",
                    "summary": "Sửa dự thảo (tiêu đề, nội dung, hạn, trường riêng của loại)",
                    "parameters": [path_id("deliverable_id")],
                    "requestBody": body("DeliverableEdit"),
                    "responses": {
                        "200": ok("DeliverableDetail"),
                        **errors(400, 401, 403, 404, 409, 413),
                    },
                },
            },
            "/deliverables/{deliverable_id}/due-date": {
                "post": {
                    "tags": ["deliverable"],
                    "operationId": "change_due_date",
                    "summary": "Đổi hạn hoàn thành (người thẩm định Văn phòng Sở hoặc Giám đốc)",
                    "description": (
                        "Hạn lấy từ kế hoạch; đơn vị không tự đổi hạn của mình (403). Cần lý "
                        "do (400); mục đã phê duyệt không đổi hạn (409). Nhật ký ghi hạn cũ, "
                        "hạn mới và lý do."
                    ),
                    "parameters": [path_id("deliverable_id")],
                    "requestBody": body("DueDateChange"),
                    "responses": {
                        "200": ok("DeliverableDetail"),
                        **errors(400, 401, 403, 404, 409, 413),
                    },
                }
            },
            **_item_paths("deliverables", "deliverable_id", "deliverable"),
            **openapi_collab.PATHS,
            "/audit": {
                "get": {
                    "tags": ["audit"],
                    "operationId": "full_audit",
                    "summary": "Toàn bộ nhật ký, mới trước cũ sau (vai trò được xem)",
                    "parameters": [
                        query("item_type", string(enum=list(ITEM_TYPES)), "Loại mục."),
                        query("item_id", integer(minimum=0, maximum=MAX_ID), "Id mục."),
                        query(
                            "user",
                            string(minLength=1, maxLength=80),
                            "Tên đăng nhập người thực hiện.",
                        ),
                        query("unit", string(minLength=1, maxLength=200), "Mã hoặc tên đơn vị."),
                        query(
                            "action", string(minLength=1, maxLength=40), "Thao tác, ví dụ approve."
                        ),
                        query("date_from", DATE_QUERY, f"Từ ngày (UTC), {MIN_YEAR}–{MAX_YEAR}."),
                        query("date_to", DATE_QUERY, "Đến hết ngày (UTC)."),
                        query(
                            "cursor",
                            integer(minimum=0, maximum=9_999_999_999),
                            "`next_cursor` của trang trước.",
                        ),
                        query(
                            "limit",
                            integer(minimum=1, maximum=MAX_PAGE, default=50),
                            "Số sự kiện mỗi trang.",
                        ),
                    ],
                    "responses": {"200": ok("AuditPage"), **errors(400, 401, 403)},
                }
            },
            "/openapi.json": {
                "get": {
                    "tags": ["meta"],
                    "operationId": "openapi",
                    "summary": "Tài liệu này",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "OpenAPI 3.0.3.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Mã lấy từ POST /auth/token.",
                }
            },
            "schemas": {**SCHEMAS, **openapi_collab.SCHEMAS},
            "responses": {
                f"E{code}": {
                    "description": text,
                    "content": {"application/json": {"schema": ref("Error")}},
                    **(
                        {"headers": {"WWW-Authenticate": {"schema": string()}}}
                        if code == "401"
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
