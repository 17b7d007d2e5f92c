"""A large import into a new store: read by columns (desktop_app/ingest/columnar.py) and
written in two stages (StagedWriter, finish_staged), giving exactly the store, the events
and the report of the row-by-row import into the same new store."""

from __future__ import annotations

import csv
import json
import os
import random
import sqlite3
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.filter import Filter, Placement
from desktop_app.ingest import columnar
from desktop_app.ingest.pipeline import ImportAborted, import_file
from desktop_app.store import columns
from desktop_app.store.errors import IndexingPending
from desktop_app.store.event_store import EventStore, StoreError
from tests.benchmarks.bench_import import HEADER as ACLED_HEADER

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_ACLED = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "acled"
SEARCHES = ("shelled", "kharkiv", "protest*", '"second round"', "artillery mortars")


def acled_rows(count: int, seed: int = 3) -> list[list[str]]:
    """ACLED-style rows with bad ones among them: dates that are none, coordinates off
    the globe, fatalities that are no number, no id, an unknown time precision, rows
    repeated exactly, ids that come back with other values, quotes and commas in notes,
    and values alike but written apart ("50.0" and "50.00")."""
    rng = random.Random(seed)
    kinds = [
        ("Battles", "Armed clash"),
        ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
        ("Protests", "Peaceful protest"),
        ("Strategic developments", "Agreement"),
    ]
    places = [("Kharkiv", 49.9935, 36.2304), ("Kherson", 46.6354, 32.6169), ("Sumy", 50.9, 34.8)]
    rows: list[list[str]] = []
    for i in range(count):
        kind, sub = rng.choice(kinds)
        name, lat, lon = rng.choice(places)
        day = f"20{rng.randrange(18, 24)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        lat_text = f"{lat + rng.randrange(40) * 0.01:.4f}"
        notes = rng.choice([
            f'On {day}, forces shelled positions near {name}, "heavily", said officials. [{i}]',
            f"Protesters gathered in {name} — Kyiv's «second round» of talks; {i}",
            "",
        ])  # fmt: skip
        row = [
            f"UKR{i}", day, day[:4], rng.choice("1123"), "Political violence", kind, sub,
            "Military Forces of Russia (2000-)", rng.choice(["", "Wagner; Akhmat"]), "8",
            rng.choice(["", "Military Forces of Ukraine (2019-)"]), "", "1", "18", "", "804",
            "Europe", "Ukraine", name, "", "", rng.choice([name, f"{name}-{i % 7}", ""]),
            lat_text, f"{lon:.4f}", rng.choice("123"),
            rng.choice(["Ukrinform; Suspilne Media", "Reuters", "", "Reuters;Ukrinform"]),
            "National", notes, rng.choice(["0", "0", "3", "12"]), "", "1708472503",
        ]  # fmt: skip
        bad = rng.random()
        if bad < 0.01:
            row[1] = rng.choice(["2021-13-45", "", "not a date"])
        elif bad < 0.02:
            row[22] = rng.choice(["95.5", "-91", "north"])
        elif bad < 0.025:
            row[28] = "many"
        elif bad < 0.03:
            row[0] = " "
        elif bad < 0.033:
            row[3] = "7"
        elif bad < 0.04:
            row[22] = row[22] + "0"  # the same latitude, written with one more zero
        rows.append(row)
        chance = rng.random()
        if chance < 0.02 and rows:
            rows.append(list(rng.choice(rows)))  # an exact repeat of an earlier row
        elif chance < 0.035 and rows:
            again = list(rng.choice(rows))
            again[28] = "1"  # an id that comes back with another value
            rows.append(again)
    return rows


def write_csv(path: Path, rows: list[list[str]], header: list[str] = ACLED_HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def store_contents(path: Path) -> dict:
    """Every table an import writes, by value (ids of places and outlets resolved)."""
    conn = sqlite3.connect(path)
    try:
        found = {
            "events": conn.execute(
                """SELECT e.id, e.uid, e.title, e.start, e."end", e.precision,
                   e.display_date, e.t0, e.t1, e.category, e.actors, p.name, p.lat, p.lon,
                   p.kind, p.country, e.excerpt, e.article_uid, e.origin_place_id,
                   e.attributes, e.reliability, e.credibility, e.grade_reason
                   FROM events e LEFT JOIN places p ON p.id = e.place_id ORDER BY e.id"""
            ).fetchall(),
            "places": sorted(
                conn.execute("SELECT name, lat, lon, kind, country FROM places").fetchall()
            ),
            "sources": sorted(conn.execute("SELECT name, outlet FROM sources").fetchall()),
            # The ids too: the columns and the links hold them.
            "place_ids": conn.execute(
                "SELECT id, name, lat, lon FROM places ORDER BY id"
            ).fetchall(),
            "source_ids": conn.execute("SELECT id, name FROM sources ORDER BY id").fetchall(),
            "links": conn.execute(
                """SELECT es.event_id, s.name FROM event_sources es
                   JOIN sources s ON s.id = es.source_id ORDER BY es.event_id, es.rowid"""
            ).fetchall(),
            "schema": sorted(
                conn.execute(
                    "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                    " AND name NOT LIKE '%fts_%'"
                ).fetchall()
            ),
            "history": conn.execute(
                "SELECT kind, after, file_name, file_size, file_sha256 FROM history"
            ).fetchall(),
            "pending": conn.execute("SELECT count(*) FROM staged_import").fetchone(),
        }
        found["fts"] = {
            q: conn.execute(
                "SELECT rowid FROM events_fts WHERE events_fts MATCH ? ORDER BY rowid", [q]
            ).fetchall()
            for q in SEARCHES
        }
        found["fts_check"] = conn.execute(
            "INSERT INTO events_fts (events_fts) VALUES ('integrity-check')"
        ).fetchall()
    finally:
        conn.close()
    return found


def report_of(report) -> dict:
    counted = (report.read, report.added, report.replaced, report.updated_in_file)
    return {
        "lines": report.summary_lines(),
        "problems": [str(p) for p in report.problems],
        "repeat_lines": report.repeat_lines,
        "warnings": report.warnings,
        "counts": [*counted, report.skipped, report.repeats],
        "accounted": report.accounted == report.read,
    }


# The import into a new store runs in a fresh process, as the import command does (and
# apart from the test process's own threads and stores).
CHILD = """
import json, sys
sys.path.insert(0, sys.argv[4])
from desktop_app.ingest.pipeline import ImportFailed, import_new_store
from tests.test_staged_import import report_of
try:
    report = import_new_store(sys.argv[1], sys.argv[2], **json.loads(sys.argv[3]))
except ImportFailed as exc:
    print(json.dumps({"failed": type(exc).__name__, "message": str(exc)}))
else:
    print(json.dumps({**report_of(report), "staged": report.staged}))
"""


def staged_import(path: Path, db: Path, **kwargs) -> dict:
    """``import_new_store(path, db, **kwargs)`` in a fresh process: its report (as
    :func:`report_of` gives it, and ``staged``), or ``failed`` and ``message``."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), str(db), json.dumps(kwargs), str(root)],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def both_ways(tmp_path: Path, path: Path, **kwargs):
    fast, slow = tmp_path / "fast.db", tmp_path / "slow.db"
    staged = staged_import(path, fast, **kwargs)
    with EventStore(slow) as store:
        rowwise = import_file(path, store, **kwargs)
    return staged, rowwise, fast, slow


def assert_same(staged: dict, rowwise, fast: Path, slow: Path) -> None:
    assert {k: v for k, v in staged.items() if k != "staged"} == report_of(rowwise)
    assert store_contents(fast) == store_contents(slow)
    with EventStore(fast) as store:
        kept = store.arrays()
        # The columns written beside the rows are those read back from the rows.
        rebuilt = columns.from_rows(store.db.conn)
        for name in (*columns.COLUMNS, "place_precision"):
            np.testing.assert_array_equal(getattr(kept, name), getattr(rebuilt, name), name)
        events = store.all_events()
        for query in SEARCHES:
            hits = [e.uid for e in store.search(query, limit=10_000)]
            with EventStore(slow) as other:
                assert hits == [e.uid for e in other.search(query, limit=10_000)]
    with EventStore(slow) as store:
        assert events == store.all_events()


@pytest.mark.parametrize("repeats", ["drop", "keep"])
def test_bad_rows_repeats_and_updates_come_out_as_row_by_row(tmp_path, repeats):
    rows = acled_rows(10_000)
    # Long rows in the middle: the fast path reads the file in several blocks, and rows
    # repeat and ids come back from a block before.
    _long_notes(rows, after=3000, until=5000)
    path = write_csv(tmp_path / "acled.csv", rows)
    staged, rowwise, fast, slow = both_ways(tmp_path, path, repeats=repeats)
    assert staged["staged"] and not rowwise.staged
    assert rowwise.skipped > 200 and rowwise.repeats > 100 and rowwise.updated_in_file > 50
    assert_same(staged, rowwise, fast, slow)


def test_the_shared_acled_sample_comes_out_as_row_by_row(tmp_path):
    path = SHARED_ACLED / "acled-ukraine-sample.csv"
    if not path.exists():
        pytest.skip("the shared ACLED sample is not here")
    staged, rowwise, fast, slow = both_ways(tmp_path, path)
    assert staged["staged"]
    assert_same(staged, rowwise, fast, slow)


def test_ids_with_spaces_around_or_beyond_ascii_come_out_as_row_by_row(tmp_path):
    # The fast path makes the uids of plain ids itself, and leaves the others to the
    # rule: spaces (of any script) around an id, an id of other letters, none at all.
    rows = acled_rows(3000)
    ids = (" NEW1 ", "\u00a0NEW2", "NEW3\t", "ÜKR4", "УКР5", "\u3000", "N", "NEW 8")
    for at, ident in enumerate(ids):
        rows[at * 300][0] = ident
    path = write_csv(tmp_path / "acled.csv", rows)
    staged, rowwise, fast, slow = both_ways(tmp_path, path)
    assert staged["staged"]
    assert_same(staged, rowwise, fast, slow)
    with EventStore(fast) as store:
        uids = {e.uid for e in store.all_events()}
    assert {"acled:NEW1", "acled:NEW2", "acled:NEW3", "acled:ÜKR4", "acled:N"} <= uids


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "import").glob("*.csv")))
def test_the_import_fixtures_come_out_as_row_by_row(tmp_path, name):
    # None of these is an ACLED export: they go the row-by-row way into the new store.
    staged, rowwise, fast, slow = both_ways(tmp_path, FIXTURES / "import" / name)
    assert not staged["staged"]
    assert_same(staged, rowwise, fast, slow)


def test_an_abort_on_a_bad_row_saves_nothing_and_names_its_line(tmp_path):
    rows = acled_rows(3000)
    rows[2500][22] = "95.5"
    path = write_csv(tmp_path / "acled.csv", rows)
    fast = staged_import(path, tmp_path / "fast.db", on_error="abort")
    with EventStore(tmp_path / "slow.db") as store, pytest.raises(ImportAborted) as slow:
        import_file(path, store, on_error="abort")
    assert fast == {"failed": "ImportAborted", "message": str(slow.value)}
    assert not (tmp_path / "fast.db.importing").exists()
    with EventStore(tmp_path / "fast.db") as store:
        assert store.count() == 0


@pytest.mark.parametrize(
    ("change", "fast"),
    [
        ("blank line", False),
        ("line break in a value", False),
        ("short row", False),
        ("numeric dates", False),
        ("a field near its limit", False),
        ("a field past its limit", True),
    ],
)
def test_files_the_fast_path_does_not_read_go_row_by_row(tmp_path, change, fast):
    rows = acled_rows(4000)
    path = tmp_path / "acled.csv"
    if change == "numeric dates":
        for row in rows:
            if len(row[1]) == 10:
                row[1] = f"{row[1][8:10]}/{row[1][5:7]}/{row[1][:4]}"
    elif change == "line break in a value":
        rows[3000][27] = "a note\nover two lines"
        rows[3500][1] = "never"
    elif change == "short row":
        rows[3000] = rows[3000][:5]
    elif change == "a field near its limit":
        rows[10][21] = "x" * 9950
    elif change == "a field past its limit":
        rows[10][21] = "x" * 12_000
    write_csv(path, rows)
    if change == "blank line":
        text = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text("".join(text[:3000] + ["\n"] + text[3000:]), encoding="utf-8")
    staged, rowwise, fast_db, slow_db = both_ways(tmp_path, path)
    assert staged["staged"] is fast
    assert_same(staged, rowwise, fast_db, slow_db)


def test_a_store_that_holds_events_is_not_made_anew(tmp_path):
    first = write_csv(tmp_path / "first.csv", acled_rows(50, seed=1))
    second = write_csv(tmp_path / "second.csv", acled_rows(3000, seed=2))
    fast, slow = tmp_path / "fast.db", tmp_path / "slow.db"
    assert staged_import(first, fast)["staged"]
    with EventStore(slow) as store:
        import_file(first, store)
    staged = staged_import(second, fast)
    with EventStore(slow) as store:
        rowwise = import_file(second, store)
    # Into a store with events: one transaction, replacing the events of the same ids.
    assert not staged["staged"] and rowwise.replaced > 0
    assert_same(staged, rowwise, fast, slow)


def test_until_the_second_stage_runs_the_store_answers_right(tmp_path):
    path = write_csv(tmp_path / "acled.csv", acled_rows(3000))
    slow = tmp_path / "slow.db"
    with EventStore(slow) as store:
        import_file(path, store)
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    staged_import(path, first, wait=False)
    staged_import(path, second, wait=False)
    with EventStore(first, resume_indexing=False) as store, EventStore(slow) as other:
        assert store.indexing_pending
        assert len(store.arrays()) == store.count() == other.count()
        # The excerpt panel's outlets come from what the first stage kept.
        assert store.events(list(range(1, 300))) == other.events(list(range(1, 300)))
        # A filter that needs neither the text index nor the outlets' links is answered
        # at once; one that needs them waits for the second stage (run here).
        kinds = Filter(categories=frozenset({"strike", "politics"}))
        assert store.count_matching(kinds) == other.count_matching(kinds)
        assert store.indexing_pending
        outlets = Filter(sources=frozenset({"Reuters"}))
        assert store.count_matching(outlets) == other.count_matching(outlets) > 0
        assert not store.indexing_pending
    with EventStore(second, resume_indexing=False) as store, EventStore(slow) as other:
        assert store.indexing_pending
        # A text search waits for the second stage rather than miss.
        found = [e.uid for e in store.search("kharkiv", 5000)]
        assert found == [e.uid for e in other.search("kharkiv", 5000)] != []
        assert not store.indexing_pending
    assert store_contents(first) == store_contents(second) == store_contents(slow)


def test_opening_the_store_finishes_the_second_stage_in_the_background(tmp_path):
    path = write_csv(tmp_path / "acled.csv", acled_rows(3000))
    db = tmp_path / "atlas.db"
    staged_import(path, db, wait=False)
    with EventStore(db) as store:
        assert store._indexing is not None
        store._indexing.join()
        assert not store.indexing_pending
    with EventStore(db) as store:
        assert store._indexing is None


def test_edits_before_the_second_stage_are_kept(tmp_path):
    path = write_csv(tmp_path / "acled.csv", acled_rows(3000))
    db = tmp_path / "atlas.db"
    staged_import(path, db, wait=False)
    with EventStore(db, resume_indexing=False) as store:
        edited = store.event(5)
        store.update_event(replace(edited, sources=("Kyiv Independent",), title="Edited"))
        store.delete_events([7])
        untouched = store.event(9)
        store.finish_indexing()
        assert store.event(5).sources == ("Kyiv Independent",)
        assert store.event(7) is None
        assert store.event(9) == untouched
        assert [e.id for e in store.search("Edited", 10)] == [5]
        links = store.db.execute("SELECT count(*) FROM event_sources WHERE event_id = 7")
        assert links.fetchone()[0] == 0


def test_a_store_with_a_title_of_its_own_is_not_made_anew(tmp_path):
    db = tmp_path / "atlas.db"
    with EventStore(db) as store:
        store.set_meta("title", "Mine")
    path = write_csv(tmp_path / "acled.csv", acled_rows(3000))
    assert not staged_import(path, db)["staged"]
    with EventStore(db) as store:
        assert store.meta("title") == "Mine" and store.count() > 2500
    empty = tmp_path / "empty.db"
    EventStore(empty).close()
    assert staged_import(path, empty)["staged"]


def test_a_read_only_opening_says_it_is_indexing_and_shows_the_events(tmp_path):
    path = write_csv(tmp_path / "acled.csv", acled_rows(3000))
    db = tmp_path / "atlas.db"
    staged_import(path, db, wait=False)
    with EventStore(db, read_only=True) as store:
        assert len(store.arrays()) == store.count() > 2500
        assert store.event(1).sources == store.events([1])[0].sources != ()
        with pytest.raises(StoreError, match="indexing…"):
            store.search("kharkiv")


# One filter of each part a user can set, with values the ACLED rows above hold.
EVERY_FILTER_PART = [
    Filter(categories=frozenset({"strike", "politics"})),
    Filter(text="kharkiv"),
    Filter(place="sumy"),
    Filter(precisions=frozenset({"day"})),
    Filter(placement=Placement.TIMELINE_ONLY),
    Filter(bbox=(33.0, 46.0, 37.0, 50.5)),
    Filter(polygon=((33.0, 46.0), (37.0, 46.0), (37.0, 50.5))),
    Filter(actors=frozenset({"Wagner"})),
    Filter(sources=frozenset({"Reuters"})),
    Filter(min_reliability="B"),
    Filter(min_credibility="2"),
    Filter(min_corroboration=2),
    Filter(exact_place=True),
    Filter(attributes=frozenset({("admin1", "Kharkiv")})),
]


def _parts(flt: Filter) -> str:
    unset = Filter()
    names = [k.name for k in fields(Filter)]
    return ",".join(n for n in names if getattr(flt, n) != getattr(unset, n))


@pytest.fixture(scope="module")
def pending_and_done(tmp_path_factory) -> tuple[Path, Path]:
    """The same ACLED rows imported twice: a store whose second stage is pending, and
    one whose second stage is done."""
    folder = tmp_path_factory.mktemp("stages")
    path = write_csv(folder / "acled.csv", acled_rows(3000))
    staged_import(path, folder / "pending.db", wait=False)
    staged_import(path, folder / "done.db")
    return folder / "pending.db", folder / "done.db"


@pytest.mark.parametrize("flt", EVERY_FILTER_PART, ids=lambda f: _parts(f))
def test_a_filter_is_answered_right_or_waits_for_the_second_stage(pending_and_done, flt):
    # Opened for reading only, a store whose second stage is pending cannot make its
    # indexes: a filter part that reads them must say so, never answer from half a store.
    pending, done = pending_and_done
    with EventStore(pending, read_only=True) as store, EventStore(done) as finished:
        assert store.indexing_pending
        try:
            found = store.count_matching(flt)
        except IndexingPending:
            return
        assert found == finished.count_matching(flt)


def _replaced_later(rows: list[list[str]], at: int, by: int, **changed: str) -> None:
    """Row ``by`` becomes event ``at`` again (its id written otherwise), with the fields
    ``changed`` (by ACLED column name) set on it."""
    rows[by][0] = rows[at][0] + "\t"
    for name, value in changed.items():
        rows[by][ACLED_HEADER.index(name)] = value


def _long_notes(rows: list[list[str]], after: int, until: int) -> None:
    # Rows of a 1,500th of the fast path's blocks from ``after`` to ``until``: its blocks
    # then hold fewer events than the row-by-row import's chunks (its first block still
    # holds the rows that decide the order of dates).
    detail = "detail " * (columnar.BLOCK_BYTES // 1500 // 7)
    for i, row in enumerate(rows[after:until]):
        row[27] = f"{row[27]} {detail}{i}"


@pytest.mark.parametrize("repeats", ["drop", "keep"])
@pytest.mark.parametrize(
    "case",
    [
        "another place",
        "another place, kind and country",
        "the only outlet of the replaced row",
        "other actors, outlets and kept fields",
        "replaced twice",
        "replaced in a later chunk",
        "a later chunk's new event at the place first",
        "replaced in a later block of the same chunk",
        "a repeat of the replaced row",
    ],
)
def test_replacements_come_out_as_row_by_row(tmp_path, case, repeats):
    # An id that comes back with other values replaces the earlier event (keeping its
    # id): the places and outlets stored, and each place's kind and country, are those
    # of the row-by-row import, which writes a few thousand events at a time and of
    # several copies of an id in those only the last.
    count = 7000 if "chunk" in case else 3000
    rows = acled_rows(count)
    if case == "another place":
        _replaced_later(rows, 3, 600)
    elif case == "another place, kind and country":
        rows[3][21], rows[3][22], rows[3][23], rows[3][24] = "", "48.1111", "30.0000", "1"
        rows[400][21], rows[400][22], rows[400][23], rows[400][24] = "", "48.1111", "30.0000", "2"
        _replaced_later(
            rows, 3, 800, location="", latitude="48.1111", longitude="30.0000",
            geo_precision="3", country="Moldova",
        )  # fmt: skip
    elif case == "the only outlet of the replaced row":
        rows[3][25] = "Lone Outlet; Reuters"
        _replaced_later(rows, 3, 600, source="Reuters")
    elif case == "other actors, outlets and kept fields":
        rows[3][25] = "Lone Outlet; Reuters"
        rows[600] = list(rows[3])
        _replaced_later(
            rows, 3, 600, actor1="Unidentified Armed Group", admin1="Odesa",
            source="Only Here Press", notes="said otherwise",
        )  # fmt: skip
    elif case == "replaced twice":
        rows[3][25] = "Lone Outlet"
        _replaced_later(rows, 3, 600, source="Second Outlet", location="Second Place")
        _replaced_later(rows, 3, 1200, source="Third Outlet", location="Third Place")
    elif case == "replaced in a later chunk":
        # Stored by the row-by-row import too: it wrote the first copy a chunk before.
        rows[3][25] = "Lone Outlet"
        _replaced_later(rows, 3, 6000, location="Later Place")
        rows[10][25] = "Other Lone Outlet"
        _replaced_later(rows, 10, 600, location="Other Later Place")
    elif case == "a later chunk's new event at the place first":
        _replaced_later(
            rows, 3, 6000, location="", latitude="48.1111", longitude="30.0000",
            geo_precision="1",
        )  # fmt: skip
        rows[6500][21], rows[6500][22], rows[6500][23] = "", "48.1111", "30.0000"
        rows[6500][24] = "2"
    elif case == "replaced in a later block of the same chunk":
        _long_notes(rows, after=2500, until=4600)
        rows[3][25] = "Lone Outlet"
        _replaced_later(rows, 3, 4500, location="Later Place")
    elif case == "a repeat of the replaced row":
        rows[3][25] = "Lone Outlet"
        rows[300] = list(rows[3])
        rows[400][21], rows[400][22], rows[400][23] = "Later Place", "48.2222", "30.0000"
        rows[400][24] = "2"
        _replaced_later(
            rows, 3, 600, location="Later Place", latitude="48.2222", longitude="30.0000",
            geo_precision="1",
        )  # fmt: skip
    path = write_csv(tmp_path / "acled.csv", rows)
    staged, rowwise, fast, slow = both_ways(tmp_path, path, repeats=repeats)
    assert staged["staged"]
    assert_same(staged, rowwise, fast, slow)
