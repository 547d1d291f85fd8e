"""The OpenAPI paths and schemas of council votes, contributions, regulation versions,
delegations and the dashboard (merged into the document by webapp.api.openapi)."""

from __future__ import annotations

from typing import Any

from webapp.api.delegations import MAX_NOTE
from webapp.api.openapi import (
    DAY,
    ID,
    MOMENT,
    body,
    errors,
    integer,
    nullable,
    obj,
    ok,
    path_id,
    ref,
    string,
)
from webapp.api.votes import MAX_COMMENT
from workflow.core.machine import STATES
from workflow.items import editing

NAME = string(description="Tên đăng nhập.")
FULL_NAME = string(description="Họ tên.")


def nullable_ref(name: str) -> dict[str, Any]:
    return {"allOf": [ref(name)], "nullable": True}


def counts() -> dict[str, Any]:
    return obj({s: integer(minimum=0) for s in STATES}, list(STATES))


PROGRESS_PROPS: dict[str, Any] = {
    "label": string(),
    "counts": counts(),
    "total": integer(minimum=0),
    "overdue": integer(minimum=0),
    "approved_percent": {"type": "number", "minimum": 0, "maximum": 100},
}
TALLY_PROPS: dict[str, Any] = {
    "council": string(description="Tên Hội đồng."),
    "quorum": integer(minimum=1, description="Số phiếu tán thành cần có."),
    "members": integer(minimum=0),
    "votes_for": integer(minimum=0),
    "votes_against": integer(minimum=0),
    "reached": {"type": "boolean", "description": "Đủ số phiếu: sản phẩm đã được thẩm định."},
    "state": string(enum=list(STATES), description="Trạng thái của sản phẩm sau phiếu này."),
}
VOTE_PROPS: dict[str, Any] = {
    "voter": NAME,
    "voter_name": FULL_NAME,
    "in_favour": {"type": "boolean"},
    "comment": string(),
    "at": MOMENT,
}
CONTRIBUTION_PROPS: dict[str, Any] = {
    "id": ID,
    "unit": string(description="Đơn vị phối hợp."),
    "author": NAME,
    "author_name": FULL_NAME,
    "body": string(),
    "at": MOMENT,
    "files": {"type": "array", "items": ref("Attachment")},
}
DELEGATION_PROPS: dict[str, Any] = {
    "id": ID,
    "delegator": NAME,
    "delegator_name": FULL_NAME,
    "delegate": NAME,
    "delegate_name": FULL_NAME,
    "starts_on": DAY,
    "ends_on": DAY,
    "note": string(),
    "created_at": MOMENT,
    "revoked_at": nullable(MOMENT),
    "active": {"type": "boolean", "description": "Dùng được hôm nay (trong hạn, chưa chấm dứt)."},
}
VERSION_PROPS: dict[str, Any] = {
    "number": integer(minimum=1),
    "created_at": MOMENT,
    "in_force": {"type": "boolean", "description": "Phiên bản đang có hiệu lực (đã phê duyệt)."},
    "effective_date": nullable(DAY),
    "body": string(),
}

SCHEMAS: dict[str, Any] = {
    "VoteRequest": obj(
        {
            "in_favour": {"type": "boolean", "description": "true: tán thành; false: không."},
            "comment": nullable(string(maxLength=MAX_COMMENT)),
        },
        ["in_favour"],
    ),
    "Tally": obj(TALLY_PROPS, list(TALLY_PROPS)),
    "Vote": obj(VOTE_PROPS, list(VOTE_PROPS)),
    "VoteSheet": obj(
        {
            "round": integer(minimum=0, description="Lần trình đang tính phiếu."),
            "tally": nullable_ref("Tally"),
            "items": {"type": "array", "items": ref("Vote")},
        },
        ["round", "tally", "items"],
    ),
    "ContributionRequest": obj({"body": string(minLength=1, maxLength=editing.MAX_BODY)}, ["body"]),
    "Contribution": obj(CONTRIBUTION_PROPS, list(CONTRIBUTION_PROPS)),
    "ContributionList": obj({"items": {"type": "array", "items": ref("Contribution")}}, ["items"]),
    "DelegationRequest": obj(
        {
            "delegate": string(minLength=1, maxLength=80, description="Người được ủy quyền."),
            "starts_on": DAY,
            "ends_on": DAY,
            "note": nullable(string(maxLength=MAX_NOTE)),
        },
        ["delegate", "starts_on", "ends_on"],
    ),
    "Delegation": obj(DELEGATION_PROPS, list(DELEGATION_PROPS)),
    "Delegations": obj(
        {
            "given": {"type": "array", "items": ref("Delegation")},
            "received": {"type": "array", "items": ref("Delegation")},
        },
        ["given", "received"],
    ),
    "RegulationVersion": obj(VERSION_PROPS, list(VERSION_PROPS)),
    "VersionList": obj({"items": {"type": "array", "items": ref("RegulationVersion")}}, ["items"]),
    "VersionDiff": obj(
        {
            "number": integer(minimum=1),
            "previous": nullable(
                integer(minimum=1, description="null: phiên bản đầu, so với văn bản trống.")
            ),
            "lines": {
                "type": "array",
                "items": obj(
                    {
                        "op": string(enum=[" ", "-", "+"], description="giữ, bỏ, thêm."),
                        "line": string(),
                    },
                    ["op", "line"],
                ),
            },
        },
        ["number", "previous", "lines"],
    ),
    "Progress": obj(PROGRESS_PROPS, list(PROGRESS_PROPS)),
    "TaskProgress": obj(
        {"task_number": integer(minimum=1), **PROGRESS_PROPS}, ["task_number", *PROGRESS_PROPS]
    ),
    "UnitProgress": obj({"unit_id": ID, **PROGRESS_PROPS}, ["unit_id", *PROGRESS_PROPS]),
    "Dashboard": obj(
        {
            "plan_id": ID,
            "today": DAY,
            "overall": ref("Progress"),
            "by_task": {"type": "array", "items": ref("TaskProgress")},
            "by_unit": {"type": "array", "items": ref("UnitProgress")},
            "median_hours": obj(
                {s: nullable({"type": "number", "minimum": 0}) for s in STATES}, list(STATES)
            ),
            "stays_measured": counts(),
        },
        ["plan_id", "today", "overall", "by_task", "by_unit", "median_hours", "stays_measured"],
    ),
}

ITEM = path_id("deliverable_id")
NUMBER = {
    "name": "number",
    "in": "path",
    "required": True,
    "schema": integer(minimum=1, maximum=ID["maximum"]),
    "example": 1,
}
PATHS: dict[str, Any] = {
    "/deliverables/{deliverable_id}/votes": {
        "post": {
            "tags": ["deliverable"],
            "operationId": "cast_vote",
            "summary": "Bỏ phiếu của thành viên Hội đồng; đủ số phiếu thì mục được thẩm định",
            "description": (
                "403: không phải thành viên Hội đồng, hoặc là người đã trình. 409: mục không ở "
                "trạng thái Đã trình, hoặc đã bỏ phiếu cho lần trình này. 400: nội dung sai, "
                "hoặc loại sản phẩm này không cần Hội đồng."
            ),
            "parameters": [ITEM],
            "requestBody": body("VoteRequest"),
            "responses": {
                "201": ok("Tally", "Phiếu đã ghi; kết quả kiểm phiếu của lần trình này."),
                **errors(400, 401, 403, 404, 409, 413),
            },
        },
        "get": {
            "tags": ["deliverable"],
            "operationId": "list_votes",
            "summary": "Các phiếu của lần trình hiện tại",
            "parameters": [ITEM],
            "responses": {"200": ok("VoteSheet"), **errors(401, 404)},
        },
    },
    "/deliverables/{deliverable_id}/contributions": {
        "post": {
            "tags": ["deliverable"],
            "operationId": "add_contribution",
            "summary": "Ý kiến của đơn vị phối hợp vào dự thảo của đơn vị chủ trì",
            "parameters": [ITEM],
            "requestBody": body("ContributionRequest"),
            "responses": {
                "201": ok("Contribution", "Đã ghi ý kiến."),
                **errors(400, 401, 403, 404, 409, 413),
            },
        },
        "get": {
            "tags": ["deliverable"],
            "operationId": "list_contributions",
            "summary": "Các ý kiến của đơn vị phối hợp, cũ trước mới sau",
            "parameters": [ITEM],
            "responses": {"200": ok("ContributionList"), **errors(401, 404)},
        },
    },
    "/deliverables/{deliverable_id}/versions": {
        "get": {
            "tags": ["deliverable"],
            "operationId": "list_versions",
            "summary": "Các phiên bản của quy chế (404 với loại sản phẩm khác)",
            "parameters": [ITEM],
            "responses": {"200": ok("VersionList"), **errors(401, 404)},
        }
    },
    "/deliverables/{deliverable_id}/versions/{number}/diff": {
        "get": {
            "tags": ["deliverable"],
            "operationId": "version_diff",
            "summary": "Phiên bản `number` thay đổi gì so với phiên bản trước",
            "parameters": [ITEM, NUMBER],
            "responses": {"200": ok("VersionDiff"), **errors(401, 404)},
        }
    },
    "/delegations": {
        "get": {
            "tags": ["delegation"],
            "operationId": "list_delegations",
            "summary": "Ủy quyền của tôi: đã giao và được nhận",
            "responses": {"200": ok("Delegations"), **errors(401)},
        },
        "post": {
            "tags": ["delegation"],
            "operationId": "create_delegation",
            "summary": "Ủy quyền cho một đồng nghiệp trong một khoảng ngày",
            "requestBody": body("DelegationRequest"),
            "responses": {
                "201": ok("Delegation", "Đã ủy quyền."),
                **errors(400, 401, 403, 413),
            },
        },
    },
    "/delegations/{delegation_id}": {
        "delete": {
            "tags": ["delegation"],
            "operationId": "revoke_delegation",
            "summary": "Chấm dứt ủy quyền (người ủy quyền hoặc quản trị)",
            "description": (
                "403: người được ủy quyền; 404: không có, hoặc ủy quyền của người khác; "
                "409: đã được chấm dứt trước đó (như trên trang)."
            ),
            "parameters": [path_id("delegation_id")],
            "responses": {
                "204": {"description": "Đã chấm dứt."},
                **errors(401, 403, 404, 409),
            },
        }
    },
    "/plans/{plan_id}/dashboard": {
        "get": {
            "tags": ["plan"],
            "operationId": "plan_dashboard",
            "summary": "Tiến độ: số mục theo trạng thái, % phê duyệt, quá hạn, thời gian trung vị",
            "parameters": [path_id("plan_id")],
            "responses": {"200": ok("Dashboard"), **errors(401, 404)},
        }
    },
}
