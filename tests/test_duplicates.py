"""The duplicate finder: candidates against brute force, precision and recall on pairs
known to be one event, pairs marked distinct, and the command."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.cli import main
from desktop_app.core.duplicates import DuplicateRules, candidate_pairs
from desktop_app.core.event import Event, Place
from desktop_app.core.index import EventArrays
from desktop_app.ingest.pipeline import import_file
from desktop_app.store.event_store import EventStore, StoreError

KNOWN_PAIRS = Path(__file__).parent / "fixtures" / "duplicates" / "known_pairs.csv"


def _arrays(points: list[tuple[float, float | None, float | None]]) -> EventArrays:
    n = len(points)
    t0 = np.array([p[0] for p in points], np.float64)
    lat = np.array([np.nan if p[1] is None else p[1] for p in points], np.float32)
    lon = np.array([np.nan if p[2] is None else p[2] for p in points], np.float32)
    return EventArrays(np.arange(1, n + 1, dtype=np.int64), t0, t0, lat, lon,
                       np.zeros(n, np.uint8)).sorted()  # fmt: skip


point = st.tuples(
    st.floats(20_000, 20_010),
    # Near the poles and on both sides of the date line too.
    st.one_of(st.none(), st.floats(-90, 90), st.floats(85, 90)),
    st.one_of(st.floats(-180, 180), st.floats(179, 180), st.floats(-180, -179)),
).map(lambda p: (p[0], p[1], None if p[1] is None else p[2]))


def _pairs(found) -> set[tuple[int, int]]:
    rows = [tuple(row) for row in found.tolist()]
    assert rows == sorted(set(rows)) and all(a < b for a, b in rows)
    return set(rows)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres, one pair at a time."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@settings(max_examples=150, deadline=None)
@given(st.lists(point, min_size=2, max_size=60), st.floats(0.2, 3), st.floats(1, 3000))
def test_candidates_are_exactly_the_pairs_within_the_limits(points, days, km):
    arrays = _arrays(points)
    rules = DuplicateRules(max_days=days, max_km=km)
    expected = set()
    for i in range(len(arrays)):
        for j in range(i + 1, len(arrays)):
            if abs(arrays.t0[i] - arrays.t0[j]) > days:
                continue
            placed = [not math.isnan(arrays.lat[k]) for k in (i, j)]
            if placed[0] != placed[1]:
                continue
            if placed[0] and _km(float(arrays.lat[i]), float(arrays.lon[i]),
                                 float(arrays.lat[j]), float(arrays.lon[j])) > km:  # fmt: skip
                continue
            a, b = int(arrays.ids[i]), int(arrays.ids[j])
            expected.add((min(a, b), max(a, b)))
    assert _pairs(candidate_pairs(arrays, rules)) == expected
    some = {int(arrays.ids[0])}
    assert _pairs(candidate_pairs(arrays, rules, among=some)) == {
        p for p in expected if set(p) & some
    }


def test_neighbours_across_the_date_line_and_the_pole_are_candidates():
    arrays = _arrays([(20_000, 65.0, 179.95), (20_000, 65.0, -179.95),
                      (20_000, 89.99, 0.0), (20_000, 89.99, 180.0)])  # fmt: skip
    assert _pairs(candidate_pairs(arrays, DuplicateRules(max_km=10))) == {(1, 2), (3, 4)}


def _fixture_store(tmp_path) -> tuple[EventStore, dict[int, str], set[frozenset[str]]]:
    rows = list(csv.DictReader(KNOWN_PAIRS.open(encoding="utf-8")))
    truth = {frozenset((r["id"], r["duplicate_of"])) for r in rows if r["duplicate_of"]}
    store = EventStore(tmp_path / "pairs.db")
    import_file(KNOWN_PAIRS, store)
    # The fixture's titles are all different: they name its rows.
    label = {r["title"]: r["id"] for r in rows}
    names = {e.id: label[e.title] for e in store.all_events()}
    assert len(names) == len(rows) == 45
    return store, names, truth


def test_precision_and_recall_on_pairs_known_to_be_one_event(tmp_path):
    store, names, truth = _fixture_store(tmp_path)
    found = {frozenset((names[d.first], names[d.second])) for d in store.probable_duplicates()}
    right = found & truth
    # Measured on this fixture: every pair offered is right (precision 1.0) and 10 of the
    # 14 are found (recall 0.71). The four missed are told in other words ("agree
    # exchange of prisoners" / "agree to swap prisoners") or placed 65 km apart.
    assert len(found - right) == 0, sorted(map(sorted, found - right))
    assert len(right) >= 10, sorted(map(sorted, truth - right))
    # A lower bar finds more of them, and some that are not.
    looser = {frozenset((names[d.first], names[d.second]))
              for d in store.probable_duplicates(DuplicateRules(min_score=65))}  # fmt: skip
    assert len(looser & truth) > len(right) and looser - truth
    # Daily shelling of one town is not one event, however alike the words.
    nikopol = {"d26", "d27", "d28"}
    assert not any(pair <= nikopol for pair in found)
    store.close()


def test_pairs_marked_distinct_are_not_offered_again(tmp_path):
    store, names, _truth = _fixture_store(tmp_path)
    first = store.probable_duplicates()[0]
    store.mark_distinct(first.second, first.first)  # either order
    after = store.probable_duplicates()
    assert (first.first, first.second) not in {(d.first, d.second) for d in after}
    assert len(after) == len(store.probable_duplicates()) > 0
    try:
        store.mark_distinct(first.first, 99_999)
    except StoreError as exc:
        assert "99999" in str(exc)
    else:
        raise AssertionError("an unknown event was marked")
    # Deleting one of the two forgets the pair.
    store.db.execute("DELETE FROM events WHERE id = ?", [first.first])
    store.db.conn.commit()
    assert store.db.execute("SELECT count(*) FROM distinct_events").fetchone()[0] == 0
    store.close()


def test_events_without_a_place_pair_only_with_each_other_and_need_closer_words(tmp_path):
    store = EventStore(tmp_path / "u.db")
    store.add_events([
        Event(uid="a", title="Talks resume in Istanbul", start="2025-06-02"),
        Event(uid="b", title="Talks resume in Istanbul", start="2025-06-02",
              place=Place("Istanbul", 41.0, 29.0)),
        Event(uid="c", title="Talks resume in Istanbul", start="2025-06-02"),
    ])  # fmt: skip
    (pair,) = store.probable_duplicates()
    ids = {e.uid: e.id for e in store.all_events()}
    assert {pair.first, pair.second} == {ids["a"], ids["c"]} and pair.km_apart is None
    assert pair.score < 100  # no place: half the evidence
    store.close()


def test_the_command_lists_pairs_and_marks_them_distinct(tmp_path):
    store, _names, _truth = _fixture_store(tmp_path)
    db = str(store.path)
    store.close()
    runner = CliRunner()
    listed = runner.invoke(main, ["duplicates", "--db", db, "--format", "json"])
    assert listed.exit_code == 0, listed.output
    pairs = json.loads(listed.output)
    assert len(pairs) >= 10 and all(p["score"] >= 72 for p in pairs)
    table = runner.invoke(main, ["duplicates", "--db", db]).output
    assert table.strip().endswith(f"{len(pairs)} probable duplicate pairs")
    assert "Istanbul talks end after just over an hour" in table
    top = pairs[0]
    marked = runner.invoke(main, ["duplicates", "--db", db, "--distinct",
                                  str(top["first"]), str(top["second"])])  # fmt: skip
    assert marked.exit_code == 0 and "distinct" in marked.output
    again = json.loads(runner.invoke(main, ["duplicates", "--db", db, "--format", "json"]).output)
    assert len(again) == len(pairs) - 1
    wrong = runner.invoke(main, ["duplicates", "--db", db, "--distinct", "1", "1"])
    assert wrong.exit_code == 1 and "Traceback" not in wrong.output
    assert "itself" in wrong.output


def test_an_import_says_how_many_probable_duplicates_it_brought(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "imp.db")
    first = runner.invoke(main, ["--db", db, "import", str(KNOWN_PAIRS)])
    assert first.exit_code == 0, first.output
    assert "probable duplicates: 10 pairs with the new events" in first.output
    # The same file again adds nothing new: no search, no line.
    again = runner.invoke(main, ["--db", db, "import", str(KNOWN_PAIRS)])
    assert "probable duplicates" not in again.output
