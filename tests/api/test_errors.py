"""Every API error is JSON with a readable ``detail``; invalid input names the field.

And the schema at /api/schema/ describes every endpoint under /api/.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from accounts.services import api_token_create
from config.api import NotFoundView

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _signed_in(api: APIClient, user) -> APIClient:
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {api_token_create(user=user, name='t')[1]}"
    )
    return api


def _error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"].strip(), body
    return body


def test_no_credentials_and_a_revoked_token_answer_401(api):
    _error(api.get("/api/requests/"), 401)
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    body = _error(api.get("/api/desk/"), 401)
    assert "unknown or revoked" in body["detail"]


def test_what_the_role_forbids_answers_403_saying_why(api, researcher):
    body = _error(
        _signed_in(api, researcher).post(
            "/api/requests/", {"title": "x"}, format="json"
        ),
        403,
    )
    assert "file" in body["detail"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/requests/987654/"),
        ("get", "/api/requests/not-a-number/"),
        ("get", "/api/documents/987654/pages/"),
        ("get", "/api/agencies/no-such-agency/"),
        ("get", "/api/no-such-endpoint/"),
        ("post", "/api/no-such-endpoint/"),
        ("get", "/api/requests/?page=99"),
    ],
)
def test_what_is_not_there_answers_404_in_json(api, reporter, method, path):
    _error(getattr(_signed_in(api, reporter), method)(path), 404)


def test_an_address_without_its_final_slash_is_named_with_it(api, reporter):
    body = _error(_signed_in(api, reporter).get("/api/requests"), 404)
    assert "use /api/requests/" in body["detail"]


def test_a_method_an_endpoint_lacks_answers_405(api, editor):
    _error(_signed_in(api, editor).delete("/api/agencies/ice/"), 405)


def test_a_body_that_is_not_json_answers_400_and_another_media_type_415(api, reporter):
    signed_in = _signed_in(api, reporter)
    body = _error(
        signed_in.generic(
            "POST", "/api/requests/", "{not json", content_type="application/json"
        ),
        400,
    )
    assert "JSON" in body["detail"]
    _error(
        signed_in.generic("POST", "/api/requests/", "x", content_type="text/csv"),
        415,
    )


@pytest.mark.parametrize(
    "method, path, data, field",
    [
        ("post", "/api/requests/", {"body": "Records."}, "title"),
        (
            "post",
            "/api/requests/",
            {"title": "T", "body": "B", "agency": "x"},
            "agency",
        ),
        ("get", "/api/requests/?due_within=many", None, "due_within"),
        ("get", "/api/requests/?agency=%00", None, "agency"),
        ("get", "/api/documents/?request=abc", None, "request"),
        ("get", "/api/documents/?request=99999999999999999999999", None, "request"),
        ("post", "/api/documents/", {"languages": "eng"}, "file"),
        ("patch", "/api/agencies/ice/", {"jurisdiction": "US\x00"}, "jurisdiction"),
    ],
)
def test_invalid_input_answers_400_naming_the_field(
    api, editor, method, path, data, field
):
    call = getattr(_signed_in(api, editor), method)
    if path.startswith("/api/documents/") and method == "post":
        response = call(path, data, format="multipart")
    else:
        response = call(path, data, format="json") if data else call(path)
    body = _error(response, 400)
    assert body["detail"].startswith(f"{field}: "), body
    assert body[field], body


# --- The schema -------------------------------------------------------------------


def _api_routes(patterns, prefix: str = ""):
    """(route, view) of every URL pattern, with the routes of includes joined."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def _openapi_path(route: str) -> str:
    # drf-spectacular names a primary key "id".
    path = re.sub(r"<(?:\w+:)?pk>", "{id}", route)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)


def test_the_schema_describes_every_endpoint_under_api(api, reporter):
    schema = _signed_in(api, reporter).get("/api/schema/?format=json").json()
    endpoints = {
        _openapi_path(route)
        for route, view in _api_routes(get_resolver().url_patterns)
        if route.startswith("api/")
        and route not in ("api/schema/",)
        and getattr(view, "cls", None) is not NotFoundView
    }
    assert endpoints == set(schema["paths"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], (method, path)
            assert operation["responses"]["401"]["content"]["application/json"]
