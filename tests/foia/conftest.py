"""Request-building helpers for the foia tests.

The jurisdictions, holidays, agencies and letter templates come from the migrations,
as in production. Fixed dates in 2025 keep the legal arithmetic checkable by hand
(see builders.py); they are in the past, so the services accept them.
"""

from __future__ import annotations

import pytest

from foia import services
from foia.models import Agency
from tests.foia.builders import RECEIVED


@pytest.fixture
def ice(db) -> Agency:
    return Agency.objects.get(slug="ice")


@pytest.fixture
def cbp(db) -> Agency:
    return Agency.objects.get(slug="cbp")


@pytest.fixture
def nypd(db) -> Agency:
    return Agency.objects.get(slug="nypd")


@pytest.fixture
def ca_doj(db) -> Agency:
    return Agency.objects.get(slug="ca-doj")


@pytest.fixture
def file_request(reporter, ice):
    """File a request through the service: rita's, to ICE, received 2025-03-03."""

    def make(**values):
        values.setdefault("actor", reporter)
        values.setdefault("agency", ice)
        values.setdefault("title", "ICE OPR misconduct investigations")
        values.setdefault("body", "Reports of investigation into TECS misuse.")
        if "filed_on" not in values:
            values["filed_on"] = RECEIVED
        return services.request_file(**values)

    return make
