"""The snapshot renders the real map offscreen: size, and markers where the page puts them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from PySide6.QtGui import QColor, QImage

from desktop_app.core.categories import category
from desktop_app.core.dates import event_span
from desktop_app.core.event import Event, Place
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from desktop_app.ui.export.render import SnapshotError, SnapshotRequest, render_map
from desktop_app.ui.map.view import FIT_TRIM
from tests.mapping import js, open_map

PLACES = {
    "lisbon": (Place("Lisbon", 38.72, -9.14), "diplomacy"),
    "kyiv": (Place("Kyiv", 50.45, 30.52), "strike"),
    "ankara": (Place("Ankara", 39.93, 32.86), "humanitarian"),
}
WINDOW = TimeWindow(
    event_span("2025-06-01", None, "day")[0], event_span("2025-06-04", None, "day")[0]
)
SIZE = (640, 400)


@pytest.fixture
def three_places(tmp_path):
    path = tmp_path / "three.db"
    with EventStore(path) as store:
        store.add_events(
            Event(uid=key, title=key.title(), start="2025-06-02", place=place, category=cat)
            for key, (place, cat) in PLACES.items()
        )
    return path


def _close(colour: QColor, hex_colour: str) -> bool:
    """The pixel shows the category's colour, perhaps faded (older events are paler)."""
    want = QColor(hex_colour)
    hue_gap = abs(colour.hsvHue() - want.hsvHue())
    return min(hue_gap, 360 - hue_gap) <= 12 and colour.hsvSaturation() >= 60


def _marker_pixels(qtbot, path) -> dict[str, tuple[int, int]]:
    with EventStore(path) as store:
        view = open_map(qtbot, store, WINDOW, size=SIZE)
        js(qtbot, view, f"EventAtlas.fitVisible({FIT_TRIM})")
        ids = {e.uid: e.id for e in store.all_events()}
        return {
            key: tuple(round(v) for v in js(qtbot, view, f"EventAtlas.pixelOf({ids[key]})"))
            for key in PLACES
        }


def test_render_shows_markers_where_the_page_draws_them(qtbot, three_places):
    expected = _marker_pixels(qtbot, three_places)
    with EventStore(three_places) as store:
        image = render_map(store, SnapshotRequest(WINDOW, SIZE))
    assert (image.width(), image.height()) == SIZE
    for key, (x, y) in expected.items():
        assert 0 <= x < SIZE[0] and 0 <= y < SIZE[1]
        colour = image.pixelColor(x, y)
        assert _close(colour, category(PLACES[key][1]).colour), (key, colour.name())
    # Away from every marker there is no marker colour.
    assert not _close(image.pixelColor(5, SIZE[1] // 2), category("strike").colour)


def test_cli_writes_png_of_requested_size(qtbot, three_places, tmp_path):
    expected = _marker_pixels(qtbot, three_places)
    out = tmp_path / "map.png"
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "snapshot", "-o", str(out), "--db", str(three_places),
         "--from", "2025-06-01", "--to", "2025-06-03", "--size", f"{SIZE[0]}x{SIZE[1]}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == SIZE
    x, y = expected["kyiv"]
    assert _close(image.pixelColor(x, y), category("strike").colour)
    assert not list(tmp_path.glob(".*.part"))


def test_cli_reports_errors_in_one_line(three_places, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "snapshot", "-o", str(tmp_path / "x.png"),
         "--db", str(three_places), "--select", "999"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "no event with id 999" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_unknown_selection_is_an_error(qtbot, three_places):
    with EventStore(three_places) as store, pytest.raises(SnapshotError):
        render_map(store, SnapshotRequest(WINDOW, SIZE, select=12345))


def test_cli_draws_the_events_as_its_look_options_say(qtbot, three_places, tmp_path):
    from click.testing import CliRunner

    from desktop_app.cli import main

    expected = _marker_pixels(qtbot, three_places)
    shots = {}
    for name, options in (("marks", []), ("dots", ["--marks", "dots", "--no-halos", "--no-fade"])):
        out = tmp_path / f"{name}.png"
        result = CliRunner().invoke(
            main,
            ["snapshot", "-o", str(out), "--db", str(three_places), "--from", "2025-06-01",
             "--to", "2025-06-03", "--size", f"{SIZE[0]}x{SIZE[1]}", *options],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        shots[name] = QImage(str(out))
    x, y = expected["kyiv"]
    # A mark covers the pixels around its place; a dot a pixel or two.
    around = [(x + dx, y + dy) for dx in range(-3, 4) for dy in range(-3, 4)]

    def coloured(image: QImage) -> int:
        return sum(_close(image.pixelColor(*p), category("strike").colour) for p in around)

    assert coloured(shots["marks"]) > 12
    assert 0 < coloured(shots["dots"]) <= 4
    result = CliRunner().invoke(main, ["snapshot", "-o", str(tmp_path / "x.png"), "--marks", "big"])
    assert result.exit_code == 2 and "--marks" in result.output
