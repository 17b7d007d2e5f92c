"""A store survives an import killed mid-way (``kill -9``): intact, and as it was before.

The import is the real one (the pipeline and the bulk writer) in its own process, on a
copy of a store that already holds events. It is killed after a few chunks have been
written inside its one transaction.
"""

from __future__ import annotations

import csv
import shutil
import signal
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from desktop_app.store.event_store import EventStore
from tests.crashing import import_killed_after, import_whole

ROWS = 50_000
# Chunks written before the kill (the pipeline writes 5,000 rows a chunk): well inside
# the import, which writes ten.
KILL_AFTER_CHUNKS = 3
TABLES = ("events", "places", "articles", "sources", "event_sources", "meta")



def _write_rows(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "date", "title", "lat", "lon", "category", "source", "notes"])
        for i in range(ROWS):
            out.writerow([
                f"row-{i}", f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
                f"Event {i}", 40 + (i % 1000) / 100, 20 + (i % 700) / 100,
                ("battle", "protest", "statement")[i % 3], f"Outlet {i % 50}",
                f"Notes about event {i} " * 3,
            ])  # fmt: skip


def _contents(path: Path) -> tuple[str, dict[str, list[tuple]]]:
    with closing(sqlite3.connect(path)) as conn:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        rows = {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}
        conn.execute("INSERT INTO events_fts (events_fts) VALUES ('integrity-check')")
    return check, rows


@pytest.mark.slow
def test_import_killed_mid_way_leaves_the_store_as_it_was(tmp_path, seed_db):
    data = tmp_path / "big.csv"
    _write_rows(data)
    store = tmp_path / "store.db"
    shutil.copy(seed_db, store)
    check, before = _contents(store)
    assert check == "ok" and before["events"]

    seen, status, errors = import_killed_after(data, store, KILL_AFTER_CHUNKS)
    assert seen == [f"progress {n * 5000}" for n in range(1, KILL_AFTER_CHUNKS + 1)], (
        seen,
        errors,
    )
    assert status == -signal.SIGKILL

    check, after = _contents(store)
    assert check == "ok"
    assert after == before

    # And the store takes the whole import afterwards.
    result = import_whole(data, store)
    assert result.returncode == 0, result.stderr
    with EventStore(store) as again:
        assert again.count() == len(before["events"]) + ROWS
    assert _contents(store)[0] == "ok"
