"""CSV versions of the desk's tables: one function per table, rows as lists."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date

from django.http import HttpResponse
from django.utils import timezone

from desk import selectors


def csv_safe(value: object) -> object:
    """Neutralise spreadsheet formulas in text people typed."""
    if isinstance(value, str) and value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def csv_response(
    name: str, header: list[str], rows: Iterable[Iterable[object]]
) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else csv_safe(v) for v in row])
    return response


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


REQUEST_HEADER = [
    "request_id",
    "title",
    "agency",
    "requester",
    "status",
    "filed_on",
    "current_due",
    "days_overdue",
    "appeal_filing_due",
]


def request_rows(requests: Iterable, today: date) -> Iterable[list[object]]:
    for item in requests:
        due = item.current_due
        yield [
            item.pk,
            item.title,
            str(item.agency),
            item.requester.get_username(),
            item.status,
            _iso(item.filed_on),
            _iso(due),
            (today - due).days if due and due < today else 0,
            _iso(item.appeal_filing_due),
        ]


APPEAL_HEADER = [
    "appeal_id",
    "request_id",
    "request_title",
    "agency",
    "requester",
    "filed_on",
    "decision_due",
    "days_overdue",
]


def appeal_rows(appeals: Iterable, today: date) -> Iterable[list[object]]:
    for appeal in appeals:
        due = appeal.due
        yield [
            appeal.pk,
            appeal.request_id,
            appeal.request.title,
            str(appeal.request.agency),
            appeal.request.requester.get_username(),
            _iso(appeal.filed_on),
            _iso(due),
            (today - due).days if due and due < today else 0,
        ]


DOCUMENT_HEADER = [
    "document_id",
    "title",
    "request_id",
    "state",
    "pages",
    "processed_at",
    "error",
]


def document_rows(documents: Iterable, today: date) -> Iterable[list[object]]:
    for document in documents:
        yield [
            document.pk,
            document.title,
            document.request_id or "",
            document.state,
            document.page_count or "",
            document.processed_at.isoformat() if document.processed_at else "",
            document.error_reason,
        ]


LIST_EXPORTS = {
    "request": (REQUEST_HEADER, request_rows),
    "appeal": (APPEAL_HEADER, appeal_rows),
    "document": (DOCUMENT_HEADER, document_rows),
}


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def performance_tables(perf: selectors.Performance, today: date) -> dict:
    """Every table of a performance page: name -> (header, rows)."""
    return {
        "summary": (
            ["measure", "value"],
            [
                ["requests filed", perf.filed],
                ["open backlog", perf.backlog],
                ["acknowledged (requests)", perf.acknowledgement.count],
                ["median days to acknowledgement", _days(perf.acknowledgement.median)],
                ["mean days to acknowledgement", _days(perf.acknowledgement.mean)],
                ["final responses (requests)", perf.final_response.count],
                ["median days to final response", _days(perf.final_response.median)],
                ["mean days to final response", _days(perf.final_response.mean)],
                ["answered with a deadline", perf.determined_with_deadline],
                ["answered on time", perf.on_time],
                ["share answered on time", _share(perf.on_time_share)],
            ],
        ),
        "agencies": (
            [
                "agency",
                "parent_depth",
                "filed",
                "open_backlog",
                "final_responses",
                "median_days_to_final_response",
                "mean_days_to_final_response",
                "answered_on_time",
                "answered_with_deadline",
                "share_on_time",
            ],
            [
                [
                    row.agency.display_name,
                    row.depth,
                    row.filed,
                    row.backlog,
                    row.final_response.count,
                    _days(row.final_response.median),
                    _days(row.final_response.mean),
                    row.on_time,
                    row.determined_with_deadline,
                    _share(row.on_time_share),
                ]
                for row in perf.rows
            ],
        ),
        "outcomes": (
            ["outcome", "requests"],
            [[label, n] for _key, label, n in perf.outcomes],
        ),
        "outcomes_by_quarter": (
            ["quarter", *[key for key, _label in selectors.OUTCOMES]],
            [
                [quarter, *[values.get(key, 0) for key, _l in selectors.OUTCOMES]]
                for quarter, values in perf.outcomes_by_quarter
            ],
        ),
        "response_times": (
            ["days_to_final_response", "requests"],
            perf.final_response.histogram(),
        ),
        "exemptions": (
            ["exemption", "code", "pages"],
            [[e.citation, e.code, e.pages] for e in perf.exemptions],
        ),
        "oldest_pending": (
            [*REQUEST_HEADER, "days_pending"],
            [
                [*row, item.days_pending]
                for row, item in zip(
                    request_rows(perf.oldest_pending, today),
                    perf.oldest_pending,
                    strict=True,
                )
            ],
        ),
    }


def desk_tables(summary: selectors.DeskSummary) -> dict:
    """The desk page's own tables: name -> (header, rows)."""
    return {
        "counts": (
            ["list", "title", "count"],
            [
                [kind, selectors.DESK_LISTS[kind].title, count]
                for kind, count in summary.counts.items()
            ],
        ),
        "overdue_by_days": (
            ["days_overdue", "requests"],
            [[bucket.label, bucket.count] for bucket in summary.overdue_buckets],
        ),
        "load": (
            ["user_id", "username", "name", "open", "overdue", "due_soon", "waiting"],
            [
                [
                    row.user_id,
                    row.username,
                    row.name,
                    row.open,
                    row.overdue,
                    row.due_soon,
                    row.waiting_on_us,
                ]
                for row in summary.reporter_load
            ],
        ),
    }
