"""The online base layers offered are the ones that work without an account or key."""

from __future__ import annotations

import warnings

from desktop_app.mapgen.page import ONLINE_LAYERS, PageSpec, build_page
from desktop_app.ui import settings as opt
from desktop_app.ui.settings import Settings
from tests.mapping import open_window


def test_no_layer_offered_needs_a_key():
    for key, provider in ONLINE_LAYERS.items():
        assert not provider.requires_token(), key
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # folium warns about layers that need a key
            build_page(PageSpec(window=(0, 1), online_layer=key))


def test_a_remembered_layer_no_longer_offered_falls_back_to_the_outlines(qtbot, seed_db):
    Settings().set(opt.ONLINE_LAYER, "positron")
    window = open_window(qtbot, seed_db)
    assert window.map_view.online_layer is None
    assert window._layer_actions[""].isChecked()
    assert set(window._layer_actions) == {"", *ONLINE_LAYERS}
    assert not [a for a in window._layer_actions.values() if "CARTO" in a.text()]
