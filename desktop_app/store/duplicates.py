"""Probable duplicates in a store: the finder of :mod:`desktop_app.core.duplicates` over
the store's kept columns and texts, and the pairs the user has marked as distinct.

Each function takes the connection it reads or writes in; those that write neither
begin nor commit a transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

import numpy as np

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
    best: int | None = None,
) -> tuple[list[ProbableDuplicate], int]:
    """The pairs of events that are probably one, best first (the ``best`` first, when
    given), leaving out the pairs marked distinct, and how many there are; ``among``
    limits them to pairs with one of those events."""
    pairs = candidate_pairs(arrays, rules, among)
    wanted = np.unique(pairs).tolist()
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
        pairs, texts, arrays, rules, distinct=lambda a, b: (a, b) in distinct, best=best
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


def distinct_rows(conn: sqlite3.Connection, ids: Iterable[int]) -> tuple[tuple[int, int, str], ...]:
    """The pairs marked distinct that one of the events ``ids`` is part of, as stored:
    ``(smaller id, larger id, when marked)``. They are deleted with either event, so a
    change that deletes events keeps them to bring back on undo."""
    wanted = json.dumps(sorted(set(ids)))
    return tuple(
        conn.execute(
            """SELECT first_id, second_id, marked FROM distinct_events
               WHERE first_id IN (SELECT value FROM json_each(?))
                  OR second_id IN (SELECT value FROM json_each(?))
               ORDER BY first_id, second_id""",
            [wanted, wanted],
        ).fetchall()
    )


def restore_distinct(conn: sqlite3.Connection, saved: Iterable[tuple[int, int, str]]) -> None:
    """Mark the pairs ``saved`` (as :func:`distinct_rows` gives them) distinct again, with
    the time they were first marked; a pair one of whose events is gone stays forgotten.

    Pairs are only added, never removed: a pair goes when one of its events is deleted,
    and one marked after the change being undone is the user's and stays."""
    conn.executemany(
        """INSERT OR IGNORE INTO distinct_events (first_id, second_id, marked)
           SELECT ?1, ?2, ?3 WHERE (SELECT count(*) FROM events WHERE id IN (?1, ?2)) = 2""",
        saved,
    )


def distinct_partners(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, list[int]]:
    """For each of the events ``ids``, the events it is marked distinct from, ascending."""
    wanted = set(ids)
    found: dict[int, list[int]] = {event_id: [] for event_id in wanted}
    for first, second, _marked in distinct_rows(conn, wanted):
        if first in wanted:
            found[first].append(second)
        if second in wanted:
            found[second].append(first)
    return {event_id: sorted(partners) for event_id, partners in found.items()}
