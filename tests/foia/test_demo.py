"""``manage.py load_demo``: a dozen requests in varied states, built once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from foia import selectors
from foia.models import FoiaRequest, Status

pytestmark = pytest.mark.django_db


def test_demo_requests_cover_the_lifecycle_and_load_once():
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("load_demo", stdout=out)

    assert "0 new users, 0 new requests" in out.getvalue()
    requests = {r.title: r for r in FoiaRequest.objects.all()}
    assert len(requests) >= 12
    statuses = {r.status for r in requests.values()}
    assert statuses >= {
        Status.DRAFT,
        Status.ACKNOWLEDGED,
        Status.PROCESSING,
        Status.FIX_REQUIRED,
        Status.PAYMENT_REQUIRED,
        Status.DONE,
        Status.PARTIALLY_DENIED,
        Status.NO_RECORDS,
        Status.WITHDRAWN,
        Status.REFERRED,
        Status.APPEALING,
    }
    overdue = requests["ICE OPR allegations of database misuse, 2019-2025"]
    assert overdue.is_overdue and selectors.court_notice(request=overdue)
    extended = requests["CBP summonses under 19 U.S.C. 1509 to technology companies"]
    assert extended.unusual_circumstances and extended.current_due == (
        extended.extended_due
    )
    tolled = requests["TECS audit logs: queries run on journalists' names"]
    assert tolled.tolls.filter(answered_on__isnull=True).exists()
    appealed = requests[
        "ICE OPR reports of investigation: agents' TECS queries on ex-partners"
    ]
    assert appealed.appeals.get().is_pending
    closing = requests["DHS OIG investigations of law-enforcement database misuse"]
    rows = {row.key: row for row in selectors.deadline_panel(request=closing)}
    assert rows["appeal_filing_due"].countdown.startswith("due in")
    assert {r.agency.jurisdiction.code for r in requests.values()} >= {
        "US",
        "US-CA",
        "US-NY",
    }
    assert all(r.events.exists() for r in requests.values())
