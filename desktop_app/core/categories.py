"""Event categories and their colours, shared by the map, the timeline and exports.

The palette is Okabe & Ito's, chosen because it stays distinguishable for the
common forms of colour blindness; each category also has its own marker shape
so colour is never the only cue.
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
    Category("statement", "Statement", "#56B4E9", "circle"),
    Category("politics", "Politics", "#F0E442", "square"),
    Category("economy", "Economy", "#8C6D31", "diamond"),
    Category("other", "Other", "#7F7F7F", "circle"),
)

OTHER = CATEGORIES[-1]
_BY_KEY = {c.key: c for c in CATEGORIES}


def category(key: str | None) -> Category:
    """The category called ``key``; unknown or missing keys are drawn as "Other"."""
    return _BY_KEY.get(key or "", OTHER)


def category_code(key: str | None) -> int:
    """A small integer for ``key``, used in compact arrays sent to the map page."""
    return CATEGORIES.index(category(key))
