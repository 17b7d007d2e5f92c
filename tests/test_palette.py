"""Every category can be told apart from every other one, by shape or clearly by colour.

Two categories that share a marker shape must differ in colour by at least
:data:`MIN_DELTA_E` (CIELAB ΔE, CIE 1976) under normal vision and under simulated
deuteranopia, protanopia and tritanopia (Machado, Oliveira & Fernandes 2009, full
severity, as implemented by colorspacious).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert

from desktop_app.core.categories import CATEGORIES, DATASET_LOOKS, dataset_categories
from desktop_app.mapgen.standalone import SHAPE_SVG

MIN_DELTA_E = 40.0
VISIONS = (None, "deuteranomaly", "protanomaly", "tritanomaly")


def lab(colour: str, vision: str | None) -> np.ndarray:
    rgb = np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)]) / 255
    if vision is not None:
        cvd = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
        rgb = np.clip(cspace_convert(rgb, cvd, "sRGB1"), 0, 1)
    return cspace_convert(rgb, "sRGB1", "CIELab")


def delta_e(a: str, b: str, vision: str | None) -> float:
    return float(np.linalg.norm(lab(a, vision) - lab(b, vision)))


#: The palette and as many of a dataset's own categories as get a look of their own.
EVERY_LOOK = CATEGORIES + dataset_categories(f"own {k}" for k in range(len(DATASET_LOOKS)))

SAME_SHAPE = [
    (a, b) for a, b in itertools.combinations(EVERY_LOOK, 2) if a.shape == b.shape
]


@pytest.mark.parametrize("vision", VISIONS, ids=lambda v: v or "normal")
@pytest.mark.parametrize("pair", SAME_SHAPE, ids=lambda p: f"{p[0].key}-{p[1].key}")
def test_categories_sharing_a_shape_differ_clearly_in_colour(pair, vision):
    a, b = pair
    assert delta_e(a.colour, b.colour, vision) >= MIN_DELTA_E, (a.key, b.key, a.shape)


def test_no_shape_is_shared_by_more_than_two_categories():
    shapes = [c.shape for c in EVERY_LOOK]
    assert max(shapes.count(s) for s in shapes) <= 2


def test_every_shape_is_one_the_pages_draw():
    assert {c.shape for c in EVERY_LOOK} <= set(SHAPE_SVG)


def test_a_dataset_s_own_categories_each_have_a_look_and_their_label():
    own = dataset_categories(["Missile Strike", "strike", "drones", "civilian_damage", "x"])
    assert [(c.key, c.label) for c in own] == [
        ("Missile Strike", "Missile Strike"),
        ("drones", "Drones"),
        ("civilian_damage", "Civilian damage"),
    ]
    assert len({c.colour for c in EVERY_LOOK}) == len(EVERY_LOOK)


def test_the_check_tells_close_colours_apart():
    # The two blues that once were both circles are too close, however they are seen.
    assert delta_e("#0072B2", "#56B4E9", None) < MIN_DELTA_E
    # Orange and yellow, apart to most eyes, come close under deuteranopia: the
    # simulation changes what is compared.
    assert delta_e("#E69F00", "#F0E442", None) > 30
    assert delta_e("#E69F00", "#F0E442", "deuteranomaly") < 20
