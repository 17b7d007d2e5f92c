"""Place names to entries with a confidence: a table of names, with and without context."""

from __future__ import annotations

import pytest

from desktop_app.geo.gazetteer import Confidence, Gazetteer, GeoContext, default_gazetteer

EXACT, LIKELY, GUESS = Confidence.EXACT, Confidence.LIKELY, Confidence.GUESS
UA = GeoContext(countries=frozenset({"UA"}))
# The places of a dataset about Donetsk oblast (GeoNames admin1 05): Donetsk, Kramatorsk.
DONETSK = GeoContext(countries=frozenset({"UA"}), admin1=frozenset({("UA", "05")}))
US = GeoContext(countries=frozenset({"US"}))

# name, context, expected (name, country) or None for unplaced, confidence
TABLE = [
    ("Kyiv", None, ("Kyiv", "UA"), EXACT),
    ("Kiev", None, ("Kyiv", "UA"), EXACT),
    ("Kharkiv", None, ("Kharkiv", "UA"), EXACT),
    ("Kharkov", None, ("Kharkiv", "UA"), EXACT),
    ("Харків", None, ("Kharkiv", "UA"), EXACT),
    ("Mykolaiv", None, ("Mykolayiv", "UA"), EXACT),
    ("Nikolaev", None, ("Mykolayiv", "UA"), EXACT),
    ("Nikolayev", None, ("Mykolayiv", "UA"), GUESS),
    ("Zaporizhzhia", None, ("Zaporizhzhya", "UA"), EXACT),
    ("Zaporizhzhya", None, ("Zaporizhzhya", "UA"), EXACT),
    ("Zaporozhye", None, ("Zaporizhzhya", "UA"), EXACT),
    ("Zaporizhia", None, ("Zaporizhzhya", "UA"), GUESS),
    ("Zaporizhia", UA, ("Zaporizhzhya", "UA"), GUESS),
    ("Pokrovsk", None, ("Pokrovsk", "UA"), LIKELY),
    ("Pokrovsk", DONETSK, ("Pokrovsk", "UA"), EXACT),
    ("Odessa", None, ("Odesa", "UA"), LIKELY),
    ("Odessa", UA, ("Odesa", "UA"), EXACT),
    ("Odessa", US, ("Odessa", "US"), EXACT),
    ("Odessa, Texas", None, ("Odessa", "US"), EXACT),
    ("Chernihiv, Ukraine", None, ("Chernihiv", "UA"), EXACT),
    ("Chernigov", None, ("Chernihiv", "UA"), EXACT),
    ("Artemivsk", None, ("Bakhmut", "UA"), EXACT),
    ("Dnepropetrovsk", None, ("Dnipro", "UA"), EXACT),
    ("Lvov", None, ("Lviv", "UA"), EXACT),
    ("Donetsk", None, ("Donetsk", "UA"), LIKELY),
    ("Donetsk", DONETSK, ("Donetsk", "UA"), EXACT),
    ("Moscow", None, ("Moscow", "RU"), EXACT),
    ("Rome", None, ("Rome", "IT"), LIKELY),
    ("Rome, Georgia", None, ("Rome", "US"), EXACT),
    ("Vilnius", None, ("Vilnius", "LT"), EXACT),
    ("Vilnius", UA, ("Vilnius", "LT"), LIKELY),
    ("Kherson region", None, ("Kherson region", "UA"), EXACT),
    ("Crimea", None, ("Crimea", "UA"), EXACT),
    ("Atlantis, South Africa", None, ("Atlantis", "ZA"), EXACT),
    ("Atlantis", None, None, None),
    ("Atlantis", UA, None, None),
    ("Middle-earth", None, None, None),
    ("the front", None, None, None),
    ("front line", UA, None, None),
    ("Gotham", None, None, None),
    ("Kremlin", None, None, None),
    ("the Kremlin", None, None, None),
    ("Kremlin", GeoContext(countries=frozenset({"RU"})), None, None),
    ("State Department", None, None, None),
    ("US State Department", US, None, None),
    ("White House", None, None, None),
    ("Kharkow", None, None, None),
]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return default_gazetteer()


@pytest.mark.parametrize(("name", "context", "expected", "confidence"), TABLE)
def test_names_resolve_to_the_expected_place_and_confidence(
    gazetteer: Gazetteer,
    name: str,
    context: GeoContext | None,
    expected: tuple[str, str] | None,
    confidence: Confidence | None,
) -> None:
    found = gazetteer.resolve_name(name, context)
    if expected is None:
        assert found.best is None, found.describe()
        assert found.confidence is Confidence.UNPLACED
        assert found.reason
        assert gazetteer.resolve(name, context) is None
    else:
        assert found.best is not None, found.describe()
        assert (found.best.name, found.best.country) == expected, found.describe()
        assert found.confidence is confidence, found.describe()


def test_pokrovsk_lists_the_saratov_oblast_town_as_the_alternative(gazetteer: Gazetteer) -> None:
    found = gazetteer.resolve_name("Pokrovsk")
    assert [(a.name, a.country) for a in found.alternatives] == [("Engels", "RU")]
    assert found.best is not None and found.best.label == "Pokrovsk (city, Donetsk region, UA)"
    assert "or Engels (city, Saratov region, RU)" in found.describe()


def test_a_spelling_match_says_so_and_names_no_far_fetched_alternative(
    gazetteer: Gazetteer,
) -> None:
    found = gazetteer.resolve_name("Zaporizhia")
    assert found.fuzzy and "spelled like Zaporizhzhya" in found.reason
    assert {a.country for a in found.alternatives} <= {"UA"}
    nikolayev = gazetteer.resolve_name("Nikolayev")
    assert nikolayev.fuzzy
    assert all(a.name.startswith(("Myk", "Nik")) for a in nikolayev.alternatives)


def test_unknown_and_refused_names_say_why(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve_name("Middle-earth").reason.startswith("a fictional place")
    assert gazetteer.resolve_name("the front").reason == "no place known by that name"
    assert "Russian government" in gazetteer.resolve_name("Kremlin").reason
