"""Event categories and their colours, shared by the map, the timeline and exports.

The palette is Okabe & Ito's, chosen because it stays distinguishable for the
common forms of colour blindness. Nine categories share six marker shapes; two
categories share a shape only where their colours stay far apart under normal
vision and each common colour blindness too (tests/test_palette.py holds them
to it), so neither colour nor shape alone has to tell them apart.

A dataset may bring categories of its own ("Missile Strike", "drones"): the most frequent
of them get a look of their own (:data:`DATASET_LOOKS`, held to the same test) and their
label as the data wrote it; any further ones are drawn as "Other".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """One kind of event, with how it is drawn everywhere in the app."""

    key: str
    label: str
    colour: str
    shape: str


CATEGORIES: tuple[Category, ...] = (
    Category("diplomacy", "Diplomacy", "#0072B2", "circle"),
    Category("strike", "Strike", "#D55E00", "triangle"),
    Category("military", "Military", "#E69F00", "square"),
    Category("electronic_warfare", "Electronic warfare", "#CC79A7", "diamond"),
    Category("humanitarian", "Humanitarian", "#009E73", "cross"),
    Category("statement", "Statement", "#56B4E9", "star"),
    Category("politics", "Politics", "#F0E442", "circle"),
    Category("economy", "Economy", "#8C6D31", "star"),
    Category("other", "Other", "#7F7F7F", "triangle"),
)

OTHER = CATEGORIES[-1]
_BY_KEY = {c.key: c for c in CATEGORIES}

#: The looks (colour, shape) of a dataset's own categories, the most frequent first: each
#: takes a shape only one palette category has, in a colour far from that one's.
DATASET_LOOKS: tuple[tuple[str, str], ...] = (
    ("#332288", "square"),
    ("#000000", "diamond"),
    ("#6F4E9C", "cross"),
)


def readable_label(key: str) -> str:
    """A stored category as the user reads it: "missile_strike" is "Missile strike",
    "Missile Strike" stays as written."""
    text = " ".join(key.replace("_", " ").split())
    return text[:1].upper() + text[1:]


def category_label(key: str | None) -> str:
    """What a stored category is called: the palette's label, or for a dataset's own
    category its :func:`readable_label` (never "Other" for a name the data gave)."""
    if not key or key in _BY_KEY:
        return category(key).label
    return readable_label(key)


def dataset_categories(keys: Iterable[str]) -> tuple[Category, ...]:
    """A category of its own for each of the first keys (most frequent first) that the
    palette lacks, as many as there are :data:`DATASET_LOOKS`."""
    own = [k for k in dict.fromkeys(keys) if k and k not in _BY_KEY][: len(DATASET_LOOKS)]
    return tuple(
        Category(key, readable_label(key), colour, shape)
        for key, (colour, shape) in zip(own, DATASET_LOOKS, strict=False)
    )


def code_colours() -> tuple[str, ...]:
    """The colour of each category code the views draw: the palette's, then, from
    ``len(CATEGORIES)`` on, those of a dataset's own categories in the order
    :func:`dataset_categories` gives them (the map, the timeline and the legends all
    paint a code in this one colour)."""
    return tuple(c.colour for c in CATEGORIES) + tuple(colour for colour, _s in DATASET_LOOKS)


def drawn_category(key: str | None, own: Iterable[Category] = ()) -> Category:
    """How an event of the stored category ``key`` is drawn, given the dataset's ``own``
    categories (:func:`dataset_categories`): as its own, else as the palette's (or Other)."""
    for c in own:
        if c.key == key:
            return c
    return category(key)


def category(key: str | None) -> Category:
    """The category called ``key``; unknown or missing keys are drawn as "Other"."""
    return _BY_KEY.get(key or "", OTHER)


def category_code(key: str | None) -> int:
    """A small integer for ``key``, used in compact arrays sent to the map page."""
    return CATEGORIES.index(category(key))
