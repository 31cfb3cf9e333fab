"""Search: indexing speed and query times on generated releases.

Each variant runs in a subprocess against a database and an index folder of its
own, never the developer's: Whoosh on a scratch SQLite file, PostgreSQL (only
when ``DATABASE_URL`` points at a PostgreSQL server) in a database created for
the run and dropped afterwards.

- ``BENCH_PAGES``: pages generated per variant (default 100,000);
- ``BENCH_PG_PAGES``: also run PostgreSQL at this size (e.g. 1000000);
- ``BENCH_SEARCH_BACKENDS``: ``whoosh,postgres`` (default both where possible);
- ``BENCH_PG_KEEP``: keep the PostgreSQL databases, named
  ``bench_search_<pages>``, and reuse one that already holds the pages asked for
  (its indexing figures are then not measured again): rerunning the queries at
  1,000,000 pages does not cost another hour of indexing. Drop them by hand.

Figures: pages indexed per second by ``search_rebuild``'s code path, and p50/p95
of ``search.search()`` as a newsroom reporter (visibility filtering, facets,
20 hits with snippets) for each kind of query, over distinct queries.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import Figure, benchmark

ROOT = Path(__file__).resolve().parent.parent
SEED = 20211104
PAGES_PER_DOCUMENT = 40
QUERIES_PER_KIND = 40

# Generated text: common words in Zipf-like proportions; topic words and names
# drawn from a long-tailed vocabulary (the commonest topic word is on about a
# quarter of pages, the median one of the first 330 on 2.4%); case numbers,
# system names, exemption citations, stock phrases and OCR-like noise.


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


COMMON = _words(
    """the of and to a in that is was for on with as by at from this be it are
    an or have has not which were been their its they all any other such there
    these would may will shall said also than more into only about after before
    under over between during within upon per each both some no yes our we you
    he she his her them who whom what when where why how one two three four
    five first second third new same following further please see attached
    regarding concerning subject date time office information record records
    request requested report reported number department division unit staff
    member members officer officers agent agents person persons individual
    individuals case cases file files matter review reviewed provide provided
    include included including"""
)
TOPICS = _words(
    """detention detainee detainees facility facilities custody transfer removal
    deportation asylum parole bond hearing immigration judge court warrant
    arrest arrests raid operation operations surveillance informant
    confidential source sources investigation investigations investigator
    complaint complaints misconduct allegation allegations discipline
    termination suspension medical death deaths autopsy injury injuries
    hospital clinic nurse physician medication hunger strike solitary
    segregation restraint restraints taser firearm weapon shooting pursuit
    vehicle border checkpoint port entry visa passport travel database queries
    query lookup biometric fingerprint photograph camera footage video audio
    recording transcript interview statement testimony witness witnesses
    contract contractor vendor invoice payment payments budget overtime salary
    procurement inspection inspections audit auditor finding findings
    recommendation recommendations corrective action policy policies directive
    memorandum guidance training manual procedure procedures protocol standard
    standards compliance violation violations grievance grievances appeal
    appeals denial redaction redactions exemption privacy law enforcement
    sensitive classified juvenile juveniles family families children child
    minor unaccompanied shelter capacity population overcrowding sanitation
    ventilation heat cooling water food meal meals commissary phone visitation
    attorney counsel legal consular notification interpreter language
    translation protest protesters demonstration crowd riot gas pepper spray
    baton bodycam dashcam dispatch radio log logs shift supervisor lieutenant
    sergeant captain warden deputy chief director secretary commissioner
    congress senator oversight inquiry briefing press media reporter leak email
    emails message messages text chat spreadsheet attachment draft final
    signed approved denied pending closed referral referred consult
    coordination partner partnership task force fusion center intelligence
    bulletin alert threat assessment risk gang cartel smuggling trafficking
    narcotics seizure seized currency forfeiture property evidence chain"""
)
FREQUENT = ("records", "information", "office", "request")
PHRASES = (
    "use of force",
    "detention facility",
    "medical care",
    "body camera footage",
    "hunger strike",
    "solitary confinement",
    "task force",
    "chain of custody",
    "inspector general",
    "freedom of information",
)
FIRST_NAMES = _words(
    """maria james robert linda michael patricia david jennifer carlos ana luis
    sofia ahmed fatima wei mei john sarah daniel laura kevin emily jose rosa
    miguel elena"""
)
LAST_NAMES = _words(
    """garcia smith johnson rodriguez martinez hernandez lopez gonzalez wilson
    anderson thomas taylor moore jackson martin lee perez thompson white harris
    sanchez clark ramirez lewis robinson walker young allen king"""
)
SYSTEMS = ("TECS", "ICM", "EID", "ENFORCE", "IDENT", "SEVIS", "CLAIMS3", "NCIC")
CITATIONS = {
    "b5": "(b)(5)",
    "b6": "(b)(6)",
    "b7c": "(b)(7)(C)",
    "b7e": "(b)(7)(E)",
    "b7a": "(b)(7)(A)",
}
CASE_PREFIXES = ("OPR", "OIG", "ERO", "HSI", "CRCL", "CBP")
SYLLABLES = _words("ka lo mi ver tan sul ob ren gi hav dro pel mun tes ra vik")
VOCABULARY_SIZE = 3000
TOPIC_DRAWS = 25


def _vocabulary(rnd: random.Random) -> list[str]:
    """Topic words first, then made-up place and people names, most common first."""
    vocabulary = list(dict.fromkeys(TOPICS))
    seen = set(vocabulary)
    while len(vocabulary) < VOCABULARY_SIZE:
        name = "".join(rnd.choices(SYLLABLES, k=rnd.randint(2, 4))).capitalize()
        if name.lower() not in seen:
            seen.add(name.lower())
            vocabulary.append(name)
    return vocabulary


class TextMaker:
    """Deterministic page texts of about 300 words."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)  # noqa: S311 - test data, not secrets
        self.common_weights = list(
            itertools.accumulate(1.0 / (rank + 1) for rank in range(len(COMMON)))
        )
        self.vocabulary = _vocabulary(self.random)
        self.vocabulary_weights = list(
            itertools.accumulate(
                1.0 / (rank + 10) ** 0.9 for rank in range(len(self.vocabulary))
            )
        )
        self.case_numbers: list[str] = []

    def page(self) -> tuple[str, list[str]]:
        rnd = self.random
        words = rnd.choices(COMMON, cum_weights=self.common_weights, k=250)
        words += rnd.choices(
            self.vocabulary, cum_weights=self.vocabulary_weights, k=TOPIC_DRAWS
        )
        for _ in range(rnd.randint(0, 4)):
            words.append(
                f"{rnd.choice(FIRST_NAMES).capitalize()} "
                f"{rnd.choice(LAST_NAMES).capitalize()}"
            )
        if rnd.random() < 0.2:
            number = (
                f"{rnd.choice(CASE_PREFIXES)}-{rnd.randint(2015, 2024)}-"
                f"{rnd.randint(0, 99999):05d}"
            )
            words.append(number)
            if len(self.case_numbers) < 500:
                self.case_numbers.append(number)
        if rnd.random() < 0.3:
            words.append(f"{rnd.choice(SYSTEMS)}/{rnd.choice(SYSTEMS)}")
        if rnd.random() < 0.25:
            words.append(rnd.choice(PHRASES))
        exemptions = []
        if rnd.random() < 0.35:
            exemptions = rnd.sample(sorted(CITATIONS), k=rnd.randint(1, 2))
            words.extend(f"withheld under {CITATIONS[code]}" for code in exemptions)
        for _ in range(rnd.randint(0, 3)):  # OCR noise
            words.append("".join(rnd.choices(SYLLABLES, k=rnd.randint(2, 4))))
        rnd.shuffle(words)
        lines = [" ".join(words[at : at + 12]) for at in range(0, len(words), 12)]
        return ".\n".join(lines) + ".", exemptions


# --- The parent process: one subprocess per variant ------------------------------


@benchmark("search")
def search_benchmark() -> list[Figure]:
    pages = int(os.environ.get("BENCH_PAGES", "100000"))
    database_url = os.environ.get("DATABASE_URL", "")
    on_postgres = database_url.startswith("postgres")
    wanted = os.environ.get("BENCH_SEARCH_BACKENDS", "whoosh,postgres").split(",")
    figures: list[Figure] = []
    if "whoosh" in wanted:
        figures += _variant("whoosh", pages)
    if "postgres" in wanted and on_postgres:
        figures += _variant("postgres", pages)
        if os.environ.get("BENCH_PG_PAGES"):
            figures += _variant("postgres", int(os.environ["BENCH_PG_PAGES"]))
    elif "postgres" in wanted:
        print("  (PostgreSQL skipped: DATABASE_URL is not postgres://)", flush=True)
    return figures


def _variant(backend: str, pages: int) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        env = {
            **os.environ,
            "DEBUG": "1",
            "Q_SYNC": "1",
            "SEARCH_BACKEND": backend,
            "SEARCH_INDEX_DIR": str(Path(folder) / "index"),
            "MEDIA_ROOT": str(Path(folder) / "media"),
            "VAR_DIR": folder,
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        scratch = None
        if backend == "postgres":
            base = os.environ["DATABASE_URL"]
            if os.environ.get("BENCH_PG_KEEP"):
                kept = f"bench_search_{pages}"
                if not _admin_exists(base, kept):
                    _admin(base, f'CREATE DATABASE "{kept}"')
                env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + kept
                env["BENCH_REUSE"] = "1"
            else:
                scratch = f"bench_workbench_{os.getpid()}"
                _admin(base, f'CREATE DATABASE "{scratch}"')
                env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + scratch
        else:
            env["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        try:
            completed = subprocess.run(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "bench.bench_search", backend, str(pages)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
                check=True,
            )
        finally:
            if scratch:
                _admin(
                    os.environ["DATABASE_URL"],
                    f'DROP DATABASE "{scratch}" WITH (FORCE)',
                )
        rows = json.loads(completed.stdout.strip().splitlines()[-1])
        return [tuple(row) for row in rows]


def _admin(database_url: str, statement: str) -> None:
    import psycopg

    maintenance = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(statement)


def _admin_exists(database_url: str, name: str) -> bool:
    import psycopg

    maintenance = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(maintenance, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return found is not None


# --- The subprocess: generate, index, query ------------------------------------------


def _progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def _generate(pages: int) -> dict:
    import datetime

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from documents.models import Document, Page
    from foia import roles
    from foia.models import Agency, FoiaRequest, Status, Visibility

    rnd = random.Random(SEED)  # noqa: S311 - test data, not secrets
    user_model = get_user_model()
    reporters = []
    for index in range(8):
        user = user_model.objects.create_user(f"reporter{index}", password=None)
        user.groups.add(Group.objects.get_or_create(name=roles.REPORTER)[0])
        reporters.append(user)
    agencies = list(Agency.objects.values_list("pk", flat=True))
    visibilities = (
        [Visibility.NEWSROOM] * 7 + [Visibility.PRIVATE] * 2 + [Visibility.PUBLIC]
    )
    today = timezone.localdate()
    requests = []
    for index in range(max(10, pages // 400)):
        embargo = today + datetime.timedelta(days=30) if index % 20 == 0 else None
        requests.append(
            FoiaRequest(
                title=f"Request {index}: {' '.join(rnd.sample(TOPICS, 3))}",
                body="Generated for the search benchmark.",
                agency_id=rnd.choice(agencies),
                requester=rnd.choice(reporters),
                status=Status.SUBMITTED,
                visibility=rnd.choice(visibilities),
                embargo_until=embargo,
            )
        )
    FoiaRequest.objects.bulk_create(requests, batch_size=1000)
    request_ids = list(FoiaRequest.objects.values_list("pk", flat=True))

    maker = TextMaker(SEED)
    documents = pages // PAGES_PER_DOCUMENT + (pages % PAGES_PER_DOCUMENT > 0)
    made = 0
    started = time.perf_counter()
    for first in range(0, documents, 50):
        batch = []
        for index in range(first, min(documents, first + 50)):
            batch.append(
                Document(
                    title=f"Release {index}",
                    # One in twenty came without a request.
                    request_id=None if index % 20 == 7 else rnd.choice(request_ids),
                    uploaded_by=rnd.choice(reporters),
                    original=f"originals/bench/{index}.pdf",
                    sha256=f"{index:064x}",
                    size=1,
                    kind=Document.Kind.PDF,
                    state=Document.State.DONE,
                    page_count=PAGES_PER_DOCUMENT,
                    pages_done=PAGES_PER_DOCUMENT,
                )
            )
        created = Document.objects.bulk_create(batch)
        rows = []
        for document in created:
            received = datetime.date(2016, 1, 1) + datetime.timedelta(
                days=rnd.randint(0, 9 * 365)
            )
            Document.objects.filter(pk=document.pk).update(
                created_at=timezone.make_aware(
                    datetime.datetime.combine(received, datetime.time(12))
                )
            )
            for number in range(1, PAGES_PER_DOCUMENT + 1):
                if made >= pages:
                    break
                text, exemptions = maker.page()
                rows.append(
                    Page(
                        document=document,
                        number=number,
                        state=Page.State.DONE,
                        text=text,
                        source=Page.Source.OCR if rnd.random() < 0.8 else "text",
                        exemptions=exemptions,
                    )
                )
                made += 1
        Page.objects.bulk_create(rows, batch_size=2000)
        if first % 1000 == 0:
            _progress(f"generated {made:,} pages")
    return {
        "reporter": reporters[0],
        "generate_seconds": time.perf_counter() - started,
        "case_numbers": maker.case_numbers,
    }


def _queries(rnd: random.Random, case_numbers: list[str]) -> dict[str, list[str]]:
    topics = list(dict.fromkeys(TOPICS))
    pick = rnd.sample
    return {
        "term": pick(topics, QUERIES_PER_KIND),
        "two terms": [" ".join(pick(topics, 2)) for _ in range(QUERIES_PER_KIND)],
        "phrase": [f'"{rnd.choice(PHRASES)}"' for _ in range(QUERIES_PER_KIND)],
        "filtered": [
            f"{word} agency:{rnd.choice(['ICE', 'DHS', 'FBI', 'CBP'])} "
            f"{rnd.choice(['year:2019', 'exemption:b6', 'from:2020-01-01'])}"
            for word in pick(topics, QUERIES_PER_KIND)
        ],
        "case number": [rnd.choice(case_numbers) for _ in range(QUERIES_PER_KIND)],
        "prefix": [f"{word[:5]}*" for word in pick(topics, QUERIES_PER_KIND)],
        "fuzzy": [f"{word}~" for word in pick(topics, QUERIES_PER_KIND)],
        "frequent term": [rnd.choice(FREQUENT) for _ in range(QUERIES_PER_KIND)],
    }


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def _reusable(pages: int) -> dict | None:
    """With ``BENCH_PG_KEEP``: what the queries need, if a kept database holds
    the generated pages, fully indexed, already (else it is emptied)."""
    from django.contrib.auth import get_user_model

    from documents.models import Page
    from search.engine import get_backend

    if not os.environ.get("BENCH_REUSE"):
        return None
    backend = get_backend()
    held = Page.objects.count()
    if held == pages and backend.count() == pages and not backend.get_checkpoint():
        maker = TextMaker(SEED)  # the same pages again, for their case numbers
        while len(maker.case_numbers) < 500:
            maker.page()
        return {
            "reporter": get_user_model().objects.get(username="reporter0"),
            "case_numbers": maker.case_numbers,
        }
    if held:
        from django.db import connection

        _progress("the kept database holds something else: emptying it")
        # What the benchmark made, and all that refers to it; the agencies,
        # jurisdictions and roles the migrations loaded stay (a flush would
        # take them too).
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE documents_document, foia_foiarequest, "
                + get_user_model()._meta.db_table
                + " CASCADE"
            )
        backend.clear()
    return None


def _index(label: str, backend: str) -> list[Figure]:
    """Rebuild the whole index, then index a few documents the pipeline's way."""
    import search
    from documents.models import Document
    from search.maintenance import rebuild

    chunk = int(
        os.environ.get("BENCH_CHUNK", "5000" if backend == "whoosh" else "2000")
    )
    started = time.perf_counter()
    last = [time.perf_counter()]

    def progress(done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 60:
            last[0] = time.perf_counter()
            _progress(f"indexed {done:,}/{total:,}")

    report = rebuild(chunk_size=chunk, progress=progress)
    seconds = time.perf_counter() - started
    figures: list[Figure] = [
        (f"{label}: rebuild, chunks of {chunk:,}", report.done / seconds, "pages/s"),
    ]
    # The pipeline's path: one finished document at a time.
    documents = list(Document.objects.order_by("-pk").values_list("pk", flat=True)[:10])
    started = time.perf_counter()
    indexed = sum(search.index_document(pk, notify=False) for pk in documents)
    figures.append(
        (
            f"{label}: index_document ({PAGES_PER_DOCUMENT} pages each)",
            indexed / (time.perf_counter() - started),
            "pages/s",
        )
    )
    return figures


def worker(backend: str, pages: int) -> list[Figure]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import search
    from search.backends.base import SearchPlan
    from search.engine import get_backend, plan_for
    from search.visibility import scope_for

    label = f"{backend} {pages:,} pages"
    figures: list[Figure] = []
    reused = _reusable(pages)
    if reused:
        data = reused
        _progress(f"reusing the {pages:,} pages indexed by an earlier run")
    else:
        data = _generate(pages)
        _progress(f"generated in {data['generate_seconds']:.0f} s; indexing")
        figures += _index(label, backend)
    user = data["reporter"]
    started = time.perf_counter()
    search.search("warden", user=user)
    figures.append(
        (f"{label}: first query (cold)", (time.perf_counter() - started) * 1000, "ms")
    )
    rnd = random.Random(SEED + 1)  # noqa: S311 - test data, not secrets
    queries = _queries(rnd, data["case_numbers"])
    for kind, texts in queries.items():
        times, totals = [], []
        for text in texts:
            started = time.perf_counter()
            result = search.search(text, user=user)
            times.append((time.perf_counter() - started) * 1000)
            if result.error:
                raise RuntimeError(f"{text}: {result.error}")
            totals.append(result.total)
        figures.append((f"{label}: {kind} p50", _percentile(times, 0.5), "ms"))
        figures.append((f"{label}: {kind} p95", _percentile(times, 0.95), "ms"))
        figures.append(
            (f"{label}: {kind}, median matches", _percentile(totals, 0.5), "pages")
        )
    # The index alone: no snippets, grouping or labels from the database.
    times = []
    scope = scope_for(user)
    for text in queries["term"]:
        node, _asked = plan_for(text)
        started = time.perf_counter()
        get_backend().search(SearchPlan(node=node, scope=scope))
        times.append((time.perf_counter() - started) * 1000)
    figures.append((f"{label}: term, index only p50", _percentile(times, 0.5), "ms"))
    figures.append((f"{label}: term, index only p95", _percentile(times, 0.95), "ms"))
    return figures


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    rows = worker(sys.argv[1], int(sys.argv[2]))
    print(json.dumps(rows))
