"""The API's request and response bodies as pydantic models: the one description of each
field. Requests are validated through them (webapp.api.parsing.body), and the OpenAPI
document's components/schemas are generated from them (webapp.api.openapi).

The response models describe what webapp.api.serialize returns (they are not used to
build responses); tests/api/test_api_schemathesis.py checks every response against them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    create_model,
)
from pydantic_core import PydanticCustomError

from models import DELIVERABLE_KINDS, TIMING_KINDS
from webapp.api.errors import ApiError
from webapp.api.parsing import MAX_ID, parse_date
from workflow.accounts import tokens
from workflow.core.machine import ACTIONS, STATES
from workflow.items import editing, kinds

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MAX_REASON = 10_000
MAX_COMMENT = 10_000
MAX_NOTE = 2_000
MAX_FORM_KEYS = 40
MAX_FORM_ROWS = 1000
MAX_KEY = 60


def invalid(message: str) -> PydanticCustomError:
    """A refusal in the API's words (webapp.api.parsing turns it into a 400)."""
    return PydanticCustomError("invalid", message)


def _storable(value: str, info: ValidationInfo) -> str:
    """No NUL, valid Unicode: what the database can store."""
    if "\x00" in value:
        raise invalid(f"Trường “{info.field_name}” chứa ký tự không hợp lệ.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(f"Trường “{info.field_name}” chứa ký tự không hợp lệ.") from None
    return value


def _day(value: str, info: ValidationInfo) -> Any:
    try:
        return parse_date(value, info.field_name or "")
    except ApiError as e:
        raise invalid(e.message) from None


def Text(max_length: int, **schema: Any) -> Any:  # noqa: N802 (a type)
    """A string of at most `max_length` characters that can be stored."""
    return Annotated[
        str,
        Field(max_length=max_length, json_schema_extra=schema or None),
        AfterValidator(_storable),
    ]


# A date in a body: YYYY-MM-DD, a real day in a plausible year; read as a `date`.
Day = Annotated[
    str,
    Field(max_length=10),
    AfterValidator(_storable),
    AfterValidator(_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
Version = Annotated[
    int | None, Field(ge=0, le=MAX_ID, description="Phiên bản đã đọc; 409 nếu đã đổi.")
]


def _form_scalar(value: Any, name: str) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"Trường “{name}”: mỗi ô phải là chuỗi ký tự (hoặc null).")
    if "\x00" in value or _bad_unicode(value):
        raise invalid(f"Trường “{name}” chứa ký tự không hợp lệ.")
    return value


def _bad_unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _form_key(key: str, name: str) -> str:
    if len(key) > MAX_KEY:
        raise invalid(f"Trường “{name}”: tên mục không quá {MAX_KEY} ký tự.")
    return _form_scalar(key, name)


def _form_row(row: Any, name: str) -> dict[str, str | None]:
    if not isinstance(row, dict) or len(row) > MAX_FORM_KEYS:
        raise invalid(f"Trường “{name}”: mỗi dòng phải là một đối tượng JSON.")
    return {_form_key(k, name): _form_scalar(v, name) for k, v in row.items()}


def _form_data(value: Any, info: ValidationInfo) -> dict[str, Any]:
    """Shaped like a form: strings, nulls, or lists of rows of them. Which keys a kind
    takes and what they must hold, the engine decides (workflow.items.kinds)."""
    name = info.field_name or ""
    if len(value) > MAX_FORM_KEYS:
        raise invalid(f"Trường “{name}” có quá nhiều mục.")
    clean: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, list):
            if len(item) > MAX_FORM_ROWS:
                raise invalid(f"Trường “{name}”: quá nhiều dòng.")
            clean[_form_key(key, name)] = [_form_row(row, name) for row in item]
        else:
            clean[_form_key(key, name)] = _form_scalar(item, name)
    return clean


KIND_MODELS = kinds.data_models()
# A kind's own fields (`Deliverable.data`); described as one of the kinds' models.
FormData = Annotated[
    dict[str, Any],
    AfterValidator(_form_data),
    WithJsonSchema(
        {
            "anyOf": [{"$ref": f"#/components/schemas/{m.__name__}"} for m in KIND_MODELS.values()],
            "description": "Các trường riêng của loại sản phẩm (theo `kind`), do lõi kiểm tra: "
            + "; ".join(f"{name}: {m.__name__}" for name, m in KIND_MODELS.items())
            + ". Mỗi ô là chuỗi hoặc null.",
        }
    ),
]


class Request(BaseModel):
    """A request body: strict types (no "1" for 1), unknown fields refused."""

    model_config = ConfigDict(extra="forbid", strict=True)


class TokenRequest(Request):
    username: Text(tokens.MAX_USERNAME)
    password: Text(tokens.MAX_PASSWORD)


class DeliverableCreate(Request):
    task_id: Annotated[int, Field(ge=0, le=MAX_ID, json_schema_extra={"minimum": 1})]
    title: Text(editing.MAX_TITLE, minLength=1)
    kind: Literal[DELIVERABLE_KINDS] = "document"
    body: Text(editing.MAX_BODY) | None = None
    due_date: Day | None = None
    data: FormData = None


class DeliverableEdit(Request):
    title: Text(editing.MAX_TITLE, minLength=1) = None
    body: Text(editing.MAX_BODY) | None = None
    due_date: Annotated[
        Day | None,
        Field(
            description="Hạn lấy từ kế hoạch: chỉ được gửi lại đúng hạn hiện có; "
            "đổi hạn là 403 (xem POST …/due-date)."
        ),
    ] = None
    data: FormData = None
    version: Version = None


class DueDateChange(Request):
    due_date: Day
    reason: Text(editing.MAX_REASON, minLength=1)
    version: Version = None


class ActionRequest(Request):
    reason: Annotated[
        Text(MAX_REASON) | None, Field(description="Bắt buộc với return, send_back, reopen.")
    ] = None
    version: Version = None
    on_behalf_of: Annotated[
        Text(80) | None,
        Field(description="Tên đăng nhập của người đã ủy quyền cho người gọi (nếu có)."),
    ] = None


class VoteRequest(Request):
    in_favour: Annotated[bool, Field(description="true: tán thành; false: không.")]
    comment: Text(MAX_COMMENT) | None = None


class ContributionRequest(Request):
    body: Text(editing.MAX_BODY, minLength=1)


class DelegationRequest(Request):
    delegate: Annotated[Text(80, minLength=1), Field(description="Người được ủy quyền.")]
    starts_on: Day
    ends_on: Day
    note: Text(MAX_NOTE) | None = None


# --- responses ---------------------------------------------------------------------------

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0)]
Date = Annotated[str, WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN})]
Moment = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
State = Literal[STATES]
Name = Annotated[str, Field(description="Tên đăng nhập.")]
FullName = Annotated[str, Field(description="Họ tên.")]


class Response(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(BaseModel):
    model_config = ConfigDict(extra="allow")

    error: Annotated[str, Field(description="Mã lỗi ổn định, ví dụ not_permitted, stale_version.")]
    message: Annotated[str, Field(description="Thông báo bằng tiếng Việt cho người dùng.")]
    detail: dict[str, Any] = None


class Token(Response):
    token: str
    token_type: Literal["Bearer"]
    expires_at: Moment


class Completion(Response):
    approved: int
    total: int


class Task(Response):
    id: Id
    plan_id: Id
    number: int
    title: str
    lead_units: list[str]
    coordinating_units: list[str]
    timing_kind: Literal[TIMING_KINDS]
    timing_text: str
    due_date: Date | None
    state: State
    version: Annotated[int, Field(ge=1)]
    progress: Completion
    allowed_actions: list[Literal[ACTIONS]]


class Deliverable(Response):
    id: Id
    task_id: Id
    task_number: int
    unit_id: Id
    unit: str
    kind: Literal[DELIVERABLE_KINDS]
    title: str
    due_date: Date | None
    period_start: Date | None
    required: bool
    state: State
    version: Annotated[int, Field(ge=1)]
    updated_at: Moment
    allowed_actions: list[Literal[ACTIONS]]
    editable: Annotated[bool, Field(description="Người gọi được sửa mục này lúc này.")]


class TaskDetail(Task):
    content: str
    lead_text: str
    coordinating_text: str
    deliverables: list[Deliverable]


class Attachment(Response):
    id: Id
    filename: str
    purpose: Annotated[
        str | None,
        Field(description="Tệp mà loại sản phẩm yêu cầu, ví dụ working_rules; null nếu không."),
    ]
    content_type: str
    size: Count
    sha256: Annotated[str, Field(max_length=64, description="SHA-256 của nội dung (hex).")]
    uploaded_at: Moment


class DeliverableDetail(Deliverable):
    body: str
    data: Annotated[
        dict[str, Any],
        Field(description="Các trường riêng của loại sản phẩm (xem DeliverableEdit.data)."),
    ]
    round: Annotated[int, Field(ge=0, description="Số lần đã trình (phiếu tính theo lần).")]
    attachments: list[Attachment]
    created_at: Moment


class ActionResult(Response):
    item_type: Literal["task", "deliverable"]
    id: Id
    action: Literal[ACTIONS]
    from_state: State
    state: State
    version: Annotated[int, Field(ge=1)]
    audit_seq: Annotated[int, Field(ge=1)]


class AuditEvent(BaseModel):
    model_config = ConfigDict(extra="allow")  # the engine's trail may grow new fields

    seq: Annotated[int, Field(ge=1)]
    item_type: str
    item_id: int | None
    actor: str
    on_behalf_of: Annotated[
        str | None, Field(description="Người đã ủy quyền, khi người thực hiện dùng ủy quyền.")
    ] = None
    actor_unit: str
    actor_roles: list[str]
    action: str
    from_state: str | None
    to_state: str | None
    reason: str | None
    at: Moment
    client_addr: Annotated[
        str | None, Field(description="Chỉ với vai trò được xem toàn bộ nhật ký.")
    ] = None
    detail: dict[str, Any]


NextCursor = Annotated[
    int | None, Field(description="Truyền vào `cursor` để lấy trang sau; null là hết.")
]


class TaskList(Response):
    items: list[Task]


class DeliverablePage(Response):
    items: list[Deliverable]
    next_cursor: NextCursor


class AuditList(Response):
    items: list[AuditEvent]


class AuditPage(Response):
    items: list[AuditEvent]
    next_cursor: NextCursor


class Tally(Response):
    council: Annotated[str, Field(description="Tên Hội đồng.")]
    quorum: Annotated[int, Field(ge=1, description="Số phiếu tán thành cần có.")]
    members: Count
    votes_for: Count
    votes_against: Count
    reached: Annotated[bool, Field(description="Đủ số phiếu: sản phẩm đã được thẩm định.")]
    state: Annotated[State, Field(description="Trạng thái của sản phẩm sau phiếu này.")]


class Vote(Response):
    voter: Name
    voter_name: FullName
    in_favour: bool
    comment: str
    at: Moment


class VoteSheet(Response):
    round: Annotated[int, Field(ge=0, description="Lần trình đang tính phiếu.")]
    tally: Tally | None
    items: list[Vote]


class Contribution(Response):
    id: Id
    unit: Annotated[str, Field(description="Đơn vị phối hợp.")]
    author: Name
    author_name: FullName
    body: str
    at: Moment
    files: list[Attachment]


class ContributionList(Response):
    items: list[Contribution]


class Delegation(Response):
    id: Id
    delegator: Name
    delegator_name: FullName
    delegate: Name
    delegate_name: FullName
    starts_on: Date
    ends_on: Date
    note: str
    created_at: Moment
    revoked_at: Moment | None
    active: Annotated[bool, Field(description="Dùng được hôm nay (trong hạn, chưa thu hồi).")]


class Delegations(Response):
    given: list[Delegation]
    received: list[Delegation]


class RegulationVersion(Response):
    number: Annotated[int, Field(ge=1)]
    created_at: Moment
    in_force: Annotated[bool, Field(description="Phiên bản đang có hiệu lực (đã phê duyệt).")]
    effective_date: Date | None
    body: str


class VersionList(Response):
    items: list[RegulationVersion]


class DiffLine(Response):
    op: Annotated[Literal[" ", "-", "+"], Field(description="giữ, bỏ, thêm.")]
    line: str


class VersionDiff(Response):
    number: Annotated[int, Field(ge=1)]
    previous: Annotated[
        int | None, Field(ge=1, description="null: phiên bản đầu, so với văn bản trống.")
    ]
    lines: list[DiffLine]


StateCounts = create_model("StateCounts", __base__=Response, **{s: (Count, ...) for s in STATES})
StateHours = create_model(
    "StateHours",
    __base__=Response,
    **{s: (Annotated[float, Field(ge=0)] | None, ...) for s in STATES},
)


class Progress(Response):
    label: str
    counts: StateCounts
    total: Count
    overdue: Count
    approved_percent: Annotated[float, Field(ge=0, le=100)]


class TaskProgress(Progress):
    task_number: Annotated[int, Field(ge=1)]


class UnitProgress(Progress):
    unit_id: Id


class Dashboard(Response):
    plan_id: Id
    today: Date
    overall: Progress
    by_task: list[TaskProgress]
    by_unit: list[UnitProgress]
    median_hours: StateHours
    stays_measured: StateCounts


REQUESTS = (
    TokenRequest, DeliverableCreate, DeliverableEdit, DueDateChange, ActionRequest,
    VoteRequest, ContributionRequest, DelegationRequest,
)  # fmt: skip
RESPONSES = (
    Error, Token, TaskList, TaskDetail, DeliverablePage, DeliverableDetail, ActionResult,
    AuditList, AuditPage, Tally, VoteSheet, Contribution, ContributionList, Delegation,
    Delegations, VersionList, VersionDiff, Dashboard,
)  # fmt: skip
