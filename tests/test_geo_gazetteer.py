"""The offline gazetteer: spellings, curated extras, ambiguity resolved by context."""

from __future__ import annotations

import pytest
from geopy.distance import great_circle

from desktop_app.geo.gazetteer import Gazetteer, GeoContext, default_gazetteer
from desktop_app.geo.names import name_key


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return default_gazetteer()


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return great_circle(a, b).km


def test_name_key_ignores_case_accents_apostrophes_and_dashes() -> None:
    assert name_key("Zaporižžia") == name_key("ZAPORIZZIA")
    assert name_key("Kyiv’s") == name_key("Kyivs")
    assert name_key("Ivano-Frankivsk") == name_key("ivano frankivsk")


@pytest.mark.parametrize("spelling", ["Zaporizhzhia", "Zaporizhzhya", "Запоріжжя", "Zaporozhye"])
def test_spellings_of_one_city_resolve_to_it(gazetteer: Gazetteer, spelling: str) -> None:
    found = gazetteer.resolve(spelling)
    assert found is not None
    assert found.best.country == "UA"
    assert _km((found.best.lat, found.best.lon), (47.84, 35.14)) < 15


@pytest.mark.parametrize(
    ("name", "kind", "point"),
    [
        ("Crimea", "region", (44.95, 34.10)),
        ("Donbas", "region", (48.0, 37.8)),
        ("Kherson region", "region", (46.64, 32.62)),
        ("Saratov oblast", "region", (51.53, 46.03)),
        ("Krasnodar Krai", "region", (45.04, 38.98)),
        ("Ciragan Palace", "landmark", (41.04, 29.02)),
        ("Engels-2 air base", "airbase", (51.48, 46.21)),
    ],
)
def test_curated_extras(gazetteer: Gazetteer, name: str, kind: str, point: tuple) -> None:
    found = gazetteer.resolve(name)
    assert found is not None
    assert found.best.kind == kind
    assert _km((found.best.lat, found.best.lon), point) < 5


def test_rome_alone_is_italy_with_alternatives_listed(gazetteer: Gazetteer) -> None:
    found = gazetteer.resolve("Rome")
    assert found is not None and found.best.country == "IT"
    assert found.ambiguous
    assert {alt.country for alt in found.alternatives} == {"US"}


def test_rome_is_in_georgia_usa_when_the_text_says_so(gazetteer: Gazetteer) -> None:
    found = gazetteer.resolve("Rome, Georgia")
    assert found is not None
    assert (found.best.country, found.best.admin1) == ("US", "GA")
    in_us = gazetteer.resolve("Rome", GeoContext(countries=frozenset({"US"})))
    assert in_us is not None and in_us.best.country == "US"
    assert "GA" in in_us.best.label or "NY" in in_us.best.label


def test_countries_are_places(gazetteer: Gazetteer) -> None:
    found = gazetteer.resolve("Ukraine")
    assert found is not None and found.best.kind == "country"
    assert _km((found.best.lat, found.best.lon), (49.0, 31.3)) < 300


def test_unknown_names_resolve_to_nothing(gazetteer: Gazetteer) -> None:
    assert gazetteer.resolve("Medinsky") is None
    assert gazetteer.resolve("") is None


def test_loads_from_a_folder_of_its_own(tmp_path) -> None:
    import gzip

    (tmp_path / "extras.tsv").write_text(
        "name\tkind\tlat\tlon\tcountry\taliases\nTest Hill\tlandmark\t1.5\t2.5\tXX\tThe Hill\n",
        encoding="utf-8",
    )
    with gzip.open(tmp_path / "geonames.tsv.gz", "wt", encoding="utf-8") as out:
        out.write("geonameid\tname\tkind\tlat\tlon\tcountry\tadmin1\tpopulation\tkeys\n")
        out.write("1\tTestville\tcity\t10\t20\tXX\t\t20000\ttestville|testburg\n")
    small = Gazetteer.load(tmp_path)
    assert len(small) == 2
    assert small.resolve("Testburg").best.name == "Testville"
    assert small.resolve("the hill").best.place().lat == 1.5
