"""Filtering by what an event rests on: its grade (own or an outlet's), how many
independent outlets it cites, how exact its place is, and a dataset's kept fields."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from desktop_app.cli import main
from desktop_app.cli.options import filter_words
from desktop_app.core.event import Event, Place
from desktop_app.core.filter import Filter, FilterError
from desktop_app.core.grading import parse_grade
from desktop_app.core.outlets import corroboration
from desktop_app.store.event_store import EventStore

PLACES = {
    "base": Place("Belbek air base", 44.69, 33.57, "airbase", "UA"),
    "city": Place("Kharkiv", 49.99, 36.23, "city", "UA"),
    "region": Place("Sumy region", 50.9, 34.8, "region", "UA"),
}


@pytest.fixture
def store(tmp_path):
    store = EventStore(tmp_path / "p.db")
    store.add_events([
        Event(uid="a1", title="A", start="2025-06-02", place=PLACES["base"],
              sources=("Reuters", "reuters.com", "The Guardian"), grade=parse_grade("A1"),
              attributes=(("fatalities", "3"), ("notes", "x"))),
        Event(uid="b3", title="B", start="2025-06-02", place=PLACES["city"],
              sources=("Guardian", "theguardian.com"), grade=parse_grade("B3"),
              attributes=(("fatalities", "0"),)),
        Event(uid="inherits", title="C", start="2025-06-02", place=PLACES["region"],
              sources=("Some Blog", "some blog", "Some Blog!")),
        Event(uid="none", title="D", start="2025-06-02"),
    ])  # fmt: skip
    store.set_outlet_grade("Some Blog", parse_grade("C2"))
    yield store
    store.close()


def _found(store: EventStore, **parts) -> set[str]:
    ids = store.matching_ids(Filter(**parts)).tolist()
    return {e.uid for e in store.events(ids)}


def test_grades_filter_by_the_event_s_own_or_its_outlet_s(store):
    assert _found(store, min_reliability="A") == {"a1"}
    assert _found(store, min_reliability="B") == {"a1", "b3"}
    assert _found(store, min_reliability="C") == {"a1", "b3", "inherits"}
    assert _found(store, min_reliability="F") == {"a1", "b3", "inherits", "none"}
    assert _found(store, min_credibility="2") == {"a1", "inherits"}
    assert _found(store, min_reliability="b", min_credibility="2") == {"a1"}


def test_corroboration_counts_outlets_as_the_panel_does(store):
    for n in range(4):
        found = _found(store, min_corroboration=n)
        expected = {e.uid for e in store.all_events() if corroboration(e.sources) >= n}
        assert found == expected, n
    assert _found(store, min_corroboration=2) == {"a1"}  # Reuters twice is one outlet


def test_exact_places_and_kept_fields(store):
    assert _found(store, exact_place=True) == {"a1"}
    assert _found(store, attributes=frozenset({("fatalities", "3")})) == {"a1"}
    assert _found(store, attributes=frozenset({("fatalities", "0")})) == {"b3"}
    assert _found(store, attributes=frozenset({("fatalities", "3"), ("notes", "x")})) == {"a1"}
    assert _found(store, attributes=frozenset({("notes", "y")})) == set()


def test_the_parts_read_as_chips_clear_one_by_one_and_round_trip_as_json():
    flt = Filter(min_reliability="b", min_credibility="2", min_corroboration=2,
                 exact_place=True, attributes=frozenset({("fatalities", "3")}))  # fmt: skip
    texts = filter_words(flt)
    assert texts == ["Reliability: B or better", "Credibility: 2 or better",
                     "Outlets: at least 2", "Only: exact places", "fatalities: 3"]  # fmt: skip
    assert Filter.from_json(json.loads(json.dumps(flt.to_json()))) == flt
    cleared = flt
    for chip in flt.describe():
        cleared = cleared.without(chip)
    assert cleared.is_empty
    with pytest.raises(FilterError):
        Filter(min_reliability="Z")
    with pytest.raises(FilterError):
        Filter(min_corroboration=-1)


def test_the_events_command_filters_so(store):
    db = str(store.path)
    run = CliRunner().invoke

    def uids(*args):
        result = run(main, ["events", "--db", db, "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return {r["title"] for r in json.loads(result.output)}

    assert uids("--min-reliability", "B", "--min-corroboration", "2") == {"A"}
    assert uids("--min-credibility", "2") == {"A", "C"}
    assert uids("--exact-place") == {"A"}
    assert uids("--attribute", "fatalities=0") == {"B"}
    bad = run(main, ["events", "--db", db, "--attribute", "novalue"])
    assert bad.exit_code == 2 and "NAME=VALUE" in bad.output
    bad = run(main, ["events", "--db", db, "--min-reliability", "Q"])
    assert bad.exit_code == 2 and "not a reliability" in bad.output
