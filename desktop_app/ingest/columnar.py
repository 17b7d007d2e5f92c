"""The fast path of a large import: an ACLED export read by columns instead of by rows.

The file is parsed by pyarrow's CSV reader (C++, in blocks of a few MB, so a million rows
take the memory of one block), and each rule of :mod:`desktop_app.ingest.acled` is
applied once per distinct value of the columns it reads (a few thousand dates, places
and kinds of event in a million rows), never once per row. The rows whose values break a
rule, or might pass a size limit, are made again one by one by the ACLED row reader
itself, so that each is skipped (or stops the import) with exactly the reason and line
the row-by-row import gives. The events are the row-by-row import's, value for value.

Files this path does not take, read by the row-by-row path instead
(:func:`columnar_reader` returns None for them, or :class:`NotColumnar` is raised before
anything counts):

- any layout but ACLED's, or an ACLED file read with a column mapping (``--columns``);
- a file that is not UTF-8 (or whose bytes are not valid UTF-8), not comma-separated,
  or not named ``.csv``;
- rows of the wrong width, blank lines or a value holding a line break (the row-by-row
  reader reports each by its physical line, which a block parser does not know);
- dates in numbers (``02/06/2025``) in a file longer than the rows read to decide their
  day/month order: that order is learnt from every row first;
- an import that asks the user (an article's review, confirmed places).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from desktop_app.core.sorted_runs import SortedRuns
from desktop_app.ingest import acled
from desktop_app.ingest.delimited import DETECTION_ROWS, SAMPLE_CHARS, _dialect
from desktop_app.ingest.fields import DateOrderContradiction
from desktop_app.ingest.limits import MAX_FIELD_CHARS, MAX_TEXT_CHARS, oversized_field
from desktop_app.ingest.loose_dates import numeric_date
from desktop_app.ingest.problems import BadRecord, ImportFailed
from desktop_app.ingest.reader import ReadOptions
from desktop_app.ingest.source import Source
from desktop_app.store.bulk_writer import EventColumns

#: Bytes parsed at a time: the memory of one block of rows and its values.
BLOCK_BYTES = 8 * 1024 * 1024
# Odd multipliers that mix the hashes of an event's parts into one key.
_MIX = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93,
        0xA24BAED4963EE407, 0x9FB21C651E98DF25)  # fmt: skip
# The room a piece of the file has for the rest of its last line (longer: copied once).
_LINE_ROOM = 256 * 1024
# A row whose values together are this long might make a field past a limit: it is made
# by the row reader, which checks every limit.
_SUSPECT_CHARS = MAX_FIELD_CHARS - 64


class NotColumnar(Exception):
    """The file turned out to be one the fast path does not read (see the module's
    docstring); nothing was counted, and the row-by-row path reads it from the start."""


@dataclass
class ColumnarReport:
    """What the reader counted, as :class:`~desktop_app.ingest.pipeline.ImportReport`
    counts it row by row."""

    read: int = 0
    skipped: int = 0
    repeats: int = 0
    updated_in_file: int = 0
    given: int = 0


class ColumnarReader:
    """Reads an ACLED export in blocks of events (see the module's docstring).

    Parameters
    ----------
    source
        The file.
    options
        The import's options.
    header
        The file's columns.
    """

    def __init__(self, source: Source, options: ReadOptions, header: list[str]) -> None:
        self.source = source
        self.options = options
        self.header = header
        self.mapper = acled.row_mapper(header, source, options)
        self.report = ColumnarReport()
        self.bytes_read = 0
        #: The SHA-256 of the whole file, once :meth:`blocks` has read it all (hashed as
        #: it is read: the store's history keeps it, and reading the file again for it
        #: would be on the way to a usable store).
        self.digest: str | None = None
        self._rules: dict[str, _Distinct] = {}

    def blocks(
        self,
        skipped: Callable[[BadRecord], None],
        repeated: Callable[[str], None],
        repeats: str,
    ) -> Iterator[EventColumns]:
        """The events of the file, block by block; each bad row goes to ``skipped`` and
        the place of each row that repeats an earlier one exactly to ``repeated``.

        Raises :class:`NotColumnar` (for a file found out to be one this path does not
        read, at any block: the caller reads it again row by row), and ``ImportFailed``
        for a date that contradicts a forced day/month order.
        """
        import pyarrow as pa
        import pyarrow.csv as pacsv

        width = len(self.header)
        names = [f"c{i}" for i in range(width)]

        def invalid(row) -> str:
            # A row of another width or a blank line: the row reader reports them by
            # their physical line, which only it knows.
            return "error"

        read_options = pacsv.ReadOptions(column_names=names, use_threads=False)
        parse_options = pacsv.ParseOptions(
            delimiter=",", ignore_empty_lines=False, invalid_row_handler=invalid
        )
        convert_options = pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        )

        def parsed(chunk: bytes):
            # Each chunk ends at a line's end and is parsed on its own, in this thread
            # (which already runs beside the writer on a machine of few cores). A value
            # holding a line break makes a chunk hold more lines than rows: such a file
            # is read row by row, whose line numbers count them.
            try:
                table = pacsv.read_csv(
                    pa.py_buffer(chunk),
                    read_options=read_options,
                    parse_options=parse_options,
                    convert_options=convert_options,
                )
            except pa.ArrowInvalid as exc:
                raise NotColumnar(str(exc)) from None
            lines = _line_ends(chunk)
            lines += 0 if chunk.endswith((b"\n", b"\r")) else 1
            if table.num_rows != lines:
                raise NotColumnar("a value holds a line break")
            return table.combine_chunks().to_batches()[0] if table.num_rows else None

        seen = _Seen()
        first_line = 2
        started = False
        digest = hashlib.sha256()
        for chunk, last in _chunks(self.source.path, digest):
            if last:
                self.digest = digest.hexdigest()
            size = len(chunk)
            batch = parsed(chunk)
            # The file's text is in the batch now: its bytes go before the next are read.
            del chunk
            if batch is None:
                continue
            values = _Block(batch, width)
            if not started:
                if batch.num_rows < DETECTION_ROWS and not last:
                    # The day/month order is learnt from the first rows of the file.
                    raise NotColumnar("a first block shorter than the rows that decide dates")
                self._learn_dates(values)
                started = True
            block = self._events(values, first_line, skipped, repeated, repeats, seen)
            first_line += batch.num_rows
            self.report.read += batch.num_rows
            self.bytes_read += size
            # While the block waits to be written, only its events are kept.
            del batch, values
            if block is not None:
                yield block

    def _uids(self, values: _Block, i: int) -> tuple[list, np.ndarray]:
        """Each row's uid (the exception for a row without one), and which have none.

        Made by pyarrow for the ids that begin and end with a printable ASCII character
        (which the rule's strip leaves as they are), by the rule for the others."""
        import pyarrow.compute as pc

        ids = values.batch.column(i)
        uids = pc.binary_join_element_wise(acled.UID_PREFIX, ids, "").to_pylist()
        plain = pc.match_substring_regex(ids, r"(?s)^[!-~](.*[!-~])?$")
        failed = np.zeros(values.rows, bool)
        for r in np.flatnonzero(~plain.to_numpy(zero_copy_only=False)).tolist():
            try:
                uids[r] = self.mapper.uid(ids[r].as_py())
            except (ValueError, TypeError, IndexError, OverflowError) as exc:
                uids[r] = exc
                failed[r] = True
        return uids, failed

    def _learn_dates(self, values: _Block) -> None:
        i = self.mapper.date_index
        dates = values.strings(i)[:DETECTION_ROWS]
        if len(dates) >= DETECTION_ROWS and any(numeric_date(d) for d in dates):
            raise NotColumnar("dates in numbers: their order is learnt from every row")
        self.mapper.prepare(
            (n + 2, row) for n, row in enumerate(values.head_rows(len(dates)))
        )

    def _events(
        self,
        values: _Block,
        first_line: int,
        skipped: Callable[[BadRecord], None],
        repeated: Callable[[str], None],
        repeats: str,
        seen: _Seen,
    ) -> EventColumns | None:
        m = self.mapper
        at = m.positions()
        n = values.rows
        bad = np.zeros(n, bool)
        rules = self._rules
        if not rules:
            kept_names = [name for _, name in m.kept]
            rules.update(
                when=_Distinct(_dated(m.when), lambda d: ("", None, "day") if d is None else d),
                place=_Distinct(m.place, lambda p: p),
                kind=_Distinct(
                    lambda t, s: (m.category(t, s), m.title_head(t, s) + " in "),
                    lambda k: k[0],
                ),
                tail=_Distinct(m.title_tail),
                actors=_Distinct(lambda *v: m.actors(v), lambda a: a),
                sources=_Distinct(m.sources, lambda s: s),
                attributes=_Distinct(
                    lambda *v: tuple((n, x) for n, x in zip(kept_names, v, strict=True) if x),
                    lambda a: a,
                ),
            )

        def rule(name: str, columns: list[int | None]) -> tuple[_Distinct, np.ndarray, np.ndarray]:
            # The rule, each row's group and each group's entry in the rule's tables.
            found = rules[name]
            return (found, *found.of(values.key(columns), len(columns)))

        def rule_of(name: str, names: tuple[str, ...]) -> tuple[_Distinct, np.ndarray, np.ndarray]:
            return rule(name, [at[c] for c in names])

        # Each rule once per distinct value (or combination of values) it reads in the
        # whole file: a block looks its values up among those met before, in pyarrow.
        uids, uid_bad = self._uids(values, at["event_id_cnty"])
        bad |= uid_bad
        date_columns = ("event_date", "time_precision")
        when, date_groups, date_found = rule_of("when", date_columns)
        bad |= when.failed[date_found][date_groups]
        place_columns = ("location", "latitude", "longitude", "country", "geo_precision")
        place, place_groups, place_found = rule_of("place", place_columns)
        bad |= place.failed[place_found][place_groups]
        kind_columns = ("event_type", "sub_event_type")
        kind, kind_groups, kind_found = rule_of("kind", kind_columns)
        tail, fatal_codes, fatal_found = rule_of("tail", ("fatalities",))
        tails_bad = tail.failed[fatal_found]
        bad |= tails_bad[fatal_codes]
        # A title is its kind's head, " in ", its place's name and its fatalities' tail
        # (acled.title): each part once per distinct value, joined per row by pyarrow.
        tails = tail.results[fatal_found].tolist()
        titles = _joined(
            ([h for _, h in kind.results[kind_found].tolist()], kind_groups),
            (place.names()[place_found].tolist(), place_groups),
            (["" if f else t for t, f in zip(tails, tails_bad.tolist(), strict=True)], fatal_codes),
        )
        actor_columns = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")
        actor, actor_groups, actor_found = rule_of("actors", actor_columns)
        source, source_groups, source_found = rule_of("sources", ("source",))
        attribute, attribute_groups, attribute_found = rule(
            "attributes", [i for i, _ in m.kept]
        )
        short_names = (*place_columns, *date_columns, *kind_columns, *actor_columns)
        short_names += ("event_id_cnty", "fatalities", "source")
        short = [at[c] for c in short_names if at[c] is not None]
        suspect = values.longer_than(short, _SUSPECT_CHARS)
        if at["notes"] is not None:
            suspect |= values.longer_than([at["notes"]], MAX_TEXT_CHARS)
        # The rows a rule refused, or that may pass a limit, are made one by one by the
        # row reader: the same event, or the same reason at the same line.
        for r in np.flatnonzero(bad | suspect).tolist():
            where = f"line {first_line + r}"
            row = values.row(r)
            if not any(row):
                # A blank line (the parser gives it empty values): the row reader does
                # not count it as a row.
                raise NotColumnar("a blank line")
            try:
                event = m.convert(row)
            except DateOrderContradiction as exc:
                raise ImportFailed(BadRecord(self.source.name, where, str(exc))) from None
            except (ValueError, TypeError, IndexError, OverflowError) as exc:
                self.report.skipped += 1
                skipped(BadRecord(self.source.name, where, str(exc) or type(exc).__name__))
                bad[r] = True
                continue
            reason = oversized_field(event)
            if reason is None:
                raise NotColumnar("a field near a size limit")  # rare: read row by row
            self.report.skipped += 1
            skipped(BadRecord(self.source.name, where, reason))
            bad[r] = True
        excerpts = values.strings(at["notes"]) if at["notes"] is not None else [""] * n
        display = values.strings(at["event_date"])
        # Which events are the same (every value alike): the hash of each event's own
        # values, mixed in numpy with those of the groups of values it is made of (each
        # hashed once). Rows alike in everything have the same key, as the row-by-row
        # import's hash of the event.
        parts = (
            (date_groups, when.hashes[date_found]), (kind_groups, kind.hashes[kind_found]),
            (actor_groups, actor.hashes[actor_found]), (place_groups, place.hashes[place_found]),
            (source_groups, source.hashes[source_found]),
            (attribute_groups, attribute.hashes[attribute_found]),
        )  # fmt: skip
        if bad.any():
            good = np.flatnonzero(~bad)
            rows = good.tolist()
            own = ((uids[r], excerpts[r], titles[r], display[r]) for r in rows)
            own_uids = [uids[r] for r in rows]
        else:
            good = np.arange(n)
            own = zip(uids, excerpts, titles, display, strict=True)
            own_uids = uids
        row_keys = np.fromiter(map(hash, own), np.int64, len(good)).view(np.uint64)
        with np.errstate(over="ignore"):
            for k, (groups, hashes) in enumerate(parts):
                row_keys = row_keys * np.uint64(_MIX[k]) + hashes.view(np.uint64)[groups[good]]
        row_keys = row_keys.view(np.int64)
        uid_keys = np.fromiter(map(hash, own_uids), np.int64, len(good))
        again = np.zeros(len(good), bool)
        keep = np.ones(len(good), bool)
        if seen.none_of(uid_keys):
            seen.add(row_keys, uid_keys)
        else:
            # Rare: a row repeats another, or an id comes back: counted row by row, in
            # the file's order, as the row-by-row import counts them.
            rows_seen, uids_seen = seen.sets()
            pairs = zip(row_keys.tolist(), uid_keys.tolist(), strict=True)
            for k, (row_key, uid_key) in enumerate(pairs):
                r = int(good[k])
                if row_key in rows_seen:
                    self.report.repeats += 1
                    repeated(f"line {first_line + r}")
                    if repeats == "drop":
                        keep[k] = False
                        continue
                    uids[r] = f"{uids[r]}#repeat{self.report.repeats}"
                elif uid_key in uids_seen:
                    self.report.updated_in_file += 1
                    again[k] = True
                rows_seen.add(row_key)
                uids_seen.add(uid_key)
            seen.add(row_keys, uid_keys)
        chosen = good[keep]
        if not len(chosen):
            return None
        self.report.given += len(chosen)
        if len(chosen) == n:
            chosen_uids, chosen_excerpts, chosen_display = uids, excerpts, display
        else:
            rows = chosen.tolist()
            chosen_uids = [uids[r] for r in rows]
            chosen_excerpts = [excerpts[r] for r in rows]
            chosen_display = [display[r] for r in rows]
        return EventColumns(
            uids=chosen_uids,
            titles=titles if len(chosen) == n else [titles[r] for r in chosen.tolist()],
            display_dates=chosen_display,
            categories=kind.table,
            category_index=kind_found[kind_groups[chosen]],
            excerpts=chosen_excerpts,
            dates=when.table,
            date_index=date_found[date_groups[chosen]],
            places=place.table,
            place_index=place_found[place_groups[chosen]],
            actors=actor.table,
            actor_index=actor_found[actor_groups[chosen]],
            sources=source.table,
            source_index=source_found[source_groups[chosen]],
            attributes=attribute.table,
            attribute_index=attribute_found[attribute_groups[chosen]],
            again=again[keep],
            generation=sum(r.generation for r in rules.values()),
        )


class _Seen:
    """The hashes of the rows and of the uids an import has met so far (8 bytes a row,
    where a set of Python integers takes about 60). Only the uids are looked up block
    by block, as a few sorted arrays (each block's a new one, merged with the last while
    that is no larger: each key is copied a few times in all, not once per block): a
    row that repeats another has its uid, so the rows' hashes are only kept, and sorted
    into a set for a block whose uids were met before."""

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.uids = SortedRuns()

    def none_of(self, uids: np.ndarray) -> bool:
        """Whether no uid of a block was met before, nor twice in it (then no row was)."""
        ordered = np.sort(uids)
        return not (_has_twice(ordered) or self.uids.met(ordered))

    def add(self, rows: np.ndarray, uids: np.ndarray) -> None:
        self.rows.append(rows)
        self.uids.add(uids)

    def sets(self) -> tuple[set[int], set[int]]:
        """Sets of the hashes met, for a block counted row by row."""
        return {key for run in self.rows for key in run.tolist()}, self.uids.keys()


def _has_twice(ordered: np.ndarray) -> bool:
    return bool(len(ordered) > 1 and (ordered[1:] == ordered[:-1]).any())


def _chunks(path: Path, digest) -> Iterator[tuple[bytearray, bool]]:
    """The file after its first line, in pieces of about :data:`BLOCK_BYTES` that end
    at a line's end (a ``\\n``), each with whether it is the last; every byte of the
    file goes into ``digest`` (a hashlib hash) as it is read."""
    with open(path, "rb") as handle:
        digest.update(handle.readline())
        size = os.fstat(handle.fileno()).st_size
        while True:
            # Read into a buffer with room for the rest of the piece's last line, so that
            # a piece is not copied again to end it there.
            piece = bytearray(BLOCK_BYTES + _LINE_ROOM)
            with memoryview(piece) as view:
                count = handle.readinto(view[:BLOCK_BYTES])
                if not count:
                    return
                line = b"" if piece[count - 1] == 0x0A else handle.readline()
                fits = count + len(line) <= len(piece)
                if fits:
                    view[count : count + len(line)] = line
            del piece[count + len(line) if fits else count :]
            if not fits:
                piece += line
            digest.update(piece)
            yield piece, handle.tell() >= size


def _line_ends(chunk: bytearray) -> int:
    """The line ends of ``chunk``: its ``\\n``, and its ``\\r`` not followed by one (as
    the CSV parser ends lines). Counted by numpy, which leaves Python's lock to the
    writer while it scans (a bytes count keeps it)."""
    data = np.frombuffer(chunk, np.uint8)
    ends = int(np.count_nonzero(data == 0x0A))
    if b"\r" in chunk:
        after = np.flatnonzero(data == 0x0D) + 1
        at_end = int(after[-1] == len(data))
        ends += at_end + int(np.count_nonzero(data[after[: len(after) - at_end]] != 0x0A))
    return ends


def _dated(when):
    """The date rule, its precision as the text the store keeps."""

    def dated(text: str, precision_code: str) -> tuple[str, str | None, str]:
        start, end, precision = when(text, precision_code)
        return start, end, str(precision)

    return dated


def _name(place: object) -> str:
    return "" if isinstance(place, Exception) or place is None else place.name


#: What no UTF-8 text holds: it joins the values of a row's columns into one key.
_JOIN = b"\xff"
# The distinct values a rule keeps the results of, at most (then it begins again).
_KEPT_MAX = 200_000


class _Distinct:
    """One rule's result for each distinct value (or combination of values) met in the
    file so far, kept in arrays: a block's distinct values are looked up among them by
    pyarrow, and the rule runs only for those never met before.

    Parameters
    ----------
    func
        The rule: called with a combination's values; what it raises is its result.
    entry
        What the writer is given of a result (None for one that raised): ``table``
        holds it, for the blocks' :class:`EventColumns`.
    """

    def __init__(self, func: Callable, entry: Callable | None = None) -> None:
        self.func = func
        self.entry = entry
        #: How many times the rule began again (its tables are new each time).
        self.generation = -1
        self._reset()

    def _reset(self) -> None:
        import pyarrow as pa

        self.keys = pa.array([], pa.binary())
        self.results = np.empty(0, object)
        self.failed = np.zeros(0, bool)
        self.hashes = np.empty(0, np.int64)
        # A new list, not the old one emptied: blocks waiting to be written keep theirs.
        self.table: list = []
        self.generation += 1
        self._names = np.empty(0, object)

    def names(self) -> np.ndarray:
        """The name of each result (a place's; "" for none), as an array of objects."""
        if len(self._names) < len(self.results):
            more = np.empty(len(self.results) - len(self._names), object)
            more[:] = [_name(p) for p in self.results[len(self._names) :].tolist()]
            self._names = np.concatenate((self._names, more))
        return self._names

    def of(self, key, width: int) -> tuple[np.ndarray, np.ndarray]:
        """For the keys of a block's rows (:meth:`_Block.key` of ``width`` columns): each
        row's group (numbered in the order of their first row), and each group's entry
        in the rule's arrays (``results``, ``failed``: whether the rule raised,
        ``hashes``: of each result) and ``table``."""
        import pyarrow as pa
        import pyarrow.compute as pc

        encoded = pc.dictionary_encode(key)
        groups = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        distinct = encoded.dictionary
        if distinct.type != pa.binary():
            distinct = distinct.cast(pa.binary())
        found = pc.fill_null(pc.index_in(distinct, value_set=self.keys), -1)
        found = found.to_numpy(zero_copy_only=False).astype(np.int64)
        new = np.flatnonzero(found < 0)
        if len(new):
            if len(self.keys) + len(new) > _KEPT_MAX:
                self._reset()
                new = np.arange(len(distinct))
            fresh = distinct.take(pa.array(new))
            results, failed, hashes = [], [], []
            for text in fresh.to_pylist():
                parts = [v.decode("utf-8") for v in text.split(_JOIN)] if width else []
                try:
                    value = self.func(*parts)
                except (ValueError, TypeError, IndexError, OverflowError) as exc:
                    value = exc
                results.append(value)
                failed.append(isinstance(value, Exception))
                hashes.append(hash(_hashable(value)))
            begin = len(self.keys)
            self.keys = pa.concat_arrays([self.keys, fresh])
            table = np.empty(len(results), object)
            table[:] = results
            self.results = np.concatenate((self.results, table))
            self.failed = np.concatenate((self.failed, np.array(failed, bool)))
            self.hashes = np.concatenate((self.hashes, np.array(hashes, np.int64)))
            if self.entry is not None:
                self.table.extend(
                    [self.entry(None if f else r) for r, f in zip(results, failed, strict=True)]
                )
            found[new] = np.arange(begin, begin + len(new))
        return groups, found


def _joined(*parts: tuple[list[str], np.ndarray]) -> list[str]:
    """Each row's text made of ``parts`` (each a table of texts and each row's position
    in it), joined by pyarrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = [pa.array(table, pa.string()).take(pa.array(index)) for table, index in parts]
    return pc.binary_join_element_wise(*columns, "").to_pylist()


def _hashable(value: object) -> object:
    if isinstance(value, Exception):
        return (type(value), str(value))
    return value


class _Block:
    """One parsed block: its columns as texts, and their distinct values."""

    def __init__(self, batch, width: int) -> None:
        self.batch = batch
        self.rows = batch.num_rows
        self.width = width
        self._strings: dict[int, list[str]] = {}

    def strings(self, i: int) -> list[str]:
        found = self._strings.get(i)
        if found is None:
            found = self._strings[i] = self.batch.column(i).to_pylist()
        return found

    def key(self, columns: list[int | None]) -> object:
        """Each row's values of ``columns`` (None: a column the file has not, empty) as
        one key: a text for one column, the bytes of the values joined by a byte no
        UTF-8 text holds for several (so that keys alike are values alike)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if len(columns) == 1 and columns[0] is not None:
            return self.batch.column(columns[0])
        if len(columns) == 1 or not columns:
            return pa.repeat(pa.scalar(b"", pa.binary()), self.rows)
        parts = [
            pa.scalar(b"", pa.binary()) if i is None else self.batch.column(i).cast(pa.binary())
            for i in columns
        ]
        return pc.binary_join_element_wise(*parts, _JOIN)

    def head_rows(self, count: int) -> list[list[str]]:
        """The first ``count`` rows, as the row reader gives them."""
        columns = [self.batch.column(i).slice(0, count).to_pylist() for i in range(self.width)]
        return [list(row) for row in zip(*columns, strict=True)]

    def row(self, r: int) -> list[str]:
        return [self.batch.column(i)[r].as_py() for i in range(self.width)]

    def longer_than(self, columns: list[int], limit: int) -> np.ndarray:
        """Which rows' values of ``columns`` hold more than ``limit`` characters in all."""
        import pyarrow.compute as pc

        def total(length) -> np.ndarray:
            found = np.zeros(self.rows, np.int64)
            for i in columns:
                found += length(self.batch.column(i)).to_numpy(zero_copy_only=False)
            return found

        # A text has at least as many bytes as characters: the bytes (read from the
        # values' offsets) clear most rows, the characters are counted for the others.
        longer = total(pc.binary_length) > limit
        if longer.any():
            longer &= total(pc.utf8_length) > limit
        return longer


def columnar_reader(path: Path, options: ReadOptions, fmt: str) -> ColumnarReader | None:
    """The fast reader of ``path``, or None when the file is one it does not take (see
    the module's docstring; the row-by-row path reads those)."""
    if fmt not in ("csv", "acled") or options.columns or path.suffix.lower() != ".csv":
        return None
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return None
    source = Source(path, options.encoding)
    try:
        if source.encoding not in ("utf-8", "utf-8-sig"):
            return None
        sample = source.sample(SAMPLE_CHARS).decode(source.encoding, errors="replace")
        if _dialect(path, sample).delimiter != ",":
            return None
        first = next(csv.reader(io.StringIO(sample.split("\n", 1)[0])), [])
    except (OSError, ImportFailed, csv.Error):
        return None
    finally:
        source.close()
    header = [h.strip().lstrip("\ufeff") for h in first]
    lowered = [h.lower() for h in header]
    if not header or not acled.is_acled(header) or len(set(lowered)) != len(lowered):
        return None
    return ColumnarReader(Source(path, options.encoding), options, header)
