"""Reading a store's events for the views, off the GUI thread.

What the map and the timeline need of a million events (the columns, the index over
them, the page's buffer, the timeline's density) costs a second of sorting and copying:
done on the GUI thread, the window would freeze while it opens. So a window opens at
once with its views empty and saying so, and a :class:`~desktop_app.ui.tasks.Task`
computes :class:`OpenedEvents` in a thread of the background runner; the window hands
them to the views when they arrive. What the map needs comes first; the timeline's
density (:func:`prepare_timeline`) and the place names the map prints
(:func:`find_place_names`) follow in tasks of their own, so the map draws its events
without waiting for them.

A SQLite connection belongs to the thread that opened it: each task opens its own
:class:`~desktop_app.store.event_store.EventStore` on the window's file.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from desktop_app.core.categories import CATEGORIES, Category, dataset_categories
from desktop_app.core.index import EventArrays, EventIndex
from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.payload import encode_events
from desktop_app.store import columns, queries
from desktop_app.store.event_store import EventStore, StoreError
from desktop_app.ui.map.describe import describe_places
from desktop_app.ui.map.view import place_names
from desktop_app.ui.tasks import TaskControl
from desktop_app.ui.timeline.paint import TimelineData


@dataclass(frozen=True)
class OpenedEvents:
    """Every event of a store as the views take them, computed once.

    Attributes
    ----------
    index
        The events sorted by start, for window queries.
    payload
        The map page's buffer of them (see :mod:`desktop_app.mapgen.payload`).
    suggested
        A first window to show: the days up to the busiest.
    timeline
        The timeline's view of them, density included; None when it is still to be
        made (:func:`prepare_timeline`).
    """

    index: EventIndex
    payload: bytes
    suggested: TimeWindow
    timeline: TimelineData | None = None
    categories: tuple[Category, ...] = CATEGORIES

    @classmethod
    def of(
        cls,
        arrays: EventArrays,
        control: TaskControl | None = None,
        *,
        timeline: bool = True,
        categories: tuple[Category, ...] = CATEGORIES,
    ) -> OpenedEvents:
        """Prepare ``arrays`` (sorted by start, their category codes those of
        ``categories``) for the views, the timeline's view too unless ``timeline`` is
        False; ``control`` is asked between the steps whether to stop."""
        index = EventIndex(arrays)
        if control is not None:
            control.check()
        payload = encode_events(arrays)
        if control is not None:
            control.check()
        data = TimelineData.build(index, arrays.precision) if timeline else None
        return cls(index, payload, index.suggested_window(), data, categories)


def dataset_coded(
    store: EventStore, arrays: EventArrays
) -> tuple[EventArrays, tuple[Category, ...]]:
    """``arrays`` with the dataset's own categories under codes of their own (the store's
    columns keep every category outside the palette as "Other"), and the categories of
    the codes: the palette, then the dataset's own."""
    conn = store.db.conn
    own = dataset_categories(queries.dataset_keys(conn))
    if not own:
        return arrays, CATEGORIES
    codes = np.array(arrays.category, np.uint8)
    order = np.argsort(arrays.ids)
    keys = tuple(c.key for c in own)
    for k, ids in enumerate(queries.dataset_category_ids(conn, keys)):
        at = np.minimum(np.searchsorted(arrays.ids, ids, sorter=order), len(order) - 1)
        rows = order[at][arrays.ids[order[at]] == ids]
        codes[rows] = len(CATEGORIES) + k
    return replace(arrays, category=codes), CATEGORIES + own


def read_events(
    path: Path, read_only: bool, control: TaskControl, *, timeline: bool = False
) -> OpenedEvents:
    """The work of a task that reads the store at ``path`` for the map (the timeline's
    view is left to :func:`prepare_timeline`, unless ``timeline``).

    Its progress is once the number of events, as soon as the store says it (before
    the columns are read). A store that cannot be read raises :class:`StoreError`, one
    line naming the file.
    """
    try:
        # The window's own store resumes an unfinished indexing, not each worker.
        with EventStore(path, read_only=read_only, resume_indexing=False) as store:
            control.progress(columns.kept_count(store.db.conn))
            arrays, categories = dataset_coded(store, store.arrays())
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot be read ({exc})") from None
    control.check()
    return OpenedEvents.of(arrays, control, timeline=timeline, categories=categories)


def prepare_timeline(index: EventIndex, control: TaskControl) -> TimelineData:
    """The work of a task that makes the timeline's view of ``index`` (its density costs
    a sort of every start and end)."""
    return TimelineData.build(index, index.arrays.precision)


def find_place_names(
    path: Path, read_only: bool, arrays: EventArrays, control: TaskControl
) -> str:
    """The work of a task that finds the names of the places of the events ``arrays``
    (see :func:`~desktop_app.ui.map.view.place_names`) in the store at ``path``, as the
    JSON text the page reads."""
    try:
        with EventStore(path, read_only=read_only, resume_indexing=False) as store:
            return json.dumps(place_names(arrays, describe_places(store)), ensure_ascii=False)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot be read ({exc})") from None

