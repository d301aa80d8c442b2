"""The iCalendar writer follows RFC 5545: CRLF, folding at 75 octets, escaping, DATE values."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from audit import ics

NOW = datetime(2026, 10, 15, 10, 0, tzinfo=ZoneInfo("UTC"))


def unfold(text: str) -> list[str]:
    """Return the logical lines of an iCalendar text (RFC 5545 3.1)."""
    return text.replace("\r\n ", "").split("\r\n")


def test_every_line_ends_in_crlf_and_no_line_exceeds_75_octets():
    long = "Soutenance — « mémoire » " * 20
    text = ics.calendar(
        [ics.Event(uid="u1@preuves", summary=long, start=date(2027, 3, 15))], name="x", now=NOW
    )
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    physical = text.split("\r\n")[:-1]
    assert all(len(line.encode()) <= 75 for line in physical)
    assert any(line.startswith(" ") for line in physical)  # it was folded
    for line in physical:  # no UTF-8 character cut in two
        line.encode().decode()
    assert f"SUMMARY:{long}" in unfold(text)


def test_text_values_escape_backslash_semicolon_comma_and_new_lines():
    assert ics.escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


def test_an_all_day_deadline_is_a_date_value_with_an_exclusive_end_and_stamp_and_uid():
    text = ics.calendar(
        [ics.Event(uid="depot@preuves", summary="Dépôt", start=date(2027, 3, 15))],
        name="x",
        now=NOW,
    )
    lines = unfold(text)
    assert "DTSTART;VALUE=DATE:20270315" in lines
    assert "DTEND;VALUE=DATE:20270316" in lines
    assert "DTSTAMP:20261015T100000Z" in lines
    assert "UID:depot@preuves" in lines
    assert "BEGIN:VTIMEZONE" not in lines  # no TZID used


def test_a_timed_event_is_given_in_europe_paris_with_its_vtimezone():
    start = datetime(2027, 6, 15, 8, 30, tzinfo=ZoneInfo("UTC"))  # 10 h 30 in summer
    lines = unfold(
        ics.calendar([ics.Event(uid="c@preuves", summary="S", start=start)], name="x", now=NOW)
    )
    assert "DTSTART;TZID=Europe/Paris:20270615T103000" in lines
    assert "DTEND;TZID=Europe/Paris:20270615T113000" in lines
    assert "TZID:Europe/Paris" in lines and "BEGIN:VTIMEZONE" in lines
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines
    assert lines.index("BEGIN:VTIMEZONE") < lines.index("BEGIN:VEVENT")
