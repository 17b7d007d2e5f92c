"""The export dialog of File > Export snapshot…, and the work of the export actions.

:class:`~desktop_app.ui.export.actions.ExportActions` (the actions) loads this module when
one is first used. The dialog only gathers :class:`ExportSettings`; :func:`perform_export`
does the work with the same modules the CLI uses, for any window that is an
:class:`ExportTarget` (a store, a ViewState, a MapView and a way to notify).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop_app.core.export_formats import ANIMATION_FORMATS, DATA_FORMATS
from desktop_app.core.timescale import datetime_from_days, days_from_datetime
from desktop_app.core.window import TimeWindow
from desktop_app.store.event_store import EventStore
from desktop_app.ui import settings as opt
from desktop_app.ui.export.animation import (
    AnimationSpec,
    PlaybackMode,
    parse_step,
)
from desktop_app.ui.export.compose import SnapshotOptions
from desktop_app.ui.export.job import ExportJob, export_title, run_export
from desktop_app.ui.export.picture import SnapshotMaker
from desktop_app.ui.export.render import MapExtent, view_info
from desktop_app.ui.map.view import MapView
from desktop_app.ui.settings import Settings
from desktop_app.ui.view_state import ViewState

#: Format key -> (menu text, file suffix); "frames" writes a folder.
FORMATS = {
    "png": ("PNG image", ".png"),
    "pdf": ("PDF page", ".pdf"),
    "html": ("Standalone HTML map", ".html"),
    "gif": ("Animated GIF", ".gif"),
    "mp4": ("MP4 video", ".mp4"),
    "frames": ("Folder of PNG frames", ""),
    "geojson": ("GeoJSON data", ".geojson"),
    "csv": ("CSV data", ".csv"),
    "kml": ("KML (Google Earth)", ".kml"),
}
SIZES: list[tuple[str, tuple[int, int] | None]] = [
    ("Current view", None),
    ("1280 × 720", (1280, 720)),
    ("1920 × 1080", (1920, 1080)),
    ("3840 × 2160", (3840, 2160)),
    ("Custom", (1600, 900)),
]


@dataclass(frozen=True)
class ExportSettings:
    """Everything one export needs besides the live view; "Export again" reuses it."""

    fmt: str
    path: Path
    options: SnapshotOptions
    paper: str = "a4"
    everything: bool = False
    mode: PlaybackMode = PlaybackMode.MOVING
    fps: int = 10
    step: str = "1d"
    range_start: float | None = None
    range_end: float | None = None


def last_export_folder() -> Path | None:
    """The folder the last export went to (in this session or an earlier one), if it is
    still there."""
    saved = Settings().get(opt.EXPORT_FOLDER)
    return Path(saved) if saved and Path(saved).is_dir() else None


def remember_export_folder(path: Path, fmt: str) -> None:
    """Keep where an export of ``fmt`` to ``path`` went, for the next export's Browse."""
    folder = path if fmt == "frames" else path.parent
    settings = Settings()
    settings.set(opt.EXPORT_FOLDER, str(folder.resolve()))
    settings.sync()


def _view_of(target: ExportTarget) -> tuple[MapExtent | None, tuple[int, int] | None, str | None]:
    """The on-screen map's extent and size, and its online layer, to export "what I see"."""
    view = target.map_view
    spec = getattr(view, "_spec", None)
    online = getattr(spec, "online_layer", None)
    if not view.is_ready:
        return None, None, online
    info = view_info(view)
    return MapExtent.from_view_info(info), (int(info["size"][0]), int(info["size"][1])), online


class ExportTarget(Protocol):
    """What the export actions need of a window: its store, its view state, its map, and
    a way to tell the user where a file went."""

    store: EventStore
    state: ViewState
    map_view: MapView

    def notify(self, message: str, path: Path | None = None) -> None: ...


class WarmPage:
    """One offscreen map page kept loaded between exports of one window and store, so a
    second export is quick; :meth:`close` lets it go."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._maker: SnapshotMaker | None = None

    def maker_for(self, target: ExportTarget) -> SnapshotMaker:
        _extent, _size, online = _view_of(target)
        key = (id(target.store), target.store.count(), online)
        if self._maker is not None and self._key == key:
            return self._maker
        self.close()
        self._maker, self._key = SnapshotMaker(target.store, online_layer=online), key
        return self._maker

    def close(self) -> None:
        if self._maker is not None:
            self._maker.close()
        self._maker = self._key = None


def job_for(target: ExportTarget, settings: ExportSettings) -> ExportJob:
    """The :class:`ExportJob` of ``settings`` for what the window ``target`` shows now."""
    window: TimeWindow = target.state.window
    extent, view_size, online = _view_of(target)
    animation = None
    if settings.fmt in ANIMATION_FORMATS:
        start = settings.range_start if settings.range_start is not None else window.start
        end = settings.range_end if settings.range_end is not None else window.end
        animation = AnimationSpec(
            start,
            end,
            step=parse_step(settings.step),
            length=window.duration if settings.mode is PlaybackMode.MOVING else None,
            mode=settings.mode,
            fps=settings.fps,
        )
    return ExportJob(
        settings.fmt,
        settings.path,
        window,
        settings.options,
        everything=settings.everything,
        paper=settings.paper,
        animation=animation,
        extent=extent,
        view_size=view_size,
        # The page written to disk asks nothing of the network unless the user reads the
        # map with online tiles.
        online_layer=online,
        filter=target.state.filter,
        look=target.map_view.look,
    )


def perform_export(
    target: ExportTarget, settings: ExportSettings, warm: WarmPage, parent: QWidget | None = None
) -> str:
    """Do the export ``settings`` describe for the window ``target``; returns a summary.

    Pictures and animations draw on ``warm``'s page.

    Raises :class:`ExportError`, :class:`SnapshotError` or :class:`ExportCancelled`.
    """
    job = job_for(target, settings)
    if job.fmt in DATA_FORMATS or job.fmt == "html":
        result = run_export(job, target.store)
    elif job.animation is None:
        result = run_export(job, target.store, maker=warm.maker_for(target))
    else:
        total = len(job.animation.windows())
        progress = QProgressDialog(tr("Rendering frames…"), tr("Cancel"), 0, total, parent)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def report(done: int, of: int) -> bool:
            progress.setValue(done)
            return not progress.wasCanceled()

        try:
            result = run_export(
                job, target.store, maker=warm.maker_for(target), progress=report
            )
        finally:
            progress.close()
    path = str(result.path)
    if result.events == 0:
        return tr("Wrote %1, but no events fall in its dates").replace("%1", path)
    if job.animation is not None:
        return tr("Wrote %1 frames to %2").replace("%1", str(result.frames)).replace("%2", path)
    return tr("Wrote %1 events to %2").replace("%1", str(result.events)).replace("%2", path)


def snapshot_image(
    target: ExportTarget, warm: WarmPage, options: SnapshotOptions | None = None
) -> QImage:
    """The current view as a finished picture (for the clipboard)."""
    extent, view_size, _online = _view_of(target)
    options = options or SnapshotOptions(title=_default_title(target), size=None)
    if view_size is None:
        options = dataclasses.replace(options, size=(1280, 720))
    maker = warm.maker_for(target)
    return maker.snapshot(target.state.window, options, extent=extent, view_size=view_size)


def _default_title(target: ExportTarget) -> str:
    return export_title(target.store, target.state.window)


def tr(text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("ExportDialog", text)


class ExportDialog(QDialog):
    """Choose what to export, where, at what size, with which elements.

    Parameters
    ----------
    target
        The window being exported: ``.store``, ``.state`` and ``.map_view``.
    previous
        Settings of the last export, to start from.
    """

    def __init__(
        self, target, previous: ExportSettings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.target = target
        self.setWindowTitle(self.tr("Export"))
        form = QFormLayout(self)

        self.format_box = QComboBox()
        for key, (text, _suffix) in FORMATS.items():
            self.format_box.addItem(self.tr(text), key)
        self.format_box.setToolTip(self.tr("A picture, a page, an animation, or the data"))
        form.addRow(self.tr("&Format:"), self.format_box)

        self.path_edit = QLineEdit()
        self.path_edit.setToolTip(self.tr("The file to write (a folder for frames)"))
        browse = QPushButton(self.tr("&Browse…"))
        browse.setToolTip(self.tr("Choose where to save"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        _labelled_row(form, self.tr("&Save to:"), row, self.path_edit)

        self.title_edit = QLineEdit(_default_title(target))
        self.title_edit.setToolTip(self.tr("The caption's first line, and the page's title"))
        form.addRow(self.tr("&Title:"), self.title_edit)

        self.size_box = QComboBox()
        for text, size in SIZES:
            self.size_box.addItem(self.tr(text), size)
        self.width_box, self.height_box = QSpinBox(), QSpinBox()
        for box, value in ((self.width_box, 1600), (self.height_box, 900)):
            box.setRange(64, 8192)
            box.setValue(value)
        self.size_box.setToolTip(self.tr("The picture's size in pixels"))
        self.width_box.setToolTip(self.tr("Width in pixels"))
        self.height_box.setToolTip(self.tr("Height in pixels"))
        size_row = QHBoxLayout()
        size_row.addWidget(self.size_box, 1)
        size_row.addWidget(self.width_box)
        size_row.addWidget(self.height_box)
        _labelled_row(form, self.tr("Si&ze:"), size_row, self.size_box)
        self.scale_box = QComboBox()
        self.scale_box.addItem(self.tr("1× (screen)"), 1)
        self.scale_box.addItem(self.tr("2× (high-DPI, print)"), 2)
        self.scale_box.setToolTip(self.tr("2× draws text and lines at twice the density"))
        form.addRow(self.tr("&Pixel ratio:"), self.scale_box)

        self.caption_box = QCheckBox(self.tr("Title and dates"))
        self.legend_box = QCheckBox(self.tr("Legend"))
        self.scale_bar_box = QCheckBox(self.tr("Scale bar"))
        self.attribution_box = QCheckBox(self.tr("Attribution (required by the base map)"))
        self.timeline_box = QCheckBox(self.tr("Timeline strip"))
        self.graded_box = QCheckBox(self.tr("Graded sources (reliability and credibility)"))
        self.graded_box.setToolTip(
            self.tr("Print the Admiralty grading scale and the grades of the events shown")
        )
        for box in (self.caption_box, self.legend_box, self.scale_bar_box, self.attribution_box):
            box.setChecked(True)
            form.addRow("", box)
        form.addRow("", self.timeline_box)
        form.addRow("", self.graded_box)

        self.paper_box = QComboBox()
        self.paper_box.addItem(self.tr("A4 landscape"), "a4")
        self.paper_box.addItem(self.tr("Letter landscape"), "letter")
        self.paper_box.setToolTip(self.tr("The PDF's paper size"))
        form.addRow(self.tr("P&aper:"), self.paper_box)

        self.mode_box = QComboBox()
        self.mode_box.addItem(self.tr("Moving window"), PlaybackMode.MOVING)
        self.mode_box.addItem(self.tr("Cumulative"), PlaybackMode.CUMULATIVE)
        self.mode_box.setToolTip(
            self.tr("A window of fixed length moving forward, or one growing from the start")
        )
        form.addRow(self.tr("Ani&mation:"), self.mode_box)
        self.fps_box = QSpinBox()
        self.fps_box.setRange(1, 60)
        self.fps_box.setValue(10)
        self.fps_box.setSuffix(self.tr(" frames/s"))
        self.fps_box.setToolTip(self.tr("Frames per second of the animation"))
        self.step_edit = QLineEdit("1d")
        self.step_edit.setToolTip(self.tr("How far each frame moves: 12h, 1d, 1w"))
        anim_row = QHBoxLayout()
        anim_row.addWidget(self.fps_box)
        anim_row.addWidget(self.step_edit)
        _labelled_row(form, self.tr("Spee&d, step:"), anim_row, self.fps_box)
        self.from_edit, self.to_edit = QDateEdit(), QDateEdit()
        for edit in (self.from_edit, self.to_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        window = target.state.window
        bounds = target.store.time_bounds() or (window.start, window.end)
        self.from_edit.setDate(_qdate(bounds[0]))
        self.to_edit.setDate(_qdate(bounds[1]))
        self.from_edit.setToolTip(self.tr("The first day the animation plays"))
        self.to_edit.setToolTip(self.tr("The last day the animation plays"))
        range_row = QHBoxLayout()
        range_row.addWidget(self.from_edit)
        range_row.addWidget(self.to_edit)
        _labelled_row(form, self.tr("Play &from, to:"), range_row, self.from_edit)
        self.everything_box = QCheckBox(self.tr("All events, not only the time window"))
        form.addRow("", self.everything_box)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Export"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._form = form

        self.format_box.currentIndexChanged.connect(self._on_format_changed)
        self.size_box.currentIndexChanged.connect(self._on_size_changed)
        if previous is not None:
            self._load(previous)
        self._on_format_changed()
        self._on_size_changed()

    # -- reading and writing the fields --------------------------------------------------------

    def _load(self, s: ExportSettings) -> None:
        self.format_box.setCurrentIndex(self.format_box.findData(s.fmt))
        self.path_edit.setText(str(s.path))
        o = s.options
        self.title_edit.setText(o.title)
        sizes = [size for _text, size in SIZES]
        if o.size in sizes[:-1]:
            self.size_box.setCurrentIndex(sizes.index(o.size))
        else:
            self.size_box.setCurrentIndex(len(SIZES) - 1)
            self.width_box.setValue(o.size[0])
            self.height_box.setValue(o.size[1])
        self.scale_box.setCurrentIndex(self.scale_box.findData(o.scale))
        self.caption_box.setChecked(o.caption)
        self.legend_box.setChecked(o.legend)
        self.scale_bar_box.setChecked(o.scale_bar)
        self.attribution_box.setChecked(o.attribution)
        self.timeline_box.setChecked(o.timeline)
        self.graded_box.setChecked(o.graded_legend)
        self.paper_box.setCurrentIndex(self.paper_box.findData(s.paper))
        self.mode_box.setCurrentIndex(self.mode_box.findData(s.mode))
        self.fps_box.setValue(s.fps)
        self.step_edit.setText(s.step)
        self.everything_box.setChecked(s.everything)

    def settings(self) -> ExportSettings:
        """What the fields say now."""
        size = self.size_box.currentData()
        if self.size_box.currentIndex() == len(SIZES) - 1:
            size = (self.width_box.value(), self.height_box.value())
        options = SnapshotOptions(
            title=self.title_edit.text().strip(),
            size=size,
            scale=int(self.scale_box.currentData()),
            caption=self.caption_box.isChecked(),
            legend=self.legend_box.isChecked(),
            scale_bar=self.scale_bar_box.isChecked(),
            attribution=self.attribution_box.isChecked(),
            timeline=self.timeline_box.isChecked(),
            graded_legend=self.graded_box.isChecked(),
        )
        range_start = days_from_datetime(self.from_edit.date().toPython())
        range_end = days_from_datetime(self.to_edit.date().toPython()) + 1
        return ExportSettings(
            fmt=self.format_box.currentData(),
            path=Path(self.path_edit.text().strip()).expanduser(),
            options=options,
            paper=self.paper_box.currentData(),
            everything=self.everything_box.isChecked(),
            mode=self.mode_box.currentData(),
            fps=self.fps_box.value(),
            step=self.step_edit.text().strip() or "1d",
            range_start=range_start,
            range_end=max(range_end, range_start + 1),
        )

    def _on_format_changed(self) -> None:
        fmt = self.format_box.currentData()
        picture = fmt in ("png", "pdf", "gif", "mp4", "frames")
        animated = fmt in ("gif", "mp4", "frames")
        for widget in (self.size_box, self.width_box, self.height_box, self.scale_box):
            widget.setEnabled(fmt != "pdf" and picture)
        for box in (
            self.caption_box,
            self.legend_box,
            self.scale_bar_box,
            self.attribution_box,
            self.timeline_box,
            self.graded_box,
        ):
            box.setEnabled(picture)
        self.paper_box.setEnabled(fmt == "pdf")
        for widget in (self.mode_box, self.fps_box, self.step_edit, self.from_edit, self.to_edit):
            widget.setEnabled(animated)
        self.everything_box.setEnabled(fmt in ("geojson", "csv", "kml"))
        text = self.path_edit.text().strip()
        if text:
            suffix = FORMATS[fmt][1]
            self.path_edit.setText(str(Path(text).with_suffix(suffix)))

    def _on_size_changed(self) -> None:
        custom = self.size_box.currentIndex() == len(SIZES) - 1
        self.width_box.setVisible(custom)
        self.height_box.setVisible(custom)

    def browse_start(self) -> str:
        """Where Browse… opens: the path typed, else the last export's folder."""
        typed = self.path_edit.text().strip()
        if typed:
            return typed
        folder = last_export_folder()
        return str(folder) if folder is not None else ""

    def _browse(self) -> None:
        fmt = self.format_box.currentData()
        if fmt == "frames":
            path = QFileDialog.getExistingDirectory(
                self, self.tr("Folder for the frames"), self.browse_start()
            )
        else:
            text, suffix = FORMATS[fmt]
            path, _filter = QFileDialog.getSaveFileName(
                self, self.tr("Export"), self.browse_start(), f"{self.tr(text)} (*{suffix})"
            )
        if path:
            self.path_edit.setText(path)

    def accept(self) -> None:  # refuses to close without a place to save
        if not self.path_edit.text().strip():
            QMessageBox.warning(self, self.tr("Export"), self.tr("Choose where to save."))
            return
        super().accept()


def _labelled_row(form: QFormLayout, text: str, row: QHBoxLayout, buddy: QWidget) -> None:
    """A form row of several widgets whose label's Alt shortcut focuses ``buddy``.

    QFormLayout gives a label a buddy only when the row is one widget; for a layout it
    would show the "&" as it is.
    """
    label = QLabel(text)
    label.setBuddy(buddy)
    form.addRow(label, row)


def _qdate(t: float) -> QDate:
    moment = datetime_from_days(t)
    return QDate(moment.year, moment.month, moment.day)

