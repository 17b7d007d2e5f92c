"""Events placed from their text, and the per-import tally of how every event was placed,
through the plain import command into a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.core.event import Event
from desktop_app.geo.gazetteer import Confidence
from desktop_app.geo.geocoder import Geocoder
from desktop_app.geo.placing import INFERRED_KIND, Placer
from desktop_app.ingest.command import run_import
from desktop_app.ingest.pipeline import import_file
from desktop_app.store.event_store import EventStore

FIXTURE = Path(__file__).parent / "fixtures" / "import" / "places_in_text_timelinejs.json"
# unique_id -> the place its text names (None: the text names no place the map can show).
EXPECTED = {
    "places-01": ("Chernihiv", "UA"),
    "places-02": ("Odesa", "UA"),
    "places-03": ("Kharkiv", "UA"),
    "places-04": ("Zaporizhzhya", "UA"),
    "places-05": ("Belgorod", "RU"),
    "places-06": ("Pokrovsk", "UA"),
    "places-07": ("Zaporizhzhya", "UA"),
    "places-08": ("Mykolayiv", "UA"),
    "places-09": ("Istanbul", "TR"),
    "places-10": ("Kharkiv", "UA"),
    "places-11": None,
    "places-12": None,
    "places-13": None,
    "places-14": ("Kyiv", "UA"),
    "places-15": ("Sumy", "UA"),
    "places-16": ("Lviv", "UA"),
}


def _event(title: str, text: str = "") -> Event:
    return Event(uid=title, title=title, start="2025-03-01", excerpt=text)


def test_the_fixture_has_no_location_and_every_event_is_placed_inferred_or_reported(
    tmp_path: Path,
) -> None:
    doc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert 10 <= len(doc["events"]) <= 20
    assert not any("location" in item for item in doc["events"])
    lines: list[str] = []
    db = tmp_path / "atlas.db"
    assert run_import(FIXTURE, db, echo=lines.append) == 0
    with EventStore(db) as store:
        events = {e.uid.removeprefix("timelinejs:"): e for e in store.all_events()}
    assert set(events) == set(EXPECTED)
    for uid, expected in EXPECTED.items():
        place = events[uid].place
        if expected is None:
            assert place is None, uid
            assert any(f"record {int(uid[-2:])}:" in line for line in lines), uid
        else:
            assert place is not None, uid
            assert (place.name, place.country, place.kind) == (*expected, INFERRED_KIND), uid
    summary = next(line for line in lines if line.startswith("places: "))
    assert "13 of them inferred from text" in summary and "3 unplaced" in summary
    assert lines[-1] == "imported 16 events, skipped 0"
    unplaced = [line for line in lines if line.startswith("  unplaced: ")]
    assert unplaced == [
        "  unplaced: record 11: Kremlin comments on talks (Kremlin, The Kremlin): "
        "names the Russian government, not where the event happened",
        "  unplaced: record 12: Legend retold (Atlantis): a legendary place, not one on the map",
        "  unplaced: record 13: Fighting continues: no place named",
    ]


def test_the_tally_is_a_value_of_the_import_report(tmp_path: Path) -> None:
    with EventStore(tmp_path / "atlas.db") as store:
        report = import_file(FIXTURE, store)
    tally = report.places
    assert (tally.inferred, tally.unplaced, tally.given) == (13, 3, 0)
    assert tally.exact + tally.likely + tally.guessed == 13
    assert tally.guessed >= 1  # Zaporizhia, only spelled like a known name
    assert [u.record for u in tally.unplaced_events] == [11, 12, 13]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Luogo: Chernihiv, Ukraine. Un deposito colpito.", "Chernihiv"),
        ("Lieu : Odessa", "Odesa"),
        ("Ort: Lwiw", "Lviv"),
        ("Місце: Харків", "Kharkiv"),
        ("Место: Херсон.", "Kherson"),
        ("Lugar: Dnipro", "Dnipro"),
        ("Location: Zaporizhia", "Zaporizhzhya"),
        ("Place: Sumy, Sumy region, Ukraine", "Sumy"),
        ("Talks were held in Rome, Georgia on Tuesday.", "Rome"),
        ("Officials in Kharkov reported shelling.", "Kharkiv"),
        ("A drone struck Poltava and Ukraine's air force said so.", "Poltava"),
        ("Ukraine's air force said so.", "Ukraine"),
    ],
)
def test_a_place_named_in_the_text_is_inferred(text: str, expected: str) -> None:
    placed = Placer(Geocoder()).place_event(_event("News", text), 1)
    assert placed.place is not None and placed.place.name == expected
    assert placed.place.kind == INFERRED_KIND


def test_a_qualifier_in_the_text_chooses_among_places_of_one_name() -> None:
    placed = Placer(Geocoder()).place_event(_event("Rally in Paris, Texas"), 1)
    assert placed.place is not None and placed.place.country == "US"


def test_a_label_is_trusted_and_a_bare_mention_one_step_less() -> None:
    placer = Placer(Geocoder())
    placer.place_event(_event("Strike", "Place: Poltava"), 1)
    placer.place_event(_event("Strike on Poltava"), 2)
    assert (placer.tally.exact, placer.tally.likely) == (1, 1)


def test_a_word_spelled_like_a_town_is_no_evidence_outside_a_label() -> None:
    placer = Placer(Geocoder())
    for number, text in enumerate(["Zaporizhia was quiet.", "The Kremlin said no.", "At Gotham"]):
        assert placer.place_event(_event("News", text), number).place is None
    assert placer.tally.unplaced == 3


def test_events_with_places_are_kept_and_counted_by_how_their_names_were_resolved() -> None:
    geocoder = Geocoder()
    placer = Placer(geocoder)
    found = geocoder.geocode("Pokrovsk")
    assert found is not None and found.confidence is Confidence.LIKELY
    event = Event(uid="a", title="Strike", start="2025-03-01", place=found.place)
    assert placer.place_event(event, 1) is event
    assert placer.tally.likely == 1
    assert "Engels (city, Saratov region, RU)" in placer.tally.ambiguous["Pokrovsk"]


def test_a_csv_dataset_is_its_own_context_and_its_places_are_tallied(tmp_path: Path) -> None:
    path = tmp_path / "donetsk.csv"
    path.write_text(
        "date,title,place\n"
        "2025-01-02,Shelling,Kramatorsk\n"
        "2025-01-03,Strike,Pokrovsk\n"
        "2025-01-04,Evacuation,Zaporizhia\n",
        encoding="utf-8",
    )
    lines: list[str] = []
    db = tmp_path / "atlas.db"
    assert run_import(path, db, echo=lines.append) == 0
    with EventStore(db) as store:
        places = {e.title: e.place for e in store.all_events()}
    assert (places["Strike"].name, places["Strike"].country) == ("Pokrovsk", "UA")
    assert "places: 2 placed exactly, 1 guessed" in lines
