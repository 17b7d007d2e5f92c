"""The headless commands, run as a user runs them."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from desktop_app import __version__
from desktop_app.cli import main

REQUIRED = {
    "id", "title", "start", "end", "precision", "display_date", "place", "lat", "lon",
    "category", "excerpt", "article_title", "sources", "reliability", "credibility",
    "corroboration", "article_url", "article_sha256", "place_precision", "origin",
    "attributes",
}  # fmt: skip


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_events_json_has_every_field(seed_db):
    result = run("events", "--db", str(seed_db), "--format", "json")
    assert result.exit_code == 0
    records = json.loads(result.output)
    assert len(records) > 40
    assert all(set(r) >= REQUIRED for r in records)
    vilnius = next(r for r in records if r["place"] == "Vilnius")
    assert vilnius["sources"] == ["BBC"]
    assert abs(vilnius["lat"] - 54.687) < 0.2
    no_place = [r for r in records if r["place"] is None]
    assert no_place and all(r["lat"] is None for r in no_place)


def test_events_window_filters(seed_db):
    result = run("events", "--db", str(seed_db), "--from", "2025-06-02", "--to", "2025-06-02",
                 "--format", "json")  # fmt: skip
    records = json.loads(result.output)
    assert records
    assert all(r["start"] <= "2025-06-02" and (r["end"] or r["start"]) >= "2025-06-01"
               for r in records)  # fmt: skip
    titles = " ".join(r["title"] for r in records)
    assert "Vilnius" in titles
    may = json.loads(run("events", "--db", str(seed_db), "--from", "2025-05", "--to", "2025-05",
                         "--format", "json").output)  # fmt: skip
    assert any(r["precision"] == "month" for r in may)


def test_events_csv_and_table(seed_db):
    rows = list(csv.DictReader(io.StringIO(run("events", "--db", str(seed_db), "--format",
                                                "csv").output)))  # fmt: skip
    assert len(rows) > 40 and set(rows[0]) >= REQUIRED
    table = run("events", "--db", str(seed_db)).output
    assert table.strip().endswith(f"{len(rows)} events")


def test_default_store_is_built_from_the_bundled_data(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENT_ATLAS_DATA_DIR", str(tmp_path))
    result = run("events", "--format", "json")
    assert len(json.loads(result.output)) > 40
    assert (tmp_path / "events.db").exists()


def test_new_path_creates_empty_store(tmp_path):
    result = run("events", "--db", str(tmp_path / "new.db"), "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output) == []


def test_bad_input_gives_one_line_errors(tmp_path, seed_db):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database" * 100)
    runner = CliRunner()
    result = runner.invoke(main, ["events", "--db", str(bad)])
    assert result.exit_code != 0
    assert "bad.db" in result.output and "Traceback" not in result.output
    assert bad.read_bytes() == b"not a database" * 100
    result = runner.invoke(main, ["events", "--db", str(seed_db), "--from", "2025-02-30"])
    assert result.exit_code == 2 and "--from" in result.output
    result = runner.invoke(main, ["snapshot", "-o", str(tmp_path / "x.png"), "--size", "big"])
    assert result.exit_code == 2 and "WIDTHxHEIGHT" in result.output


def test_events_csv_text_cells_cannot_run_as_formulas(tmp_path):
    from desktop_app.core.event import Event, Place
    from desktop_app.store.event_store import EventStore

    path = tmp_path / "formula.db"
    with EventStore(path) as store:
        store.add_events([Event(
            uid="f", title='=HYPERLINK("https://evil.example","x")', start="2025-06-02",
            actors=("@me",), place=Place("-Town", 41.5, -3.5), excerpt="+1", sources=("\tx",),
        )])  # fmt: skip
    output = run("events", "--db", str(path), "--format", "csv").output
    (row,) = csv.DictReader(io.StringIO(output))
    assert row["title"] == "'=HYPERLINK(\"https://evil.example\",\"x\")"
    assert (row["actors"], row["place"], row["excerpt"], row["sources"]) == (
        "'@me", "'-Town", "'+1", "'\tx",
    )  # fmt: skip
    assert (row["lat"], row["lon"]) == ("41.5", "-3.5")


def test_events_records_carry_the_origin_and_the_kept_fields(tmp_path):
    from desktop_app.core.event import Event, Place
    from desktop_app.store.event_store import EventStore

    db = tmp_path / "o.db"
    store = EventStore(db)
    store.add_events([
        Event(uid="a", title="Drones from Kursk strike Sumy", start="2025-06-01",
              place=Place("Sumy", 50.9, 34.8), origin=Place("Kursk", 51.7, 36.2),
              attributes=(("fatalities", "2"), ("notes", "=cmd|' /C calc'!A0"))),
        Event(uid="b", title="Talks", start="2025-06-02", place=Place("Istanbul", 41.0, 29.0)),
    ])  # fmt: skip
    store.close()
    records = {r["title"]: r for r in json.loads(run("events", "--db", str(db), "--format",
                                                     "json").output)}  # fmt: skip
    strike, talks = records["Drones from Kursk strike Sumy"], records["Talks"]
    assert strike["origin"] == {"name": "Kursk", "lat": 51.7, "lon": 36.2}
    assert strike["attributes"] == {"fatalities": "2", "notes": "=cmd|' /C calc'!A0"}
    assert talks["origin"] is None and talks["attributes"] == {}
    rows = {r["title"]: r for r in csv.DictReader(io.StringIO(
        run("events", "--db", str(db), "--format", "csv").output))}  # fmt: skip
    row = rows["Drones from Kursk strike Sumy"]
    assert (row["origin"], row["origin_lat"], row["origin_lon"]) == ("Kursk", "51.7", "36.2")
    assert json.loads(row["attributes"]) == strike["attributes"]
    assert rows["Talks"]["attributes"] == "" and rows["Talks"]["origin"] == ""
