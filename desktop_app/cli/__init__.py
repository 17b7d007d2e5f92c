"""The ``event-atlas`` command: no sub-command opens the window; sub-commands work headless."""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import click

from desktop_app import __version__
from desktop_app.cli.duplicates import duplicates_command
from desktop_app.cli.export import export_command
from desktop_app.cli.fields import fields_command
from desktop_app.cli.grades import grade_command, outlets_command
from desktop_app.cli.history import history_command
from desktop_app.cli.options import (
    DB_OPTION,
    VIEW_OPTION,
    chosen_store,
    chosen_view,
    filter_options,
    filter_words,
    look_options,
    open_store_or_fail,
    parse_filter,
    parse_size,
    parse_window,
    provenance_options,
    with_provenance,
)
from desktop_app.core.event import Event
from desktop_app.core.filter import FilterError
from desktop_app.core.index import EventIndex
from desktop_app.core.text import terminal_text
from desktop_app.ingest.exporters import LIST_SEPARATOR, provenance_fields, spreadsheet_text
from desktop_app.ingest.formats import IMPORT_FORMATS
from desktop_app.mapgen.page import MapLook
from desktop_app.store.errors import StoreError

MAIN_EPILOG = """\b
Examples:
  event-atlas                          open the window on your own store
  event-atlas --db talks.db            open (or make) another store
  event-atlas --db talks.db import incidents.csv
  event-atlas events --from 2025-06-02 --to 2025-06-02 --format csv

\b
Environment:
  EVENT_ATLAS_DB          the store to use (as --db)
  EVENT_ATLAS_DATA_DIR    where your own store lives
  EVENT_ATLAS_CONFIG_DIR  where settings are kept
  EVENT_ATLAS_CACHE_DIR   where map tiles seen online are cached
  EVENT_ATLAS_DEBUG       set: print Qt's and Chromium's own messages
  QT_QPA_PLATFORM         offscreen: run the headless commands with no display
"""


@click.group(invoke_without_command=True, epilog=MAIN_EPILOG)
@click.version_option(__version__, prog_name="event-atlas")
@DB_OPTION
@click.pass_context
def main(ctx: click.Context, db_path: Path | None) -> None:
    """Event Atlas: news events on a map and a timeline.

    Without a command, opens the window.
    """
    if ctx.invoked_subcommand is None:
        from desktop_app.ui.app import run_app

        sys.exit(run_app(db_path))


def gui_main() -> None:
    """Entry point of the windowed launcher (no console on Windows)."""
    main(args=[], standalone_mode=True)


def _record(event: Event) -> dict:
    return {
        "id": event.id,
        "title": event.title,
        "start": event.start,
        "end": event.end,
        "precision": str(event.precision),
        "display_date": event.display_date,
        "place": event.place.name if event.place else None,
        "lat": event.place.lat if event.place else None,
        "lon": event.place.lon if event.place else None,
        "category": event.category,
        "actors": list(event.actors),
        "excerpt": event.excerpt,
        "article_title": event.article.title if event.article else None,
        "article_author": event.article.author if event.article else None,
        "article_outlet": event.article.outlet if event.article else None,
        "article_published": event.article.published if event.article else None,
        "sources": list(event.sources),
        "origin": (
            {"name": event.origin.name, "lat": event.origin.lat, "lon": event.origin.lon}
            if event.origin
            else None
        ),
        **provenance_fields(event),
        "attributes": dict(event.attributes),
    }


def _csv_record(record: dict) -> dict:
    """A record as one CSV row: lists joined, the origin in three columns, the kept
    source fields as a JSON object, text cells kept from running as formulas."""
    origin = record["origin"] or {}
    row = {
        **record,
        "actors": LIST_SEPARATOR.join(record["actors"]),
        "sources": LIST_SEPARATOR.join(record["sources"]),
        "origin": origin.get("name"),
        "origin_lat": origin.get("lat"),
        "origin_lon": origin.get("lon"),
        "attributes": (
            json.dumps(record["attributes"], ensure_ascii=False) if record["attributes"] else ""
        ),
    }
    # Text cells only: ids and coordinates are numbers and stay numbers.
    return {k: spreadsheet_text(v) if isinstance(v, str) else v for k, v in row.items()}


@main.command(
    epilog="""\b
Examples:
  event-atlas events --from 2025-06-02 --to 2025-06-02
  event-atlas events --search 'kharki*' --category strike
  event-atlas events --search '"second round"' --sort relevance
  event-atlas events --place Kyiv --bbox 22,44,41,53 --has-place
  event-atlas events --polygon '30 50, 32 50, 31 51.5'
  event-atlas events --min-reliability B --min-corroboration 2
  event-atlas events --attribute fatalities=3 --exact-place
  event-atlas fields fatalities        the values --attribute can take
  event-atlas events --format json > events.json
  event-atlas --db talks.db events --format csv > events.csv

\b
Search text: every word must appear (in the title, the excerpt, the place's
name or a cited outlet); kharki* finds words that start so; "second round"
finds the words side by side."""
)
@DB_OPTION
@click.option("--from", "start", metavar="DATE", help="First day (ISO: 2025-06-01, 2025-06, 2025).")
@click.option("--to", "end", metavar="DATE", help="Last day, included.")
@filter_options
@provenance_options
@click.option(
    "--sort",
    type=click.Choice(["time", "relevance"]),
    default="time",
    show_default=True,
    help="relevance: the best matches of --search first.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
def events(
    db_path: Path | None,
    start: str | None,
    end: str | None,
    text: str | None,
    categories: tuple[str, ...],
    place: str | None,
    bbox: str | None,
    polygon: str | None,
    has_place: bool | None,
    min_reliability: str | None,
    min_credibility: str | None,
    min_corroboration: int,
    exact_place: bool,
    attributes: tuple[str, ...],
    sort: str,
    fmt: str,
) -> None:
    """List events, one record per event."""
    flt = with_provenance(
        parse_filter(text, categories, place, bbox, has_place, polygon),
        min_reliability, min_credibility, min_corroboration, exact_place, attributes,
    )  # fmt: skip
    with open_store_or_fail(db_path) as store:
        window = parse_window(store, start, end)
        try:
            if flt.is_empty and sort == "time":
                found = store.events_between(window) if window else store.all_events()
            else:
                found = store.matching_events(flt, window, ranked=sort == "relevance")
        except (FilterError, StoreError) as exc:
            raise click.ClickException(str(exc)) from None
    records = [_record(e) for e in found]
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=_csv_fields(), lineterminator="\n")
        writer.writeheader()
        for record in records:
            writer.writerow(_csv_record(record))
    else:
        for record in records:
            line = (
                f"{record['id']:>6}  {record['start']:<10}  {(record['place'] or '—')[:28]:<28}  "
                f"{record['title']}"
            )
            # Titles come from files: their control characters must not drive the terminal.
            click.echo(terminal_text(line))
        click.echo(f"{len(records)} events")


def _csv_fields() -> list[str]:
    return list(_csv_record(_record(Event(uid="", title="", start="2000"))).keys())


@main.command(
    epilog="""\b
Examples:
  event-atlas snapshot -o map.png --from 2025-05-25 --to 2025-06-02 --size 1600x900
  event-atlas snapshot -o kharkiv.png --select 16
  event-atlas snapshot -o talks.png --view 'Istanbul talks'"""
)
@DB_OPTION
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The PNG file to write.",
)
@click.option("--from", "start", metavar="DATE", help="First day of the window.")
@click.option("--to", "end", metavar="DATE", help="Last day of the window, included.")
@click.option("--size", default="1280x720", show_default=True, help="Image size, WIDTHxHEIGHT.")
@click.option("--select", "select", type=int, help="Id of an event to select and centre.")
@look_options
@VIEW_OPTION
def snapshot(
    db_path: Path | None,
    output: Path,
    start: str | None,
    end: str | None,
    size: str,
    select: int | None,
    marks: str,
    halos: bool,
    fade: bool,
    view_name: str | None,
) -> None:
    """Render the map for a time window to a PNG, without opening a window."""
    width_height = parse_size(size)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from desktop_app.files import ExportError
    from desktop_app.ui.app import headless_application
    from desktop_app.ui.export.picture import save_image
    from desktop_app.ui.export.render import SnapshotError, SnapshotRequest, render_map
    from desktop_app.ui.views.export import snapshot_of_view

    with open_store_or_fail(db_path) as store:
        view = chosen_view(store, view_name)
        window = parse_window(store, start, end) or (
            view.window if view else EventIndex(store.arrays()).suggested_window()
        )
        look = MapLook(fade=fade, halos=halos, mark_style=marks)
        request = SnapshotRequest(window, width_height, select, look=look)
        if view is not None:
            request = snapshot_of_view(view, request)
        app = headless_application()
        try:
            image = render_map(store, request)
            save_image(image, output)
        except (SnapshotError, ExportError) as exc:
            raise click.ClickException(str(exc)) from None
        finally:
            del app
    click.echo(f"wrote {output} ({width_height[0]}x{width_height[1]})")


@main.command(
    "import",
    epilog="""\b
Examples:
  event-atlas import incidents.csv
  event-atlas import incidents.csv --columns date=When,lat=Y,lon=X --dayfirst
  event-atlas import events.geojson --on-error abort
  event-atlas import gdelt-20230310.export.CSV --repeats keep
  event-atlas import acled-export.csv --db new.db --usable-first
  event-atlas import article.html --published 2025-06-02 --yes""",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DB_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(IMPORT_FORMATS),
    default="auto",
    show_default=True,
)  # fmt: skip
@click.option(
    "--columns",
    help="Columns' roles, overriding detection: date=...,end=...,lat=...,lon=...,place=...,"
    "origin=...,origin_lat=...,origin_lon=...,title=...,text=...,category=...,url=...; "
    "actors and source take several columns: actors=actor1,actor2",
)
@click.option("--dayfirst/--monthfirst", default=None, help="How to read 02/06/2025.")
@click.option("--on-error", type=click.Choice(["skip", "abort"]), default="skip", show_default=True)
@click.option(
    "--repeats",
    type=click.Choice(["drop", "keep"]),
    default="drop",
    show_default=True,
    help="Rows that repeat an earlier row exactly: report and drop them, or keep them.",
)
@click.option("--encoding", help="Text encoding when detection is wrong (e.g. cp1251).")
@click.option("--published", metavar="DATE", help="An article's date when the file lacks one.")
@click.option("--yes", "assume_yes", is_flag=True, help="Save an article's events without asking.")
@click.option(
    "--usable-first",
    is_flag=True,
    help="Into a new store: return once its events are on the map and the timeline; "
    "its indexes (text search, duplicates, cited outlets) are made when it is next opened.",
)
def import_file(
    file: Path,
    db_path: Path | None,
    fmt: str,
    columns: str | None,
    dayfirst: bool | None,
    on_error: str,
    repeats: str,
    encoding: str | None,
    published: str | None,
    assume_yes: bool,
    usable_first: bool,
) -> None:
    """Import an article or a dataset (CSV, ACLED, GeoJSON, KML, TimelineJS, TimeMap)."""
    from desktop_app.ingest.command import run_import

    code = run_import(
        file,
        chosen_store(db_path),
        fmt,
        columns,
        dayfirst,
        on_error,
        assume_yes,
        lambda line: click.echo(terminal_text(line)),
        confirm=lambda question: click.confirm(question, default=False),
        encoding=encoding,
        published=published,
        echo_error=lambda line: click.echo(line, err=True),
        repeats=repeats,
        usable_first=usable_first,
    )
    sys.exit(code)


@main.command(
    "views",
    epilog="""\b
Examples:
  event-atlas views
  event-atlas --db talks.db views
  event-atlas snapshot -o map.png --view NAME""",
)
@DB_OPTION
def list_views(db_path: Path | None) -> None:
    """List the views saved in the store, in their order: number, name, dates, filter."""
    from desktop_app.store.views import saved_views

    with open_store_or_fail(db_path) as store:
        try:
            found = saved_views(store)
        except StoreError as exc:
            raise click.ClickException(str(exc)) from None
    for number, view in enumerate(found, 1):
        start, end = view.window.iso()
        chips = "; ".join(filter_words(view.filter)) or "no filter"
        # Names come from the user but may have been typed anywhere: keep the terminal safe.
        click.echo(terminal_text(f"{number:>3}  {view.name}  {start} – {end}  {chips}"))
    click.echo(f"{len(found)} views")


main.add_command(export_command)
main.add_command(history_command)
main.add_command(duplicates_command)
main.add_command(grade_command)
main.add_command(outlets_command)
main.add_command(fields_command)
