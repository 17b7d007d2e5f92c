"""A local MBTiles file as the base layer: the reader, the real page, the window's menu."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from desktop_app.geo.mbtiles import MBTiles, MBTilesError

#: XYZ rows in the northern half are this colour, the southern half the other: a tile
#: drawn upside down (TMS rows not flipped) shows the wrong one.
NORTH = (230, 20, 160)
SOUTH = (20, 170, 90)
HOSTILE = "<img src=x onerror=window.__pwned=1> Test tiles ©"
#: XYZ (z, x, y) left out of the file: the far south-east corner at z3.
MISSING = (3, 7, 7)


def png(colour: tuple[int, int, int], lower: tuple[int, int, int] | None = None) -> bytes:
    """A 256-px PNG tile of ``colour``, its lower half ``lower`` when given."""
    image = Image.new("RGB", (256, 256), colour)
    if lower is not None:
        image.paste(lower, (0, 128, 256, 256))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def make_mbtiles(path: Path, attribution: str = HOSTILE, zooms=range(4)) -> Path:
    """A real MBTiles file: PNG tiles for ``zooms`` in TMS rows, with metadata."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
            "tile_data BLOB)"
        )
        db.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        metadata = {
            "name": "Test tiles",
            "format": "png",
            "minzoom": str(min(zooms)),
            "maxzoom": str(max(zooms)),
            "bounds": "-180,-85.05113,180,85.05113",
            "attribution": attribution,
        }
        db.executemany("INSERT INTO metadata VALUES (?, ?)", metadata.items())
        north, south, both = png(NORTH), png(SOUTH), png(NORTH, SOUTH)
        for z in zooms:
            n = 2**z
            for x in range(n):
                for y in range(n):
                    if (z, x, y) == MISSING:
                        continue
                    data = both if z == 0 else north if y < n // 2 else south
                    db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, n - 1 - y, data))
    db.close()
    return path


def colour_of(data: bytes, x: int = 128, y: int = 64) -> tuple[int, int, int]:
    return Image.open(io.BytesIO(data)).convert("RGB").getpixel((x, y))


# -- the reader ---------------------------------------------------------------------------


def test_reader_gives_metadata_and_flips_tms_rows(tmp_path):
    with MBTiles.open(make_mbtiles(tmp_path / "t.mbtiles")) as tiles:
        assert tiles.name == "Test tiles"
        assert tiles.attribution == HOSTILE
        assert (tiles.format, tiles.mime_type) == ("png", "image/png")
        assert (tiles.min_zoom, tiles.max_zoom) == (0, 3)
        assert tiles.bounds == pytest.approx((-180, -85.05113, 180, 85.05113))
        # XYZ row 0 is the north: stored as TMS row 2**z - 1.
        assert colour_of(tiles.tile(1, 0, 0)) == NORTH
        assert colour_of(tiles.tile(1, 1, 1)) == SOUTH
        assert colour_of(tiles.tile(3, 2, 1)) == NORTH
        assert colour_of(tiles.tile(3, 2, 6)) == SOUTH
        assert colour_of(tiles.tile(0, 0, 0), y=200) == SOUTH
        # Missing, beyond the file's zooms, or off the grid: no tile.
        assert tiles.tile(*MISSING) is None
        assert tiles.tile(4, 0, 0) is None
        assert tiles.tile(0, 1, 0) is None
        assert tiles.tile(-1, 0, 0) is None


def test_zooms_and_format_come_from_the_tiles_when_metadata_lacks_them(tmp_path):
    path = make_mbtiles(tmp_path / "bare.mbtiles", zooms=range(1, 3))
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM metadata WHERE name IN ('format', 'minzoom', 'maxzoom', 'bounds')")
    db.close()
    with MBTiles.open(path) as tiles:
        assert (tiles.format, tiles.min_zoom, tiles.max_zoom, tiles.bounds) == ("png", 1, 2, None)


def not_mbtiles(folder: Path) -> list[Path]:
    text = folder / "notes.mbtiles"
    text.write_text("these are notes, not a database\n" * 50)
    other = folder / "other.mbtiles"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE places (name TEXT)")
        db.execute("INSERT INTO places VALUES ('Kyiv')")
    db.close()
    vector = make_mbtiles(folder / "vector.mbtiles")
    with sqlite3.connect(vector) as db:
        db.execute("UPDATE metadata SET value = 'pbf' WHERE name = 'format'")
    db.close()
    empty = folder / "empty.mbtiles"
    empty.write_bytes(b"")
    return [text, other, vector, empty, folder / "gone.mbtiles"]


def test_files_that_are_not_raster_mbtiles_are_refused_untouched(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    paths = not_mbtiles(folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    for path in paths:
        with pytest.raises(MBTilesError) as caught:
            MBTiles.open(path)
        assert path.name in str(caught.value) and "\n" not in str(caught.value)
    # Not one byte changed, and no journal or lock file was left beside them.
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


# -- the real page ------------------------------------------------------------------------

TILES_SETTLED = """(() => {
  const l = Object.values(EventAtlas.map._layers).find((l) => l instanceof L.TileLayer);
  const tiles = l ? Object.values(l._tiles) : [];
  return !!l && !l.isLoading() && tiles.length > 0 && tiles.every((t) => t.loaded);
})()"""


def near(colour, expected, tolerance: int = 6) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


def centre_colour(view) -> tuple[int, int, int]:
    image = view.grab().toImage()
    pixel = image.pixelColor(image.width() // 2, image.height() // 2)
    return pixel.red(), pixel.green(), pixel.blue()


def test_page_draws_the_tiles_and_shows_the_attribution_as_text(qtbot, seed_store, tmp_path):
    from desktop_app.mapgen.payload import encode_events
    from desktop_app.ui.map.describe import describe_events
    from desktop_app.ui.map.view import MapView
    from desktop_app.ui.view_state import ViewState
    from tests.mapping import PAGE_TIMEOUT_MS, js

    path = make_mbtiles(tmp_path / "t.mbtiles")
    payload = encode_events(seed_store.arrays())
    state = ViewState(_first_month(seed_store))
    view = MapView(state, lambda: payload, describe_events(seed_store), mbtiles=MBTiles.open(path))
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    qtbot.waitUntil(lambda: view.is_ready, timeout=PAGE_TIMEOUT_MS)
    # Mid-Atlantic, where no outline or event is drawn; zoom 5 is beyond the file's 3,
    # so these are enlarged z3 tiles.
    for lat, lon, expected in [(35, -40, NORTH), (-30, -20, SOUTH)]:
        js(qtbot, view, f"EventAtlas.map.setView([{lat}, {lon}], 5, {{animate: false}}) && 1")
        qtbot.waitUntil(lambda: js(qtbot, view, TILES_SETTLED), timeout=PAGE_TIMEOUT_MS)
        qtbot.waitUntil(lambda e=expected: near(centre_colour(view), e), timeout=PAGE_TIMEOUT_MS)
    # The file's attribution is text in the attribution control: its tags dropped, no
    # element, no script.
    control = "EventAtlas.map.attributionControl.getContainer()"
    assert "Test tiles ©" in js(qtbot, view, f"{control}.textContent")
    assert js(qtbot, view, f"{control}.querySelectorAll('img').length") == 0
    assert js(qtbot, view, "typeof window.__pwned") == "undefined"
    # Tiles the file lacks are not reported as a network failure.
    assert (
        js(
            qtbot,
            view,
            "Object.values(EventAtlas.map._layers)"
            ".find((l) => l instanceof L.TileLayer).listens('tileerror')",
        )
        is False
    )
    # The page knows the tiles' address on the app's scheme, never the file's path.
    html = js(qtbot, view, "document.documentElement.outerHTML")
    assert "tiles/mbtiles/{z}/{x}/{y}" in html and str(tmp_path) not in html


def _first_month(store):
    from desktop_app.core.window import TimeWindow

    start = float(int(store.time_bounds()[0]))
    return TimeWindow(start, start + 31)


# -- the window's menu --------------------------------------------------------------------


def tile_url(qtbot, window) -> str | None:
    from tests.mapping import js

    return js(
        qtbot,
        window.map_view,
        "(Object.values(EventAtlas.map._layers).find((l) => l instanceof L.TileLayer) || {})"
        "._url || null",
    )


def test_menu_choice_is_remembered_across_a_restart(qtbot, seed_db, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from desktop_app.ui import settings as opt
    from desktop_app.ui.settings import Settings
    from tests.mapping import PAGE_TIMEOUT_MS, open_window

    path = make_mbtiles(tmp_path / "region.mbtiles")
    bad = tmp_path / "notes.mbtiles"
    bad.write_text("not a database\n")
    chosen: list[Path] = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(chosen[-1]), ""))
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))

    first = open_window(qtbot, seed_db)
    offline = first._layer_actions[""]
    assert offline.isChecked() and tile_url(qtbot, first) is None
    # A file that is not MBTiles: one line, the file untouched, the outlines still chosen.
    chosen.append(bad)
    first.mbtiles_action.trigger()
    assert len(warnings) == 1 and "notes.mbtiles" in warnings[0] and "\n" not in warnings[0]
    assert bad.read_text() == "not a database\n"
    assert offline.isChecked() and first.map_view.mbtiles is None
    # The real file: shown at once.
    chosen.append(path)
    first.mbtiles_action.trigger()
    qtbot.waitUntil(lambda: first.map_view.is_ready, timeout=PAGE_TIMEOUT_MS)
    assert first.mbtiles_action.isChecked()
    assert tile_url(qtbot, first).startswith("tiles/mbtiles/{z}/{x}/{y}")
    first.close()

    second = open_window(qtbot, seed_db)
    assert second.mbtiles_action.isChecked()
    assert second.map_view.mbtiles.path == path.resolve()
    assert tile_url(qtbot, second).startswith("tiles/mbtiles/")
    second.close()

    # Gone by the next start: the outlines, said once in the status bar.
    path.unlink()
    third = open_window(qtbot, seed_db)
    assert third.map_view.mbtiles is None and third._layer_actions[""].isChecked()
    assert tile_url(qtbot, third) is None
    assert "region.mbtiles" in third.statusBar().currentMessage()
    assert Settings().get(opt.MBTILES_FILE) == ""
    assert len(warnings) == 1


def test_attribution_markup_reads_as_plain_text():
    from desktop_app.mapgen.page import plain_text

    assert plain_text('© <a href="https://osm.org">OpenStreetMap</a> contributors') == (
        "© OpenStreetMap contributors"
    )
    assert plain_text(HOSTILE) == "Test tiles ©"
    assert plain_text("&lt;b&gt; &amp; co") == "<b> & co"
