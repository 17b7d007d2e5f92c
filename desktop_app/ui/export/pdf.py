"""A one-page PDF of the map with its caption and legend, printed by QtWebEngine.

The page printed is a small HTML document: the title and dates as real (selectable)
text, the map as a 2x picture with its scale bar and credits, and the legend as text
with the categories' shapes in SVG. It is sized to the paper's printable area, so it
is always exactly one landscape page.
"""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import QColor, QPageLayout, QPageSize
from PySide6.QtWebEngineCore import QWebEnginePage

from desktop_app.core.categories import CATEGORIES, Category
from desktop_app.core.window import TimeWindow
from desktop_app.files import ExportError, atomic_output
from desktop_app.mapgen.embed import ContentPolicy
from desktop_app.mapgen.standalone import shape_svg
from desktop_app.ui.export.compose import (
    HALO_EDGE,
    HALO_FILL,
    HALO_NOTE,
    SnapshotOptions,
    events_on_map,
    legend_entries,
    tr,
)
from desktop_app.ui.export.picture import SnapshotMaker, shown_count
from desktop_app.ui.export.render import wait_until
from desktop_app.ui.words import window_in_words

PAPERS = {"a4": QPageSize.PageSizeId.A4, "letter": QPageSize.PageSizeId.Letter}
MARGIN_MM = 10.0
#: CSS pixels per millimetre (96 per inch), the unit Chromium lays print pages out in.
PX_PER_MM = 96 / 25.4
#: Room for the caption above the map and the legend below it, in millimetres.
CAPTION_MM = 20.0
LEGEND_MM = 12.0
PRINT_TIMEOUT_MS = 60_000


def page_layout(paper: str) -> QPageLayout:
    return QPageLayout(
        QPageSize(PAPERS[paper]),
        QPageLayout.Orientation.Landscape,
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )


def _rgba(colour: QColor) -> str:
    return f"rgba({colour.red()},{colour.green()},{colour.blue()},{colour.alphaF():.3f})"


#: A place's halo as the legend shows it: a shaded, dashed ring in the colours the
#: picture's legend paints it (compose.paint_legend), as the map draws one.
_HALO_SVG = (
    '<svg width="14" height="14" viewBox="0 0 14 14"><circle cx="7" cy="7" r="6" '
    f'fill="{_rgba(HALO_FILL)}" stroke="{_rgba(HALO_EDGE)}" stroke-width="1" '
    'stroke-dasharray="3 2"/></svg>'
)


def _page_html(
    title: str,
    subtitle: str,
    legend: list[tuple[Category, int]],
    map_mm: tuple,
    halo_note: str | None = None,
) -> str:
    items = "".join(
        f'<span class="item">{shape_svg(c.shape, c.colour, 14)} '
        f"{escape(c.label)} ({count:,})</span>"
        for c, count in legend
    )
    if halo_note:
        items += f'<span class="item">{_HALO_SVG} {escape(halo_note)}</span>'
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
  @page {{ margin: 0; }}
  html, body {{ margin: 0; padding: 0; font-family: sans-serif; color: #1b1f24; }}
  h1 {{ font-size: 20pt; margin: 0 0 1mm 0; white-space: nowrap; overflow: hidden;
        text-overflow: ellipsis; }}
  .sub {{ font-size: 12pt; color: #4a5360; height: 6mm; }}
  .caption {{ height: {CAPTION_MM - 2}mm; }}
  img {{ display: block; width: {map_mm[0]}mm; height: {map_mm[1]}mm; }}
  .legend {{ margin-top: 2mm; font-size: 10pt; }}
  .legend .item {{ margin-right: 6mm; white-space: nowrap; }}
  .legend svg {{ vertical-align: -2px; }}
</style></head>
<body>
  <div class="caption"><h1>{escape(title)}</h1><div class="sub">{escape(subtitle)}</div></div>
  <img src="map.png" alt="">
  <div class="legend">{items}</div>
</body></html>
"""


def export_pdf(
    maker: SnapshotMaker,
    window: TimeWindow,
    options: SnapshotOptions,
    path: str | Path,
    *,
    paper: str = "a4",
    extent=None,
) -> None:
    """Print ``window``'s map with caption and legend to a one-page landscape PDF."""
    layout = page_layout(paper)
    area = layout.paintRect(QPageLayout.Unit.Millimeter)
    top = CAPTION_MM if options.caption else 0.0
    bottom = LEGEND_MM if options.legend else 0.0
    map_mm = (round(area.width(), 1), round(area.height() - top - bottom - 1, 1))
    map_px = (round(map_mm[0] * PX_PER_MM), round(map_mm[1] * PX_PER_MM))
    # The map picture carries only what belongs on the map; text goes into the page.
    picture = SnapshotOptions(
        title=options.title,
        size=map_px,
        scale=2,
        caption=False,
        legend=False,
        scale_bar=options.scale_bar,
        attribution=options.attribution,
        # On the map, top right: the category legend is the page's, under the map.
        graded_legend=options.graded_legend,
    )
    image = maker.snapshot(window, picture, extent=extent)
    renderer = maker.renderer(window, map_px, 2, extent)
    info = renderer.view_info()
    subtitle = f"{window_in_words(window)} · {events_on_map(shown_count(info))}"
    drawn = info.get("drawn", CATEGORIES)
    legend = legend_entries(info.get("categories", {}), drawn) if options.legend else []
    # Said only when the map drew halos, as the picture's own legend does.
    halo_note = tr(HALO_NOTE) if options.legend and renderer.halos_drawn() else None
    with tempfile.TemporaryDirectory(prefix="event-atlas-pdf-") as folder:
        folder = Path(folder)
        if not image.save(str(folder / "map.png"), "PNG"):
            raise ExportError(f"{path}: cannot prepare the map picture")
        title = options.title if options.caption else ""
        html = _page_html(title, subtitle if options.caption else "", legend, map_mm, halo_note)
        # The page runs no script and loads only its own picture, whatever the title says.
        html = ContentPolicy(image_sources=("file:",)).apply(html)
        (folder / "page.html").write_text(html, encoding="utf-8")
        data = print_to_pdf(QUrl.fromLocalFile(str(folder / "page.html")), layout)
    with atomic_output(path) as temporary:
        temporary.write_bytes(data)


def print_to_pdf(url: QUrl, layout: QPageLayout) -> bytes:
    """Load ``url`` in an offscreen page and print it with ``layout``."""
    page = QWebEnginePage()
    try:
        loaded: list[bool] = []
        # A lambda, not loaded.append: PySide6 drops a reference to the bool it passes
        # to a builtin method, which crashes the interpreter at exit.
        page.loadFinished.connect(lambda ok: loaded.append(bool(ok)))
        page.load(url)
        if not wait_until(lambda: bool(loaded), PRINT_TIMEOUT_MS) or not loaded[0]:
            raise ExportError("the PDF page did not load")
        result: list = []
        page.printToPdf(result.append, layout)
        if not wait_until(lambda: bool(result), PRINT_TIMEOUT_MS):
            raise ExportError("printing the PDF took too long")
        data = bytes(result[0].data()) if hasattr(result[0], "data") else bytes(result[0])
        if not data.startswith(b"%PDF"):
            raise ExportError("printing the PDF failed")
        return data
    finally:
        page.deleteLater()
