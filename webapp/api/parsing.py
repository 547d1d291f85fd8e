"""Reading requests strictly: JSON objects with typed fields, query parameters in range.

Anything malformed becomes a 400 ApiError with a Vietnamese message, never a 500: strings
are checked to be storable (no NUL, valid Unicode), integers to fit the database's columns.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from flask import current_app, request

from webapp.api.errors import ApiError
from webapp.converters import MAX_ID  # noqa: F401 (one cap for ids in paths and bodies)

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MIN_YEAR, MAX_YEAR = 1900, 2999  # plausible dates of a plan; keeps date arithmetic in range
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"[0-9]{1,10}")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


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


def text(
    data: dict[str, Any],
    name: str,
    *,
    max_len: int,
    required: bool = False,
    nullable: bool = False,
) -> Any:
    """A string field (MISSING when absent and not required; None only when `nullable`)."""
    if name not in data:
        if required:
            raise invalid(f"Thiếu trường “{name}”.", field=name)
        return MISSING
    value = data[name]
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise invalid(f"Trường “{name}” phải là chuỗi ký tự.", field=name)
    if len(value) > max_len:
        raise invalid(f"Trường “{name}” không quá {max_len} ký tự.", field=name)
    return clean_text(value, name)


def integer(
    data: dict[str, Any],
    name: str,
    *,
    minimum: int = 0,
    maximum: int = MAX_ID,
    required: bool = False,
    nullable: bool = False,
) -> Any:
    if name not in data:
        if required:
            raise invalid(f"Thiếu trường “{name}”.", field=name)
        return MISSING
    value = data[name]
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(f"Trường “{name}” phải là số nguyên.", field=name)
    if not minimum <= value <= maximum:
        raise invalid(f"Trường “{name}” phải trong khoảng {minimum}–{maximum}.", field=name)
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


def date_field(data: dict[str, Any], name: str, *, required: bool = False) -> Any:
    """YYYY-MM-DD; or null to clear and MISSING when absent, unless `required`."""
    value = text(data, name, max_len=10, nullable=not required, required=required)
    if value is MISSING or value is None:
        return value
    return parse_date(value, name)


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


def boolean(data: dict[str, Any], name: str, *, required: bool = False) -> Any:
    if name not in data:
        if required:
            raise invalid(f"Thiếu trường “{name}”.", field=name)
        return MISSING
    if not isinstance(data[name], bool):
        raise invalid(f"Trường “{name}” phải là true hoặc false.", field=name)
    return data[name]


def choice(data: dict[str, Any], name: str, choices: tuple[str, ...]) -> Any:
    value = text(data, name, max_len=max(map(len, choices)) + 1)
    if value is not MISSING and value not in choices:
        raise invalid(f"Trường “{name}” phải là một trong: {', '.join(choices)}.", field=name)
    return value


MAX_FORM_KEYS = 40
MAX_FORM_ROWS = 1000
MAX_KEY = 60


def _form_key(key: str, name: str) -> str:
    if len(key) > MAX_KEY:
        raise invalid(f"Trường “{name}”: tên mục không quá {MAX_KEY} ký tự.", field=name)
    return clean_text(key, name)


def _form_scalar(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(f"Trường “{name}”: mỗi ô phải là chuỗi ký tự (hoặc null).", field=name)
    return clean_text(value, name)


def _form_row(row: Any, name: str) -> dict[str, str | None]:
    if not isinstance(row, dict) or len(row) > MAX_FORM_KEYS:
        raise invalid(f"Trường “{name}”: mỗi dòng phải là một đối tượng JSON.", field=name)
    return {_form_key(k, name): _form_scalar(v, name) for k, v in row.items()}


def form_data(data: dict[str, Any], name: str) -> Any:
    """A kind's own fields (`Deliverable.data`), shaped like a form: an object whose values
    are strings, nulls, or lists of rows (objects of strings or nulls). Which keys a kind
    takes, and what they must hold, the engine decides (workflow.items.kinds); this only makes
    sure that what reaches it is that shape and storable."""
    if name not in data:
        return MISSING
    value = data[name]
    if not isinstance(value, dict):
        raise invalid(f"Trường “{name}” phải là một đối tượng JSON.", field=name)
    if len(value) > MAX_FORM_KEYS:
        raise invalid(f"Trường “{name}” có quá nhiều mục.", field=name)
    clean: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, list):
            if len(item) > MAX_FORM_ROWS:
                raise invalid(f"Trường “{name}”: quá nhiều dòng.", field=name)
            clean[_form_key(key, name)] = [_form_row(row, name) for row in item]
        else:
            clean[_form_key(key, name)] = _form_scalar(item, name)
    return clean
