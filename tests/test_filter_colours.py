"""A dataset's own categories ("drones", "Missile Strike") in their own colours in every
view: the timeline's marks and bars, the PNG legend and the KML styles, as on the map."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QColor, QFont, QImage, QPalette

from desktop_app.core.categories import CATEGORIES, DATASET_LOOKS, OTHER
from desktop_app.core.event import Event, Place
from desktop_app.core.timescale import TimeScale
from desktop_app.core.window import TimeWindow
from desktop_app.ingest.exporters import KML_NS
from desktop_app.store import queries
from desktop_app.store.event_store import EventStore
from desktop_app.ui.export.compose import SnapshotOptions, legend_entries
from desktop_app.ui.export.job import ExportJob, run_export
from desktop_app.ui.opening import OpenedEvents, dataset_coded
from desktop_app.ui.timeline.paint import TimelineLayer

DRONES, MISSILES = DATASET_LOOKS[0][0], DATASET_LOOKS[1][0]
DAY = 20089.0  # 2025-01-01


@pytest.fixture
def own_store(tmp_path):
    """Drones (the most frequent own category), missile strikes, and one strike."""
    store = EventStore(tmp_path / "own.db")
    kinds = ["drones"] * 6 + ["Missile Strike"] * 3 + ["strike"]
    store.add_events(
        Event(
            uid=f"e{k}",
            title=f"event {k}",
            start=f"2025-01-0{1 + k % 3}",
            category=kind,
            place=Place(f"P{k}", 50.0 + k * 0.3, 30.0 + k * 0.4),
        )
        for k, kind in enumerate(kinds)
    )
    yield store
    store.close()


def pixels(image: QImage) -> set[str]:
    """The colours of ``image``'s pixels, as ``#rrggbb``."""
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    raw = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), -1)
    bgra = raw[:, : image.width() * 4].reshape(-1, 4)
    unique = np.unique(bgra[:, :3], axis=0)
    return {f"#{r:02x}{g:02x}{b:02x}" for b, g, r in unique.tolist()}


def bluish(colour: QColor) -> bool:
    """Near drones' #332288, even under a light wash; far from grey, orange and the wash."""
    return colour.blue() - colour.green() > 60 and colour.red() < 120


def timeline_layer(store: EventStore, scale: TimeScale) -> TimelineLayer:
    arrays, categories = dataset_coded(store, store.arrays())
    opened = OpenedEvents.of(arrays, categories=categories)
    return TimelineLayer(opened.timeline, scale, 160.0, QPalette(), QFont())


def test_the_timeline_marks_a_dataset_s_category_in_its_legend_colour(qtbot, own_store):
    layer = timeline_layer(own_store, TimeScale(DAY - 1, DAY + 4, 800.0))
    assert layer.marks is not None
    seen = pixels(layer.image(1.0))
    assert DRONES.lower() in seen and MISSILES.lower() in seen
    # The only event of the palette keeps its colour; none is drawn as Other.
    assert CATEGORIES[1].colour.lower() in seen
    assert CATEGORIES.index(OTHER) not in layer.marks.category.tolist()


def test_the_timeline_s_bars_stack_a_dataset_s_category_in_its_colour(qtbot, own_store):
    # Zoomed out to years: bars, not marks.
    layer = timeline_layer(own_store, TimeScale(DAY - 3000, DAY + 3000, 600.0))
    assert layer.marks is None
    own = len(CATEGORIES)
    assert layer.bins.counts[own].sum() == pytest.approx(6)
    assert layer.bins.counts[own + 1].sum() == pytest.approx(3)
    assert layer.bins.counts[CATEGORIES.index(OTHER)].sum() == 0
    assert DRONES.lower() in pixels(layer.image(1.0))


def test_the_legend_lists_the_map_s_own_categories_by_code(own_store):
    _arrays, categories = dataset_coded(own_store, own_store.arrays())
    own = len(CATEGORIES)
    entries = legend_entries({str(own): 6, "1": 1, str(own + 1): 3}, categories)
    assert [(c.label, c.colour, n) for c, n in entries] == [
        ("Strike", CATEGORIES[1].colour, 1),
        ("Drones", DRONES, 6),
        ("Missile Strike", MISSILES, 3),
    ]


def test_the_png_legend_paints_a_dataset_s_category_in_colour(qtbot, own_store, tmp_path):
    path = tmp_path / "own.png"
    options = SnapshotOptions(title="", size=(640, 400), caption=False, legend=True, timeline=True)
    job = ExportJob("png", path, TimeWindow(DAY - 1, DAY + 4), options)
    run_export(job, own_store)
    image = QImage(str(path))
    # The legend's card: the bottom left of the map.
    card = image.copy(0, image.height() // 2, image.width() // 2, image.height() // 2)
    seen = pixels(card)
    assert DRONES.lower() in seen and MISSILES.lower() in seen
    # And the timeline strip under the map paints drones in their deep blue (under the
    # window band's light wash, so near it rather than exactly it), never Other's grey.
    strip = image.copy(0, image.height() * 4 // 5, image.width(), image.height() // 5)
    blues = [c for c in pixels(strip) if bluish(QColor(c))]
    assert blues, "no bar of the dataset's own colour in the timeline strip"


def test_kml_gives_a_dataset_s_category_a_style_in_its_colour(own_store, tmp_path):
    from desktop_app.ingest.exporters import write_data

    path = tmp_path / "own.kml"
    own = queries.own_categories(own_store.db.conn)
    write_data("kml", path, own_store.all_events(), own=own)
    ns = {"k": KML_NS}
    root = ET.parse(path).getroot()
    colours = {
        s.get("id"): s.find("k:IconStyle/k:color", ns).text
        for s in root.iter(f"{{{KML_NS}}}Style")
    }
    used = {}
    for mark in root.iter(f"{{{KML_NS}}}Placemark"):
        title = mark.find("k:name", ns).text
        used[title] = colours[mark.find("k:styleUrl", ns).text.lstrip("#")]
    # KML writes aabbggrr.
    drones = "ff" + DRONES[5:7] + DRONES[3:5] + DRONES[1:3]
    missiles = "ff" + MISSILES[5:7] + MISSILES[3:5] + MISSILES[1:3]
    assert used["event 0"] == drones.lower()
    assert used["event 6"] == missiles.lower()
    strike = CATEGORIES[1].colour
    assert used["event 9"] == ("ff" + strike[5:7] + strike[3:5] + strike[1:3]).lower()


def test_the_cli_s_kml_export_uses_the_dataset_s_styles(own_store, tmp_path):
    from click.testing import CliRunner

    from desktop_app.cli import main

    out = tmp_path / "cli.kml"
    args = ["export", "kml", "--db", str(own_store.path), "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "ff882233" in text  # drones' #332288 as aabbggrr
