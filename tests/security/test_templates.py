"""No data value ever reaches a template engine: Jinja syntax in data is only text."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from desktop_app.cli import main
from desktop_app.geo.mbtiles import MBTiles
from desktop_app.mapgen.page import ATTRIBUTION_ID, MBTilesLayer, PageSpec, build_page
from tests.test_mbtiles import make_mbtiles


#: Template code that would write a file beside the test if any engine evaluated it.
def rce(marker) -> str:
    return "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"


TEMPLATE_TEXTS = ["{{citation needed}}", "{% if", "{{ 7*7 }} and {{7*7}}", "{# note", "${7*7}"]


def data_block(html: str, element_id: str):
    match = re.search(
        rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


def geojson_with_titles(path, titles: list[str]) -> None:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [30.5 + i / 10, 50.4]},
            "properties": {"title": t, "date": "2025-06-02", "description": t, "place": t},
        }
        for i, t in enumerate(titles)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def test_html_export_of_template_code_runs_nothing_and_shows_it_literally(tmp_path, monkeypatch):
    marker = tmp_path / "pwned.txt"
    titles = [rce(marker), *TEMPLATE_TEXTS]
    source = tmp_path / "events.geojson"
    geojson_with_titles(source, titles)
    monkeypatch.setenv("EVENT_ATLAS_DB", str(tmp_path / "store.db"))
    runner = CliRunner()
    imported = runner.invoke(main, ["import", str(source)])
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "map.html"
    result = runner.invoke(
        main, ["export", "html", "-o", str(out), "--from", "2025-06-02", "--to", "2025-06-02"]
    )
    assert result.exit_code == 0, result.output
    assert not marker.exists()
    page = data_block(out.read_text(encoding="utf-8"), "atlas-standalone")
    assert sorted(e["title"] for e in page["events"]) == sorted(titles)
    assert sorted(e["excerpt"] for e in page["events"]) == sorted(titles)


def test_mbtiles_credit_with_template_code_is_text_in_the_page(tmp_path):
    marker = tmp_path / "pwned.txt"
    credit = rce(marker) + " {% if %} {{7*7}}"
    html = build_page(
        PageSpec(window=(0, 1), mbtiles=MBTilesLayer(name=credit, attribution=credit))
    )
    assert not marker.exists()
    assert data_block(html, ATTRIBUTION_ID) == credit.replace("'", "&#x27;")
    # Nothing from the file appears anywhere else in the page.
    assert html.count("cycler") == 1


def test_live_page_shows_a_template_credit_literally(qtbot, seed_store, tmp_path):
    from desktop_app.mapgen.payload import encode_events
    from desktop_app.ui.map.describe import describe_events
    from desktop_app.ui.map.view import MapView
    from desktop_app.ui.view_state import ViewState
    from tests.mapping import PAGE_TIMEOUT_MS, js

    marker = tmp_path / "pwned.txt"
    credit = "<b>" + rce(marker) + "</b> {{7*7}} {% if %}"
    path = make_mbtiles(tmp_path / "t.mbtiles", attribution=credit)
    payload = encode_events(seed_store.arrays())
    first = seed_store.time_bounds()[0]
    from desktop_app.core.window import TimeWindow

    state = ViewState(TimeWindow(first, first + 31))
    view = MapView(state, lambda: payload, describe_events(seed_store), mbtiles=MBTiles.open(path))
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.is_ready, timeout=PAGE_TIMEOUT_MS)
    shown = js(qtbot, view, "EventAtlas.map.attributionControl.getContainer().textContent")
    assert rce(marker) + " {{7*7}} {% if %}" in shown
    assert not marker.exists()


def test_our_templates_name_only_map_variables():
    """Every Jinja template of ours fills in nothing but a map's JavaScript name."""
    import ast
    from pathlib import Path

    import desktop_app

    allowed = {"this._parent.get_name()", "this.get_name()"}
    found = []
    for source in Path(desktop_app.__file__).parent.rglob("*.py"):
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Template":
                text = "".join(
                    n.value
                    for n in ast.walk(node)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                )
                found.append(source.name)
                for expression in re.findall(r"\{\{(.*?)\}\}", text, re.S):
                    assert expression.strip() in allowed, (source, expression)
    assert "folium_page.py" in found
