"""The text filter's matches as the panels mark them, and what each filter part can be
set to (the filter panel's lists), against real stores."""

from __future__ import annotations

import json

from desktop_app.core.event import Event, Place
from desktop_app.core.filter import Filter, matched_spans
from desktop_app.store import queries
from desktop_app.store.event_store import EventStore
from desktop_app.ui.panels.filters import find_choices, find_matches, highlighted


def marked(text: str, query: str) -> list[str]:
    return [text[a:b] for a, b in matched_spans(text, query)]


def test_words_prefixes_and_phrases_are_marked_where_they_match():
    text = "Strikes on Kharkiv; the second round of talks in Kharkiv region, a round second."
    assert marked(text, "kharkiv") == ["Kharkiv", "Kharkiv"]
    assert marked(text, "kharki*") == ["Kharkiv", "Kharkiv"]
    assert marked(text, "kharki") == []  # a word, not the start of one, without the *
    assert marked(text, '"second round"') == ["second round"]
    assert marked(text, "round second") == ["second", "round", "round", "second"]
    assert marked(text, "strike") == []
    assert marked(text, "strike*") == ["Strikes"]


def test_marks_compare_as_the_search_does_case_and_accents_aside():
    assert marked("Çırağan Palace, ISTANBUL", "cıragan istanbul") == ["Çırağan", "ISTANBUL"]
    assert marked("Türkiye hosts", "turkiye") == ["Türkiye"]
    # A dotless ı is its own letter to the search, not an i with a mark.
    assert marked("Çırağan", "ciragan") == []


def test_an_unreadable_query_marks_nothing():
    assert matched_spans("a quote", '"a quo') == []
    assert matched_spans("text", "") == []


def test_marking_escapes_first_then_marks():
    flt = Filter(text="bold*")
    html = highlighted("<b>bold</b> & <i>boldly</i>", flt)
    assert "<b>" not in html and "<i>" not in html
    assert html.count("<span") == 2
    assert html.startswith("&lt;b&gt;<span")
    # No text filter, nothing marked; the text is still escaped.
    assert highlighted("<b>x</b>", Filter()) == "&lt;b&gt;x&lt;/b&gt;"


def test_what_the_parts_can_be_set_to_with_counts(seed_store):
    conn = seed_store.db.conn
    actors = dict(queries.named_counts(conn, "actors"))
    sources = dict(queries.named_counts(conn, "sources"))
    countries = dict(queries.named_counts(conn, "countries"))
    # Each count is what the filter of that name lets through.
    for name in ("Ukraine", "Donald Trump"):
        assert actors[name] == seed_store.count_matching(Filter(actors={name}))
    for name in ("Reuters", "Covalent Bond", "The Guardian"):
        assert sources[name] == seed_store.count_matching(Filter(sources={name}))
    assert countries["TR"] == seed_store.count_matching(Filter(place="TR"))
    counts = list(actors.values())
    assert counts == sorted(counts, reverse=True)


def test_the_panel_s_questions_run_on_their_own_connection(seed_store):
    flt = Filter(text="talks")
    found = find_matches(seed_store.path, flt)
    assert found.count == seed_store.count_matching(flt) > 0
    ranked = queries.ranked_ids(seed_store.db.conn, flt, limit=10).tolist()
    assert [i for i, _t in found.best] == ranked
    assert all(title for _i, title in found.best)
    choices = find_choices(seed_store.path)
    assert sum(n for _k, n in choices.categories) == seed_store.count_matching(Filter())
    assert choices.actors[0][0] == "Ukraine"


def test_a_dataset_s_own_categories_are_listed_beyond_them_other(tmp_path):
    store = EventStore(tmp_path / "s.db")
    place = Place("P", 1, 2)
    kinds = ["drones"] * 4 + ["Missile Strike"] * 3 + ["shelling"] * 2 + ["misc", "strike"]
    store.add_events(
        Event(uid=f"e{k}", title="a", start="2025-01-01", category=kind, place=place)
        for k, kind in enumerate(kinds)
    )
    assert queries.dataset_keys(store.db.conn) == ("drones", "Missile Strike", "shelling")
    assert find_choices(store.path).categories == (
        ("strike", 1), ("other", 1), ("drones", 4), ("Missile Strike", 3), ("shelling", 2),
    )  # fmt: skip
    # The store's "Other" is what the map draws as Other: not a category of its own.
    assert store.count_matching(Filter(categories={"other"})) == 1
    assert store.count_matching(Filter(categories={"other", "drones"})) == 5
    store.close()


def test_the_most_frequent_own_categories_whatever_their_number(tmp_path):
    # A few own categories are found by a seek each, hundreds by one count of them all:
    # both give the most frequent first, ties in name order.
    for distinct in (12, 260):
        store = EventStore(tmp_path / f"s{distinct}.db")
        kinds = [f"kind {k:03d}" for k in range(distinct) for _ in range(1 + k % 5)]
        kinds += ["strike"] * 10 + [""] * 3
        store.add_events(
            Event(uid=f"e{k}", title="a", start="2025-01-01", category=kind)
            for k, kind in enumerate(kinds)
        )
        counts = {k: kinds.count(k) for k in set(kinds) if k not in ("", "strike")}
        expected = sorted(counts, key=lambda k: (-counts[k], k))[: len(queries.DATASET_LOOKS)]
        assert queries.dataset_keys(store.db.conn) == tuple(expected)
        store.close()


def test_the_export_command_follows_its_filter_options(seed_db, tmp_path):
    from click.testing import CliRunner

    from desktop_app.cli import main

    out = tmp_path / "strikes.geojson"
    args = ["export", "geojson", "--db", str(seed_db), "-o", str(out)]
    result = CliRunner().invoke(main, [*args, "--category", "strike", "--search", "kharki*"])
    assert result.exit_code == 0, result.output
    with EventStore(seed_db) as store:
        expected = store.count_matching(Filter(categories={"strike"}, text="kharki*"))
        everything = store.count()
    features = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert 0 < len(features) == expected < everything
    assert f"({expected} events)" in result.output
    bad = CliRunner().invoke(main, [*args, "--bbox", "1,2,3"])
    assert bad.exit_code == 2 and "--bbox" in bad.output
