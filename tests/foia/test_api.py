"""/api/requests/ and /api/agencies/: the same services and checks as the pages."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from foia.models import Agency, FoiaRequest, Status, Visibility
from tests.foia.builders import RESPONSE_DUE, events

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def as_user(api: APIClient, user) -> APIClient:
    api.force_authenticate(user)
    return api


NEW_REQUEST = {
    "title": "CBP summonses to social media companies",
    "body": "Every summons issued under 19 U.S.C. 1509 since 2017.",
    "agency": "cbp",
    "filed_on": "2025-03-03",
    "tags": ["cbp", "surveillance"],
    "fee_waiver": "requested",
    "visibility": "newsroom",
    "tracking_number": "CBP-2025-77",
}


def test_create_files_the_request_through_the_service(api, reporter):
    response = as_user(api, reporter).post("/api/requests/", NEW_REQUEST, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    request = FoiaRequest.objects.get(pk=body["id"])
    assert body["requester"] == "rita"
    assert body["status"] == "submitted"
    assert body["response_due"] == RESPONSE_DUE.isoformat()
    assert body["current_due"] == "2025-03-31"
    assert body["tags"] == ["cbp", "surveillance"]
    assert body["tracking_numbers"][0]["number"] == "CBP-2025-77"
    assert body["url"].endswith(f"/requests/{request.pk}/")
    assert [e.kind for e in events(request)] == ["created", "tracking", "deadline"]


def test_researcher_cannot_create(api, researcher):
    response = as_user(api, researcher).post("/api/requests/", {}, format="json")

    assert response.status_code == 403
    assert "file nothing" in response.json()["detail"]
    assert not FoiaRequest.objects.exists()


def test_create_with_bad_dates_names_the_field(api, reporter):
    data = {**NEW_REQUEST, "received_on": "2025-03-01"}

    response = as_user(api, reporter).post("/api/requests/", data, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["received_on"] == [
        "Received (2025-03-01) cannot be before filed (2025-03-03)."
    ]
    assert body["detail"].startswith("received_on: Received (2025-03-01)")


def test_create_with_missing_fields_answers_with_detail(api, reporter):
    response = as_user(api, reporter).post(
        "/api/requests/", {"title": "x"}, format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert "body" in body and "agency" in body
    assert body["detail"]


def test_list_and_filters(api, file_request, reporter, cbp):
    file_request(title="ICE one", tags=["ice"])
    file_request(title="CBP one", agency=cbp)
    file_request(title="Draft", filed_on=None)
    client = as_user(api, reporter)

    everything = client.get("/api/requests/").json()
    assert everything["count"] == 3

    def found(query: str) -> list[str]:
        return sorted(r["title"] for r in client.get(query).json()["results"])

    assert found("/api/requests/?agency=dhs") == ["CBP one", "Draft", "ICE one"]
    assert found("/api/requests/?agency=cbp") == ["CBP one"]
    assert found("/api/requests/?tag=ice") == ["ICE one"]
    assert found("/api/requests/?status=draft") == ["Draft"]
    assert found("/api/requests/?status=open&status=draft") == [
        "CBP one",
        "Draft",
        "ICE one",
    ]
    overdue = client.get("/api/requests/?overdue=true").json()["results"]
    assert {r["title"] for r in overdue} == {"ICE one", "CBP one"}


def test_list_query_count_does_not_grow_with_rows(
    api, file_request, reporter, other_reporter, django_assert_max_num_queries
):
    def file_some(prefix: str, count: int) -> None:
        for number in range(count):
            request = file_request(
                title=f"{prefix} {number}",
                tags=["a", "b"],
                tracking_number=f"{prefix}-{number}",
            )
            request.collaborators.add(other_reporter)

    as_user(api, reporter)
    file_some("few", 2)
    api.get("/api/requests/")  # the forced user keeps its roles once read
    with django_assert_max_num_queries(30) as few:
        assert len(api.get("/api/requests/").json()["results"]) == 2
    file_some("many", 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get("/api/requests/").json()["results"]) == 14


def test_list_rejects_unknown_filters_readably(api, reporter):
    response = as_user(api, reporter).get("/api/requests/?agency=nope&due_within=x")

    assert response.status_code == 400
    body = response.json()
    assert body["agency"] == ["No agency 'nope'."]
    assert "due_within" in body and body["detail"]


def test_retrieve_and_update(api, file_request, reporter):
    request = file_request()
    client = as_user(api, reporter)

    assert client.get(f"/api/requests/{request.pk}/").json()["title"] == request.title
    response = client.patch(
        f"/api/requests/{request.pk}/",
        {"title": "Narrower", "received_on": "2025-03-10", "tags": ["a"]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Narrower"
    assert response.json()["response_due"] == "2025-04-07"
    assert response.json()["tags"] == ["a"]
    assert events(request, "edit")[-1].data["fields"] == [
        "received_on",
        "tags",
        "title",
    ]


def test_status_is_changed_through_the_lifecycle(api, file_request, reporter):
    request = file_request()
    client = as_user(api, reporter)

    ok = client.post(
        f"/api/requests/{request.pk}/transition/",
        {"to": "denied", "on": "2025-04-01", "reason": "letter"},
        format="json",
    )
    refused = client.post(
        f"/api/requests/{request.pk}/transition/", {"to": "processing"}, format="json"
    )
    ignored = client.patch(
        f"/api/requests/{request.pk}/", {"status": "done"}, format="json"
    )

    assert ok.status_code == 200 and ok.json()["status"] == "denied"
    assert ok.json()["appeal_filing_due"] == "2025-06-30"
    assert refused.status_code == 400
    assert "cannot become Processing" in refused.json()["to"][0]
    assert "cannot become Processing" in refused.json()["detail"]
    assert ignored.json()["status"] == "denied"  # status is read-only here


@pytest.mark.parametrize("who", ["other_reporter", "outsider"])
def test_someone_elses_private_request_is_not_found(api, file_request, who, request):
    private = file_request(visibility=Visibility.PRIVATE)
    client = as_user(api, request.getfixturevalue(who))

    responses = [
        client.get(f"/api/requests/{private.pk}/"),
        client.patch(f"/api/requests/{private.pk}/", {"title": "x"}, format="json"),
        client.put(f"/api/requests/{private.pk}/", NEW_REQUEST, format="json"),
        client.post(
            f"/api/requests/{private.pk}/transition/",
            {"to": "withdrawn"},
            format="json",
        ),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert all("detail" in r.json() for r in responses)
    assert client.get("/api/requests/").json()["count"] == 0
    private.refresh_from_db()
    assert private.title != "x" and private.status == Status.SUBMITTED


def test_colleague_reads_a_newsroom_request_but_cannot_change_it(
    api, file_request, other_reporter
):
    shared = file_request(visibility=Visibility.NEWSROOM)
    client = as_user(api, other_reporter)

    assert client.get(f"/api/requests/{shared.pk}/").status_code == 200
    response = client.patch(
        f"/api/requests/{shared.pk}/", {"title": "x"}, format="json"
    )
    assert response.status_code == 403
    assert "requester" in response.json()["detail"]


def test_editor_updates_anyones_request(api, file_request, editor, other_reporter):
    request = file_request()

    response = as_user(api, editor).patch(
        f"/api/requests/{request.pk}/", {"requester": "otto"}, format="json"
    )

    assert response.status_code == 200
    request.refresh_from_db()
    assert request.requester == other_reporter


def test_token_authentication_works(api, file_request, reporter):
    file_request()
    _token, key = api_token_create(user=reporter, name="scripts")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/requests/").json()["count"] == 1


def test_anonymous_gets_a_json_error(api):
    response = api.get("/api/requests/")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


# --- Agencies ----------------------------------------------------------------------


def test_agencies_list_and_retrieve(api, reporter):
    client = as_user(api, reporter)

    listing = client.get("/api/agencies/").json()
    ice = client.get("/api/agencies/ice/").json()

    assert listing["count"] == Agency.objects.count()
    assert ice["parent"] == "dhs"
    assert ice["jurisdiction"] == "US"
    assert ice["foia_email"] == "ice-foia@ice.dhs.gov"


def test_editors_add_and_change_agencies(api, editor):
    client = as_user(api, editor)

    created = client.post(
        "/api/agencies/",
        {
            "slug": "lasd",
            "name": "Los Angeles County Sheriff's Department",
            "abbreviation": "LASD",
            "jurisdiction": "US-CA",
        },
        format="json",
    )
    changed = client.patch(
        "/api/agencies/lasd/", {"phone": "213-555-0100"}, format="json"
    )
    looped = client.patch("/api/agencies/dhs/", {"parent": "ice"}, format="json")
    duplicate = client.post(
        "/api/agencies/",
        {"slug": "ice", "name": "Another", "jurisdiction": "US"},
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert changed.json()["phone"] == "213-555-0100"
    assert looped.status_code == 400 and "own parent" in looped.json()["parent"][0]
    assert duplicate.status_code == 400 and "slug" in duplicate.json()


def test_reporters_cannot_change_agencies(api, reporter):
    client = as_user(api, reporter)

    response = client.patch("/api/agencies/ice/", {"phone": "1"}, format="json")

    assert response.status_code == 403
    assert "editors" in response.json()["detail"]


def test_agency_moved_to_another_law_recomputes_its_open_requests(
    api, file_request, editor
):
    request = file_request()

    as_user(api, editor).patch("/api/agencies/ice/", {"jurisdiction": "US-CA"})

    request.refresh_from_db()
    assert request.response_due == date(2025, 3, 13)
    assert "now answers under US-CA" in events(request, "deadline")[-1].message


def test_schema_documents_the_routes(api, reporter):
    schema = as_user(api, reporter).get("/api/schema/?format=json").json()
    assert "/api/requests/" in schema["paths"]
    assert "/api/requests/{id}/transition/" in schema["paths"]
    assert "/api/agencies/{slug}/" in schema["paths"]
    assert set(schema["components"]["schemas"]["StatusEnum"]["enum"]) == set(
        Status.values
    )
