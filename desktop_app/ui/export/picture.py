"""Finished snapshots of a store: the map page kept warm, the picture composed, saved."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from desktop_app.core.filter import Filter
from desktop_app.core.index import EventArrays, EventIndex
from desktop_app.core.window import TimeWindow
from desktop_app.files import ExportError, atomic_output
from desktop_app.mapgen.page import MapLook
from desktop_app.store.event_store import EventStore
from desktop_app.ui.export.compose import Frame, Layout, SnapshotOptions, compose, layout_for
from desktop_app.ui.export.render import MapExtent, MapRenderer
from desktop_app.ui.opening import dataset_coded
from desktop_app.ui.view_state import ViewState


def timeline_strip(
    index: EventIndex, window: TimeWindow, size: tuple[int, int], scale: int
) -> QImage:
    """The timeline as the window shows it, with ``window`` marked, ``size`` logical pixels."""
    from desktop_app.ui.timeline.widget import TimelineWidget

    state = ViewState(window)
    widget = TimelineWidget(state, index)
    try:
        widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        widget.resize(*size)
        # The window in the middle third: enough context to see where it sits.
        widget.show_window(context=1.0)
        image = QImage(size[0] * scale, size[1] * scale, QImage.Format.Format_ARGB32_Premultiplied)
        image.setDevicePixelRatio(scale)
        image.fill(Qt.GlobalColor.white)
        widget.render(image)
    finally:
        widget.deleteLater()
    return image


def grade_counts(store: EventStore, ids: list[int]) -> dict[str, int]:
    """How many of the events ``ids`` have each grade (their own, else their outlets')."""
    return dict(Counter(event.grade.code for event in store.events(ids)))


def shown_count(info: dict) -> int:
    return sum(int(v) for v in (info.get("categories") or {}).values())


class SnapshotMaker:
    """Makes finished snapshots of one store, keeping one map page loaded between them.

    Parameters
    ----------
    store
        The events; the maker reads them once.
    online_layer
        The online base layer to draw under the events, if any.
    """

    def __init__(self, store: EventStore, *, online_layer: str | None = None) -> None:
        self.store = store
        # A dataset's own categories keep their codes: the strip paints them in colour.
        self.index = EventIndex(dataset_coded(store, store.arrays())[0])
        self._online_layer = online_layer
        self._renderer: MapRenderer | None = None
        self._prepared: tuple | None = None
        #: Which events the pictures show, besides the window (an export's filter).
        self.filter = Filter()
        #: How the pictures draw the events (an export's, as its window draws them).
        self.look = MapLook()

    def renderer(
        self,
        window: TimeWindow,
        size: tuple[int, int],
        scale: int,
        extent: MapExtent | None,
        fit_window: TimeWindow | None = None,
    ) -> MapRenderer:
        """The warm page, sized and framed for this export (framing again only if needed)."""
        key = (size, scale, extent, None if extent else (fit_window or window))
        if self._renderer is None:
            self._renderer = MapRenderer(
                self.store, fit_window or window, online_layer=self._online_layer, look=self.look
            )
        if self._renderer.look != self.look:
            self._renderer.look = self.look
            self._prepared = None
        if self._renderer.state.filter != self.filter:
            # Before framing: a fitted map fits the events the filter shows.
            self._renderer.state.set_filter(self.filter)
            self._prepared = None
        if self._prepared != key:
            self._renderer.prepare(size, scale, extent, window=fit_window or window)
            self._prepared = key
        self._renderer.set_window(window)
        return self._renderer

    def layout(self, options: SnapshotOptions, view_size: tuple[int, int] | None = None) -> Layout:
        try:
            return layout_for(options, view_size)
        except ValueError as exc:
            raise ExportError(str(exc)) from None

    def snapshot(
        self,
        window: TimeWindow,
        options: SnapshotOptions,
        *,
        extent: MapExtent | None = None,
        view_size: tuple[int, int] | None = None,
    ) -> QImage:
        """The finished picture of ``window``.

        Parameters
        ----------
        extent
            Where the map looks (the on-screen map's view); None fits the window's events.
        view_size
            The on-screen map's size, needed when ``options.size`` is None.
        """
        layout = self.layout(options, view_size)
        self.renderer(window, layout.map_size, options.scale, extent)
        return self.compose_current(window, options, layout)

    def compose_current(
        self, window: TimeWindow, options: SnapshotOptions, layout: Layout, *, date_always=False
    ) -> QImage:
        """Compose what the warm page shows now (after :meth:`renderer`)."""
        renderer = self._renderer
        assert renderer is not None
        info = renderer.view_info()
        strip = None
        if layout.timeline is not None:
            strip = timeline_strip(
                self._shown_index(),
                window,
                (round(layout.timeline.width()), round(layout.timeline.height())),
                options.scale,
            )
        grades = grade_counts(self.store, renderer.shown_ids()) if options.graded_legend else None
        frame = Frame(
            renderer.grab(), window, info, strip, shown_count(info), date_always, grades,
            halos=renderer.halos_drawn(),
        )
        return compose(options, layout, frame)

    def _shown_index(self) -> EventIndex:
        """The events the filter lets through, for the picture's timeline strip."""
        if self.filter.is_empty:
            return self.index
        arrays = self.index.arrays
        keep = np.isin(arrays.ids, self.store.matching_ids(self.filter), assume_unique=True)
        return EventIndex(EventArrays(*(getattr(arrays, f.name)[keep] for f in fields(arrays))))

    def close(self) -> None:
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None
            self._prepared = None

    def __enter__(self) -> SnapshotMaker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


#: The picture formats an export writes, by file suffix (Qt's writers).
IMAGE_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP"}


def save_image(image: QImage, path: str | Path, fmt: str = "PNG") -> None:
    """Write ``image`` atomically; a failure leaves no file and raises :class:`ExportError`."""
    with atomic_output(path) as temporary:
        if not image.save(str(temporary), fmt):
            raise ExportError(f"{path}: cannot write the image")
