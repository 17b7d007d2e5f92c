"""The article extractor, without review, on the seed article, against the (place, date)
pairs of the hand-made seed dataset: it recovers at least 26 of the 28 (recall), and at
least 23 of the events it places match one of them (precision), whether the date is
given or read from the article's dateline.

Two seed events are placed where the extractor, by design, places nothing: "The State
Department stated ..." (at Washington) and "Ankara confined itself ..." (at Ankara) are
an office and a capital speaking, not something that happened there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from geopy.distance import great_circle

from desktop_app.core.dates import event_span
from desktop_app.geo.names import name_key
from desktop_app.ingest.article import extract_article

SEED = Path(__file__).resolve().parents[1] / "data" / "seed"
MAIN_ARTICLE = "covalent-bond-negotiations-without-illusions"


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return great_circle(a, b).km


def _seed_pairs() -> list[tuple[str, tuple[float, float], tuple[float, float]]]:
    doc = json.loads((SEED / "istanbul-talks-2025.geojson").read_text(encoding="utf-8"))
    pairs = []
    for feature in doc["features"]:
        props = feature["properties"]
        if props.get("article") != MAIN_ARTICLE or feature["geometry"] is None:
            continue
        lon, lat = feature["geometry"]["coordinates"]
        span = event_span(props["start"], props.get("end"), props["precision"])
        pairs.append((props["place"], (lat, lon), span))
    return pairs


def _same_place(name_a: str, point_a, name_b: str, point_b) -> bool:
    return _km(point_a, point_b) <= 50 or name_key(name_a) == name_key(name_b)


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < max(b[1], b[0] + 1e-9) and b[0] < max(a[1], a[0] + 1e-9)


# Counts of the seed article's 28 pairs and of the events placed from it.
RECALLED_AT_LEAST = 26
PLACED_AT_MOST = 30
UNMATCHED_AT_MOST = 4


@pytest.mark.parametrize("published", ["2025-06-02", None])
def test_seed_article_recall_and_precision(published: str | None) -> None:
    text = (SEED / "negotiations-without-illusions.txt").read_text(encoding="utf-8")
    draft = extract_article(text, kind="txt", published=published)
    assert draft.article.published == "2025-06-02"
    found = [
        (c.event.place.name, (c.event.place.lat, c.event.place.lon), c.event.span)
        for c in draft.candidates
        if c.event.place is not None
    ]
    seed = _seed_pairs()
    missed = [
        s
        for s in seed
        if not any(_same_place(s[0], s[1], f[0], f[1]) and _overlap(s[2], f[2]) for f in found)
    ]
    extra = [
        f
        for f in found
        if not any(_same_place(s[0], s[1], f[0], f[1]) and _overlap(s[2], f[2]) for s in seed)
    ]
    recalled, matched = len(seed) - len(missed), len(found) - len(extra)
    print(
        f"\nseed pairs: {len(seed)}, recovered: {recalled} (recall {recalled / len(seed):.0%}); "
        f"events with a place: {len(found)}, matching a seed pair: {matched} "
        f"(precision {matched / len(found):.0%})"
    )
    for name, _, span in extra:
        print(f"  extra: {name} {span}")
    for name, _, span in missed:
        print(f"  missed: {name} {span}")
    assert len(seed) == 28
    assert recalled >= RECALLED_AT_LEAST, missed
    assert len(extra) <= UNMATCHED_AT_MOST, extra
    assert len(found) <= PLACED_AT_MOST


def test_article_metadata_from_the_text() -> None:
    text = (SEED / "negotiations-without-illusions.txt").read_text(encoding="utf-8")
    draft = extract_article(text, kind="txt")
    assert draft.article.title == "Negotiations without illusions"
    assert draft.article.published == "2025-06-02"
    assert draft.article.author == "Michael K."
    # The "Latest news" list after the article is not part of it.
    assert not any("Alaska" in c.event.excerpt for c in draft.candidates)
