"""GeoJSON FeatureCollections of events: the format the atlas ships, imports and exports.

A feature is an event. Its properties carry the time (``start``/``end``, or ``time``,
``date``, ``times``, or a property the interpretation layer finds the date in, such as
``timestamp``: written dates, Unix seconds or milliseconds, or spreadsheet day numbers),
the date as the source wrote it (``display_date``), the category, the actors, the
verbatim ``excerpt``, the ``sources`` it cites and, for an event with an origin and a
target, ``origin`` as ``{name, lat, lon, kind, country}``. A foreign member ``articles``
at the top describes the articles that features name in ``article``.

Files are read with ``ijson``, one feature at a time, so a file of any size imports in
bounded memory: only the current feature, and the top-level members other than
``features`` (small: a name, the articles), are ever held.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ijson

from desktop_app.core.dates import DateError, DatePrecision, event_span, parse_iso
from desktop_app.core.edtf import looks_like_edtf, parse_edtf
from desktop_app.core.event import Article, Event, Place, event_uid
from desktop_app.core.grading import Grade
from desktop_app.ingest.exporters import read_attributes, read_grade
from desktop_app.ingest.fields import DateOrderContradiction, DateReader, checked_point
from desktop_app.ingest.interpret import PropertyRoles, number_date, split_items
from desktop_app.ingest.limits import MAX_TEXT_CHARS, JsonDepthGuard, LimitExceeded, oversized_field
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions
from desktop_app.ingest.source import Source

# Characters decoded per read: ijson asks for 64 KiB at a time.
_READ_CHARS = 64 * 1024
_BOMS = {"utf-8-sig": 3}


@dataclass
class GeoJSONBatch:
    """The events read from one file and the features that could not be read."""

    events: list[Event] = field(default_factory=list)
    problems: list[BadRecord] = field(default_factory=list)


def read_geojson(path: str | Path) -> GeoJSONBatch:
    """Read a GeoJSON file of events. Raises :class:`ImportFailed` when the file as a whole
    cannot be read; features that cannot be read are reported in ``problems``."""
    source = Source(path)
    batch = GeoJSONBatch()
    try:
        for record in stream_geojson(source):
            if isinstance(record, BadRecord):
                batch.problems.append(record)
            else:
                batch.events.append(record)
    finally:
        source.close()
    return batch


def read_geojson_records(source: Source, options: ReadOptions) -> Iterator[Event | BadRecord]:
    """The events and bad features of a GeoJSON file, for the import pipeline."""
    yield from stream_geojson(source, options)


def stream_geojson(
    source: Source, options: ReadOptions | None = None
) -> Iterator[Event | BadRecord]:
    """The events and bad features of a GeoJSON file, read one feature at a time.

    Raises :class:`ImportFailed` for a file that is not a FeatureCollection (or a lone
    Feature) or is not valid JSON; the latter may come after events were yielded, as a
    syntax error can sit anywhere in a streamed file (the pipeline then rolls back).
    """
    options = options or ReadOptions()
    members, features_follow = _top_members(source)
    kind = members.get("type")
    if not features_follow:
        # The whole document was read: a lone Feature (as Leaflet.TimeDimension's
        # tracks come) is a collection of one, and is small enough to hold.
        if kind == "Feature":
            dates = _Dates(source, options, "properties")
            yield from _feature_records(
                members, 1, _Articles(source, {}), dates, source.path, ours=False
            )
            return
        if kind != "FeatureCollection":
            raise ImportFailed(BadRecord(source.name, None, "not a GeoJSON FeatureCollection"))
        raise ImportFailed(BadRecord(source.name, None, "'features' is not a list"))
    if "type" not in members:
        # RFC 7946 puts no order on members; a "type" after the features is rare, and
        # finding it costs a scan of the file (in C) before anything is yielded.
        kind = _first_item(source, "type")
    if kind != "FeatureCollection":
        raise ImportFailed(BadRecord(source.name, None, "not a GeoJSON FeatureCollection"))
    articles = _Articles(source, members.get("articles"), known="articles" in members)
    dates = _Dates(source, options, "features.item.properties")
    # Our own exports say so before their features: only theirs hold a grade and kept
    # fields under our names ("reliability" may mean anything in someone else's file).
    ours = "event_atlas" in members
    stream = _Utf8Stream(source)
    try:
        features = ijson.items(stream, "features.item", use_float=True)
        for number, feature in enumerate(features, start=1):
            yield from _feature_records(feature, number, articles, dates, source.path, ours)
    except ijson.JSONError as exc:
        raise _malformed(source, stream, exc) from None
    finally:
        stream.close()


def _feature_records(
    feature: Any, number: int, articles: _Articles, dates: _Dates, path: Path, ours: bool
) -> Iterator[Event | BadRecord]:
    try:
        # A list: a feature with several points is good or bad as a whole.
        events = list(_events_of(feature, articles, dates, ours))
    except DateOrderContradiction as exc:
        raise ImportFailed(BadRecord(str(path), f"feature {number}", str(exc))) from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        yield BadRecord(str(path), f"feature {number}", str(exc) or type(exc).__name__)
        return
    for event in events:
        reason = oversized_field(event)
        if reason is not None:
            yield BadRecord(str(path), f"feature {number}", reason)
            return
    notes = dates.notes
    if notes.interpretation is None:
        notes.interpretation = dates.roles.first
    for event in events:
        notes.where = f"feature {number}"
        yield event


class _Utf8Stream:
    """A source's text as UTF-8 bytes for ijson, counting what it has handed out.

    Going through the source's text decoding (not its raw bytes) keeps what the other
    readers do: a byte-order mark is dropped, UTF-16 and legacy code pages are read, and
    invalid bytes become U+FFFD instead of failing the whole file.

    Parameters
    ----------
    slow_from
        From this offset on, hand out one byte per read: re-reading a file this way finds
        the exact byte where ijson (which gives no positions) meets a syntax error.
    """

    def __init__(self, source: Source, slow_from: int | None = None) -> None:
        self._text = source.open_text(newline="")
        self._slow_from = slow_from
        self._buffer = b""
        self._at = 0
        self.offset = 0  # bytes handed out so far
        self.last_read_at = 0  # offset of the first byte of the last read
        self.newlines = 0  # newlines handed out before the last read
        self.ended = False  # the last read found the end of the text
        self._newlines_after = 0
        # Nesting and value length are checked before ijson sees the text: ijson would
        # hold a value of any size, and go deeper without end.
        self._guard = JsonDepthGuard()
        self._source_name = source.name

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks read(0) to learn whether the stream gives bytes
            return b""
        if self._at >= len(self._buffer):
            text = self._text.read(_READ_CHARS)
            try:
                self._guard.feed(text)
            except LimitExceeded as exc:
                raise ImportFailed(BadRecord(self._source_name, exc.where, exc.reason)) from None
            self._buffer = text.encode("utf-8")
            self._at = 0
        end = len(self._buffer) if size < 0 else self._at + size
        if self._slow_from is not None:
            end = min(end, self._at + max(1, self._slow_from - self.offset))
        data = self._buffer[self._at : end]
        self._at += len(data)
        self.last_read_at = self.offset
        self.offset += len(data)
        self.newlines = self._newlines_after
        self.ended = not data
        if self._slow_from is not None:
            self._newlines_after += data.count(b"\n")
        return data

    def close(self) -> None:
        self._text.close()


def _malformed(source: Source, failed: _Utf8Stream, exc: ijson.JSONError) -> ImportFailed:
    """One clear error for a syntax error: the reason and the line and byte where it is.

    ijson reports neither, only that the 64 KiB it was last given hold an error; a second
    reading, fast up to those bytes and one byte at a time through them, finds it.
    """
    reason = _json_reason(exc)
    where = f"near byte {failed.last_read_at}"
    stream = _Utf8Stream(source, slow_from=failed.last_read_at)
    try:
        for _ in ijson.basic_parse(stream):
            pass
    except ijson.JSONError:
        # Offsets count the UTF-8 that ijson read; in a UTF-8 file they are the file's.
        offset = stream.last_read_at + _BOMS.get(source.encoding, 0)
        byte = f"byte {offset}" if source.encoding.startswith("utf-8") else ""
        if stream.ended:  # a truncated file
            where = f"end of file ({byte})" if byte else "end of file"
        else:
            where = f"line {stream.newlines + 1}" + (f", {byte}" if byte else "")
    finally:
        stream.close()
    return ImportFailed(BadRecord(source.name, where, f"not valid JSON ({reason})"))


def _json_reason(exc: ijson.JSONError) -> str:
    # yajl's messages run over three lines (the reason, the text, a caret); keep the first.
    text = str(exc)
    if text.startswith(("b'", 'b"')):
        text = text[2:].replace("\\n", "\n")
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    for prefix in ("parse error: ", "lexical error: "):
        first = first.removeprefix(prefix)
    return first.strip().rstrip(".") or type(exc).__name__


def _top_members(source: Source) -> tuple[dict[str, Any], bool]:
    """The top-level members before ``features``, and whether a ``features`` list follows.

    Without ``features`` (a lone Feature, or not GeoJSON at all) the whole document is
    read. Only these members are built as objects; the features are streamed later.
    """
    stream = _Utf8Stream(source)
    members: dict[str, Any] = {}
    try:
        events = ijson.parse(stream, use_float=True)
        first = next(events, None)
        if first is None or first[1] != "start_map":
            raise ImportFailed(BadRecord(source.name, None, "not a GeoJSON FeatureCollection"))
        for _prefix, event, key in events:
            if event == "end_map":
                for _ in events:  # trailing garbage is a syntax error too
                    pass
                return members, False
            _prefix, event, value = next(events)
            if key == "features":
                if event != "start_array":
                    raise ImportFailed(BadRecord(source.name, None, "'features' is not a list"))
                return members, True
            members[key] = _value(event, value, events)
    except ijson.JSONError as exc:
        raise _malformed(source, stream, exc) from None
    finally:
        stream.close()
    return members, False  # pragma: no cover - ijson ends a map before its events end


def _value(event: str, value: Any, events: Iterator[tuple[str, str, Any]]) -> Any:
    """The JSON value that starts with ``event``, built from the events that follow."""
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1 if event in ("start_map", "start_array") else 0
    while depth:
        _prefix, event, value = next(events)
        builder.event(event, value)
        if event in ("start_map", "start_array"):
            depth += 1
        elif event in ("end_map", "end_array"):
            depth -= 1
    return builder.value


def _first_item(source: Source, prefix: str) -> Any:
    stream = _Utf8Stream(source)
    try:
        return next(ijson.items(stream, prefix, use_float=True), None)
    except ijson.JSONError as exc:
        raise _malformed(source, stream, exc) from None
    finally:
        stream.close()


#: The properties that hold a feature's dates.
DATE_PROPERTIES = ("start", "time", "date", "end", "times")
#: The properties the format reads itself, under these names (our export writes them).
OWN_PROPERTIES = (
    *DATE_PROPERTIES, "id", "title", "name", "place", "location", "place_kind", "country",
    "display_date", "precision", "article", "category", "actors", "excerpt",
    "description", "sources", "origin", "attributes",
)  # fmt: skip


class _Dates:
    """The dates of a file's features: ISO dates as they are written; any other form
    read by the one date reader, in the day/month order that all the file's dates show.

    The order is learnt the first time a date is not ISO, by a scan of every feature's
    date properties (strings only are held, not the features), so files in ISO never pay
    for it.
    """

    def __init__(self, source: Source, options: ReadOptions, prefix: str) -> None:
        self._source = source
        self._reader = DateReader(options, source.name)
        #: The roles of the properties the format does not read itself.
        self.roles = PropertyRoles(OWN_PROPERTIES, options.columns)
        self.notes = source.notes
        source.notes.date_order = "ISO dates"
        self._prefix = prefix
        self._learnt = False

    def __call__(self, text: str) -> tuple[str, DatePrecision]:
        try:
            parse_iso(text)
        except DateError:
            pass
        else:
            # An ISO text carries its own period; the precision is the property's.
            return text, DatePrecision.DAY
        if not self._learnt:
            self._learnt = True
            self._reader.learn(self._every_date())
            self._source.notes.date_order = self._reader.reason
        return self._reader(text)

    def _named_dates(self, props: dict) -> list[str]:
        found = self.roles(props)
        return [found.fields[i] for role in ("date", "end") for i in found.columns(role)]

    def _every_date(self) -> list[str]:
        values: set[str] = set()
        stream = _Utf8Stream(self._source)
        try:
            for props in ijson.items(stream, self._prefix, use_float=True):
                if not isinstance(props, dict):
                    continue
                for key in (*DATE_PROPERTIES, *self._named_dates(props)):
                    value = props.get(key)
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, str):
                            values.add(item)
        except ijson.JSONError:
            pass  # the reading itself reports where the file is broken
        finally:
            stream.close()
        return sorted(values)


class _Articles:
    """The ``articles`` member, wherever it is in the file.

    Our exporter writes it before the features, where :func:`_top_members` has it
    already. When it comes after them, it is fetched by a scan of the file (in C, fast)
    the first time a feature names an article, so files whose features name none never
    pay for it, and memory holds the articles (a few) but never the features.
    """

    def __init__(self, source: Source, entries: Any, known: bool = True) -> None:
        self._source = source
        self._by_id = _articles(entries, source.path)
        self._known = known

    def get(self, uid: str) -> Article | None:
        if not self._known:
            self._known = True
            stream = _Utf8Stream(self._source)
            try:
                entries = list(ijson.items(stream, "articles.item", use_float=True))
            except ijson.JSONError as exc:
                raise _malformed(self._source, stream, exc) from None
            finally:
                stream.close()
            self._by_id = _articles(entries, self._source.path)
        return self._by_id.get(uid)


def _articles(entries: Any, path: Path) -> dict[str, Article]:
    articles: dict[str, Article] = {}
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not entry.get("id"):
            continue
        text = entry.get("text")
        if text is None and isinstance(entry.get("text_file"), str):
            text = _article_text(path.parent / Path(entry["text_file"]).name)
        articles[str(entry["id"])] = Article(
            uid=str(entry["id"]),
            title=str(entry.get("title") or entry["id"]),
            author=entry.get("author"),
            outlet=entry.get("outlet"),
            url=entry.get("url"),
            published=entry.get("published"),
            text=text,
            retrieved=entry.get("retrieved"),
        )
    return articles


def _article_text(path: Path) -> str | None:
    """The text of an article kept in a file beside the GeoJSON, when it is one of
    reasonable size (an article's text, not a whole archive)."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_TEXT_CHARS:
            return None
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _events_of(
    feature: Any, articles: _Articles, dates: _Dates, ours: bool
) -> Iterator[Event]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError("not a GeoJSON Feature")
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        raise ValueError("'properties' must be an object")
    # Properties of no meaning to the format itself get theirs from the interpretation
    # layer (a "when", an "event_type", a "link"); the rest are kept as attributes.
    roles = dates.roles(props)

    def other(role: str) -> str:
        return PropertyRoles.value(props, roles, role)

    points = _points(feature.get("geometry"))
    name = props.get("place") or props.get("name") or props.get("location") or other("place")
    places: list[Place | None] = [
        Place(
            str(name or f"{lat:.4f}, {lon:.4f}"),
            lat,
            lon,
            props.get("place_kind"),
            props.get("country"),
        )
        for lon, lat in points
    ] or [None]
    times = props.get("times")
    if isinstance(times, list) and times:
        if len(times) != len(places):
            raise ValueError(f"{len(times)} times for {len(places)} points")
        starts = [(str(t), None) for t in times]
        forms = {}
    else:
        own_start = props.get("start") or props.get("time") or props.get("date")
        start = own_start or other("date")
        if not start:
            raise ValueError("no date (expected a start, time, date or times property)")
        own_end = props.get("end")
        starts = [(str(start), own_end or other("end"))] * len(places)
        # Numbers in the format's own date properties are judged one by one; in a
        # property that the interpretation made the date, as that property was judged.
        forms = {
            "date": None if own_start else roles.date_forms.get("date"),
            "end": None if own_end else roles.date_forms.get("end"),
        }
    given = DatePrecision(props["precision"]) if props.get("precision") else None
    article = articles.get(str(props.get("article"))) if props.get("article") else None
    title = str(props.get("title") or props.get("name") or other("title") or "Untitled event")
    url = other("url")
    if article is None and url:
        article = Article(uid=event_uid("article", url), title=title, url=url)
    origin = _origin(props.get("origin"))
    if ours:
        # Our export writes every field under its own name and the source's kept
        # fields as "attributes": nothing else is left over.
        attributes = read_attributes(props.get("attributes"))
        grade = read_grade(props.get)
    else:
        attributes, grade = PropertyRoles.kept(props, roles), Grade()
    display_date = props.get("display_date")
    for i, (place, (written, written_end)) in enumerate(zip(places, starts, strict=True)):
        end = None
        number = number_date(written, forms.get("date"))
        if number is not None:
            start, found = number
        elif looks_like_edtf(str(written)):
            edtf = parse_edtf(str(written))
            start, found, end = edtf.start, edtf.precision, edtf.end
        else:
            start, found = dates(written)
        if written_end:
            end, found_end = number_date(written_end, forms.get("end")) or dates(
                str(written_end)
            )
            if found_end != found:
                found = DatePrecision.DAY  # each ISO text keeps its own period
        precision = given or found
        try:
            event_span(start, end, precision)
        except DateError as exc:
            raise ValueError(str(exc)) from None
        base_uid = props.get("id") or feature.get("id")
        if base_uid is None:
            # Every property: features alike in title, date and place but not in, say,
            # a link are different records, never merged.
            extra = [url, *PropertyRoles.kept(props, roles)] if url or roles.fields else []
            base_uid = event_uid(title, start, end, place, props.get("excerpt"), *extra)
        yield Event(
            uid=str(base_uid) if len(places) == 1 else f"{base_uid}#{i}",
            title=title,
            start=start,
            end=end,
            precision=precision,
            # An empty display date is the source's own (no words for the date).
            display_date=str(written if display_date is None else display_date),
            category=str(props.get("category") or _category(other("category"))),
            actors=tuple(str(a) for a in props.get("actors") or ())
            or tuple(split_items(other("actors"))),
            place=place,
            excerpt=str(props.get("excerpt") or props.get("description") or other("text")),
            article=article,
            sources=tuple(str(s) for s in props.get("sources") or ())
            or tuple(split_items(other("source"))),
            origin=origin,
            attributes=attributes,
            grade=grade,
        )


def _category(text: str) -> str:
    return text.lower().replace(" ", "_") or "other"


def _origin(value: Any) -> Place | None:
    """The ``origin`` property ``{name, lat, lon, kind, country}``: where a strike or a
    move came from."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError("'origin' must be an object with name, lat and lon")
    lat, lon = checked_point(value["lat"], value["lon"], "origin coordinates")
    kind, country = value.get("kind"), value.get("country")
    return Place(
        str(value.get("name") or f"{lat:.4f}, {lon:.4f}"),
        lat,
        lon,
        str(kind) if kind else None,
        str(country) if country else None,
    )


def _points(geometry: Any) -> list[tuple[float, float]]:
    if geometry is None:
        return []
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "Point":
        coords = [coords]
    elif kind not in ("MultiPoint", "LineString"):
        raise ValueError(f"unsupported geometry {kind!r} (events are points)")
    points = []
    for pair in coords if isinstance(coords, list) else [coords]:
        if not isinstance(pair, list) or len(pair) < 2:
            raise ValueError(f"a position is [longitude, latitude], not {str(pair)[:40]}")
        lat, lon = checked_point(pair[1], pair[0])
        points.append((lon, lat))
    return points
