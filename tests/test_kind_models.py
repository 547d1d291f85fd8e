"""One pydantic model per deliverable kind is the one description of its fields: the
validation, the page form's fields and the API's schema all come from it."""

from __future__ import annotations

import pytest

from models import DELIVERABLE_KINDS
from tests.helpers import COMPLETE_DATA
from webapp.api.openapi import components
from workflow.core.errors import InvalidInput
from workflow.items import kinds


def test_every_database_kind_has_its_model_module_in_the_databases_order():
    assert tuple(kinds.KINDS) == DELIVERABLE_KINDS
    assert all(kinds.KINDS[k].label for k in DELIVERABLE_KINDS)


@pytest.mark.parametrize("kind", DELIVERABLE_KINDS)
def test_the_form_the_validation_and_the_api_schema_name_the_same_fields(kind):
    model = kinds.KINDS[kind].data
    form = [f.name for f in kinds.form_fields(kind)]
    schema = components()[model.__name__]
    assert form == list(model.model_fields) == list(schema.get("properties", {}))
    assert set(kinds.clean_data(kind, {})) == set(form)  # every field present once cleaned
    assert schema["additionalProperties"] is False  # unknown keys refused, as clean_data does


def test_a_fields_limit_is_the_forms_the_validations_and_the_schemas():
    [number] = [f for f in kinds.form_fields("steering_committee") if f.name == "decision_number"]
    schema = components()["SteeringCommitteeData"]["properties"]["decision_number"]
    assert number.max_length == schema["maxLength"] == 80
    kinds.clean_data("steering_committee", {"decision_number": "x" * 80})
    with pytest.raises(InvalidInput, match="Số quyết định: không quá 80 ký tự"):
        kinds.clean_data("steering_committee", {"decision_number": "x" * 81})


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("steering_committee", {"members": "x"}, "Thành viên: phải là danh sách."),
        ("steering_committee", {"members": [{"committee_role": "vua"}]},
         "Thành viên 1: vai trò không hợp lệ."),
        ("steering_committee", {"members": [{}, {"position": "x" * 201}]},
         "Thành viên 2: chức vụ: không quá 200 ký tự."),
        ("steering_committee", {"decision_date": "31/02/2025"},
         "Ngày quyết định: ngày không hợp lệ."),
        ("steering_committee", {"decision_date": "2025-02-011"},
         "Ngày quyết định: không quá 10 ký tự."),
        ("regulation", {"effective_date": "2025-02-31"}, "Ngày có hiệu lực: ngày không hợp lệ."),
        ("nominations", {"entries": [{"type": "x"}]}, "Dòng 1: loại đề nghị không hợp lệ."),
        ("nominations", {"entries": [{}] * 201}, "Danh sách đề nghị: không quá 200 dòng."),
        ("periodic_report", {"done": 5}, "Công việc đã thực hiện: phải là văn bản."),
        ("document", {"done": ""}, "Trường không hợp lệ cho loại này: done."),
        ("document", [], "Dữ liệu của sản phẩm phải là một đối tượng."),
    ],
)  # fmt: skip
def test_refusals_keep_the_engines_words(kind, data, message):
    with pytest.raises(InvalidInput) as refused:
        kinds.clean_data(kind, data)
    assert refused.value.message == message


def test_cleaning_strips_defaults_and_drops_empty_rows():
    clean = kinds.clean_data(
        "nominations",
        {"entries": [{"type": None, "name": "  A  "}, {"type": "collective", "unit": None}]},
    )
    assert clean == {
        "entries": [
            {"type": "individual", "name": "A", "unit": "", "model_name": "",
             "achievements": "", "proposed_form": ""}
        ]
    }  # fmt: skip
    for kind, data in COMPLETE_DATA.items():
        assert kinds.clean_data(kind, data) == kinds.clean_data(kind, kinds.clean_data(kind, data))
