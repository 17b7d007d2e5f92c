"""Places known only roughly wear a halo of the ground they may cover (real page)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from desktop_app.core.dates import event_span
from desktop_app.core.event import (
    PLACE_PRECISION_CODES,
    PLACE_PRECISIONS,
    UNCERTAINTY_METRES,
    Event,
    Place,
)
from desktop_app.core.window import TimeWindow
from desktop_app.ingest.pipeline import read_records
from desktop_app.mapgen.page import MapLook
from desktop_app.mapgen.payload import decode_events, encode_events
from desktop_app.store.event_store import EventStore
from desktop_app.ui.export.compose import SnapshotOptions, layout_for
from desktop_app.ui.export.picture import SnapshotMaker
from desktop_app.ui.export.render import FIRST_SETTLE_MS, MapExtent, wait_for
from tests.mapping import js, open_map

DAY = "2025-06-02"
#: One event at each kind of place, around Kharkiv, far enough apart not to stack.
PLACES = {
    "settlement": Place("Chuhuiv", 49.8353, 36.6880, "town", "UA"),
    "exact": Place("Chuhuiv air base", 49.8500, 36.6000, "airbase", "UA"),
    "region": Place("Kharkiv oblast", 49.4000, 36.2000, "region", "UA"),
    "district": Place("Izium raion", 49.2000, 37.2500, "district", "UA"),
    "unknown": Place("Somewhere", 49.6000, 35.7000, None, "UA"),
}


def _store(path: Path) -> EventStore:
    store = EventStore(path)
    store.add_events(
        Event(uid=key, title=f"At the {key} place", start=DAY, category="strike", place=place)
        for key, place in PLACES.items()
    )
    return store


def _window() -> TimeWindow:
    return TimeWindow(*event_span(DAY, None, "day"))


def _redrawn(qtbot, view, code: str) -> None:
    js(qtbot, view, f"(() => {{ {code}; return true; }})()")
    with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
        js(qtbot, view, "EventAtlas.redraw()")


def _halos(qtbot, view) -> dict[str, dict]:
    return {h["precision"]: h for h in js(qtbot, view, "EventAtlas.drawnHalos()")}


def test_the_store_columns_and_the_payload_carry_each_places_precision(tmp_path):
    with _store(tmp_path / "atlas.db") as store:
        arrays = store.arrays()
        by_id = {e.id: e for e in store.all_events()}
        expected = [PLACE_PRECISION_CODES[by_id[int(i)].place.precision] for i in arrays.ids]
        assert arrays.place_precision.tolist() == expected
        assert sorted(PLACE_PRECISIONS[c] for c in expected) == sorted(PLACES)
        back = decode_events(encode_events(arrays))
        assert back.place_precision.tolist() == expected
        assert back.ids.tolist() == arrays.ids.tolist()
        # Opened again, the kept columns say the same.
    with EventStore(tmp_path / "atlas.db") as again:
        assert again.arrays().place_precision.tolist() == expected


def test_encode_events_writes_the_precision_codes_as_the_last_column():
    from desktop_app.core.index import EventArrays

    n = 3
    codes = np.array([PLACE_PRECISION_CODES[p] for p in ("exact", "region", "country")], np.uint8)
    arrays = EventArrays(
        np.arange(1, n + 1, dtype=np.int64), np.zeros(n), np.zeros(n),
        np.full(n, 50.0, np.float32), np.full(n, 36.0, np.float32), np.zeros(n, np.uint8),
        place_precision=codes,
    )  # fmt: skip
    buffer = encode_events(arrays)
    assert buffer[:4] == b"EVA4"
    assert list(buffer[-n:]) == codes.tolist()
    # Without a precision of their own, places are "unknown": no halo, no guess.
    bare = EventArrays(*(getattr(arrays, name) for name in ("ids", "t0", "t1", "lat", "lon")),
                       arrays.category)  # fmt: skip
    assert set(encode_events(bare)[-n:]) == {PLACE_PRECISION_CODES["unknown"]}


def test_acled_geo_precision_sets_the_place_precision(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text(
        "event_id_cnty,event_date,event_type,location,latitude,longitude,geo_precision\n"
        "UKR1,2024-02-16,Battles,Pisky,48.06,37.66,1\n"
        "UKR2,2024-02-16,Battles,Near Pisky,48.07,37.67,2\n"
        "UKR3,2024-02-16,Battles,Donetsk,48.0,37.8,3\n",
        encoding="utf-8",
    )
    events = list(read_records(path))
    assert [e.place.precision for e in events] == ["settlement", "district", "region"]


def test_a_settlement_has_a_halo_of_its_ground_radius_and_an_exact_place_none(qtbot, tmp_path):
    with _store(tmp_path / "atlas.db") as store:
        view = open_map(qtbot, store, _window(), size=(1000, 700))
        _redrawn(qtbot, view, "EventAtlas.map.setView([49.6, 36.5], 9, {animate: false})")
        halos = _halos(qtbot, view)
        assert set(halos) == {"settlement", "district", "region"}, halos
        for precision, halo in halos.items():
            assert halo["metres"] == UNCERTAINTY_METRES[precision]
            (event,) = store.events(halo["ids"])
            assert event.place.precision == precision
            # The radius on screen is that much ground, as Leaflet itself measures it.
            x, y, edge = halo["x"], halo["y"], halo["x"] + halo["px"]
            ground = js(
                qtbot,
                view,
                f"""EventAtlas.map.distance(EventAtlas.map.containerPointToLatLng([{x}, {y}]),
                    EventAtlas.map.containerPointToLatLng([{edge}, {y}]))""",
            )
            assert ground == pytest.approx(halo["metres"], rel=0.01)
        # Ground-truthful: zoomed out one level, the same halo is half as wide on screen.
        before = halos["settlement"]["px"]
        _redrawn(qtbot, view, "EventAtlas.map.setView([49.6, 36.5], 8, {animate: false})")
        assert _halos(qtbot, view)["settlement"]["px"] == pytest.approx(before / 2, rel=0.01)


def test_the_toggle_hides_the_halos_and_the_page_draws_none(qtbot, tmp_path):
    with _store(tmp_path / "atlas.db") as store:
        view = open_map(qtbot, store, _window(), size=(1000, 700))
        _redrawn(qtbot, view, "EventAtlas.map.setView([49.6, 36.5], 9, {animate: false})")
        js(qtbot, view, "EventAtlas.setFade(false)")
        assert _halos(qtbot, view)
        # The compositor shows a frame a little after the page drew it.
        qtbot.wait(FIRST_SETTLE_MS)
        shown = view.grab().toImage()
        note = "getComputedStyle(document.querySelector('.ea-legend-halo')).display"
        assert js(qtbot, view, note) != "none"
        with qtbot.waitSignal(view.bridge.paintDone, timeout=10_000):
            view.set_halos(False)
        assert _halos(qtbot, view) == {}
        assert js(qtbot, view, "document.querySelector('.ea-legend-halo').style.display") == "none"
        qtbot.wait(FIRST_SETTLE_MS)
        hidden = view.grab().toImage()
        # Inside the region's halo, clear of every mark: shaded, then not.
        region = next(e for e in store.all_events() if e.place.precision == "region")
        x, y = js(qtbot, view, f"EventAtlas.containerPoint(EventAtlas.rowOf({region.id}))")
        box = [(int(x) + dx, int(y) - 60 + dy) for dx in range(-5, 5) for dy in range(-5, 5)]
        changed = [p for p in box if shown.pixelColor(*p) != hidden.pixelColor(*p)]
        assert len(changed) > len(box) // 2
        # A later load of the page remembers the choice.
        assert view.halos is False


def test_an_exported_picture_draws_the_halos_and_its_legend_says_what_they_mean(qtbot, tmp_path):
    options = SnapshotOptions("Halos", (1280, 720))
    layout = layout_for(options)
    extent = MapExtent(49.6, 36.5, 9)
    with _store(tmp_path / "atlas.db") as store, SnapshotMaker(store) as maker:
        shown = maker.snapshot(_window(), options, extent=extent)
        renderer = maker.renderer(_window(), layout.map_size, 1, extent)
        assert renderer.halos_drawn()
        halos = {h["precision"]: h for h in wait_for(renderer.view.page_api.drawn_halos)}
        maker.look = MapLook(halos=False)
        hidden = maker.snapshot(_window(), options, extent=extent)
        assert not renderer.halos_drawn()
    region = halos["region"]
    x, y = round(region["x"]), round(region["y"] + layout.map.top() - 60)
    box = [(x + dx, y + dy) for dx in range(-5, 5) for dy in range(-5, 5)]
    assert sum(shown.pixel(*p) != hidden.pixel(*p) for p in box) > len(box) // 2
    # The legend (bottom left) has one more line: the halos'.
    corner = [
        (px, py)
        for px in range(10, 360, 2)
        for py in range(round(layout.map.bottom()) - 60, round(layout.map.bottom()) - 10, 2)
    ]
    assert sum(shown.pixel(*p) != hidden.pixel(*p) for p in corner) > 200


def test_the_pdf_legend_says_what_the_halos_mean_when_the_map_drew_them(qtbot, tmp_path):
    import pypdf

    from desktop_app.ui.export.pdf import export_pdf

    texts = {}
    with _store(tmp_path / "atlas.db") as store, SnapshotMaker(store) as maker:
        for halos in (True, False):
            maker.look = MapLook(halos=halos)
            out = tmp_path / f"halos-{halos}.pdf"
            extent = MapExtent(49.6, 36.5, 9)
            export_pdf(maker, _window(), SnapshotOptions("Halos"), out, extent=extent)
            texts[halos] = " ".join(pypdf.PdfReader(out).pages[0].extract_text().split())
    assert "Shaded ring: how precisely the place is known" in texts[True]
    assert "Shaded ring" not in texts[False] and "Strike" in texts[False]


def test_an_export_draws_the_events_as_its_look_says(qtbot, tmp_path):
    options = SnapshotOptions("Look", (1280, 720))
    layout = layout_for(options)
    extent = MapExtent(49.6, 36.5, 9)
    with _store(tmp_path / "atlas.db") as store, SnapshotMaker(store) as maker:
        drawn = {}
        for look in (MapLook(), MapLook(halos=False, mark_style="dots", fade=False)):
            maker.look = look
            drawn[look] = maker.snapshot(_window(), options, extent=extent)
            renderer = maker.renderer(_window(), layout.map_size, 1, extent)
            assert renderer.halos_drawn() is look.halos
            assert js(qtbot, renderer.view, "EventAtlas.drawingDots") is (look.mark_style == "dots")
            assert js(qtbot, renderer.view, "EventAtlas.fade") is look.fade
    plain, other = drawn.values()
    assert plain != other


def test_places_with_far_apart_ids_keep_their_precisions(tmp_path):
    import sqlite3
    from contextlib import closing

    path = tmp_path / "atlas.db"
    _store(path).close()
    with closing(sqlite3.connect(path)) as conn, conn:
        # Ids far beyond the number of places (another program's rows): no table by id.
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("UPDATE events SET place_id = place_id + 10000000000")
        conn.execute("UPDATE places SET id = id + 10000000000")
    with EventStore(path) as store:
        arrays = store.arrays()
        by_id = {e.id: e for e in store.all_events()}
        expected = [PLACE_PRECISION_CODES[by_id[int(i)].place.precision] for i in arrays.ids]
        assert arrays.place_precision.tolist() == expected
        assert int(arrays.place_id.min()) > 10**10
