"""Server time of the desk, the request list and an agency page at 20,000 requests.

Builds a throw-away database with Django's own test-database machinery (a
temporary SQLite file, or a ``bench_pages_<pid>`` database on the PostgreSQL
server of ``DATABASE_URL``), fills it with ``bulk_create``, then times each page
through Django's test client in this process: the figure is server time (URL
resolution, middleware, queries, template rendering), without a network.

Each page is fetched twice to warm up, then ``RUNS`` times; the median and 95th
percentile are reported, with the number of queries at two list sizes to show
that it does not grow with the rows shown.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import timedelta

from bench import Figure, benchmark

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "20000"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
REPORTERS = 40
EDITORS = 3
PARENTS = 8
COMPONENTS_PER_PARENT = 5
DOCUMENTS = 2000
PAGES_PER_DOCUMENT = 10


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


class _ThrowAwayDatabase:
    """The default connection pointed at a new database for the duration."""

    def __enter__(self):
        from django.db import connection

        self.connection = connection
        self.folder = tempfile.TemporaryDirectory(prefix="bench-pages-")
        test_settings = connection.settings_dict.setdefault("TEST", {})
        self.saved_test_name = test_settings.get("NAME")
        if connection.vendor == "sqlite":
            test_settings["NAME"] = os.path.join(self.folder.name, "bench.sqlite3")
        else:
            test_settings["NAME"] = f"bench_pages_{os.getpid()}"
        self.old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        return self

    def __exit__(self, *exc_info):
        self.connection.creation.destroy_test_db(self.old_name, verbosity=0)
        self.connection.settings_dict["TEST"]["NAME"] = self.saved_test_name
        self.folder.cleanup()


def _build(rng: random.Random) -> dict:
    """Users, agencies and ``REQUESTS`` requests in every state, in bulk."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from documents.models import Document, Page
    from foia import roles
    from foia.models import (
        ADVERSE,
        AWAITING_AGENCY,
        Agency,
        Appeal,
        FoiaRequest,
        Jurisdiction,
        Status,
        Toll,
        Visibility,
    )

    users = get_user_model()
    reporter_group, _ = Group.objects.get_or_create(name=roles.REPORTER)
    editor_group, _ = Group.objects.get_or_create(name=roles.EDITOR)
    reporters = users.objects.bulk_create(
        users(username=f"reporter{i}", first_name=f"Reporter {i}")
        for i in range(REPORTERS)
    )
    editors = users.objects.bulk_create(
        users(username=f"editor{i}", first_name=f"Editor {i}") for i in range(EDITORS)
    )
    users.groups.through.objects.bulk_create(
        [users.groups.through(user=u, group=reporter_group) for u in reporters]
        + [users.groups.through(user=u, group=editor_group) for u in editors]
    )

    law = Jurisdiction.objects.get(code="US")
    parents = Agency.objects.bulk_create(
        Agency(
            name=f"Bench Department {p}",
            abbreviation=f"BD{p}",
            slug=f"bench-dept-{p}",
            jurisdiction=law,
            foia_email=f"foia{p}@bench.example",
        )
        for p in range(PARENTS)
    )
    components = Agency.objects.bulk_create(
        Agency(
            name=f"Bench Office {p}.{c}",
            abbreviation=f"BO{p}{c}",
            slug=f"bench-office-{p}-{c}",
            jurisdiction=law,
            parent=parent,
        )
        for p, parent in enumerate(parents)
        for c in range(COMPONENTS_PER_PARENT)
    )
    agencies = parents + components

    today = timezone.localdate()
    statuses = [
        (Status.SUBMITTED, 14),
        (Status.ACKNOWLEDGED, 12),
        (Status.PROCESSING, 12),
        (Status.PARTIALLY_RELEASED, 4),
        (Status.FIX_REQUIRED, 4),
        (Status.PAYMENT_REQUIRED, 3),
        (Status.DONE, 22),
        (Status.PARTIALLY_DENIED, 8),
        (Status.DENIED, 6),
        (Status.NO_RECORDS, 5),
        (Status.WITHDRAWN, 3),
        (Status.APPEALING, 4),
        (Status.CLOSED, 3),
    ]
    population = [s for s, weight in statuses for _ in range(weight)]
    requests = []
    for i in range(REQUESTS):
        status = rng.choice(population)
        filed = today - timedelta(days=rng.randint(1, 1100))
        unusual = rng.random() < 0.2
        response_due = filed + timedelta(days=28)
        extended_due = filed + timedelta(days=42)
        request = FoiaRequest(
            title=f"Records about topic {i}",
            body="All records.",
            agency=rng.choice(agencies),
            requester=rng.choice(reporters),
            status=status,
            visibility=rng.choice(
                [Visibility.PRIVATE, Visibility.NEWSROOM, Visibility.NEWSROOM]
            ),
            filed_on=filed,
            received_on=filed,
            acknowledged_on=(
                filed + timedelta(days=rng.randint(1, 20))
                if rng.random() < 0.6
                else None
            ),
            unusual_circumstances=unusual,
            response_due=response_due,
            extended_due=extended_due,
        )
        if status in AWAITING_AGENCY:
            request.current_due = extended_due if unusual else response_due
        if status not in AWAITING_AGENCY and status not in (
            Status.FIX_REQUIRED,
            Status.PAYMENT_REQUIRED,
            Status.WITHDRAWN,
        ):
            determined = filed + timedelta(days=rng.randint(3, 300))
            request.determined_on = min(determined, today)
            if status in (*ADVERSE, Status.APPEALING):
                request.adverse_on = request.determined_on
                request.appeal_filing_due = request.adverse_on + timedelta(days=90)
        requests.append(request)
    requests = FoiaRequest.objects.bulk_create(requests, batch_size=2000)

    through = FoiaRequest.collaborators.through
    through.objects.bulk_create(
        (
            through(foiarequest_id=r.pk, user_id=rng.choice(reporters).pk)
            for r in requests
            if rng.random() < 0.15
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    Appeal.objects.bulk_create(
        (
            Appeal(
                request=r,
                basis="adverse",
                filed_on=r.adverse_on + timedelta(days=10),
                decision_due=r.adverse_on + timedelta(days=38),
                from_status=Status.DENIED,
                filed_by=r.requester,
            )
            for r in requests
            if r.status == Status.APPEALING
        ),
        batch_size=2000,
    )
    Toll.objects.bulk_create(
        (
            Toll(request=r, kind="information", asked_on=r.filed_on + timedelta(3))
            for r in requests
            if r.status == Status.FIX_REQUIRED
        ),
        batch_size=2000,
    )
    codes = ["b5", "b6", "b7c", "b7e", "b3", "b4"]
    released = [r for r in requests if r.determined_on][:DOCUMENTS]
    documents = Document.objects.bulk_create(
        (
            Document(
                title=f"Release {n}",
                request=r,
                original=f"originals/bench/{n}.pdf",
                sha256=f"{n:064x}",
                size=1000,
                kind="pdf",
                state="failed" if n % 50 == 0 else "done",
                page_count=PAGES_PER_DOCUMENT,
                processed_at=timezone.now() - timedelta(days=n % 30),
            )
            for n, r in enumerate(released)
        ),
        batch_size=2000,
    )
    Page.objects.bulk_create(
        (
            Page(
                document=document,
                number=number,
                state="done",
                exemptions=rng.sample(codes, rng.randint(0, 2)),
            )
            for document in documents
            for number in range(1, PAGES_PER_DOCUMENT + 1)
        ),
        batch_size=5000,
    )
    busiest = max(
        parents,
        key=lambda parent: FoiaRequest.objects.filter(
            agency__in=[parent, *[c for c in components if c.parent_id == parent.pk]]
        ).count(),
    )
    return {
        "editor": editors[0],
        "reporter": reporters[0],
        "busiest_parent": busiest,
        "component": components[0],
    }


def _check(response, url: str) -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")


def _time(client, url: str) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        _check(client.get(url, secure=True), url)
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        client.get(url, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True)
    return timings, len(queries)


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        _check(client.get(url, secure=True), url)
    return len(queries)


@benchmark("Pages at 20,000 requests (desk, request list, agency page)")
def pages() -> list[Figure]:
    _setup_django()
    from django.conf import settings
    from django.test import Client

    import desk.selectors
    import foia.views

    # As in production, but for the test client's host name. Not Django's
    # test environment: it instruments template rendering, which costs time.
    saved = settings.DEBUG, list(settings.ALLOWED_HOSTS), settings.EMAIL_BACKEND
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    figures: list[Figure] = []
    try:
        with _ThrowAwayDatabase():
            from django.db import connection

            started = time.perf_counter()
            people = _build(random.Random(6))  # noqa: S311 - sample data
            if connection.vendor == "postgresql":
                # What autovacuum does on a live database: plans need statistics.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            figures.append(("build (bulk_create)", time.perf_counter() - started, "s"))
            figures.append((f"database: {connection.vendor}", REQUESTS, "requests"))
            editor, reporter = Client(), Client()
            editor.force_login(people["editor"])
            reporter.force_login(people["reporter"])
            busiest = people["busiest_parent"]
            pages = [
                ("desk (editor, whole newsroom)", editor, "/desk/"),
                ("desk (reporter)", reporter, "/desk/"),
                ("request list (editor)", editor, "/requests/"),
                ("request list (reporter)", reporter, "/requests/"),
                (
                    f"agency page ({busiest.abbreviation} + components)",
                    editor,
                    f"/desk/agencies/{busiest.slug}/",
                ),
                ("api/desk (editor)", editor, "/api/desk/"),
            ]
            for name, client, url in pages:
                timings, queries = _time(client, url)
                figures.append((f"{name} median", statistics.median(timings), "ms"))
                figures.append((f"{name} p95", _percentile(timings, 0.95), "ms"))
                figures.append((f"{name} queries", queries, "queries"))

            # Query counts at two list sizes: they must not differ.
            saved_limit, saved_page = desk.selectors.LIST_LIMIT, foia.views.PAGE_SIZE
            try:
                for size in (10, 50):
                    desk.selectors.LIST_LIMIT = size
                    figures.append(
                        (
                            f"desk queries, {size} rows a list",
                            _queries(editor, "/desk/"),
                            "queries",
                        )
                    )
                for size in (25, 100):
                    foia.views.PAGE_SIZE = size
                    figures.append(
                        (
                            f"request list queries, {size} rows a page",
                            _queries(editor, "/requests/"),
                            "queries",
                        )
                    )
            finally:
                desk.selectors.LIST_LIMIT, foia.views.PAGE_SIZE = (
                    saved_limit,
                    saved_page,
                )
            component = people["component"]
            figures.append(
                (
                    f"agency page queries, {component.abbreviation} (small)",
                    _queries(editor, f"/desk/agencies/{component.slug}/"),
                    "queries",
                )
            )
            figures.append(
                (
                    f"agency page queries, {busiest.abbreviation} (large)",
                    _queries(editor, f"/desk/agencies/{busiest.slug}/"),
                    "queries",
                )
            )
    finally:
        settings.DEBUG, settings.ALLOWED_HOSTS, settings.EMAIL_BACKEND = saved
    return figures
