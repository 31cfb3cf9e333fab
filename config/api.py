"""What every endpoint under /api/ shares: errors as JSON with a readable ``detail``.

- ``exception_handler`` (DRF's ``EXCEPTION_HANDLER``): DRF's own handler, plus the
  services' Django ``ValidationError`` and ``PermissionDenied``; every error body
  gets a ``detail`` sentence, and invalid input keeps each field's messages under
  the field's name (``{"detail": "title: This field is required.", "title": [...]}``).
- ``NotFoundView``: the answer for an address under /api/ that names no endpoint.
- ``document_error_responses`` (a drf-spectacular postprocessing hook): the error
  answers every operation may give, described in the OpenAPI schema.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import Resolver404, resolve
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler


def _django_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if name == "__all__" else name): messages
            for name, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def first_message(data) -> str:
    """The first error message in DRF's error data, prefixed by its field's name."""
    if isinstance(data, dict):
        for name, value in data.items():
            text = first_message(value)
            if text:
                return text if name == "non_field_errors" else f"{name}: {text}"
        return ""
    if isinstance(data, list):
        return next((text for text in map(first_message, data) if text), "")
    return str(data)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_errors(exc))
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(str(exc.args[0]))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(response.data, list):
        response.data = {
            "detail": first_message(response.data),
            "non_field_errors": response.data,
        }
    elif isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": first_message(response.data), **response.data}
    return response


def _is_endpoint(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return getattr(match.func, "cls", None) is not NotFoundView


class NotFoundView(APIView):
    """Whatever is asked of an address under /api/ that no endpoint took: 401
    without credentials, as everywhere in the API, else 404."""

    schema = None  # not an endpoint: left out of the OpenAPI schema

    def not_found(self, request: Request, *args, **kwargs) -> Response:
        path = request.path
        if not path.endswith("/") and _is_endpoint(path + "/"):
            raise exceptions.NotFound(f"No API endpoint at {path}; use {path}/.")
        raise exceptions.NotFound(
            f"No API endpoint at {path}. The endpoints are described at /api/schema/."
        )

    get = post = put = patch = delete = options = not_found


ERROR_SCHEMA = {
    "type": "object",
    "description": "An error. `detail` says what went wrong; for invalid input, "
    "each field at fault also has its messages under its own name.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": True,
}
_ERRORS = {
    "400": "Invalid input: `detail` names the first field at fault.",
    "401": "No valid credentials were given.",
    "403": "You may not do this.",
    "404": "Not found, or not visible to you.",
    "415": "The request body's media type is not accepted.",
}


def document_error_responses(result, generator, request, public):
    """Add the error answers DRF gives to every operation that does not name them:
    400 where there is input, 401 and 403 everywhere, 404 for a row that does not
    exist or a page past a list's end, 415 where there is a body."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = (
        ERROR_SCHEMA
    )
    reference = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            has_body = "requestBody" in operation
            has_query = any(
                parameter.get("in") == "query"
                for parameter in operation.get("parameters", [])
            )
            codes = ["401", "403"]
            if has_body or has_query:
                codes.insert(0, "400")
            if "{" in path or has_query:
                codes.append("404")
            if has_body:
                codes.append("415")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code,
                    {
                        "description": _ERRORS[code],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
