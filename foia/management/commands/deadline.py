"""``manage.py deadline JURISDICTION [--received D] ...``: the deadline calculator.

Reads the rules from the database (the Jurisdiction and Holiday rows, as the
migration loaded them and the admin edits them) and prints one ``name YYYY-MM-DD``
line per deadline that follows, or ``response_due none`` where the law sets none.
Bad input: one line on stderr and exit status 2.
"""

from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from foia import deadlines
from foia.models import Jurisdiction

EXIT_BAD_INPUT = 2


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{option} {text!r} is not a date; give YYYY-MM-DD",
            returncode=EXIT_BAD_INPUT,
        ) from None


def _parse_toll(text: str) -> tuple[date, date]:
    start, sep, end = text.partition(":")
    if not sep:
        raise CommandError(
            f"--toll {text!r} must be FROM:TO, two dates YYYY-MM-DD",
            returncode=EXIT_BAD_INPUT,
        )
    return _parse_date(start, "--toll FROM"), _parse_date(end, "--toll TO")


class Command(BaseCommand):
    help = "Print the statutory deadlines that follow from the given dates."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def one_line_error(message: str):
            if parser.called_from_command_line:
                sys.stderr.write(f"deadline: {message}\n")
                sys.exit(EXIT_BAD_INPUT)
            raise CommandError(message, returncode=EXIT_BAD_INPUT)

        parser.error = one_line_error
        return parser

    def add_arguments(self, parser) -> None:
        parser.add_argument("jurisdiction", help="US, US-CA, US-NY, ...")
        parser.add_argument("--received", metavar="D")
        parser.add_argument("--first-received", metavar="D")
        parser.add_argument("--acknowledged", metavar="D")
        parser.add_argument("--toll", metavar="FROM:TO", action="append", default=[])
        parser.add_argument("--adverse", metavar="D")
        parser.add_argument("--appeal-received", metavar="D")

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except CommandError as error:
            if not options.get("traceback") and getattr(
                self, "_called_from_command_line", False
            ):
                self.stderr.write(f"deadline: {error}")
                sys.exit(error.returncode)
            raise

    def handle(self, *args, **options) -> None:
        code = options["jurisdiction"].strip().upper()
        dates = {
            "received": options["received"]
            and _parse_date(options["received"], "--received"),
            "first_received": options["first_received"]
            and _parse_date(options["first_received"], "--first-received"),
            "acknowledged": options["acknowledged"]
            and _parse_date(options["acknowledged"], "--acknowledged"),
            "adverse": options["adverse"]
            and _parse_date(options["adverse"], "--adverse"),
            "appeal_received": options["appeal_received"]
            and _parse_date(options["appeal_received"], "--appeal-received"),
        }
        tolls = [_parse_toll(text) for text in options["toll"]]
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        if jurisdiction is None:
            known = ", ".join(Jurisdiction.objects.values_list("code", flat=True))
            raise CommandError(
                f"unknown jurisdiction {options['jurisdiction']!r}; known: {known}",
                returncode=EXIT_BAD_INPUT,
            )
        try:
            found = deadlines.compute_deadlines(
                rule=jurisdiction.clock_rule(),
                holidays=jurisdiction.holiday_rules(),
                tolls=tolls,
                **{name: value or None for name, value in dates.items()},
            )
        except ValueError as error:
            raise CommandError(
                str(error).splitlines()[0], returncode=EXIT_BAD_INPUT
            ) from None
        for name, value in found.items():
            self.stdout.write(f"{name} {value.isoformat() if value else 'none'}")
