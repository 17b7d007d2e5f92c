"""``event-atlas export FORMAT -o PATH``: every export, headless.

Data formats (GeoJSON, CSV,
KML) never start Qt; pictures, PDF, HTML and animations start a headless QApplication.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from desktop_app.cli.options import (
    DB_OPTION,
    VIEW_OPTION,
    chosen_view,
    filter_options,
    look_options,
    open_store_or_fail,
    parse_filter,
    parse_size,
    parse_window,
)
from desktop_app.core.export_formats import ANIMATION_FORMATS, DATA_FORMATS, EXPORT_FORMATS
from desktop_app.core.filter import Filter
from desktop_app.core.index import EventIndex
from desktop_app.files import ExportError
from desktop_app.ingest.bundled import dataset_title
from desktop_app.ingest.exporters import write_data
from desktop_app.mapgen.page import MapLook
from desktop_app.store import queries


def run_cli_export(
    fmt: str,
    output: Path,
    *,
    db_path: Path | None = None,
    start: str | None = None,
    end: str | None = None,
    size: str | None = None,
    scale: int = 1,
    title: str | None = None,
    legend: bool = True,
    caption: bool = True,
    timeline: bool = False,
    graded_legend: bool = False,
    fps: int = 10,
    step: str = "1d",
    length: str | None = None,
    mode: str = "moving",
    paper: str = "a4",
    flt: Filter | None = None,
    view_name: str | None = None,
    look: MapLook | None = None,
) -> str:
    """Do one export as the command line describes it; returns the line to print.

    ``flt`` keeps only the events it lets through, in every format. ``view_name`` names a
    saved view: its dates (unless ``start`` or ``end`` are given), its map extent, and
    its filter (unless ``flt`` filters). ``look`` is how pictures draw the events.

    Raises :class:`click.ClickException` (one line) for anything the user can fix.
    """
    # Before opening anything or starting Qt: the commonest mistake fails fast, in one line.
    if not output.parent.is_dir():
        raise click.ClickException(f"{output}: the folder {output.parent} does not exist")
    with open_store_or_fail(db_path) as store:
        view = chosen_view(store, view_name)
        window = parse_window(store, start, end) or (view.window if view else None)
        if (flt is None or flt.is_empty) and view is not None:
            flt = view.filter
        if fmt in DATA_FORMATS:
            name = title or dataset_title(store) or "Events"
            # Data needs no map: no Qt either.
            events = store.events_between(window) if window else store.all_events()
            if flt is not None and not flt.is_empty:
                keep = set(store.matching_ids(flt, window).tolist())
                events = [e for e in events if e.id in keep]
            try:
                count = write_data(
                    fmt,
                    output,
                    events,
                    name=name,
                    article_text=store.article_text,
                    own=queries.own_categories(store.db.conn),
                )
            except ExportError as exc:
                raise click.ClickException(str(exc)) from None
            _warn_if_empty(count)
            return f"wrote {output} ({count} events)"
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from desktop_app.ui.app import headless_application

        app = headless_application()
        try:
            return _run_job(
                store, fmt, output, window, title, size, scale, legend, caption, timeline,
                graded_legend, fps, step, length, mode, paper, flt or Filter(), view,
                look or MapLook(),
            )  # fmt: skip
        finally:
            del app


def _warn_if_empty(count: int) -> None:
    if count == 0:
        click.echo("warning: no events in the chosen dates", err=True)


def _run_job(
    store, fmt, output, window, title, size, scale, legend, caption, timeline, graded_legend,
    fps, step, length, mode, paper, flt, view, look,
) -> str:  # fmt: skip
    from desktop_app.core.playback import PlaybackMode
    from desktop_app.ui.export.animation import (
        AnimationSpec,
        ExportCancelled,
        parse_step,
    )
    from desktop_app.ui.export.compose import SnapshotOptions
    from desktop_app.ui.export.job import ExportJob, export_title, run_export
    from desktop_app.ui.export.render import SnapshotError

    index = EventIndex(store.arrays())
    animation = None
    if fmt in ANIMATION_FORMATS:
        # No dates: play where the events are, not the years of quiet around them.
        window = window or index.busy_span() or index.suggested_window()
    window = window or index.suggested_window()
    options = SnapshotOptions(
        title=title or export_title(store, window),
        size=parse_size(size) if size else (1280, 720),
        scale=scale,
        caption=caption,
        legend=legend,
        timeline=timeline,
        graded_legend=graded_legend,
    )
    if fmt in ANIMATION_FORMATS:
        try:
            animation = AnimationSpec(
                window.start,
                window.end,
                step=parse_step(step),
                length=parse_step(length) if length else None,
                mode=PlaybackMode(mode),
                fps=fps,
            )
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
    extent = None
    if view is not None:
        from desktop_app.ui.views.export import extent_of_view

        extent = extent_of_view(view)
    job = ExportJob(
        fmt, output, window, options, paper=paper, animation=animation, filter=flt,
        extent=extent, look=look,
    )  # fmt: skip
    try:
        if animation is None:
            result = run_export(job, store)
        else:
            total = len(animation.windows())
            with click.progressbar(
                length=total, label="frames", file=sys.stderr, show_pos=True
            ) as bar:

                def progress(done: int, _total: int) -> bool:
                    bar.update(done - bar.pos)
                    return True

                result = run_export(job, store, progress=progress)
    except (SnapshotError, ExportError, ExportCancelled) as exc:
        raise click.ClickException(str(exc) or "cancelled") from None
    _warn_if_empty(result.events)
    if fmt == "html":
        return f"wrote {output} ({result.events} events)"
    if animation is not None:
        return f"wrote {output} ({result.frames} frames)"
    if fmt == "pdf":
        return f"wrote {output} ({paper.upper()} landscape)"
    width, height = result.pixels
    return f"wrote {output} ({width}x{height})"


@click.command(
    "export",
    epilog="""\b
Examples:
  event-atlas export png -o map.png --from 2025-05-31 --to 2025-06-02 --size 1920x1080
  event-atlas export pdf -o map.pdf --paper a4
  event-atlas export html -o map.html
  event-atlas export gif -o playback.gif --step 1d --fps 4
  event-atlas export geojson -o events.geojson
  event-atlas export csv -o strikes.csv --category strike --search 'kharki*'
  event-atlas export png -o talks.png --view 'Istanbul talks'""",
)
@click.argument("fmt", metavar="FORMAT", type=click.Choice(EXPORT_FORMATS))
@DB_OPTION
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The file to write (a folder for frames).",
)
@click.option("--from", "start", metavar="DATE", help="First day (ISO: 2025-06-01, 2025-06, 2025).")
@click.option("--to", "end", metavar="DATE", help="Last day, included.")
@click.option("--size", metavar="WxH", help="Picture size in logical pixels [1280x720].")
@click.option("--scale", type=click.Choice(["1", "2"]), default="1", help="Pixel ratio.")
@click.option("--title", help="Caption title (default: the dataset's name).")
@click.option("--no-legend", is_flag=True, help="Leave out the legend.")
@click.option("--no-caption", is_flag=True, help="Leave out the title and dates band.")
@click.option("--with-timeline", is_flag=True, help="Add the timeline strip under the map.")
@click.option(
    "--graded-legend",
    is_flag=True,
    help="Print the grading scale and the grades of the events shown (pictures).",
)
@click.option("--fps", type=click.IntRange(1, 60), default=10, show_default=True)
@click.option("--step", default="1d", show_default=True, help="Animation step: 12h, 1d, 1w.")
@click.option("--length", help="Moving window length (default: one step).")
@click.option(
    "--mode",
    type=click.Choice(["moving", "cumulative"]),
    default="moving",
    show_default=True,
    help="Animation: a moving window, or one growing from --from.",
)
@click.option("--paper", type=click.Choice(["a4", "letter"]), default="a4", show_default=True)
@filter_options
@look_options
@VIEW_OPTION
def export_command(
    fmt: str,
    db_path: Path | None,
    output: Path,
    start: str | None,
    end: str | None,
    size: str | None,
    scale: str,
    title: str | None,
    no_legend: bool,
    no_caption: bool,
    with_timeline: bool,
    graded_legend: bool,
    fps: int,
    step: str,
    length: str | None,
    mode: str,
    paper: str,
    text: str | None,
    categories: tuple[str, ...],
    place: str | None,
    bbox: str | None,
    polygon: str | None,
    has_place: bool | None,
    marks: str,
    halos: bool,
    fade: bool,
    view_name: str | None,
) -> None:
    """Export the events of a window: a picture, a page, an animation or data.

    FORMAT is one of png, pdf, html, gif, mp4, frames, geojson, csv, kml. Without
    --from/--to, pictures show the suggested window, animations and data everything.
    --search, --category, --place, --bbox, --polygon and --has-place filter as they do
    for events.
    """
    flt = parse_filter(text, categories, place, bbox, has_place, polygon)
    line = run_cli_export(
        fmt,
        output,
        db_path=db_path,
        start=start,
        end=end,
        size=size,
        scale=int(scale),
        title=title,
        legend=not no_legend,
        caption=not no_caption,
        timeline=with_timeline,
        graded_legend=graded_legend,
        fps=fps,
        step=step,
        length=length,
        mode=mode,
        paper=paper,
        flt=flt,
        view_name=view_name,
        look=MapLook(fade=fade, halos=halos, mark_style=marks),
    )
    click.echo(line)
