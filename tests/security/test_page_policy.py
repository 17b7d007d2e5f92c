"""What the map page may load: our scheme, and only the one tile host the user chose."""

from __future__ import annotations

import re

import pytest

from desktop_app.mapgen.embed import tile_host_source
from desktop_app.mapgen.page import PageSpec, build_page


def policy(html: str) -> dict[str, list[str]]:
    text = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in text.split(";")) if d}


def test_offline_page_loads_images_only_from_the_app():
    rules = policy(build_page(PageSpec(window=(0, 1))))
    assert rules["img-src"] == ["atlas:", "data:"]
    assert rules["default-src"] == ["'none'"] and rules["base-uri"] == ["'none'"]
    assert all(s.startswith(("atlas:", "'sha256-")) for s in rules["script-src"])


def test_online_layer_adds_its_own_host_and_nothing_else():
    rules = policy(build_page(PageSpec(window=(0, 1), online_layer="osm")))
    assert rules["img-src"] == ["atlas:", "data:", "https://tile.openstreetmap.org"]
    rules = policy(build_page(PageSpec(window=(0, 1), online_layer="imagery")))
    assert rules["img-src"] == ["atlas:", "data:", "https://server.arcgisonline.com"]


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://{s}.basemaps.example.com/{z}/{x}/{y}.png", "https://*.basemaps.example.com"),
        ("https://tiles.example.org:8443/{z}/{x}/{y}.png", "https://tiles.example.org:8443"),
    ],
)
def test_tile_host_source(url, source):
    assert tile_host_source(url) == source


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "https://a b/{z}", "https://x.org;img-src *"]
)
def test_tile_host_source_refuses_what_is_not_a_host(url):
    with pytest.raises(ValueError):
        tile_host_source(url)
