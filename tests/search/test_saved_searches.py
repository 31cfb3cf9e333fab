"""Saved searches notify their owners about newly processed pages they may see."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from foia.models import Visibility
from search import selectors, services
from tests.search.factories import make_published, make_request


@pytest.fixture
def saved(backend, reporter, other_reporter):
    return {
        "rita": services.saved_search_create(
            user=reporter, name="Jail deaths", query='"jail death" OR autopsy'
        ),
        "otto": services.saved_search_create(
            user=other_reporter, name="Autopsies", query="autopsy"
        ),
    }


def test_a_new_matching_page_notifies_the_owner(saved, reporter, other_reporter):
    request = make_request(reporter, visibility=Visibility.NEWSROOM)
    document = make_published(
        ["Cover letter.", "The autopsy report is attached."], request=request
    )
    [rita] = selectors.unseen_notifications(reporter)
    assert rita.saved_search == saved["rita"]
    assert rita.page == document.pages.get(number=2)
    assert "<mark>autopsy</mark>" in rita.snippet
    assert selectors.unseen_notification_count(other_reporter) == 1


def test_nobody_hears_of_pages_they_may_not_see(saved, reporter, other_reporter):
    private = make_request(reporter, visibility=Visibility.PRIVATE)
    make_published(["Autopsy photographs."], request=private)
    assert selectors.unseen_notification_count(reporter) == 1
    assert selectors.unseen_notification_count(other_reporter) == 0


def test_notifications_disappear_if_the_page_turns_private_later(
    saved, reporter, other_reporter
):
    from foia.models import FoiaRequest

    request = make_request(reporter, visibility=Visibility.NEWSROOM)
    make_published(["Autopsy photographs."], request=request)
    assert selectors.unseen_notification_count(other_reporter) == 1
    FoiaRequest.objects.filter(pk=request.pk).update(visibility=Visibility.PRIVATE)
    assert selectors.unseen_notification_count(other_reporter) == 0


def test_a_page_notifies_once(saved, reporter):
    from search import index_document

    document = make_published(["The autopsy."], request=make_request(reporter))
    index_document(document.pk)
    assert selectors.unseen_notification_count(reporter) == 1


def test_reindexing_and_rebuilding_do_not_notify(saved, reporter):
    from search import reindex_request

    request = make_request(reporter)
    document = make_published(["Unrelated memo."], request=request)
    document.pages.update(text="Now an autopsy.")
    reindex_request(request.pk)
    assert selectors.unseen_notification_count(reporter) == 0


def test_marking_seen_and_the_digest_selector(saved, reporter):
    since = timezone.now() - datetime.timedelta(minutes=1)
    make_published(["The autopsy."], request=make_request(reporter))
    assert selectors.saved_search_matches_since(reporter, since).count() == 1
    assert services.notifications_mark_seen(user=reporter) == 1
    assert selectors.unseen_notification_count(reporter) == 0
    assert selectors.saved_search_matches_since(reporter, since).count() == 1
    later = timezone.now() + datetime.timedelta(minutes=1)
    assert selectors.saved_search_matches_since(reporter, later).count() == 0


def test_saved_search_filters_apply(backend, reporter):
    services.saved_search_create(
        user=reporter, name="FBI autopsies", query="autopsy", filters={"agency": "FBI"}
    )
    make_published(["ICE autopsy."], request=make_request(reporter, agency_slug="ice"))
    assert selectors.unseen_notification_count(reporter) == 0
    make_published(["FBI autopsy."], request=make_request(reporter, agency_slug="fbi"))
    assert selectors.unseen_notification_count(reporter) == 1


def test_a_malformed_or_empty_query_cannot_be_saved(backend, reporter):
    with pytest.raises(ValidationError, match="quotation mark"):
        services.saved_search_create(user=reporter, name="x", query='"jail')
    with pytest.raises(ValidationError, match="Type a query"):
        services.saved_search_create(user=reporter, name="x", query="  ")


def test_only_the_owner_deletes_a_saved_search(saved, reporter, other_reporter):
    with pytest.raises(PermissionDenied):
        services.saved_search_delete(
            user=other_reporter, saved_search_id=saved["rita"].pk
        )
    services.saved_search_delete(user=reporter, saved_search_id=saved["rita"].pk)
    assert list(selectors.saved_searches_of(reporter)) == []
