"""Statutory clocks for public-records requests: pure date arithmetic.

Nothing here touches the database or Django. A jurisdiction's law is described by a
``ClockRule`` (how many days, counted how, from what) and a list of ``HolidayRule``
(which days are not business days, and which days a deadline may not land on); both
come from ``foia/data/jurisdictions.json`` through ``load_rules`` or, in the app, from
database rows the lead loads from the same file. ``compute_deadlines`` turns the dates
a reporter knows into the dates the law sets.

Counting conventions, shared by every jurisdiction:

- The day of the triggering event is day 0; "5 business days after receipt" ends on
  the fifth working day after the day of receipt.
- A business (working) day is a Monday to Friday that is not a non-business holiday.
- A calendar-day deadline that lands on a Saturday, Sunday or any legal holiday moves
  to the next working day only when the rule's ``roll_forward`` is set (the federal
  FOIA has no such rule; most states do).
- A toll ``(paused_from, paused_to)`` stops the clock for the days in
  ``(paused_from, paused_to]``: the day the agency asked still counts, the day the
  answer arrived does not. A toll only matters if it starts on or before the deadline
  it would extend; tolled days are counted in the unit of the period they fall in.

``jurisdictions.json`` schema (flat, one object per jurisdiction, model-friendly)::

    {"jurisdictions": [
      {"code": "US", "name": "United States (federal)",
       "rule": {                          # every ClockRule field except code and name
         "response_days": 20,             # int or null when the law sets no deadline
         "response_unit": "business",     # "business" | "calendar"
         "counts_from": "received",       # "received" | "acknowledged"
         "acknowledge_days": null, "acknowledge_unit": "business",
         "extension_days": 10, "extension_unit": "business",
         "expedite_decision_days": 10,    # calendar days, or null
         "appeal_filing_days": 90, "appeal_filing_unit": "calendar",
         "appeal_decision_days": 20, "appeal_decision_unit": "business",
         "appeal_extension_days": 10, "appeal_extension_unit": "business",
         "roll_forward": false,
         "misdirected_grace_days": 10,    # working days, or null
         "citations": {"response": "5 U.S.C. 552(a)(6)(A)(i)", ...},
         "notes": ["uncertainty and choices, one sentence or paragraph each"]},
       "holidays": [HolidayRule objects, below]}]}

A holiday rule (every key but ``name`` and ``kind`` is optional)::

    {"name": "Memorial Day",
     "kind": "nth_weekday",  # fixed | nth_weekday | relative | easter | election_day
     "month": 5, "day": null,    # fixed: month and day; nth_weekday: month
     "weekday": 0, "n": -1,      # nth_weekday: Monday=0..Sunday=6; n 1..5, -1 last
     "base": null,               # relative: name of another rule in the same list
     "offset_days": 0,           # relative and easter (Good Friday is -2)
     "from_year": 1971, "to_year": null,   # inclusive; null means open-ended
     "every_n_years": 1,         # >1 needs from_year, the first year it applies
     "observed": "none",         # none | mon_after_sun | fri_before_sat_mon_after_sun
     "scope": null,              # e.g. "Suffolk County": ignored unless asked for
     "counts_as_business_day": false,  # true: offices stay open, but a deadline
                                       # landing on the day still rolls forward
     "citation": "5 U.S.C. 6103(a)", "note": ""}

``election_day`` is the Tuesday after the first Monday in November. A ``relative``
rule is anchored on the base holiday's actual date, not its observed one.
"""

from __future__ import annotations

import calendar as _gregorian
import json
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

__all__ = [
    "DEADLINE_NAMES",
    "JURISDICTIONS_PATH",
    "Calendar",
    "ClockRule",
    "Deadlines",
    "HolidayRule",
    "compute_deadlines",
    "holiday_dates",
    "load_rules",
    "observed_holidays",
]

Unit = Literal["business", "calendar"]
ClockStart = Literal["received", "acknowledged"]
HolidayKind = Literal["fixed", "nth_weekday", "relative", "easter", "election_day"]
Observance = Literal["none", "mon_after_sun", "fri_before_sat_mon_after_sun"]

JURISDICTIONS_PATH = Path(__file__).resolve().parent / "data" / "jurisdictions.json"

# The order the `deadline` command prints them in (DESIGN.md).
DEADLINE_NAMES = (
    "response_due",
    "extended_due",
    "expedite_decision_due",
    "appeal_filing_due",
    "appeal_decision_due",
    "appeal_decision_extended_due",
)

_SATURDAY = 5
_SUNDAY = 6
_MONDAY = 0
_NOVEMBER = 11


def _check_choice(value: object, allowed: object, *, what: str) -> None:
    choices = get_args(allowed)
    if value not in choices:
        raise ValueError(f"{what} must be one of {', '.join(choices)}, not {value!r}")


def _check_days(value: int | None, *, what: str) -> None:
    if value is not None and (isinstance(value, bool) or value < 0):
        raise ValueError(f"{what} must be a whole number of days >= 0, not {value!r}")


def _from_mapping(cls: type, data: Mapping[str, Any], *, what: str) -> dict[str, Any]:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{what}: unknown keys {', '.join(unknown)}")
    return dict(data)


@dataclass(frozen=True, slots=True)
class HolidayRule:
    """One holiday as the law defines it; see the module docstring for the fields."""

    name: str
    kind: HolidayKind
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    n: int | None = None
    base: str | None = None
    offset_days: int = 0
    from_year: int | None = None
    to_year: int | None = None
    every_n_years: int = 1
    observed: Observance = "none"
    scope: str | None = None
    counts_as_business_day: bool = False
    citation: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        what = f"holiday {self.name!r}"
        _check_choice(self.kind, HolidayKind, what=f"{what} kind")
        _check_choice(self.observed, Observance, what=f"{what} observed")
        if self.kind == "fixed":
            if self.month is None or self.day is None:
                raise ValueError(f"{what}: a fixed holiday needs month and day")
            # A leap year accepts every real month/day pair, Feb 29 included.
            date(2000, self.month, self.day)
        if self.kind == "nth_weekday":
            if self.month is None or self.weekday is None or self.n is None:
                raise ValueError(f"{what}: nth_weekday needs month, weekday and n")
            if not 1 <= self.month <= 12 or not 0 <= self.weekday <= 6:
                raise ValueError(f"{what}: month 1-12 and weekday 0-6 (Monday=0)")
            if self.n not in (1, 2, 3, 4, 5, -1):
                raise ValueError(f"{what}: n must be 1 to 5, or -1 for the last")
        if self.kind == "relative" and not self.base:
            raise ValueError(f"{what}: a relative holiday needs a base holiday name")
        if self.every_n_years < 1:
            raise ValueError(f"{what}: every_n_years must be at least 1")
        if self.every_n_years > 1 and self.from_year is None:
            raise ValueError(f"{what}: every_n_years needs from_year as its anchor")
        if (
            self.from_year is not None
            and self.to_year is not None
            and self.to_year < self.from_year
        ):
            raise ValueError(f"{what}: to_year is before from_year")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HolidayRule:
        return cls(**_from_mapping(cls, data, what=f"holiday {data.get('name')!r}"))

    def applies_in(self, year: int) -> bool:
        if self.from_year is not None and year < self.from_year:
            return False
        if self.to_year is not None and year > self.to_year:
            return False
        if self.every_n_years > 1 and self.from_year is not None:
            return (year - self.from_year) % self.every_n_years == 0
        return True


@dataclass(frozen=True)
class ClockRule:
    """A jurisdiction's statutory clock. ``None`` days mean the law sets no deadline.

    ``counts_from="acknowledged"`` (New York) starts the response period at the
    agency's acknowledgement, which is itself due ``acknowledge_days`` after receipt.
    ``misdirected_grace_days`` (federal) starts the clock no later than that many
    working days after any component first received the request.
    """

    code: str
    name: str
    response_days: int | None
    response_unit: Unit = "business"
    counts_from: ClockStart = "received"
    acknowledge_days: int | None = None
    acknowledge_unit: Unit = "business"
    extension_days: int | None = None
    extension_unit: Unit = "business"
    expedite_decision_days: int | None = None
    appeal_filing_days: int | None = None
    appeal_filing_unit: Unit = "calendar"
    appeal_decision_days: int | None = None
    appeal_decision_unit: Unit = "business"
    appeal_extension_days: int | None = None
    appeal_extension_unit: Unit = "business"
    roll_forward: bool = False
    misdirected_grace_days: int | None = None
    citations: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        what = f"rule {self.code}"
        for unit_field in (
            "response_unit",
            "acknowledge_unit",
            "extension_unit",
            "appeal_filing_unit",
            "appeal_decision_unit",
            "appeal_extension_unit",
        ):
            _check_choice(getattr(self, unit_field), Unit, what=f"{what} {unit_field}")
        _check_choice(self.counts_from, ClockStart, what=f"{what} counts_from")
        for days_field in (
            "response_days",
            "acknowledge_days",
            "extension_days",
            "expedite_decision_days",
            "appeal_filing_days",
            "appeal_decision_days",
            "appeal_extension_days",
            "misdirected_grace_days",
        ):
            _check_days(getattr(self, days_field), what=f"{what} {days_field}")
        if self.counts_from == "acknowledged" and self.acknowledge_days is None:
            raise ValueError(f"{what}: counting from acknowledgement needs its days")
        # Accept any sequence from JSON or a model field; keep an immutable tuple.
        object.__setattr__(self, "notes", tuple(self.notes))
        object.__setattr__(self, "citations", dict(self.citations))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClockRule:
        return cls(**_from_mapping(cls, data, what=f"rule {data.get('code')!r}"))


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The dates that follow from the inputs given; ``None`` where none follows.

    ``acknowledgement_due`` (New York's five business days) is not one of the
    deadlines DESIGN.md's command prints, so ``items()`` leaves it out.
    ``no_response_deadline`` is true when a receipt date was given but the law sets
    no response period (Florida's "prompt" response).
    """

    response_due: date | None = None
    extended_due: date | None = None
    expedite_decision_due: date | None = None
    appeal_filing_due: date | None = None
    appeal_decision_due: date | None = None
    appeal_decision_extended_due: date | None = None
    acknowledgement_due: date | None = None
    no_response_deadline: bool = False

    def items(self) -> list[tuple[str, date | None]]:
        """(name, date) for each deadline that follows, in DESIGN.md's order.

        ``("response_due", None)`` stands for "the law sets none".
        """
        found: list[tuple[str, date | None]] = []
        for name in DEADLINE_NAMES:
            value = getattr(self, name)
            if value is not None:
                found.append((name, value))
            elif name == "response_due" and self.no_response_deadline:
                found.append((name, None))
        return found


# --- Holiday expansion -------------------------------------------------------------


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date | None:
    days_in_month = _gregorian.monthrange(year, month)[1]
    if n == -1:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    day = 1 + (weekday - first.weekday()) % 7 + 7 * (n - 1)
    return date(year, month, day) if day <= days_in_month else None


def _easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter by the Meeus/Jones/Butcher computus."""
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    moon_correction = (century + 8) // 25
    orbit_correction = (century - moon_correction + 1) // 3
    epact = (19 * golden + century - leap_centuries - orbit_correction + 15) % 30
    quarter, year_rest = divmod(year_of_century, 4)
    weekday_shift = (32 + 2 * century_rest + 2 * quarter - epact - year_rest) % 7
    late = (golden + 11 * epact + 22 * weekday_shift) // 451
    month, day = divmod(epact + weekday_shift - 7 * late + 114, 31)
    return date(year, month, day + 1)


def _election_day(year: int) -> date:
    november_first = date(year, _NOVEMBER, 1)
    first_monday = november_first + timedelta(
        days=(_MONDAY - november_first.weekday()) % 7
    )
    return first_monday + timedelta(days=1)


def _actual_date(
    rule: HolidayRule,
    year: int,
    rules_by_name: Mapping[str, Sequence[HolidayRule]],
    resolving: frozenset[str] = frozenset(),
) -> date | None:
    if not rule.applies_in(year):
        return None
    if rule.kind == "fixed" and rule.month and rule.day:
        if rule.day > _gregorian.monthrange(year, rule.month)[1]:
            return None  # Feb 29 outside a leap year
        return date(year, rule.month, rule.day)
    if (
        rule.kind == "nth_weekday"
        and rule.month
        and rule.weekday is not None
        and rule.n
    ):
        return _nth_weekday(year, rule.month, rule.weekday, rule.n)
    if rule.kind == "easter":
        return _easter_sunday(year) + timedelta(days=rule.offset_days)
    if rule.kind == "election_day":
        return _election_day(year)
    if rule.kind == "relative" and rule.base:
        if rule.name in resolving:
            raise ValueError(f"holiday {rule.name!r} is defined in terms of itself")
        for base_rule in rules_by_name.get(rule.base, ()):
            base_day = _actual_date(
                base_rule, year, rules_by_name, resolving | {rule.name}
            )
            if base_day is not None:
                return base_day + timedelta(days=rule.offset_days)
        return None
    # HolidayRule.__post_init__ makes this unreachable.
    raise ValueError(f"holiday {rule.name!r} lacks the fields its kind needs")


def _observe(day: date, observed: Observance) -> date:
    weekday = day.weekday()
    if observed == "fri_before_sat_mon_after_sun" and weekday == _SATURDAY:
        return day - timedelta(days=1)
    if observed != "none" and weekday == _SUNDAY:
        return day + timedelta(days=1)
    return day


@lru_cache(maxsize=4096)
def _observed_holidays(
    rules: tuple[HolidayRule, ...], year: int, scopes: frozenset[str]
) -> tuple[tuple[date, HolidayRule], ...]:
    rules_by_name: dict[str, list[HolidayRule]] = {}
    for rule in rules:
        rules_by_name.setdefault(rule.name, []).append(rule)
    found = []
    # New Year's Day of next year can be observed on December 31 of this one.
    for rule_year in (year - 1, year, year + 1):
        for rule in rules:
            if rule.scope is not None and rule.scope not in scopes:
                continue
            actual = _actual_date(rule, rule_year, rules_by_name)
            if actual is None:
                continue
            observed = _observe(actual, rule.observed)
            if observed.year == year:
                found.append((observed, rule))
    found.sort(key=lambda pair: (pair[0], pair[1].name))
    return tuple(found)


def observed_holidays(
    rules: Iterable[HolidayRule], year: int, *, scopes: Collection[str] = ()
) -> tuple[tuple[date, HolidayRule], ...]:
    """Every holiday observed in ``year`` as (observed date, rule), by date."""
    return _observed_holidays(tuple(rules), year, frozenset(scopes))


def holiday_dates(
    rules: Iterable[HolidayRule],
    year: int,
    *,
    scopes: Collection[str] = (),
    non_business_only: bool = False,
) -> frozenset[date]:
    """The observed dates of ``rules`` in ``year``.

    With ``non_business_only``, leaves out holidays that still count as business
    days (offices open, but a deadline landing on them rolls forward).
    """
    return frozenset(
        day
        for day, rule in observed_holidays(rules, year, scopes=scopes)
        if not (non_business_only and rule.counts_as_business_day)
    )


# --- Calendar ---------------------------------------------------------------------


class Calendar:
    """Working-day arithmetic over one jurisdiction's holidays.

    Day 0 is the starting day itself. ``scopes`` switches on holidays that apply
    only to a place (``"Suffolk County"``, ``"DC area"``).
    """

    def __init__(
        self, holidays: Iterable[HolidayRule], *, scopes: Collection[str] = ()
    ) -> None:
        self._rules = tuple(holidays)
        self._scopes = frozenset(scopes)
        self._closed_by_year: dict[int, frozenset[date]] = {}
        self._holidays_by_year: dict[int, frozenset[date]] = {}

    def _closed(self, year: int) -> frozenset[date]:
        if year not in self._closed_by_year:
            self._closed_by_year[year] = holiday_dates(
                self._rules, year, scopes=self._scopes, non_business_only=True
            )
        return self._closed_by_year[year]

    def _holidays(self, year: int) -> frozenset[date]:
        if year not in self._holidays_by_year:
            self._holidays_by_year[year] = holiday_dates(
                self._rules, year, scopes=self._scopes
            )
        return self._holidays_by_year[year]

    def is_holiday(self, day: date) -> bool:
        """Whether ``day`` is an observed legal holiday, business day or not."""
        return day in self._holidays(day.year)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < _SATURDAY and day not in self._closed(day.year)

    def roll_forward(self, day: date) -> date:
        """``day``, or the next working day if ``day`` is a weekend or a holiday."""
        while not self.is_working_day(day) or self.is_holiday(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``; ``start`` itself when n is 0."""
        if n < 0:
            raise ValueError(f"cannot count {n} working days: n must be >= 0")
        day = start
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def add_calendar_days(
        self, start: date, n: int, *, roll_forward: bool = False
    ) -> date:
        day = start + timedelta(days=n)
        return self.roll_forward(day) if roll_forward else day

    def working_days_between(self, a: date, b: date) -> int:
        """How many working days are in (a, b]; 0 when b is not after a."""
        count = 0
        day = a + timedelta(days=1)
        while day <= b:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count


# --- Clocks -----------------------------------------------------------------------

Period = tuple[int, Unit]
Toll = tuple[date, date]


def _advance(calendar: Calendar, start: date, days: int, unit: Unit) -> date:
    if unit == "business":
        return calendar.add_working_days(start, days)
    return start + timedelta(days=days)


def _paused_days(calendar: Calendar, toll: Toll, unit: Unit) -> int:
    paused_from, paused_to = toll
    if unit == "business":
        return calendar.working_days_between(paused_from, paused_to)
    return max(0, (paused_to - paused_from).days)


def _settle(calendar: Calendar, day: date, roll_forward: bool) -> date:
    return calendar.roll_forward(day) if roll_forward else day


def _merge_tolls(tolls: Iterable[Toll], *, clock_start: date) -> list[Toll]:
    """Sorted, non-overlapping tolls, ignoring any time before the clock started."""
    merged: list[Toll] = []
    for paused_from, paused_to in sorted(
        (max(paused_from, clock_start), paused_to) for paused_from, paused_to in tolls
    ):
        if paused_to <= paused_from:
            continue
        if merged and paused_from <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], paused_to))
        else:
            merged.append((paused_from, paused_to))
    return merged


def _run_clock(
    calendar: Calendar,
    *,
    start: date,
    periods: Sequence[Period],
    tolls: Sequence[Toll] = (),
    roll_forward: bool,
) -> date:
    """Run consecutive periods from ``start``, pausing for ``tolls`` (merged)."""
    pending = deque(tolls)
    due = start
    for days, unit in periods:
        due = _advance(calendar, due, days, unit)
        # A toll asked for after the clock ran out cannot revive it.
        while pending and pending[0][0] <= _settle(calendar, due, roll_forward):
            paused = _paused_days(calendar, pending.popleft(), unit)
            due = _advance(calendar, due, paused, unit)
    return _settle(calendar, due, roll_forward)


def _check_inputs(
    *,
    received: date | None,
    first_received: date | None,
    acknowledged: date | None,
    tolls: Sequence[Toll],
    adverse: date | None,
    appeal_received: date | None,
) -> None:
    if received is not None:
        if first_received is not None and first_received > received:
            raise ValueError(
                f"first receipt ({first_received}) cannot be after the proper "
                f"component's receipt ({received})"
            )
        if acknowledged is not None and acknowledged < received:
            raise ValueError(
                f"acknowledgement ({acknowledged}) cannot be before receipt "
                f"({received})"
            )
        if adverse is not None and adverse < received:
            raise ValueError(
                f"adverse determination ({adverse}) cannot be before receipt "
                f"({received})"
            )
    if tolls and received is None:
        raise ValueError("tolls need the date the request was received")
    for paused_from, paused_to in tolls:
        if paused_from > paused_to:
            raise ValueError(
                f"toll {paused_from}:{paused_to} ends before it starts; give "
                "FROM:TO with FROM the day the agency asked"
            )
        if received is not None and paused_from < received:
            raise ValueError(
                f"toll {paused_from}:{paused_to} starts before the request was "
                f"received on {received}"
            )
    if (
        adverse is not None
        and appeal_received is not None
        and appeal_received < adverse
    ):
        raise ValueError(
            f"appeal receipt ({appeal_received}) cannot be before the adverse "
            f"determination ({adverse})"
        )


def compute_deadlines(
    *,
    rule: ClockRule,
    holidays: Sequence[HolidayRule],
    received: date | None = None,
    first_received: date | None = None,
    acknowledged: date | None = None,
    tolls: Sequence[Toll] = (),
    adverse: date | None = None,
    appeal_received: date | None = None,
    expedited_requested: bool = True,
    scopes: Collection[str] = (),
) -> Deadlines:
    """The deadlines that follow from the dates given, under ``rule``.

    ``received`` is receipt by the proper component (federal) or the public body;
    request deadlines need it. ``first_received`` is a misdirected request's first
    receipt by any component, used only where the rule has a misdirected grace
    period. ``acknowledged`` is used where the clock counts from acknowledgement;
    without it the clock counts from the last day the agency could acknowledge.
    Each toll is ``(day the agency asked, day it received the answer)``; whether a
    toll was allowed (federal: once for information, any number for fees) is the
    caller's decision. The expedite decision counts from ``received``. Appeal filing
    needs ``adverse`` (the adverse determination, or the deemed denial), appeal
    decisions need ``appeal_received``.

    Raises ``ValueError`` with a readable message for impossible inputs.
    """
    _check_inputs(
        received=received,
        first_received=first_received,
        acknowledged=acknowledged,
        tolls=tolls,
        adverse=adverse,
        appeal_received=appeal_received,
    )
    calendar = Calendar(holidays, scopes=scopes)
    roll = rule.roll_forward
    found: dict[str, Any] = {}

    if received is not None:
        acknowledgement_due = None
        if rule.acknowledge_days is not None:
            acknowledgement_due = _run_clock(
                calendar,
                start=received,
                periods=[(rule.acknowledge_days, rule.acknowledge_unit)],
                roll_forward=roll,
            )
            found["acknowledgement_due"] = acknowledgement_due

        clock_start = received
        if rule.misdirected_grace_days is not None and first_received is not None:
            latest_start = calendar.add_working_days(
                first_received, rule.misdirected_grace_days
            )
            clock_start = min(received, latest_start)
        if rule.counts_from == "acknowledged":
            if acknowledged is not None:
                clock_start = acknowledged
            elif acknowledgement_due is not None:  # always, by ClockRule's checks
                clock_start = acknowledgement_due

        merged_tolls = _merge_tolls(tolls, clock_start=clock_start)
        if rule.response_days is None:
            found["no_response_deadline"] = True
        else:
            response_period: Period = (rule.response_days, rule.response_unit)
            found["response_due"] = _run_clock(
                calendar,
                start=clock_start,
                periods=[response_period],
                tolls=merged_tolls,
                roll_forward=roll,
            )
            if rule.extension_days is not None:
                found["extended_due"] = _run_clock(
                    calendar,
                    start=clock_start,
                    periods=[
                        response_period,
                        (rule.extension_days, rule.extension_unit),
                    ],
                    tolls=merged_tolls,
                    roll_forward=roll,
                )

        if expedited_requested and rule.expedite_decision_days is not None:
            found["expedite_decision_due"] = _run_clock(
                calendar,
                start=received,
                periods=[(rule.expedite_decision_days, "calendar")],
                roll_forward=roll,
            )

    if adverse is not None and rule.appeal_filing_days is not None:
        found["appeal_filing_due"] = _run_clock(
            calendar,
            start=adverse,
            periods=[(rule.appeal_filing_days, rule.appeal_filing_unit)],
            roll_forward=roll,
        )

    if appeal_received is not None and rule.appeal_decision_days is not None:
        decision_period: Period = (
            rule.appeal_decision_days,
            rule.appeal_decision_unit,
        )
        found["appeal_decision_due"] = _run_clock(
            calendar,
            start=appeal_received,
            periods=[decision_period],
            roll_forward=roll,
        )
        if rule.appeal_extension_days is not None:
            found["appeal_decision_extended_due"] = _run_clock(
                calendar,
                start=appeal_received,
                periods=[
                    decision_period,
                    (rule.appeal_extension_days, rule.appeal_extension_unit),
                ],
                roll_forward=roll,
            )

    return Deadlines(**found)


# --- Loading the data -------------------------------------------------------------


def load_rules(
    path: str | Path | None = None,
) -> dict[str, tuple[ClockRule, list[HolidayRule]]]:
    """Read ``jurisdictions.json`` into {code: (clock rule, holiday rules)}.

    Raises ``ValueError`` naming the jurisdiction when the data is malformed.
    """
    source = Path(path) if path is not None else JURISDICTIONS_PATH
    data = json.loads(source.read_text(encoding="utf-8"))
    rules: dict[str, tuple[ClockRule, list[HolidayRule]]] = {}
    for entry in data["jurisdictions"]:
        code = entry["code"]
        if code in rules:
            raise ValueError(f"{source}: jurisdiction {code} appears twice")
        try:
            clock = ClockRule.from_dict(
                {"code": code, "name": entry["name"], **entry["rule"]}
            )
            holidays = [HolidayRule.from_dict(item) for item in entry["holidays"]]
        except (TypeError, ValueError) as error:
            raise ValueError(f"{source}: jurisdiction {code}: {error}") from error
        names = {holiday.name for holiday in holidays}
        for holiday in holidays:
            if holiday.kind == "relative" and holiday.base not in names:
                raise ValueError(
                    f"{source}: jurisdiction {code}: holiday {holiday.name!r} is "
                    f"relative to {holiday.base!r}, which is not in the list"
                )
        rules[code] = (clock, holidays)
    return rules
