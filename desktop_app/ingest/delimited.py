"""CSV and TSV files of events: the rows, with their columns' roles found by
:mod:`desktop_app.ingest.interpret` from the header and the first rows' values.

A user's explicit mapping wins over detection. Rows with coordinates are placed as
given; rows with only a place name are geocoded (offline unless the user allowed online
look-ups). Known layouts are told by their columns: ACLED exports (read by
:mod:`desktop_app.ingest.acled`), UCDP GED files (:mod:`desktop_app.ingest.ucdp`),
files that ``export csv`` wrote (field by field, into the events they were written
from), and headerless GDELT event files by their shape (:mod:`desktop_app.ingest.gdelt`).
A headerless file of no known layout is refused at line 1, without taking its values
for column names.

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
from desktop_app.ingest import acled, gdelt, interpret, ucdp
from desktop_app.ingest.exporters import (
    CSV_OWN_COLUMNS,
    read_attributes,
    read_grade,
    restore_spreadsheet_text,
)
from desktop_app.ingest.fields import DateOrderContradiction, coordinate, split_list
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

#: Every role a column can have (see :mod:`desktop_app.ingest.interpret`).
ROLES = interpret.ROLES


def detect_columns(headers: list[str], explicit: dict[str, str] | None = None) -> dict[str, int]:
    """Role -> column index, from the header names and the user's explicit mapping.

    An explicit empty header (``{"title": ""}``) means no column has that role.
    Raises :class:`ValueError` when the explicit mapping names an unknown role or column.
    """
    return interpret.interpret(headers, (), explicit).roles


def parse_columns_option(text: str) -> dict[str, str | tuple[str, ...]]:
    """``"date=When,lat=Y"`` -> ``{"date": "When", "lat": "Y"}`` (the CLI's --columns).

    The roles that take several columns (actors, sources) name them one after another:
    ``"actors=actor1,actor2,date=When"`` -> ``{"actors": ("actor1", "actor2"), ...}``.
    Raises :class:`ValueError` for a part that is not ``role=column``, an unknown role,
    and a role of one column (a date, a latitude) given two.
    """
    mapping: dict[str, list[str]] = {}
    role = None
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, header = part.partition("=")
        if not sep and role is not None:
            mapping[role].append(part)
            continue
        if not sep or not name.strip() or not header.strip():
            raise ValueError(f"expected role=column, got {part!r}")
        role = name.strip().lower()
        mapping.setdefault(role, []).append(header.strip())
    interpret.chosen_fields(mapping)  # the same refusals as the dialog's mapping
    return {
        role: tuple(headers) if role in interpret.MANY and len(headers) > 1 else headers[0]
        for role, headers in mapping.items()
    }


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


def looks_like_data(row: list[str]) -> bool:
    """Whether a first row holds values rather than column names: most of its cells are
    numbers or dates, and none is a name the synonym table knows."""
    cells = [c.strip() for c in row if c.strip()]
    if not cells:
        return False
    known = {n for names in interpret.synonyms().values() for n in names}
    if any(interpret.normal_name(c) in known for c in cells):
        return False
    numeric = sum(1 for c in cells if c.replace(".", "", 1).lstrip("+-").isdigit())
    return numeric * 2 > len(cells)


def read_delimited(source: Source, options: ReadOptions) -> Iterator[Record]:
    """Events from a CSV/TSV file (ACLED, UCDP GED and headerless GDELT files included)."""
    table = Table(source)
    rows = iter(table)
    first = None
    for item in rows:
        if isinstance(item, BadRecord):
            raise ImportFailed(BadRecord(item.file, item.where, f"bad header: {item.reason}"))
        first = item
        break
    if first is None:
        raise ImportFailed(BadRecord(source.name, None, "the file is empty"))
    header = [h.strip().lstrip("\ufeff") for h in first[1]]
    notes = source.notes
    gdelt_header = gdelt.gdelt_columns(header)
    if gdelt_header is not None:
        # GDELT files have no header row: the first line is an event like the others.
        header, notes.layout = gdelt_header, "GDELT (no header row, by its shape)"
        rows = itertools.chain([first], rows)
    elif looks_like_data(header):
        raise ImportFailed(
            BadRecord(
                source.name,
                "line 1",
                f"the file has no header row (its first line holds {len(header)} values, "
                "not column names, and is no known layout); add a first line naming "
                "the columns",
            )
        )
    # The first rows are read before the columns are interpreted: their values say
    # what each column holds.
    ahead = list(itertools.islice(rows, DETECTION_ROWS))
    good = [r for r in ahead if not isinstance(r, BadRecord)]
    if acled.is_acled(header) and not options.columns:
        mapper = acled.row_mapper(header, source, options)
        notes.layout = "ACLED"
    elif set(header) >= CSV_OWN_COLUMNS and not options.columns:
        mapper = _ExportMapper(header)
        notes.layout = "Event Atlas export"
    else:
        layout = ucdp.LAYOUT if ucdp.is_ucdp(header) else None
        if layout is not None:
            notes.layout = layout.name
        mapper = _GenericMapper(header, source, options, [row for _, row in good], layout)
        notes.interpretation = mapper.make.interpretation
    # The day/month order is the whole column's: when the first rows write dates in
    # numbers and more rows follow, every row's date is scanned first (the parsing is C).
    i = mapper.date_index
    if (
        i is not None
        and len(ahead) == DETECTION_ROWS
        and any(numeric_date(row[i]) for _, row in good if len(row) > i)
    ):
        scan = Table(source)
        try:
            body = iter(scan)
            if gdelt_header is None:
                body = itertools.islice(body, 1, None)
            mapper.prepare(r for r in body if not isinstance(r, BadRecord))
        finally:
            scan.close()
    else:
        mapper.prepare(good)
    notes.date_order = mapper.dates.reason if mapper.dates else "ISO dates (an Event Atlas export)"
    yield from _map(itertools.chain(ahead, rows), mapper, len(header), source)


def _map(rows, mapper, width: int, source: Source) -> Iterator[Record]:
    convert = mapper.convert
    name = source.name
    notes = source.notes
    for item in rows:
        if isinstance(item, BadRecord):
            yield item
            continue
        line, row = item
        if len(row) != width:
            if len(row) < width and not any(row):
                notes.blank += 1
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
        notes.where = f"line {line}"
        yield event if reason is None else BadRecord(name, f"line {line}", reason)


class _GenericMapper:
    """Rows of any other table: each column's role found by :mod:`interpret`."""

    def __init__(
        self,
        header: list[str],
        source: Source,
        options: ReadOptions,
        sample: list[list[str]],
        layout: interpret.Layout | None = None,
    ) -> None:
        try:
            found = interpret.interpret(header, sample, options.columns, layout)
        except ValueError as exc:
            raise ImportFailed(BadRecord(source.name, "line 1", str(exc))) from None
        if found.column("date") is None and found.column("year") is None:
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
        # Our own export marks text cells that a spreadsheet would run as formulas.
        ours = set(header) >= CSV_OWN_COLUMNS
        self.make = interpret.EventMaker(
            found,
            options,
            source.name,
            "|".join(interpret.normal_name(h) for h in header),
            restore_spreadsheet_text if ours else None,
            layout,
        )
        self.dates = self.make.dates
        self.date_index = found.column("date")
        self.convert: Callable[[list[str]], Event] = self.make

    def prepare(self, rows: Iterable[tuple[int, list[str]]]) -> None:
        self.make.learn((f"line {n}", row) for n, row in rows)


class _ExportMapper:
    """Rows of a CSV file that ``export csv`` wrote: every column is an event's field
    under its own name, so the event comes back as it was exported.

    Files written before some columns existed (``id``, the place's kind and country, the
    article's id, the origin) lack them; those fields are then empty, as they were.
    """

    def __init__(self, header: list[str]) -> None:
        self._index = {name: i for i, name in enumerate(header)}
        self.date_index = None  # ISO dates: no order to learn
        self.dates = None
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
