"""Bearer tokens: POST/DELETE /auth/token, and the check every other endpoint runs first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, g, request

from webapp.api import parsing, schemas
from webapp.api.errors import ApiError, json_response
from webapp.db import session
from workflow.accounts import tokens
from workflow.core.policy import Actor

_PUBLIC_ATTR = "_api_public"
CHALLENGE = 'Bearer realm="pheduyet"'


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as needing no token (sign-in, the OpenAPI document)."""
    setattr(view, _PUBLIC_ATTR, True)
    return view


def unauthorized(message: str, *, bad_token: bool = False) -> ApiError:
    challenge = CHALLENGE + (', error="invalid_token"' if bad_token else "")
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": challenge})


def actor() -> Actor:
    """The caller, as authenticated by `authenticate` for this request."""
    return g.api_actor


def client_addr() -> str | None:
    return request.remote_addr


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate() -> None:
    """before_request: every endpoint not marked public needs a live bearer token."""
    if request.method == "OPTIONS":  # Flask's automatic answer: the allowed methods only
        return
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, _PUBLIC_ATTR, False):
        return
    token = _bearer_token()
    if token is None:
        raise unauthorized(
            "Cần đăng nhập: gửi mã truy cập trong tiêu đề “Authorization: Bearer <mã>”."
        )
    try:
        user, token_id = tokens.verify(session(), token)
    except tokens.BadCredentials as e:
        raise unauthorized(e.message, bad_token=True) from None
    g.api_actor = Actor.of(user)
    g.api_token_id = token_id


def issue_token() -> Response:
    credentials = parsing.body(schemas.TokenRequest)
    username, password = credentials.username, credentials.password
    config = current_app.config
    issued = tokens.issue(
        session(),
        username,
        password,
        hours=config.get("API_TOKEN_HOURS", tokens.DEFAULT_HOURS),
        client_addr=client_addr(),
        password_method=config.get("PASSWORD_HASH_METHOD"),
    )
    return json_response(
        {
            "token": issued.token,
            "token_type": "Bearer",
            "expires_at": issued.expires_at.isoformat() + "Z",
        },
        201,
        {"Cache-Control": "no-store"},
    )


def revoke_token() -> Response:
    tokens.revoke(session(), actor(), g.api_token_id, client_addr=client_addr())
    return Response(status=204)


def register(bp: Blueprint) -> None:
    bp.before_request(authenticate)
    bp.add_url_rule("/auth/token", "issue_token", public(issue_token), methods=["POST"])
    bp.add_url_rule("/auth/token", "revoke_token", revoke_token, methods=["DELETE"])
