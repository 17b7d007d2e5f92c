"""The interpretation layer: each field's role from its name and its values, the same for
CSV headers and GeoJSON properties; the user's mapping over both."""

from __future__ import annotations

import pytest

from desktop_app.core.dates import DatePrecision
from desktop_app.ingest.interpret import (
    ROLES,
    date_of_number,
    interpret,
    normal_name,
    number_date_form,
    synonyms,
)
from desktop_app.ingest.loose_dates import parse_loose_date

# (field name, some of its values, the role it must get; None: kept as an attribute)
ROLE_TABLE = [
    ("date_start", ["2022-03-14", "2022-03-15"], "date"),
    ("date_end", ["2022-03-14", "2022-03-20"], "end"),
    ("Brief description", ["Three ships leave port", "Convoy agreed"], "text"),
    ("town/city", ["Kharkiv", "Sumy"], "place"),
    ("Town / City", ["Kharkiv"], "place"),
    ("event_group", ["grain corridor", "humanitarian"], "category"),
    ("type", ["Shelling", "Airstrike"], "category"),
    ("event_type", ["Battles", "Protests"], "category"),
    ("link", ["https://example.org/a"], "url"),
    ("URL", ["https://example.org/a"], "url"),
    ("entry", ["C-001", "C-002"], "id"),
    ("event_id", ["7", "8"], "id"),
    ("from_latitude", ["46.48", "46.30"], "origin_lat"),
    ("from_longitude", ["30.72", "30.65"], "origin_lon"),
    ("to_latitude", ["41.00", "34.43"], "lat"),
    ("to_longitude", ["28.97", "35.84"], "lon"),
    ("where_description", ["Saltivka, Kharkiv"], "place"),
    ("source_headline", ["Shelling hits Kharkiv"], "title"),
    ("source_office", ["Reuters;Ukrinform"], "source"),
    ("SQLDATE", ["20230310", "20230311"], "date"),
    ("GLOBALEVENTID", ["1146230000"], "id"),
    ("ActionGeo_Lat", ["50.43"], "lat"),
    ("ActionGeo_Long", ["30.51"], "lon"),
    ("ActionGeo_FullName", ["Kyiv, Kyiv, Ukraine"], "place"),
    ("Actor1Name", ["UKRAINE"], "actors"),
    ("SOURCEURL", ["https://news.example.org/x"], "url"),
    ("side_a", ["Government of Russia"], "actors"),
    ("Latitude", ["50.45", "49.99"], "lat"),
    ("lng", ["30.52"], "lon"),
    ("country", ["Ukraine"], "country"),
    ("adm_1", ["Kharkiv oblast"], "admin"),
    ("year", ["2022"], "year"),
    ("from_place", ["Odesa"], "origin"),
    ("headline", ["Talks in Istanbul"], "title"),
    ("notes", ["On 14 August ..."], "text"),
    ("precision", ["month"], "precision"),
    # Values decide where the name is not enough.
    ("time", ["14:30", "09:05"], "time"),
    ("time", ["2025-06-02T14:30:00Z"], "date"),
    ("y", ["north", "south"], None),  # named like a latitude, values are not
    ("latitude", ["95", "120"], None),
    ("date_prec", ["1", "4"], None),  # UCDP's codes are no precision word
    ("type", [f"free text number {i}" for i in range(100)], None),  # too many for a category
    ("ActionGeo_Lat_Long", ["50.43"], "lat"),  # part of the name and the values
    ("reported on", ["16 February 2024", "3 March 2024"], "date"),  # the values alone
    ("fatalities", ["3", "0"], None),
    ("conflict_name", ["Russia - Ukraine"], None),
    ("best", ["7", "12"], None),
]


@pytest.mark.parametrize(("name", "values", "role"), ROLE_TABLE)
def test_a_field_gets_its_role_from_its_name_and_values(name, values, role) -> None:
    found = interpret([name], [[v] for v in values])
    assert found.guesses[0].role == role, found.guesses[0].why
    assert (found.kept == [0]) == (role in (None, "admin"))


def test_the_table_is_data_and_names_only_known_roles() -> None:
    table = synonyms()
    assert set(table) <= set(ROLES)
    assert normal_name("Town/City ") == "town_city"
    assert "town_city" in table["place"] and "date_start" in table["date"]


def test_the_users_mapping_wins_and_an_empty_name_means_no_field() -> None:
    fields = ["When", "Y", "X", "date", "name"]
    found = interpret(fields, [["02/06/2025", "50", "30", "x", "A"]], {"date": "When", "title": ""})
    assert found.roles["date"] == 0 and "title" not in found.roles
    assert [g.why for g in found.guesses][0] == "chosen"
    with pytest.raises(ValueError, match="no column 'Nope'"):
        interpret(fields, [], {"date": "Nope"})
    with pytest.raises(ValueError, match="unknown column role"):
        interpret(fields, [], {"colour": "X"})


def test_a_role_takes_one_field_but_actors_and_sources_take_every_one() -> None:
    found = interpret(["side_a", "side_b", "latitude", "lat"], [["A", "B", "1", "2"]])
    assert found.columns("actors") == [0, 1]
    # The table's order of names: "lat" before "latitude".
    assert found.columns("lat") == [3]
    assert found.kept == [2]


@pytest.mark.parametrize(
    ("values", "form", "first"),
    [
        (["1700000000", "1700086400"], "unix", ("2023-11-14T22:13:20", DatePrecision.DAY)),
        (["1700000000000"], "unix_ms", ("2023-11-14T22:13:20", DatePrecision.DAY)),
        (["45292", "45293"], "excel", ("2024-01-01", DatePrecision.DAY)),
        (["45292.5"], "excel", ("2024-01-01T12:00:00", DatePrecision.DAY)),
        (["20230310", "20230311"], None, None),  # YYYYMMDD is a written date
        (["12", "7"], None, None),
    ],
)
def test_number_dates_when_the_column_is_clearly_one_kind(values, form, first) -> None:
    assert number_date_form(values) == form
    if form:
        assert date_of_number(values[0], form) == first


def test_a_date_column_of_unix_seconds_is_read_as_such() -> None:
    found = interpret(["timestamp_start", "title"], [["1700000000", "A"], ["1700086400", "B"]])
    assert found.roles["date"] == 0 and found.date_forms == {"date": "unix"}


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("16 février 2024", "2024-02-16"),
        ("1er mars 2024", "2024-03-01"),
        ("Montag, 16. März 2024", "2024-03-16"),
        ("16 de febrero de 2024", "2024-02-16"),
        ("3 agosto 2023", "2023-08-03"),
        ("16 lutego 2024", "2024-02-16"),
        ("12 december 2023", "2023-12-12"),
        ("26.10.25", "2025-10-26"),
    ],
)
def test_month_names_of_the_main_european_languages(text, iso) -> None:
    assert parse_loose_date(text, dayfirst=True) == (iso, DatePrecision.DAY)
