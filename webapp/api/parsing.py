"""Reading requests strictly: JSON objects with typed fields, query parameters in range.

Anything malformed becomes a 400 ApiError with a Vietnamese message, never a 500: strings
are checked to be storable (no NUL, valid Unicode), integers to fit the database's columns.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, TypeVar, get_args

from flask import current_app, request
from pydantic import BaseModel, ValidationError

from webapp.api.errors import ApiError
from webapp.converters import MAX_ID  # noqa: F401 (one cap for ids in paths and bodies)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MIN_YEAR, MAX_YEAR = 1900, 2999  # plausible dates of a plan; keeps date arithmetic in range
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"[0-9]{1,10}")


Model = TypeVar("Model", bound=BaseModel)


def invalid(message: str, **context: object) -> ApiError:
    return ApiError(400, "invalid_input", message, **context)


def json_object(*, allowed: tuple[str, ...], required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object with only `allowed` keys; {} for an empty body
    when not `required`. Reading the body raises 413 when it exceeds MAX_CONTENT_LENGTH."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise ApiError(400, "invalid_json", "Thiếu nội dung JSON trong yêu cầu.")
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "Nội dung gửi lên không phải JSON hợp lệ.") from None
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "Nội dung gửi lên phải là một đối tượng JSON.")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise invalid(f"Trường không được hỗ trợ: {', '.join(unknown)[:200]}.", fields=unknown[:20])
    return data


def clean_text(value: str, name: str) -> str:
    if "\x00" in value:
        raise invalid(f"Trường “{name}” chứa ký tự không hợp lệ.", field=name)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(f"Trường “{name}” chứa ký tự không hợp lệ.", field=name) from None
    return value


def parse_date(value: str, name: str) -> date:
    """YYYY-MM-DD, a real day between MIN_YEAR and MAX_YEAR."""
    if not _DATE.fullmatch(value):
        raise invalid(f"Trường “{name}” phải là ngày dạng YYYY-MM-DD.", field=name)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise invalid(f"Trường “{name}” không phải một ngày có thật.", field=name) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise invalid(
            f"Trường “{name}” phải là một ngày trong các năm {MIN_YEAR}–{MAX_YEAR}.", field=name
        )
    return day


# --- query parameters ---------------------------------------------------------------------

_QUERY_ATTR = "_api_query"


def accepts_query(*names: str):
    """Declare a view's query parameters; any other is refused (a typo never filters
    nothing silently)."""

    def mark(view):
        setattr(view, _QUERY_ATTR, frozenset(names))
        return view

    return mark


def refuse_unknown_query() -> None:
    """before_request: 400 for query parameters the view does not declare."""
    view = current_app.view_functions.get(request.endpoint or "")
    unknown = sorted(set(request.args) - getattr(view, _QUERY_ATTR, frozenset()))
    if unknown:
        shown = ", ".join(repr(name)[:40] for name in unknown[:5])
        raise invalid(f"Tham số không được hỗ trợ: {shown}.")


def _query(name: str) -> str | None:
    """The raw value, None when absent; present but empty is refused."""
    value = request.args.get(name)
    if value == "":
        raise invalid(
            f"Tham số “{name}” không được để trống; hãy bỏ hẳn nếu không lọc.", field=name
        )
    return value


def query_text(name: str, *, max_len: int) -> str | None:
    value = _query(name)
    if value is None:
        return None
    if len(value) > max_len:
        raise invalid(f"Tham số “{name}” không quá {max_len} ký tự.", field=name)
    return clean_text(value, name)


def query_int(name: str, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    value = _query(name)
    if value is None:
        return None
    if not _DIGITS.fullmatch(value) or not minimum <= int(value) <= maximum:
        raise invalid(
            f"Tham số “{name}” phải là số nguyên trong khoảng {minimum}–{maximum}.", field=name
        )
    return int(value)


def query_limit() -> int:
    limit = query_int("limit", minimum=1, maximum=MAX_LIMIT)
    return DEFAULT_LIMIT if limit is None else limit


def query_date(name: str) -> date | None:
    value = _query(name)
    if value is None:
        return None
    return parse_date(clean_text(value[:20], name), name)


def query_choice(name: str, choices: tuple[str, ...]) -> str | None:
    value = _query(name)
    if value is not None and value not in choices:
        raise invalid(f"Tham số “{name}” phải là một trong: {', '.join(choices)}.", field=name)
    return value


def body(model: type[Model], *, required: bool = True) -> Model:
    """The request body read through `model` (webapp.api.schemas): unknown fields, wrong
    types and values out of range are a 400 naming the first field at fault."""
    data = json_object(allowed=tuple(model.model_fields), required=required)
    try:
        return model.model_validate(data)
    except ValidationError as e:
        error = e.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else ""
        raise invalid(_say(model, name, error), field=name) from None


def _say(model: type[BaseModel], name: str, error: Any) -> str:
    kind, field = error["type"], f"Trường “{name}”"
    if kind == "invalid":  # a validator's own words (webapp.api.schemas.invalid)
        return error["msg"]
    info = model.model_fields.get(name)
    if kind == "missing":
        return f"Thiếu trường “{name}”."
    if kind == "string_too_long":
        return f"{field} không quá {error['ctx']['max_length']} ký tự."
    if kind in ("greater_than_equal", "less_than_equal") and info is not None:
        low = next((m.ge for m in info.metadata if hasattr(m, "ge")), 0)
        high = next((m.le for m in info.metadata if hasattr(m, "le")), MAX_ID)
        return f"{field} phải trong khoảng {low}–{high}."
    if kind == "literal_error" and not isinstance(error["input"], str):
        kind = "string_type"
    elif kind == "literal_error" and info is not None:
        return f"{field} phải là một trong: {', '.join(get_args(info.annotation))}."
    return f"{field} {_TYPES.get(kind, 'không hợp lệ')}."


_TYPES = {
    "string_type": "phải là chuỗi ký tự",
    "string_unicode": "chứa ký tự không hợp lệ",
    "int_type": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "dict_type": "phải là một đối tượng JSON",
}
