"""The store's filter queries, against the bundled dataset and a generated 100k-event
store, each count checked against a plain Python filter over ``store.all_events()``."""

from __future__ import annotations

import dataclasses
import itertools
import re
import sqlite3

import numpy as np
import pytest

from desktop_app.cli.options import filter_words
from desktop_app.core.categories import category
from desktop_app.core.dates import DatePrecision
from desktop_app.core.event import Event
from desktop_app.core.filter import Filter, FilterError, Placement, text_terms
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from tests.mapping import FIRST_DAY, synthetic_events

_WORD = re.compile(r"[^\W_]+")


def _tokens(text: str | None) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text or "")]


def _has_term(tokens: list[str], words: tuple[str, ...], prefix: bool) -> bool:
    words = tuple(w.casefold() for w in words)
    for k in range(len(tokens) - len(words) + 1):
        run = tokens[k : k + len(words)]
        if run[:-1] == list(words[:-1]) and (
            run[-1].startswith(words[-1]) if prefix else run[-1] == words[-1]
        ):
            return True
    return False


@dataclasses.dataclass
class Plain:
    """An event as the plain filter reads it, its words split once."""

    id: int
    span: tuple[float, float]
    category: str
    precision: DatePrecision
    lat: float | None
    lon: float | None
    texts: list[list[str]]
    place_words: list[str]
    actors: set[str]
    outlets: set[str]


def plain(events: list[Event]) -> list[Plain]:
    return [
        Plain(
            e.id,
            e.span,
            category(e.category).key,
            e.precision,
            e.place.lat if e.place else None,
            e.place.lon if e.place else None,
            [_tokens(e.title) + ["\x00"] + _tokens(e.excerpt)]
            + ([_tokens(e.place.name)] if e.place else [])
            + [_tokens(s) for s in e.sources],
            _tokens(e.place.name) + _tokens(e.place.country) if e.place else [],
            set(e.actors),
            set(e.sources) | {e.article.outlet if e.article else None},
        )
        for e in events
    ]


def reference(events: list[Plain], flt: Filter, window: TimeWindow | None = None) -> set[int]:
    """What the filter means, written plainly over events."""
    terms = text_terms(flt.text)
    place_words = [w.casefold() for w in _WORD.findall(flt.place)]
    found = set()
    for e in events:
        if window is not None and not window.overlaps(*e.span):
            continue
        if flt.categories and e.category not in flt.categories:
            continue
        if flt.precisions and e.precision not in flt.precisions:
            continue
        placed = e.lat is not None and e.lon is not None
        if flt.placement is Placement.PLACED and not placed:
            continue
        if flt.placement is Placement.TIMELINE_ONLY and placed:
            continue
        if flt.bbox is not None:
            w, s, east, n = flt.bbox
            if not placed or not (s <= e.lat <= n):
                continue
            inside = w <= e.lon <= east if w <= east else not (east < e.lon < w)
            if not inside:
                continue
        if not all(any(_has_term(t, term.words, term.prefix) for t in e.texts) for term in terms):
            continue
        if not all(any(n.startswith(w) for n in e.place_words) for w in place_words):
            continue
        if flt.actors and not e.actors & flt.actors:
            continue
        if flt.sources and not e.outlets & flt.sources:
            continue
        found.add(e.id)
    return found


def check(store: EventStore, events: list[Event], flt: Filter, window=None) -> np.ndarray:
    ids = store.matching_ids(flt, window)
    assert ids.dtype == np.int64
    assert list(ids) == sorted(ids)
    assert set(ids.tolist()) == reference(events, flt, window), flt.describe()
    assert store.count_matching(flt, window) == len(ids)
    return ids


# -- the bundled dataset ----------------------------------------------------------------


def test_the_empty_filter_matches_every_event(seed_store):
    assert store_ids(seed_store) == {e.id for e in seed_store.all_events()}


def store_ids(store, flt=None, window=None):
    return set(store.matching_ids(flt or Filter(), window).tolist())


def test_text_finds_titles_places_and_outlets_of_the_bundled_events(seed_store):
    events = plain(seed_store.all_events())
    kharkiv = check(seed_store, events, Filter(text="kharki*"))
    assert any("Kharkiv" in e.title for e in seed_store.events(kharkiv.tolist()))
    phrase = check(seed_store, events, Filter(text='"second round"'))
    assert len(phrase) >= 1
    # The words apart are not the phrase.
    assert len(check(seed_store, events, Filter(text="round second"))) >= len(phrase)
    # An outlet the article cites finds its events, though their text never names it.
    reuters = check(seed_store, events, Filter(text="reuters"))
    assert any("Reuters" in e.sources for e in seed_store.events(reuters.tolist()))
    assert check(seed_store, events, Filter(text="nosuchwordanywhere")).size == 0


def test_every_part_against_the_bundled_events(seed_store):
    events = plain(seed_store.all_events())
    some = events[len(events) // 2]
    window = TimeWindow(*some.span) if some.span[1] > some.span[0] else None
    filters = [
        Filter(categories={"strike"}),
        Filter(categories={"strike", "diplomacy"}, placement=Placement.PLACED),
        Filter(categories={"other"}),
        Filter(precisions={DatePrecision.APPROXIMATE, DatePrecision.MONTH}),
        Filter(placement=Placement.TIMELINE_ONLY),
        Filter(bbox=(30, 44, 41, 53)),
        Filter(bbox=(170, -50, -170, 50)),
        Filter(place="khark"),
        Filter(place="ukrai"),
        Filter(actors={"NATO", "Donald Trump"}),
        Filter(sources={"Reuters"}),
        Filter(sources={"The Guardian"}, text="talks"),
        Filter(text="kharkiv strike*"),
        Filter(categories={"strike"}, text="ukrain*", bbox=(22, 44, 41, 53)),
    ]
    for flt in filters:
        check(seed_store, events, flt)
        check(seed_store, events, flt, TimeWindow(20230.0, 20245.0))
        if window is not None:
            check(seed_store, events, flt, window)


def test_parts_that_exclude_each_other_match_nothing(seed_store):
    assert (
        seed_store.count_matching(
            Filter(placement=Placement.TIMELINE_ONLY, bbox=(-180, -90, 180, 90))
        )
        == 0
    )
    assert seed_store.matching_ids(Filter(categories={"no-such-category"})).size == 0


def test_query_syntax_is_only_text(seed_store):
    # Each would be an FTS5 syntax error (or a different query) if passed through.
    for text in ("NEAR(", "a AND", "OR", "title:kharkiv", "^x", "kharkiv)", "+-", "a\x00b"):
        try:
            seed_store.count_matching(Filter(text=text))
        except FilterError as exc:
            assert "\n" not in str(exc) and str(exc).startswith("Text: ")


def test_a_malformed_query_is_a_filter_error_not_a_database_error(seed_store):
    with pytest.raises(FilterError, match=r'^Text: a quote is not closed \("second round\)$'):
        seed_store.matching_ids(Filter(text='"second round'))
    with pytest.raises(FilterError):
        seed_store.count_matching(Filter(place="***"))


def test_ranked_events_put_the_best_match_first(seed_store):
    ranked = seed_store.matching_events(Filter(text="kharkiv"), ranked=True)
    assert ranked and "Kharkiv" in ranked[0].title
    by_time = seed_store.matching_events(Filter(text="kharkiv"))
    assert {e.id for e in ranked} == {e.id for e in by_time}
    assert [e.span for e in by_time] == sorted(e.span for e in by_time)


def test_places_and_sources_added_later_are_searchable(seed_store):
    from desktop_app.core.event import Place

    seed_store.add_events(
        [
            Event(uid="new-1", title="Shelling", start="2025-06-03",
                  place=Place("Nikopol", 47.57, 34.39), sources=("Suspilne",)),
        ]
    )  # fmt: skip
    assert seed_store.count_matching(Filter(text="nikopol")) == 1
    assert seed_store.count_matching(Filter(text="suspiln*")) == 1
    assert seed_store.count_matching(Filter(place="Nikop")) == 1


def test_an_old_store_gets_its_place_and_source_index(tmp_path, seed_db):
    # A store written before the place and source index: the update builds it.
    conn = sqlite3.connect(seed_db)
    for table in ("places", "sources"):
        for suffix in ("ai", "ad", "au"):
            conn.execute(f"DROP TRIGGER {table}_{suffix}")
        conn.execute(f"DROP TABLE {table}_fts")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_place_and_source_search'")
    conn.commit()
    conn.close()
    with EventStore(seed_db) as store:
        assert store.count_matching(Filter(text="reuters")) == 5


# -- a generated 100k-event store -------------------------------------------------------

N = 100_000


def _varied(events):
    """Generated events with some of everything: outlets, actors, coarser dates, no place."""
    for k, e in enumerate(events):
        changes = {}
        if k % 7 == 0:
            changes["sources"] = ("Reuters",) if k % 2 else ("Reuters", "Kyiv Independent")
        if k % 5 == 0:
            changes["actors"] = (("Ukraine",), ("Russia",), ("Ukraine", "Russia"))[k % 3]
        if k % 11 == 0:
            changes["start"], changes["precision"] = e.start[:7], DatePrecision.MONTH
        if k % 13 == 0:
            changes["place"] = None
        if k % 17 == 0:
            changes["title"] = e.title + " before the second round of talks"
        yield dataclasses.replace(e, **changes)


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.db"
    store = EventStore(path)
    events = _varied(synthetic_events(N, seed=9))
    with store.bulk_writer() as writer:
        while chunk := list(itertools.islice(events, 20_000)):
            writer.add(chunk)
    yield store, plain(store.all_events())
    store.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    "flt",
    [
        Filter(),
        Filter(categories={"strike"}),
        Filter(categories={"strike", "military", "other"}),
        Filter(text="kharki*"),
        Filter(text='"second round"'),
        Filter(text='"round second"'),
        Filter(text="reuters strike"),
        Filter(text="kyiv independent"),
        Filter(place="bakh"),
        Filter(placement=Placement.TIMELINE_ONLY),
        Filter(placement=Placement.PLACED, precisions={DatePrecision.MONTH}),
        Filter(bbox=(36.0, 49.5, 38.5, 50.5)),
        Filter(actors={"Russia"}),
        Filter(sources={"Kyiv Independent"}, categories={"diplomacy"}),
        Filter(categories={"strike"}, text="generat*", place="kharkiv", bbox=(35, 49, 38, 51)),
    ],
    ids=lambda f: " & ".join(filter_words(f)) or "empty",
)
def test_counts_on_a_100k_store_match_a_plain_filter(big, flt):
    store, events = big
    ids = check(store, events, flt)
    window = TimeWindow(FIRST_DAY + 300.0, FIRST_DAY + 400.0)
    windowed = check(store, events, flt, window)
    assert set(windowed.tolist()) <= set(ids.tolist())


@pytest.mark.slow
def test_a_100k_store_has_matches_for_each_kind_of_part(big):
    store, _ = big
    # The cases above test something: none of these is empty, none is everything.
    for flt in (
        Filter(text='"second round"'),
        Filter(place="bakh"),
        Filter(placement=Placement.TIMELINE_ONLY),
        Filter(actors={"Russia"}),
        Filter(sources={"Kyiv Independent"}),
    ):
        assert 0 < store.count_matching(flt) < N, flt
