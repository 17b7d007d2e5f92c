"""Steps of the store's schema that change stores made by earlier versions."""

from __future__ import annotations

import json
import sqlite3

from sqlite_utils import Database

from desktop_app.store.event_store import EventStore
from desktop_app.store.migrations import migrations
from tests.test_staged_import import acled_rows, staged_import, write_csv

END_INDEX = "idx_events_t1"


def indexes(path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        conn.close()


def test_a_store_of_an_earlier_version_loses_the_index_no_query_uses(tmp_path):
    db = tmp_path / "atlas.db"
    older = Database(db)
    migrations.apply(older, stop_before="m012_no_end_time_index")
    older.close()
    assert END_INDEX in indexes(db)
    EventStore(db).close()
    assert END_INDEX not in indexes(db) and "idx_events_t0" in indexes(db)


def test_a_pending_second_stage_of_an_earlier_version_does_not_make_it_again(tmp_path):
    path = write_csv(tmp_path / "acled.csv", acled_rows(500))
    db = tmp_path / "atlas.db"
    staged_import(path, db, wait=False)
    # As the version before left such a store: the index among the statements its
    # second stage runs, and the step that drops it not applied yet.
    conn = sqlite3.connect(db)
    with conn:
        found = conn.execute("SELECT data FROM staged_import WHERE name = 'statements'")
        statements = json.loads(found.fetchone()[0])
        statements.insert(1, f'CREATE INDEX "{END_INDEX}"\n    ON "events" ("t1")')
        conn.execute(
            "UPDATE staged_import SET data = ? WHERE name = 'statements'", [json.dumps(statements)]
        )
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm012_no_end_time_index'")
    conn.close()
    with EventStore(db, resume_indexing=False) as store:
        assert store.indexing_pending
        store.finish_indexing()
        assert not store.indexing_pending
        assert [e.id for e in store.search("kharkiv", 5)] != []
    assert END_INDEX not in indexes(db) and "idx_events_uid" in indexes(db)
