"""Browser journeys: Playwright driving Debian's chromium against the live app.

The app is pytest-django's live server on the test database; tests that need
background work also take ``worker`` (a real django-q2 cluster the live server hands
its tasks to). Screenshots of each journey's last step, and of any failing test's
page, go to ``test-artifacts/screenshots`` (``SCREENSHOTS_DIR`` overrides).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, ROOT

# CI keeps this folder; .ci/run gives each database variant its own.
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOTS_DIR") or ROOT / "test-artifacts" / "screenshots"
)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        raise RuntimeError(
            "Debian's chromium is not installed; `make test` installs it "
            "(apt-get install chromium)."
        )
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    # Playwright's synchronous API keeps an event loop in this thread; the ORM
    # calls the tests make around it are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=_chromium_path(), args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def reference_data(transactional_db) -> None:
    """The jurisdictions, agencies and letters the migrations load.

    Journeys run on a transactional database, and a test before them that used
    one (a worker cluster, another journey) flushed every table on its way out.
    """
    from foia import seed
    from foia.models import Agency, Holiday, Jurisdiction, LetterTemplate

    if Agency.objects.exists():
        return
    seed.load_jurisdictions(jurisdiction_model=Jurisdiction, holiday_model=Holiday)
    seed.load_agencies(agency_model=Agency, jurisdiction_model=Jurisdiction)
    seed.load_letter_templates(
        template_model=LetterTemplate, jurisdiction_model=Jurisdiction
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_report = report
    return report


@pytest.fixture
def page(request, browser, live_server) -> Iterator:
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    browser_page = context.new_page()
    yield browser_page
    report = getattr(request.node, "call_report", None)
    if report is not None and report.failed:
        screenshot(browser_page, f"FAILED-{request.node.name}")
    context.close()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def worker(worker_cluster, monkeypatch):
    """A real worker cluster, and this process (the live server) handing it work
    through the broker instead of running tasks inline as the rest of the suite does."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)
    return worker_cluster


def scanned_pdf(pages: list[list[str]], *, dpi: int = 120) -> bytes:
    """A PDF of page images with no text layer, as a scanner makes one; low
    resolution and few lines keep OCR to a second or two a page."""
    from documents import generate

    images = [generate.scanned_page(lines, dpi=dpi, copier=False) for lines in pages]
    return generate.images_to_pdf(images, dpi=dpi)
