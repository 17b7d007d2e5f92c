"""Options and argument parsing shared by the ``event-atlas`` sub-commands."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from desktop_app.core.categories import CATEGORIES, category_label
from desktop_app.core.dates import DateError, DatePrecision, event_span
from desktop_app.core.filter import (
    Chip,
    Filter,
    FilterError,
    Placement,
    checked_polygon,
    parse_bbox,
    parse_polygon,
    text_terms,
)
from desktop_app.core.window import TimeWindow
from desktop_app.mapgen.page import MARK_STYLES
from desktop_app.store.event_store import EventStore, StoreError
from desktop_app.store.views import SavedView, UnknownView, find_view

DB_OPTION = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="EVENT_ATLAS_DB",
    help="The store to use (default: your own store, made from the bundled dataset).",
)


def chosen_store(db_path: Path | None) -> Path | None:
    """The store the user named: ``--db`` after the sub-command, else before it
    (``event-atlas --db X import ...``), else ``EVENT_ATLAS_DB``; None for their own."""
    if db_path is not None:
        return db_path
    context = click.get_current_context(silent=True)
    if context is None:
        return None
    return context.find_root().params.get("db_path")


def open_store_or_fail(db_path: Path | None) -> EventStore:
    """The store at ``db_path`` (or the default one); a store error is a one-line exit."""
    from desktop_app.ingest.bundled import open_store

    try:
        return open_store(chosen_store(db_path))
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


VIEW_OPTION = click.option(
    "--view",
    "view_name",
    metavar="NAME",
    help="A view saved in the store: its dates, map extent, filter and selection "
    "(--from/--to still choose other dates).",
)


def look_options(command):
    """``--marks``, ``--halos/--no-halos`` and ``--fade/--no-fade``: how a picture draws
    the events, as View ▸ sets it in the window (the defaults are the window's)."""
    for option in reversed(
        (
            click.option(
                "--marks",
                type=click.Choice(MARK_STYLES),
                default="auto",
                show_default=True,
                help="Events as grouped marks, one dot each, or either by how many there are.",
            ),
            click.option(
                "--halos/--no-halos",
                default=True,
                show_default=True,
                help="A shaded ring of the ground a place known only roughly may cover.",
            ),
            click.option(
                "--fade/--no-fade",
                default=True,
                show_default=True,
                help="Older events of the window paler.",
            ),
        )
    ):
        command = option(command)
    return command


class UnknownViewError(click.ClickException):
    """A ``--view`` the store does not have: one line naming the ones it has, exit 2."""

    exit_code = 2


def chosen_view(store: EventStore, name: str | None) -> SavedView | None:
    """The view ``--view`` names (None without one); an unknown name exits 2."""
    if name is None:
        return None
    try:
        return find_view(store, name)
    except UnknownView as exc:
        raise UnknownViewError(str(exc)) from None
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None


def _time(text: str | None, edge: str) -> float | None:
    """``--from`` is the start of the period it names, ``--to`` the end of it (inclusive)."""
    if text is None:
        return None
    try:
        t0, t1 = event_span(text, None, DatePrecision.APPROXIMATE)
    except DateError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{edge}") from None
    return t0 if edge == "from" else max(t1, t0 + 1 / 86400)


def parse_window(store: EventStore, start: str | None, end: str | None) -> TimeWindow | None:
    """The window ``--from``/``--to`` name; an open end runs to the store's first/last event."""
    t0, t1 = _time(start, "from"), _time(end, "to")
    if t0 is None and t1 is None:
        return None
    bounds = store.time_bounds() or (0.0, 1.0)
    t0 = bounds[0] if t0 is None else t0
    t1 = bounds[1] + 1 if t1 is None else t1
    if t1 <= t0:
        raise click.BadParameter("--to must come after --from")
    return TimeWindow(t0, t1)


#: The categories ``--category`` knows, as the help lists them.
CATEGORY_NAMES = ", ".join(c.label.lower() for c in CATEGORIES)


def _category_key(name: str) -> str:
    """The key of the category called ``name`` (its key or label, any case)."""
    wanted = " ".join(name.replace("_", " ").split()).casefold()
    for c in CATEGORIES:
        if wanted in (c.key.replace("_", " "), c.label.casefold()):
            return c.key
    raise click.BadParameter(
        f"no category {name!r} (there are: {CATEGORY_NAMES})", param_hint="--category"
    )


def read_polygon(value: str) -> tuple[tuple[float, float], ...]:
    """The ``--polygon`` option: ``"lon lat, lon lat, ..."``, or a GeoJSON file whose
    Polygon (a geometry, a Feature, or the first Feature of a collection) gives its outer
    ring. :class:`FilterError` (one line) when it is neither."""
    path = Path(value)
    if not path.is_file():
        return parse_polygon(value)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FilterError(f"{path}: not a GeoJSON file ({exc})") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or [None]
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") != "Polygon" or not data.get("coordinates"):
        raise FilterError(f"{path}: holds no GeoJSON Polygon")
    try:
        return checked_polygon(data["coordinates"][0])
    except FilterError as exc:
        raise FilterError(f"{path}: {exc}") from None


def parse_filter(
    text: str | None,
    categories: tuple[str, ...],
    place: str | None,
    bbox: str | None,
    has_place: bool | None,
    polygon: str | None = None,
) -> Filter:
    """The filter the ``events`` options name; an unreadable option is a usage error."""
    placement = {None: Placement.ANY, True: Placement.PLACED, False: Placement.TIMELINE_ONLY}
    area = ()
    for value, hint, read in ((text, "--search", text_terms), (bbox, "--bbox", parse_bbox),
                              (polygon, "--polygon", read_polygon)):  # fmt: skip
        if value is not None:
            try:
                found = read(value)
            except FilterError as exc:
                raise click.BadParameter(str(exc), param_hint=hint) from None
            if hint == "--polygon":
                area = found
    return Filter(
        categories=frozenset(_category_key(c) for c in categories),
        text=text or "",
        place=place or "",
        placement=placement[has_place],
        bbox=parse_bbox(bbox) if bbox is not None else None,
        polygon=area,
    )


def filter_options(command):
    """The options that name a filter (read by :func:`parse_filter`): text, categories,
    place, area (a box or a polygon) and whether events have a place."""
    for option in reversed((
        click.option("--search", "text", metavar="TEXT",
                     help="Only events that match this text."),
        click.option("--category", "categories", metavar="NAME", multiple=True,
                     help="Only events of this category (repeat for several): "
                     + CATEGORY_NAMES + "."),
        click.option("--place", metavar="TEXT",
                     help="Only events at a place whose name starts so."),
        click.option("--bbox", metavar="W,S,E,N",
                     help="Only events placed in this area (degrees)."),
        click.option("--polygon", metavar="'LON LAT, LON LAT, ...'|FILE",
                     help="Only events placed inside this polygon (three or more points, "
                     "degrees; or a GeoJSON file of a Polygon). It may not cross the "
                     "antimeridian."),
        click.option("--has-place/--timeline-only", "has_place", default=None,
                     help="Only events with a place on the map, or only those without one."),
    )):  # fmt: skip
        command = option(command)
    return command


def provenance_options(command):
    """The options that filter by what an event rests on: its grade, how many outlets
    confirm it, how exact its place is, and a dataset's kept fields."""
    for option in reversed((
        click.option("--min-reliability", metavar="A-F",
                     help="Only events graded this reliable or better (A best)."),
        click.option("--min-credibility", metavar="1-6",
                     help="Only events graded this credible or better (1 best)."),
        click.option("--min-corroboration", type=click.IntRange(0), default=0,
                     help="Only events citing at least this many independent outlets."),
        click.option("--exact-place", is_flag=True,
                     help="Only events at an exact point (not a town, region or country)."),
        click.option("--attribute", "attributes", metavar="NAME=VALUE", multiple=True,
                     help="Only events whose kept field NAME is VALUE (repeat for several)."),
    )):  # fmt: skip
        command = option(command)
    return command


def with_provenance(
    flt: Filter,
    min_reliability: str | None,
    min_credibility: str | None,
    min_corroboration: int,
    exact_place: bool,
    attributes: tuple[str, ...],
) -> Filter:
    """``flt`` with the parts :func:`provenance_options` name; a bad one is a usage error."""
    pairs = []
    for text in attributes:
        name, equals, value = text.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"{text!r} is not NAME=VALUE", param_hint="--attribute")
        pairs.append((name.strip(), value))
    try:
        return dataclasses.replace(
            flt,
            min_reliability=min_reliability or "",
            min_credibility=min_credibility or "",
            min_corroboration=min_corroboration,
            exact_place=exact_place,
            attributes=frozenset(pairs),
        )
    except FilterError as exc:
        raise click.BadParameter(str(exc)) from None


#: How each filter part reads in the terminal: "Category: Strike".
_CHIP_WORDS = {
    "categories": lambda v: f"Category: {category_label(v)}",
    "text": lambda v: f"Text: {v}",
    "place": lambda v: f"Place: {v}",
    "precisions": lambda v: f"Dated to: {DatePrecision(v).value}",
    "placement": lambda v: f"Only: {Placement(v).value}",
    "bbox": lambda v: "Area: " + ", ".join(f"{x:g}" for x in v),
    "polygon": lambda v: f"Area: polygon of {len(v)} points",
    "actors": lambda v: f"Actor: {v}",
    "sources": lambda v: f"Source: {v}",
    "min_reliability": lambda v: f"Reliability: {v} or better",
    "min_credibility": lambda v: f"Credibility: {v} or better",
    "min_corroboration": lambda v: f"Outlets: at least {v}",
    "exact_place": lambda _v: "Only: exact places",
    "attributes": lambda v: f"{v[0]}: {v[1]}",
}


def chip_words(chip: Chip) -> str:
    """A filter's part as the CLI prints it, in plain English ("Category: Strike")."""
    return _CHIP_WORDS[chip.part](chip.value)


def filter_words(flt: Filter) -> list[str]:
    """Every part of ``flt`` as :func:`chip_words` says it."""
    return [chip_words(c) for c in flt.describe()]


def parse_size(text: str) -> tuple[int, int]:
    """``WIDTHxHEIGHT`` as two integers of 16 to 8192 pixels."""
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not WIDTHxHEIGHT", param_hint="--size") from None
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise click.BadParameter("each side must be 16 to 8192 pixels", param_hint="--size")
    return width, height
