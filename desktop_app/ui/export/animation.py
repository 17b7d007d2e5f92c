"""Animated playback of a date range: GIF, MP4 or a folder of numbered PNG frames.

The map page is loaded once; each frame only moves the time window, waits for the
page to draw and grabs it, on the GUI thread (QtWebEngine lives there). Composing is
cheap; encoding is not, so frames go through a bounded queue to a :class:`FrameEncoder`,
a task of the background runner, that quantizes (GIF), encodes (MP4) or writes (PNG)
while the next frame draws.
Everything is written to a temporary file or folder beside the target that replaces it
only when the last frame is in: a cancel or an error leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import math
import queue
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage

from desktop_app.core.categories import CATEGORIES
from desktop_app.core.export_formats import ANIMATION_FORMATS
from desktop_app.core.playback import PlaybackMode
from desktop_app.core.window import TimeWindow
from desktop_app.files import ExportError, atomic_output
from desktop_app.ui.export.compose import SnapshotOptions
from desktop_app.ui.export.picture import SnapshotMaker
from desktop_app.ui.export.render import MapExtent
from desktop_app.ui.tasks import Task, TaskControl, TaskRunner, background_runner

#: Frames waiting for the encoder; bounds memory at a few 4K frames.
QUEUE_FRAMES = 6


class ExportCancelled(Exception):
    """The user cancelled; nothing was written."""


@dataclass(frozen=True)
class AnimationSpec:
    """Which windows become frames, and how fast they play.

    Parameters
    ----------
    start, end
        The range played, in days since 1970-01-01 (``end`` exclusive).
    step
        How far each frame moves (days).
    length
        The moving window's length (days); None means one step.
    mode
        Moving or cumulative.
    fps
        Frames per second of the result.
    """

    start: float
    end: float
    step: float = 1.0
    length: float | None = None
    mode: PlaybackMode = PlaybackMode.MOVING
    fps: int = 10

    def __post_init__(self) -> None:
        if not self.end > self.start:
            raise ValueError("the animation's range must end after it starts")
        if not self.step > 0:
            raise ValueError("the step must be longer than nothing")
        if not 1 <= self.fps <= 60:
            raise ValueError("frames per second must be 1 to 60")

    def windows(self) -> list[TimeWindow]:
        """One window per frame, in order; the last one reaches the range's end."""
        if self.mode is PlaybackMode.CUMULATIVE:
            count = max(1, math.ceil((self.end - self.start) / self.step - 1e-9))
            return [
                TimeWindow(self.start, min(self.end, self.start + (k + 1) * self.step))
                for k in range(count)
            ]
        length = min(self.length or self.step, self.end - self.start)
        count = max(1, math.ceil((self.end - self.start - length) / self.step - 1e-9) + 1)
        windows = []
        for k in range(count):
            first = min(self.start + k * self.step, self.end - length)
            windows.append(TimeWindow(first, first + length))
        return windows

    @property
    def whole(self) -> TimeWindow:
        return TimeWindow(self.start, self.end)


def parse_step(text: str) -> float:
    """``"1d"``, ``"12h"``, ``"2w"``, ``"30min"`` or a plain number of days -> days."""
    units = {"min": 1 / 1440, "h": 1 / 24, "d": 1.0, "w": 7.0}
    text = text.strip().lower()
    suffix = next((u for u in units if text.endswith(u)), "")
    number, days = (text[: -len(suffix)].strip(), units[suffix]) if suffix else (text, 1.0)
    try:
        value = float(number) * days
    except ValueError:
        raise ValueError(f"{text!r} is not a step like 1d, 12h, 2w or 30min") from None
    if not value > 0:
        raise ValueError("the step must be longer than nothing")
    return value


# -- encoding ------------------------------------------------------------------------------


def image_to_array(image: QImage) -> np.ndarray:
    """An RGB ``height x width x 3`` array of ``image`` (a copy, safe to keep)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    buffer = np.frombuffer(rgb.constBits(), np.uint8, stride * height).reshape(height, stride)
    return buffer[:, : width * 3].reshape(height, width, 3).copy()


class _Sink:
    """Where encoded frames go; ``finish`` completes the file, ``abort`` drops it."""

    def add(self, image: QImage) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        pass

    def abort(self) -> None:
        pass


class GifSink(_Sink):
    """Pillow GIF, one palette for the whole animation so colours do not flicker."""

    def __init__(self, path: Path, fps: int) -> None:
        self.path, self.fps = path, fps
        self.frames: list = []
        self.palette = None

    def add(self, image: QImage) -> None:
        from PIL import Image

        frame = Image.fromarray(image_to_array(image))
        if self.palette is None:
            # Every category's colour joins the palette, even if the first frame lacks it.
            sample = frame.copy()
            swatch = max(4, sample.height // 60)
            for k, c in enumerate(CATEGORIES):
                colour = tuple(int(c.colour[i : i + 2], 16) for i in (1, 3, 5))
                sample.paste(colour, (k * swatch, 0, (k + 1) * swatch, swatch))
            self.palette = sample.quantize(255, method=Image.Quantize.MEDIANCUT)
        self.frames.append(frame.quantize(palette=self.palette, dither=Image.Dither.NONE))

    def finish(self) -> None:
        first, *rest = self.frames
        # GIF durations are in hundredths of a second; Pillow takes milliseconds.
        duration = max(20, round(100 / self.fps) * 10)
        first.save(
            self.path,
            format="GIF",
            save_all=True,
            append_images=rest,
            duration=duration,
            loop=0,
            disposal=1,
        )


class Mp4Sink(_Sink):
    """H.264 in MP4 through imageio's bundled ffmpeg (the optional ``video`` extra)."""

    @staticmethod
    def check_available() -> None:
        """Raise :class:`ExportError` when imageio and its ffmpeg are not installed."""
        try:
            import imageio.v2  # noqa: F401
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise ExportError(
                "MP4 needs the video extra: pip install 'event-atlas[video]'"
            ) from None

    def __init__(self, path: Path, fps: int) -> None:
        self.check_available()
        import imageio.v2 as imageio

        self.writer = imageio.get_writer(
            str(path),
            format="FFMPEG",
            fps=fps,
            codec="libx264",
            pixelformat="yuv420p",
            quality=8,
            macro_block_size=2,
            ffmpeg_log_level="error",
        )

    def add(self, image: QImage) -> None:
        array = image_to_array(image)
        # yuv420p needs even sides.
        self.writer.append_data(array[: array.shape[0] // 2 * 2, : array.shape[1] // 2 * 2])

    def finish(self) -> None:
        self.writer.close()

    def abort(self) -> None:
        # The file is being thrown away; a failure to close it cleanly changes nothing.
        with contextlib.suppress(Exception):
            self.writer.close()


class FramesSink(_Sink):
    """Numbered PNGs in a folder: frame_00001.png, ..."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    def add(self, image: QImage) -> None:
        self.count += 1
        target = self.folder / f"frame_{self.count:05d}.png"
        if not image.save(str(target), "PNG"):
            raise OSError(f"cannot write {target.name}")


def make_sink(fmt: str, path: Path, fps: int) -> _Sink:
    if fmt == "gif":
        return GifSink(path, fps)
    if fmt == "mp4":
        return Mp4Sink(path, fps)
    if fmt == "frames":
        return FramesSink(path)
    raise ValueError(f"unknown animation format {fmt!r} (one of {', '.join(ANIMATION_FORMATS)})")


_DONE = object()


class FrameEncoder:
    """Takes composed frames from a queue and encodes them off the GUI thread, in a task
    of the background runner.

    The GUI thread :meth:`put` s frames and finally calls :meth:`close`, which waits for
    the encoder and raises what it met, if anything.

    Parameters
    ----------
    sink
        Where the frames go.
    runner
        What runs the encoding; the app's background runner by default. It must run
        the work in another thread: the encoder waits for frames the caller puts.
    """

    def __init__(self, sink: _Sink, runner: TaskRunner | None = None) -> None:
        self.sink = sink
        self.frames: queue.Queue = queue.Queue(QUEUE_FRAMES)
        self.error: BaseException | None = None
        self._runner = runner or background_runner()
        self._task = Task(self._encode)

    def start(self) -> None:
        self._runner.start(self._task)

    def _encode(self, _control: TaskControl) -> None:
        failed = False
        while True:
            item = self.frames.get()
            if item is _DONE:
                break
            if failed:
                continue  # drain, so the producer never blocks on a dead encoder
            try:
                self.sink.add(item)
            except Exception as exc:  # any failure: reported to the GUI thread by close()
                self.error, failed = exc, True
        if not failed:
            try:
                self.sink.finish()
            except Exception as exc:
                self.error = exc

    def put(self, image: QImage) -> None:
        """Queue a frame; while the queue is full, keep the GUI responsive."""
        while True:
            try:
                self.frames.put(image, timeout=0.02)
                return
            except queue.Full:
                QCoreApplication.processEvents()

    def close(self, abort: bool = False) -> None:
        self.put(_DONE)
        # The error is read once the work has returned (the wait orders the two).
        while not self._task.wait(20):
            QCoreApplication.processEvents()
        if abort:
            self.sink.abort()
        elif self.error is not None:
            if isinstance(self.error, ExportError):
                raise self.error
            raise OSError(str(self.error)) from self.error


Progress = Callable[[int, int], bool]


def export_animation(
    maker: SnapshotMaker,
    spec: AnimationSpec,
    options: SnapshotOptions,
    path: str | Path,
    fmt: str,
    *,
    extent: MapExtent | None = None,
    view_size: tuple[int, int] | None = None,
    progress: Progress | None = None,
) -> int:
    """Render and encode every frame of ``spec`` to ``path``; returns the frame count.

    ``progress(done, total)`` is called after each frame; returning False cancels, which
    raises :class:`ExportCancelled` and leaves no file. Every frame carries its dates:
    in the caption, or in a badge when the caption is off.
    """
    if fmt not in ANIMATION_FORMATS:
        raise ValueError(f"unknown animation format {fmt!r}")
    if fmt == "mp4":
        Mp4Sink.check_available()
    windows = spec.windows()
    layout = maker.layout(options, view_size)
    path = Path(path)
    with atomic_output(path, directory=fmt == "frames") as temporary:
        encoder = FrameEncoder(make_sink(fmt, temporary, spec.fps))
        encoder.start()
        finished = False
        try:
            for k, window in enumerate(windows):
                maker.renderer(window, layout.map_size, options.scale, extent, spec.whole)
                image = maker.compose_current(window, options, layout, date_always=True)
                encoder.put(image)
                if encoder.error is not None:
                    break
                if progress is not None and not progress(k + 1, len(windows)):
                    raise ExportCancelled()
            finished = True
        finally:
            encoder.close(abort=not finished)
    return len(windows)
