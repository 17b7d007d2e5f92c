"""One export, however it was asked for: :class:`ExportJob` and :func:`run_export`.

The export dialog and ``event-atlas export`` both describe what the user wants as an
:class:`ExportJob` and hand it to :func:`run_export`; only the words they print differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from desktop_app.core.export_formats import ANIMATION_FORMATS, DATA_FORMATS, EXPORT_FORMATS
from desktop_app.core.filter import Filter
from desktop_app.core.window import TimeWindow
from desktop_app.files import ExportError, atomic_output
from desktop_app.ingest.bundled import dataset_title
from desktop_app.ingest.exporters import write_data
from desktop_app.mapgen.page import ONLINE_LAYERS, MapLook
from desktop_app.mapgen.standalone import OnlineTiles, PageTexts, build_html
from desktop_app.store import queries
from desktop_app.store.event_store import EventStore
from desktop_app.ui.export.animation import AnimationSpec, export_animation
from desktop_app.ui.export.compose import SnapshotOptions
from desktop_app.ui.export.pdf import PAPERS, export_pdf
from desktop_app.ui.export.picture import IMAGE_FORMATS, SnapshotMaker, save_image
from desktop_app.ui.export.render import MapExtent
from desktop_app.ui.words import window_in_words

Progress = Callable[[int, int], bool]


def tr(text: str) -> str:
    return QCoreApplication.translate("ExportJob", text)


@dataclass(frozen=True)
class ExportJob:
    """Everything one export needs: what, where, which dates, and how it looks.

    Parameters
    ----------
    fmt
        One of ``EXPORT_FORMATS``.
    path
        The file to write (a folder for ``frames``).
    window
        The time window shown (pictures, the HTML page) or exported (data).
    options
        Title, size and the elements a picture shows.
    everything
        Data formats: every event of the store, whatever the window.
    paper
        PDF: ``a4`` or ``letter``.
    animation
        GIF, MP4 and frames: the windows played.
    extent, view_size
        "What I see": the on-screen map's view and size; None fits the events.
    online_layer
        The online base layer to draw under the events (a key of ``ONLINE_LAYERS``);
        None keeps the export, and the HTML page it writes, off the network.
    filter
        Which events, besides the dates: every export shows what the window's filter
        shows.
    look
        How pictures draw the events (fading, halos, marks): as the window draws them.
    """

    fmt: str
    path: Path
    window: TimeWindow
    options: SnapshotOptions
    everything: bool = False
    paper: str = "a4"
    animation: AnimationSpec | None = None
    extent: MapExtent | None = None
    view_size: tuple[int, int] | None = None
    online_layer: str | None = None
    filter: Filter = Filter()
    look: MapLook = MapLook()

    def __post_init__(self) -> None:
        if self.fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown export format {self.fmt!r}")
        if self.fmt in ANIMATION_FORMATS and self.animation is None:
            raise ValueError(f"a {self.fmt} export needs the dates it plays")
        if self.paper not in PAPERS:
            raise ValueError(f"unknown paper {self.paper!r}")


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: how many events (or frames), and a picture's pixel size."""

    path: Path
    events: int
    frames: int = 0
    pixels: tuple[int, int] | None = None


def export_title(store: EventStore, window: TimeWindow) -> str:
    """An export's title when the user gives none: the data's own, else what it shows
    ("Events, 31 May – 2 June 2025")."""
    return dataset_title(store) or tr("Events, %1").replace("%1", window_in_words(window))


def online_tiles(layer: str | None) -> OnlineTiles | None:
    """The tiles of the online base layer ``layer`` (a key of ``ONLINE_LAYERS``), if any."""
    provider = ONLINE_LAYERS.get(layer or "")
    if provider is None:
        return None
    return OnlineTiles(provider.build_url(), provider.get("attribution", ""))


def write_standalone_html(
    path: str | Path,
    store: EventStore,
    window: TimeWindow,
    *,
    title: str,
    online_layer: str | None = None,
    flt: Filter | None = None,
) -> int:
    """Write the standalone page of ``window``'s events that ``flt`` lets through;
    returns how many markers.

    The page asks nothing of the network unless ``online_layer`` names online tiles.
    """
    texts = PageTexts(
        sources=tr("Sources:"),
        article=tr("Article:"),
        outlines=tr("Natural Earth"),
        more_events=tr("%1 more events are not shown (file size)."),
        halo=tr("Shaded ring: how precisely the place is known"),
    )
    html, count = build_html(
        filtered(store, store.events_between(window), flt, window),
        title,
        window_in_words(window),
        tiles=online_tiles(online_layer),
        texts=texts,
    )
    with atomic_output(path) as temporary:
        temporary.write_text(html, encoding="utf-8")
    return count


def filtered(store: EventStore, events: list, flt: Filter | None, window: TimeWindow | None):
    """``events`` (of ``window``, all when None) less those ``flt`` holds back, in order."""
    if flt is None or flt.is_empty:
        return events
    keep = set(store.matching_ids(flt, window).tolist())
    return [e for e in events if e.id in keep]


def image_format(path: Path) -> str:
    """The image format a picture's suffix names; anything else is refused in one line."""
    suffix = path.suffix.lower()
    if suffix not in IMAGE_FORMATS:
        names = ", ".join(sorted(IMAGE_FORMATS))
        raise ExportError(f"{path}: a picture is written as one of {names}, not {suffix!r}")
    return IMAGE_FORMATS[suffix]


def run_export(
    job: ExportJob,
    store: EventStore,
    *,
    maker: SnapshotMaker | None = None,
    progress: Progress | None = None,
) -> ExportResult:
    """Do ``job`` on ``store``; returns what was written.

    Pictures and animations draw with ``maker`` (a warm page the caller keeps for the
    next export), or with a page of their own closed afterwards. ``progress(done,
    total)`` follows an animation's frames; returning False cancels it. Raises
    :class:`ExportError`, a :class:`SnapshotError` or ``ExportCancelled``.
    """
    path = Path(job.path)
    if job.fmt in DATA_FORMATS:
        window = None if job.everything else job.window
        events = store.all_events() if window is None else store.events_between(window)
        events = filtered(store, events, job.filter, window)
        count = write_data(
            job.fmt,
            path,
            events,
            name=job.options.title,
            article_text=store.article_text,
            own=queries.own_categories(store.db.conn),
        )
        return ExportResult(path, count)
    if job.fmt == "html":
        count = write_standalone_html(
            path,
            store,
            job.window,
            title=job.options.title,
            online_layer=job.online_layer,
            flt=job.filter,
        )
        return ExportResult(path, count)
    if job.fmt == "png":
        # Refused before any page loads: a wrong suffix is the commonest mistake.
        image_format(path)
    own = maker is None
    maker = maker or SnapshotMaker(store, online_layer=job.online_layer)
    maker.filter = job.filter
    maker.look = job.look
    try:
        return _draw(job, store, maker, path, progress)
    finally:
        if own:
            maker.close()


def _draw(
    job: ExportJob,
    store: EventStore,
    maker: SnapshotMaker,
    path: Path,
    progress: Progress | None,
) -> ExportResult:
    if job.fmt in ANIMATION_FORMATS:
        spec = job.animation
        frames = export_animation(
            maker,
            spec,
            job.options,
            path,
            job.fmt,
            extent=job.extent,
            view_size=job.view_size,
            progress=progress,
        )
        return ExportResult(path, store.count_matching(job.filter, spec.whole), frames=frames)
    events = store.count_matching(job.filter, job.window)
    if job.fmt == "pdf":
        export_pdf(maker, job.window, job.options, path, paper=job.paper, extent=job.extent)
        return ExportResult(path, events)
    image = maker.snapshot(job.window, job.options, extent=job.extent, view_size=job.view_size)
    save_image(image, path, image_format(path))
    return ExportResult(path, events, pixels=(image.width(), image.height()))
