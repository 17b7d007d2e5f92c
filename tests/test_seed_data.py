"""Checks of the hand-curated seed dataset (data/seed/istanbul-talks-2025.geojson).

Plain json + math: no Qt, no application code.
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from geopy.distance import great_circle

SEED_DIR = Path(__file__).resolve().parents[1] / "data" / "seed"
DATASET = SEED_DIR / "istanbul-talks-2025.geojson"
MAIN_ARTICLE_ID = "covalent-bond-negotiations-without-illusions"
MAX_BYTES = 200 * 1024

PROPERTY_KEYS = {
    "reliability",
    "credibility",
    "grade_reason",
    "id",
    "title",
    "start",
    "end",
    "precision",
    "display_date",
    "category",
    "actors",
    "place",
    "place_kind",
    "country",
    "excerpt",
    "article",
    "sources",
}
PRECISIONS = {"day", "month", "year", "approximate"}
CATEGORIES = {
    "diplomacy",
    "strike",
    "electronic_warfare",
    "humanitarian",
    "statement",
    "military",
    "politics",
    "economy",
}
PLACE_KINDS = {"landmark", "city", "region", "country"}
# Outlets the article cites; if an excerpt names one, the event must list it in `sources`.
KNOWN_OUTLETS = (
    "The Guardian",
    "Reuters",
    "Associated Press",
    "The Washington Post",
    "Al Jazeera",
    "Kyiv Independent",
    "BBC",
)
# (lat, lon) of the true city centres.
CITY_CENTRES = {
    "Istanbul": (41.0082, 28.9784),
    "Saratov": (51.5331, 46.0342),
    "Krasnodar": (45.0355, 38.9753),
    "Sumy": (50.9077, 34.7981),
    "Kharkiv": (49.9935, 36.2304),
    "Zaporizhzhia": (47.8388, 35.1396),
    "Vilnius": (54.6872, 25.2797),
}

_ISO_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)?)?)?$")


def normalise(text: str) -> str:
    """Collapse runs of whitespace to one space (quotes and dashes are left alone)."""
    return re.sub(r"\s+", " ", text).strip()


def period(value: str) -> tuple[date, date, str]:
    """First day, last day and granularity ("year"/"month"/"day") of a reduced-precision ISO
    date. Raises ValueError for anything that is not one."""
    m = _ISO_RE.match(value)
    if not m:
        raise ValueError(f"not an ISO date: {value!r}")
    year, month, day, time = m.groups()
    y = int(year)
    if month is None:
        return date(y, 1, 1), date(y, 12, 31), "year"
    mo = int(month)
    if day is None:
        last = calendar.monthrange(y, mo)[1]  # raises for a bad month
        return date(y, mo, 1), date(y, mo, last), "month"
    d = datetime.fromisoformat(value).date() if time else date(y, mo, int(day))
    return d, d, "day"


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return great_circle((lat1, lon1), (lat2, lon2)).km


@pytest.fixture(scope="module")
def doc() -> dict:
    with DATASET.open(encoding="utf-8") as fh:
        return json.load(fh)


@pytest.fixture(scope="module")
def features(doc) -> list[dict]:
    return doc["features"]


@pytest.fixture(scope="module")
def props(features) -> list[dict]:
    return [f["properties"] for f in features]


@pytest.fixture(scope="module")
def by_id(props) -> dict[str, dict]:
    return {p["id"]: p for p in props}


@pytest.fixture(scope="module")
def article_text(doc) -> str:
    main = next(a for a in doc["articles"] if a["id"] == MAIN_ARTICLE_ID)
    return (SEED_DIR / main["text_file"]).read_text(encoding="utf-8")


def _with(props, **conds) -> list[dict]:
    return [p for p in props if all(p.get(k) == v for k, v in conds.items())]


def _one(props, **conds) -> dict:
    hits = _with(props, **conds)
    assert hits, f"no event with {conds}"
    return hits[0]


# --- structure ------------------------------------------------------------------------------


def test_file_is_small():
    assert DATASET.stat().st_size < MAX_BYTES


def test_is_feature_collection(doc, features):
    assert doc["type"] == "FeatureCollection"
    assert doc["event_atlas"] == {"format": 1}
    assert isinstance(doc["name"], str) and doc["name"]
    assert isinstance(features, list) and features
    assert all(f["type"] == "Feature" for f in features)


def test_property_keys(features):
    for f in features:
        assert set(f["properties"]) == PROPERTY_KEYS, f["properties"].get("id")
        assert f["id"] == f["properties"]["id"]


def test_property_values(props):
    for p in props:
        pid = p["id"]
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", pid), pid
        assert isinstance(p["title"], str) and p["title"].strip(), pid
        assert isinstance(p["display_date"], str) and p["display_date"].strip(), pid
        assert p["precision"] in PRECISIONS, pid
        assert p["category"] in CATEGORIES, pid
        assert isinstance(p["actors"], list), pid
        assert all(isinstance(a, str) and a.strip() for a in p["actors"]), pid
        assert isinstance(p["sources"], list), pid
        assert all(isinstance(s, str) and s.strip() for s in p["sources"]), pid
        assert len(set(p["sources"])) == len(p["sources"]), pid
        assert p["place_kind"] in PLACE_KINDS | {None}, pid
        assert (p["place"] is None) == (p["place_kind"] is None), pid
        assert p["country"] is None or re.fullmatch(r"[A-Z]{2}", p["country"]), pid


def test_dates(props):
    for p in props:
        pid = p["id"]
        s_first, s_last, s_grain = period(p["start"])
        prec = p["precision"]
        if prec != "approximate":
            assert s_grain == prec, f"{pid}: start {p['start']!r} is not {prec} precision"
        if p["end"] is not None:
            e_first, e_last, e_grain = period(p["end"])
            if prec != "approximate":
                assert e_grain == prec, f"{pid}: end {p['end']!r} is not {prec} precision"
            assert e_first >= s_first and e_last >= s_last, f"{pid}: end before start"


def test_period_helper_rejects_garbage():
    for bad in ("2025-13", "2025-02-30", "June 2", "25-06-02", ""):
        with pytest.raises(ValueError):
            period(bad)
    assert period("2025-06")[1] == date(2025, 6, 30)
    assert period("2025-06-02T06:00:00")[0] == date(2025, 6, 2)


def test_geometry(features):
    for f in features:
        p, g = f["properties"], f["geometry"]
        if g is None:
            assert p["place"] is None and p["place_kind"] is None, p["id"]
            assert p["country"] is None, p["id"]
            continue
        assert g["type"] == "Point", p["id"]
        lon, lat = g["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90, p["id"]
        assert isinstance(p["place"], str) and p["place"].strip(), p["id"]


# --- references -------------------------------------------------------------------------------


def test_ids_unique(props):
    ids = [p["id"] for p in props]
    assert len(ids) == len(set(ids))


def test_articles(doc, props):
    articles = doc["articles"]
    aids = [a["id"] for a in articles]
    assert len(aids) == len(set(aids))
    for a in articles:
        period(a["published"])
        assert a["outlet"] == "Covalent Bond"
    known = set(aids)
    for p in props:
        assert p["article"] in known, p["id"]
    # every article entry is used by at least one event
    assert known == {p["article"] for p in props}


def test_main_article_text_file(doc):
    main = next(a for a in doc["articles"] if a["id"] == MAIN_ARTICLE_ID)
    assert main["published"] == "2025-06-02"
    assert main["author"] == "Michael K."
    path = SEED_DIR / main["text_file"]
    assert path.is_file()
    assert "Çırağan Palace" in path.read_text(encoding="utf-8")


def test_excerpts_verbatim(props, article_text):
    text = normalise(article_text)
    for p in props:
        excerpt = normalise(p["excerpt"])
        assert len(excerpt) >= 10, p["id"]
        assert excerpt in text, f"{p['id']}: excerpt not in article: {excerpt[:60]!r}"


def test_headline_articles_have_their_event(doc, props, article_text):
    text = normalise(article_text)
    for a in doc["articles"]:
        if a["id"] == MAIN_ARTICLE_ID:
            continue
        assert a["text_file"] is None and a["author"] is None
        assert normalise(a["title"]) in text, a["id"]
        events = _with(props, article=a["id"])
        assert any(normalise(a["title"]) in normalise(e["excerpt"]) for e in events), a["id"]


def test_sources_are_cited(props, article_text):
    text = normalise(article_text)
    for p in props:
        for s in p["sources"]:
            assert s in text, f"{p['id']}: {s!r} is not cited in the article"
        for outlet in KNOWN_OUTLETS:
            if outlet in p["excerpt"]:
                assert outlet in p["sources"], f"{p['id']}: excerpt cites {outlet!r}"


# --- places -----------------------------------------------------------------------------------


@pytest.mark.parametrize("city", sorted(CITY_CENTRES))
def test_city_located(features, city):
    lat0, lon0 = CITY_CENTRES[city]
    dists = [
        distance_km(lat0, lon0, f["geometry"]["coordinates"][1], f["geometry"]["coordinates"][0])
        for f in features
        if f["geometry"] is not None and city in (f["properties"]["place"] or "")
    ]
    assert dists, f"no event placed in {city}"
    assert min(dists) <= 25, f"{city}: nearest event is {min(dists):.0f} km away"


@pytest.mark.parametrize("name", ["Mykolaiv", "Crimea"])
def test_jamming_regions_present(features, name):
    hits = [
        f
        for f in features
        if f["geometry"] is not None
        and name in (f["properties"]["place"] or "")
        and f["properties"]["category"] == "electronic_warfare"
    ]
    assert hits, name
    assert all("Reuters" in f["properties"]["sources"] for f in hits)


def test_talks_at_ciragan(features):
    hits = [
        f
        for f in features
        if (f["properties"]["place"] or "").startswith("Çırağan Palace")
        and f["properties"]["start"] == "2025-06-02"
        and f["properties"]["precision"] == "day"
    ]
    assert hits
    lon, lat = hits[0]["geometry"]["coordinates"]
    assert distance_km(41.0437, 29.0159, lat, lon) < 1


# --- provenance and dates of named claims -----------------------------------------------------


def test_airfield_strikes(props):
    for region in ("Saratov region", "Krasnodar region"):
        p = _one(props, place=region)
        assert p["category"] == "strike"
        assert "The Washington Post" in p["sources"]
        assert p["precision"] == "approximate"
        assert (p["start"], p["end"]) == ("2025-05-31", "2025-06-01")
        assert p["place_kind"] == "region" and p["country"] == "RU"


def test_morning_strikes(props):
    for region in ("Sumy region", "Kharkiv region", "Zaporizhzhia region"):
        p = _one(props, place=region)
        assert (p["start"], p["precision"]) == ("2025-06-02", "day")
        assert "The Guardian" in p["sources"]


def test_vilnius_address_cites_bbc(props):
    p = _one(props, place="Vilnius")
    assert "BBC" in p["sources"]
    assert p["start"] == "2025-06-02"
    assert "Bucharest Nine" in p["excerpt"]


def test_proposal_package_cites_kyiv_independent(props):
    hits = [p for p in props if "30-day ceasefire across all fronts" in p["excerpt"]]
    assert hits
    assert all("Kyiv Independent" in p["sources"] for p in hits)


def test_russian_demands_provenance(props):
    def cites(fragment: str) -> set[str]:
        hits = [p for p in props if fragment in p["excerpt"] and p["start"] == "2025-06-02"]
        assert hits, fragment
        return set(hits[0]["sources"])

    assert "The Guardian" in cites("four occupied Ukrainian regions")
    assert "Reuters" in cites("legally vague")
    assert "Associated Press" in cites("phased lifting")
    assert "Reuters" in cites("demilitarization of Ukrainian border regions")


def test_next_round(props):
    p = _one(props, start="2025-06-20")
    assert p["end"] == "2025-06-30"
    assert p["place"] is None


def test_next_round_has_no_geometry(features):
    hits = [f for f in features if f["properties"]["start"] == "2025-06-20"]
    assert hits and all(f["geometry"] is None for f in hits)


def test_may_round(props):
    p = _one(props, start="2025-05")
    assert p["precision"] == "month"
    assert "Istanbul in May" in p["excerpt"]


def test_talks_2022_2023(props):
    p = _one(props, start="2022", end="2023")
    assert p["precision"] == "year"
    assert "2022–2023" in p["excerpt"]


def test_headline_dates(props):
    alaska = _one(props, place="Alaska")
    assert alaska["start"] == "2025-08-15"
    assert _with(props, start="2025-08-08"), "August 8 deadline"
    assert _with(props, start="2025-07-21", category="military"), "July 21 UDCG meeting"
