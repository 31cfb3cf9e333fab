"""Schema-driven fuzzing: every operation of /api/schema/, called with generated
input as an editor and as a reporter, answers without a server error and as the
schema says (status code, content type, body).

The app is called in-process through its WSGI handler, on the test database with a
small newsroom in it (``api_world``). Path parameters are either random or name
rows that exist, so the calls reach past the 404s. Bounded by the number of
examples per operation: the run takes well under two minutes.

Each operation's strategy (``operation.as_strategy``) is driven by Hypothesis here
rather than by schemathesis' pytest integration, whose lazy schemas
(``schemathesis.pytest.from_fixture``) rely on a pytest internal that pytest 9.2
no longer has; this way every operation's failures are reported together too.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Per operation and caller. API_FUZZ_EXAMPLES=500 makes a deeper run by hand.
_POSITIVE = int(os.environ.get("API_FUZZ_EXAMPLES", "30"))
EXAMPLES = {
    GenerationMode.POSITIVE: _POSITIVE,
    GenerationMode.NEGATIVE: max(1, _POSITIVE // 2),
}


@pytest.fixture
def _keep_the_test_connection():
    """As Django's test client does: the WSGI handler would otherwise close the
    connection that holds the test's transaction around each request."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _existing_rows(operation, world) -> list[dict]:
    path = operation.path
    if "{slug}" in path:
        return [{"slug": slug} for slug in world.agency_slugs]
    if path.startswith("/api/documents/{id}"):
        return [{"id": pk} for pk in world.document_ids]
    if path.startswith("/api/requests/{id}"):
        return [{"id": pk} for pk in world.request_ids]
    return []


def _fuzz(operation, mode, *, world, headers) -> None:
    strategies = [operation.as_strategy(mode)]
    strategies += [
        operation.as_strategy(mode, path_parameters=row)
        for row in _existing_rows(operation, world)
    ]

    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def call(case) -> None:
        # One savepoint a call, as a request is one transaction in production:
        # a database error in one call leaves the next ones a working connection.
        with transaction.atomic():
            case.call_and_validate(headers=headers, checks=CHECKS)

    call()


@pytest.mark.django_db
@pytest.mark.parametrize("caller", ["ed", "rita"])
def test_every_operation_answers_generated_calls_as_its_schema_says(
    api_world, caller, _keep_the_test_connection
):
    headers = api_world.headers(caller)
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, headers=headers
    )
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in EXAMPLES:
            try:
                _fuzz(operation, mode, world=api_world, headers=headers)
            except Unsatisfiable:
                continue  # no input that could be wrong: no negative calls
            except (Exception, BaseExceptionGroup) as failure:  # all reported below
                failures.append(f"{operation.label} ({mode}): {failure}")
    assert operations >= 20, "the schema lost operations"
    assert not failures, "\n\n".join(failures)
