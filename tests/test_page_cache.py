"""The map page's scaffold kept in the user's cache: a start that finds it needs no folium."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.page import (
    MBTilesLayer,
    PageSpec,
    assemble_page,
    build_page,
    page_scaffold,
    render_scaffold,
    scaffold_folder,
    scaffold_key_parts,
)
from desktop_app.mapgen.scaffold import kept_scaffold, read_kept, scaffold_path
from tests.mapping import PAGE_TIMEOUT_MS, js

ROOT = Path(__file__).resolve().parents[1]

#: What a start on a kept scaffold leaves for later: folium (which renders scaffolds) and
#: the machinery of the commands and layers a start does not use, loaded on first use.
NOT_AT_START = (
    "folium",
    "xyzservices",
    "desktop_app.ui.editing.duplicates",
    "desktop_app.ui.export.animation",
    "desktop_app.ui.export.dialog",
    "desktop_app.ui.export.job",
    "desktop_app.ui.importing.article_review",
    "desktop_app.ui.importing.dialogs",
    "desktop_app.ui.importing.place_review",
    "desktop_app.ui.importing.worker",
)

# A real start of the window (``event-atlas --db``) that quits once the map has drawn
# its events, then names the modules of NOT_AT_START it loaded (a module bound to be
# loaded on first use is in sys.modules from the start, as a module of its own type).
START = """
import sys, types
from desktop_app.cli import main
try:
    main(["--db", sys.argv[1]])
except SystemExit as done:
    code = done.code
loaded = [
    name for name in sys.argv[2:]
    if name in sys.modules and type(sys.modules[name]) is types.ModuleType
]
print("loaded:", " ".join(loaded) or "none", "exit:", code)
"""


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("EVENT_ATLAS_CACHE_DIR", str(folder))
    return folder


def _start(home: Path, db: Path) -> str:
    from desktop_app.ui.app import REPORT_READY_ENV

    env = {
        **os.environ,
        "EVENT_ATLAS_DATA_DIR": str(home / "data"),
        "EVENT_ATLAS_CONFIG_DIR": str(home / "config"),
        "EVENT_ATLAS_CACHE_DIR": str(home / "cache"),
        REPORT_READY_ENV: str(home / "ready.txt"),
    }
    done = subprocess.run(
        [sys.executable, "-c", START, str(db), *NOT_AT_START],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
    )
    assert (home / "ready.txt").read_text().strip(), "the map never drew its events"
    return done.stdout.strip().splitlines()[-1]


def test_a_start_that_finds_the_kept_scaffold_loads_neither_folium_nor_the_commands(
    tmp_path, seed_db
):
    home = tmp_path / "home"
    # The first start renders the scaffold with folium (which reads xyzservices) and
    # keeps it.
    assert _start(home, seed_db) == "loaded: folium xyzservices exit: 0"
    kept = list((home / "cache" / "pages").glob("scaffold-*.html"))
    assert len(kept) == 1
    # The next one opens the same map without folium, from the kept scaffold, and
    # without the import, export and duplicates machinery.
    assert _start(home, seed_db) == "loaded: none exit: 0"
    assert list((home / "cache" / "pages").glob("scaffold-*.html")) == kept


def test_the_page_from_the_kept_scaffold_is_the_page_folium_builds(cache):
    spec = PageSpec(window=(20000.0, 20030.0), center=(50.45, 30.52), zoom=7)
    first = build_page(spec)
    (path,) = scaffold_folder().glob("scaffold-*.html")
    written = path.stat().st_mtime_ns
    again = build_page(spec)
    # Read from the cache, not rendered and kept again.
    assert path.stat().st_mtime_ns == written
    fresh = assemble_page(render_scaffold(spec), spec)
    assert again == first == fresh


def test_each_base_layer_has_its_own_scaffold(cache):
    specs = [
        PageSpec(window=(0, 1)),
        PageSpec(window=(0, 1), online_layer="osm"),
        PageSpec(window=(0, 1), mbtiles=MBTilesLayer("t", max_zoom=12, bounds=(20, 40, 40, 55))),
        PageSpec(window=(0, 1), mbtiles=MBTilesLayer("t", max_zoom=14, bounds=(20, 40, 40, 55))),
    ]
    pages = [page_scaffold(spec) for spec in specs]
    assert len(set(pages)) == len(specs)
    assert len(list(scaffold_folder().glob("scaffold-*.html"))) == len(specs)
    for spec, page in zip(specs, pages, strict=True):
        assert page == render_scaffold(spec)
    assert "tile.openstreetmap.org" in pages[1] and "tile.openstreetmap.org" not in pages[0]
    assert '"maxNativeZoom": 12' in pages[2] and '"maxNativeZoom": 14' in pages[3]


def test_a_changed_key_renders_the_scaffold_again(tmp_path):
    spec = PageSpec(window=(0, 1))
    parts = scaffold_key_parts(spec)
    assert parts["packages"]["folium"] == importlib.metadata.version("folium")
    assert parts["packages"]["xstatic-leaflet"] == importlib.metadata.version("xstatic-leaflet")
    renders = []

    def render() -> str:
        renders.append(1)
        return render_scaffold(spec)

    kept_scaffold(tmp_path, parts, render)
    kept_scaffold(tmp_path, parts, render)
    assert len(renders) == 1
    # Another folium (or another source of ours, another format) is another key.
    for changed in (
        {**parts, "packages": {**parts["packages"], "folium": "0.0.1"}},
        {**parts, "sources": "0" * 64},
        {**parts, "format": parts["format"] + 1},
    ):
        assert scaffold_path(tmp_path, changed) != scaffold_path(tmp_path, parts)
        kept_scaffold(tmp_path, changed, render)
    assert len(renders) == 4


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short while written
        lambda data: b"",
        lambda data: data.replace(b"EventAtlas.start", b"EventAtlas.stop"),  # changed body
        lambda data: data.split(b"\n", 1)[1],  # no header
        lambda data: b"\xff\xfe" + os.urandom(200),
    ],
)
def test_a_damaged_kept_scaffold_is_rendered_again_and_never_used(cache, damage):
    spec = PageSpec(window=(0, 1))
    good = page_scaffold(spec)
    (path,) = scaffold_folder().glob("scaffold-*.html")
    whole = path.read_bytes()
    path.write_bytes(damage(whole))
    assert read_kept(path) is None
    assert page_scaffold(spec) == good == render_scaffold(spec)
    # Replaced by a whole one.
    assert path.read_bytes() == whole
    assert read_kept(path) == good


def test_a_cache_that_cannot_be_written_still_gives_the_page(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("EVENT_ATLAS_CACHE_DIR", str(blocked))
    spec = PageSpec(window=(0, 1))
    assert build_page(spec) == assemble_page(render_scaffold(spec), spec)


def test_the_map_starts_at_the_view_of_its_spec(qtbot, seed_db):
    """The scaffold is made anywhere; the page takes its centre and zoom from its
    settings, so a view restored from the last session opens where it was."""
    from desktop_app.mapgen.payload import encode_events
    from desktop_app.store.event_store import EventStore
    from desktop_app.ui.map.describe import describe_events
    from desktop_app.ui.map.view import MapView
    from desktop_app.ui.view_state import ViewState

    store = EventStore(seed_db)
    payload = encode_events(store.arrays())
    views = []
    for center, zoom in (((50.45, 30.52), 9), ((44.6, 33.5), 6)):
        view = MapView(
            ViewState(TimeWindow(20230.0, 20250.0)),
            lambda: payload,
            describe_events(store),
            center=center,
            zoom=zoom,
        )
        qtbot.addWidget(view)
        view.resize(800, 600)
        view.show()
        qtbot.waitUntil(lambda view=view: view.is_ready, timeout=PAGE_TIMEOUT_MS)
        views.append(view)
        found = js(qtbot, view, "[EventAtlas.map.getCenter(), EventAtlas.map.getZoom()]")
        assert found[1] == zoom
        assert found[0]["lat"] == pytest.approx(center[0], abs=0.01)
        assert found[0]["lng"] == pytest.approx(center[1], abs=0.01)
    store.close()
