"""TimelineJS3 JSON: ``{"title": ..., "events": [...], "eras": [...]}``.

Each event's ``start_date``/``end_date`` objects (``year`` required; ``month``, ``day``,
``hour``, ``minute``, ``second``, ``millisecond`` optional; ``display_date`` kept as the
date in the source's words) become an ISO date at the precision given: year only ->
year, year and month -> month, a day -> day. A number in place of the object is read as
Unix time or a spreadsheet day number, by the decision every format shares.
``text.headline`` is the title, ``text.text`` (HTML) the excerpt, ``group`` the
category when it names one of ours, and a ``location`` block (``lat``, ``lon``,
``name``), when present, the place. Years before 1 CE (cosmic timelines) are reported
as records the atlas cannot place. Files with the TimelineJS2 root ``{"timeline": ...}``
are refused with a message saying so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.dates import DatePrecision, event_span
from desktop_app.core.event import Event, Place, event_uid
from desktop_app.ingest.fields import checked_point
from desktop_app.ingest.interpret import number_date, other_fields
from desktop_app.ingest.limits import oversized_field
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions, Record
from desktop_app.ingest.source import Source, json_document

_TAGS = re.compile(r"<[^>]+>")
_KEYS = {c.key for c in CATEGORIES}
# The members an event's own fields come from; the others are kept as its attributes.
_USED = ("start_date", "end_date", "text", "location", "group", "display_date", "unique_id")


def _int(value: Any, what: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a number") from None


def timeline_date(value: Any) -> tuple[str, DatePrecision]:
    """``(iso, precision)`` of a TimelineJS date object, or of a date written as a
    number where the object belongs (Unix time or a spreadsheet day number, as sheets
    converted by hand hold)."""
    if not isinstance(value, dict):
        number = number_date(value)
        if number is not None:
            return number
        raise ValueError("a date must be an object with a year")
    year = _int(value.get("year"), "year")
    if year is None:
        raise ValueError("a date without a year")
    if not 1 <= year <= 9999:
        raise ValueError(f"year {year} cannot be placed on the timeline (years 1-9999)")
    month, day = _int(value.get("month"), "month"), _int(value.get("day"), "day")
    if month is None:
        return f"{year:04d}", DatePrecision.YEAR
    if day is None:
        return f"{year:04d}-{month:02d}", DatePrecision.MONTH
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    hour = _int(value.get("hour"), "hour")
    if hour is not None:
        minute = _int(value.get("minute"), "minute") or 0
        second = _int(value.get("second"), "second") or 0
        iso += f"T{hour:02d}:{minute:02d}:{second:02d}"
        millisecond = _int(value.get("millisecond"), "millisecond")
        if millisecond:
            iso += f".{millisecond:03d}"
    return iso, DatePrecision.DAY


def _document(source: Source) -> dict:
    doc = json_document(source)
    if isinstance(doc, dict) and "timeline" in doc and "events" not in doc:
        raise ImportFailed(
            BadRecord(
                source.name,
                None,
                "this is a TimelineJS2 file (root 'timeline'); only TimelineJS3 files "
                "(root 'events') can be imported. Open it in TimelineJS3's converter first.",
            )
        )
    if not isinstance(doc, dict) or not isinstance(doc.get("events"), list):
        raise ImportFailed(BadRecord(source.name, None, "not a TimelineJS3 file (no 'events')"))
    return doc


def read_timelinejs(source: Source, options: ReadOptions) -> Iterator[Record]:
    """The events of a TimelineJS3 JSON file."""
    doc = _document(source)
    for number, item in enumerate(doc["events"], start=1):
        try:
            event = _event(item, number)
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            yield BadRecord(source.name, f"event {number}", str(exc) or type(exc).__name__)
            continue
        reason = oversized_field(event)
        source.notes.where = f"event {number}"
        yield event if reason is None else BadRecord(source.name, f"event {number}", reason)


def _event(item: Any, number: int) -> Event:
    if not isinstance(item, dict):
        raise ValueError("an event must be an object")
    start, precision = timeline_date(item.get("start_date"))
    end = None
    if item.get("end_date"):
        end, end_precision = timeline_date(item["end_date"])
        if end_precision != precision:
            precision = DatePrecision.DAY
    event_span(start, end, precision)
    text = item.get("text") or {}
    headline = " ".join(_TAGS.sub(" ", str(text.get("headline") or "")).split())
    body = " ".join(_TAGS.sub(" ", str(text.get("text") or "")).split())
    place = None
    location = item.get("location")
    if isinstance(location, dict) and location.get("lat") is not None:
        lat, lon = checked_point(location["lat"], location.get("lon", location.get("lng")))
        place = Place(str(location.get("name") or f"{lat:.4f}, {lon:.4f}"), lat, lon)
    group = str(item.get("group") or "").strip().lower().replace(" ", "_")
    start_date = item.get("start_date")
    display = (start_date.get("display_date") if isinstance(start_date, dict) else None) or (
        item.get("display_date")
    )
    title = headline or body[:90] or f"Event {number}"
    return Event(
        uid="timelinejs:" + str(item.get("unique_id") or event_uid(title, start, end, body)),
        title=title,
        start=start,
        end=end,
        precision=precision,
        display_date=str(display or start),
        category=group if group in _KEYS else "other",
        actors=(str(item["group"]),) if item.get("group") and group not in _KEYS else (),
        place=place,
        excerpt=body,
        attributes=other_fields(item, _USED),
    )
