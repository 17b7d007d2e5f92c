"""Render the timeline to PNGs to look at: seed data and 1M generated events, at three zooms.

``python tests/benchmarks/timeline_shots.py [OUT_DIR]`` (default ``/tmp/timeline-shots``)
writes ``{seed,1m}-{years,weeks,hours}.png``, a dark-palette and a 2x (high-DPI) shot,
and the whole panel with its controls.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.core.index import EventIndex
from desktop_app.core.timescale import days_from_datetime
from desktop_app.core.window import TimeWindow
from desktop_app.ingest.geojson import read_geojson
from desktop_app.paths import data_dir
from desktop_app.store.event_store import EventStore
from desktop_app.ui.timeline.bar import TimelinePanel
from desktop_app.ui.timeline.widget import TimelineWidget
from desktop_app.ui.view_state import ViewState

sys.path.insert(0, str(Path(__file__).parent))
from bench_timeline import synthetic_events


def d(*args: int) -> float:
    return days_from_datetime(datetime(*args))


def seed_index(folder: Path) -> tuple[EventIndex, np.ndarray]:
    """The shipped seed dataset through a real store, as the main window would load it."""
    batch = read_geojson(data_dir() / "seed" / "istanbul-talks-2025.geojson")
    store = EventStore(folder / "seed.db")
    try:
        store.add_events(batch.events)
        arrays = store.arrays()
    finally:
        store.close()
    return EventIndex(arrays), arrays.precision


def dark_palette() -> QPalette:
    pal = QPalette()
    pal.setColor(QPalette.ColorRole.Window, QColor("#202124"))
    pal.setColor(QPalette.ColorRole.Base, QColor("#17181a"))
    pal.setColor(QPalette.ColorRole.Text, QColor("#e8eaed"))
    pal.setColor(QPalette.ColorRole.WindowText, QColor("#e8eaed"))
    pal.setColor(QPalette.ColorRole.ButtonText, QColor("#e8eaed"))
    pal.setColor(QPalette.ColorRole.Button, QColor("#2b2c2f"))
    pal.setColor(QPalette.ColorRole.Highlight, QColor("#8ab4f8"))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#202124"))
    return pal


def shoot(widget: QWidget, path: Path, dpr: float = 1.0) -> None:
    image = QImage(widget.size() * dpr, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(Qt.GlobalColor.transparent)
    widget.render(image)
    image.save(str(path))
    print(path)


def main(out: Path) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        seed, seed_precisions = seed_index(Path(tmp))
    big, big_precisions = synthetic_events()

    zooms = {
        "years": None,  # fit the data
        "weeks": (d(2025, 5, 12), d(2025, 7, 14)),
        "hours": (d(2025, 6, 1, 18), d(2025, 6, 3, 6)),
    }
    big_zooms = {
        "years": None,
        "weeks": (d(2024, 3, 1), d(2024, 4, 20)),
        "hours": (d(2024, 3, 12, 6), d(2024, 3, 12, 18)),
    }
    for name, index, precisions, views, window in (
        ("seed", seed, seed_precisions, zooms, TimeWindow(d(2025, 6, 2), d(2025, 6, 3))),
        ("1m", big, big_precisions, big_zooms, TimeWindow(d(2024, 3, 11), d(2024, 3, 18))),
    ):
        state = ViewState(window)
        widget = TimelineWidget(state, index)
        widget.set_index(index, precisions)
        widget.resize(1000, 170)
        # A selected event, as after a marker click on the map.
        rows = index.rows_in(window)
        if len(rows):
            state.select([int(index.arrays.ids[rows[len(rows) // 2]])])
        for zoom, span in views.items():
            if span is None:
                bounds = index.bounds
                assert bounds is not None
                widget.fit_view(*bounds)
            else:
                widget.set_view(*span)
            shoot(widget, out / f"{name}-{zoom}.png")
        widget.set_view(*views["weeks"])
        widget.setPalette(dark_palette())
        shoot(widget, out / f"{name}-weeks-dark.png")
        widget.setPalette(QPalette())
        widget.set_view(*views["hours"])
        shoot(widget, out / f"{name}-hours-2x.png", dpr=2.0)
        widget.deleteLater()

    state = ViewState(TimeWindow(d(2025, 6, 2), d(2025, 6, 9)))
    panel = TimelinePanel(state, seed)
    panel.set_index(seed, seed_precisions)
    panel.resize(1000, 210)
    panel.timeline.fit_view(*seed.bounds)
    shoot(panel, out / "seed-panel.png")
    panel.setPalette(dark_palette())
    shoot(panel, out / "seed-panel-dark.png")
    app.processEvents()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/timeline-shots"))
