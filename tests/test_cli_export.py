"""The headless exports and the store they read, run as a user types them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from PIL import Image

from desktop_app.cli import main
from desktop_app.core.index import EventIndex
from desktop_app.paths import default_store_path
from desktop_app.store.event_store import EventStore


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def count(path) -> int:
    with EventStore(path) as store:
        return store.count()


@pytest.mark.parametrize("position", ["before", "after"])
def test_db_is_honoured_before_or_after_every_sub_command(seed_db, tmp_path, position):
    def command(name: str, *rest):
        db = ("--db", seed_db)
        return run(*db, name, *rest) if position == "before" else run(name, *db, *rest)

    listed = command("events", "--format", "json")
    assert listed.exit_code == 0 and len(json.loads(listed.output)) == count(seed_db)
    source = tmp_path / "one.csv"
    source.write_text("date,lat,lon,title\n2025-06-03,50.45,30.52,Kyiv strike\n")
    before = count(seed_db)
    imported = command("import", source)
    assert imported.exit_code == 0, imported.output
    assert count(seed_db) == before + 1
    exported = command("export", "geojson", "-o", tmp_path / "all.geojson")
    assert exported.exit_code == 0
    features = json.loads((tmp_path / "all.geojson").read_text())["features"]
    assert any(f["properties"]["title"] == "Kyiv strike" for f in features)
    shot = command("snapshot", "-o", tmp_path / "s.png", "--size", "320x200")
    assert shot.exit_code == 0, shot.output
    assert Image.open(tmp_path / "s.png").size == (320, 200)
    # The user's own store was never made or touched.
    assert not default_store_path().exists()


@pytest.mark.parametrize(("suffix", "kind"), [(".jpg", "JPEG"), (".webp", "WEBP"), (".png", "PNG")])
def test_picture_is_written_in_the_format_its_name_says(seed_db, tmp_path, suffix, kind):
    out = tmp_path / f"map{suffix}"
    result = run("--db", seed_db, "export", "png", "-o", out, "--size", "400x300")
    assert result.exit_code == 0, result.output
    assert Image.open(out).format == kind


def test_picture_format_we_cannot_write_is_refused_in_one_line(seed_db, tmp_path):
    out = tmp_path / "map.svg"
    result = run("--db", seed_db, "export", "png", "-o", out)
    assert result.exit_code != 0
    assert "map.svg" in result.stderr and ".png" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_export_of_dates_with_no_events_warns(seed_db, tmp_path):
    out = tmp_path / "empty.png"
    result = run("--db", seed_db, "export", "png", "-o", out, "--from", "1990-01-01",
                 "--to", "1990-01-02", "--size", "300x200")  # fmt: skip
    assert result.exit_code == 0
    assert out.exists() and "no events" in result.stderr


def test_animation_without_dates_plays_where_the_events_are(seed_db, tmp_path):
    out = tmp_path / "frames"
    result = run("--db", seed_db, "export", "frames", "-o", out, "--size", "200x150")
    assert result.exit_code == 0, result.output
    with EventStore(seed_db) as store:
        span = EventIndex(store.arrays()).busy_span()
    frames = sorted(out.iterdir())
    assert len(frames) == round(span.duration)
    # The store's events run over years; the busy span is weeks.
    assert len(frames) < 120
    assert "frames" in result.stderr  # the progress bar


@pytest.mark.parametrize("command", [[], ["events"], ["snapshot"], ["import"], ["export"]])
def test_every_command_s_help_shows_examples(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "event-atlas " + (command[0] if command else "") in result.output


def test_top_level_help_names_the_environment_variables():
    text = run("--help").output
    for name in ("EVENT_ATLAS_DB", "EVENT_ATLAS_DATA_DIR", "EVENT_ATLAS_CONFIG_DIR",
                 "EVENT_ATLAS_DEBUG", "QT_QPA_PLATFORM"):  # fmt: skip
        assert name in text


def test_export_title_comes_from_the_data_and_the_window(seed_db, tmp_path, qapp):
    from desktop_app.core.dates import event_span
    from desktop_app.core.event import Event, Place
    from desktop_app.core.window import TimeWindow
    from desktop_app.ingest.bundled import dataset_title
    from desktop_app.ui.export.job import export_title

    day = event_span("2025-06-02", None, "day")[0]
    window = TimeWindow(day - 2, day + 1)
    with EventStore(seed_db) as store:
        bundled = dataset_title(store)
        assert bundled and export_title(store, window) == bundled
        # Once the store holds more than the bundled dataset, its name no longer fits.
        store.add_events([Event(uid="x", title="Mine", start="2025-06-02",
                                place=Place("Kyiv", 50.45, 30.52))])  # fmt: skip
        assert dataset_title(store) is None
        assert export_title(store, window) == "Events, 31 May – 2 June 2025"
        store.set_meta("title", "My investigation")
        assert export_title(store, window) == "My investigation"
    other = tmp_path / "other.db"
    with EventStore(other) as store:
        assert dataset_title(store) is None
