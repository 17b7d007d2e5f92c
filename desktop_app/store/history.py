"""The history of a store: one row per import, edit, merge, delete and undo.

Rows are written in the transaction of the change they tell (so the history and the
events never disagree) and only ever added. ``before`` and ``after`` hold JSON of the
values that changed, as :func:`event_values` writes them, and ``distinct_from`` (the
events it is marked distinct from) when those went or came back with the event. Each
function takes the connection of the transaction it works in and neither begins nor
commits one.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop_app.core.event import Event
from desktop_app.core.grading import Grade

#: The kinds of change a history row tells.
IMPORT = "import"
EDIT = "edit"
ADD = "add"
DELETE = "delete"
MERGE = "merge"
#: Grading events (one row per event whose grade changed) and grading a cited outlet (one
#: row with no event: ``before`` and ``after`` name the outlet and its grade).
GRADE = "grade"
GRADE_OUTLET = "grade outlet"
#: Undoing or redoing a change is a row of its own: "undo edit", "redo merge", ...
UNDO = "undo"
REDO = "redo"

# Files are hashed in pieces of this size, so a large import costs no more memory.
_HASH_PIECE = 1 << 20


@dataclass(frozen=True)
class HistoryEntry:
    """One change of the store, as the history tells it.

    Parameters
    ----------
    at
        When, in UTC (ISO 8601, seconds).
    kind
        ``import``, ``edit``, ``add``, ``delete``, ``merge``, ``grade``, ``grade outlet``,
        or one of these after ``undo`` or ``redo``.
    before, after
        The values that changed (decoded JSON), None where there were none.
    file_name, file_size, file_sha256
        For an import, the file it read.
    """

    id: int
    at: str
    kind: str
    event_id: int | None
    event_uid: str | None
    before: Any
    after: Any
    file_name: str | None = None
    file_size: int | None = None
    file_sha256: str | None = None


def event_values(event: Event) -> dict[str, Any]:
    """What an event says, as plain JSON values (its place and article as objects)."""
    place = event.place
    origin = event.origin
    article = event.article
    return {
        "title": event.title,
        "start": event.start,
        "end": event.end,
        "precision": str(event.precision),
        "display_date": event.display_date,
        "category": event.category,
        "actors": list(event.actors),
        "place": None if place is None else _place(place),
        "origin": None if origin is None else _place(origin),
        "excerpt": event.excerpt,
        "sources": list(event.sources),
        **own_grade_values(event.grade),
        "attributes": dict(event.attributes),
        "article": None
        if article is None
        else {
            "uid": article.uid,
            "title": article.title,
            "author": article.author,
            "outlet": article.outlet,
            "url": article.url,
            "published": article.published,
        },
    }


def own_grade_values(grade: Grade) -> dict[str, Any]:
    """An event's own grade as :func:`event_values` writes it: one taken from a cited
    outlet is not the event's, and "cannot be judged" is no grade (its reason stays).
    :func:`own_grade_sql` reads the same from the stored grade columns."""
    if grade.from_outlet:
        return {"grade": None, "grade_reason": ""}
    return {"grade": grade.code if grade.is_judged else None, "grade_reason": grade.reason}


def _place(place) -> dict[str, Any]:
    return {
        "name": place.name,
        "lat": place.lat,
        "lon": place.lon,
        "kind": place.kind,
        "country": place.country,
    }


def changed_values(before: Event, after: Event) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values that differ between two versions of an event: ``(before, after)``."""
    return changed(event_values(before), event_values(after))


def changed(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values of ``old`` and ``new`` (the same keys) that differ: ``(before, after)``."""
    keys = [key for key in old if old[key] != new[key]]
    return {key: old[key] for key in keys}, {key: new[key] for key in keys}


def outlet_values(outlet: str, grade: tuple[str, str, str] | None) -> dict[str, Any]:
    """What a graded outlet's history row says: its one name and its grade (None when
    it has none), from its ``outlet_grades`` row ``(reliability, credibility, reason)``."""
    return {
        "outlet": outlet,
        "grade": None if grade is None else grade[0] + grade[1],
        "grade_reason": "" if grade is None else grade[2],
    }


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def record(
    conn: sqlite3.Connection,
    kind: str,
    *,
    event_id: int | None = None,
    event_uid: str | None = None,
    before: Any = None,
    after: Any = None,
    file: Path | None = None,
    file_digest: str | None = None,
) -> None:
    """Add a row to the history (``file``: the file an import read, hashed here unless
    ``file_digest`` gives its SHA-256 already)."""
    name = size = digest = None
    if file is not None:
        name, size = file.name, file.stat().st_size
        digest = file_digest or file_sha256(file)
    conn.execute(
        """INSERT INTO history (at, kind, event_id, event_uid, before, after, file_name,
           file_size, file_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            now(),
            kind,
            event_id,
            event_uid,
            None if before is None else json.dumps(before, ensure_ascii=False),
            None if after is None else json.dumps(after, ensure_ascii=False),
            name,
            size,
            digest,
        ],
    )


def own_grade_sql(table: str) -> tuple[str, str]:
    """SQL of :func:`own_grade_values`' two values (the grade's code, NULL for none, and
    its reason) from the grade columns of ``table``: an ungraded event's reason is ""
    whatever is stored, and F6 is no grade. The one place the store says it in SQL."""
    r, c, reason = (f"{table}.{name}" for name in ("reliability", "credibility", "grade_reason"))
    grade = f"CASE WHEN {r} IS NULL OR ({r} = 'F' AND {c} = '6') THEN NULL ELSE {r} || {c} END"
    return grade, f"CASE WHEN {r} IS NULL THEN '' ELSE coalesce({reason}, '') END"


def record_grades(conn: sqlite3.Connection, kind: str, new_grades: str) -> None:
    """One row per event of the table ``new_grades`` (``id`` and the grade columns it is
    to have, see ``rows.NEW_GRADES``), before the events are given them: the values of
    :func:`own_grade_values` that change, as :func:`changed` tells them. One statement,
    however many events."""
    old_grade, old_reason = own_grade_sql("e")
    new_grade, new_reason = own_grade_sql("g")

    def told(grade: str, reason: str) -> str:
        # Only the values that differ, as changed() keeps them.
        return f"""CASE
            WHEN old_grade IS NOT new_grade AND old_reason IS NOT new_reason
                THEN json_object('grade', {grade}, 'grade_reason', {reason})
            WHEN old_grade IS NOT new_grade THEN json_object('grade', {grade})
            WHEN old_reason IS NOT new_reason THEN json_object('grade_reason', {reason})
            ELSE '{{}}' END"""

    conn.execute(
        f"""INSERT INTO history (at, kind, event_id, event_uid, before, after)
            SELECT ?, ?, id, uid, {told("old_grade", "old_reason")},
                   {told("new_grade", "new_reason")}
            FROM (SELECT e.id, e.uid, {old_grade} AS old_grade, {old_reason} AS old_reason,
                         {new_grade} AS new_grade, {new_reason} AS new_reason
                  FROM {new_grades} g CROSS JOIN events e ON e.id = g.id)
            ORDER BY id""",
        [now(), kind],
    )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while piece := data.read(_HASH_PIECE):
            digest.update(piece)
    return digest.hexdigest()


def entries(conn: sqlite3.Connection, event_id: int | None = None) -> list[HistoryEntry]:
    """The history, oldest first: all of it, or the rows of the event ``event_id``."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'history'"
    ).fetchone()
    if exists is None:
        return []  # a store from an older version, open read-only
    sql = """SELECT id, at, kind, event_id, event_uid, before, after, file_name, file_size,
             file_sha256 FROM history"""
    params: list = []
    if event_id is not None:
        sql += " WHERE event_id = ?"
        params.append(event_id)
    found = conn.execute(sql + " ORDER BY id", params).fetchall()
    return [
        HistoryEntry(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            None if row[5] is None else json.loads(row[5]),
            None if row[6] is None else json.loads(row[6]),
            row[7],
            row[8],
            row[9],
        )
        for row in found
    ]
