"""The search page, saved searches and notifications in the browser."""

from __future__ import annotations

from django.template.loader import render_to_string

from foia.models import Visibility
from search.models import SavedSearch
from tests.search.factories import make_published, make_request


def test_an_empty_search_page_shows_the_syntax_help(client, backend, reporter):
    client.force_login(reporter)
    page = client.get("/search/").content.decode()
    assert "How to search" in page
    assert "agency:ICE" in page
    assert "matching page" not in page


def test_results_are_grouped_by_document_with_links_to_the_pages(
    client, releases, editor
):
    client.force_login(editor)
    response = client.get("/search/", {"q": "force"})
    assert response.status_code == 200
    page = response.content.decode()
    document = releases["misconduct"]
    assert "1–2 of 2 matching pages" in page
    assert page.count("OPR case file") == 1
    assert f'href="/documents/{document.pk}/pages/1/?q=force"' in page
    assert f'href="/documents/{document.pk}/pages/2/?q=force"' in page
    assert "use of <mark>force</mark>" in page


def test_exact_counts_are_shown_as_they_are(client, releases, editor):
    client.force_login(editor)
    page = client.get("/search/", {"q": "force OR budget"}).content.decode()
    assert "1–3 of 3 matching pages" in page
    assert "of about" not in page
    assert "≈" not in page and "Counts are estimated" not in page


def test_estimated_counts_are_shown_as_approximate(
    client, estimated_counts, releases, editor
):
    client.force_login(editor)
    page = client.get("/search/", {"q": "force OR budget"}).content.decode()
    assert "1–3 of about 3 matching pages" in page
    assert '<span class="count" title="About 3, estimated">≈3</span>' in page
    assert (
        "Counts are estimated from a sample of the matching pages; a value on only"
        " a few of them may not be listed." in page
    )


def test_facets_link_to_narrower_searches(client, releases, editor):
    client.force_login(editor)
    page = client.get("/search/", {"q": "force OR budget"}).content.decode()
    assert "Exemption" in page and "(b)(7)(C)" in page
    assert "/search/?q=force+OR+budget&amp;exemption=b7c" in page
    narrowed = client.get(
        "/search/", {"q": "force OR budget", "exemption": "b7c"}
    ).content.decode()
    assert "1–1 of 1 matching page" in narrowed
    assert "exemption: b7c ✕" in narrowed


def test_paging_and_sorting_links(client, backend, reporter):
    make_published(
        [f"Memo {n} about the warden." for n in range(1, 46)],
        request=make_request(reporter),
    )
    client.force_login(reporter)
    first = client.get("/search/", {"q": "warden"}).content.decode()
    assert "1–20 of 45 matching pages" in first
    assert "Page 1 of 3" in first
    assert 'href="/search/?q=warden&amp;page=2" rel="next"' in first
    assert 'href="/search/?q=warden&amp;sort=date"' in first
    third = client.get("/search/", {"q": "warden", "page": 3}).content.decode()
    assert "41–45 of 45" in third
    by_date = client.get("/search/", {"q": "warden", "sort": "date"}).content.decode()
    assert "<strong>newest</strong>" in by_date


def test_a_malformed_query_shows_a_message_not_an_error_page(client, releases, editor):
    client.force_login(editor)
    response = client.get("/search/", {"q": '"use of force'})
    assert response.status_code == 200
    assert "quotation mark is not closed" in response.content.decode()


def test_search_within_one_document(client, releases, editor):
    client.force_login(editor)
    document = releases["misconduct"]
    page = client.get(
        "/search/", {"q": "force OR surveillance", "document": document.pk}
    ).content.decode()
    assert "Search in “OPR case file”" in page
    assert "of 2 matching pages" in page
    assert "search everything instead" in page
    form = render_to_string(
        "search/_within_document.html", {"document": document, "query": "force"}
    )
    assert f'name="document" value="{document.pk}"' in form
    assert 'action="/search/"' in form


def test_save_a_search_and_see_its_notifications(client, backend, reporter):
    client.force_login(reporter)
    response = client.post(
        "/search/saved/",
        {"q": "autopsy", "name": "Autopsies", "agency": "FBI", "next": "/search/?q=x"},
    )
    assert response.status_code == 302 and response["Location"] == "/search/?q=x"
    saved = SavedSearch.objects.get(user=reporter)
    assert saved.query == "autopsy" and saved.filters == {"agency": ["FBI"]}

    make_published(
        ["The autopsy was delayed."],
        request=make_request(reporter, agency_slug="fbi"),
        title="Medical examiner letter",
    )
    page = client.get("/search/").content.decode()
    assert "New pages for your saved searches" in page
    assert "Medical examiner letter, page 1" in page
    assert "Your saved searches" in page and "Autopsies" in page

    client.post("/search/notifications/seen/")
    page = client.get("/search/").content.decode()
    assert "New pages for your saved searches" not in page

    client.post(f"/search/saved/{saved.pk}/delete/")
    assert not SavedSearch.objects.exists()


def test_a_malformed_saved_search_is_refused_with_a_message(client, backend, reporter):
    client.force_login(reporter)
    response = client.post("/search/saved/", {"q": "(autopsy"}, follow=True)
    assert "parenthesis" in response.content.decode()
    assert not SavedSearch.objects.exists()


def test_the_page_never_shows_what_the_user_may_not_see(
    client, backend, reporter, other_reporter
):
    private = make_request(
        reporter, title="Secret source", visibility=Visibility.PRIVATE
    )
    make_published(["The autopsy of NIGHTJAR."], request=private, title="Ledger")
    client.force_login(other_reporter)
    page = client.get("/search/", {"q": "autopsy OR nightjar"}).content.decode()
    assert "No page matches" in page
    assert "NIGHTJAR" not in page.replace("autopsy OR nightjar", "")
    assert "Ledger" not in page and "Secret source" not in page
