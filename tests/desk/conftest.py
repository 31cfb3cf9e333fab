"""A small newsroom for the desk's tests, built through the foia services.

The law of "Testland" counts calendar days with no holidays, so every deadline
is plain arithmetic: a response is due 10 days after receipt (20 with the
extension), an appeal may be filed 30 days after an adverse determination and is
decided 20 days after it is received.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from documents.models import Document, Page
from foia import services
from foia.models import (
    AppealOutcome,
    Channel,
    CommunicationKind,
    Direction,
    FoiaRequest,
    Jurisdiction,
    Status,
    Visibility,
)

_counter = itertools.count(1)


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def law(db) -> Jurisdiction:
    # Reference data, like the jurisdictions the migrations load.
    return Jurisdiction.objects.create(
        code="ZZ",
        name="Testland (Open Records Act)",
        response_days=10,
        response_unit="calendar",
        extension_days=10,
        extension_unit="calendar",
        appeal_filing_days=30,
        appeal_filing_unit="calendar",
        appeal_decision_days=20,
        appeal_decision_unit="calendar",
        appeal_extension_days=10,
        appeal_extension_unit="calendar",
    )


@pytest.fixture
def department(admin_user, law):
    return services.agency_create(
        actor=admin_user,
        name="Department of Probes",
        abbreviation="DOP",
        slug="test-dop",
        jurisdiction=law,
        foia_email="foia@dop.example",
        appeal_authority="DOP Appeals Office",
    )


@pytest.fixture
def office(admin_user, law, department):
    """A component of the department, with no contacts of its own."""
    return services.agency_create(
        actor=admin_user,
        name="Office of Field Probes",
        abbreviation="OFP",
        slug="test-ofp",
        jurisdiction=law,
        parent=department,
    )


@pytest.fixture
def bureau(admin_user, law):
    """An agency with no FOIA email address."""
    return services.agency_create(
        actor=admin_user,
        name="Bureau of Paper",
        abbreviation="BOP",
        slug="test-bop",
        jurisdiction=law,
        mailing_address="1 Paper Street",
    )


def file_request(
    actor,
    agency,
    *,
    filed_days_ago: int,
    title: str | None = None,
    visibility: str = Visibility.PRIVATE,
    **extra,
) -> FoiaRequest:
    """File a request received the day it was sent, ``filed_days_ago`` days ago."""
    return services.request_file(
        actor=actor,
        agency=agency,
        title=title or f"Request {next(_counter)}",
        body="All records about probes.",
        filed_on=timezone.localdate() - timedelta(days=filed_days_ago),
        visibility=visibility,
        **extra,
    )


def log_incoming(actor, request, kind: str, *, days_ago: int, **extra):
    return services.communication_log(
        actor=actor,
        request=request,
        direction=Direction.INCOMING,
        channel=Channel.EMAIL,
        kind=kind,
        sent_on=timezone.localdate() - timedelta(days=days_ago),
        confirm=True,
        **extra,
    )


def deny(actor, request, *, days_ago: int):
    return log_incoming(actor, request, CommunicationKind.DENIAL, days_ago=days_ago)


def make_document(
    request,
    *,
    state: str = Document.State.DONE,
    exemptions: list[list[str]] | None = None,
    processed_days_ago: int = 1,
    error_reason: str = "",
) -> Document:
    """A document as the pipeline leaves it: the pipeline itself (OCR) is tested
    in tests/documents; here only its outcome matters."""
    number = next(_counter)
    pages = exemptions or [[]]
    document = Document.objects.create(
        title=f"Release {number}",
        request=request,
        original=f"originals/test/{number}.pdf",
        sha256=hashlib.sha256(f"desk-{number}".encode()).hexdigest(),
        size=1000,
        kind=Document.Kind.PDF,
        state=state,
        page_count=len(pages),
        pages_done=len(pages),
        error_reason=error_reason,
        uploaded_by=request.requester if request else None,
        processed_at=timezone.now() - timedelta(days=processed_days_ago),
    )
    Page.objects.bulk_create(
        Page(document=document, number=i, state="done", exemptions=codes)
        for i, codes in enumerate(pages, start=1)
    )
    return document


@dataclass
class Newsroom:
    requests: dict


@pytest.fixture
def newsroom(reporter, other_reporter, editor, department, today) -> Newsroom:
    """Rita's requests in every state the desk distinguishes, and Otto's."""
    r = {}

    def rita(key, days_ago, **extra):
        r[key] = file_request(
            reporter, department, filed_days_ago=days_ago, title=key, **extra
        )
        return r[key]

    rita("overdue 30 days", 40)
    rita("overdue 5 days", 15)
    rita("due in 3 days", 7)
    rita("due in 9 days", 1)
    log_incoming(
        reporter,
        rita("clarification asked", 8),
        CommunicationKind.CLARIFICATION,
        days_ago=2,
    )
    log_incoming(
        reporter, rita("payment asked", 8), CommunicationKind.FEE_LETTER, days_ago=1
    )
    deny(reporter, rita("appeal window open", 30), days_ago=20)
    deny(reporter, rita("appeal window closed", 60), days_ago=50)
    deny(reporter, rita("appeal pending", 30), days_ago=25)
    services.appeal_file(
        actor=reporter,
        request=r["appeal pending"],
        basis="adverse",
        filed_on=today - timedelta(days=3),
    )
    deny(reporter, rita("appeal late", 60), days_ago=55)
    services.appeal_file(
        actor=reporter,
        request=r["appeal late"],
        basis="adverse",
        filed_on=today - timedelta(days=40),
    )
    deny(reporter, rita("appeal lost", 60), days_ago=55)
    lost = services.appeal_file(
        actor=reporter,
        request=r["appeal lost"],
        basis="adverse",
        filed_on=today - timedelta(days=50),
    )
    services.appeal_decide(
        actor=reporter,
        appeal=lost,
        outcome=AppealOutcome.DENIED,
        decided_on=today - timedelta(days=10),
    )
    services.request_transition(
        actor=reporter, request=rita("withdrawn", 40), to=Status.WITHDRAWN
    )
    done = rita("answered", 40)
    log_incoming(reporter, done, CommunicationKind.FINAL_RESPONSE, days_ago=32)

    r["otto private overdue"] = file_request(
        other_reporter, department, filed_days_ago=40, title="otto private overdue"
    )
    r["otto newsroom overdue"] = file_request(
        other_reporter,
        department,
        filed_days_ago=40,
        title="otto newsroom overdue",
        visibility=Visibility.NEWSROOM,
    )
    r["shared with rita"] = file_request(
        other_reporter,
        department,
        filed_days_ago=20,
        title="shared with rita",
        collaborators=[reporter],
    )
    return Newsroom(r)
