"""PageApi: the map page's functions, called from Python.

Every call into the map page goes through :class:`PageApi`. Each method calls one named
function of ``window.EventAtlas`` (``resources/web/event_api.js``); its arguments are
written with :func:`json.dumps` and nothing else, so no text from the data or the user
is ever spliced into code. Results come back as JSON text and are decoded here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

#: Runs JavaScript in the page when it is ready; the callback receives the JS result.
Runner = Callable[[str, Callable[[Any], None] | None], None]
#: Receives a decoded JSON result from the page.
Reply = Callable[[Any], None]


class PageApi:
    """Typed calls into one map page.

    Parameters
    ----------
    run
        Runs a line of JavaScript in the page (queued until the page is ready) and
        passes its result to an optional callback; :class:`MapView` provides it.

    Examples
    --------
    >>> api = PageApi(lambda code, callback: print(code))
    >>> api.set_window(20240.0, 20241.5)
    EventAtlas.setWindow(20240.0, 20241.5)
    >>> api.fly_to(16)
    EventAtlas.flyTo(16)
    """

    def __init__(self, run: Runner) -> None:
        self._run = run

    def _call(self, function: str, *args: Any, reply: Reply | None = None) -> None:
        code = f"EventAtlas.{function}({', '.join(_json(a) for a in args)})"
        if reply is None:
            self._run(code, None)
        else:
            self._run(f"JSON.stringify({code})", lambda text: reply(_decoded(text)))

    # -- what the page shows -----------------------------------------------------------------

    def set_window(self, t0: float, t1: float, reply: Reply | None = None) -> None:
        """Show the events of ``[t0, t1)`` (days since 1970); replies with how many are placed."""
        self._call("setWindow", float(t0), float(t1), reply=reply)

    def set_selection(
        self, ids: Sequence[int], titles: Sequence[str], reply: Reply | None = None
    ) -> None:
        """Ring the events ``ids`` (the current one first) and label it with ``titles[0]``."""
        payload = {"ids": [int(i) for i in ids], "titles": [str(t) for t in titles]}
        self._call("setSelection", json.dumps(payload, ensure_ascii=False), reply=reply)

    def set_filter(
        self,
        categories: int | None,
        rows: str | None,
        reply: Reply | None = None,
    ) -> None:
        """Show only some events; replies with how many of the window's are placed.

        ``categories`` is a bit mask of the category indexes to show (bit ``c`` for
        ``CATEGORIES[c]``), None for all. ``rows`` is a bit mask over the page's rows (the
        event buffer's order, row ``i`` in bit ``i % 8`` of byte ``i // 8``) in base64,
        None for all: a million events cost 167 kB of text, sent once per change of
        filter, never per scrub step.
        """
        mask = None if categories is None else int(categories)
        self._call("setFilter", mask, None if rows is None else str(rows), reply=reply)

    def set_place_names(self, rows_json: str, reply: Reply | None = None) -> None:
        """Name the places: ``rows_json`` is the JSON text of ``[event id, place name,
        place kind]`` for one event at each (see :func:`desktop_app.ui.map.view.place_names`),
        written off the GUI thread (20,000 places are a megabyte); replies with how many
        places got a name. The next draw prints them."""
        code = f"EventAtlas.setPlaceNames(JSON.parse({_json(str(rows_json))}))"
        if reply is None:
            self._run(code, None)
        else:
            self._run(f"JSON.stringify({code})", lambda text: reply(_decoded(text)))
    def set_categories(self, categories: int | None, reply: Reply | None = None) -> None:
        """Change only the categories of the filter (a bit mask as in :meth:`set_filter`,
        None for all), keeping its row mask; replies with how many are placed."""
        mask = None if categories is None else int(categories)
        self._call("setCategories", mask, reply=reply)

    def set_area_mode(self, on: bool, reply: Reply | None = None) -> None:
        """Make a plain drag on the map choose an area (``True``) instead of panning."""
        self._call("setAreaMode", bool(on), reply=reply)

    def set_polygon_mode(self, on: bool, reply: Reply | None = None) -> None:
        """Make clicks on the map draw a polygon (``True``); the page tells the bridge
        ``polygonDrawn`` once it is closed, ``polygonCancelled`` on Esc."""
        self._call("setPolygonMode", bool(on), reply=reply)

    def show_polygon(self, corners: list[list[float]] | None, reply: Reply | None = None) -> None:
        """Outline the filter's polygon (``[[lon, lat], ...]``) on the map; None: none."""
        self._call("showPolygon", corners, reply=reply)

    def set_fade(self, on: bool, reply: Reply | None = None) -> None:
        """Draw older events of the window paler (``True``) or all alike."""
        self._call("setFade", bool(on), reply=reply)

    def set_mark_style(self, style: str, reply: Reply | None = None) -> None:
        """Draw events as grouped marks, as dots, or as dots when the window is dense
        (one of :data:`~desktop_app.mapgen.page.MARK_STYLES`)."""
        self._call("setMarkStyle", str(style), reply=reply)

    def set_halos(self, on: bool, reply: Reply | None = None) -> None:
        """Draw a halo of the ground a place may cover around each place known only
        roughly (``True``), or none."""
        self._call("setHalos", bool(on), reply=reply)

    def drawn_halos(self, reply: Reply) -> None:
        """Replies with the halos of the last draw (see ``EventAtlas.drawnHalos``)."""
        self._call("drawnHalos", reply=reply)

    def set_controls(self, shown: bool, reply: Reply | None = None) -> None:
        """Show or hide the zoom buttons and the legend."""
        self._call("setControls", bool(shown), reply=reply)

    def set_scale_and_attribution(self, shown: bool, reply: Reply | None = None) -> None:
        """Show or hide the page's scale bar and attribution (an export draws its own)."""
        self._call("setScaleAndAttribution", bool(shown), reply=reply)

    def reload_events(
        self,
        revision: int,
        categories: int | None,
        rows: str | None,
        names: Sequence[Sequence],
        reply: Reply | None = None,
    ) -> None:
        """Fetch the event buffer again (the store changed) and draw it, with the filter
        ``categories`` and ``rows`` over the new rows (as for :meth:`set_filter`). Places
        keep their names; ``names`` (``[event id, place name, place kind]`` each) names
        those of the changed events. The page tells the bridge ``eventsReloaded(revision)``."""
        mask = None if categories is None else int(categories)
        rows = None if rows is None else str(rows)
        listed = json.dumps([[int(i), str(n), k] for i, n, k in names], ensure_ascii=False)
        self._call("reloadEvents", int(revision), mask, rows, listed, reply=reply)

    def set_pick_point(self, on: bool, reply: Reply | None = None) -> None:
        """Make the next click on the map choose a point (told to the bridge as
        ``pointPicked``) instead of a marker; False gives clicks back to the markers."""
        self._call("setPickPoint", bool(on), reply=reply)

    def redraw(self, reply: Reply | None = None) -> None:
        """Draw the event layer again (the page reports the paint through the bridge)."""
        self._call("redraw", reply=reply)

    # -- where the map looks -----------------------------------------------------------------

    def fly_to(self, event_id: int, reply: Reply | None = None) -> None:
        """Bring event ``event_id`` into view, zooming until it stands out of its cluster."""
        self._call("flyTo", int(event_id), reply=reply)

    def fit_visible(self, trim: float, reply: Reply | None = None) -> None:
        """Fit the map to the window's events, leaving out the farthest share ``trim``."""
        self._call("fitVisible", float(trim), reply=reply)

    def show_extent(
        self,
        lat: float,
        lon: float,
        zoom: float,
        bounds: tuple[float, float, float, float] | None = None,
        reply: Reply | None = None,
    ) -> None:
        """Centre on ``(lat, lon)`` at ``zoom``; zoom out until ``bounds`` (S, W, N, E) fit."""
        box = [float(b) for b in bounds] if bounds is not None else None
        self._call("showExtent", float(lat), float(lon), float(zoom), box, reply=reply)

    def invalidate_size(self, reply: Reply | None = None) -> None:
        """Make the map measure its container again (after the view was resized)."""
        self._call("invalidateSize", reply=reply)

    # -- what the page tells ----------------------------------------------------------------

    def visible_ids(self, reply: Reply) -> None:
        """Reply with the ids of the window's events that have a place and pass the
        filter, by start time."""
        self._call("visibleIds", reply=reply)

    def view_info(self, reply: Reply) -> None:
        """Reply with the view: zoom, centre, bounds, size, pixel ratio, categories in
        view (``{category index: count}``) and the attribution text."""
        self._call("viewInfo", reply=reply)

    def shown_ids(self, reply: Reply) -> None:
        """Reply with the ids of the events on the map now (those ``view_info`` counts)."""
        self._call("shownIds", reply=reply)

    def legend_entries(self, reply: Reply) -> None:
        """Reply with the legend's rows: ``{"key", "label", "count", "ticked"}`` each."""
        self._call("legend.entries", reply=reply)

    def drawn_labels(self, reply: Reply) -> None:
        """Reply with the names the last draw printed: ``{"text", "x", "y", "w", "h",
        "country"}`` each, the box in container pixels from its top-left corner."""
        self._call("drawnLabels", reply=reply)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _decoded(text: Any) -> Any:
    return None if text in (None, "") else json.loads(text)
