"""CSV and TSV files of events, with their columns found by name.

The header names each column; :data:`COLUMN_NAMES` lists the names each role goes by
("lat", "latitude", "y", ...). A user's explicit mapping wins over detection. Rows with
coordinates are placed as given; rows with only a place name are geocoded (offline
unless the user allowed online look-ups). ACLED exports are recognised by their header
and read by :mod:`desktop_app.ingest.acled`; files that ``export csv`` wrote, by their
columns, field by field, into the events they were written from.

Files are read as a stream: a million rows take the memory of one chunk.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from desktop_app.core.dates import DateError, DatePrecision, event_span
from desktop_app.core.event import Article, Event, Place, event_uid
from desktop_app.geo.gazetteer import GeoContext
from desktop_app.ingest import acled
from desktop_app.ingest.exporters import (
    CSV_OWN_COLUMNS,
    read_attributes,
    read_grade,
    restore_spreadsheet_text,
)
from desktop_app.ingest.fields import DateOrderContradiction, DateReader, coordinate, split_list
from desktop_app.ingest.limits import MAX_LINE_CHARS, oversized_field
from desktop_app.ingest.loose_dates import numeric_date
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions, Record
from desktop_app.ingest.source import Source, decoding_errors

# csv's default limit (128 KiB) would reject long notes; larger fields are reported.
FIELD_LIMIT = 1024 * 1024
csv.field_size_limit(FIELD_LIMIT)
# Rows read ahead to detect the date order before the first event is made.
DETECTION_ROWS = 2000

COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "uid", "event_id", "eventid", "event_id_cnty", "key"),
    "date": (
        "date", "event_date", "start", "start_date", "startdate", "start_time", "begin",
        "datetime", "date_time", "time", "when", "day",
    ),
    "end": ("end", "end_date", "enddate", "end_time", "until", "finish"),
    "lat": ("lat", "latitude", "y", "lat_dd", "coord_y"),
    "lon": ("lon", "lng", "long", "longitude", "x", "lon_dd", "coord_x"),
    "title": ("title", "headline", "name", "event", "event_name", "summary_title"),
    "text": ("description", "notes", "text", "summary", "details", "body", "excerpt", "note"),
    "place": ("place", "location", "city", "town", "site", "address", "place_name"),
    "category": ("category", "type", "event_type", "kind"),
    "source": ("source", "sources", "outlet", "cited"),
    "country": ("country", "country_name"),
}  # fmt: skip
ROLES = tuple(COLUMN_NAMES)


def _normal(header: str) -> str:
    return "_".join(header.strip().strip("\ufeff").lower().replace("-", " ").split())


def detect_columns(headers: list[str], explicit: dict[str, str] | None = None) -> dict[str, int]:
    """Role -> column index, from the header names and the user's explicit mapping.

    An explicit empty header (``{"title": ""}``) means no column has that role.
    Raises :class:`ValueError` when the explicit mapping names an unknown role or column.
    """
    normal = [_normal(h) for h in headers]
    found: dict[str, int] = {}
    for role, names in COLUMN_NAMES.items():
        for name in names:
            if name in normal and normal.index(name) not in found.values():
                found[role] = normal.index(name)
                break
    for role, header in (explicit or {}).items():
        if role not in COLUMN_NAMES:
            raise ValueError(f"unknown column role {role!r} (roles: {', '.join(ROLES)})")
        if not header:
            # The mapping dialog says "no column has this role", overriding detection.
            found.pop(role, None)
            continue
        if header in headers:
            found[role] = headers.index(header)
        elif _normal(header) in normal:
            found[role] = normal.index(_normal(header))
        else:
            raise ValueError(f"no column {header!r} (columns: {', '.join(headers)})")
    return found


def parse_columns_option(text: str) -> dict[str, str]:
    """``"date=When,lat=Y"`` -> ``{"date": "When", "lat": "Y"}`` (the CLI's --columns)."""
    mapping = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        role, sep, header = part.partition("=")
        if not sep or not role.strip() or not header.strip():
            raise ValueError(f"expected role=column, got {part!r}")
        mapping[role.strip().lower()] = header.strip()
    return mapping


class Table:
    """The rows of a delimited file with their line numbers; invalid rows as problems."""

    def __init__(self, source: Source) -> None:
        self.source = source
        sample = source.sample(SAMPLE_CHARS).decode(source.encoding, errors="replace")
        self.dialect = _dialect(source.path, sample)
        self._long_lines: list[int] = []
        self._text = source.open_text()
        self._rows = csv.reader(self._lines(self._text), self.dialect)

    def close(self) -> None:
        self._text.close()

    def _lines(self, text: io.TextIOBase) -> Iterator[str]:
        """The file's lines, each at most :data:`MAX_LINE_CHARS` long: the rest of a
        longer one is skipped as it is read (never held) and its number remembered."""
        number = 0
        while True:
            line = text.readline(MAX_LINE_CHARS)
            if not line:
                return
            number += 1
            if len(line) < MAX_LINE_CHARS or line.endswith("\n"):
                yield line
                continue
            while line and not line.endswith("\n"):
                line = text.readline(MAX_LINE_CHARS)
            self._long_lines.append(number)
            yield "\n"

    def __iter__(self) -> Iterator[tuple[int, list[str]] | BadRecord]:
        reader = self._rows
        name = self.source.name
        last_line = 0
        errors = decoding_errors()
        pending = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield BadRecord(name, f"line {last_line + 1}", f"unreadable CSV ({exc})")
                last_line = reader.line_num
                continue
            line = last_line + 1
            last_line = reader.line_num
            if self._long_lines and self._long_lines[0] <= last_line:
                too_long = self._long_lines.pop(0)
                yield BadRecord(
                    name, f"line {too_long}", f"longer than {MAX_LINE_CHARS:,} characters"
                )
                continue
            now = decoding_errors()
            if now != errors:
                # The decoder runs a buffer ahead of the parser: the bytes it replaced are
                # in this row or a later one, marked by U+FFFD.
                pending += now - errors
                errors = now
            if pending:
                marks = sum(field.count("\ufffd") for field in row)
                if marks:
                    pending = max(0, pending - marks)
                    yield BadRecord(
                        name, f"line {line}", f"bytes that are not valid {self.source.encoding}"
                    )
                    continue
            if row:
                yield line, row


SAMPLE_CHARS = 16 * 1024


def _dialect(path: Path, sample: str) -> type[csv.Dialect]:
    if path.suffix.lower() in (".tsv", ".tab"):
        return csv.excel_tab
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
    delimiter = max(counts, key=counts.get)
    if counts[delimiter] == 0:
        delimiter = ","

    class Detected(csv.excel):
        pass

    Detected.delimiter = delimiter
    return Detected


def read_delimited(source: Source, options: ReadOptions) -> Iterator[Record]:
    """Events from a CSV/TSV file (ACLED exports included)."""
    table = Table(source)
    rows = iter(table)
    header = None
    for item in rows:
        if isinstance(item, BadRecord):
            raise ImportFailed(BadRecord(item.file, item.where, f"bad header: {item.reason}"))
        header = item[1]
        break
    if header is None:
        raise ImportFailed(BadRecord(source.name, None, "the file is empty"))
    header = [h.strip().lstrip("\ufeff") for h in header]
    if acled.is_acled(header) and not options.columns:
        mapper = acled.row_mapper(header, source, options)
    elif set(header) >= CSV_OWN_COLUMNS and not options.columns:
        mapper = _ExportMapper(header)
    else:
        mapper = _row_mapper(header, source, options)
    # The day/month order is the whole column's: when the first rows write dates in
    # numbers and more rows follow, every row's date is scanned first (the parsing is C).
    ahead = list(itertools.islice(rows, DETECTION_ROWS))
    good = [r for r in ahead if not isinstance(r, BadRecord)]
    i = mapper.date_index
    if (
        i is not None
        and len(ahead) == DETECTION_ROWS
        and any(numeric_date(row[i]) for _, row in good if len(row) > i)
    ):
        scan = Table(source)
        try:
            body = itertools.islice(iter(scan), 1, None)
            mapper.prepare(r for r in body if not isinstance(r, BadRecord))
        finally:
            scan.close()
    else:
        mapper.prepare(good)
    yield from _map(itertools.chain(ahead, rows), mapper, len(header), source.name)


def _map(rows, mapper, width: int, name: str) -> Iterator[Record]:
    convert = mapper.convert
    for item in rows:
        if isinstance(item, BadRecord):
            yield item
            continue
        line, row = item
        if len(row) != width:
            if len(row) < width and not any(row):
                continue
            yield BadRecord(name, f"line {line}", f"expected {width} fields, found {len(row)}")
            continue
        try:
            event = convert(row)
        except DateOrderContradiction as exc:
            raise ImportFailed(BadRecord(name, f"line {line}", str(exc))) from None
        except (ValueError, TypeError, IndexError, OverflowError) as exc:
            yield BadRecord(name, f"line {line}", str(exc) or type(exc).__name__)
            continue
        reason = oversized_field(event)
        yield event if reason is None else BadRecord(name, f"line {line}", reason)


class _GenericMapper:
    def __init__(self, header: list[str], source: Source, options: ReadOptions) -> None:
        try:
            self.columns = detect_columns(header, options.columns)
        except ValueError as exc:
            raise ImportFailed(BadRecord(source.name, "line 1", str(exc))) from None
        if "date" not in self.columns:
            raise ImportFailed(
                BadRecord(
                    source.name,
                    "line 1",
                    "no date column found (name one with --columns date=HEADER; columns: "
                    # A header cell may hold a line break; the message is one line.
                    + ", ".join(" ".join(h.split()) for h in header)
                    + ")",
                )
            )
        self.options = options
        self.dates = DateReader(options, source.name)
        self.date_index = self.columns["date"]
        self.signature = "|".join(_normal(h) for h in header)
        # Our own export marks text cells that a spreadsheet would run as formulas.
        self._ours = set(header) >= CSV_OWN_COLUMNS
        self._places: dict[tuple[str, str], Place | None] = {}
        self.convert: Callable[[list[str]], Event] = self._convert

    def prepare(self, rows: Iterable[tuple[int, list[str]]]) -> None:
        i = self.columns["date"]
        self.dates.learn((f"line {n}", row[i]) for n, row in rows if len(row) > i)

    def _get(self, row: list[str], role: str) -> str:
        i = self.columns.get(role)
        if i is None:
            return ""
        value = row[i].strip()
        return restore_spreadsheet_text(value) if self._ours else value

    def _place(self, row: list[str]) -> Place | None:
        name = self._get(row, "place")
        lat, lon = self._get(row, "lat"), self._get(row, "lon")
        if lat or lon:
            if not (lat and lon):
                raise ValueError("a latitude without a longitude (or the reverse)")
            y = coordinate(lat, -90, 90, "latitude")
            x = coordinate(lon, -180, 180, "longitude")
            return Place(name or f"{y:.4f}, {x:.4f}", y, x)
        if not name:
            return None
        country = self._get(row, "country")
        key = (name, country)
        if key not in self._places:
            geocoder = self.options.geocoder_or_default()
            context = None
            if country:
                found = geocoder.gazetteer.lookup(country)
                codes = frozenset(e.country for e in found if e.kind == "country")
                context = GeoContext(countries=codes)
            result = geocoder.geocode(name, context)
            self._places[key] = result.place if result else None
        place = self._places[key]
        if place is None:
            raise ValueError(f"place {name!r} not found in the gazetteer (add coordinates)")
        return Place(name, place.lat, place.lon, place.kind, place.country)

    def _convert(self, row: list[str]) -> Event:
        start, precision = self.dates(self._get(row, "date"))
        end_text = self._get(row, "end")
        end = None
        if end_text:
            end, end_precision = self.dates(end_text)
            if end_precision != precision:
                # event_span keeps each ISO text's own period when it is coarser.
                precision = DatePrecision.DAY
        place = self._place(row)
        text = self._get(row, "text")
        title = self._get(row, "title") or _title_from(text, place, start)
        ident = self._get(row, "id")
        uid = (
            event_uid("csv", self.signature, ident)
            if ident
            # Every column: rows alike in title, date and place but not in, say, a link
            # are different records, never merged.
            else event_uid("csv-row", self.signature, *row)
        )
        sources = tuple(s.strip() for s in self._get(row, "source").split(";") if s.strip())
        category = self._get(row, "category").lower().replace(" ", "_") or "other"
        return Event(
            uid=uid,
            title=title,
            start=start,
            end=end,
            precision=precision,
            display_date=self._get(row, "date"),
            category=category,
            place=place,
            excerpt=text,
            sources=sources,
        )


class _ExportMapper:
    """Rows of a CSV file that ``export csv`` wrote: every column is an event's field
    under its own name, so the event comes back as it was exported.

    Files written before some columns existed (``id``, the place's kind and country, the
    article's id, the origin) lack them; those fields are then empty, as they were.
    """

    def __init__(self, header: list[str]) -> None:
        self._index = {name: i for i, name in enumerate(header)}
        self.date_index = None  # ISO dates: no order to learn
        self.convert: Callable[[list[str]], Event] = self._convert

    def prepare(self, rows: Iterable[tuple[int, list[str]]]) -> None:
        """Nothing to learn: the dates are ISO, written by the exporter."""

    def _get(self, row: list[str], column: str) -> str:
        i = self._index.get(column)
        return "" if i is None else restore_spreadsheet_text(row[i])

    def _place(self, row: list[str], prefix: str, name_column: str) -> Place | None:
        lat, lon = self._get(row, f"{prefix}latitude"), self._get(row, f"{prefix}longitude")
        if not (lat or lon):
            return None
        if not (lat and lon):
            raise ValueError("a latitude without a longitude (or the reverse)")
        kind_column = "place_kind" if prefix == "" else f"{prefix}kind"
        return Place(
            self._get(row, name_column),
            coordinate(lat, -90, 90, "latitude"),
            coordinate(lon, -180, 180, "longitude"),
            self._get(row, kind_column) or None,
            self._get(row, f"{prefix}country") or None,
        )

    def _convert(self, row: list[str]) -> Event:
        get = self._get
        start, end = get(row, "start"), get(row, "end") or None
        precision = DatePrecision(get(row, "precision") or "day")
        try:
            event_span(start, end, precision)
        except DateError as exc:
            raise ValueError(str(exc)) from None
        place = self._place(row, "", "place")
        title, excerpt = get(row, "title"), get(row, "excerpt")
        article = None
        article_title, article_id = get(row, "article_title"), get(row, "article_id")
        if article_title or article_id:
            url = get(row, "article_url") or None
            article = Article(
                uid=article_id or event_uid("article", article_title, url),
                title=article_title or article_id,
                author=get(row, "article_author") or None,
                outlet=get(row, "article_outlet") or None,
                url=url,
                published=get(row, "article_published") or None,
            )
        return Event(
            uid=get(row, "id") or event_uid(title, start, end, place, excerpt),
            title=title,
            start=start,
            end=end,
            precision=precision,
            display_date=get(row, "display_date"),
            category=get(row, "category") or "other",
            actors=split_list(get(row, "actors")),
            place=place,
            excerpt=excerpt,
            article=article,
            sources=split_list(get(row, "sources")),
            origin=self._place(row, "origin_", "origin"),
            attributes=read_attributes(get(row, "attributes")),
            grade=read_grade(lambda column: get(row, column)),
        )


def _title_from(text: str, place: Place | None, start: str) -> str:
    if text:
        first = text.split(". ")[0]
        return first if len(first) <= 90 else first[:87].rstrip() + "..."
    return f"{place.name if place else 'Event'}, {start}"


def _row_mapper(header: list[str], source: Source, options: ReadOptions) -> _GenericMapper:
    return _GenericMapper(header, source, options)
