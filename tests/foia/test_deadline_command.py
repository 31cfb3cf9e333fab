"""``manage.py deadline``: the rules as the database holds them, one line per date."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from foia.deadlines import compute_deadlines, load_rules
from foia.models import Holiday, Jurisdiction
from tests.conftest import ROOT, _test_database_url

pytestmark = pytest.mark.django_db


def deadline(*args: str) -> list[str]:
    out = StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue().splitlines()


def test_federal_deadlines_in_order():
    lines = deadline(
        "US",
        "--received",
        "2025-03-03",
        "--adverse",
        "2025-04-01",
        "--appeal-received",
        "2025-04-07",
    )

    assert lines == [
        "response_due 2025-03-31",
        "extended_due 2025-04-14",
        "expedite_decision_due 2025-03-13",
        "appeal_filing_due 2025-06-30",
        "appeal_decision_due 2025-05-05",
        "appeal_decision_extended_due 2025-05-19",
    ]


def test_tolls_push_the_dates_back():
    lines = deadline(
        "us", "--received", "2025-03-03", "--toll", "2025-03-10:2025-03-17"
    )
    assert lines[:2] == ["response_due 2025-04-07", "extended_due 2025-04-21"]


def test_misdirected_request_uses_the_first_receipt():
    lines = deadline("US", "--received", "2025-03-03", "--first-received", "2025-02-03")
    assert lines[0] == "response_due 2025-03-18"


def test_new_york_counts_from_the_acknowledgement():
    assert deadline("US-NY", "--received", "2025-03-03") == ["response_due 2025-04-07"]
    assert deadline(
        "US-NY", "--received", "2025-03-03", "--acknowledged", "2025-03-05"
    ) == ["response_due 2025-04-02"]


def test_a_law_without_a_deadline_says_none():
    assert deadline("US-FL", "--received", "2025-03-03") == ["response_due none"]


def test_appeal_only_dates_print_only_appeal_lines():
    assert deadline("US", "--adverse", "2025-04-01") == ["appeal_filing_due 2025-06-30"]


@pytest.mark.parametrize("code", sorted(load_rules()))
def test_the_database_rules_match_the_data_file(code):
    rule, holidays = load_rules()[code]
    jurisdiction = Jurisdiction.objects.get(code=code)
    assert jurisdiction.clock_rule() == rule
    assert sorted(map(repr, jurisdiction.holiday_rules())) == sorted(
        map(repr, holidays)
    )
    expected = compute_deadlines(
        rule=rule,
        holidays=holidays,
        received=date(2025, 12, 19),
        adverse=date(2025, 12, 22),
        appeal_received=date(2025, 12, 23),
    )
    lines = deadline(
        code,
        "--received",
        "2025-12-19",
        "--adverse",
        "2025-12-22",
        "--appeal-received",
        "2025-12-23",
    )
    assert lines == [
        f"{name} {value.isoformat() if value else 'none'}"
        for name, value in expected.items()
    ]


def test_an_admin_edit_takes_effect():
    us = Jurisdiction.objects.get(code="US")
    Holiday.objects.create(
        jurisdiction=us, name="Snow day", kind="fixed", month=3, day=14
    )
    assert deadline("US", "--received", "2025-03-03")[0] == "response_due 2025-04-01"
    us.response_days = 10
    us.save()
    assert deadline("US", "--received", "2025-03-03")[0] == "response_due 2025-03-18"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["US", "--received", "2025-02-30"], "--received '2025-02-30' is not a date"),
        (["XX", "--received", "2025-03-03"], "unknown jurisdiction 'XX'; known: US"),
        (["US", "--toll", "2025-03-10"], "must be FROM:TO"),
        (
            ["US", "--received", "2025-03-03", "--toll", "2025-03-17:2025-03-10"],
            "ends before it starts",
        ),
        (
            ["US", "--received", "2025-03-05", "--acknowledged", "2025-03-03"],
            "acknowledgement (2025-03-03) cannot be before receipt (2025-03-05)",
        ),
    ],
)
def test_bad_input_is_a_command_error_with_status_2(args, words):
    with pytest.raises(CommandError) as caught:
        call_command("deadline", *args)
    assert caught.value.returncode == 2
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": _test_database_url(), "DEBUG": "1"}
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "deadline", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["US", "--received", "yesterday"],
        ["NOWHERE", "--received", "2025-03-03"],
        ["US", "--no-such-option"],
        [],
    ],
)
def test_from_the_shell_bad_input_prints_one_line_and_exits_2(args):
    finished = _run(*args)

    assert finished.returncode == 2, finished.stderr
    assert finished.stdout == ""
    assert len(finished.stderr.strip().splitlines()) == 1, finished.stderr
    assert finished.stderr.startswith("deadline: ")


def test_from_the_shell_good_input_prints_the_dates():
    finished = _run("US-CA", "--received", "2025-03-03")

    assert finished.returncode == 0, finished.stderr
    # California: 10 calendar days, extendable by 14, rolled forward.
    assert finished.stdout.splitlines() == [
        "response_due 2025-03-13",
        "extended_due 2025-03-27",
    ]
