"""GET /api/search/."""

from __future__ import annotations

from foia.models import Visibility
from tests.search.factories import make_published, make_request


def test_anonymous_callers_are_refused(client, releases):
    response = client.get("/api/search/", {"q": "force"})
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_search_returns_hits_facets_and_documents(client, releases, editor):
    client.force_login(editor)
    response = client.get("/api/search/", {"q": "force"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2 and body["total_exact"] is True
    assert {hit["page"] for hit in body["hits"]} == {1, 2}
    assert set(body["hits"][0]) == {"document_id", "page", "score", "snippet"}
    assert "<mark>force</mark>" in body["hits"][0]["snippet"]
    assert body["documents"] == [
        {
            "document_id": releases["misconduct"].pk,
            "title": "OPR case file",
            "request_id": releases["misconduct"].request_id,
            "request_title": "Misconduct files",
            "agency": "ICE OPR",
            "pages": [hit["page"] for hit in body["hits"]],
        }
    ]
    assert {"agency", "request", "year", "exemption", "source"} == set(body["facets"])
    assert body["page"] == 1 and body["num_pages"] == 1 and body["took_ms"] >= 0


def test_an_estimated_total_is_marked_not_exact(
    client, estimated_counts, releases, editor
):
    client.force_login(editor)
    body = client.get("/api/search/", {"q": "force"}).json()
    assert body["total"] == 2 and body["total_exact"] is False
    assert {hit["page"] for hit in body["hits"]} == {1, 2}


def test_filters_and_paging_as_parameters(client, releases, editor):
    client.force_login(editor)
    body = client.get(
        "/api/search/", {"q": "", "agency": "ICE", "exemption": ["b6", "b7c"]}
    ).json()
    assert body["total"] == 2
    second = client.get(
        "/api/search/", {"q": "agency:ICE", "per_page": 3, "page": 2}
    ).json()
    assert second["total"] == 4 and len(second["hits"]) == 1
    assert second["num_pages"] == 2
    within = client.get(
        "/api/search/", {"q": "force", "document": releases["inspections"].pk}
    ).json()
    assert within["total"] == 0


def test_results_are_filtered_for_the_caller(client, backend, reporter, other_reporter):
    private = make_request(reporter, title="Private", visibility=Visibility.PRIVATE)
    make_published(["vendor invoices"], request=private)
    client.force_login(other_reporter)
    body = client.get("/api/search/", {"q": "vendor"}).json()
    assert body["total"] == 0 and body["hits"] == [] and body["documents"] == []


def test_a_malformed_query_is_a_400_with_a_readable_detail(client, releases, editor):
    client.force_login(editor)
    response = client.get("/api/search/", {"q": '"use of force'})
    assert response.status_code == 400
    assert "quotation mark is not closed" in response.json()["detail"]
    response = client.get("/api/search/", {"q": "force", "year": "soon"})
    assert response.status_code == 400
    assert "four-digit year" in response.json()["detail"]
    response = client.get("/api/search/")
    assert response.status_code == 400


def test_the_endpoint_is_in_the_openapi_schema(client, editor, db):
    client.force_login(editor)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/search/" in text
    assert "total_exact" in text and "estimated from a sample" in text
    assert "operationId: search" in text or '"operationId": "search"' in text


def test_odd_ids_and_nul_characters_get_answers_not_server_errors(
    client, releases, editor
):
    client.force_login(editor)
    superscript_two = "\u00b2"
    for params in (
        {"q": "x", "document": superscript_two},
        {"q": "x", "request": superscript_two},
        {"q": "x", "agency": superscript_two},
        {"q": f"agency:{superscript_two}"},
        {"q": "x", "agency": "\x00"},
        {"q": "x", "request": "9" * 40},
    ):
        response = client.get("/api/search/", params)
        assert response.status_code in (200, 400), params
        assert "detail" in response.json() or "total" in response.json()
        page = client.get("/search/", params)
        assert page.status_code == 200, params
    # Each search that ran is in the access log (the API refuses a document id
    # that is not one before searching), NUL characters dropped.
    from accounts.models import AccessLog

    logged = list(AccessLog.objects.filter(action="search"))
    assert len(logged) == 11
    assert all("\x00" not in repr(entry.filters) for entry in logged)
