"""The filter's questions to the store: which events match, how many, best first.

One :class:`~desktop_app.core.filter.Filter` becomes one SQL condition over ``events``
(aliased ``e``) joined to its place (``p``). The text query's terms each match an
event's title or excerpt (``events_fts``), its place's name (``places_fts``) or a cited
outlet (``sources_fts``), and all terms must match. The terms are read by
:func:`~desktop_app.core.filter.text_terms` and written back as quoted FTS5 phrases, so
nothing the user types is FTS syntax and no query can fail to parse.

A polygon is the one part SQL does not answer alone: the condition keeps the events in
the polygon's bounding box (the place index finds them), and numpy tells which of those
lie inside (:func:`~desktop_app.core.filter.inside_polygon`), all at once.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable

import numpy as np

from desktop_app.core.categories import (
    CATEGORIES,
    DATASET_LOOKS,
    OTHER,
    Category,
    dataset_categories,
)
from desktop_app.core.event import EXACT_KINDS
from desktop_app.core.filter import (
    Filter,
    FilterError,
    Placement,
    TextTerm,
    inside_polygon,
    polygon_bounds,
    text_terms,
)
from desktop_app.core.outlets import outlet_key
from desktop_app.core.window import TimeWindow

_FROM = "FROM events e LEFT JOIN places p ON p.id = e.place_id"
_KNOWN_CATEGORIES = tuple(c.key for c in CATEGORIES)
#: Beyond this many distinct categories, counting them all at once is the quicker way.
_DISTINCT_SEEKS = 200
# The words of a place filter: letters and digits of any script, as text_terms reads them.
_WORD = re.compile(r"[^\W_]+")


def add_functions(conn: sqlite3.Connection) -> None:
    """Give a connection of its own (a worker's) the functions these queries call."""
    conn.create_function("outlet_key", 1, outlet_key, deterministic=True)


def fts_phrase(term: TextTerm) -> str:
    """``term`` as one FTS5 phrase (its words are letters and digits only)."""
    return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


def _marks(values: object) -> str:
    return ",".join("?" * len(values))  # type: ignore[arg-type]


def dataset_keys(conn: sqlite3.Connection) -> tuple[str, ...]:
    """The store's own categories that get a look of their own (see
    :func:`~desktop_app.core.categories.dataset_categories`): the most frequent of those
    the palette lacks."""
    # Asked on every opening of a store: counting the categories of a million events
    # costs a pass over them all (0.1 s), finding the distinct ones a seek each in the
    # category index, and most datasets have no category the palette lacks.
    own: list[str] = []
    key = ""
    for _seek in range(_DISTINCT_SEEKS):
        (key,) = conn.execute(
            "SELECT min(category) FROM events WHERE category > ?", [key]
        ).fetchone()
        if key is None:
            break
        if key not in _KNOWN_CATEGORIES:
            own.append(key)
    else:
        rows = conn.execute(
            f"""SELECT category FROM events WHERE category NOT IN ({_marks(_KNOWN_CATEGORIES)})
                AND category != '' GROUP BY category ORDER BY count(*) DESC, category LIMIT ?""",
            [*_KNOWN_CATEGORIES, len(DATASET_LOOKS)],
        )
        return tuple(str(r[0]) for r in rows)
    counts = {
        name: conn.execute("SELECT count(*) FROM events WHERE category = ?", [name]).fetchone()[0]
        for name in own
    }
    return tuple(sorted(own, key=lambda name: (-counts[name], name))[: len(DATASET_LOOKS)])


def own_categories(conn: sqlite3.Connection) -> tuple[Category, ...]:
    """The store's own categories with their looks, as the map draws them."""
    return dataset_categories(dataset_keys(conn))


def dataset_category_ids(conn: sqlite3.Connection, keys: tuple[str, ...]) -> list[np.ndarray]:
    """The ids of the events of each category of ``keys``, in that order."""
    return [
        fetch_ids(conn, "SELECT group_concat(id) FROM events WHERE category = ?", [key])
        for key in keys
    ]


def fetch_ids(conn: sqlite3.Connection, sql: str, params: list) -> np.ndarray:
    """The integers of the one text ``sql`` answers (a ``group_concat`` of ids), int64.

    SQLite joins the ids into one comma-separated text and numpy reads it in C: no
    Python object per row (a million rows fetched one by one take about a second).
    """
    text = conn.execute(sql, params).fetchone()[0]
    if not text:
        return np.empty(0, np.int64)
    return np.fromstring(text, np.int64, sep=",")


def reads_indexes(flt: Filter) -> bool:
    """Whether :func:`condition` reads, for ``flt``, what a staged import makes only in
    its second stage: the events' text index (a text filter) or the links of events to
    the outlets they cite (a text filter's outlet names, the outlets filter, the grades
    an event inherits from its outlets, the count of corroborating outlets)."""
    return bool(
        flt.text
        or flt.sources
        or flt.min_reliability
        or flt.min_credibility
        or flt.min_corroboration
    )


def condition(
    flt: Filter, window: TimeWindow | None = None, conn: sqlite3.Connection | None = None
) -> tuple[str, list]:
    """The SQL condition (over ``e`` and ``p``) an event of ``flt`` and ``window`` meets,
    with its parameters; ``"1"`` when nothing restricts. ``conn`` tells a dataset's own
    categories from "Other" (without it, every unknown category is "Other")."""
    parts: list[str] = []
    params: list = []
    if window is not None:
        parts.append("e.t0 < ? AND (e.t1 > ? OR e.t0 >= ?)")
        params += [window.end, window.start, window.start]
    if flt.categories:
        keys = sorted(flt.categories)
        clause = f"e.category IN ({_marks(keys)})"
        params += keys
        if OTHER.key in flt.categories:
            # The map draws a missing or unknown category as "Other" (but for a dataset's
            # own, which it draws as themselves): so does the filter.
            drawn = _KNOWN_CATEGORIES + (dataset_keys(conn) if conn is not None else ())
            clause += f" OR e.category IS NULL OR e.category NOT IN ({_marks(drawn)})"
            params += drawn
        parts.append(f"({clause})")
    if flt.precisions:
        values = sorted(str(p) for p in flt.precisions)
        parts.append(f"e.precision IN ({_marks(values)})")
        params += values
    placed = "(p.lat IS NOT NULL AND p.lon IS NOT NULL)"
    if flt.placement is Placement.PLACED:
        parts.append(placed)
    elif flt.placement is Placement.TIMELINE_ONLY:
        parts.append(f"NOT {placed}")
    if flt.bbox is not None:
        west, south, east, north = flt.bbox
        across = "AND" if west <= east else "OR"  # across the antimeridian: either side
        parts.append(f"(p.lat BETWEEN ? AND ? AND (p.lon >= ? {across} p.lon <= ?))")
        params += [south, north, west, east]
    if flt.polygon:
        # The box around it, in SQL; which of those lie inside is told by _inside.
        west, south, east, north = polygon_bounds(flt.polygon)
        parts.append("(p.lat BETWEEN ? AND ? AND p.lon BETWEEN ? AND ?)")
        params += [south, north, west, east]
    for term in text_terms(flt.text):
        phrase = fts_phrase(term)
        parts.append(
            """(e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)
                OR e.place_id IN (SELECT rowid FROM places_fts WHERE places_fts MATCH ?)
                OR e.id IN (SELECT es.event_id FROM event_sources es WHERE es.source_id IN
                    (SELECT rowid FROM sources_fts WHERE sources_fts MATCH ?)))"""
        )
        params += [phrase, f"name : {phrase}", phrase]
    if flt.place:
        words = _WORD.findall(flt.place)
        if not words:
            raise FilterError(f"Place: {flt.place} has no word to search for")
        # Every word starts a word of the place's name or country: "khark" finds Kharkiv.
        query = " ".join(fts_phrase(TextTerm((w,), prefix=True)) for w in words)
        parts.append("e.place_id IN (SELECT rowid FROM places_fts WHERE places_fts MATCH ?)")
        params.append(query)
    if flt.actors:
        actors = sorted(flt.actors)
        parts.append(
            f"EXISTS (SELECT 1 FROM json_each(coalesce(e.actors, '[]')) "
            f"WHERE value IN ({_marks(actors)}))"
        )
        params += actors
    if flt.sources:
        names = sorted(flt.sources)
        parts.append(
            f"""(e.id IN (SELECT es.event_id FROM event_sources es
                    JOIN sources s ON s.id = es.source_id WHERE s.name IN ({_marks(names)}))
                OR e.article_uid IN (SELECT uid FROM articles WHERE outlet IN ({_marks(names)})))"""
        )
        params += names + names
    if flt.min_reliability or flt.min_credibility:
        # The event's own grade, else the best of its cited outlets' (as events read).
        inherited = """(SELECT og.{0} FROM event_sources es JOIN sources s
                ON s.id = es.source_id JOIN outlet_grades og ON og.outlet = s.outlet
                WHERE es.event_id = e.id ORDER BY og.reliability, og.credibility LIMIT 1)"""
        for column, bar, worst in (("reliability", flt.min_reliability, "F"),
                                   ("credibility", flt.min_credibility, "6")):  # fmt: skip
            if bar:
                parts.append(
                    f"coalesce(e.{column}, {inherited.format(column)}, '{worst}') <= ?"
                )
                params.append(bar)
    if flt.min_corroboration:
        # Independent outlets, counted as desktop_app.core.outlets counts them.
        parts.append(
            """(SELECT count(DISTINCT outlet_key(s.outlet)) FROM event_sources es
                JOIN sources s ON s.id = es.source_id WHERE es.event_id = e.id) >= ?"""
        )
        params.append(flt.min_corroboration)
    if flt.exact_place:
        kinds = sorted(EXACT_KINDS)
        parts.append(f"lower(p.kind) IN ({_marks(kinds)})")
        params += kinds
    for name, value in sorted(flt.attributes):
        parts.append(
            "EXISTS (SELECT 1 FROM json_each(coalesce(e.attributes, '{}')) "
            "WHERE key = ? AND value = ?)"
        )
        params += [name, value]
    return (" AND ".join(parts) or "1"), params


def id_query(
    conn: sqlite3.Connection, flt: Filter, window: TimeWindow | None = None
) -> tuple[str, list]:
    """A ``SELECT`` of the matching ids, with its parameters, to nest in another query."""
    if flt.polygon:
        # The polygon is answered here, not in SQL: its ids go in as one JSON list.
        ids = matching_ids(conn, flt, window).tolist()
        return "SELECT value FROM json_each(?)", [json.dumps(ids)]
    where, params = condition(flt, window, conn)
    return f"SELECT e.id {_FROM} WHERE {where}", params


def _selected(cursor: sqlite3.Cursor, flt: Filter) -> np.ndarray:
    """The ids the rows of ``cursor`` (id, and with a polygon lon, lat) hold, in their
    order, less those outside ``flt``'s polygon."""
    chunks = []
    # Flat chunks of ids: a million one-element tuples at once would take ~100 MB.
    while rows := cursor.fetchmany(100_000):
        if flt.polygon:
            block = np.array(rows, dtype=float).reshape(len(rows), 3)
            keep = inside_polygon(block[:, 1], block[:, 2], flt.polygon)
            chunks.append(block[keep, 0].astype(np.int64))
        else:
            chunks.append(np.fromiter((r[0] for r in rows), np.int64, len(rows)))
    return np.concatenate(chunks) if chunks else np.empty(0, np.int64)


def _columns(flt: Filter) -> str:
    return "e.id, p.lon, p.lat" if flt.polygon else "e.id"


def matching_ids(
    conn: sqlite3.Connection, flt: Filter, window: TimeWindow | None = None
) -> np.ndarray:
    """The ids (int64, ascending) of the events of ``window`` that ``flt`` lets through."""
    where, params = condition(flt, window, conn)
    if flt.polygon:
        cursor = conn.execute(f"SELECT {_columns(flt)} {_FROM} WHERE {where}", params)
        ids = _selected(cursor, flt)
    else:
        ids = fetch_ids(conn, f"SELECT group_concat(e.id) {_FROM} WHERE {where}", params)
    # Sorted here, not by SQLite: a plan through the place index would sort on disk.
    return np.sort(ids)


def count_matching(conn: sqlite3.Connection, flt: Filter, window: TimeWindow | None = None) -> int:
    """How many events of ``window`` ``flt`` lets through."""
    if flt.polygon:
        return len(matching_ids(conn, flt, window))
    where, params = condition(flt, window, conn)
    return conn.execute(f"SELECT count(*) {_FROM} WHERE {where}", params).fetchone()[0]


def ranked_ids(
    conn: sqlite3.Connection,
    flt: Filter,
    window: TimeWindow | None = None,
    limit: int | None = None,
) -> np.ndarray:
    """The matching ids, best match of the text query first (by FTS5's bm25 over titles
    and excerpts; events found only by place or outlet follow), then by start.

    Without a text query, in order of start.
    """
    where, params = condition(flt, window, conn)
    terms = text_terms(flt.text)
    # With a polygon, the limit applies to the events inside it: after numpy's answer.
    cap = "" if limit is None or flt.polygon else f" LIMIT {int(limit)}"
    end = None if limit is None else int(limit)
    if not terms:
        sql = f"SELECT {_columns(flt)} {_FROM} WHERE {where} ORDER BY e.t0, e.id{cap}"
        return _selected(conn.execute(sql, params), flt)[:end]
    # Any term counts towards the rank: an event found by place for one term is still
    # ranked by how well its title and excerpt match the others.
    scored = " OR ".join(fts_phrase(t) for t in terms)
    sql = f"""
        WITH score AS (SELECT rowid AS id, bm25(events_fts) AS s FROM events_fts
                       WHERE events_fts MATCH ?)
        SELECT {_columns(flt)} {_FROM} LEFT JOIN score ON score.id = e.id WHERE {where}
        ORDER BY score.s IS NULL, score.s, e.t0, e.id{cap}"""
    return _selected(conn.execute(sql, [scored, *params]), flt)[:end]


def ids_by_title(conn: sqlite3.Connection, key: Callable[[str], str]) -> np.ndarray:
    """Every event's id (int64) in order of ``key(title)``, then of start and id.

    SQLite calls ``key`` once per event and sorts by what it returns, in code point
    order; the sort runs without Python's lock. An exception ``key`` raises ends the
    query (as :class:`sqlite3.OperationalError`).
    """
    conn.create_function("title_key", 1, key, deterministic=True)
    try:
        # The ids come as one text, in the order of the subquery's ORDER BY.
        return fetch_ids(
            conn,
            """SELECT group_concat(id) FROM
                   (SELECT id FROM events ORDER BY title_key(title), t0, id)""",
            [],
        )
    finally:
        conn.create_function("title_key", 1, None)


def place_names(conn: sqlite3.Connection) -> list[tuple[int, str | None, str | None]]:
    """Every place's id, name and country (a store has thousands of places, not millions)."""
    return conn.execute("SELECT id, name, country FROM places ORDER BY id").fetchall()


def text_ids(conn: sqlite3.Connection, text: str) -> np.ndarray:
    """The ids (int64, ascending) of the events the text query ``text`` finds: the events
    the text part of :func:`condition` lets through, found from the full-text indexes
    and the place and outlet indexes alone, without a pass over every event.

    Each term's events (by title or excerpt, place, or cited outlet) are three rowid
    queries joined here, not a SQL ``UNION`` (which builds a temporary B-tree of them
    all); the terms' sets are intersected here. A query of no terms finds every event.
    """
    found: np.ndarray | None = None
    for term in text_terms(text):
        phrase = fts_phrase(term)
        parts = [
            fetch_ids(conn, _TEXT_ROWIDS, [phrase]),
            fetch_ids(conn, _PLACE_ROWIDS, [f"name : {phrase}"]),
            fetch_ids(conn, _SOURCE_ROWIDS, [phrase]),
        ]
        found_by = [part for part in parts if len(part)]
        if len(found_by) == 1 and bool(np.all(found_by[0][1:] > found_by[0][:-1])):
            # Found one way only (the common case), in rowid order: already a set.
            ids = found_by[0]
        else:
            ids = np.unique(np.concatenate(parts))
        found = ids if found is None else np.intersect1d(found, ids, assume_unique=True)
        if not len(found):
            break
    if found is None:
        return np.sort(fetch_ids(conn, "SELECT group_concat(id) FROM events", []))
    return found


# The three ways a term finds events: the FTS index alone answers with rowids.
_TEXT_ROWIDS = "SELECT group_concat(rowid) FROM events_fts WHERE events_fts MATCH ?"
_PLACE_ROWIDS = """SELECT group_concat(e.id) FROM events e WHERE e.place_id IN
    (SELECT rowid FROM places_fts WHERE places_fts MATCH ?)"""
_SOURCE_ROWIDS = """SELECT group_concat(es.event_id) FROM event_sources es WHERE es.source_id IN
    (SELECT rowid FROM sources_fts WHERE sources_fts MATCH ?)"""


def named_counts(conn: sqlite3.Connection, part: str, limit: int = 500) -> list[tuple[str, int]]:
    """What a filter part can be set to, with how many events each names, most first:
    ``part`` is ``"actors"`` (the events' actors), ``"sources"`` (cited outlets and the
    outlets of the articles read), ``"countries"`` (of the events' places) or
    ``"attributes"`` (the names of a dataset's kept fields)."""
    if part == "actors":
        sql = """SELECT j.value, count(*) FROM events e, json_each(e.actors) j
                 WHERE e.actors IS NOT NULL AND e.actors != '[]' AND j.value != ''
                 GROUP BY j.value"""
    elif part == "sources":
        # An event counts once per outlet, whether it cites it or was read from it.
        sql = """SELECT name, count(*) FROM (
                     SELECT s.name AS name, es.event_id AS id FROM event_sources es
                     JOIN sources s ON s.id = es.source_id
                     UNION
                     SELECT a.outlet, e.id FROM events e JOIN articles a ON a.uid = e.article_uid
                     WHERE a.outlet IS NOT NULL AND a.outlet != '')
                 GROUP BY name"""
    elif part == "countries":
        sql = """SELECT p.country, count(*) FROM events e JOIN places p ON p.id = e.place_id
                 WHERE p.country IS NOT NULL AND p.country != '' GROUP BY p.country"""
    elif part == "attributes":
        # The names of a dataset's kept fields (see store.rows.attributes_json).
        sql = """SELECT j.key, count(*) FROM events e, json_each(e.attributes) j
                 WHERE e.attributes IS NOT NULL GROUP BY j.key"""
    else:
        raise ValueError(f"no filter part {part!r} to list")
    rows = conn.execute(f"{sql} ORDER BY 2 DESC, 1 LIMIT ?", (int(limit),)).fetchall()
    return [(str(name), int(count)) for name, count in rows]


def attribute_values(
    conn: sqlite3.Connection, name: str, limit: int = 200
) -> list[tuple[str, int]]:
    """The values the kept field ``name`` has, with how many events have each, most
    first (then by value), at most ``limit`` of them: what a condition on that field
    can be set to (see the ``attributes`` part of :func:`condition`)."""
    rows = conn.execute(
        """SELECT j.value, count(*) FROM events e, json_each(e.attributes) j
           WHERE e.attributes IS NOT NULL AND j.key = ?
           GROUP BY j.value ORDER BY 2 DESC, 1 LIMIT ?""",
        (name, int(limit)),
    ).fetchall()
    return [(str(value), int(count)) for value, count in rows]
