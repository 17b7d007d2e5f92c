"""Event categories and their colours, shared by the map, the timeline and exports.

The palette is Okabe & Ito's, chosen because it stays distinguishable for the
common forms of colour blindness. Nine categories share six marker shapes; two
categories share a shape only where their colours stay far apart under normal
vision and each common colour blindness too (tests/test_palette.py holds them
to it), so neither colour nor shape alone has to tell them apart.
"""

from __future__ import annotations

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


def category(key: str | None) -> Category:
    """The category called ``key``; unknown or missing keys are drawn as "Other"."""
    return _BY_KEY.get(key or "", OTHER)


def category_code(key: str | None) -> int:
    """A small integer for ``key``, used in compact arrays sent to the map page."""
    return CATEGORIES.index(category(key))
