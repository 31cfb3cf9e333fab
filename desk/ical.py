"""A small iCalendar (RFC 5545) writer for all-day deadline events.

Only what a deadline feed needs: a VCALENDAR of all-day VEVENTs, each with an
optional display alarm. Pure functions, no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

CRLF = "\r\n"
# RFC 5545 3.1: lines SHOULD NOT be longer than 75 octets, excluding the CRLF.
MAX_LINE_OCTETS = 75


@dataclass(frozen=True)
class Event:
    uid: str
    day: date
    summary: str
    description: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    last_modified: datetime | None = None
    # Minutes before the start of the day; None for no alarm.
    alarm_minutes_before: int | None = None


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11): backslash, ; , and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character.

    Continuation lines start with one space, which counts towards their 75.
    """
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_LINE_OCTETS:
        return line
    parts: list[str] = []
    current = ""
    current_octets = 0
    limit = MAX_LINE_OCTETS
    for character in line:
        size = len(character.encode("utf-8"))
        if current_octets + size > limit:
            parts.append(current)
            current, current_octets = "", 0
            limit = MAX_LINE_OCTETS - 1  # the leading space of the continuation
        current += character
        current_octets += size
    parts.append(current)
    return (CRLF + " ").join(parts)


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _date_value(day: date) -> str:
    return day.strftime("%Y%m%d")


def _alarm_trigger(minutes: int) -> str:
    if minutes == 0:
        return "PT0M"
    sign = "-" if minutes > 0 else ""
    minutes = abs(minutes)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    value = f"{sign}P"
    if days:
        value += f"{days}D"
    if hours or mins:
        value += "T"
        if hours:
            value += f"{hours}H"
        if mins:
            value += f"{mins}M"
    return value


def _event_lines(event: Event, *, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_date_value(event.day)}",
        f"DTEND;VALUE=DATE:{_date_value(event.day + timedelta(days=1))}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        # A URI value, not TEXT: no escaping (RFC 5545 3.3.13).
        lines.append(f"URL:{event.url}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in event.categories))
    if event.last_modified is not None:
        lines.append(f"LAST-MODIFIED:{_utc_stamp(event.last_modified)}")
    # Deadlines mark a day; they do not make anyone busy.
    lines.append("TRANSP:TRANSPARENT")
    if event.alarm_minutes_before is not None:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{escape_text(event.summary)}",
            f"TRIGGER:{_alarm_trigger(event.alarm_minutes_before)}",
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return lines


def calendar_render(
    *,
    name: str,
    events: Iterable[Event],
    now: datetime,
    product: str = "-//FOIA Workbench//Deadlines//EN",
    refresh_hours: int = 6,
) -> str:
    """The whole VCALENDAR as text with CRLF line ends, folded."""
    stamp = _utc_stamp(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{product}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(name)}",  # RFC 7986
        f"X-WR-CALNAME:{escape_text(name)}",  # what most clients read
        # RFC 7986 and its common predecessor: how often clients should poll.
        f"REFRESH-INTERVAL;VALUE=DURATION:PT{refresh_hours}H",
        f"X-PUBLISHED-TTL:PT{refresh_hours}H",
    ]
    for event in events:
        lines += _event_lines(event, stamp=stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
