"""A small iCalendar (RFC 5545) writer: the candidate's feed and the convocation's attachment.

Written here rather than taken from a library: Preuves writes a handful of properties and never
reads a calendar, so about sixty lines cover it without a new dependency. What the RFC asks of
a writer and this module does: CRLF line ends (3.1), lines folded at 75 octets without cutting
a UTF-8 character (3.1), TEXT values escaped (``\\``, ``;``, ``,`` and new lines, 3.3.11), a
UID and a DTSTAMP on every event (3.6.1), all-day events as DATE values with an exclusive end
(3.6.1), and times given with a TZID whose VTIMEZONE the calendar carries (3.6.5).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

TIMEZONE = "Europe/Paris"
PRODID = "-//Preuves//Agenda du candidat//FR"

# Europe/Paris since 1996: CET in winter, CEST from the last Sunday of March to the last Sunday
# of October (RFC 5545 3.6.5 asks for the definition of every TZID used).
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TIMEZONE}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)


@dataclass(frozen=True)
class Event:
    """One event: all day when ``start`` is a date, else timed (aware, any time zone)."""

    uid: str
    summary: str
    start: date | datetime
    end: date | datetime | None = None
    description: str = ""
    location: str = ""
    url: str = ""


def escape(text: str) -> str:
    """Return ``text`` as an iCalendar TEXT value."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str, limit: int = 75) -> str:
    """Return ``line`` folded into lines of at most ``limit`` octets, joined by CRLF + space."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append(current)
            current, size = " ", 1  # the leading space of a continuation line counts
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _when(name: str, value: date | datetime) -> str:
    if isinstance(value, datetime):
        local = value.astimezone(ZoneInfo(TIMEZONE))
        return f"{name};TZID={TIMEZONE}:{local:%Y%m%dT%H%M%S}"
    return f"{name};VALUE=DATE:{value:%Y%m%d}"


def _event_lines(event: Event, stamp: str) -> list[str]:
    end = event.end
    if end is None:
        end = event.start + timedelta(hours=1 if isinstance(event.start, datetime) else 24)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{stamp}",
        _when("DTSTART", event.start),
        _when("DTEND", end),
        f"SUMMARY:{escape(event.summary)}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: list[Event], *, name: str, now: datetime) -> str:
    """Return a VCALENDAR holding ``events``, stamped ``now``, as text with CRLF line ends."""
    stamp = f"{now.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
        f"X-WR-TIMEZONE:{TIMEZONE}",
        *(VTIMEZONE if any(isinstance(e.start, datetime) for e in events) else ()),
    ]
    for event in events:
        lines.extend(_event_lines(event, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
