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
from dataclasses import dataclass

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
    """An event's grade as its three columns: all NULL for an ungraded event (F6)."""
    if not grade.is_judged and not grade.reason:
        return None, None, None
    return str(grade.reliability), str(grade.credibility), grade.reason or None


def stored_grade(reliability: str | None, credibility: str | None, reason: str | None) -> Grade:
    """The grade of :func:`grade_values`' columns."""
    if reliability is None:
        return Grade()
    return Grade(Reliability(reliability), Credibility(credibility), reason or "")


def set_grades(conn: sqlite3.Connection, ids: Iterable[int], grade: Grade) -> None:
    """Give the events ``ids`` one grade (see :func:`grade_values`)."""
    values = grade_values(grade)
    conn.executemany(
        "UPDATE events SET reliability = ?, credibility = ?, grade_reason = ? WHERE id = ?",
        [(*values, event_id) for event_id in ids],
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
