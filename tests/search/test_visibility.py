"""Nobody finds pages they may not see: not as hits, totals, facets or snippets."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

import search
from documents.models import DocumentLink
from foia import services as foia_services
from foia.models import Visibility
from tests.search.factories import make_document, make_published, make_request


def visible(query, user, **kwargs):
    result = search.search(query, user=user, **kwargs)
    assert result.error is None
    return result


def assert_sees_nothing(result):
    assert result.total == 0
    assert result.hits == [] and result.documents == []
    assert all(items == [] for items in result.facets.values())


@pytest.fixture
def secret(backend, reporter):
    """Rita's private request, with an informant memo."""
    request = make_request(
        reporter,
        title="Informant payments",
        visibility=Visibility.PRIVATE,
        agency_slug="fbi",
    )
    return make_published(
        [
            {
                "text": "Payments to the informant codenamed NIGHTJAR.",
                "exemptions": ["b7d"],
            }
        ],
        request=request,
        title="Informant ledger",
    )


def test_outsider_and_other_reporter_never_see_a_private_request(
    secret, reporter, other_reporter, researcher, outsider, editor, admin_user
):
    for user in (other_reporter, researcher, outsider, None):
        assert_sees_nothing(visible("informant", user))
        assert_sees_nothing(visible("nightjar OR informant", user))
        assert_sees_nothing(visible("agency:FBI", user))
        assert_sees_nothing(visible("", user, filters={"exemption": ["b7d"]}))
    for user in (reporter, editor, admin_user):
        assert visible("informant", user).total == 1
    assert visible("informant", search.SERVER).total == 1


def test_totals_and_facets_leave_out_what_a_user_may_not_see(
    secret, backend, reporter, other_reporter
):
    shared = make_request(
        reporter, title="Shared payments", visibility=Visibility.NEWSROOM
    )
    make_published(["Payments to the informant were audited."], request=shared)
    as_rita = visible("informant", reporter)
    as_otto = visible("informant", other_reporter)
    assert as_rita.total == 2
    assert as_otto.total == 1
    assert [document.title for document in as_otto.documents] != ["Informant ledger"]
    labels = {
        name: [item.label for item in items] for name, items in as_otto.facets.items()
    }
    assert labels["request"] == ["Shared payments"]
    assert "FBI" not in labels["agency"]
    assert labels["exemption"] == []
    assert all("NIGHTJAR" not in hit.snippet for hit in as_otto.hits)
    assert visible("nightjar", other_reporter).total == 0


def test_collaborators_see_a_private_request(backend, reporter, other_reporter):
    request = make_request(
        reporter,
        title="Shared with Otto",
        visibility=Visibility.PRIVATE,
        collaborators=[other_reporter],
    )
    make_published(["The contract with the vendor."], request=request)
    assert visible("vendor", other_reporter).total == 1


def test_drafts_stay_with_their_requester(backend, reporter, other_reporter, editor):
    request = make_request(
        reporter, title="Not sent yet", visibility=Visibility.NEWSROOM, draft=True
    )
    make_published(["A draft attachment about the vendor."], request=request)
    assert visible("vendor", reporter).total == 1
    assert visible("vendor", editor).total == 1
    assert_sees_nothing(visible("vendor", other_reporter))


def test_newsroom_and_public_requests(backend, reporter, researcher, outsider):
    newsroom = make_request(reporter, title="Newsroom", visibility=Visibility.NEWSROOM)
    public = make_request(reporter, title="Public", visibility=Visibility.PUBLIC)
    make_published(["vendor contract, newsroom copy"], request=newsroom)
    make_published(["vendor contract, public copy"], request=public)
    assert visible("vendor", researcher).total == 2
    assert visible("vendor", outsider).total == 1
    assert visible("vendor", None).total == 1
    assert visible("newsroom", outsider).total == 0


def test_embargoed_pages_appear_on_the_embargo_date_without_reindexing(
    backend, reporter, other_reporter, monkeypatch
):
    today = timezone.localdate()
    request = make_request(
        reporter,
        title="Embargoed until tomorrow",
        visibility=Visibility.NEWSROOM,
        embargo_until=today + datetime.timedelta(days=1),
    )
    make_published(["The settlement amount was large."], request=request)
    assert_sees_nothing(visible("settlement", other_reporter))
    assert visible("settlement", reporter).total == 1

    tomorrow = today + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    result = visible("settlement", other_reporter)
    assert result.total == 1
    assert "<mark>settlement</mark>" in result.hits[0].snippet


def test_documents_without_a_request(backend, reporter, researcher, outsider):
    make_published(["Leaked settlement memo."], uploaded_by=reporter)
    make_published(["Outsider's own settlement scan."], uploaded_by=outsider)
    assert visible("settlement", reporter).total == 2
    assert visible("settlement", researcher).total == 2
    assert visible("settlement", outsider).total == 1
    assert visible("settlement", None).total == 0


def test_changing_visibility_reindexes_the_requests_pages(
    backend, reporter, other_reporter, django_capture_on_commit_callbacks
):
    request = make_request(reporter, title="Budget", visibility=Visibility.PRIVATE)
    make_published(["The overtime budget doubled."], request=request)
    assert_sees_nothing(visible("overtime", other_reporter))

    with django_capture_on_commit_callbacks(execute=True):
        foia_services.request_update(
            actor=reporter, request=request, visibility=Visibility.NEWSROOM
        )
    assert visible("overtime", other_reporter).total == 1

    with django_capture_on_commit_callbacks(execute=True):
        foia_services.request_update(
            actor=reporter, request=request, visibility=Visibility.PRIVATE
        )
    assert_sees_nothing(visible("overtime", other_reporter))

    with django_capture_on_commit_callbacks(execute=True):
        foia_services.request_update(
            actor=reporter, request=request, collaborators=[other_reporter]
        )
    assert visible("overtime", other_reporter).total == 1


def test_a_new_title_and_agency_reach_the_index(
    backend, reporter, editor, django_capture_on_commit_callbacks
):
    from foia.models import Agency

    request = make_request(reporter, title="Budget", agency_slug="fbi")
    make_published(["The overtime budget doubled."], request=request)
    with django_capture_on_commit_callbacks(execute=True):
        foia_services.request_update(
            actor=reporter,
            request=request,
            title="Overtime spending",
            agency=Agency.objects.get(slug="ice-ero"),
        )
    assert visible("title:spending", editor).total == 1
    assert visible("agency:ICE overtime", editor).total == 1
    assert visible("agency:FBI overtime", editor).total == 0


def test_a_document_linked_to_a_shared_request_is_visible_through_it(
    backend, reporter, other_reporter, django_capture_on_commit_callbacks
):
    private = make_request(reporter, title="Private original", visibility="private")
    shared = make_request(reporter, title="Shared copy", visibility="newsroom")
    document = make_published(["Audit of the jail contract."], request=private)
    assert_sees_nothing(visible("jail", other_reporter))

    with django_capture_on_commit_callbacks(execute=True):
        DocumentLink.objects.create(document=document, request=shared)
    result = visible("jail", other_reporter)
    assert result.total == 1
    assert [item.label for item in result.facets["request"]] == ["Shared copy"]
    assert result.documents[0].request_title == ""


def test_hits_from_an_index_not_yet_updated_keep_their_snippets_hidden(
    backend, reporter, other_reporter
):
    from foia.models import FoiaRequest

    request = make_request(reporter, title="Budget", visibility=Visibility.NEWSROOM)
    make_document(["The overtime budget doubled."], request=request)
    search.index_document(request.documents.get().pk)
    # A bulk update sends no signal; the index still says "newsroom".
    FoiaRequest.objects.filter(pk=request.pk).update(visibility=Visibility.PRIVATE)
    result = visible("overtime", other_reporter)
    assert result.hits == [] and result.documents == []


def test_moving_an_agency_under_another_reaches_the_index(
    backend, reporter, editor, django_capture_on_commit_callbacks
):
    from foia.models import Agency

    make_published(["Wiretap logs."], request=make_request(reporter, agency_slug="fbi"))
    assert visible("agency:DHS wiretap", editor).total == 0
    fbi = Agency.objects.get(slug="fbi")
    with django_capture_on_commit_callbacks(execute=True):
        fbi.parent = Agency.objects.get(slug="dhs")
        fbi.save()
    assert visible("agency:DHS wiretap", editor).total == 1


def test_a_renamed_document_is_found_by_its_new_title(
    backend, reporter, editor, django_capture_on_commit_callbacks
):
    document = make_published(["Wiretap logs."], request=make_request(reporter))
    with django_capture_on_commit_callbacks(execute=True):
        document.title = "Surveillance ledger"
        document.save()
    assert visible("title:ledger", editor).total == 1


def test_whoever_uploads_the_same_file_again_sees_it(
    backend, reporter, outsider, django_capture_on_commit_callbacks
):
    private = make_request(reporter, title="Private", visibility=Visibility.PRIVATE)
    document = make_published(["The jail contract, signed."], request=private)
    assert_sees_nothing(visible("jail", outsider))
    with django_capture_on_commit_callbacks(execute=True):
        DocumentLink.objects.create(document=document, request=None, added_by=outsider)
    assert visible("jail", outsider).total == 1
    assert visible("jail", outsider).documents[0].request_title == ""
