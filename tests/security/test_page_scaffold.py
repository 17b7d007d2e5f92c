"""The page scaffold kept in the user's cache (mapgen/scaffold.py) holds nothing from a
store or a tile file: their text reaches the page only in its JSON data blocks, put in
after the scaffold, whether the scaffold was rendered now or read back from the cache."""

from __future__ import annotations

import json
import re

import pytest

from desktop_app.core.categories import CATEGORIES, Category
from desktop_app.mapgen.page import (
    ATTRIBUTION_ID,
    CONFIG_ID,
    MBTilesLayer,
    PageSpec,
    build_page,
    page_scaffold,
    scaffold_folder,
    scaffold_key_parts,
)
from tests.security.test_templates import rce

HOSTILE = "</script><script>window.hacked=1</script>{{ 7*7 }}"
DATA_BLOCK = re.compile(r'<script type="application/json" id="([\w-]+)">(.*?)</script>', re.S)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENT_ATLAS_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def hostile_spec(marker) -> PageSpec:
    credit = rce(marker) + HOSTILE
    return PageSpec(
        window=(20000.0, 20031.0),
        center=(10.0, 20.0),
        zoom=9,
        halo_note=HOSTILE,
        categories=CATEGORIES + (Category(HOSTILE, HOSTILE, "#123456", "star"),),
        mbtiles=MBTilesLayer(name=credit, attribution=credit, max_zoom=10),
    )


def test_no_text_of_a_store_or_tile_file_enters_the_scaffold_or_its_key(cache, tmp_path):
    """One scaffold serves every store, window and view: titles, places, categories and
    credits are not part of it."""
    spec = hostile_spec(tmp_path / "pwned.txt")
    plain = PageSpec(window=(0, 1), mbtiles=MBTilesLayer(name="x", attribution="x", max_zoom=10))
    assert scaffold_key_parts(spec) == scaffold_key_parts(plain)
    assert "hacked" not in json.dumps(scaffold_key_parts(spec))
    assert page_scaffold(spec) == page_scaffold(plain)
    kept = list(scaffold_folder().glob("scaffold-*.html"))
    assert len(kept) == 1
    text = kept[0].read_text(encoding="utf-8")
    assert "hacked" not in text and "cycler" not in text
    assert not (tmp_path / "pwned.txt").exists()


def test_a_page_from_the_kept_scaffold_has_the_hostile_text_only_in_its_data(cache, tmp_path):
    marker = tmp_path / "pwned.txt"
    spec = hostile_spec(marker)
    fresh = build_page(spec)  # renders the scaffold and keeps it
    assert list(scaffold_folder().glob("scaffold-*.html"))
    again = build_page(spec)  # from the kept scaffold
    assert again == fresh
    assert not marker.exists()
    blocks = {name: body for name, body in DATA_BLOCK.findall(again)}
    outside = DATA_BLOCK.sub("", again)
    # Neither the text nor its template code appear outside the data blocks.
    assert "hacked" not in outside and "cycler" not in outside and "7*7" not in outside
    # Inside them it is JSON that cannot end its element, and reads back as written.
    assert "</script" not in "".join(blocks.values())
    settings = json.loads(blocks[CONFIG_ID])
    assert settings["halo_note"] == HOSTILE
    assert HOSTILE in {c["label"] for c in settings["categories"]} | {
        c["key"] for c in settings["categories"]
    }
    assert "hacked" in json.loads(blocks[ATTRIBUTION_ID])
