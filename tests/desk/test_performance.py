"""Agency performance on a small dataset whose numbers are known by hand.

Testland counts calendar days: a response is due 10 days after receipt, 20 once
the agency invokes its extension.

    request  agency  filed  acknowledged  determined         days  on time
    r1       DOP     T-100  T-97 (3)      T-80 full          20    no (due T-90)
    r2       OFP     T-100  T-99 (1)      T-95 denied         5    yes
    r3       OFP     T-60   -             T-45 full          15    yes (extended T-40)
    r4       DOP     T-50   T-42 (8)      T-41 no records     9    yes
    r5       DOP     T-30   -             T-20 partial       10    yes (due T-20)
    r6       DOP     T-200  -             pending
    r7       OFP     T-5    -             pending
    otto's   DOP     T-100  -             T-99 denied (private: Rita never sees it)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

import pytest

from desk import selectors
from foia.models import CommunicationKind, Status
from tests.desk.conftest import file_request, log_incoming, make_document

pytestmark = pytest.mark.django_db


@dataclass
class Dataset:
    requests: dict


@pytest.fixture
def dataset(reporter, other_reporter, department, office) -> Dataset:
    r = {}
    r["r1"] = file_request(reporter, department, filed_days_ago=100, title="r1")
    log_incoming(reporter, r["r1"], CommunicationKind.ACKNOWLEDGEMENT, days_ago=97)
    log_incoming(reporter, r["r1"], CommunicationKind.FINAL_RESPONSE, days_ago=80)

    r["r2"] = file_request(reporter, office, filed_days_ago=100, title="r2")
    log_incoming(reporter, r["r2"], CommunicationKind.ACKNOWLEDGEMENT, days_ago=99)
    log_incoming(reporter, r["r2"], CommunicationKind.DENIAL, days_ago=95)

    r["r3"] = file_request(reporter, office, filed_days_ago=60, title="r3")
    log_incoming(reporter, r["r3"], CommunicationKind.EXTENSION_NOTICE, days_ago=55)
    log_incoming(reporter, r["r3"], CommunicationKind.FINAL_RESPONSE, days_ago=45)

    r["r4"] = file_request(reporter, department, filed_days_ago=50, title="r4")
    log_incoming(reporter, r["r4"], CommunicationKind.ACKNOWLEDGEMENT, days_ago=42)
    log_incoming(reporter, r["r4"], CommunicationKind.NO_RECORDS, days_ago=41)

    r["r5"] = file_request(reporter, department, filed_days_ago=30, title="r5")
    log_incoming(
        reporter,
        r["r5"],
        CommunicationKind.FINAL_RESPONSE,
        days_ago=20,
        to_status=Status.PARTIALLY_DENIED,
    )

    r["r6"] = file_request(reporter, department, filed_days_ago=200, title="r6")
    r["r7"] = file_request(reporter, office, filed_days_ago=5, title="r7")

    r["otto"] = file_request(other_reporter, department, filed_days_ago=100)
    log_incoming(other_reporter, r["otto"], CommunicationKind.DENIAL, days_ago=99)

    make_document(r["r2"], exemptions=[["b6", "b7c"], ["b6"], ["b5"]])
    make_document(r["r5"], exemptions=[["b6"], []])
    make_document(r["otto"], exemptions=[["b3"], ["b3"], ["b3"], ["b3"]])
    return Dataset(r)


def test_department_figures_include_its_components(dataset, reporter, department):
    perf = selectors.agency_performance(reporter, department)

    assert perf.filed == 7
    assert perf.backlog == 2
    assert perf.acknowledgement.distribution == [(1, 1), (3, 1), (8, 1)]
    assert (perf.acknowledgement.median, perf.acknowledgement.mean) == (3, 4)
    assert perf.final_response.count == 5
    assert perf.final_response.median == 10
    assert perf.final_response.mean == pytest.approx(11.8)
    assert (perf.on_time, perf.determined_with_deadline) == (4, 5)
    assert perf.on_time_share == pytest.approx(0.8)
    assert perf.outcomes == [
        ("full", "Full release", 2),
        ("partial", "Partial", 1),
        ("denied", "Denied", 1),
        ("no_records", "No records", 1),
    ]


def test_oldest_pending_requests_come_first(dataset, reporter, department, today):
    perf = selectors.agency_performance(reporter, department)

    assert [(r.title, r.days_pending) for r in perf.oldest_pending] == [
        ("r6", 200),
        ("r7", 5),
    ]


def test_rows_break_figures_down_by_component(dataset, reporter, department):
    rows = {
        row.agency.slug: row
        for row in selectors.agency_performance(reporter, department).rows
    }

    assert [slug for slug in rows] == ["test-dop", "test-ofp"]
    assert rows["test-ofp"].depth == 1
    assert (rows["test-dop"].filed, rows["test-ofp"].filed) == (4, 3)
    assert rows["test-dop"].final_response.median == 10
    assert rows["test-dop"].final_response.mean == pytest.approx(13)
    assert rows["test-ofp"].final_response.distribution == [(5, 1), (15, 1)]
    assert rows["test-ofp"].final_response.median == 10
    assert rows["test-ofp"].on_time_share == 1


def test_a_component_alone(dataset, reporter, office):
    perf = selectors.agency_performance(reporter, office)

    assert perf.filed == 3
    assert [row.agency.slug for row in perf.rows] == ["test-ofp"]


def test_exemptions_are_counted_over_released_pages(dataset, reporter, department):
    exemptions = selectors.agency_performance(reporter, department).exemptions

    assert [(e.code, e.citation, e.pages) for e in exemptions] == [
        ("b6", "(b)(6)", 3),
        ("b5", "(b)(5)", 1),
        ("b7c", "(b)(7)(C)", 1),
    ]


def test_hidden_requests_never_count(dataset, reporter, editor, department):
    rita_sees = selectors.agency_performance(reporter, department)
    editor_sees = selectors.agency_performance(editor, department)

    assert (rita_sees.filed, editor_sees.filed) == (7, 8)
    assert "b3" not in {e.code for e in rita_sees.exemptions}
    assert editor_sees.exemptions[0].code == "b3"
    assert editor_sees.final_response.count == 6


def test_outcomes_per_quarter_add_up(dataset, reporter, department):
    perf = selectors.agency_performance(reporter, department)

    per_quarter = sum(sum(v.values()) for _q, v in perf.outcomes_by_quarter)
    assert per_quarter == 5
    assert all(" Q" in label for label, _values in perf.outcomes_by_quarter)


def test_response_time_histogram(dataset, reporter, department):
    histogram = dict(
        selectors.agency_performance(reporter, department).final_response.histogram()
    )

    assert histogram["0–10"] == 3  # 5, 9, 10
    assert histogram["11–20"] == 2  # 15, 20
    assert sum(histogram.values()) == 5


def test_jurisdiction_covers_all_its_agencies(dataset, reporter, law, bureau):
    perf = selectors.jurisdiction_performance(reporter, law)

    assert perf.filed == 7
    assert [row.agency.slug for row in perf.rows] == [
        "test-bop",
        "test-dop",
        "test-ofp",
    ]


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    stats = selectors.DaysStats([(2, 1), (4, 2), (9, 1)])

    assert stats.median == 4
    assert selectors.DaysStats([(2, 1), (5, 1)]).median == 3.5
    assert selectors.DaysStats([]).median is None


def test_agency_page_shows_figures_and_charts(client, dataset, reporter, department):
    client.force_login(reporter)

    response = client.get(f"/desk/agencies/{department.slug}/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Department of Probes" in text
    assert "<svg" in text and 'class="chart-bar series-full"' in text
    assert "(b)(6)" in text
    assert "Office of Field Probes" in text


def test_every_table_of_the_agency_page_exports_as_csv(
    client, dataset, reporter, department
):
    client.force_login(reporter)
    for table in (
        "summary",
        "agencies",
        "outcomes",
        "outcomes_by_quarter",
        "response_times",
        "exemptions",
        "oldest_pending",
    ):
        response = client.get(
            f"/desk/agencies/{department.slug}/", {"format": "csv", "table": table}
        )
        assert response.status_code == 200, table
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert len(rows) >= 2, table

    summary = dict(
        csv.reader(
            io.StringIO(
                client.get(
                    f"/desk/agencies/{department.slug}/",
                    {"format": "csv", "table": "summary"},
                ).content.decode()
            )
        )
    )
    assert summary["median days to final response"] == "10.0"
    assert summary["share answered on time"] == "0.800"


def test_unknown_csv_table_is_not_found(client, dataset, reporter, department):
    client.force_login(reporter)

    response = client.get(
        f"/desk/agencies/{department.slug}/", {"format": "csv", "table": "nope"}
    )

    assert response.status_code == 404


def test_jurisdiction_and_overview_pages(client, dataset, reporter, law):
    client.force_login(reporter)

    assert client.get(f"/desk/jurisdictions/{law.code}/").status_code == 200
    overview = client.get("/desk/agencies/")
    assert overview.status_code == 200
    assert b"All agencies" in overview.content


def test_pending_for_days_counts_from_receipt(dataset, reporter, office, today):
    perf = selectors.agency_performance(reporter, office)

    (pending,) = perf.oldest_pending
    assert pending.current_due == today + timedelta(days=5)


def test_an_appealed_request_counts_with_the_determination_it_appealed(
    reporter, department, today
):
    from foia import services as foia_services

    request = file_request(reporter, department, filed_days_ago=40)
    log_incoming(reporter, request, CommunicationKind.DENIAL, days_ago=30)
    foia_services.appeal_file(
        actor=reporter,
        request=request,
        basis="adverse",
        filed_on=today - timedelta(days=20),
    )

    perf = selectors.agency_performance(reporter, department)

    assert perf.outcomes[2] == ("denied", "Denied", 1)
    assert sum(sum(v.values()) for _q, v in perf.outcomes_by_quarter) == 1


def test_agency_page_queries_can_be_logged(client, dataset, reporter, department):
    """Query logging (DEBUG, CaptureQueriesContext) formats each query with its
    parameters; a literal % in generated SQL must survive that."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(reporter)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/desk/agencies/{department.slug}/")

    assert response.status_code == 200
    assert any(" Q" in query["sql"] for query in queries.captured_queries)


def test_the_backlog_links_to_the_request_list_of_as_many_rows(
    client, dataset, reporter, department
):
    client.force_login(reporter)
    html = client.get(f"/desk/agencies/{department.slug}/").content.decode()

    url = f"/requests/?agency={department.slug}&status=awaiting"
    assert url.replace("&", "&amp;") in html
    assert client.get(url).context["page"].paginator.count == 2
