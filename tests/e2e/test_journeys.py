"""The newsroom's main journeys, in a real browser."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reporter_logs_in_and_reaches_every_section(page, reporter):
    log_in(page, "rita")
    assert "Welcome, Rita" in page.inner_text("h1")
    for label, heading in [
        ("Requests", "Requests"),
        ("Documents", "Documents"),
        ("Search", "Search"),
        ("Agencies", "Agencies"),
        ("Desk", "Desk"),
    ]:
        page.click(f"nav.mainnav >> text={label}")
        assert heading in page.inner_text("h1")
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/")
    screenshot(page, "00-login-and-navigation")
