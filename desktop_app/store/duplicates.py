"""Probable duplicates in a store: the finder of :mod:`desktop_app.core.duplicates` over
the store's kept columns and texts, and the pairs the user has marked as distinct.

Each function takes the connection it reads or writes in; the one that writes neither
begins nor commits a transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from desktop_app.core.duplicates import (
    DuplicateRules,
    EventText,
    ProbableDuplicate,
    candidate_pairs,
    score_pairs,
)
from desktop_app.core.index import EventArrays

# Texts are fetched in chunks of ids, under SQLite's limit of bound parameters.
_CHUNK = 900


def probable_duplicates(
    conn: sqlite3.Connection,
    arrays: EventArrays,
    rules: DuplicateRules,
    among: Iterable[int] | None = None,
) -> list[ProbableDuplicate]:
    """The pairs of events that are probably one, best first, leaving out the pairs
    marked distinct; ``among`` limits them to pairs with one of those events."""
    pairs = candidate_pairs(arrays, rules, among)
    wanted = sorted({event_id for pair in pairs for event_id in pair})
    texts: dict[int, EventText] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for event_id, title, excerpt in conn.execute(
            f"SELECT id, title, excerpt FROM events WHERE id IN ({marks})", chunk
        ):
            texts[event_id] = EventText(title or "", excerpt or "")
    distinct = marked_distinct(conn)
    return score_pairs(
        pairs, texts, arrays, rules, distinct=lambda a, b: (a, b) in distinct
    )


def mark_distinct(conn: sqlite3.Connection, first: int, second: int) -> None:
    """Record that two events are not one: the finder no longer offers the pair."""
    a, b = sorted((first, second))
    conn.execute(
        "INSERT OR IGNORE INTO distinct_events (first_id, second_id, marked) "
        "VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        [a, b],
    )


def marked_distinct(conn: sqlite3.Connection) -> set[tuple[int, int]]:
    """The pairs ``(smaller id, larger id)`` the user has marked as two events."""
    return {(a, b) for a, b in conn.execute("SELECT first_id, second_id FROM distinct_events")}
