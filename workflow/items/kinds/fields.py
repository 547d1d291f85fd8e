"""The vocabulary a deliverable kind's pydantic model is written in.

A kind's fields (kept in `Deliverable.data`) are one pydantic model; each field carries,
besides its type and limits (`Field(max_length=…, title=…)`), a `Widget`: how the page's
form shows it and what its error messages call it. From that one model come the
validation (`clean`, with the Vietnamese messages), the form's field list (`specs`) and the
API's JSON schema (`model_json_schema`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationError,
)
from pydantic.fields import FieldInfo

from workflow.core.errors import InvalidInput

MAX_ROWS = 200
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Widget:
    """How a field is shown and named. `kind`: text, textarea, date, select or rows;
    `say`: its name in error messages when not its title; `choices`: code → label (select);
    `suggestions`: offered values (text); rows: `row` names one row in messages
    ("Dòng 2: …"), `blank`/`least` how many empty rows the form adds (at least `blank`,
    and up to `least` rows in all)."""

    kind: str = "text"
    say: str | None = None
    choices: Mapping[str, str] | None = None
    suggestions: tuple[str, ...] = ()
    row: str = "Dòng"
    blank: int = 2
    least: int = 3

    def __call__(self, schema: dict[str, Any]) -> None:
        """Pydantic's `json_schema_extra` hook: what the API document adds for the widget
        (OpenAPI 3.0: a text cell may be null, as the engine stores null as "")."""
        if self.kind in ("text", "textarea", "date"):
            schema["nullable"] = True
        if self.kind == "date":
            schema["format"] = "date"


def _empty_if_none(value: Any) -> Any:
    return "" if value is None else value


def _iso_date(value: str) -> str:
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError("date") from None


Text = Annotated[
    str, BeforeValidator(_empty_if_none), Strict(), StringConstraints(strip_whitespace=True)
]
IsoDate = Annotated[Text, Field(max_length=10), AfterValidator(_iso_date)]


def text(title: str, max_length: int = MAX_TEXT, widget: Widget | None = None) -> Any:
    """A text field (None is stored as ""), stripped, at most `max_length` characters."""
    return Field("", title=title, max_length=max_length, json_schema_extra=widget or Widget())


def day(title: str) -> Any:
    """A date typed by people as dd/mm/yyyy on the page, stored ISO (YYYY-MM-DD) or ""."""
    return Field("", title=title, json_schema_extra=Widget("date"))


def choice(title: str, choices: Mapping[str, str], default: str, say: str) -> Any:
    """One of `choices` (code → label); empty means `default`."""
    return Field(default, title=title, json_schema_extra=Widget("select", say, choices))


def rows(title: str, say: str, row: str, *, blank: int, least: int) -> Any:
    """A list of rows (a row model); rows left empty are dropped."""
    widget = Widget("rows", say=say, row=row, blank=blank, least=least)
    return Field(default_factory=list, title=title, max_length=MAX_ROWS, json_schema_extra=widget)


class KindData(BaseModel):
    """A kind's own fields: unknown keys refused, every field optional (filled by the
    author over several saves; `Kind.lacks` says what submitting needs)."""

    model_config = ConfigDict(extra="forbid")


class Row(BaseModel):
    """One row of a list field; keys it does not name are ignored, as a form would."""

    model_config = ConfigDict(extra="ignore")

    def filled(self) -> bool:
        return any(
            getattr(self, name)
            for name, info in type(self).model_fields.items()
            if widget_of(info).kind != "select"
        )


def widget_of(info: FieldInfo) -> Widget:
    extra = info.json_schema_extra
    return extra if isinstance(extra, Widget) else Widget()


def Choice(choices: Mapping[str, str], default: str) -> Any:  # noqa: N802 (a type)
    """The type of a `choice` field: one of the codes; empty (None, "") means `default`."""
    return Annotated[Literal[tuple(choices)], BeforeValidator(lambda v: v or default)]


def _filled_rows(value: list[Row]) -> list[Row]:
    return [row for row in value if row.filled()]


def Rows(row: type[Row]) -> Any:  # noqa: N802 (a type)
    """The type of a `rows` field: a list of `row`, None meaning none, empty rows dropped."""
    return Annotated[
        list[row],
        BeforeValidator(lambda v: [] if v is None else v),
        AfterValidator(_filled_rows),
    ]


# --- validation with the engine's messages --------------------------------------------------


def _say(info: FieldInfo) -> str:
    return widget_of(info).say or info.title or ""


def _message(model: type[BaseModel], error: Mapping[str, Any]) -> str:
    """One pydantic error in the words the engine has always used."""
    loc, kind = error["loc"], error["type"]
    info = model.model_fields[str(loc[0])]
    label = _say(info)
    if len(loc) >= 2 and isinstance(loc[1], int):  # inside a row
        widget = widget_of(info)
        if len(loc) == 2:
            return f"{label}: phải là danh sách."
        row_model = info.annotation.__args__[0]  # list[Row]
        info = row_model.model_fields[str(loc[2])]
        label = f"{widget.row} {loc[1] + 1}: {_say(info)}"
    widget = widget_of(info)
    if widget.kind == "select":
        return f"{label} không hợp lệ."
    if widget.kind == "rows":
        if kind == "too_long":
            return f"{label}: không quá {MAX_ROWS} dòng."
        return f"{label}: phải là danh sách."
    if kind in ("string_too_long", "too_long"):
        return f"{label}: không quá {error['ctx']['max_length']} ký tự."
    if kind == "value_error" and widget.kind == "date":
        return f"{label}: ngày không hợp lệ."
    return f"{label}: phải là văn bản."


def clean(model: type[KindData], data: Any) -> dict[str, Any]:
    """`data` validated by `model` and normalised (every field present, empty rows
    dropped); InvalidInput with the first problem, in Vietnamese."""
    if not isinstance(data, dict):
        raise InvalidInput("Dữ liệu của sản phẩm phải là một đối tượng.")
    unknown = set(data) - set(model.model_fields)
    if unknown:
        raise InvalidInput(f"Trường không hợp lệ cho loại này: {', '.join(sorted(unknown))}.")
    try:
        return model.model_validate(data).model_dump()
    except ValidationError as e:
        raise InvalidInput(_message(model, e.errors()[0])) from None


# --- the form's field list ---------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One field as the page's form shows it."""

    name: str
    title: str
    widget: Widget
    max_length: int | None = None
    columns: tuple[Spec, ...] = ()  # a rows field: its row's fields


def _max_length(info: FieldInfo) -> int | None:
    return next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)


def specs(model: type[BaseModel]) -> tuple[Spec, ...]:
    found = []
    for name, info in model.model_fields.items():
        widget = widget_of(info)
        columns = specs(info.annotation.__args__[0]) if widget.kind == "rows" else ()
        limit = (
            None
            if widget.kind == "rows"
            else _max_length(info) or (10 if widget.kind == "date" else None)
        )
        found.append(Spec(name, info.title or name, widget, limit, columns))
    return tuple(found)


@dataclass(frozen=True)
class Kind:
    """A deliverable kind: its label, its fields, what submitting needs.

    `body`: what a missing body is called in the completeness check (None: no body needed);
    `files`: files the kind asks for by name (purpose → label); `lacks(data)`: the kind's
    own completeness rules; `vocabulary`: named code lists its templates show."""

    name: str
    label: str
    data: type[KindData]
    body: str | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    lacks: Callable[[dict[str, Any]], Iterable[str]] = lambda data: ()
    vocabulary: Mapping[str, Any] = field(default_factory=dict)
