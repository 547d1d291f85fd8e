"""The API's bodies are pydantic models (webapp.api.schemas): the OpenAPI document's schemas
are generated from them and requests are read through them, with Vietnamese 400s."""

from __future__ import annotations

import pytest

from tests.api.conftest import API, error_of
from webapp.api import schemas
from workflow.items import kinds


def test_the_documents_schemas_are_the_models(client):
    found = client.get(f"{API}/openapi.json").get_json()["components"]["schemas"]
    for model in (*schemas.REQUESTS, *schemas.RESPONSES):
        assert list(found[model.__name__]["properties"]) == list(model.model_fields)
    # A kind's fields are described by the kind's own model, the one the engine validates with.
    data = found["DeliverableEdit"]["properties"]["data"]
    assert [o["$ref"].rsplit("/", 1)[1] for o in data["anyOf"]] == [
        kinds.KINDS[k].data.__name__ for k in kinds.KINDS
    ]
    # OpenAPI 3.0: a null is `nullable`, never JSON Schema's {"type": "null"} or `const`.
    assert not list(_nulls(found))


def _nulls(schema):
    if isinstance(schema, dict):
        if schema.get("type") == "null" or "const" in schema:
            yield schema
        for value in schema.values():
            yield from _nulls(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _nulls(value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"title": "x"}, "Thiếu trường “task_id”."),
        ({"task_id": "1", "title": "x"}, "Trường “task_id” phải là số nguyên."),
        ({"task_id": True, "title": "x"}, "Trường “task_id” phải là số nguyên."),
        ({"task_id": -1, "title": "x"}, "Trường “task_id” phải trong khoảng 0–2147483647."),
        ({"task_id": 1, "title": "x" * 501}, "Trường “title” không quá 500 ký tự."),
        ({"task_id": 1, "title": "a\x00"}, "Trường “title” chứa ký tự không hợp lệ."),
        ({"task_id": 1, "title": "x", "kind": "z"}, "Trường “kind” phải là một trong: "
         "document, steering_committee, regulation, nominations, periodic_report."),
        ({"task_id": 1, "title": "x", "due_date": "2025-02-31"},
         "Trường “due_date” không phải một ngày có thật."),
        ({"task_id": 1, "title": "x", "due_date": "31/12/2025"},
         "Trường “due_date” phải là ngày dạng YYYY-MM-DD."),
        ({"task_id": 1, "title": "x", "data": []}, "Trường “data” phải là một đối tượng JSON."),
        ({"task_id": 1, "title": "x", "data": {"a": 1}},
         "Trường “data”: mỗi ô phải là chuỗi ký tự (hoặc null)."),
        ({"task_id": 1, "title": "x", "wat": 1}, "Trường không được hỗ trợ: wat."),
        ({"task_id": 1, "title": "x", "kind": "regulation", "data": {"effective_date": "x"}},
         "Ngày có hiệu lực: ngày không hợp lệ."),
    ],
)  # fmt: skip
def test_a_bad_body_is_a_400_in_vietnamese_naming_the_field(client, bearer, body, message):
    r = client.post(f"{API}/deliverables", headers=bearer("vp.chuyenvien"), json=body)
    assert r.status_code == 400 and error_of(r) == "invalid_input"
    assert r.get_json()["message"] == message


def test_absent_and_null_differ_on_an_edit(client, bearer, draft_id):
    url = f"{API}/deliverables/{draft_id}"
    before = client.get(url, headers=bearer("vp.chuyenvien")).get_json()
    r = client.patch(url, headers=bearer("vp.chuyenvien"), json={"body": None})
    assert r.status_code == 200 and r.get_json()["title"] == before["title"]
    r = client.patch(url, headers=bearer("vp.chuyenvien"), json={"title": None})
    assert r.status_code == 400 and r.get_json()["message"] == "Trường “title” phải là chuỗi ký tự."
    r = client.post(f"{API}/deliverables/{draft_id}/votes", headers=bearer("khtc.chuyenvien"),
                    json={"in_favour": 1})  # fmt: skip
    assert r.status_code == 400
    assert r.get_json()["message"] == "Trường “in_favour” phải là true hoặc false."
