"""A small newsroom behind the API, and tokens to call it with.

Built through the services, as the pages and the API build it: requests in
several states (one overdue, one denied with its appeal window open), a processed
document with two pages, and a personal API token for each named user.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import api_token_create
from documents import generate
from documents.services import document_ingest
from foia import services
from foia.models import Agency, Channel, CommunicationKind, Direction, Visibility


@dataclass
class ApiWorld:
    tokens: dict[str, str] = field(default_factory=dict)
    request_ids: list[int] = field(default_factory=list)
    document_ids: list[int] = field(default_factory=list)
    agency_slugs: list[str] = field(default_factory=list)

    def headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Token {self.tokens[username]}"}


@pytest.fixture
def api_world(
    django_capture_on_commit_callbacks, reporter, editor, researcher
) -> ApiWorld:
    today = timezone.localdate()
    ice = Agency.objects.get(slug="ice")
    world = ApiWorld(agency_slugs=["ice", "cbp", "dhs"])
    overdue = services.request_file(
        actor=reporter,
        agency=ice,
        title="TECS audit logs",
        body="Audit logs of TECS queries by OPR agents.",
        filed_on=today - timedelta(days=90),
        tags=["tecs"],
        tracking_number="2025-ICFO-00001",
    )
    denied = services.request_file(
        actor=reporter,
        agency=ice,
        title="Detention inspection reports",
        body="Inspection reports of the processing center.",
        filed_on=today - timedelta(days=40),
        visibility=Visibility.NEWSROOM,
    )
    services.communication_log(
        actor=reporter,
        request=denied,
        direction=Direction.INCOMING,
        channel=Channel.EMAIL,
        kind=CommunicationKind.DENIAL,
        sent_on=today - timedelta(days=5),
        confirm=True,
    )
    draft = services.request_file(
        actor=editor,
        agency=Agency.objects.get(slug="cbp"),
        title="Body camera policy",
        body="The current body camera policy.",
    )
    world.request_ids = [overdue.pk, denied.pk, draft.pk]
    pdf = generate.text_pdf(
        [
            ["Office of Professional Responsibility", "Case OPR-2021-04417"],
            ["TECS query audit", "Withheld under (b)(6) and (b)(7)(C)."],
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        (result,) = document_ingest(
            fileobj=io.BytesIO(pdf),
            name="release.pdf",
            uploaded_by=reporter,
            request=overdue,
        )
    world.document_ids = [result.document.pk]
    for user in (reporter, editor, researcher):
        world.tokens[user.username] = api_token_create(user=user, name="fuzz")[1]
    return world
