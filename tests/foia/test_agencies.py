"""The seeded agencies, the directory and agency pages, and how long agencies take."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from foia import selectors, services
from foia.models import Agency, Jurisdiction, Visibility
from foia.seed import AGENCIES_PATH
from tests.foia.builders import log

pytestmark = pytest.mark.django_db


def children(slug: str) -> set[str]:
    return set(Agency.objects.filter(parent__slug=slug).values_list("slug", flat=True))


def test_federal_agencies_are_seeded_with_their_components():
    assert children("dhs") >= {
        "ice",
        "cbp",
        "uscis",
        "tsa",
        "usss",
        "fema",
        "dhs-oig",
        "dhs-crcl",
    }
    assert children("ice") == {"ice-opr", "ice-hsi", "ice-ero"}
    assert children("doj") >= {
        "fbi",
        "dea",
        "atf",
        "usms",
        "bop",
        "eoir",
        "doj-oip",
        "doj-crt",
        "doj-oig",
    }
    assert Agency.objects.filter(slug__in=["state", "dod"], parent=None).count() == 2


def test_state_and_local_agencies_answer_under_their_state_law():
    laws = dict(Agency.objects.values_list("slug", "jurisdiction__code"))
    assert laws["ca-doj"] == "US-CA"
    assert laws["nypd"] == "US-NY"
    assert laws["tx-dps"] == "US-TX"
    assert laws["chicago-pd"] == "US-IL"
    assert laws["fbi"] == "US"


def test_most_doj_components_appeal_to_oip():
    fbi = Agency.objects.get(slug="fbi")
    assert fbi.appeal_authority == "Office of Information Policy (OIP)"
    assert "441 G Street NW" in fbi.appeal_address


def test_components_without_contacts_use_their_parents_office():
    opr = Agency.objects.get(slug="ice-opr")
    assert not opr.has_contacts
    assert opr.contact_agency.slug == "ice"
    assert opr.appeal_agency.slug == "ice"
    crcl = Agency.objects.get(slug="dhs-crcl")
    assert crcl.contact_agency.foia_email == "foia@hq.dhs.gov"


def test_the_data_file_is_consistent():
    data = json.loads(AGENCIES_PATH.read_text())["agencies"]
    slugs = [entry["slug"] for entry in data]
    assert len(slugs) == len(set(slugs))
    codes = set(Jurisdiction.objects.values_list("code", flat=True))
    for position, entry in enumerate(data):
        assert entry["jurisdiction"] in codes
        if entry.get("parent"):
            assert entry["parent"] in slugs[:position], entry["slug"]
        for key in ("foia_email", "appeal_email"):
            assert "@" in entry.get(key, "@")
        for key in ("portal_url", "website", "appeal_portal_url"):
            assert entry.get(key, "https://").startswith("https://")
    assert Agency.objects.count() == len(data)


# --- How long they take ------------------------------------------------------------


@pytest.fixture
def history(file_request, reporter, other_reporter, cbp):
    """Three answered ICE requests (one late), one open, and one private to Otto."""
    first = file_request(title="first")  # due 2025-03-31
    log(first, "acknowledgement", date(2025, 3, 5), actor=reporter)
    log(first, "final_response", date(2025, 3, 24), actor=reporter)
    second = file_request(title="second", filed_on=date(2025, 3, 10))  # due Apr 7
    log(second, "acknowledgement", date(2025, 3, 14), actor=reporter)
    log(second, "denial", date(2025, 4, 20), actor=reporter)  # 13 days late
    third = file_request(title="third", agency=Agency.objects.get(slug="ice-ero"))
    log(third, "final_response", date(2025, 3, 13), actor=reporter)
    file_request(title="open")
    hidden = file_request(actor=other_reporter, title="otto's", visibility="private")
    log(hidden, "final_response", date(2025, 9, 1), actor=other_reporter)
    return first, second, third


def test_agency_stats_count_days_and_timeliness(history, reporter):
    ice = Agency.objects.get(slug="ice")

    stats = selectors.agency_stats(agency=ice, user=reporter)

    assert stats.requests == 4
    assert stats.awaiting == 1 and stats.overdue == 1
    # Acknowledged after 2 and 4 days; answered after 21, 41 and 10 days.
    assert stats.median_days_to_acknowledgement == 3.0
    assert stats.mean_days_to_acknowledgement == 3.0
    assert stats.median_days_to_determination == 21.0
    assert stats.mean_days_to_determination == 24.0
    assert (stats.on_time, stats.determined, stats.on_time_percent) == (2, 3, 67)


def test_agency_stats_cover_only_what_the_user_may_see(history, editor):
    ice = Agency.objects.get(slug="ice")
    assert selectors.agency_stats(agency=ice, user=editor).requests == 5
    own = selectors.agency_stats(agency=ice, user=editor, include_components=False)
    assert own.requests == 4  # the ERO request is a component's


def test_agency_page_shows_contacts_requests_and_timing(client, history, reporter):
    client.force_login(reporter)

    page = client.get("/agencies/ice/").content.decode()

    assert "ice-foia@ice.dhs.gov" in page
    assert "500 12th Street SW, Stop 5009" in page
    assert "Office of the Principal Legal Advisor" in page
    assert "median 3, mean 3" in page
    assert "67% (2 of 3)" in page
    assert "first" in page and "otto&#x27;s" not in page
    assert 'href="/agencies/ice-opr/"' in page


def test_component_page_points_to_the_parents_office(client, reporter):
    client.force_login(reporter)
    page = client.get("/agencies/ice-opr/").content.decode()
    assert "Requests go through U.S. Immigration and Customs Enforcement" in page
    assert "ice-foia@ice.dhs.gov" in page


def test_unknown_agency_is_not_found(client, reporter):
    client.force_login(reporter)
    assert client.get("/agencies/area-51/").status_code == 404


def test_directory_groups_agencies_by_law_with_open_counts(
    client, file_request, reporter, other_reporter
):
    file_request(title="mine")
    file_request(actor=other_reporter, title="otto's", visibility=Visibility.PRIVATE)
    client.force_login(reporter)

    response = client.get("/agencies/")

    groups = {j.code: nodes for j, nodes in response.context["groups"]}
    assert set(groups) >= {"US", "US-CA", "US-NY", "US-TX", "US-IL"}
    us = [(node.agency.slug, node.depth) for node in groups["US"]]
    assert us.index(("dhs", 0)) < us.index(("ice", 1)) < us.index(("ice-opr", 2))
    ice = next(node for node in groups["US"] if node.agency.slug == "ice")
    assert ice.open_requests == 1  # Otto's private request is not counted


def test_directory_search_keeps_the_parents(client, reporter):
    client.force_login(reporter)

    groups = client.get("/agencies/?q=professional").context["groups"]

    assert [[node.agency.slug for node in nodes] for _law, nodes in groups] == [
        ["dhs", "ice", "ice-opr"]
    ]


def test_agency_service_checks_who_may_change_agencies(reporter, editor):
    with pytest.raises(PermissionDenied):
        services.agency_update(
            actor=reporter, agency=Agency.objects.get(slug="ice"), phone="1"
        )
    updated = services.agency_update(
        actor=editor, agency=Agency.objects.get(slug="ice"), phone="202-555-0100"
    )
    assert updated.phone == "202-555-0100"
