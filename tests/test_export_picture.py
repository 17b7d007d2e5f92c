"""Pictures, pages and animations from the real map page, offscreen."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading

import pytest
from PIL import Image
from PySide6.QtCore import QRectF, QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtWebEngineWidgets import QWebEngineView

from desktop_app.core.categories import category
from desktop_app.core.dates import event_span
from desktop_app.core.event import Event, Place
from desktop_app.core.playback import PlaybackMode
from desktop_app.core.window import TimeWindow
from desktop_app.files import ExportError
from desktop_app.store.event_store import EventStore
from desktop_app.ui.export.animation import (
    QUEUE_FRAMES,
    AnimationSpec,
    ExportCancelled,
    FrameEncoder,
    FramesSink,
    export_animation,
)
from desktop_app.ui.export.compose import (
    SnapshotOptions,
    caption_height,
    layout_for,
    paint_caption,
)
from desktop_app.ui.export.picture import SnapshotMaker, save_image
from desktop_app.ui.export.render import MapExtent
from desktop_app.ui.words import window_in_words
from tests.mapping import js, open_map

PLACES = {
    "lisbon": (Place("Lisbon", 38.72, -9.14), "diplomacy", "2025-06-01"),
    "kyiv": (Place("Kyiv", 50.45, 30.52), "strike", "2025-06-02"),
    "ankara": (Place("Ankara", 39.93, 32.86), "humanitarian", "2025-06-03"),
}
DAY = event_span("2025-06-01", None, "day")[0]
WINDOW = TimeWindow(DAY, DAY + 3)
SIZE = (640, 400)
NASTY = 'Said "<img src=x onerror=alert(1)>" & <b>left</b>'


@pytest.fixture
def three_places(tmp_path):
    path = tmp_path / "three.db"
    with EventStore(path) as store:
        store.add_events(
            Event(
                uid=key, title=key.title(), start=start, place=place, category=cat,
                excerpt=NASTY, sources=("Reuters",),
            )
            for key, (place, cat, start) in PLACES.items()
        )  # fmt: skip
    return path


def _close(colour: QColor, hex_colour: str) -> bool:
    want = QColor(hex_colour)
    gap = abs(colour.hsvHue() - want.hsvHue())
    return min(gap, 360 - gap) <= 12 and colour.hsvSaturation() >= 60


def _distinct_colours(image: QImage, step: int = 7) -> int:
    return len(
        {
            image.pixel(x, y)
            for x in range(0, image.width(), step)
            for y in range(0, image.height(), step)
        }
    )


@pytest.mark.parametrize(("size", "scale"), [((640, 400), 1), ((480, 300), 2)])
def test_snapshot_has_the_size_asked_and_content(qtbot, three_places, size, scale):
    with EventStore(three_places) as store, SnapshotMaker(store) as maker:
        image = maker.snapshot(WINDOW, SnapshotOptions("Three places", size, scale))
    assert (image.width(), image.height()) == (size[0] * scale, size[1] * scale)
    assert _distinct_colours(image) > 20


def test_exported_markers_are_where_the_screen_shows_them(qtbot, three_places):
    with EventStore(three_places) as store:
        view = open_map(qtbot, store, WINDOW, size=SIZE)
        js(qtbot, view, "EventAtlas.map.setView([44, 12], 4, {animate: false}) && true")
        info = js(qtbot, view, "EventAtlas.viewInfo()")
        ids = {e.uid: e.id for e in store.all_events()}
        on_screen = {k: js(qtbot, view, f"EventAtlas.pixelOf({ids[k]})") for k in PLACES}
        options = SnapshotOptions("Three places", size=None, legend=False, scale_bar=False)
        with SnapshotMaker(store) as maker:
            image = maker.snapshot(
                WINDOW, options, extent=MapExtent.from_view_info(info), view_size=SIZE
            )
    top = caption_height(1.0)
    assert (image.width(), image.height()) == (SIZE[0], SIZE[1] + top)
    for key, (x, y) in on_screen.items():
        colour = image.pixelColor(round(x), round(y) + top)
        assert _close(colour, category(PLACES[key][1]).colour), (key, colour.name())


def test_caption_text_is_drawn(qtbot, three_places):
    options = SnapshotOptions("WWWWWWWW", (640, 400))
    with EventStore(three_places) as store, SnapshotMaker(store) as maker:
        image = maker.snapshot(WINDOW, options)
        bare = maker.snapshot(WINDOW, SnapshotOptions("", (640, 400)))
    layout = layout_for(options)
    title_box = QRectF(18, layout.caption.top() + 8, 150, 28).toRect()
    dark = [
        (x, y)
        for x in range(title_box.left(), title_box.right())
        for y in range(title_box.top(), title_box.bottom())
        if QColor(image.pixel(x, y)).lightness() < 100
    ]
    assert len(dark) > 300  # eight bold Ws, not an empty band
    assert all(QColor(bare.pixel(x, y)).lightness() > 200 for x, y in dark)


def test_window_in_words():
    assert window_in_words(TimeWindow(DAY - 1, DAY + 2)) == "31 May – 2 June 2025"
    assert window_in_words(TimeWindow(DAY + 1, DAY + 4)) == "2–4 June 2025"
    assert window_in_words(TimeWindow(DAY + 1, DAY + 2)) == "2 June 2025"
    assert window_in_words(TimeWindow(DAY - 152, DAY + 2)) == "31 December 2024 – 2 June 2025"
    assert window_in_words(TimeWindow(DAY + 0.25, DAY + 0.5)) == "1 June 2025, 06:00–12:00"


def test_pdf_is_one_landscape_page(qtbot, three_places, tmp_path):
    import pypdf

    from desktop_app.ui.export.pdf import export_pdf

    for paper, (width, height) in (("a4", (842, 595)), ("letter", (792, 612))):
        out = tmp_path / f"{paper}.pdf"
        with EventStore(three_places) as store, SnapshotMaker(store) as maker:
            export_pdf(maker, WINDOW, SnapshotOptions("Three places"), out, paper=paper)
        reader = pypdf.PdfReader(out)
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert abs(float(box.width) - width) < 3 and abs(float(box.height) - height) < 3
        assert "Three places" in reader.pages[0].extract_text()


def test_standalone_html_opens_offline_with_markers_and_escaped_popups(
    qtbot, three_places, tmp_path
):
    from desktop_app.ui.export.job import write_standalone_html

    out = tmp_path / "map.html"
    with EventStore(three_places) as store:
        assert write_standalone_html(out, store, WINDOW, title="Three <places>") == 3
    text = out.read_text(encoding="utf-8")
    assert "<script src" not in text and 'rel="stylesheet"' not in text
    view = QWebEngineView()
    qtbot.addWidget(view)
    view.resize(800, 600)
    with qtbot.waitSignal(view.loadFinished, timeout=30_000) as loaded:
        view.load(QUrl.fromLocalFile(str(out)))
    assert loaded.args == [True]

    def run(code: str):
        with qtbot.waitCallback(timeout=10_000) as callback:
            view.page().runJavaScript(code, 0, callback)
        return callback.args[0]

    assert run("typeof L") == "object"
    assert run("document.querySelectorAll('.ea-marker').length") == 3
    run("window.eaMarkers[0].openPopup(); true")
    assert run("document.querySelectorAll('.leaflet-popup-content img').length") == 0
    shown = run("document.querySelector('.leaflet-popup-content').textContent")
    assert NASTY in shown and "Reuters" in shown
    assert run("document.title") == "Three <places>"


def _caption_band(image: QImage, height: int) -> list[int]:
    return [image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, height, 3)]


def test_gif_has_a_frame_per_window_each_with_its_dates(qtbot, three_places, tmp_path):
    spec = AnimationSpec(DAY, DAY + 3, step=1, fps=5)
    windows = spec.windows()
    assert len(windows) == 3
    options = SnapshotOptions("Playback", (480, 300))
    out = tmp_path / "play.gif"
    with EventStore(three_places) as store, SnapshotMaker(store) as maker:
        assert export_animation(maker, spec, options, out, "gif") == 3
    gif = Image.open(out)
    assert gif.n_frames == 3
    assert gif.info["duration"] == 200
    layout = layout_for(options)
    band = round(layout.caption.height())
    expected = []
    for window in windows:
        picture = QImage(480, band, QImage.Format.Format_RGB32)
        from PySide6.QtGui import QPainter

        painter = QPainter(picture)
        paint_caption(painter, QRectF(0, 0, 480, band), "Playback", window_in_words(window), 1.0)
        painter.end()
        expected.append(picture)
    for k in range(3):
        gif.seek(k)
        frame = gif.convert("RGB")
        got = [frame.getpixel((x, y)) for x in range(0, 480, 3) for y in range(0, band, 3)]

        def gap(picture: QImage, got=got) -> int:
            want = _caption_band(picture, band)
            return sum(
                abs(QColor(w).red() - g[0]) + abs(QColor(w).green() - g[1])
                for w, g in zip(want, got, strict=True)
            )

        gaps = [gap(picture) for picture in expected]
        assert gaps.index(min(gaps)) == k, gaps  # frame k carries window k's dates


def test_cumulative_frames_folder(qtbot, three_places, tmp_path):
    spec = AnimationSpec(DAY, DAY + 3, step=1, mode=PlaybackMode.CUMULATIVE)
    assert [w.start for w in spec.windows()] == [DAY] * 3
    out = tmp_path / "frames"
    with EventStore(three_places) as store, SnapshotMaker(store) as maker:
        export_animation(maker, spec, SnapshotOptions("", (320, 200), caption=False), out, "frames")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["frame_00001.png", "frame_00002.png", "frame_00003.png"]
    assert QImage(str(out / names[0])).size().width() == 320


@pytest.mark.skipif(importlib.util.find_spec("imageio_ffmpeg") is None, reason="no [video] extra")
def test_mp4(qtbot, three_places, tmp_path):
    import imageio.v2 as imageio

    out = tmp_path / "play.mp4"
    spec = AnimationSpec(DAY, DAY + 3, step=0.5, fps=5)
    with EventStore(three_places) as store, SnapshotMaker(store) as maker:
        export_animation(maker, spec, SnapshotOptions("", (320, 200)), out, "mp4")
    reader = imageio.get_reader(str(out))
    assert reader.count_frames() == len(spec.windows()) == 6
    assert reader.get_meta_data()["size"] == (320, 200)


def _frame(colour: str) -> QImage:
    image = QImage(64, 40, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    return image


def test_frames_are_encoded_off_the_gui_thread_in_order(qtbot, tmp_path):
    colours = ["#d62728", "#2ca02c", "#1f77b4"] * 4
    encoder = FrameEncoder(FramesSink(tmp_path))
    encoder.start()
    for colour in colours:
        encoder.put(_frame(colour))
    encoder.close()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"frame_{k:05d}.png" for k in range(1, len(colours) + 1)]
    got = [QImage(str(tmp_path / name)).pixelColor(5, 5).name() for name in names]
    assert got == colours
    assert encoder._task.ran_in is not None and encoder._task.ran_in != threading.get_ident()


def test_an_encoding_error_reaches_the_caller_and_never_blocks_it(qtbot, tmp_path):
    encoder = FrameEncoder(FramesSink(tmp_path / "gone"))
    encoder.start()
    # Far more frames than the queue holds: the failed encoder keeps draining them.
    for _ in range(QUEUE_FRAMES * 4):
        encoder.put(_frame("#000000"))
    with pytest.raises(OSError, match="frame_00001.png"):
        encoder.close()


def test_cancel_and_unwritable_leave_no_file(qtbot, three_places, tmp_path):
    out = tmp_path / "play.gif"
    with EventStore(three_places) as store, SnapshotMaker(store) as maker:
        with pytest.raises(ExportCancelled):
            export_animation(
                maker, AnimationSpec(DAY, DAY + 3, step=0.5), SnapshotOptions("", (320, 200)),
                out, "gif", progress=lambda done, total: done < 2,
            )  # fmt: skip
        image = maker.snapshot(WINDOW, SnapshotOptions("", (320, 200)))
    assert list(tmp_path.iterdir()) == [tmp_path / "three.db"] or not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    with pytest.raises(ExportError):
        save_image(image, tmp_path / "three.db" / "x.png")


def test_cli_export_png_and_one_line_error(three_places, tmp_path):
    out = tmp_path / "map.png"
    command = [sys.executable, "-m", "desktop_app", "export"]
    result = subprocess.run(
        [*command, "png", "-o", str(out), "--db", str(three_places), "--from", "2025-06-01",
         "--to", "2025-06-03", "--size", "400x300", "--scale", "2", "--with-timeline"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert QImage(str(out)).size().toTuple() == (800, 600)
    result = subprocess.run(
        [*command, "png", "-o", str(tmp_path / "nowhere" / "x.png"), "--db", str(three_places)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "nowhere" in errors[0], result.stderr
    assert not (tmp_path / "nowhere").exists()
