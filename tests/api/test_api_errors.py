"""Errors are JSON under /api/ (404, 405, 413, bad JSON), and only there."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.exceptions import HTTPException

from tests.api.conftest import API, error_of
from webapp import api


def test_unknown_api_path_is_a_json_404(client, bearer):
    for path in ["/nothing", "/tasks/1/nothing", "/tasks/abc", "/tasks/-1"]:
        r = client.get(API + path, headers=bearer("giamdoc"))
        assert r.status_code == 404 and error_of(r) == "not_found", path
    r = client.get("/api/v2/tasks")
    assert r.status_code == 404 and error_of(r) == "not_found"


def test_wrong_method_is_a_json_405_with_allow(client, bearer):
    r = client.put(f"{API}/tasks", headers=bearer("giamdoc"))
    assert r.status_code == 405 and error_of(r) == "method_not_allowed"
    assert "GET" in r.headers["Allow"]
    r = client.delete(f"{API}/deliverables/1")
    assert r.status_code == 405 and "PATCH" in r.headers["Allow"]


def test_a_body_over_the_limit_is_a_json_413(app, client, bearer, filled_id):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    r = client.patch(f"{API}/deliverables/{filled_id}", headers=bearer("vp.chuyenvien"),
                     json={"body": "x" * 2000})  # fmt: skip
    assert r.status_code == 413 and error_of(r) == "payload_too_large"
    r = client.post(f"{API}/auth/token", json={"username": "x" * 2000, "password": "y"})
    assert r.status_code == 413 and error_of(r) == "payload_too_large"


def test_bodies_that_are_not_a_json_object_are_400(client, bearer, draft_id):
    headers = bearer("vp.chuyenvien")
    url = f"{API}/deliverables/{draft_id}"
    for data in ["", "{", "[]", "null", '"text"', "[" * 5000 + "]" * 5000, b"\xff\xfe"]:
        r = client.patch(url, headers=headers, data=data, content_type="application/json")
        assert r.status_code == 400 and error_of(r) == "invalid_json", data[:10]


def test_responses_are_utf8_json_and_not_cached(client, bearer):
    r = client.get(f"{API}/tasks/1", headers=bearer("giamdoc"))
    assert r.mimetype == "application/json"
    assert "Văn phòng Sở".encode() in r.data  # Vietnamese as is, not \\u escapes
    assert r.headers["Cache-Control"] == "no-store"


def test_pages_outside_the_api_keep_their_own_errors(client):
    r = client.get("/no-such-page")
    assert r.status_code in (302, 401, 404)
    assert not r.is_json


@pytest.mark.parametrize("pages_first", [True, False])
def test_non_api_paths_keep_the_pages_error_handler(tmp_path, pages_first):
    """The HTML side's handlers apply outside /api/, whichever was registered first."""
    app = Flask(__name__, instance_path=str(tmp_path))

    def page(e):
        return f"<h1>Trang lỗi {e.code}</h1>", e.code

    if pages_first:
        app.register_error_handler(HTTPException, page)
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    if not pages_first:
        app.register_error_handler(HTTPException, page)
    app.add_url_rule("/only-get", "only_get", lambda: "ok")
    client = app.test_client()
    r = client.get("/somewhere")
    assert r.status_code == 404 and r.data.decode() == "<h1>Trang lỗi 404</h1>"
    r = client.post("/only-get")
    assert r.status_code == 405 and r.data.decode() == "<h1>Trang lỗi 405</h1>"
    r = client.get("/api/v1/somewhere")
    assert r.status_code == 404 and error_of(r) == "not_found"
    r = client.put("/api/v1/openapi.json")
    assert r.status_code == 405 and error_of(r) == "method_not_allowed"


def test_an_unexpected_error_is_a_json_500_even_if_the_pages_handle_exception(tmp_path):
    app = Flask(__name__, instance_path=str(tmp_path))
    app.register_error_handler(Exception, lambda e: ("<h1>Lỗi</h1>", 500))
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    r = app.test_client().get("/api/v1/tasks", headers={"Authorization": "Bearer x"})
    assert r.status_code == 500 and error_of(r) == "internal_error"  # no database here
