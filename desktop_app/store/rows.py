"""How events become rows: the one place that writes events, places, articles and the
outlets they cite.

Every write of events, a single edit as much as a million-row import, goes through
:class:`~desktop_app.store.bulk_writer.BulkWriter`, which keeps its look-ups in memory
and uses the statements here. Each function takes the connection of the transaction it
writes in and neither begins nor commits one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from desktop_app.core.event import Article, Place
from desktop_app.core.grading import Credibility, Grade, Reliability
from desktop_app.core.originals import text_sha256
from desktop_app.core.outlets import outlet_names

#: The events columns an event fills, in the order of :func:`insert_events` rows after
#: the uid, and of :func:`update_event` values.
EVENT_VALUES = (
    "title", "start", '"end"', "precision", "display_date", "t0", "t1", "category",
    "actors", "place_id", "excerpt", "article_uid", "origin_place_id", "attributes",
    "reliability", "credibility", "grade_reason",
)  # fmt: skip

_INSERT_EVENT = (
    f"INSERT INTO events (uid, {', '.join(EVENT_VALUES)}) "
    f"VALUES ({', '.join('?' * (len(EVENT_VALUES) + 1))})"
)
#: The columns a staged import's event fills (it has no article, origin or grade of its
#: own), in the order of :func:`insert_staged_events` rows after the uid: a row binding
#: only these costs SQLite a third less than one binding them all.
STAGED_VALUES = (
    "title", "start", '"end"', "precision", "display_date", "t0", "t1", "category", "actors",
    "place_id", "excerpt", "attributes",
)  # fmt: skip
#: The rows a staged import writes with one statement (at most: fewer when SQLite allows
#: fewer values in a statement).
STAGED_ROWS_PER_STATEMENT = 4096
_UPDATE_EVENT = f"UPDATE events SET {', '.join(f'{c} = ?' for c in EVENT_VALUES)} WHERE id = ?"


@dataclass(frozen=True)
class AddResult:
    """What one write did: events new to the store, and events that replaced an older copy."""

    added: int
    replaced: int


def attributes_json(attributes: tuple[tuple[str, str], ...]) -> str | None:
    """An event's kept source fields as the JSON object the store holds (None for none)."""
    if not attributes:
        return None
    return json.dumps(dict(attributes), ensure_ascii=False)


def stored_attributes(text: str | None) -> tuple[tuple[str, str], ...]:
    """The ``(name, value)`` pairs of a stored JSON object (see :func:`attributes_json`)."""
    if not text:
        return ()
    return tuple((str(k), str(v)) for k, v in json.loads(text).items())


def last_event_id(conn: sqlite3.Connection) -> int:
    """The highest event id (0 for none): events added later get higher ones."""
    return conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]


def insert_events(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """New events, each row ``(uid, *values)`` in the order of :data:`EVENT_VALUES`."""
    conn.executemany(_INSERT_EVENT, rows)


def insert_staged_events(conn: sqlite3.Connection, values: list) -> None:
    """New events of a staged import: ``values`` holds each event's row after the one
    before, ``(uid, *values)`` in the order of :data:`STAGED_VALUES`.

    Thousands of rows go in with each statement, not one each as with ``executemany``:
    SQLite writes them without Python's lock, which ``executemany`` takes back after
    every row, and waits for each time another thread runs Python (the import's reader,
    the window), so that the two threads took turns instead of working side by side."""
    width = len(STAGED_VALUES) + 1
    count = max(1, min(STAGED_ROWS_PER_STATEMENT, conn.getlimit(_VARIABLES) // width))
    statement = _staged_insert(count)
    size = count * width
    for at in range(0, len(values), size):
        part = values[at : at + size]
        # The last statement of a block is filled up with rows of NULLs it leaves out.
        part.extend([None] * (count * width - len(part)))
        conn.execute(statement, part)


_VARIABLES = sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER


@lru_cache(maxsize=4)
def _staged_insert(count: int) -> str:
    """The statement writing ``count`` rows of :func:`insert_staged_events`, or fewer:
    those whose uid is NULL are left out. One text for every block, so that SQLite
    compiles it once (Python's connection keeps it compiled)."""
    row = f"({', '.join('?' * (len(STAGED_VALUES) + 1))})"
    return (
        f"INSERT INTO events (uid, {', '.join(STAGED_VALUES)}) "
        f"SELECT * FROM (VALUES {', '.join([row] * count)}) WHERE column1 IS NOT NULL"
    )


def update_event(conn: sqlite3.Connection, event_id: int, values: tuple) -> None:
    """A stored event's new values (as for :func:`insert_events`, without the uid); its
    cited outlets are cleared, to be linked again."""
    conn.execute(_UPDATE_EVENT, [*values, event_id])
    conn.execute("DELETE FROM event_sources WHERE event_id = ?", [event_id])


def place_id(conn: sqlite3.Connection, place: Place) -> int:
    """The id of ``place`` (by name and coordinates), stored first when new; a kind or
    country it brings fills those the stored place lacks."""
    conn.execute(
        """INSERT INTO places (name, lat, lon, kind, country) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (name, lat, lon) DO UPDATE SET
           kind = coalesce(excluded.kind, kind), country = coalesce(excluded.country, country)
        """,
        [place.name, place.lat, place.lon, place.kind, place.country],
    )
    return conn.execute(
        "SELECT id FROM places WHERE name = ? AND lat = ? AND lon = ?",
        [place.name, place.lat, place.lon],
    ).fetchone()[0]


def grade_values(grade: Grade) -> tuple[str | None, str | None, str | None]:
    """An event's grade as its three columns: all NULL for an ungraded event (F6), and
    for one whose grade is a cited outlet's (it is not the event's own)."""
    if grade.from_outlet or (not grade.is_judged and not grade.reason):
        return None, None, None
    return str(grade.reliability), str(grade.credibility), grade.reason or None


def stored_grade(reliability: str | None, credibility: str | None, reason: str | None) -> Grade:
    """The grade of :func:`grade_values`' columns."""
    if reliability is None:
        return Grade()
    return Grade(Reliability(reliability), Credibility(credibility), reason or "")


#: The temporary table of the grades a change writes: ``(id, reliability, credibility,
#: grade_reason)``, one row per event whose grade columns change. Queries read it first and
#: the events by id (``CROSS JOIN`` fixes that order): SQLite knows nothing of a temporary
#: table's size and would scan all the events instead (200 ms a million, for 100 changed).
NEW_GRADES = "temp.new_grades"


def new_grades_table(conn: sqlite3.Connection) -> None:
    """Make :data:`NEW_GRADES` empty (dropped with the connection, or by
    :func:`drop_new_grades`)."""
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS new_grades (id INTEGER PRIMARY KEY, reliability TEXT, "
        "credibility TEXT, grade_reason TEXT)"
    )
    conn.execute(f"DELETE FROM {NEW_GRADES}")


def drop_new_grades(conn: sqlite3.Connection) -> None:
    """Drop the table :data:`NEW_GRADES` once its grades are written, so that the next
    change on this connection starts from an empty one."""
    conn.execute("DROP TABLE IF EXISTS temp.new_grades")


def stage_grade(conn: sqlite3.Connection, ids_json: str, grade: Grade) -> None:
    """Fill :data:`NEW_GRADES` with ``grade`` for each stored event of ``ids_json`` (a
    JSON array of ids) whose grade columns differ from it, in one statement."""
    conn.execute(
        f"""INSERT OR IGNORE INTO {NEW_GRADES} (id, reliability, credibility, grade_reason)
            SELECT e.id, ?1, ?2, ?3 FROM events e
            WHERE e.id IN (SELECT value FROM json_each(?4))
            AND (e.reliability IS NOT ?1 OR e.credibility IS NOT ?2
                 OR e.grade_reason IS NOT ?3)""",
        [*grade_values(grade), ids_json],
    )


def stage_grades(
    conn: sqlite3.Connection, grades: dict[int, tuple[str | None, str | None, str | None]]
) -> None:
    """Fill :data:`NEW_GRADES` with saved grade columns (:attr:`EventRows.grades`) of the
    stored events whose columns differ from them."""
    conn.executemany(
        f"INSERT INTO {NEW_GRADES} (id, reliability, credibility, grade_reason) "
        "VALUES (?, ?, ?, ?)",
        ((event_id, *values) for event_id, values in grades.items()),
    )
    conn.execute(
        f"""DELETE FROM {NEW_GRADES} WHERE id NOT IN (SELECT e.id FROM {NEW_GRADES} g
            CROSS JOIN events e ON e.id = g.id
            WHERE e.reliability IS NOT g.reliability OR e.credibility IS NOT g.credibility
            OR e.grade_reason IS NOT g.grade_reason)"""
    )


def staged_grades_before(
    conn: sqlite3.Connection,
) -> dict[int, tuple[str | None, str | None, str | None]]:
    """The grade columns now stored of the events of :data:`NEW_GRADES`, by id."""
    return {
        event_id: (reliability, credibility, reason)
        for event_id, reliability, credibility, reason in conn.execute(
            f"""SELECT e.id, e.reliability, e.credibility, e.grade_reason
                FROM {NEW_GRADES} g CROSS JOIN events e ON e.id = g.id ORDER BY e.id"""
        )
    }


def write_staged_grades(conn: sqlite3.Connection) -> None:
    """Give the events of :data:`NEW_GRADES` their grade columns there, in one statement."""
    conn.execute(
        f"""UPDATE events SET (reliability, credibility, grade_reason) = (
                SELECT g.reliability, g.credibility, g.grade_reason FROM {NEW_GRADES} g
                WHERE g.id = events.id)
            WHERE id IN (SELECT id FROM {NEW_GRADES})"""
    )


def inherited_grade(outlet_grade: str) -> Grade:
    """The grade an ungraded event takes from a cited outlet's: ``"B2 Reuters"``, as the
    store's events query gives it (the best graded outlet the event cites)."""
    code, _, outlet = outlet_grade.partition(" ")
    return Grade(Reliability(code[0]), Credibility(code[1]), from_outlet=outlet)


def write_article(conn: sqlite3.Connection, article: Article) -> None:
    """Store ``article`` by its uid; a stored text (and its hash and retrieval time) is
    kept when the new copy has none."""
    text = article.text
    conn.execute(
        """INSERT INTO articles (uid, title, author, outlet, url, published, text, sha256,
                                 retrieved)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (uid) DO UPDATE SET title = excluded.title,
           author = excluded.author, outlet = excluded.outlet, url = excluded.url,
           published = excluded.published, text = coalesce(excluded.text, text),
           sha256 = coalesce(excluded.sha256, sha256),
           retrieved = coalesce(excluded.retrieved, retrieved)""",
        [
            article.uid,
            article.title,
            article.author,
            article.outlet,
            article.url,
            article.published,
            text,
            text_sha256(text) if text is not None else None,
            article.retrieved,
        ],
    )


def source_id(conn: sqlite3.Connection, name: str) -> int:
    """The id of the cited outlet ``name``, stored first when new (with the outlet's one
    name, see :mod:`desktop_app.core.outlets`)."""
    conn.execute(
        "INSERT OR IGNORE INTO sources (name, outlet) VALUES (?, ?)",
        [name, outlet_names().name(name)],
    )
    return conn.execute("SELECT id FROM sources WHERE name = ?", [name]).fetchone()[0]


def link_sources(conn: sqlite3.Connection, links: Iterable[tuple[int, int]]) -> None:
    """``(event id, source id)`` pairs: the outlets each event cites."""
    conn.executemany(
        "INSERT OR IGNORE INTO event_sources (event_id, source_id) VALUES (?, ?)", links
    )


@dataclass(frozen=True)
class EventRows:
    """The stored rows of some events and of what they refer to, exactly as stored: what
    :meth:`EventStore.restore_events` writes back to undo or redo a change.

    Each mapping goes from a key to its row (a tuple in the order of ``columns``) or to
    None for a row that did not exist: restoring deletes it (a place, outlet or article
    only while no other event still uses it).

    ``distinct`` holds the pairs marked distinct that the events are part of, which go
    with an event when it is deleted and come back with it; ``outlet_grades`` the rows of
    the graded outlets a change touched (see ``EventStore.grade_outlet``).
    """

    columns: dict[str, tuple[str, ...]]
    events: dict[int, tuple | None]
    #: Each event's links to cited outlets, ``(rowid, source id)``, in their order.
    event_sources: dict[int, tuple[tuple[int, int], ...]]
    places: dict[int, tuple | None]
    sources: dict[int, tuple | None]
    articles: dict[str, tuple | None]
    #: ``(first id, second id, marked)`` rows of ``distinct_events``.
    distinct: tuple[tuple[int, int, str], ...] = ()
    #: An outlet's one name to its ``(reliability, credibility, reason)``, None: ungraded.
    outlet_grades: dict[str, tuple[str, str, str] | None] = field(default_factory=dict)
    #: Events of which a change set the grade alone, by id: their grade columns
    #: ``(reliability, credibility, grade_reason)`` (see :func:`grade_values`). Restoring
    #: writes those three columns back, not the whole rows.
    grades: dict[int, tuple[str | None, str | None, str | None]] = field(default_factory=dict)

    def referenced(self) -> tuple[set[int], set[int], set[str]]:
        """The places, outlets and articles these events use."""
        cols = self.columns["events"]
        place_at, origin_at = cols.index("place_id"), cols.index("origin_place_id")
        article_at = cols.index("article_uid")
        places: set[int] = set()
        articles: set[str] = set()
        for row in self.events.values():
            if row is None:
                continue
            places.update(i for i in (row[place_at], row[origin_at]) if i is not None)
            if row[article_at] is not None:
                articles.add(row[article_at])
        sources = {source for links in self.event_sources.values() for _, source in links}
        return places, sources, articles


def _columns(conn: sqlite3.Connection, table: str) -> tuple[str, ...]:
    names = tuple(row[1] for row in conn.execute(f"PRAGMA table_info({table})"))
    # The rowid of a table keyed otherwise is part of the row too: it orders an event's
    # cited outlets, and a restored row is the same only with the same one.
    return names if table in ("events", "places", "sources") else ("rowid", *names)


def _rows_by(
    conn: sqlite3.Connection, table: str, key: str, cols: tuple[str, ...], keys: Iterable
) -> dict:
    wanted = list(dict.fromkeys(keys))
    names = ", ".join(f't."{c}"' for c in cols)
    found = {
        row[0]: tuple(row[1:])
        for row in conn.execute(
            f"SELECT t.{key}, {names} FROM {table} t JOIN json_each(?) j ON j.value = t.{key}",
            [json.dumps(wanted, ensure_ascii=False)],
        )
    }
    return {k: found.get(k) for k in wanted}


def event_rows(
    conn: sqlite3.Connection,
    event_ids: Iterable[int],
    places: Iterable[int] = (),
    sources: Iterable[int] = (),
    articles: Iterable[str] = (),
) -> EventRows:
    """The rows of the events ``event_ids`` with every place, outlet and article they use,
    and those named besides (None for each that is not stored)."""
    ids = list(dict.fromkeys(event_ids))
    cols = {t: _columns(conn, t) for t in ("events", "places", "sources", "articles")}
    events = _rows_by(conn, "events", "id", cols["events"], ids)
    links: dict[int, list[tuple[int, int]]] = {i: [] for i in ids}
    for rowid, event_id, source in conn.execute(
        """SELECT s.rowid, s.event_id, s.source_id FROM event_sources s JOIN json_each(?) j
           ON j.value = s.event_id ORDER BY s.rowid""",
        [json.dumps(ids)],
    ):
        links[event_id].append((rowid, source))
    partial = EventRows(cols, events, {k: tuple(v) for k, v in links.items()}, {}, {}, {})
    used_places, used_sources, used_articles = partial.referenced()
    return EventRows(
        cols,
        events,
        partial.event_sources,
        _rows_by(conn, "places", "id", cols["places"], [*used_places, *places]),
        _rows_by(conn, "sources", "id", cols["sources"], [*used_sources, *sources]),
        _rows_by(conn, "articles", "uid", cols["articles"], [*used_articles, *articles]),
    )


def _upsert(conn: sqlite3.Connection, table: str, key: str, cols: tuple[str, ...], rows) -> None:
    names = ", ".join(f'"{c}"' if c != "rowid" else c for c in cols)
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c not in (key, "rowid"))
    conn.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {sets}",
        rows,
    )


def restore_rows(conn: sqlite3.Connection, saved: EventRows) -> None:
    """Write ``saved`` back exactly: its events with their ids, links and the places,
    outlets and articles they use; rows it records as absent are deleted (a place,
    outlet or article only if no event uses it any more).

    Written inside the bulk writer, whose update triggers are off: the rows written
    are left for it to index (it indexes them once); rows deleted leave the index through
    the store's delete trigger.
    """
    cols = saved.columns
    for table, key, found in (
        ("places", "id", saved.places),
        ("sources", "id", saved.sources),
        ("articles", "uid", saved.articles),
    ):
        _upsert(conn, table, key, cols[table], [row for row in found.values() if row is not None])
    ids = json.dumps(list(saved.events))
    present = [row for row in saved.events.values() if row is not None]
    gone = json.dumps([i for i, row in saved.events.items() if row is None])
    conn.execute(
        "DELETE FROM event_sources WHERE event_id IN (SELECT value FROM json_each(?))", [ids]
    )
    conn.execute("DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))", [gone])
    # A stored event is updated in place, not deleted and inserted again: rows that
    # refer to it (and go with it when it is deleted) stay. Its old text leaves the
    # full-text index first; the caller indexes the new text.
    conn.execute(
        """INSERT INTO events_fts (events_fts, rowid, title, excerpt)
           SELECT 'delete', id, title, excerpt FROM events
           WHERE id IN (SELECT value FROM json_each(?))""",
        [ids],
    )
    _upsert(conn, "events", "id", cols["events"], present)
    conn.executemany(
        "INSERT INTO event_sources (rowid, event_id, source_id) VALUES (?, ?, ?)",
        [
            (rowid, event_id, source)
            for event_id, links in saved.event_sources.items()
            if saved.events.get(event_id) is not None
            for rowid, source in links
        ],
    )
    in_use = {
        "places": """SELECT place_id FROM events WHERE place_id IS NOT NULL
                     UNION SELECT origin_place_id FROM events WHERE origin_place_id IS NOT NULL""",
        "sources": "SELECT source_id FROM event_sources",
        "articles": "SELECT article_uid FROM events WHERE article_uid IS NOT NULL",
    }
    for table, key, found in (
        ("places", "id", saved.places),
        ("sources", "id", saved.sources),
        ("articles", "uid", saved.articles),
    ):
        gone = json.dumps([k for k, row in found.items() if row is None], ensure_ascii=False)
        conn.execute(
            f"DELETE FROM {table} WHERE {key} IN (SELECT value FROM json_each(?)) "
            f"AND {key} NOT IN ({in_use[table]})",
            [gone],
        )


def set_place_kinds(
    conn: sqlite3.Connection, kinds: Iterable[tuple[str | None, str | None, int]]
) -> None:
    """Places' kind and country, as ``(kind, country, place id)``."""
    conn.executemany("UPDATE places SET kind = ?, country = ? WHERE id = ?", kinds)


def delete_unused(conn: sqlite3.Connection, table: str, ids: list[int]) -> None:
    """Delete the places or outlets (``table``) ``ids``, which no event uses."""
    conn.execute(
        f"DELETE FROM {table} WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(ids)]
    )


# The columns that refer to a place or an outlet by its id.
_REFERRING = {
    "places": (("events", "place_id"), ("events", "origin_place_id")),
    "sources": (("event_sources", "source_id"),),
}


def renumber(conn: sqlite3.Connection, table: str, pairs: Iterable[tuple[int, int]]) -> None:
    """Give places or outlets (``table``) other ids, ``(old, new)`` pairs, and the rows
    that refer to them the new ones. The ids pass through negative ones, so that no two
    rows hold one id at a time."""
    conn.execute("CREATE TEMP TABLE renumbered (old INTEGER PRIMARY KEY, new INTEGER)")
    try:
        conn.executemany("INSERT INTO temp.renumbered (old, new) VALUES (?, ?)", pairs)
        conn.execute(
            f"""UPDATE {table} SET id = -(SELECT m.new FROM temp.renumbered m WHERE m.old = id)
                WHERE id IN (SELECT old FROM temp.renumbered)"""
        )
        conn.execute(f"UPDATE {table} SET id = -id WHERE id < 0")
        for referring, column in _REFERRING[table]:
            conn.execute(
                f"""UPDATE {referring} SET {column} = (
                        SELECT m.new FROM temp.renumbered m WHERE m.old = {column})
                    WHERE {column} IN (SELECT old FROM temp.renumbered)"""
            )
    finally:
        conn.execute("DROP TABLE temp.renumbered")


def delete_events(conn: sqlite3.Connection, event_ids: Iterable[int]) -> None:
    """Delete events and their links to cited outlets (their places and articles stay)."""
    ids = json.dumps(list(event_ids))
    conn.execute(
        "DELETE FROM event_sources WHERE event_id IN (SELECT value FROM json_each(?))", [ids]
    )
    conn.execute("DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))", [ids])
